/**
 * The `rollout-fits` gate rule: a rolling update of each workload at maximum scale fits its
 * namespace's ResourceQuota and the nodes of the cluster model (see {@link simulateRollouts}).
 */
import type { CrossResourceRule } from '../policy/registry.js';
import { modelFor } from './capacity-fit.js';
import { simulateRollouts } from './rollout.js';
import { PlanInputError, readTree } from './workloads.js';

/** The rule object (registered by name `rollout-fits`). */
export const rolloutFitsRule: CrossResourceRule = {
  name: 'rollout-fits',
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
    for (const check of simulateRollouts(facts, model)) {
      if (check.problems.length === 0) ctx.pass(check.object);
      else ctx.fail(check.object, `a rolling update of ${check.resource} at maximum scale stalls: ${check.problems.join('; ')}`, '/spec/strategy');
    }
  },
};
