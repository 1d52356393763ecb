import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { GPU_RESOURCE } from '../core/labels.js';
import { isQuantity, parseQuantity } from '../core/quantity.js';

/** A request and a limit for one resource, as Kubernetes quantity strings (e.g. `500m`, `4Gi`). */
export interface ResourceRange {
  /** The amount the scheduler reserves. */
  readonly request: string;
  /**
   * The hard cap.
   * @default - equal to the request (Guaranteed QoS for this resource)
   */
  readonly limit?: string;
}

/** Compute resources of a container. GPUs are whole devices, requested and limited equally. */
export interface ComputeResources {
  /** CPU, e.g. `{ request: '6' }` or `{ request: '250m', limit: '1' }`. */
  readonly cpu: ResourceRange;
  /** Memory, e.g. `{ request: '24Gi' }`. */
  readonly memory: ResourceRange;
  /**
   * Ephemeral storage for logs and the writable layer.
   * @default { request: '1Gi', limit: '4Gi' }
   */
  readonly ephemeralStorage?: ResourceRange;
  /**
   * Whole NVIDIA GPUs (`nvidia.com/gpu`), rendered as the same integer string in requests and limits.
   * @default 0 - no GPU
   */
  readonly gpus?: number;
}

/** Default ephemeral storage for every container. */
export const DEFAULT_EPHEMERAL_STORAGE: ResourceRange = { request: '1Gi', limit: '4Gi' };

/**
 * Validates compute resources and renders them as an L1 `ResourceRequirements` with typed
 * quantities (never a JSON patch, which renders extended resources as `null`).
 */
export function renderResources(scope: IConstruct, prop: string, resources: ComputeResources): k8s.ResourceRequirements {
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  const entries: Array<[string, ResourceRange | undefined]> = [
    ['cpu', resources.cpu],
    ['memory', resources.memory],
    ['ephemeral-storage', resources.ephemeralStorage ?? DEFAULT_EPHEMERAL_STORAGE],
  ];
  for (const [name, range] of entries) {
    const field = name === 'ephemeral-storage' ? 'ephemeralStorage' : name;
    if (!range) throw new InvalidPropError(scope, `${prop}.${field}`, range, 'is required: give a request (and optionally a limit)');
    if (!isQuantity(range.request)) {
      throw new InvalidPropError(scope, `${prop}.${field}.request`, range.request, "must be a Kubernetes quantity such as '500m', '2', '512Mi' or '4Gi'");
    }
    const limit = range.limit ?? range.request;
    if (!isQuantity(limit)) {
      throw new InvalidPropError(scope, `${prop}.${field}.limit`, limit, "must be a Kubernetes quantity such as '500m', '2', '512Mi' or '4Gi'");
    }
    if (parseQuantity(range.request) <= 0) {
      throw new InvalidPropError(scope, `${prop}.${field}.request`, range.request, 'must be greater than zero');
    }
    if (parseQuantity(limit) < parseQuantity(range.request)) {
      throw new InvalidPropError(scope, `${prop}.${field}.limit`, limit, `must be at least the request (${range.request})`);
    }
    requests[name] = k8s.Quantity.fromString(range.request);
    limits[name] = k8s.Quantity.fromString(limit);
  }
  const gpus = resources.gpus ?? 0;
  if (!Number.isInteger(gpus) || gpus < 0 || gpus > 8) {
    throw new InvalidPropError(scope, `${prop}.gpus`, gpus, 'must be a whole number of GPUs from 0 to 8 (a Lambda node has at most 8)');
  }
  if (gpus > 0) {
    requests[GPU_RESOURCE] = k8s.Quantity.fromString(String(gpus));
    limits[GPU_RESOURCE] = k8s.Quantity.fromString(String(gpus));
  }
  return { requests, limits };
}
