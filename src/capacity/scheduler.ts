/**
 * A small kube-scheduler: the default profile's Filter plugins that matter for a fit check, in the
 * default order (TaintToleration, NodeAffinity, NodeResourcesFit, PodTopologySpread for
 * DoNotSchedule constraints, InterPodAffinity; the first failing plugin decides a node's reason,
 * as in the framework), then the default Score plugins
 * for resources (NodeResourcesFit LeastAllocated over cpu and memory with weight 1 each, and
 * NodeResourcesBalancedAllocation), highest total wins, ties broken by node order (the real
 * scheduler picks a random one among ties). Pods are placed in PrioritySort order: higher
 * priority first, then tree order. Reasons and the "0/N nodes are available" message use the
 * scheduler's own words (pkg/scheduler/framework/plugins/*, FitError.Error in Kubernetes 1.28).
 */
import { GPU_RESOURCE, NodeLabels } from '../core/labels.js';
import { selectorMatches, type LabelSelector } from '../policy/selectors.js';
import { bytesOf, cpuMillis, type ClusterModelDocument, type NodeTaint } from '../cluster/cluster-model-document.js';
import { add, type ResourceAmounts } from './resources.js';
import { hardSpreadConstraints, preFilterSpread, spreadFilter, type SpreadState } from './topology-spread.js';
import type { PodGroup } from './workloads.js';
import { GroupLabelIndex } from './group-label-index.js';
import { NodeClasses, type NodeClass } from './node-classes.js';

/** A node of the simulated cluster. */
export interface SimNode {
  readonly name: string;
  readonly pool: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  /** Allocatable (cpu millicores, memory bytes, ephemeral-storage bytes when known, GPUs, pods). */
  readonly allocatable: Readonly<ResourceAmounts>;
  requested: ResourceAmounts;
  nonZeroRequested: ResourceAmounts;
  readonly pods: SimPod[];
}

/** One pod of a group. */
export interface SimPod {
  readonly group: PodGroup;
  /** `<workload name>-<index>` or, for DaemonSet pods, `<name>-<node>`. */
  readonly name: string;
  /** DaemonSet pods are pinned to their node (matchFields metadata.name). */
  readonly pinnedNode?: string;
}

/** A pod that could not be placed and why, in the scheduler's words. */
export interface SchedulingFailure {
  readonly pod: SimPod;
  readonly message: string;
}

/** Outcome of a simulation. */
export interface Simulation {
  readonly nodes: readonly SimNode[];
  readonly placed: readonly { readonly pod: SimPod; readonly node: SimNode }[];
  readonly failures: readonly SchedulingFailure[];
}

// Reasons, verbatim from the plugins.
const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const REASON_TOO_MANY_PODS = 'Too many pods';
const MAX_NODE_SCORE = 100;

/** Builds the nodes of a cluster model: `<pool>-<i>` with the pool's labels plus hostname. */
export function nodesOf(model: ClusterModelDocument): SimNode[] {
  const nodes: SimNode[] = [];
  for (const pool of model.pools) {
    const allocatable: ResourceAmounts = {
      cpu: cpuMillis(pool.allocatable.cpu),
      memory: bytesOf(pool.allocatable.memory),
      [GPU_RESOURCE]: Number(pool.allocatable[GPU_RESOURCE]),
      pods: Number(pool.allocatable.pods),
    };
    if (pool.allocatable['ephemeral-storage'] !== undefined) allocatable['ephemeral-storage'] = bytesOf(pool.allocatable['ephemeral-storage']);
    for (let i = 0; i < pool.nodes; i++) {
      const name = `${pool.name}-${i}`;
      nodes.push({
        name, pool: pool.name, labels: { ...pool.labels, [NodeLabels.hostname]: name }, taints: pool.taints,
        allocatable, requested: {}, nonZeroRequested: {}, pods: [],
      });
    }
  }
  return nodes;
}

// ---------------------------------------------------------------- pod constraints

interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

interface PodAffinityTerm {
  readonly labelSelector?: LabelSelector | null;
  readonly namespaces?: readonly string[];
  readonly namespaceSelector?: LabelSelector | null;
  readonly topologyKey: string;
}

/** Scheduling constraints of a pod group, read once. */
interface Constraints {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly requiredTerms?: readonly NodeSelectorTerm[];
  readonly tolerations: readonly Toleration[];
  readonly affinityTerms: readonly PodAffinityTerm[];
  readonly antiAffinityTerms: readonly PodAffinityTerm[];
}

function constraintsOf(group: PodGroup): Constraints {
  const spec = group.spec as Record<string, any>;
  const affinity = spec.affinity ?? {};
  const required = affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    nodeSelector: spec.nodeSelector ?? {},
    requiredTerms: required ? (required.nodeSelectorTerms ?? []) : undefined,
    tolerations: spec.tolerations ?? [],
    affinityTerms: affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    antiAffinityTerms: affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
  };
}

// ---------------------------------------------------------------- TaintToleration

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: NodeTaint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator || 'Equal';
  if (operator === 'Exists') return true;
  if (operator === 'Equal') return (toleration.value ?? '') === (taint.value ?? '');
  return false;
}

/** The first NoSchedule/NoExecute taint no toleration tolerates (FindMatchingUntoleratedTaint). */
export function untoleratedTaint(taints: readonly NodeTaint[], tolerations: readonly Toleration[]): NodeTaint | undefined {
  return taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => toleratesTaint(tol, t)));
}

// ---------------------------------------------------------------- NodeAffinity

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      return req.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default: return false;
  }
}

/** A node selector term matches when all its expressions and fields match; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: SimNode): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  return expressions.every((r) => requirementMatches(r, node.labels[r.key]))
    && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.name));
}

/** nodeSelector and required node affinity (component-helpers RequiredNodeAffinity.Match). */
export function nodeAffinityMatches(c: Pick<Constraints, 'nodeSelector' | 'requiredTerms'>, node: SimNode): boolean {
  for (const [key, value] of Object.entries(c.nodeSelector)) if (node.labels[key] !== value) return false;
  if (c.requiredTerms === undefined) return true;
  return c.requiredTerms.some((term) => termMatches(term, node));
}

/** The node selector or required node affinity looks at the hostname label or the node name (then its verdict is per node, not per pool). */
function nodeAffinityNamesNode(c: Pick<Constraints, 'nodeSelector' | 'requiredTerms'>): boolean {
  if (Object.prototype.hasOwnProperty.call(c.nodeSelector, NodeLabels.hostname)) return true;
  for (const term of c.requiredTerms ?? []) {
    if ((term.matchFields ?? []).length > 0) return true;
    if ((term.matchExpressions ?? []).some((e) => e.key === NodeLabels.hostname)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- NodeResourcesFit

const FIT_ORDER = ['cpu', 'memory', 'ephemeral-storage'];

/** The resources NodeResourcesFit checks for a pod, in its order: cpu, memory, ephemeral-storage, then scalar resources. */
function resourcesToCheck(requests: Readonly<ResourceAmounts>): string[] {
  const scalar = Object.keys(requests).filter((r) => !FIT_ORDER.includes(r) && r !== 'pods').sort();
  return [...FIT_ORDER, ...scalar].filter((r) => (requests[r] ?? 0) > 0);
}

const NONE: readonly string[] = [];

/** The insufficient resources of a node for a pod, in the plugin's order and words. */
function insufficientResources(requests: Readonly<ResourceAmounts>, checked: readonly string[], node: SimNode): readonly string[] {
  let reasons: string[] | undefined;
  if (node.pods.length + 1 > (node.allocatable.pods ?? Infinity)) reasons = [REASON_TOO_MANY_PODS];
  for (const resource of checked) {
    const allocatable = node.allocatable[resource];
    if (allocatable === undefined && resource === 'ephemeral-storage') continue; // local disk unknown: not modelled
    if (requests[resource] > (allocatable ?? 0) - (node.requested[resource] ?? 0)) (reasons ??= []).push(`Insufficient ${resource}`);
  }
  return reasons ?? NONE;
}

/** What a pod of a group needs from a node by the node alone; see {@link nodeAloneFilter}. */
export interface NodeAloneFilter {
  /**
   * How many pods of the group, placed one after another on `node` as it is now, `schedule`'s
   * TaintToleration, NodeAffinity and NodeResourcesFit filters would admit (0 when the first is
   * refused; at most 2^20).
   */
  podsFitting(node: SimNode): number;
  /** The group has required anti-affinity terms (all on the hostname). */
  readonly antiAffinity: boolean;
}

/** Most pods {@link NodeAloneFilter.podsFitting} counts on one node. */
const MOST_PODS_COUNTED = 2 ** 20;

/**
 * What {@link nodeAloneFilter} reads of a group, as a string: groups of the same shape get the
 * same filter (the labels, names and pod anti-affinity selectors of a group do not matter to it).
 */
export function nodeAloneShape(group: PodGroup): string {
  const c = constraintsOf(group);
  return JSON.stringify([group.daemon, group.requests, c.nodeSelector, c.requiredTerms ?? null, c.tolerations, c.affinityTerms.length, c.antiAffinityTerms.map((t) => t.topologyKey), hardSpreadConstraints(group).length]);
}

/**
 * The filters of `schedule` that look at a node alone, for a group whose pods depend on other
 * pods of the same run at most through required anti-affinity on the hostname (theirs or the
 * run's other groups'): no required pod affinity, no DoNotSchedule topology spread, no node
 * affinity on the hostname or node name, only hostname-keyed anti-affinity terms, not a
 * DaemonSet. Undefined for any other group. On a node that holds no pod of the run, such a pod is
 * admitted exactly when these filters admit it, provided no two nodes share a hostname and every
 * anti-affinity term of the run is hostname-keyed.
 */
export function nodeAloneFilter(group: PodGroup): NodeAloneFilter | undefined {
  if (group.daemon) return undefined;
  const c = constraintsOf(group);
  if (c.affinityTerms.length > 0 || hardSpreadConstraints(group).length > 0 || nodeAffinityNamesNode(c)) return undefined;
  if (c.antiAffinityTerms.some((t) => t.topologyKey !== NodeLabels.hostname)) return undefined;
  const checked = resourcesToCheck(group.requests);
  return {
    antiAffinity: c.antiAffinityTerms.length > 0,
    podsFitting(node) {
      if (untoleratedTaint(node.taints, c.tolerations) || !nodeAffinityMatches(c, node) || insufficientResources(group.requests, checked, node).length > 0) return 0;
      // the first pod fits; n pods fit when n times each request fits what is left (exact in
      // integers; with fractions only the first pod is counted)
      let fitting = Math.min(MOST_PODS_COUNTED, (node.allocatable.pods ?? Infinity) - node.pods.length);
      for (const resource of checked) {
        const allocatable = node.allocatable[resource];
        if (allocatable === undefined && resource === 'ephemeral-storage') continue;
        const left = (allocatable ?? 0) - (node.requested[resource] ?? 0);
        const request = group.requests[resource];
        fitting = Math.min(fitting, Number.isSafeInteger(left) && Number.isSafeInteger(request) ? Math.floor(left / request) : 1);
      }
      return Math.max(1, Math.floor(fitting));
    },
  };
}

// ---------------------------------------------------------------- InterPodAffinity

type NamespaceLabels = ReadonlyMap<string, Readonly<Record<string, string>>>;

function termSelectsPod(term: PodAffinityTerm, owner: PodGroup, candidate: PodGroup, namespaces: NamespaceLabels): boolean {
  if (!term.labelSelector) return false;
  const inNamespace = (() => {
    const listed = term.namespaces ?? [];
    if (listed.length === 0 && !term.namespaceSelector) return candidate.namespace === owner.namespace;
    if (listed.includes(candidate.namespace)) return true;
    if (!term.namespaceSelector) return false;
    const labels = namespaces.get(candidate.namespace) ?? { 'kubernetes.io/metadata.name': candidate.namespace };
    return selectorMatches(term.namespaceSelector, labels);
  })();
  return inNamespace && selectorMatches(term.labelSelector, candidate.labels);
}

// ---------------------------------------------------------------- the scheduler

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /**
   * Evaluate interchangeable nodes once per class (same pool, labels but the hostname, taints and
   * free resources) and find the groups an (anti-)affinity term selects through a label index.
   * `false` runs the node-by-node reference: every filter on every node, every term against every
   * group. Both give the same placements and messages.
   * @default true
   */
  readonly grouped?: boolean;
  /**
   * Nodes prepared once for many what-if runs on the same cluster (see `what-if.ts`): their
   * classes and name indexes, kept current by the caller, who may undo the placements.
   * @default - none: classes and indexes are built from `nodes` for this run
   */
  readonly prepared?: PreparedNodes;
}

/**
 * A cluster's nodes with their classes and name indexes, reused across runs. The classes must hold
 * exactly the `nodes` given to {@link schedule} and compare every resource the scheduled pods
 * request (they may compare more: a finer partition gives the same choices).
 */
export interface PreparedNodes {
  readonly classes: NodeClasses;
  /** Nodes by hostname label value and by name (may include nodes not in the run: they are skipped). */
  readonly byHostname: ReadonlyMap<string, readonly SimNode[]>;
  readonly byName: ReadonlyMap<string, readonly SimNode[]>;
  /** Called before a placement changes a node, so the caller can undo the run. */
  beforeChange(node: SimNode): void;
}

/** Nodes by hostname label value and by name. */
export function nodeNameIndexes(nodes: readonly SimNode[]): { byHostname: Map<string, SimNode[]>; byName: Map<string, SimNode[]> } {
  const byHostname = new Map<string, SimNode[]>();
  const byName = new Map<string, SimNode[]>();
  for (const node of nodes) {
    const host = node.labels[NodeLabels.hostname];
    if (host !== undefined) {
      const list = byHostname.get(host);
      if (list) list.push(node);
      else byHostname.set(host, [node]);
    }
    const named = byName.get(node.name);
    if (named) named.push(node);
    else byName.set(node.name, [node]);
  }
  return { byHostname, byName };
}

/** Simulates placing every pod of `groups` on `nodes`. Mutates and returns the nodes' state. */
export function schedule(groups: readonly PodGroup[], nodes: SimNode[], namespaces: NamespaceLabels = new Map(), options: ScheduleOptions = {}): Simulation {
  const grouped = options.grouped ?? true;
  const constraints = new Map(groups.map((g) => [g, constraintsOf(g)]));
  const ordered = groups.map((g, i) => ({ g, i })).sort((a, b) => b.g.priority - a.g.priority || a.i - b.i).map((x) => x.g);
  const placed: { pod: SimPod; node: SimNode }[] = [];
  const failures: SchedulingFailure[] = [];
  // InterPodAffinity works like the plugin's PreFilter: once per pod, it turns the placed pods into
  // sets of topology domains ("key=value") that the pod's affinity needs or its anti-affinity (or
  // an existing pod's) forbids; each node then only looks its labels up in those sets. Pods of a
  // group share labels, so which groups a term selects is computed once per group.
  const nodesOfGroup = new Map<PodGroup, SimNode[]>();
  const record = (pod: SimPod, node: SimNode): void => {
    const list = nodesOfGroup.get(pod.group);
    if (list) list.push(node);
    else nodesOfGroup.set(pod.group, [node]);
  };
  const domain = (key: string, node: SimNode): string | undefined => (node.labels[key] === undefined ? undefined : `${key}\u0000${node.labels[key]}`);
  const antiAffinityGroups = groups.filter((g) => constraints.get(g)!.antiAffinityTerms.length > 0);

  /** Which groups each term of a group relates to: computed once per group, since labels are per group. */
  interface AffinityTargets {
    /** Groups matching all the group's required affinity terms. */
    readonly affinity: readonly PodGroup[];
    /** The group matches all its own affinity terms. */
    readonly selfAffine: boolean;
    /** Per anti-affinity term of the group, the groups it selects. */
    readonly anti: readonly { readonly term: PodAffinityTerm; readonly groups: readonly PodGroup[] }[];
    /** Terms of other groups' anti-affinity that select this group. */
    readonly repelledBy: readonly { readonly term: PodAffinityTerm; readonly group: PodGroup }[];
  }
  // The groups a term can select: through the label index, or (reference) every group.
  const index = grouped ? GroupLabelIndex.of(groups) : undefined;
  const candidatesOf = (term: PodAffinityTerm): readonly PodGroup[] => (!term.labelSelector ? [] : index ? index.candidates(term.labelSelector) : groups);
  const selectedBy = (term: PodAffinityTerm, owner: PodGroup): PodGroup[] => candidatesOf(term).filter((g) => termSelectsPod(term, owner, g, namespaces));
  const antiTargets = new Map<PodGroup, AffinityTargets['anti']>();
  const antiOf = (group: PodGroup): AffinityTargets['anti'] => {
    let anti = antiTargets.get(group);
    if (!anti) antiTargets.set(group, (anti = constraints.get(group)!.antiAffinityTerms.map((term) => ({ term, groups: selectedBy(term, group) }))));
    return anti;
  };
  // Reverse of the anti-affinity targets, built once: which anti-affinity terms select a group.
  let repelled: Map<PodGroup, { term: PodAffinityTerm; group: PodGroup }[]> | undefined;
  const repelledByOf = (group: PodGroup): AffinityTargets['repelledBy'] => {
    if (!index) {
      return antiAffinityGroups.flatMap((g) => constraints.get(g)!.antiAffinityTerms.filter((term) => termSelectsPod(term, g, group, namespaces)).map((term) => ({ term, group: g })));
    }
    if (!repelled) {
      repelled = new Map();
      for (const owner of antiAffinityGroups) {
        for (const { term, groups: selected } of antiOf(owner)) {
          for (const g of selected) {
            const list = repelled.get(g);
            if (list) list.push({ term, group: owner });
            else repelled.set(g, [{ term, group: owner }]);
          }
        }
      }
    }
    return repelled.get(group) ?? [];
  };
  const targets = new Map<PodGroup, AffinityTargets>();
  const targetsOf = (group: PodGroup): AffinityTargets => {
    let t = targets.get(group);
    if (t) return t;
    const c = constraints.get(group)!;
    const matchesAll = (g: PodGroup): boolean => c.affinityTerms.every((term) => termSelectsPod(term, group, g, namespaces));
    t = {
      affinity: c.affinityTerms.length > 0 ? candidatesOf(c.affinityTerms[0]).filter(matchesAll) : [],
      selfAffine: c.affinityTerms.length > 0 && matchesAll(group),
      anti: antiOf(group),
      repelledBy: repelledByOf(group),
    };
    targets.set(group, t);
    return t;
  };

  interface AffinityState {
    readonly targets: AffinityTargets;
    /** Per required affinity term, the domains holding a pod that matches all the terms. */
    readonly affinityDomains: readonly Set<string>[];
    /** Some placed pod matches all affinity terms. */
    readonly anyAffinityMatch: boolean;
    /** Domains with a pod the incoming pod's anti-affinity selects. */
    readonly antiDomains: Set<string>;
    /** Domains with a pod whose anti-affinity selects the incoming pod, and their topology keys. */
    readonly existingAntiDomains: Set<string>;
    readonly existingAntiKeys: Set<string>;
  }

  /** The InterPodAffinity PreFilter: topology domains from the placed pods, once per pod. */
  const preFilterAffinity = (pod: SimPod, c: Constraints): AffinityState | undefined => {
    const t = targetsOf(pod.group);
    if (c.affinityTerms.length === 0 && c.antiAffinityTerms.length === 0 && t.repelledBy.length === 0) return undefined;
    const addDomains = (into: Set<string>, key: string, g: PodGroup): void => {
      for (const n of nodesOfGroup.get(g) ?? []) {
        const d = domain(key, n);
        if (d) into.add(d);
      }
    };
    const affinityDomains = c.affinityTerms.map(() => new Set<string>());
    const anyAffinityMatch = t.affinity.some((g) => nodesOfGroup.has(g));
    for (const g of t.affinity) c.affinityTerms.forEach((term, i) => addDomains(affinityDomains[i], term.topologyKey, g));
    const antiDomains = new Set<string>();
    for (const { term, groups: selected } of t.anti) for (const g of selected) addDomains(antiDomains, term.topologyKey, g);
    const existingAntiDomains = new Set<string>();
    const existingAntiKeys = new Set<string>();
    for (const { term, group } of t.repelledBy) {
      if (!nodesOfGroup.has(group)) continue;
      existingAntiKeys.add(term.topologyKey);
      addDomains(existingAntiDomains, term.topologyKey, group);
    }
    return { targets: t, affinityDomains, anyAffinityMatch, antiDomains, existingAntiDomains, existingAntiKeys };
  };

  // TaintToleration and NodeAffinity depend only on node labels and taints, which a pool's nodes
  // share except for the hostname: their verdict is cached per (group, pool) unless the group's
  // node affinity looks at the hostname or the node name.
  const staticVerdicts = new Map<PodGroup, Map<string, readonly string[]>>();
  const perNode = new Set<PodGroup>();
  for (const [g, c] of constraints) if (nodeAffinityNamesNode(c)) perNode.add(g);
  const staticFilter = (group: PodGroup, c: Constraints, node: SimNode): readonly string[] => {
    const cache = perNode.has(group) ? undefined : (staticVerdicts.get(group) ?? staticVerdicts.set(group, new Map()).get(group)!);
    const cached = cache?.get(node.pool);
    if (cached) return cached;
    const taint = untoleratedTaint(node.taints, c.tolerations);
    const verdict = taint ? [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`] : nodeAffinityMatches(c, node) ? NONE : [REASON_NODE_AFFINITY];
    cache?.set(node.pool, verdict);
    return verdict;
  };
  const checked = new Map(groups.map((g) => [g, resourcesToCheck(g.requests)]));

  const spreadConstraints = new Map(groups.map((g) => [g, hardSpreadConstraints(g)]));
  /** The PodTopologySpread PreFilter for pods with DoNotSchedule constraints. */
  const preFilterSpreading = (pod: SimPod, c: Constraints): SpreadState | undefined => {
    const spread = spreadConstraints.get(pod.group)!;
    if (spread.length === 0) return undefined;
    return preFilterSpread(pod.group, spread, nodes,
      (node, honorAffinity, honorTaints) => (!honorAffinity || nodeAffinityMatches(c, node)) && (!honorTaints || !untoleratedTaint(node.taints, c.tolerations)),
      (node) => node.pods.map((p) => p.group));
  };

  const filter = (pod: SimPod, c: Constraints, node: SimNode, state: AffinityState | undefined, spread: SpreadState | undefined): readonly string[] => {
    const verdict = staticFilter(pod.group, c, node);
    if (verdict.length > 0) return verdict;
    const insufficient = insufficientResources(pod.group.requests, checked.get(pod.group)!, node);
    if (insufficient.length > 0) return insufficient;
    if (spread) {
      const skewed = spreadFilter(spreadConstraints.get(pod.group)!, spread, node);
      if (skewed.length > 0) return skewed;
    }
    return state ? interPodAffinity(pod, c, node, state) : NONE;
  };

  /** The InterPodAffinity Filter: affinity, then the pod's anti-affinity, then existing pods' anti-affinity. */
  const interPodAffinity = (pod: SimPod, c: Constraints, node: SimNode, state: AffinityState): readonly string[] => {
    if (c.affinityTerms.length > 0) {
      if (c.affinityTerms.some((t) => node.labels[t.topologyKey] === undefined)) return [REASON_AFFINITY];
      const satisfied = c.affinityTerms.every((t, i) => state.affinityDomains[i].has(domain(t.topologyKey, node)!));
      // the first pod of a group with affinity to itself may go anywhere its topology keys exist
      if (!satisfied && (state.anyAffinityMatch || !state.targets.selfAffine)) return [REASON_AFFINITY];
    }
    for (const t of c.antiAffinityTerms) {
      const d = domain(t.topologyKey, node);
      if (d && state.antiDomains.has(d)) return [REASON_ANTI_AFFINITY];
    }
    for (const key of state.existingAntiKeys) {
      const d = domain(key, node);
      if (d && state.existingAntiDomains.has(d)) return [REASON_EXISTING_ANTI_AFFINITY];
    }
    return NONE;
  };

  const score = (pod: SimPod, node: SimNode): number => leastAllocated(pod.group.nonZeroRequests, node) + balancedAllocation(pod.group.requests, node);
  const count = (reasons: Map<string, number>, failed: readonly string[], times: number): void => {
    for (const r of failed) reasons.set(r, (reasons.get(r) ?? 0) + times);
  };

  /** Every filter on every candidate node; the first node with the highest score wins. */
  const chooseNodeByNode = (pod: SimPod, c: Constraints, candidates: readonly SimNode[], reasons: Map<string, number>): SimNode | undefined => {
    let best: SimNode | undefined;
    let bestScore = -1;
    const state = preFilterAffinity(pod, c);
    const spread = preFilterSpreading(pod, c);
    for (const node of candidates) {
      const failed = filter(pod, c, node, state, spread);
      if (failed.length > 0) {
        count(reasons, failed, 1);
        continue;
      }
      const total = score(pod, node);
      if (total > bestScore) {
        best = node;
        bestScore = total;
      }
    }
    return best;
  };

  const prepared = options.prepared;
  const classes = prepared?.classes ?? (grouped ? new NodeClasses(nodes, resourceNamesOf(groups)) : undefined);
  const { byHostname, byName: nodesNamed } = prepared ?? nodeNameIndexes(nodes);
  const hostDomain = `${NodeLabels.hostname}\u0000`;

  /**
   * The same choice evaluated once per node class. Within a class only the hostname differs, so
   * the InterPodAffinity verdict differs from the class's generic one only on nodes whose
   * hostname is in one of the PreFilter's domain sets; those are checked one by one.
   */
  const chooseByClass = (pod: SimPod, c: Constraints, nodeClasses: NodeClasses, reasons: Map<string, number>): SimNode | undefined => {
    const state = preFilterAffinity(pod, c);
    const special = new Map<NodeClass, SimNode[]>();
    if (state) {
      const seen = new Set<SimNode>();
      for (const set of [...state.affinityDomains, state.antiDomains, state.existingAntiDomains]) {
        for (const d of set) {
          if (!d.startsWith(hostDomain)) continue;
          for (const node of byHostname.get(d.slice(hostDomain.length)) ?? []) {
            if (seen.has(node) || !nodeClasses.has(node)) continue;
            seen.add(node);
            const cls = nodeClasses.classOf(node);
            special.set(cls, [...(special.get(cls) ?? []), node]);
          }
        }
      }
    }
    let best: SimNode | undefined;
    let bestScore = -1;
    let bestOrder = Infinity;
    for (const cls of nodeClasses.all()) {
      const representative = cls.nodes[0];
      const size = cls.nodes.length;
      const fixed = staticFilter(pod.group, c, representative);
      const failed = fixed.length > 0 ? fixed : insufficientResources(pod.group.requests, checked.get(pod.group)!, representative);
      if (failed.length > 0) {
        count(reasons, failed, size);
        continue;
      }
      const exceptions = special.get(cls) ?? [];
      const generic = state ? interPodAffinity(pod, c, cls.generic, state) : NONE;
      let first: SimNode | undefined;
      for (const node of exceptions) {
        const verdict = interPodAffinity(pod, c, node, state!);
        if (verdict.length > 0) count(reasons, verdict, 1);
        else if (!first || nodeClasses.order.get(node)! < nodeClasses.order.get(first)!) first = node;
      }
      if (generic.length > 0) {
        // every node of the class may be an exception: no reason with a count of 0
        if (size > exceptions.length) count(reasons, generic, size - exceptions.length);
      }
      else {
        // the first node of the class that is not an exception (exceptions are few)
        const excepted = new Set(exceptions);
        const open = cls.nodes.find((n) => !excepted.has(n));
        if (open && (!first || nodeClasses.order.get(open)! < nodeClasses.order.get(first)!)) first = open;
      }
      if (!first) continue;
      const total = score(pod, representative);
      const order = nodeClasses.order.get(first)!;
      if (total > bestScore || (total === bestScore && order < bestOrder)) {
        best = first;
        bestScore = total;
        bestOrder = order;
      }
    }
    return best;
  };

  const pinnedCandidates = (name: string): readonly SimNode[] => {
    const named = nodesNamed.get(name) ?? [];
    return prepared ? named.filter((n) => prepared.classes.has(n)) : named;
  };

  const place = (pod: SimPod): void => {
    const c = constraints.get(pod.group)!;
    const reasons = new Map<string, number>();
    // pinned pods, hostname-dependent node affinity and topology spread look at single nodes
    const byClass = classes && !pod.pinnedNode && !perNode.has(pod.group) && spreadConstraints.get(pod.group)!.length === 0;
    const best = byClass ? chooseByClass(pod, c, classes, reasons) : chooseNodeByNode(pod, c, pod.pinnedNode ? pinnedCandidates(pod.pinnedNode) : nodes, reasons);
    if (!best) {
      failures.push({ pod, message: fitErrorMessage(nodes.length, reasons) });
      return;
    }
    prepared?.beforeChange(best);
    best.requested = add(best.requested, pod.group.requests);
    best.nonZeroRequested = add(best.nonZeroRequested, pod.group.nonZeroRequests);
    best.pods.push(pod);
    classes?.update(best);
    placed.push({ pod, node: best });
    record(pod, best);
  };

  for (const group of ordered) {
    if (group.daemon) {
      const c = constraints.get(group)!;
      for (const node of nodes) {
        // the DaemonSet controller creates a pod for each node whose taints it tolerates and whose labels it selects
        if (untoleratedTaint(node.taints, c.tolerations) || !nodeAffinityMatches(c, node)) continue;
        place({ group, name: `${group.name}-${node.name}`, pinnedNode: node.name });
      }
    } else {
      for (let i = 0; i < group.maxReplicas; i++) place({ group, name: `${group.name}-${i}` });
    }
  }
  return { nodes, placed, failures };
}

/** Every resource name the groups request (with the scheduler's non-zero defaults): what node classes compare. */
export function resourceNamesOf(groups: readonly PodGroup[]): string[] {
  const names = new Set<string>();
  for (const g of groups) {
    for (const name in g.requests) names.add(name);
    for (const name in g.nonZeroRequests) names.add(name);
  }
  return [...names];
}

/** FitError.Error(): "0/N nodes are available: <count> <reason>, ... ." with the histogram sorted as strings. */
export function fitErrorMessage(totalNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (totalNodes === 0) return 'no nodes available to schedule pods';
  const histogram = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${totalNodes} nodes are available: ${histogram.join(', ')}.`;
}

/** NodeResourcesFit LeastAllocated score over cpu and memory (weights 1), integer arithmetic as in Go. */
function leastAllocated(podNonZero: Readonly<ResourceAmounts>, node: SimNode): number {
  let score = 0;
  let weights = 0;
  for (const resource of ['cpu', 'memory']) {
    const capacity = node.allocatable[resource] ?? 0;
    const requested = (node.nonZeroRequested[resource] ?? 0) + (podNonZero[resource] ?? 0);
    const s = capacity === 0 || requested > capacity ? 0 : Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
    score += s;
    weights += 1;
  }
  return Math.floor(score / weights);
}

/** NodeResourcesBalancedAllocation over cpu and memory: (1 - |f_cpu - f_mem| / 2) * 100. */
function balancedAllocation(podRequests: Readonly<ResourceAmounts>, node: SimNode): number {
  const fractions: number[] = [];
  for (const resource of ['cpu', 'memory']) {
    const capacity = node.allocatable[resource] ?? 0;
    if (capacity === 0) continue;
    fractions.push(Math.min(1, ((node.requested[resource] ?? 0) + (podRequests[resource] ?? 0)) / capacity));
  }
  const std = fractions.length === 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
  return Math.floor((1 - std) * MAX_NODE_SCORE);
}
