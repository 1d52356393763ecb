import type { IConstruct } from 'constructs';

/** How many GPUs a workload may request at once, and why (for quota derivation and errors). */
export interface GpuQuotaNeed {
  /** GPUs (`requests.nvidia.com/gpu`) the workload's pods request together at their peak. */
  readonly gpus: number;
  /** The arithmetic in words, e.g. `1 GPU x (3 replicas at maximum scale + 1 surge pod)`. */
  readonly reason: string;
}

/** A construct whose pods request GPUs; a {@link Tenant} sums these needs into its GPU quota. */
export interface IGpuQuotaConsumer extends IConstruct {
  /** The peak GPU request of the workload, including pods a rolling update adds. */
  gpuQuotaNeed(): GpuQuotaNeed;
}

/** Whether a construct declares a GPU quota need. */
export function isGpuQuotaConsumer(c: IConstruct): c is IGpuQuotaConsumer {
  return typeof (c as Partial<IGpuQuotaConsumer>).gpuQuotaNeed === 'function';
}
