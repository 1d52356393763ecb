/**
 * The `drain-safe` gate rule: draining any single node of the cluster model leaves a place for
 * every evicted pod of a workload behind a PodDisruptionBudget (otherwise the drain hangs).
 */
import type { CrossResourceRule } from '../policy/registry.js';
import { modelFor } from './capacity-fit.js';
import { simulateDrains } from './drain.js';
import { readTree, PlanInputError } from './workloads.js';

/** The rule object (registered by name `drain-safe`). */
export const drainSafeRule: CrossResourceRule = {
  name: 'drain-safe',
  evaluate(ctx) {
    const model = modelFor(ctx);
    if (!model) return;
    let facts;
    try {
      facts = readTree(ctx.loaded.objects);
    } catch (error) {
      if (error instanceof PlanInputError) return; // capacity-fit reports bad input once
      throw error;
    }
    const drains = simulateDrains(facts, model);
    const failed = new Set<unknown>();
    for (const drain of drains) {
      for (const s of drain.stranded) {
        if (!s.hangs) continue;
        failed.add(s.object);
        ctx.fail(s.object, s.nodeLocalClaims
          ? `draining node ${drain.node} (pool ${drain.pool}) evicts ${s.evicted} pod(s) of ${s.resource}, which its node-local ${s.nodeLocalClaims.join(', ')} keep on that node, more than PodDisruptionBudget ${s.pdb} lets go at once, so the drain never finishes; spread the pods one per node or allow more disruptions`
          : `draining node ${drain.node} (pool ${drain.pool}) evicts ${s.evicted} pod(s) of ${s.resource}, protected by PodDisruptionBudget ${s.pdb}; ${s.unplaced} of them find no other node (${s.reason}), so the budget refuses the next eviction and the drain never finishes`,
          '/spec');
      }
    }
    const protectedGroups = facts.groups.filter((g) => !g.daemon && facts.objects.some((o) => o.object.kind === 'PodDisruptionBudget' && (o.object.metadata.namespace ?? '') === g.namespace));
    for (const g of protectedGroups) if (!failed.has(g.object)) ctx.pass(g.object);
  },
};
