/**
 * The `rollout-fits` gate rule: a rolling update of each workload at maximum scale fits its
 * namespace's ResourceQuota and the nodes of the cluster model (see `simulateRollouts`). The
 * rollouts come from the tree's shared capacity facts (tree-capacity.ts).
 */
import type { CrossResourceRule } from '../policy/registry.js';
import { treeCapacityFor } from './tree-capacity.js';

/** The rule object (registered by name `rollout-fits`). */
export const rolloutFitsRule: CrossResourceRule = {
  name: 'rollout-fits',
  evaluate(ctx) {
    const outcome = treeCapacityFor(ctx);
    if (!outcome || 'error' in outcome) return; // capacity-fit reports bad input once
    for (const check of outcome.capacity.rollouts()) {
      if (check.problems.length === 0) ctx.pass(check.object);
      else ctx.fail(check.object, `a rolling update of ${check.resource} at maximum scale stalls: ${check.problems.join('; ')}`, '/spec/strategy');
    }
  },
};
