import { InvalidPropError } from '../core/errors.js';
import { validateDnsSubdomain } from '../core/names.js';
import { isQuantity, parseQuantity } from '../core/quantity.js';
import type { StorageClassModel } from '../cluster/storage-classes.js';

/** Options of a persistent model cache. */
export interface PersistentModelCacheOptions {
  /**
   * Claim size.
   * @default '50Gi'
   */
  readonly size?: string;
  /**
   * Storage class; a node-local provisioner (e.g. `local-path` on the node's NVMe) is fastest.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** Options of a model cache on the node's local NVMe through a node-local StorageClass. */
export interface NodeLocalModelCacheOptions {
  /**
   * Claim size.
   * @default '100Gi'
   */
  readonly size?: string;
  /**
   * The node-local StorageClass, as the cluster model declares it (the value
   * `ClusterModel.addStorageClass` returns), e.g. `local-nvme` served by `LocalPathProvisioner`.
   * It must bind `WaitForFirstConsumer`. Wins over `storageClassName`.
   * @default - `storageClassName`
   */
  readonly storageClass?: StorageClassModel;
  /**
   * Name of a StorageClass that provisions volumes on the node's local disk (e.g. rancher
   * local-path-provisioner's `local-path`, binding on first consumer), when the cluster model
   * does not declare it.
   * @default 'local-path'
   */
  readonly storageClassName?: string;
}

/** Options of a hostPath model cache. */
export interface HostPathModelCacheOptions {
  /**
   * Absolute directory on the node's local disk.
   * @default '/var/lib/lambda-gitops/model-cache'
   */
  readonly hostPath?: string;
}

/** Options of an ephemeral (per-pod, emptyDir) model cache. */
export interface EphemeralModelCacheOptions {
  /**
   * emptyDir size limit; the container's ephemeral-storage request and limit grow by this much.
   * @default '50Gi'
   */
  readonly sizeLimit?: string;
}

/** The resolved model cache. */
export type ModelCacheConfig =
  | {
    readonly type: 'persistent'; readonly size: string; readonly storageClassName?: string;
    /** True for `nodeLocal`: the claim lives on one node, so it is deleted with its replica (scale-down, StatefulSet deletion) rather than pin a future replica there. */
    readonly nodeLocal?: boolean;
  }
  | { readonly type: 'host-path'; readonly hostPath: string }
  | { readonly type: 'ephemeral'; readonly sizeLimit: string };

/**
 * Where a model server keeps downloaded weights.
 *
 * - `persistentClaim`: one PersistentVolumeClaim per replica (the service becomes a StatefulSet
 *   with a volumeClaimTemplate), so restarts skip the download.
 * - `nodeLocal`: the same on a node-local StorageClass (e.g. the cluster model's `local-nvme`
 *   through `LocalPathProvisioner`): the fastest cache that Pod Security `restricted` admits. A
 *   replica then stays on the node that holds its claim: a drained node's replica waits for the
 *   node to return (the drain itself finishes: one replica per node, `maxUnavailable: 1`), and
 *   a node that is gone for good needs its claim deleted. Its claims are deleted with their
 *   replica on scale-down, so an autoscaled replica is not pinned to a node it last ran on.
 * - `hostPath`: a hostPath directory shared by all pods on the node. Pod Security `baseline` and
 *   `restricted` reject hostPath, so a service in such a namespace (every Tenant) fails synth.
 * - `ephemeral`: an emptyDir, downloaded on every start.
 */
export class ModelCache {
  /** A PersistentVolumeClaim per replica (StatefulSet volumeClaimTemplate). */
  public static persistentClaim(options: PersistentModelCacheOptions = {}): ModelCache {
    const size = options.size ?? '50Gi';
    return new ModelCache((path) => {
      requireSize(path, 'modelCache.size', size);
      if (options.storageClassName !== undefined) validateDnsSubdomain(path, 'modelCache.storageClassName', options.storageClassName);
      return { type: 'persistent', size, ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}) };
    });
  }

  /** A PersistentVolumeClaim per replica on a node-local StorageClass (the node's NVMe). */
  public static nodeLocal(options: NodeLocalModelCacheOptions = {}): ModelCache {
    const claim = ModelCache.persistentClaim({ size: options.size ?? '100Gi', storageClassName: options.storageClass?.name ?? options.storageClassName ?? 'local-path' });
    return new ModelCache((path) => {
      const storageClass = options.storageClass;
      if (storageClass !== undefined && storageClass.volumeBindingMode !== 'WaitForFirstConsumer') {
        throw new InvalidPropError(path, 'modelCache.storageClass', storageClass.name,
          `binds ${storageClass.volumeBindingMode}; a node-local cache needs a StorageClass that binds WaitForFirstConsumer (the volume is created on the node its pod is scheduled to)`);
      }
      return { ...claim.resolve(path), nodeLocal: true };
    });
  }

  /** A hostPath directory on the node's local disk (only for namespaces whose Pod Security level admits hostPath). */
  public static hostPath(options: HostPathModelCacheOptions = {}): ModelCache {
    const hostPath = options.hostPath ?? '/var/lib/lambda-gitops/model-cache';
    return new ModelCache((path) => {
      if (typeof hostPath !== 'string' || !hostPath.startsWith('/') || hostPath.split('/').includes('..')) {
        throw new InvalidPropError(path, 'modelCache.hostPath', hostPath, "must be an absolute path without '..'");
      }
      return { type: 'host-path', hostPath };
    });
  }

  /** An emptyDir that lives as long as the pod. */
  public static ephemeral(options: EphemeralModelCacheOptions = {}): ModelCache {
    const sizeLimit = options.sizeLimit ?? '50Gi';
    return new ModelCache((path) => {
      requireSize(path, 'modelCache.sizeLimit', sizeLimit);
      return { type: 'ephemeral', sizeLimit };
    });
  }

  private constructor(private readonly resolver: (path: string) => ModelCacheConfig) {}

  /** Validates and resolves the cache for the construct at `constructPath`. */
  public resolve(constructPath: string): ModelCacheConfig {
    return this.resolver(constructPath);
  }
}

function requireSize(path: string, prop: string, value: string): void {
  if (!isQuantity(value) || parseQuantity(value) <= 0) {
    throw new InvalidPropError(path, prop, value, "must be a positive Kubernetes quantity such as '50Gi'");
  }
}
