/**
 * Nodes the scheduler's filters and resource scores cannot tell apart: same pool, same labels
 * except the hostname's value, same taints, same allocatable, same requested and non-zero
 * requested resources and the same number of pods. The scheduler evaluates a class once instead
 * of once per node; a node changes class whenever a pod is placed on it.
 */
import { NodeLabels } from '../core/labels.js';
import type { ResourceAmounts } from './resources.js';
import type { SimNode } from './scheduler.js';

/** One class of interchangeable nodes. */
export interface NodeClass {
  /** The class's nodes, in node order (the order ties are broken by). */
  readonly nodes: SimNode[];
  /** A stand-in with the class's labels and a hostname no node has, for hostname-keyed terms. */
  readonly generic: SimNode;
}

/** A hostname value no node carries (label values cannot contain NUL). */
const NO_HOSTNAME = '\u0000';

/** The classes of a set of nodes, kept current as pods are placed. */
export class NodeClasses {
  /** Each node's position in the node list. */
  readonly order = new Map<SimNode, number>();
  private readonly fixedPart = new Map<SimNode, string>();
  private readonly classOfNode = new Map<SimNode, NodeClass>();
  private readonly byKey = new Map<string, NodeClass>();
  private readonly keyOfClass = new Map<NodeClass, string>();

  /**
   * @param resources every resource name pods may request (the names the classes compare)
   */
  constructor(nodes: readonly SimNode[], private readonly resources: readonly string[]) {
    const fixedIds = new Map<string, number>();
    nodes.forEach((node, i) => {
      this.order.set(node, i);
      const signature = fixedSignature(node);
      if (!fixedIds.has(signature)) fixedIds.set(signature, fixedIds.size);
      this.fixedPart.set(node, String(fixedIds.get(signature)));
      this.insert(node);
    });
  }

  /** The non-empty classes. */
  all(): IterableIterator<NodeClass> {
    return this.byKey.values();
  }

  /** The class a node is in now. */
  classOf(node: SimNode): NodeClass {
    return this.classOfNode.get(node)!;
  }

  /** True when the node is one of the classified nodes (not {@link remove}d). */
  has(node: SimNode): boolean {
    return this.classOfNode.has(node);
  }

  /** Moves a node to the class its current state belongs to (call after placing a pod on it). */
  update(node: SimNode): void {
    this.remove(node);
    this.insert(node);
  }

  /** Takes a node out of its class (a drained node); {@link restore} puts it back. */
  remove(node: SimNode): void {
    const current = this.classOfNode.get(node)!;
    const list = current.nodes;
    list.splice(this.position(list, node), 1);
    if (list.length === 0) {
      this.byKey.delete(this.keyOfClass.get(current)!);
      this.keyOfClass.delete(current);
    }
    this.classOfNode.delete(node);
  }

  /** Puts a {@link remove}d node back, in the class of its current state. */
  restore(node: SimNode): void {
    if (!this.order.has(node)) throw new Error(`node ${node.name} was never classified`);
    if (!this.classOfNode.has(node)) this.insert(node);
  }

  private insert(node: SimNode): void {
    let key = `${this.fixedPart.get(node)!}|${node.pods.length}`;
    for (const r of this.resources) key += `|${node.requested[r] ?? 0}|${node.nonZeroRequested[r] ?? 0}`;
    let cls = this.byKey.get(key);
    if (!cls) {
      const generic = node.labels[NodeLabels.hostname] === undefined ? node : { ...node, labels: { ...node.labels, [NodeLabels.hostname]: NO_HOSTNAME } };
      cls = { nodes: [], generic };
      this.byKey.set(key, cls);
      this.keyOfClass.set(cls, key);
    }
    const list = cls.nodes;
    list.splice(this.position(list, node), 0, node);
    this.classOfNode.set(node, cls);
  }

  /** Where `node` is or would go in `list` (binary search by node order). */
  private position(list: readonly SimNode[], node: SimNode): number {
    const target = this.order.get(node)!;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.order.get(list[mid])! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** What never changes about a node: pool, labels with the hostname's value masked, taints, allocatable. */
function fixedSignature(node: SimNode): string {
  const labels = Object.keys(node.labels).sort().map((k) => [k, k === NodeLabels.hostname ? NO_HOSTNAME : node.labels[k]]);
  return JSON.stringify([node.pool, labels, node.taints, amounts(node.allocatable)]);
}

function amounts(resources: Readonly<ResourceAmounts>): string {
  return Object.keys(resources).sort().map((k) => `${k}=${resources[k]}`).join(',');
}
