import { Construct } from 'constructs';
import { DisruptionBudgetOptions } from '../availability/pod-disruption-budget.js';
import { InvalidPropError, pathOfChild } from '../core/errors.js';
import { validateDnsSubdomain } from '../core/names.js';
import { SecretEnvVar, requireQuantity } from './pod-template.js';
import { renderProbe, startupProbe } from './probes.js';
import { CpuResources } from './service-workload.js';
import { AutoscalingBinding, Workload, WorkloadKind } from './workload.js';

/** The pinned default Qdrant image. */
export const QDRANT_IMAGE = 'qdrant/qdrant:v1.15.4';

/** Props of {@link QdrantVectorDatabase}. */
export interface QdrantVectorDatabaseProps {
  /**
   * `metadata.name` of the StatefulSet and Service.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Image.
   * @default QDRANT_IMAGE
   */
  readonly image?: string;
  /**
   * Size of the storage claim mounted at `/qdrant/storage`.
   * @default '10Gi'
   */
  readonly storageSize?: string;
  /**
   * Size of the snapshots claim mounted at `/qdrant/snapshots`.
   * @default '10Gi'
   */
  readonly snapshotsSize?: string;
  /**
   * Storage class of both claims (durable data wants a Lambda persistent filesystem or backups).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * The API key, from a Secret key (e.g. written by an ExternalSecret), as `QDRANT__SERVICE__API_KEY`.
   * @default - no API key (network policy is the only guard)
   */
  readonly apiKey?: Omit<SecretEnvVar, 'name'>;
  /**
   * Container resources.
   * @default - cpu 1 (limit 2), memory 2Gi
   */
  readonly resources?: CpuResources;
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - the namespace
   */
  readonly partOf?: string;
  /**
   * PriorityClass of the pod.
   * @default - none (priority 0)
   */
  readonly priorityClassName?: string;
  /**
   * PodDisruptionBudget settings; unused while the database runs one replica.
   * @default { maxUnavailable: 1 }
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
}

/**
 * Qdrant as a single-replica StatefulSet: REST on 6333 and gRPC on 6334, data on a
 * PersistentVolumeClaim at `/qdrant/storage`, snapshots on a second claim, readiness `/readyz`,
 * liveness `/livez`, Prometheus `/metrics` on 6333, UID 1000, read-only root filesystem.
 * Distributed (multi-replica) mode needs peer bootstrap configuration and is not offered.
 */
export class QdrantVectorDatabase extends Workload {
  /** REST base URL, e.g. `http://qdrant.search.svc.cluster.local:6333`. */
  public readonly restUrl: string;
  /** gRPC address, e.g. `qdrant.search.svc.cluster.local:6334`. */
  public readonly grpcAddress: string;

  constructor(scope: Construct, id: string, props: QdrantVectorDatabaseProps = {}) {
    const path = pathOfChild(scope, id);
    if (props.priorityClassName !== undefined) validateDnsSubdomain(path, 'priorityClassName', props.priorityClassName);
    if (props.storageClassName !== undefined) validateDnsSubdomain(path, 'storageClassName', props.storageClassName);
    if ((props as { replicas?: unknown }).replicas !== undefined && (props as { replicas?: unknown }).replicas !== 1) {
      throw new InvalidPropError(path, 'replicas', (props as { replicas?: unknown }).replicas, 'must be 1: distributed Qdrant is not offered by this construct');
    }
    requireQuantity(path, 'storageSize', props.storageSize ?? '10Gi');
    requireQuantity(path, 'snapshotsSize', props.snapshotsSize ?? '10Gi');
    const http = { path: '/readyz', port: 'http' };
    super(scope, id, {
      name: props.name,
      image: props.image ?? QDRANT_IMAGE,
      component: 'vector-database',
      partOf: props.partOf,
      kind: WorkloadKind.STATEFUL_SET,
      replicas: 1,
      ports: [{ name: 'http', containerPort: 6333 }, { name: 'grpc', containerPort: 6334 }],
      resources: {
        cpu: props.resources?.cpu ?? { request: '1', limit: '2' },
        memory: props.resources?.memory ?? { request: '2Gi' },
        ...(props.resources?.ephemeralStorage ? { ephemeralStorage: props.resources.ephemeralStorage } : {}),
      },
      env: {
        QDRANT__STORAGE__STORAGE_PATH: '/qdrant/storage',
        QDRANT__STORAGE__SNAPSHOTS_PATH: '/qdrant/snapshots',
        QDRANT__TELEMETRY_DISABLED: 'true',
      },
      secretEnv: props.apiKey ? [{ name: 'QDRANT__SERVICE__API_KEY', secretName: props.apiKey.secretName, key: props.apiKey.key }] : [],
      startupProbe: startupProbe(http, 300),
      readinessProbe: renderProbe(http, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 }),
      livenessProbe: renderProbe({ path: '/livez', port: 'http' }, { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 }),
      scratchVolumes: [{ name: 'init', mountPath: '/qdrant/init', sizeLimit: '64Mi' }],
      persistentVolumes: [
        { name: 'storage', mountPath: '/qdrant/storage', size: props.storageSize ?? '10Gi', storageClassName: props.storageClassName },
        { name: 'snapshots', mountPath: '/qdrant/snapshots', size: props.snapshotsSize ?? '10Gi', storageClassName: props.storageClassName },
      ],
      runAsUser: 1000,
      podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '6333', 'prometheus.io/path': '/metrics' },
      scheduling: props.priorityClassName ? { priorityClassName: props.priorityClassName } : undefined,
      terminationGracePeriodSeconds: 60,
      disruptionBudget: props.disruptionBudget,
      spreadAcrossNodes: false,
    });
    this.restUrl = `http://${this.workloadName}.${this.namespace}.svc.cluster.local:6333`;
    this.grpcAddress = `${this.workloadName}.${this.namespace}.svc.cluster.local:6334`;
  }

  /** Qdrant runs one replica here, so it takes no autoscaler. */
  public override bindAutoscaler(binding: AutoscalingBinding): void {
    throw new InvalidPropError(binding.autoscalerPath, 'target', this.node.path,
      'is a single-replica Qdrant StatefulSet; distributed Qdrant (and therefore autoscaling it) is not offered');
  }
}
