import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError, pathOfChild } from '../core/errors.js';
import { parseQuantity } from '../core/quantity.js';
import type { GpuQuotaNeed, IGpuQuotaConsumer } from '../tenancy/gpu-quota-need.js';
import { GpuPlacementProps, gpuScheduling, sharedMemoryVolume, validateGpuCount } from './gpu-scheduling.js';
import { ModelCache, ModelCacheConfig } from './model-cache.js';
import { HOME_MOUNT_PATH, ModelServer } from './model-server-presets.js';
import { HostCacheVolume, PersistentVolume, ScratchVolume } from './pod-template.js';
import { renderProbe, startupProbe } from './probes.js';
import { DEFAULT_EPHEMERAL_STORAGE, ResourceRange } from './resources.js';
import { ServedWorkloadOptions, Workload, WorkloadKind } from './workload.js';

/** CPU, memory and ephemeral storage of one model-server replica (GPUs are the `gpus` prop). */
export interface ModelServerResources {
  /**
   * CPU.
   * @default - 6 cores per GPU, request = limit
   */
  readonly cpu?: ResourceRange;
  /**
   * Memory (must exceed `/dev/shm`, which is RAM counted against the limit).
   * @default - 24Gi per GPU, request = limit
   */
  readonly memory?: ResourceRange;
  /**
   * Ephemeral storage.
   * @default - { request: '1Gi', limit: '4Gi' }, plus the cache size for an ephemeral model cache
   */
  readonly ephemeralStorage?: ResourceRange;
}

/** Props of {@link GpuInferenceService}. */
export interface GpuInferenceServiceProps extends GpuPlacementProps, ServedWorkloadOptions {
  /** The model server: `ModelServer.vllm(...)`, `ModelServer.triton(...)` or `ModelServer.textEmbeddings(...)`. */
  readonly server: ModelServer;
  /**
   * Whole GPUs per replica (`nvidia.com/gpu`, request = limit). vLLM uses them for tensor parallelism.
   * @default 1
   */
  readonly gpus?: number;
  /**
   * CPU, memory and ephemeral storage per replica.
   * @default - see {@link ModelServerResources}
   */
  readonly resources?: ModelServerResources;
  /**
   * Size of the RAM-backed `/dev/shm`.
   * @default - the server's default (2Gi per GPU for vLLM and Triton, 1Gi for TEI)
   */
  readonly shmSize?: string;
  /**
   * Where model weights are cached. A persistent or node-local cache makes the service a
   * StatefulSet with one claim per replica.
   * @default ModelCache.persistentClaim({ size: '50Gi' })
   */
  readonly modelCache?: ModelCache;
  /**
   * Seconds the startup probe allows for downloading and loading the model before the kubelet
   * restarts the container.
   * @default - the server's budget (600 for vLLM and Triton, 300 for TEI)
   */
  readonly startupBudgetSeconds?: number;
  /**
   * Seconds a terminating replica gets to finish in-flight requests.
   * @default 60
   */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * A model server on GPUs: a Deployment (or a StatefulSet with a per-replica model-cache claim)
 * plus a Service. Whole GPUs requested and limited equally, the GPU taint tolerated, nodes picked
 * by GPU product or Lambda instance type, a RAM-backed `/dev/shm`, a startup probe sized for model
 * loading, readiness and liveness on the server's health endpoint, Prometheus scrape annotations,
 * and the hardened restricted pod template (read-only root, HOME and caches on writable volumes).
 */
export class GpuInferenceService extends Workload implements IGpuQuotaConsumer {
  /** The server preset's short name (`vllm`, `triton`, `text-embeddings-inference`). */
  public readonly server: string;
  /** GPUs per replica. */
  public readonly gpusPerReplica: number;
  /** The resolved model cache. */
  public readonly modelCache: ModelCacheConfig;
  /** The in-cluster base URL of the HTTP API, e.g. `http://vllm.inference.svc.cluster.local:8000`. */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: GpuInferenceServiceProps) {
    const path = pathOfChild(scope, id);
    const gpus = props.gpus ?? 1;
    validateGpuCount(path, gpus);
    if (!props.server || typeof (props.server as ModelServer).resolve !== 'function') {
      throw new InvalidPropError(path, 'server', props.server, 'must be a preset: ModelServer.vllm(...), ModelServer.triton(...) or ModelServer.textEmbeddings(...)');
    }
    const server = props.server.resolve(path, gpus);
    const cache = (props.modelCache ?? ModelCache.persistentClaim()).resolve(path);
    const name = props.name ?? id;
    const memory = props.resources?.memory ?? { request: `${24 * gpus}Gi` };
    const budget = props.startupBudgetSeconds ?? server.startupBudgetSeconds;
    if (!Number.isInteger(budget) || budget < 10 || budget > 7200) {
      throw new InvalidPropError(path, 'startupBudgetSeconds', budget, 'must be a whole number of seconds from 10 to 7200');
    }
    const volumes = cacheVolumes(cache, server.cacheMountPath);
    const healthPort = server.ports[0].name;
    super(scope, id, {
      name,
      image: server.image,
      component: server.component,
      partOf: props.partOf,
      kind: cache.type === 'persistent' ? WorkloadKind.STATEFUL_SET : WorkloadKind.DEPLOYMENT,
      ...(cache.type === 'persistent' && cache.nodeLocal ? { claimRetention: 'Delete' as const } : {}),
      replicas: props.replicas ?? 1,
      ports: server.ports,
      resources: {
        cpu: props.resources?.cpu ?? { request: String(6 * gpus) },
        memory,
        ephemeralStorage: props.resources?.ephemeralStorage ?? ephemeralStorageFor(cache),
        gpus,
      },
      ...(server.command ? { command: server.command } : {}),
      args: server.args,
      env: mergeEnv(path, server.env, props.env ?? {}),
      secretEnv: props.secretEnv,
      startupProbe: startupProbe({ path: server.readinessPath, port: healthPort }, budget),
      readinessProbe: renderProbe({ path: server.readinessPath, port: healthPort }, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 }),
      livenessProbe: renderProbe({ path: server.livenessPath, port: healthPort }, { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 }),
      scratchVolumes: [
        { name: 'home', mountPath: HOME_MOUNT_PATH, sizeLimit: '2Gi' },
        sharedMemoryVolume(path, props.shmSize ?? server.shmSize, memory.limit ?? memory.request),
        ...volumes.scratch,
      ],
      persistentVolumes: volumes.persistent,
      hostCacheVolumes: volumes.host,
      scheduling: gpuScheduling(path, gpus, props),
      podAnnotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(server.metrics.port),
        'prometheus.io/path': server.metrics.path,
      },
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 60,
      disruptionBudget: props.disruptionBudget,
    });
    if (cache.type === 'host-path') rejectHostPathUnderPodSecurity(this);
    this.server = server.server;
    this.gpusPerReplica = gpus;
    this.modelCache = cache;
    this.endpoint = `http://${this.workloadName}.${this.namespace}.svc.cluster.local:${server.ports[0].containerPort}`;
  }

  /** GPUs per replica x (maximum replicas + rolling-update surge): what the namespace quota must admit. */
  public gpuQuotaNeed(): GpuQuotaNeed {
    const surge = this.rollingSurge;
    return {
      gpus: this.gpusPerReplica * (this.maxReplicas + surge),
      reason: `${this.gpusPerReplica} GPU x (${this.maxReplicas} replica(s) at maximum scale + ${surge} surge pod(s))`,
    };
  }
}

/** Pod Security levels that reject hostPath volumes. */
const HOST_PATH_FORBIDDEN = ['baseline', 'restricted'];

/** Fails when the namespace's enforced Pod Security level (from its Namespace object in the same chart) rejects hostPath. */
function rejectHostPathUnderPodSecurity(service: GpuInferenceService): void {
  const chart = Chart.of(service);
  const namespace = chart.node.findAll().find((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Namespace' && c.name === service.namespace);
  const level = namespace?.metadata.getLabel('pod-security.kubernetes.io/enforce');
  if (level && HOST_PATH_FORBIDDEN.includes(level)) {
    throw new InvalidPropError(service, 'modelCache', 'hostPath',
      `is rejected by the namespace's Pod Security level '${level}'; use ModelCache.nodeLocal() (a local-path claim on the node's NVMe) or ModelCache.persistentClaim()`);
  }
}

function cacheVolumes(cache: ModelCacheConfig, mountPath: string): { scratch: ScratchVolume[]; persistent: PersistentVolume[]; host: HostCacheVolume[] } {
  switch (cache.type) {
    case 'persistent':
      return { scratch: [], host: [], persistent: [{ name: 'model-cache', mountPath, size: cache.size, storageClassName: cache.storageClassName }] };
    case 'host-path':
      return { scratch: [], persistent: [], host: [{ name: 'model-cache', mountPath, hostPath: cache.hostPath }] };
    case 'ephemeral':
      return { persistent: [], host: [], scratch: [{ name: 'model-cache', mountPath, sizeLimit: cache.sizeLimit }] };
  }
}

/** An ephemeral cache lives on the node's ephemeral storage, so the container's budget grows by its size. */
function ephemeralStorageFor(cache: ModelCacheConfig): ResourceRange {
  if (cache.type !== 'ephemeral') return DEFAULT_EPHEMERAL_STORAGE;
  const gib = (text: string) => Math.ceil(parseQuantity(text) / 2 ** 30);
  return {
    request: `${gib(cache.sizeLimit) + gib(DEFAULT_EPHEMERAL_STORAGE.request)}Gi`,
    limit: `${gib(cache.sizeLimit) + gib(DEFAULT_EPHEMERAL_STORAGE.limit!)}Gi`,
  };
}

function mergeEnv(path: string, serverEnv: Record<string, string>, userEnv: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(userEnv)) {
    if (key in serverEnv && userEnv[key] !== serverEnv[key]) {
      throw new InvalidPropError(path, `env.${key}`, userEnv[key],
        `is set by the model server preset to ${JSON.stringify(serverEnv[key])} (a writable path under the read-only root); leave it unset`);
    }
  }
  return { ...serverEnv, ...userEnv };
}
