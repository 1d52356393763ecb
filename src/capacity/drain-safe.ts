/**
 * The `drain-safe` gate rule: draining any single node of the cluster model leaves a place for
 * every evicted pod of a workload behind a PodDisruptionBudget (otherwise the drain hangs). The
 * drains come from the tree's shared capacity facts (tree-capacity.ts).
 */
import type { CrossResourceRule } from '../policy/registry.js';
import { treeCapacityFor } from './tree-capacity.js';

/** The rule object (registered by name `drain-safe`). */
export const drainSafeRule: CrossResourceRule = {
  name: 'drain-safe',
  evaluate(ctx) {
    const outcome = treeCapacityFor(ctx);
    if (!outcome || 'error' in outcome) return; // capacity-fit reports bad input once
    const { facts } = outcome.capacity;
    const failed = new Set<unknown>();
    for (const drain of outcome.capacity.drains()) {
      for (const s of drain.stranded) {
        if (!s.hangs) continue;
        failed.add(s.object);
        ctx.fail(s.object, s.nodeLocalClaims
          ? `draining node ${drain.node} (pool ${drain.pool}) evicts ${s.evicted} pod(s) of ${s.resource}, which its node-local ${s.nodeLocalClaims.join(', ')} keep on that node, more than PodDisruptionBudget ${s.pdb} lets go at once, so the drain never finishes; spread the pods one per node or allow more disruptions`
          : `draining node ${drain.node} (pool ${drain.pool}) evicts ${s.evicted} pod(s) of ${s.resource}, protected by PodDisruptionBudget ${s.pdb}; ${s.unplaced} of them find no other node (${s.reason}), so the budget refuses the next eviction and the drain never finishes`,
          '/spec');
      }
    }
    const withBudgets = new Set(facts.objects.filter((o) => o.object.kind === 'PodDisruptionBudget').map((o) => o.object.metadata.namespace ?? ''));
    for (const g of facts.groups) if (!g.daemon && withBudgets.has(g.namespace) && !failed.has(g.object)) ctx.pass(g.object);
  },
};
