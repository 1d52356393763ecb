/**
 * The PodTopologySpread Filter for hard constraints (`whenUnsatisfiable: DoNotSchedule`), as in
 * kube-scheduler 1.28 (pkg/scheduler/framework/plugins/podtopologyspread/filtering.go): for each
 * constraint, `matching pods in the node's domain + (1 if the pod matches itself) - the minimum
 * over eligible domains` must not exceed `maxSkew`. Eligible nodes are those the pod's node
 * selector/affinity admits (`nodeAffinityPolicy: Honor`, the default) and, with
 * `nodeTaintsPolicy: Honor`, whose taints it tolerates (the default `Ignore` counts every node),
 * and that carry every constraint's topology key. Soft constraints (`ScheduleAnyway`) only score.
 */
import { selectorMatches, type LabelSelector, type LabelSelectorRequirement } from '../policy/selectors.js';
import type { PodGroup } from './workloads.js';

/** Reason when the skew would exceed maxSkew. */
export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
/** Reason when the node lacks a constraint's topology key. */
export const REASON_SPREAD_LABEL = `${REASON_SPREAD} (missing required label)`;

/** A hard topology spread constraint of a pod. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  /** The selector with `matchLabelKeys` merged in; undefined selects nothing. */
  readonly selector?: LabelSelector;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorTaints: boolean;
}

/** The DoNotSchedule constraints of a pod group. */
export function hardSpreadConstraints(group: PodGroup): SpreadConstraint[] {
  const list = (group.spec as { topologySpreadConstraints?: unknown }).topologySpreadConstraints;
  if (!Array.isArray(list)) return [];
  return list
    .filter((c) => c && typeof c === 'object' && (c as { whenUnsatisfiable?: string }).whenUnsatisfiable === 'DoNotSchedule')
    .map((raw) => {
      const c = raw as Record<string, any>;
      let selector: LabelSelector | undefined = c.labelSelector ?? undefined;
      const keys: string[] = Array.isArray(c.matchLabelKeys) ? c.matchLabelKeys : [];
      if (selector && keys.length > 0) {
        const extra: LabelSelectorRequirement[] = keys.filter((k) => group.labels[k] !== undefined).map((k) => ({ key: k, operator: 'In', values: [group.labels[k]] }));
        selector = { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
      }
      return {
        maxSkew: Number(c.maxSkew ?? 1),
        topologyKey: String(c.topologyKey),
        selector,
        minDomains: Number(c.minDomains ?? 1),
        honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      };
    });
}

/** What the PreFilter computes for one pod: per constraint, matching pods per domain and the minimum. */
export interface SpreadState {
  readonly counts: readonly Map<string, number>[];
  readonly minMatch: readonly number[];
  readonly selfMatch: readonly boolean[];
}

/** Minimal view of a node for the spread computation. */
export interface SpreadNode {
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * PreFilter: counts, for every constraint, the placed pods of the pod's namespace that its
 * selector matches, per topology domain of the eligible nodes.
 * @param admits whether the node passes the pod's node affinity and/or tolerations (each only when asked)
 * @param podsOn the groups of the pods placed on a node (one entry per pod)
 */
export function preFilterSpread<N extends SpreadNode>(
  group: PodGroup,
  constraints: readonly SpreadConstraint[],
  nodes: readonly N[],
  admits: (node: N, honorNodeAffinity: boolean, honorTaints: boolean) => boolean,
  podsOn: (node: N) => readonly PodGroup[],
): SpreadState {
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!constraints.every((c) => node.labels[c.topologyKey] !== undefined)) continue;
    constraints.forEach((c, i) => {
      if (!admits(node, c.honorNodeAffinity, c.honorTaints)) return;
      const value = node.labels[c.topologyKey];
      let n = counts[i].get(value) ?? 0;
      if (c.selector) for (const g of podsOn(node)) if (g.namespace === group.namespace && selectorMatches(c.selector, g.labels)) n++;
      counts[i].set(value, n);
    });
  }
  const minMatch = constraints.map((c, i) => {
    const values = [...counts[i].values()];
    if (values.length === 0 || values.length < c.minDomains) return 0;
    return Math.min(...values);
  });
  const selfMatch = constraints.map((c) => !!c.selector && selectorMatches(c.selector, group.labels));
  return { counts, minMatch, selfMatch };
}

/** Filter: the first constraint the node violates decides the reason. */
export function spreadFilter(constraints: readonly SpreadConstraint[], state: SpreadState, node: SpreadNode): readonly string[] {
  for (let i = 0; i < constraints.length; i++) {
    const value = node.labels[constraints[i].topologyKey];
    if (value === undefined) return [REASON_SPREAD_LABEL];
    const skew = (state.counts[i].get(value) ?? 0) + (state.selfMatch[i] ? 1 : 0) - state.minMatch[i];
    if (skew > constraints[i].maxSkew) return [REASON_SPREAD];
  }
  return [];
}
