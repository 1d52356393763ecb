import { tryParseQuantity } from '../core/quantity.js';
import { Manifest } from './model.js';
import { isRecord } from './paths.js';

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The pod spec of a workload object, if it has one. */
export function podSpecOf(manifest: Manifest | undefined): Record<string, unknown> | undefined {
  const path = manifest && POD_SPEC_PATHS[manifest.kind];
  if (!path) return undefined;
  const spec = path.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), manifest);
  return isRecord(spec) ? spec : undefined;
}

/** Containers and init containers of a pod spec, by name. */
export function containersOf(podSpec: Record<string, unknown> | undefined): Map<string, Record<string, unknown>> {
  const result = new Map<string, Record<string, unknown>>();
  for (const field of ['initContainers', 'containers']) {
    const list = podSpec?.[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) if (isRecord(c) && typeof c.name === 'string') result.set(c.name, c);
  }
  return result;
}

/** Replica count of a workload (DaemonSets and Pods count as 1; a missing field means 1). */
export function replicasOf(manifest: Manifest | undefined): number {
  if (!manifest) return 0;
  if (manifest.kind === 'Deployment' || manifest.kind === 'StatefulSet' || manifest.kind === 'ReplicaSet') {
    const replicas = isRecord(manifest.spec) ? manifest.spec.replicas : undefined;
    return typeof replicas === 'number' ? replicas : 1;
  }
  if (manifest.kind === 'Job') {
    const parallelism = isRecord(manifest.spec) ? manifest.spec.parallelism : undefined;
    return typeof parallelism === 'number' ? parallelism : 1;
  }
  return 1;
}

/**
 * Sum of one resource over the pod's regular containers, from requests (falling back to limits,
 * which is how Kubernetes defaults requests of extended resources such as `nvidia.com/gpu`).
 */
export function podRequest(podSpec: Record<string, unknown> | undefined, resource: string): number {
  let total = 0;
  const list = podSpec?.containers;
  if (!Array.isArray(list)) return 0;
  for (const c of list) {
    const resources = isRecord(c) && isRecord(c.resources) ? c.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const limits = isRecord(resources.limits) ? resources.limits : {};
    total += tryParseQuantity(requests[resource] ?? limits[resource]) ?? 0;
  }
  return total;
}
