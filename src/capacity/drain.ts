/**
 * Node drain simulation: for each node of the cluster model, cordon it, evict its pods and ask
 * whether the scheduler finds a place for every evicted pod on the remaining nodes. A workload
 * behind a PodDisruptionBudget whose evicted pods find no place makes `kubectl drain` wait
 * forever (the replacement stays Pending, the budget refuses the next eviction). Uses the
 * planner's public scheduler (`schedule`, `nodesOf`) on the same pod groups as `plan`.
 */
import type { ClusterModelDocument } from '../cluster/cluster-model-document.js';
import type { ManifestObject } from '../policy/loader.js';
import { selectorMatches, type LabelSelector } from '../policy/selectors.js';
import { GroupLabelIndex } from './group-label-index.js';
import { disruptionsAllowed, nodeLocalClaims } from './node-local-claims.js';
import { nodesOf, schedule, type SchedulingFailure, type SimNode, type Simulation } from './scheduler.js';
import { requestsOf, whatIfOf } from './what-if.js';
import type { PodGroup, TreeFacts } from './workloads.js';

/** Pods of one workload that lose their place when a node is drained (lower-priority pods that preemption would displace are not listed). */
export interface StrandedWorkload {
  /** `Kind/namespace/name`. */
  readonly resource: string;
  /** Pods of the workload that were on the drained node. */
  readonly evicted: number;
  /** Pods of the workload with no place after the drain (evicted ones, or lower-priority pods they displace). */
  readonly unplaced: number;
  /** `namespace/name` of the PodDisruptionBudget protecting it, if any: then the drain hangs. */
  readonly pdb?: string;
  /** kube-scheduler's message for the first unplaced pod (or why the pods are bound to the drained node). */
  readonly reason: string;
  /** The workload object. */
  readonly object: ManifestObject;
  /**
   * Its claims on node-local volumes, when that is why its evicted pods stay: they wait for the
   * drained node to return instead of moving.
   */
  readonly nodeLocalClaims?: readonly string[];
  /**
   * True when the PodDisruptionBudget refuses an eviction of this drain, so the drain never
   * finishes: for pods that could move, any stranded pod behind a budget (its replacement never
   * becomes ready); for pods bound to the node by node-local volumes, more evictions from the
   * node than the budget allows at once.
   */
  readonly hangs: boolean;
}

/** The outcome of draining one node. */
export interface NodeDrain {
  readonly node: string;
  readonly pool: string;
  /** Pods evicted (DaemonSet pods are not: drain ignores them). */
  readonly evicted: number;
  readonly stranded: readonly StrandedWorkload[];
  /** True when a PDB-protected workload with pods on the node is stranded: the drain never finishes. */
  readonly hangs: boolean;
}

/** PDBs of the tree by the groups they protect (the first budget in tree order that selects a group). */
function pdbsByGroup(facts: TreeFacts): Map<PodGroup, ManifestObject> {
  const out = new Map<PodGroup, ManifestObject>();
  const index = GroupLabelIndex.of(facts.groups);
  for (const pdb of facts.objects) {
    if (pdb.object.kind !== 'PodDisruptionBudget') continue;
    const selector = (pdb.object.spec as { selector?: LabelSelector } | undefined)?.selector;
    if (!selector) continue;
    const namespace = pdb.object.metadata.namespace ?? '';
    for (const g of index.candidates(selector)) {
      if (g.namespace === namespace && !out.has(g) && selectorMatches(selector, g.labels)) out.set(g, pdb);
    }
  }
  return out;
}

function failuresByGroup(failures: readonly SchedulingFailure[]): Map<PodGroup, { count: number; reason: string }> {
  const out = new Map<PodGroup, { count: number; reason: string }>();
  for (const f of failures) {
    const entry = out.get(f.pod.group);
    if (entry) entry.count += 1;
    else out.set(f.pod.group, { count: 1, reason: f.message });
  }
  return out;
}

/**
 * Copies of the placed nodes (without `drained`, when given) carrying the load that stays put:
 * every pod except those of `moving` groups (the caller places them again) and those of priority
 * below `victimsBelow` (preemption would evict them for the moving pods); DaemonSet pods stay.
 * The reference the what-if cluster (what-if.ts) is checked against.
 */
export function nodesKeeping(base: Simulation, drained: SimNode | undefined, moving: ReadonlySet<PodGroup>, victimsBelow: number): SimNode[] {
  return base.nodes.filter((n) => n !== drained).map((n) => {
    const pods = n.pods.filter((p) => !moving.has(p.group) && (p.group.daemon || p.group.priority >= victimsBelow));
    return { ...n, ...requestsOf(pods), pods };
  });
}

/** Options of {@link simulateDrains} and `simulateRollouts`. */
export interface ReplacementOptions {
  /**
   * Re-place pods on one shared copy of the placement, evaluated per node class, undone after each
   * drain. `false` runs the per-node reference: fresh copies of every node for each drain,
   * scheduled node by node. Both give the same verdicts and messages.
   * @default true
   */
  readonly grouped?: boolean;
}

/** Failures of placing `groups` again with `moving` groups' pods, victims below `victimsBelow` and `drained` taken off. */
export function replaceOn(base: Simulation, facts: TreeFacts, options: ReplacementOptions, groups: readonly PodGroup[], moving: ReadonlySet<PodGroup>, victimsBelow: number, drained?: SimNode): readonly SchedulingFailure[] {
  if (options.grouped === false) return schedule(groups, nodesKeeping(base, drained, moving, victimsBelow), facts.namespaceLabels, { grouped: false }).failures;
  return whatIfOf(base, facts).replace(groups, moving, victimsBelow, drained);
}

/**
 * Drains each node of the model in turn from the maximum-scale placement `baseline` (or a fresh
 * one) and reports, per node, the workloads whose pods find no place elsewhere. Pods with claims
 * on node-local volumes ({@link nodeLocalClaims}) do not move: they are reported as waiting for
 * the node, and hang the drain only when the node holds more of them than their budget lets go. Per drain, the
 * workloads with pods on the node are placed again (all their replicas, so required
 * anti-affinity among them and spreading still hold) on the remaining nodes, whose other pods stay
 * where they are, except pods of lower priority than every evicted workload, which preemption
 * would remove. Scheduling constraints between a moving pod and the pods that stay put (pod
 * affinity across workloads) are not re-checked.
 */
export function simulateDrains(facts: TreeFacts, model: ClusterModelDocument, baseline?: Simulation, options: ReplacementOptions = {}): NodeDrain[] {
  const base = baseline ?? schedule(facts.groups, nodesOf(model), facts.namespaceLabels);
  const baseFailures = failuresByGroup(base.failures);
  // the budgets are looked up only for workloads a drain strands (none, on a cluster with room)
  let budgets: Map<PodGroup, ManifestObject> | undefined;
  const pdbOf = (group: PodGroup): ManifestObject | undefined => (budgets ??= pdbsByGroup(facts)).get(group);
  const pinned = nodeLocalClaims(facts, model);
  const pdbName = (group: PodGroup) => {
    const pdb = pdbOf(group);
    return pdb ? { pdb: `${pdb.object.metadata.namespace ?? ''}/${pdb.object.metadata.name}` } : {};
  };
  const drains: NodeDrain[] = [];
  for (const node of base.nodes) {
    const evictedByGroup = new Map<PodGroup, number>();
    let evictedPods = 0;
    for (const pod of node.pods) {
      if (pod.group.daemon) continue;
      evictedByGroup.set(pod.group, (evictedByGroup.get(pod.group) ?? 0) + 1);
      evictedPods++;
    }
    if (evictedPods === 0) {
      drains.push({ node: node.name, pool: node.pool, evicted: 0, stranded: [], hangs: false });
      continue;
    }
    const stranded: StrandedWorkload[] = [];
    const moving: PodGroup[] = [];
    let lowest = Infinity;
    for (const [group, evicted] of evictedByGroup) {
      const claims = pinned.get(group);
      if (!claims) {
        moving.push(group);
        lowest = Math.min(lowest, group.priority);
        continue;
      }
      // pods bound to this node by node-local volumes cannot move: they wait for the node, and
      // the drain finishes as long as the budget lets all of them go at once
      const pdb = pdbOf(group);
      const hangs = pdb !== undefined && evicted > disruptionsAllowed(pdb, group.maxReplicas);
      stranded.push({
        resource: group.id, evicted, unplaced: evicted, object: group.object, nodeLocalClaims: claims, hangs,
        reason: `bound to ${node.name} by node-local ${claims.join(', ')}; ${evicted === 1 ? 'it waits' : 'they wait'} for the node to return (a node gone for good needs the claims deleted)`,
        ...pdbName(group),
      });
    }
    if (moving.length > 0) {
      const failures = replaceOn(base, facts, options, moving, new Set(moving), lowest, node);
      for (const [group, failure] of failures.length === 0 ? [] : failuresByGroup(failures)) {
        const lost = failure.count - (baseFailures.get(group)?.count ?? 0);
        if (lost <= 0) continue;
        const evicted = evictedByGroup.get(group) ?? 0;
        stranded.push({
          resource: group.id, evicted, unplaced: lost, reason: failure.reason, object: group.object, hangs: pdbOf(group) !== undefined && evicted > 0, ...pdbName(group),
        });
      }
    }
    drains.push({ node: node.name, pool: node.pool, evicted: evictedPods, stranded, hangs: stranded.some((s) => s.hangs) });
  }
  return drains;
}
