import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { exemptFromPolicy } from '../core/policy-exemption.js';
import { HelmRelease, HelmRepository } from './helm-release.js';

/** A pinned operator chart. */
export interface OperatorChart {
  /** Chart version (exact). */
  readonly version: string;
  /**
   * Extra chart values.
   * @default {}
   */
  readonly values?: Record<string, unknown>;
}

/** Props of {@link PlatformOperators}. */
export interface PlatformOperatorsProps {
  /**
   * External Secrets Operator (chart `external-secrets` from charts.external-secrets.io).
   * @default { version: '2.9.0' } (matches the vendored ESO CRDs; the Pulumi provider's `auth.accessToken` needs ESO 2.5 or later)
   */
  readonly externalSecrets?: OperatorChart;
  /**
   * KEDA (chart `keda` from kedacore.github.io/charts).
   * @default { version: '2.20.2' } (matches the vendored KEDA CRD)
   */
  readonly keda?: OperatorChart;
  /**
   * NVIDIA device plugin with GPU feature discovery (chart `nvidia-device-plugin`).
   * @default { version: '0.17.4' }
   */
  readonly nvidiaDevicePlugin?: OperatorChart;
  /**
   * Name of the time-slicing ConfigMap (in the device plugin's namespace) the plugin reads.
   * @default - no time-slicing config
   */
  readonly timeSlicingConfigMap?: string;
  /**
   * The time-slicing profile used by nodes without a `nvidia.com/device-plugin.config` label.
   * @default - whole GPUs unless a node selects a profile
   */
  readonly timeSlicingDefaultProfile?: string;
  /**
   * DCGM exporter for GPU metrics (chart `dcgm-exporter`).
   * @default { version: '4.6.0' }
   */
  readonly dcgmExporter?: OperatorChart;
  /**
   * PriorityClass of the cluster-level operators (ESO, KEDA): they must not be preempted by any
   * `lambda-*` workload class. The node agents (device plugin, DCGM exporter) always get
   * `system-node-critical`.
   * @default 'system-cluster-critical' (built into every cluster, outranks every user class)
   */
  readonly operatorPriorityClassName?: string;
}

/** Node label NFD sets on nodes with an NVIDIA PCI device (vendor id 10de); the device plugin chart's own affinity uses it. */
export const NVIDIA_PCI_NODE_LABEL = 'feature.node.kubernetes.io/pci-10de.present';

/** PriorityClass of node agents (device plugin, DCGM exporter): built in, never preempted by user classes. */
export const NODE_AGENT_PRIORITY_CLASS = 'system-node-critical';
/** Default PriorityClass of the cluster-level operators. */
export const OPERATOR_PRIORITY_CLASS = 'system-cluster-critical';

/** One operator's chart source and release. */
interface OperatorRelease {
  readonly id: string;
  readonly repository: string;
  readonly url: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
}

/** Namespaces the operators run in. */
export const OperatorNamespaces = {
  externalSecrets: 'external-secrets',
  keda: 'keda',
  nvidia: 'nvidia-device-plugin',
} as const;

/**
 * The operators a GPU platform needs, as Flux HelmRepositories and HelmReleases with pinned chart
 * versions, and their namespaces: External Secrets Operator (Pulumi ESC), KEDA, the NVIDIA device
 * plugin (with GPU feature discovery, tolerating the GPU taint) and the DCGM exporter. Place it
 * in the `infrastructure/controllers` directory.
 */
export class PlatformOperators extends Construct {
  /** The device plugin's namespace (where the time-slicing ConfigMap must live). */
  public readonly nvidiaNamespace: string = OperatorNamespaces.nvidia;

  constructor(scope: Construct, id: string, props: PlatformOperatorsProps = {}) {
    super(scope, id);
    const labels = { [LabelKeys.managedBy]: MANAGED_BY };
    const namespace = (name: string, podSecurity: string) => {
      const ns = new k8s.KubeNamespace(this, `Namespace-${name}`, {
        metadata: {
          name,
          labels: { ...labels, 'pod-security.kubernetes.io/enforce': podSecurity, 'lambda-gitops.dev/role': 'operator' },
        },
      });
      exemptFromPolicy(ns, 'namespace-default-deny',
        'operator namespace: its chart needs API-server egress and webhook ingress from the control plane, whose addresses are not known to the tree');
      return ns;
    };
    namespace(OperatorNamespaces.externalSecrets, 'restricted');
    namespace(OperatorNamespaces.keda, 'restricted');
    // the device plugin and DCGM exporter mount host paths (/var/lib/kubelet/device-plugins, /dev)
    namespace(OperatorNamespaces.nvidia, 'privileged');

    const gpuToleration = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const operatorPriority = props.operatorPriorityClassName ?? OPERATOR_PRIORITY_CLASS;
    // Chart value names checked at the pinned versions: external-secrets 2.9.0 (priorityClassName
    // for the controller, webhook and certController), keda 2.20.2 (one priorityClassName for all
    // components), nvidia-device-plugin 0.17.4 and dcgm-exporter 4.6.0 (priorityClassName).
    const operators: OperatorRelease[] = [
      {
        id: 'ExternalSecrets', repository: 'external-secrets', url: 'https://charts.external-secrets.io',
        namespace: OperatorNamespaces.externalSecrets, chart: 'external-secrets', version: props.externalSecrets?.version ?? '2.9.0',
        values: {
          installCRDs: true,
          priorityClassName: operatorPriority,
          webhook: { priorityClassName: operatorPriority },
          certController: { priorityClassName: operatorPriority },
          ...(props.externalSecrets?.values ?? {}),
        },
      },
      {
        id: 'Keda', repository: 'kedacore', url: 'https://kedacore.github.io/charts',
        namespace: OperatorNamespaces.keda, chart: 'keda', version: props.keda?.version ?? '2.20.2',
        values: { priorityClassName: operatorPriority, ...(props.keda?.values ?? {}) },
      },
      {
        id: 'NvidiaDevicePlugin', repository: 'nvidia-device-plugin', url: 'https://nvidia.github.io/k8s-device-plugin',
        namespace: OperatorNamespaces.nvidia, chart: 'nvidia-device-plugin', version: props.nvidiaDevicePlugin?.version ?? '0.17.4',
        values: {
          // gfd.enabled also installs node-feature-discovery (chart dependency condition nfd.enabled,gfd.enabled)
          gfd: { enabled: true },
          tolerations: gpuToleration,
          priorityClassName: NODE_AGENT_PRIORITY_CLASS,
          ...(props.timeSlicingConfigMap ? {
            config: { name: props.timeSlicingConfigMap, ...(props.timeSlicingDefaultProfile ? { default: props.timeSlicingDefaultProfile } : {}) },
          } : {}),
          ...(props.nvidiaDevicePlugin?.values ?? {}),
        },
      },
      {
        id: 'DcgmExporter', repository: 'dcgm-exporter', url: 'https://nvidia.github.io/dcgm-exporter/helm-charts',
        namespace: OperatorNamespaces.nvidia, chart: 'dcgm-exporter', version: props.dcgmExporter?.version ?? '4.6.0',
        // GFD never sets nvidia.com/gpu.present; NFD (installed with GFD above) sets the PCI vendor label.
        values: {
          tolerations: gpuToleration,
          nodeSelector: { [NVIDIA_PCI_NODE_LABEL]: 'true' },
          priorityClassName: NODE_AGENT_PRIORITY_CLASS,
          ...(props.dcgmExporter?.values ?? {}),
        },
      },
    ];
    for (const operator of operators) {
      const repository = new HelmRepository(this, `${operator.id}Repo`, { name: operator.repository, url: operator.url });
      new HelmRelease(this, operator.id, {
        name: operator.chart, namespace: operator.namespace, repository, chart: operator.chart, version: operator.version, values: operator.values,
      });
    }
  }
}
