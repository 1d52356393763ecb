/**
 * Resource vectors and a pod's effective requests and limits, computed the way kube-scheduler and
 * the ResourceQuota admission compute them (k8s.io/component-helpers resource.PodRequests):
 * the sum over containers, the max with each init container (restartable "sidecar" init
 * containers add to everything after them), plus the pod overhead.
 */
import { tryParseQuantity } from '../core/quantity.js';
import { GPU_RESOURCE } from '../core/labels.js';

/**
 * Amounts by resource name in integer base units: `cpu` in millicores, `memory` and
 * `ephemeral-storage` in bytes, extended resources (`nvidia.com/gpu`) and `pods` as counts.
 */
export type ResourceAmounts = Record<string, number>;

/** The scheduler's defaults for a container without CPU/memory requests, used only for scoring. */
export const NON_ZERO_DEFAULTS: Readonly<ResourceAmounts> = { cpu: 100, memory: 200 * 2 ** 20 };

/** Bad resource values in a manifest; the message names the field. */
export class ResourceValueError extends Error {
  constructor(public readonly field: string, value: unknown) {
    super(`${field}: ${JSON.stringify(value)} is not a valid Kubernetes quantity`);
    this.name = 'ResourceValueError';
  }
}

/** Parses a quantity into the integer base unit of its resource (millicores for CPU, rounded up). */
export function amountOf(resource: string, value: unknown, field: string): number {
  const parsed = tryParseQuantity(value);
  if (parsed === undefined || parsed < 0) throw new ResourceValueError(field, value);
  if (resource === 'cpu') return Math.ceil(parsed * 1000 - 1e-9);
  return Math.ceil(parsed - 1e-9);
}

/** Parses a ResourceList (`{cpu: "500m", memory: "1Gi"}`). */
export function parseResourceList(list: unknown, field: string): ResourceAmounts {
  const out: ResourceAmounts = {};
  if (list === undefined || list === null) return out;
  if (typeof list !== 'object' || Array.isArray(list)) throw new ResourceValueError(field, list);
  for (const [name, value] of Object.entries(list as Record<string, unknown>)) out[name] = amountOf(name, value, `${field}.${name}`);
  return out;
}

/** a + b, per resource. */
export function add(a: Readonly<ResourceAmounts>, b: Readonly<ResourceAmounts>): ResourceAmounts {
  const out: ResourceAmounts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** max(a, b), per resource. */
export function max(a: Readonly<ResourceAmounts>, b: Readonly<ResourceAmounts>): ResourceAmounts {
  const out: ResourceAmounts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** a * n, per resource. */
export function scale(a: Readonly<ResourceAmounts>, n: number): ResourceAmounts {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v * n]));
}

/** A container's effective requests and limits after defaulting. */
export interface ContainerResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
  /** True for an init container with `restartPolicy: Always` (a sidecar). */
  readonly restartable: boolean;
}

/** LimitRange defaults for containers of a namespace (after the API server's LimitRange defaulting). */
export interface LimitRangeDefaults {
  readonly defaultLimits: ResourceAmounts;
  readonly defaultRequests: ResourceAmounts;
}

/**
 * The requests and limits a container ends up with once admitted: the API server copies a limit
 * into a missing request; the LimitRanger admission adds the namespace's default limit and
 * default request for resources the container leaves unset.
 */
export function containerResources(container: Record<string, unknown>, field: string, defaults?: LimitRangeDefaults, restartable = false): ContainerResources {
  const resources = (container.resources ?? {}) as Record<string, unknown>;
  const requests = parseResourceList(resources.requests, `${field}.resources.requests`);
  const limits = parseResourceList(resources.limits, `${field}.resources.limits`);
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  if (defaults) {
    for (const [k, v] of Object.entries(defaults.defaultLimits)) {
      if (!(k in limits)) {
        limits[k] = v;
        if (!(k in requests)) requests[k] = defaults.defaultRequests[k] ?? v;
      }
    }
    for (const [k, v] of Object.entries(defaults.defaultRequests)) if (!(k in requests)) requests[k] = v;
  }
  return { requests, limits, restartable };
}

/** The containers and init containers of a pod spec with their effective resources. */
export function podContainers(spec: Record<string, unknown>, field: string, defaults?: LimitRangeDefaults): { containers: ContainerResources[]; initContainers: ContainerResources[] } {
  const list = (key: string): Record<string, unknown>[] => {
    const value = spec[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new ResourceValueError(`${field}.${key}`, value);
    return value as Record<string, unknown>[];
  };
  return {
    containers: list('containers').map((c, i) => containerResources(c, `${field}.containers[${i}]`, defaults)),
    initContainers: list('initContainers').map((c, i) => containerResources(c, `${field}.initContainers[${i}]`, defaults, c.restartPolicy === 'Always')),
  };
}

/**
 * Aggregates per-container amounts the way the scheduler does: containers plus sidecars summed,
 * max with each regular init container (plus the sidecars started before it), plus overhead.
 * `pick` selects requests or limits; `nonZero` applies the scoring defaults to missing CPU/memory.
 */
export function aggregate(
  pod: { containers: ContainerResources[]; initContainers: ContainerResources[] },
  pick: 'requests' | 'limits',
  overhead: Readonly<ResourceAmounts> = {},
  nonZero = false,
): ResourceAmounts {
  const of = (c: ContainerResources): ResourceAmounts => {
    const amounts = c[pick];
    if (!nonZero) return amounts;
    return { ...amounts, cpu: amounts.cpu || NON_ZERO_DEFAULTS.cpu, memory: amounts.memory || NON_ZERO_DEFAULTS.memory };
  };
  let total: ResourceAmounts = {};
  for (const c of pod.containers) total = add(total, of(c));
  let sidecars: ResourceAmounts = {};
  let init: ResourceAmounts = {};
  for (const c of pod.initContainers) {
    if (c.restartable) {
      total = add(total, of(c));
      sidecars = add(sidecars, of(c));
      init = max(init, sidecars);
    } else {
      init = max(init, add(of(c), sidecars));
    }
  }
  return add(max(total, init), overhead);
}

/** GPUs in a resource vector. */
export function gpusOf(resources: Readonly<ResourceAmounts>): number {
  return resources[GPU_RESOURCE] ?? 0;
}
