/**
 * The `capacity-fit` gate rule: every pod of the tree can be placed on the cluster model at
 * maximum scale, and no namespace's workloads exceed its ResourceQuota at maximum scale.
 * Registered with the policy engine's cross-resource rule registry; `policies/capacity-fit/`
 * names it. The placement comes from the tree's shared capacity facts (tree-capacity.ts).
 */
import type { CrossResourceRule } from '../policy/registry.js';
import { treeCapacityFor } from './tree-capacity.js';
import { PlanInputError } from './workloads.js';

export { modelFor } from './tree-capacity.js';

/** The rule object (registered by name `capacity-fit`). */
export const capacityFitRule: CrossResourceRule = {
  name: 'capacity-fit',
  evaluate(ctx) {
    // A tree without a cluster model has nothing to plan against: the rule applies to nothing.
    const outcome = treeCapacityFor(ctx);
    if (!outcome) return;
    let report;
    try {
      if ('error' in outcome) throw outcome.error;
      report = outcome.capacity.fit();
    } catch (error) {
      if (error instanceof PlanInputError && error.source) {
        ctx.fail(error.source, error.message, `/${error.field.replace(/\./g, '/')}`);
        return;
      }
      throw error;
    }
    const { facts } = outcome.capacity;
    const failing = new Map(report.unschedulable.map((u) => [u.resource, u]));
    for (const group of facts.groups) {
      const u = failing.get(group.id);
      if (u) ctx.fail(group.object, `${u.replicas} pod(s) of ${group.id} cannot be placed at maximum scale: ${u.reason}`, '/spec');
      else ctx.pass(group.object);
    }
    for (const q of facts.quotas) {
      const exceeded = report.quotas.filter((c) => c.namespace === q.namespace && c.quota === q.name && c.exceeded);
      if (exceeded.length === 0) ctx.pass(q.object);
      for (const c of exceeded) ctx.fail(q.object, `namespace ${q.namespace} at maximum scale: ${c.reason}`, `/spec/hard/${c.resource.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  },
};
