import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { GPU_RESOURCE } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { HelmRelease, HelmRepository } from '../flux/helm-release.js';
import { operatorNamespace } from '../flux/operator-namespace.js';
import type { ClusterModel } from './cluster-model.js';

/** The provisioner name local-path-provisioner answers for by default here (the StorageClass `provisioner`). */
export const LOCAL_PATH_PROVISIONER_NAME = 'rancher.io/local-path';

/**
 * Where the upstream chart is published: the `helm-release.yml` workflow of
 * rancher/local-path-provisioner pushes the chart of every `v*` tag to this OCI registry (chart
 * version = tag without the `v`). There is no https chart repository.
 */
export const LOCAL_PATH_CHART_REPOSITORY = 'oci://ghcr.io/rancher/local-path-provisioner/charts';

/** Props of {@link LocalPathProvisioner}. */
export interface LocalPathProvisionerProps {
  /**
   * The cluster model whose StorageClasses this provisioner serves: those with
   * `provisioner: provisionerName`. Synth fails when there is none, or when one binds
   * `Immediate` (a node-local volume must be created where its first pod is scheduled).
   */
  readonly clusterModel: ClusterModel;
  /**
   * Absolute directory on every node under which volumes are created (`nodePathMap` for every
   * node). Put it on the node's local NVMe. Lambda documents the local disk's size per
   * instance type (`storage_gib`) but not a mount point; on on-demand instances the local disk
   * is the root filesystem, so any directory there is on it. Check with `findmnt -T <path>` on
   * a node. No default: the path decides which disk holds the data.
   */
  readonly nodePath: string;
  /**
   * Provisioner name (the StorageClasses' `provisioner`).
   * @default 'rancher.io/local-path'
   */
  readonly provisionerName?: string;
  /**
   * Namespace of the provisioner and its helper pods (Pod Security `privileged`: the helper pods
   * mount the node path with hostPath).
   * @default 'local-path-storage'
   */
  readonly namespace?: string;
  /**
   * Chart version (exact).
   * @default '0.0.37' (app v0.0.37; vendored for the cluster tests)
   */
  readonly version?: string;
  /**
   * Helper pod image tag (`docker.io/library/busybox`); the chart's default is `latest`.
   * @default '1.37.0'
   */
  readonly helperImageTag?: string;
  /**
   * PriorityClass of the provisioner; its helper pods keep the chart's `system-node-critical`.
   * @default 'system-cluster-critical'
   */
  readonly priorityClassName?: string;
  /**
   * Extra chart values, merged over the defaults at the top level.
   * @default - none
   */
  readonly values?: Record<string, unknown>;
}

/**
 * Rancher local-path-provisioner as a Flux HelmRelease (pinned chart from its OCI registry) in
 * its own namespace: dynamic node-local volumes (a directory under `nodePath` on the node the
 * claim's first pod lands on, with node affinity to that node) for the StorageClasses the
 * cluster model declares with its provisioner name. The chart's own StorageClass is switched
 * off: the cluster model renders the classes (name, default annotation, binding mode, reclaim
 * policy), so the tree has one definition of each. Place it in `infrastructure/controllers`
 * (the classes are in `infrastructure/configs`, the claims in `apps`).
 *
 * The provisioner tolerates the GPU taint (it can run on a GPU-only cluster) and its helper
 * pods, which create and delete the directories on the claim's node, tolerate it too.
 */
export class LocalPathProvisioner extends Construct {
  /** The provisioner name the StorageClasses must name. */
  public readonly provisionerName: string;
  /** Namespace. */
  public readonly namespace: string;
  /** The node directory volumes are created under. */
  public readonly nodePath: string;
  /** The HelmRelease. */
  public readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: LocalPathProvisionerProps) {
    super(scope, id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'local-path-storage');
    this.provisionerName = props.provisionerName ?? LOCAL_PATH_PROVISIONER_NAME;
    if (typeof this.provisionerName !== 'string' || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?(\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(this.provisionerName)) {
      throw new InvalidPropError(this, 'provisionerName', props.provisionerName, "must be a provisioner name such as 'rancher.io/local-path'");
    }
    const nodePath = props.nodePath;
    if (typeof nodePath !== 'string' || !/^\/\S*$/.test(nodePath) || nodePath.replace(/\/+$/, '') === '' || nodePath.split('/').includes('..')) {
      throw new InvalidPropError(this, 'nodePath', nodePath, "must be an absolute directory other than '/' without '..', e.g. '/opt/local-path-provisioner'");
    }
    this.nodePath = nodePath;
    const helperImageTag = props.helperImageTag ?? '1.37.0';
    if (typeof helperImageTag !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(helperImageTag) || helperImageTag === 'latest') {
      throw new InvalidPropError(this, 'helperImageTag', helperImageTag, "must be a pinned image tag such as '1.37.0' (not 'latest')");
    }
    const model = props.clusterModel;
    this.node.addValidation({ validate: () => this.problems(model) });

    operatorNamespace(this, 'Namespace', this.namespace, 'privileged',
      'local-path-provisioner namespace: the provisioner talks to the API server and its helper pods mount node paths (hostPath), which Pod Security baseline and restricted forbid');
    const gpuToleration = { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };
    const repository = new HelmRepository(this, 'Repo', { name: 'local-path-provisioner', url: LOCAL_PATH_CHART_REPOSITORY });
    // Value names checked in the chart at v0.0.37 (values.yaml, templates/configmap.yaml, deployment.yaml).
    this.release = new HelmRelease(this, 'Release', {
      name: 'local-path-provisioner',
      namespace: this.namespace,
      repository,
      chart: 'local-path-provisioner',
      version: props.version ?? '0.0.37',
      values: {
        storageClass: { create: false, provisionerName: this.provisionerName },
        nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [nodePath] }],
        helperImage: { tag: helperImageTag },
        priorityClassName: props.priorityClassName ?? 'system-cluster-critical',
        tolerations: [gpuToleration],
        // the provisioner only talks to the API server: the hardening the chart suggests in values.yaml
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: {
          allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 65534, runAsGroup: 65534, capabilities: { drop: ['ALL'] },
        },
        // helper pods get nodeName (no scheduling), but say it: they run on GPU nodes too
        configmap: { helperPod: { tolerations: [gpuToleration] } },
        ...(props.values ?? {}),
      },
    });
  }

  private problems(model: ClusterModel): string[] {
    const served = model.storageClasses.filter((c) => c.provisioner === this.provisionerName);
    if (served.length === 0) {
      return [`LocalPathProvisioner '${this.node.path}' serves provisioner ${this.provisionerName}, but the cluster model '${model.node.path}' declares no StorageClass with it; add one with addStorageClass(name, { provisioner: '${this.provisionerName}' })`];
    }
    return [
      ...served.filter((c) => c.volumeBindingMode !== 'WaitForFirstConsumer').map((c) =>
        `StorageClass '${c.name}' of the cluster model binds ${c.volumeBindingMode}, but ${this.provisionerName} creates node-local volumes, which must be bound where the first pod is scheduled: use volumeBindingMode 'WaitForFirstConsumer'`),
      ...served.filter((c) => !c.nodeLocal).map((c) =>
        `StorageClass '${c.name}' of the cluster model says nodeLocal: false, but ${this.provisionerName} creates volumes on one node's disk (nodePath ${this.nodePath}); leave nodeLocal out or set it true, so the planner keeps such pods on their node`),
    ];
  }
}
