/**
 * The `capacity-fit` gate rule: every pod of the tree can be placed on the cluster model at
 * maximum scale, and no namespace's workloads exceed its ResourceQuota at maximum scale.
 * Registered with the policy engine's cross-resource rule registry; `policies/capacity-fit/`
 * names it.
 */
import { ClusterModelError, clusterModelFromConfigMap, isClusterModelConfigMap } from '../cluster/cluster-model-file.js';
import { resolveClusterModel, type ClusterModelDocument } from '../cluster/cluster-model-document.js';
import type { CrossResourceRule, RuleContext } from '../policy/registry.js';
import { simulatePlan } from './plan.js';
import { PlanInputError } from './workloads.js';

/** The cluster model a rule runs against: `parameters.cluster`, else the tree's model ConfigMap (extra ones fail). */
export function modelFor(ctx: RuleContext): ClusterModelDocument | undefined {
  const inline = ctx.parameters.cluster;
  if (inline !== undefined) {
    const result = resolveClusterModel(inline);
    if (!result.model) throw new ClusterModelError(`${ctx.policy.id} policy parameters.cluster`, result.problems);
    return result.model;
  }
  const found = ctx.loaded.objects.filter((o) => isClusterModelConfigMap(o.object));
  if (found.length === 0) return undefined;
  for (const extra of found.slice(1)) ctx.fail(extra, `more than one cluster model ConfigMap in the tree (first: ${found[0].source.file}); keep exactly one`, '/metadata/labels');
  try {
    return clusterModelFromConfigMap(found[0].object, found[0].source.file);
  } catch (error) {
    ctx.fail(found[0], (error as Error).message, '/data');
    return undefined;
  }
}

/** The rule object (registered by name `capacity-fit`). */
export const capacityFitRule: CrossResourceRule = {
  name: 'capacity-fit',
  evaluate(ctx) {
    // A tree without a cluster model has nothing to plan against: the rule applies to nothing.
    const model = modelFor(ctx);
    if (!model) return;
    let result;
    try {
      result = simulatePlan(ctx.loaded.objects, model);
    } catch (error) {
      if (error instanceof PlanInputError && error.source) {
        ctx.fail(error.source, error.message, `/${error.field.replace(/\./g, '/')}`);
        return;
      }
      throw error;
    }
    const { report, facts } = result;
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
