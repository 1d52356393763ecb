/**
 * Rolling-update simulation: at maximum scale, can each workload's rollout start? A Deployment
 * with `maxUnavailable: 0` must place its surge pods (maxSurge, default 25% rounded up) before it
 * removes an old pod, so they must fit both the namespace's ResourceQuota and the nodes (placed
 * by priority, so lower-priority pods yield as under preemption). With `maxUnavailable` > 0 old
 * pods go first and the rollout frees its own room; StatefulSets replace one pod at a time in
 * place (OrderedReady), and Recreate Deployments stop every old pod first: neither needs room.
 * Per workload only its own pods are placed again, on the maximum-scale placement of the rest.
 */
import type { ClusterModelDocument } from '../cluster/cluster-model-document.js';
import type { ManifestObject } from '../policy/loader.js';
import { formatAmount, podCounts } from './plan.js';
import { amountOf } from './resources.js';
import { replaceOn, type ReplacementOptions } from './drain.js';
import { nodesOf, schedule, type Simulation } from './scheduler.js';
import type { PodGroup, QuotaObject, TreeFacts } from './workloads.js';

/** Why a workload's rollout at maximum scale cannot start, or nothing when it can. */
export interface RolloutCheck {
  /** `Kind/namespace/name`. */
  readonly resource: string;
  readonly object: ManifestObject;
  /** Extra pods the rollout needs placed before an old one goes. */
  readonly surge: number;
  /** Quota or scheduler messages; empty when the rollout fits. */
  readonly problems: readonly string[];
}

function resolveIntOrPercent(value: unknown, replicas: number, roundUp: boolean, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const match = /^(\d+)%$/.exec(String(v));
  if (!match) return Number(v) || 0;
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Surge pods a workload's rollout must place first (0 when it can remove old pods first). */
export function rolloutSurge(group: PodGroup): number {
  if (group.kind !== 'Deployment' || group.daemon) return 0;
  const strategy = (group.object.object.spec as { strategy?: { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } } } | undefined)?.strategy;
  if (strategy?.type === 'Recreate') return 0;
  const replicas = group.maxReplicas;
  const surge = resolveIntOrPercent(strategy?.rollingUpdate?.maxSurge, replicas, true, '25%');
  const unavailable = resolveIntOrPercent(strategy?.rollingUpdate?.maxUnavailable, replicas, false, '25%');
  return unavailable > 0 ? 0 : surge;
}

const QUOTA_KEYS: Readonly<Record<string, { pick: 'requests' | 'limits'; resource: string }>> = { cpu: { pick: 'requests', resource: 'cpu' }, memory: { pick: 'requests', resource: 'memory' } };

/** One hard limit of a ResourceQuota that pods count against, read once. */
interface QuotaLimit {
  readonly quota: QuotaObject;
  readonly key: string;
  readonly hardValue: unknown;
  readonly hard: number;
  /** The resource the amounts are formatted as (`pods` for a pod count). */
  readonly resource: string;
  /** What one pod of a group uses of it. */
  readonly perPod: (g: PodGroup) => number;
  /** What the namespace's pods use of it at maximum scale. */
  readonly inUse: number;
}

/**
 * The limits of a quota that rollouts check (cpu, memory, requests.*, limits.*, pods; malformed
 * amounts are left to capacity-fit), with their use by `pods`, the namespace's groups and their
 * pod counts at maximum scale.
 */
function quotaLimits(quota: QuotaObject, pods: readonly PodGroup[], counts: ReadonlyMap<PodGroup, number>): QuotaLimit[] {
  const out: QuotaLimit[] = [];
  for (const [key, hardValue] of Object.entries(quota.hard)) {
    const spec = QUOTA_KEYS[key] ?? (key.startsWith('requests.') && key !== 'requests.storage' ? { pick: 'requests' as const, resource: key.slice(9) } : key.startsWith('limits.') ? { pick: 'limits' as const, resource: key.slice(7) } : key === 'pods' ? undefined : null);
    if (spec === null) continue;
    let hard: number;
    try {
      hard = amountOf(spec?.resource ?? 'pods', hardValue, `spec.hard.${key}`);
    } catch {
      continue; // capacity-fit reports malformed quotas
    }
    const perPod = spec ? (g: PodGroup) => g[spec.pick][spec.resource] ?? 0 : () => 1;
    const inUse = pods.reduce((sum, g) => sum + perPod(g) * (counts.get(g) ?? 0), 0);
    out.push({ quota, key, hardValue, hard, resource: spec?.resource ?? 'pods', perPod, inUse });
  }
  return out;
}

/**
 * Checks every workload's rollout at maximum scale against its namespace quota and the nodes.
 * `options.grouped: false` re-places the pods on fresh node copies, node by node (the reference).
 */
export function simulateRollouts(facts: TreeFacts, model: ClusterModelDocument, baseline?: Simulation, options: ReplacementOptions = {}): RolloutCheck[] {
  const base = baseline ?? schedule(facts.groups, nodesOf(model), facts.namespaceLabels);
  const limitsOf = new Map<string, QuotaLimit[]>();
  if (facts.quotas.length > 0) {
    const counts = podCounts(base);
    const byNamespace = new Map<string, PodGroup[]>();
    for (const g of facts.groups) {
      const list = byNamespace.get(g.namespace);
      if (list) list.push(g);
      else byNamespace.set(g.namespace, [g]);
    }
    for (const q of facts.quotas) limitsOf.set(q.namespace, [...(limitsOf.get(q.namespace) ?? []), ...quotaLimits(q, byNamespace.get(q.namespace) ?? [], counts)]);
  }
  const baseFailures = new Map<PodGroup, number>();
  for (const f of base.failures) baseFailures.set(f.pod.group, (baseFailures.get(f.pod.group) ?? 0) + 1);
  const checks: RolloutCheck[] = [];
  for (const group of facts.groups) {
    const surge = rolloutSurge(group);
    if (surge === 0) continue;
    const problems: string[] = [];
    for (const { quota, key, hardValue, hard, resource, perPod, inUse } of limitsOf.get(group.namespace) ?? []) {
      const need = inUse + perPod(group) * surge;
      if (perPod(group) > 0 && need > hard) {
        problems.push(`ResourceQuota ${quota.namespace}/${quota.name} ${key}=${String(hardValue)} is used up to ${formatAmount(resource, inUse)} at maximum scale and the rollout adds ${formatAmount(resource, perPod(group) * surge)} (${surge} surge pod(s))`);
      }
    }
    // The workload's own pods and its surge pods are placed again on the placed cluster, from
    // which pods of lower priority are removed (preemption would evict them for the surge pods).
    const rolled: PodGroup = { ...group, maxReplicas: group.maxReplicas + surge };
    const before = baseFailures.get(group) ?? 0;
    const failures = replaceOn(base, facts, options, [rolled], new Set([group]), group.priority);
    if (failures.length > before) problems.push(`its ${surge} surge pod(s) find no node: ${failures[0].message}`);
    checks.push({ resource: group.id, object: group.object, surge, problems });
  }
  return checks;
}
