/** Label and annotation keys that lambda-gitops writes and reads. */
export const LabelKeys = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  /** Marks the ConfigMap that carries the cluster's node-pool model. */
  clusterModel: 'lambda-gitops.dev/cluster-model',
  /** Namespace label used by network rules to admit traffic from a namespace. */
  namespaceName: 'kubernetes.io/metadata.name',
} as const;

/** Value of `app.kubernetes.io/managed-by` on everything lambda-gitops renders. */
export const MANAGED_BY = 'lambda-gitops';

/** The well-known node labels and the GPU taint. */
export const NodeLabels = {
  gpuProduct: 'nvidia.com/gpu.product',
  instanceType: 'node.kubernetes.io/instance-type',
  hostname: 'kubernetes.io/hostname',
  gpuTaintKey: 'nvidia.com/gpu',
} as const;

/** The extended resource name of a whole NVIDIA GPU (or a time-sliced share of one). */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Identity of a workload, from which its stable labels are derived. */
export interface WorkloadIdentity {
  /** The workload's name (`app.kubernetes.io/name`). */
  readonly name: string;
  /** The instance (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** Its role in the platform, e.g. `inference`, `gateway` (`app.kubernetes.io/component`). */
  readonly component: string;
  /** The larger application it belongs to (`app.kubernetes.io/part-of`). */
  readonly partOf: string;
}

/**
 * The identity of a workload named `name` in `namespace`: the instance label is
 * `<name>-<namespace>` (cut to 63 characters), so it is unique across the cluster.
 */
export function workloadIdentity(name: string, namespace: string, component: string, partOf: string = namespace): WorkloadIdentity {
  return { name, instance: `${name}-${namespace}`.slice(0, 63).replace(/-+$/, ''), component, partOf };
}

/**
 * Selector labels: only name and instance, never a construct-path hash, so moving a construct in
 * the tree never changes an immutable `spec.selector`.
 */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return { [LabelKeys.name]: id.name, [LabelKeys.instance]: id.instance };
}

/** The full set of recommended labels for objects and pod templates of a workload. */
export function recommendedLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    [LabelKeys.component]: id.component,
    [LabelKeys.partOf]: id.partOf,
    [LabelKeys.managedBy]: MANAGED_BY,
  };
}
