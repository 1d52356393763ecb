import type { ManifestObject } from '../loader.js';
import { mapSelector, specOf, type ObjectIndex, type PodTemplate } from '../object-index.js';
import type { LabelSelector } from '../selectors.js';

/** An HPA or KEDA ScaledObject and the bounds it scales between. */
export interface Autoscaler {
  readonly object: ManifestObject;
  readonly targetKind: string;
  readonly targetName: string;
  readonly namespace: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** Kinds with `spec.replicas`. */
export const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);


/** Every HPA and ScaledObject (defaults: HPA min 1; KEDA min 0, max 100, target kind Deployment). */
export function autoscalers(index: ObjectIndex): Autoscaler[] {
  const out: Autoscaler[] = [];
  for (const hpa of index.ofKind('HorizontalPodAutoscaler')) {
    const s = specOf(hpa);
    const ref = (s.scaleTargetRef ?? {}) as { kind?: string; name?: string };
    out.push({ object: hpa, targetKind: ref.kind ?? '', targetName: ref.name ?? '', namespace: hpa.object.metadata.namespace ?? '', minReplicas: num(s.minReplicas, 1), maxReplicas: num(s.maxReplicas, 1) });
  }
  for (const so of index.ofKind('ScaledObject')) {
    const s = specOf(so);
    const ref = (s.scaleTargetRef ?? {}) as { kind?: string; name?: string };
    out.push({ object: so, targetKind: ref.kind ?? 'Deployment', targetName: ref.name ?? '', namespace: so.object.metadata.namespace ?? '', minReplicas: num(s.minReplicaCount, 0), maxReplicas: num(s.maxReplicaCount, 100) });
  }
  return out;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Per-workload facts the reliability rules need, computed once per run. */
export class WorkloadFacts {
  private readonly scalers = new Map<ManifestObject, Autoscaler[]>();
  private readonly servedBy = new Map<ManifestObject, ManifestObject[]>();
  private readonly pdbsFor = new Map<ManifestObject, ManifestObject[]>();
  readonly autoscalers: Autoscaler[];

  constructor(readonly index: ObjectIndex) {
    this.autoscalers = autoscalers(index);
    for (const a of this.autoscalers) {
      const target = index.get(a.targetKind, a.namespace || undefined, a.targetName);
      if (target) push(this.scalers, target, a);
    }
    for (const service of index.ofKind('Service')) {
      const s = specOf(service);
      if (s.type === 'ExternalName') continue;
      const selector = mapSelector(s.selector);
      if (!selector || Object.keys(selector.matchLabels ?? {}).length === 0) continue;
      for (const t of index.selectPodTemplates(service.object.metadata.namespace ?? '', selector)) push(this.servedBy, t.owner, service);
    }
    for (const pdb of index.ofKind('PodDisruptionBudget')) {
      const selector = specOf(pdb).selector as LabelSelector | undefined;
      if (!selector) continue;
      for (const t of index.selectPodTemplates(pdb.object.metadata.namespace ?? '', selector)) push(this.pdbsFor, t.owner, pdb);
    }
  }

  /** Autoscalers targeting the workload. */
  autoscalersOf(workload: ManifestObject): Autoscaler[] {
    return this.scalers.get(workload) ?? [];
  }

  /** Services selecting the workload's pods. */
  servicesOf(workload: ManifestObject): ManifestObject[] {
    return this.servedBy.get(workload) ?? [];
  }

  /** PDBs selecting the workload's pods. */
  pdbsOf(workload: ManifestObject): ManifestObject[] {
    return this.pdbsFor.get(workload) ?? [];
  }

  /** Fewest replicas the workload runs with, and where that number comes from. */
  minReplicas(workload: ManifestObject): { count: number; from: string } {
    const scalers = this.autoscalersOf(workload);
    if (scalers.length > 0) {
      const a = scalers[0];
      return a.object.object.kind === 'ScaledObject'
        ? { count: a.minReplicas, from: `ScaledObject ${a.object.object.metadata.name} minReplicaCount` }
        : { count: a.minReplicas, from: `HorizontalPodAutoscaler ${a.object.object.metadata.name} minReplicas` };
    }
    if (workload.object.kind === 'Pod') return { count: 1, from: 'a bare Pod' };
    const replicas = specOf(workload).replicas;
    return typeof replicas === 'number' ? { count: replicas, from: 'spec.replicas' } : { count: 1, from: 'spec.replicas (unset, defaults to 1)' };
  }

  /** Most replicas the workload can run with. */
  maxReplicas(workload: ManifestObject): number {
    const scalers = this.autoscalersOf(workload);
    if (scalers.length > 0) return Math.max(...scalers.map((a) => a.maxReplicas));
    return this.minReplicas(workload).count;
  }

  /** Replicated workloads that a Service selects. */
  servedWorkloads(): PodTemplate[] {
    return this.index.podTemplates().filter((t) => REPLICATED_KINDS.has(t.owner.object.kind) && this.servicesOf(t.owner).length > 0);
  }
}

let cached: { index: ObjectIndex; facts: WorkloadFacts } | undefined;

/** The facts for an index, computed once and shared by the rules of one run. */
export function workloadFacts(index: ObjectIndex): WorkloadFacts {
  if (cached?.index !== index) cached = { index, facts: new WorkloadFacts(index) };
  return cached.facts;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
