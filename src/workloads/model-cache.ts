import { InvalidPropError } from '../core/errors.js';
import { isQuantity, parseQuantity } from '../core/quantity.js';

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

/** Options of a node-local hostPath model cache. */
export interface NodeLocalModelCacheOptions {
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
  | { readonly type: 'persistent'; readonly size: string; readonly storageClassName?: string }
  | { readonly type: 'node-local'; readonly hostPath: string }
  | { readonly type: 'ephemeral'; readonly sizeLimit: string };

/**
 * Where a model server keeps downloaded weights.
 *
 * - `persistentClaim`: one PersistentVolumeClaim per replica (the service becomes a StatefulSet
 *   with a volumeClaimTemplate), so restarts skip the download.
 * - `nodeLocal`: a hostPath directory on the node's NVMe, shared by pods on the node. Pod Security
 *   `baseline` and `restricted` reject hostPath, so this needs a namespace with a relaxed level.
 * - `ephemeral`: an emptyDir, downloaded on every start.
 */
export class ModelCache {
  /** A PersistentVolumeClaim per replica (StatefulSet volumeClaimTemplate). */
  public static persistentClaim(options: PersistentModelCacheOptions = {}): ModelCache {
    const size = options.size ?? '50Gi';
    return new ModelCache((path) => {
      requireSize(path, 'modelCache.size', size);
      return { type: 'persistent', size, ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}) };
    });
  }

  /** A hostPath directory on the node's local disk. */
  public static nodeLocal(options: NodeLocalModelCacheOptions = {}): ModelCache {
    const hostPath = options.hostPath ?? '/var/lib/lambda-gitops/model-cache';
    return new ModelCache((path) => {
      if (typeof hostPath !== 'string' || !hostPath.startsWith('/') || hostPath.split('/').includes('..')) {
        throw new InvalidPropError(path, 'modelCache.hostPath', hostPath, "must be an absolute path without '..'");
      }
      return { type: 'node-local', hostPath };
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
