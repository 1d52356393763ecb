/**
 * Room proof for what-if runs: shows, without scheduling, that placing some workloads again on a
 * placed cluster places every one of their pods. A what-if run takes pods off the placed nodes
 * (and may take one node out) before it places its own, so a node that admits n pods of a group
 * in the placement admits at least as many at the start of the run. For groups whose pods depend
 * on the run's other pods at most through hostname anti-affinity (`nodeAloneFilter`), on nodes
 * with distinct hostnames, a run of k pods places them all when either holds:
 * - for every group of the run, at least k nodes of the placement (the drained one excluded)
 *   admit one of its pods: the i-th pod can be refused only by the i - 1 nodes the earlier pods
 *   went to (a placement changes one node, and hostname anti-affinity forbids that node alone)
 *   and by nodes that never admit it, so some node is left for it;
 * - the run is one group without anti-affinity and the nodes (the drained one excluded) admit at
 *   least k of its pods in all, counting on each node how many it admits one after another: the
 *   i-th pod is refused everywhere only if the earlier ones filled every node, i - 1 >= k.
 * Then the run has no failures, which is what `schedule` reports for it. Otherwise the proof
 * says nothing and the run is simulated.
 */
import { NodeLabels } from '../core/labels.js';
import { nodeAloneFilter, nodeAloneShape, type NodeAloneFilter, type SimNode, type Simulation } from './scheduler.js';
import type { PodGroup } from './workloads.js';

/** How much room the placement has for pods of one group. */
interface Room {
  readonly filter: NodeAloneFilter;
  /** Nodes that admit one pod. */
  readonly nodes: number;
  /** Pods the nodes admit in all, each node filled on its own. */
  readonly pods: number;
  /** Pods one node of each bucket admits. */
  readonly podsPerBucket: readonly number[];
}

/** A bucket of placed nodes the node-alone filters cannot tell apart: a representative and how many. */
interface Bucket {
  readonly node: SimNode;
  size: number;
}

/** Room for each pod shape on one placement, counted once per shape. */
export class RoomProof {
  private buckets?: Bucket[];
  /** Each placed node's bucket. */
  private readonly bucketOf = new Map<SimNode, number>();
  private readonly hostnamesUnique: boolean;
  /** Per pod spec, with the requests and kind it was counted for (a rollout's copy of a group shares them with the group). */
  private readonly roomBySpec = new Map<object, { readonly requests: object; readonly daemon: boolean; readonly room: Room | null }>();
  /** Per shape of what the filters read (`nodeAloneShape`): groups of one shape have the same room. */
  private readonly roomByShape = new Map<string, Room | null>();

  /**
   * @param base the placement (never changed)
   * @param resourceNames every resource the groups request (what tells nodes apart)
   */
  constructor(private readonly base: Simulation, private readonly resourceNames: readonly string[]) {
    const hostnames = new Set<string>();
    let unique = true;
    for (const node of base.nodes) {
      const host = node.labels[NodeLabels.hostname];
      if (host === undefined) continue;
      if (hostnames.has(host)) unique = false;
      hostnames.add(host);
    }
    this.hostnamesUnique = unique;
  }

  /**
   * True when placing every pod of `groups` (all their `maxReplicas`) again, with any pods taken
   * off the placement and `drained` (a node of it) taken out, surely places them all; false when
   * that is not shown (the run may still place them all).
   */
  placesAll(groups: readonly PodGroup[], drained?: SimNode): boolean {
    if (!this.hostnamesUnique) return false;
    const pods = groups.reduce((sum, g) => sum + g.maxReplicas, 0);
    const rooms: Room[] = [];
    for (const group of groups) {
      const room = this.roomOf(group);
      if (!room) return false;
      rooms.push(room);
    }
    const bucket = drained && this.bucketOf.get(drained);
    const onDrained = (room: Room): number => (!drained ? 0 : bucket !== undefined ? room.podsPerBucket[bucket] : room.filter.podsFitting(drained));
    if (rooms.every((room) => room.nodes - Math.min(onDrained(room), 1) >= pods)) return true;
    return rooms.length === 1 && !rooms[0].filter.antiAffinity && rooms[0].pods - onDrained(rooms[0]) >= pods;
  }

  private roomOf(group: PodGroup): Room | null {
    const known = this.roomBySpec.get(group.spec);
    if (known && known.requests === group.requests && known.daemon === group.daemon) return known.room;
    const shape = nodeAloneShape(group);
    let room = this.roomByShape.get(shape);
    if (room === undefined) this.roomByShape.set(shape, (room = this.count(group)));
    this.roomBySpec.set(group.spec, { requests: group.requests, daemon: group.daemon, room });
    return room;
  }

  /** The room a group's pods have. */
  private count(group: PodGroup): Room | null {
    let room: Room | null;
    const filter = nodeAloneFilter(group);
    if (!filter) room = null;
    else {
      let nodes = 0;
      let pods = 0;
      const podsPerBucket = (this.buckets ??= this.bucketNodes()).map(({ node, size }) => {
        const fitting = filter.podsFitting(node);
        if (fitting > 0) nodes += size;
        pods += fitting * size;
        return fitting;
      });
      room = { filter, nodes, pods, podsPerBucket };
    }
    return room;
  }

  /** The placed nodes by pool, labels except the hostname, taints, allocatable, requested resources and number of pods. */
  private bucketNodes(): Bucket[] {
    const fixedByPool = new Map<string, SimNode[]>();
    const fixedIds = new Map<SimNode, number>();
    const buckets = new Map<string, Bucket>();
    const indexes = new Map<Bucket, number>();
    for (const node of this.base.nodes) {
      const seen = fixedByPool.get(node.pool) ?? fixedByPool.set(node.pool, []).get(node.pool)!;
      const same = seen.find((other) => sameFixedPart(node, other));
      if (!same) {
        seen.push(node);
        fixedIds.set(node, fixedIds.size);
      }
      let key = `${fixedIds.get(same ?? node)!}|${node.pods.length}`;
      for (const r of this.resourceNames) key += `|${node.requested[r] ?? 0}`;
      let bucket = buckets.get(key);
      if (bucket) bucket.size += 1;
      else {
        buckets.set(key, (bucket = { node, size: 1 }));
        indexes.set(bucket, indexes.size);
      }
      this.bucketOf.set(node, indexes.get(bucket)!);
    }
    return [...buckets.values()];
  }
}

/** Same pool, labels (the hostname's value aside), taints and allocatable. */
function sameFixedPart(a: SimNode, b: SimNode): boolean {
  if (a.pool !== b.pool || !sameAmounts(a.allocatable, b.allocatable)) return false;
  if (a.taints !== b.taints && JSON.stringify(a.taints) !== JSON.stringify(b.taints)) return false;
  const keys = Object.keys(a.labels);
  if (keys.length !== Object.keys(b.labels).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b.labels, k) && (k === NodeLabels.hostname || a.labels[k] === b.labels[k]));
}

function sameAmounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
