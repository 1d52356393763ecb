/**
 * What-if runs on a placed cluster, for the drain and rollout simulations: take the pods of some
 * workloads off their nodes (optionally take one node out too), place them again, read the
 * failures, then undo every change. The nodes with the pods that stay (lower-priority pods removed
 * once per priority threshold) and their node classes are built once per placement and reused, so
 * a run costs what placing its own pods costs (pods x node classes), not a copy of the cluster.
 * Each run gives the same failures and messages as scheduling the same groups on fresh copies of
 * the nodes (`nodesKeeping` in drain.ts), which the drain property test checks.
 */
import { NodeClasses } from './node-classes.js';
import { RoomProof } from './room-proof.js';
import { add, type ResourceAmounts } from './resources.js';
import { nodeNameIndexes, resourceNamesOf, schedule, type SchedulingFailure, type SimNode, type SimPod, type Simulation } from './scheduler.js';
import type { PodGroup, TreeFacts } from './workloads.js';

/** The placed nodes without pods below one priority (DaemonSet pods stay), with their classes. */
interface Remaining {
  /** Copies of the placed nodes, in node order. */
  readonly nodes: SimNode[];
  /** Each placed node's copy. */
  readonly copyOf: ReadonlyMap<SimNode, SimNode>;
  /** The copies holding pods of each group. */
  readonly hosts: ReadonlyMap<PodGroup, readonly SimNode[]>;
  readonly classes: NodeClasses;
  readonly byHostname: ReadonlyMap<string, readonly SimNode[]>;
  readonly byName: ReadonlyMap<string, readonly SimNode[]>;
}

/** A node's state before a run changed it. */
interface SavedState {
  readonly pods: SimPod[];
  readonly length: number;
  readonly requested: ResourceAmounts;
  readonly nonZeroRequested: ResourceAmounts;
}

type Mutable = SimNode & { pods: SimPod[] };

/** Requested and non-zero requested resources of a list of pods, summed in pod order. */
export function requestsOf(pods: readonly SimPod[]): { requested: ResourceAmounts; nonZeroRequested: ResourceAmounts } {
  let requested: ResourceAmounts = {};
  let nonZeroRequested: ResourceAmounts = {};
  for (const p of pods) {
    requested = add(requested, p.group.requests);
    nonZeroRequested = add(nonZeroRequested, p.group.nonZeroRequests);
  }
  return { requested, nonZeroRequested };
}

/** Re-placements of some workloads on a maximum-scale placement; see the file comment. */
export class WhatIfCluster {
  private readonly remaining = new Map<number, Remaining>();
  private readonly resourceNames: readonly string[];
  private readonly proof: RoomProof;
  private readonly placedNodes: ReadonlySet<SimNode>;

  /**
   * @param base the maximum-scale placement (never changed)
   * @param facts the tree's groups (every resource they request is compared by the node classes)
   */
  constructor(private readonly base: Simulation, private readonly facts: TreeFacts) {
    this.resourceNames = resourceNamesOf(facts.groups);
    this.proof = new RoomProof(base, this.resourceNames);
    this.placedNodes = new Set(base.nodes);
  }

  /**
   * Places `groups` again on the placed cluster from which the pods of `moving` groups, the pods of
   * priority below `victimsBelow` (not DaemonSet pods) and the node `drained` (a node of the base
   * placement) are taken away. Returns the failures of that placement; the cluster is unchanged.
   */
  replace(groups: readonly PodGroup[], moving: ReadonlySet<PodGroup>, victimsBelow: number, drained?: SimNode): readonly SchedulingFailure[] {
    if (drained && !this.placedNodes.has(drained)) throw new Error(`node ${drained.name} is not a node of the placement`);
    // a run the room proof covers places every pod: no failures, nothing to simulate
    if (this.proof.placesAll(groups, drained)) return [];
    const r = this.remainingBelow(victimsBelow);
    const journal = new Map<SimNode, SavedState>();
    const save = (node: SimNode): void => {
      if (!journal.has(node)) journal.set(node, { pods: node.pods, length: node.pods.length, requested: node.requested, nonZeroRequested: node.nonZeroRequested });
    };
    const out = drained ? r.copyOf.get(drained) : undefined;
    if (out) r.classes.remove(out);
    try {
      const touched = new Set<SimNode>();
      for (const g of moving) for (const node of r.hosts.get(g) ?? []) touched.add(node);
      for (const node of touched) {
        save(node);
        const pods = node.pods.filter((p) => !moving.has(p.group));
        (node as Mutable).pods = pods;
        Object.assign(node, requestsOf(pods));
        if (node !== out) r.classes.update(node);
      }
      const nodes = out ? r.nodes.filter((n) => n !== out) : r.nodes;
      return schedule(groups, nodes, this.facts.namespaceLabels, {
        prepared: { classes: r.classes, byHostname: r.byHostname, byName: r.byName, beforeChange: save },
      }).failures;
    } finally {
      for (const [node, saved] of journal) {
        saved.pods.length = saved.length;
        (node as Mutable).pods = saved.pods;
        node.requested = saved.requested;
        node.nonZeroRequested = saved.nonZeroRequested;
        if (node !== out) r.classes.update(node);
      }
      if (out) r.classes.restore(out);
    }
  }

  private remainingBelow(victimsBelow: number): Remaining {
    let r = this.remaining.get(victimsBelow);
    if (r) return r;
    const copyOf = new Map<SimNode, SimNode>();
    const hosts = new Map<PodGroup, SimNode[]>();
    const nodes = this.base.nodes.map((n) => {
      const pods = n.pods.filter((p) => p.group.daemon || p.group.priority >= victimsBelow);
      const copy: SimNode = { ...n, ...requestsOf(pods), pods };
      copyOf.set(n, copy);
      for (const p of pods) {
        const list = hosts.get(p.group);
        if (!list) hosts.set(p.group, [copy]);
        else if (list[list.length - 1] !== copy) list.push(copy);
      }
      return copy;
    });
    r = { nodes, copyOf, hosts, classes: new NodeClasses(nodes, this.resourceNames), ...nodeNameIndexes(nodes) };
    this.remaining.set(victimsBelow, r);
    return r;
  }
}

const clusters = new WeakMap<Simulation, WhatIfCluster>();

/** The what-if cluster of a placement, shared by the drain and rollout simulations of the same placement. */
export function whatIfOf(base: Simulation, facts: TreeFacts): WhatIfCluster {
  let cluster = clusters.get(base);
  if (!cluster) clusters.set(base, (cluster = new WhatIfCluster(base, facts)));
  return cluster;
}
