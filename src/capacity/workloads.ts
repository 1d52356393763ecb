/**
 * Turns the objects of a rendered tree into groups of identical pods at their maximum (and
 * minimum) scale, with each pod's effective requests and limits as the scheduler and the quota
 * admission see them.
 */
import type { ManifestObject, SourceDocument } from '../policy/loader.js';
import { podTemplateOf } from '../policy/object-index.js';
import type { KubeObject } from '../policy/types.js';
import {
  aggregate, LimitRangeDefaults, max as maxOf, parseResourceList, podContainers, ResourceAmounts, ResourceValueError,
} from './resources.js';

/** Input to the planner: parsed objects, optionally with the file they came from. */
export type PlanInput = KubeObject | ManifestObject;

/** Bad input in a manifest: the message names the file, the object and the field. */
export class PlanInputError extends Error {
  constructor(public readonly file: string, public readonly object: string, public readonly field: string, reason: string, public readonly source?: ManifestObject) {
    super(`${file}: ${object}: ${field}: ${reason}`);
    this.name = 'PlanInputError';
  }
}

/** Built-in PriorityClasses every cluster has (they are not in the tree). */
export const BUILT_IN_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

/** KEDA's defaults (keda.sh/v1alpha1 ScaledObject and ScaledJob). */
const KEDA_DEFAULT_MAX_REPLICAS = 100;
const KEDA_DEFAULT_MIN_REPLICAS = 0;
/** autoscaling/v2 HorizontalPodAutoscaler default minReplicas. */
const HPA_DEFAULT_MIN_REPLICAS = 1;

/** Identical pods of one workload. */
export interface PodGroup {
  /** The workload object and where it came from. */
  readonly object: ManifestObject;
  /** `Kind/namespace/name` of the workload. */
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  /** Pod labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod spec as rendered (for scheduling constraints). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Effective requests of one pod (what NodeResourcesFit and quotas count). */
  readonly requests: Readonly<ResourceAmounts>;
  /** Requests with the scheduler's non-zero CPU/memory defaults, for scoring only. */
  readonly nonZeroRequests: Readonly<ResourceAmounts>;
  /** Effective limits of one pod. */
  readonly limits: Readonly<ResourceAmounts>;
  /** Resources some container has no limit for (quotas on `limits.<resource>` reject such pods). */
  readonly unlimited: readonly string[];
  /** Pods at maximum scale (DaemonSets: 0, their pods are one per matching node). */
  readonly maxReplicas: number;
  /** Pods at minimum scale (autoscaler minimum, Jobs 0). */
  readonly minReplicas: number;
  /** The autoscaler that sets `maxReplicas`, e.g. `HorizontalPodAutoscaler/inference/vllm`. */
  readonly scaledBy?: string;
  /** True for a DaemonSet: one pod per node that its selector, affinity and tolerations admit. */
  readonly daemon: boolean;
  readonly priority: number;
  readonly priorityClassName?: string;
}

/** A ResourceQuota of the tree. */
export interface QuotaObject {
  readonly object: ManifestObject;
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly hard: Readonly<Record<string, unknown>>;
}

/** What the planner reads from a tree besides pods. */
export interface TreeFacts {
  readonly groups: PodGroup[];
  /** Namespace labels (with the automatic `kubernetes.io/metadata.name`), by namespace. */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** ResourceQuota objects. */
  readonly quotas: readonly QuotaObject[];
  /** Things the planner could not simulate, in words. */
  readonly warnings: string[];
  /** The objects, normalized with their sources. */
  readonly objects: readonly ManifestObject[];
}

const POD_WORKLOADS = new Set(['Pod', 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob']);

function syntheticSource(index: number): SourceDocument {
  return { file: '(input)', absolutePath: '', index, line: 1, text: '', textLine: 1 };
}

/** Normalizes planner input to objects with sources. */
export function asManifestObjects(inputs: readonly PlanInput[]): ManifestObject[] {
  return inputs.map((input, i) => ('object' in input && 'source' in input ? (input as ManifestObject) : { object: input as KubeObject, source: syntheticSource(i) }));
}

function describeObject(o: KubeObject): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function wholeNumber(entry: ManifestObject, value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new PlanInputError(entry.source.file, describeObject(entry.object), field, `must be a whole number >= 0, got ${JSON.stringify(value)}`, entry);
  }
  return value;
}

interface ScaleBound {
  readonly max: number;
  readonly min: number;
  readonly by: string;
}

/** Autoscaler bounds by `Kind/namespace/name` of their target. */
function autoscalers(objects: readonly ManifestObject[], warnings: string[]): Map<string, ScaleBound> {
  const bounds = new Map<string, ScaleBound>();
  const set = (target: string, bound: ScaleBound): void => {
    const existing = bounds.get(target);
    if (existing) {
      warnings.push(`${target} is scaled by both ${existing.by} and ${bound.by}; the larger maximum is used`);
      if (existing.max >= bound.max) return;
    }
    bounds.set(target, bound);
  };
  for (const entry of objects) {
    const o = entry.object;
    const ns = o.metadata.namespace ?? 'default';
    const spec = record(o.spec);
    if (o.kind === 'HorizontalPodAutoscaler') {
      const ref = record(spec.scaleTargetRef);
      const max = wholeNumber(entry, spec.maxReplicas, 'spec.maxReplicas', 1);
      const min = wholeNumber(entry, spec.minReplicas, 'spec.minReplicas', HPA_DEFAULT_MIN_REPLICAS);
      set(`${String(ref.kind)}/${ns}/${String(ref.name)}`, { max, min, by: `HorizontalPodAutoscaler/${ns}/${o.metadata.name}` });
    } else if (o.kind === 'ScaledObject' && o.apiVersion.startsWith('keda.sh/')) {
      const ref = record(spec.scaleTargetRef);
      const max = wholeNumber(entry, spec.maxReplicaCount, 'spec.maxReplicaCount', KEDA_DEFAULT_MAX_REPLICAS);
      const min = wholeNumber(entry, spec.minReplicaCount, 'spec.minReplicaCount', KEDA_DEFAULT_MIN_REPLICAS);
      set(`${String(ref.kind ?? 'Deployment')}/${ns}/${String(ref.name)}`, { max, min, by: `ScaledObject/${ns}/${o.metadata.name}` });
    }
  }
  return bounds;
}

/** Container defaults of each namespace from its LimitRanges (after the API server's defaulting). */
function limitRangeDefaults(objects: readonly ManifestObject[]): Map<string, LimitRangeDefaults> {
  const byNamespace = new Map<string, LimitRangeDefaults>();
  const ranges = objects.filter((e) => e.object.kind === 'LimitRange').sort((a, b) => (a.object.metadata.name < b.object.metadata.name ? -1 : 1));
  for (const entry of ranges) {
    const ns = entry.object.metadata.namespace ?? 'default';
    const limits = record(entry.object.spec).limits;
    for (const [i, item] of (Array.isArray(limits) ? limits : []).entries()) {
      const it = record(item);
      if (it.type !== 'Container') continue;
      const at = `spec.limits[${i}]`;
      const parse = (key: string): ResourceAmounts => {
        try {
          return parseResourceList(it[key], `${at}.${key}`);
        } catch (error) {
          throw new PlanInputError(entry.source.file, describeObject(entry.object), (error as ResourceValueError).field ?? at, (error as Error).message, entry);
        }
      };
      const defaultLimits = { ...parse('max'), ...parse('default') };
      const defaultRequests = { ...parse('min'), ...defaultLimits, ...parse('defaultRequest') };
      const existing = byNamespace.get(ns) ?? { defaultLimits: {}, defaultRequests: {} };
      // the first LimitRange to default a resource wins: later ones find it set
      byNamespace.set(ns, {
        defaultLimits: { ...defaultLimits, ...existing.defaultLimits },
        defaultRequests: { ...defaultRequests, ...existing.defaultRequests },
      });
    }
  }
  return byNamespace;
}

/**
 * Most pods at maximum scale the planner simulates in one tree (DaemonSet pods not counted). The
 * scheduler places pods one at a time, so its time and memory grow with the replicas: 10^6 pods
 * take about 2 s and 0.5 GB, and a typo such as `replicas: 100000000` would take minutes and tens
 * of GB. A real cluster holds far fewer (110 pods per node by default: 110,000 on 1,000 nodes).
 */
export const MAX_SIMULATED_PODS = 1_000_000;

/**
 * @throws PlanInputError naming the workload with the most replicas when the tree's pods at maximum
 *   scale exceed {@link MAX_SIMULATED_PODS}
 */
function refuseUnplannableScale(groups: readonly PodGroup[]): void {
  let total = 0;
  let largest: PodGroup | undefined;
  for (const g of groups) {
    if (g.daemon) continue;
    total += g.maxReplicas;
    if (!largest || g.maxReplicas > largest.maxReplicas) largest = g;
  }
  if (total <= MAX_SIMULATED_PODS || !largest) return;
  const field = largest.scaledBy ? `maximum scale (${largest.scaledBy})` : largest.kind === 'Job' || largest.kind === 'CronJob' ? 'parallelism' : 'spec.replicas';
  throw new PlanInputError(largest.file, largest.id, field, `${largest.maxReplicas} pods at maximum scale, ${total} in the tree: more than the ${MAX_SIMULATED_PODS} pods the planner simulates (a cluster runs at most 110 pods per node by default); is the number a typo?`, largest.object);
}

/**
 * Reads pod groups, namespaces and quotas from the objects of a tree.
 * @throws PlanInputError naming the file, object and field for malformed quantities or counts
 */
export function readTree(inputs: readonly PlanInput[]): TreeFacts {
  const objects = asManifestObjects(inputs);
  const warnings: string[] = [];
  const scale = autoscalers(objects, warnings);
  const defaults = limitRangeDefaults(objects);
  const priorityClasses = new Map<string, number>(Object.entries(BUILT_IN_PRIORITY_CLASSES));
  let globalDefaultPriority = 0;
  const runtimeOverhead = new Map<string, ResourceAmounts>();
  const namespaceLabels = new Map<string, Record<string, string>>();
  const quotas: QuotaObject[] = [];

  for (const entry of objects) {
    const o = entry.object;
    if (o.kind === 'PriorityClass') {
      const value = (o as unknown as { value?: unknown }).value;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new PlanInputError(entry.source.file, describeObject(o), 'value', `must be an integer, got ${JSON.stringify(value)}`, entry);
      priorityClasses.set(o.metadata.name, value);
      if ((o as unknown as { globalDefault?: unknown }).globalDefault === true) globalDefaultPriority = value;
    } else if (o.kind === 'RuntimeClass') {
      try {
        runtimeOverhead.set(o.metadata.name, parseResourceList(record(record(o).overhead).podFixed, 'overhead.podFixed'));
      } catch (error) {
        throw new PlanInputError(entry.source.file, describeObject(o), (error as ResourceValueError).field, (error as Error).message, entry);
      }
    } else if (o.kind === 'Namespace') {
      namespaceLabels.set(o.metadata.name, { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name });
    } else if (o.kind === 'ResourceQuota') {
      const spec = record(o.spec);
      if (spec.scopes !== undefined || spec.scopeSelector !== undefined) {
        warnings.push(`ResourceQuota ${o.metadata.namespace ?? 'default'}/${o.metadata.name}: scopes are not evaluated; every pod of the namespace is counted against it`);
      }
      quotas.push({ object: entry, namespace: o.metadata.namespace ?? 'default', name: o.metadata.name, file: entry.source.file, hard: record(spec.hard) });
    } else if (o.kind === 'HelmRelease') {
      warnings.push(`HelmRelease ${o.metadata.namespace ?? 'default'}/${o.metadata.name}: the pods its chart creates are not in the tree and are not simulated; keep node reservations large enough for them`);
    }
  }

  const groups: PodGroup[] = [];
  for (const entry of objects) {
    const o = entry.object;
    if (!POD_WORKLOADS.has(o.kind)) continue;
    const template = podTemplateOf(entry);
    if (!template) throw new PlanInputError(entry.source.file, describeObject(o), 'spec', 'has no pod template spec', entry);
    const ns = template.namespace;
    const id = `${o.kind}/${ns}/${o.metadata.name}`;
    const spec = template.spec;
    const specField = template.specPath.slice(1).replace(/\//g, '.') || 'spec';
    let requests: ResourceAmounts;
    let nonZeroRequests: ResourceAmounts;
    let limits: ResourceAmounts;
    let unlimited: string[];
    try {
      const pod = podContainers(spec, specField, defaults.get(ns));
      let overhead = parseResourceList(spec.overhead, `${specField}.overhead`);
      const runtimeClass = typeof spec.runtimeClassName === 'string' ? spec.runtimeClassName : undefined;
      if (runtimeClass && runtimeOverhead.has(runtimeClass)) overhead = maxOf(overhead, runtimeOverhead.get(runtimeClass)!);
      requests = aggregate(pod, 'requests', overhead);
      nonZeroRequests = aggregate(pod, 'requests', overhead, true);
      limits = aggregate(pod, 'limits', overhead);
      const all = [...pod.containers, ...pod.initContainers];
      unlimited = [...new Set(all.flatMap((c) => Object.keys(c.requests)).concat(['cpu', 'memory']))]
        .filter((r) => all.some((c) => !(r in c.limits))).sort();
    } catch (error) {
      if (error instanceof ResourceValueError) throw new PlanInputError(entry.source.file, describeObject(o), error.field, error.message.slice(error.field.length + 2), entry);
      throw error;
    }
    if (typeof spec.nodeName === 'string') warnings.push(`${id}: spec.nodeName '${spec.nodeName}' bypasses the scheduler; the plan places its pods like any other`);
    const priorityClassName = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : undefined;
    let priority = globalDefaultPriority;
    if (priorityClassName !== undefined) {
      const value = priorityClasses.get(priorityClassName);
      if (value === undefined) warnings.push(`${id}: PriorityClass '${priorityClassName}' is not in the tree; the API server rejects its pods unless the class exists in the cluster (simulated at priority 0)`);
      priority = value ?? 0;
    }
    const s = record(o.spec);
    let maxReplicas = 0;
    let minReplicas = 0;
    let scaledBy: string | undefined;
    switch (o.kind) {
      case 'Pod':
        maxReplicas = minReplicas = 1;
        break;
      case 'Job': {
        const parallelism = wholeNumber(entry, s.parallelism, 'spec.parallelism', 1);
        const completions = s.completions === undefined || s.completions === null ? parallelism : wholeNumber(entry, s.completions, 'spec.completions', 1);
        // a suspended Job runs no pods
        maxReplicas = s.suspend === true ? 0 : Math.min(parallelism, completions);
        break;
      }
      case 'CronJob': {
        const job = record(record(s.jobTemplate).spec);
        const parallelism = wholeNumber(entry, job.parallelism, 'spec.jobTemplate.spec.parallelism', 1);
        const completions = job.completions === undefined || job.completions === null ? parallelism : wholeNumber(entry, job.completions, 'spec.jobTemplate.spec.completions', 1);
        // a suspended CronJob starts no Jobs
        maxReplicas = s.suspend === true ? 0 : Math.min(parallelism, completions);
        break;
      }
      case 'DaemonSet':
        break;
      default: {
        const replicas = wholeNumber(entry, s.replicas, 'spec.replicas', 1);
        const bound = scale.get(id);
        maxReplicas = bound ? bound.max : replicas;
        minReplicas = bound ? Math.min(bound.min, bound.max) : replicas;
        scaledBy = bound?.by;
      }
    }
    groups.push({
      object: entry, id, kind: o.kind, namespace: ns, name: o.metadata.name, file: entry.source.file, labels: template.labels, spec,
      requests, nonZeroRequests, limits, unlimited, maxReplicas, minReplicas, scaledBy, daemon: o.kind === 'DaemonSet', priority, priorityClassName,
    });
  }
  refuseUnplannableScale(groups);
  for (const entry of objects) {
    const o = entry.object;
    if (o.kind !== 'ScaledJob' || !o.apiVersion.startsWith('keda.sh/')) continue;
    warnings.push(`ScaledJob ${o.metadata.namespace ?? 'default'}/${o.metadata.name}: KEDA creates up to spec.maxReplicaCount Jobs; they are not simulated`);
  }
  for (const target of scale.keys()) {
    if (!groups.some((g) => g.id === target)) warnings.push(`autoscaler target ${target} is not in the tree`);
  }
  return { groups, namespaceLabels, quotas, warnings, objects };
}
