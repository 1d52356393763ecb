/**
 * The capacity facts of one loaded tree on one cluster model, computed once per check and shared by
 * the gate rules `capacity-fit`, `drain-safe` and `rollout-fits`: the tree read into pod groups,
 * one maximum-scale placement, one drain simulation, one rollout simulation and the plan. Each
 * rule asks for what it reports on; nothing is computed twice for the same tree and model.
 */
import { ClusterModelError, clusterModelFromConfigMap, isClusterModelConfigMap } from '../cluster/cluster-model-file.js';
import { resolveClusterModel, type ClusterModelDocument } from '../cluster/cluster-model-document.js';
import type { ManifestObject } from '../policy/loader.js';
import type { RuleContext } from '../policy/registry.js';
import { simulateDrains, type NodeDrain } from './drain.js';
import { fitOf, planOf, type PlanResult } from './plan.js';
import { simulateRollouts, type RolloutCheck } from './rollout.js';
import { nodesOf, schedule, type Simulation } from './scheduler.js';
import { PlanInputError, readTree, type TreeFacts } from './workloads.js';

/** A tree's cluster model ConfigMaps and the first one's model, or why it cannot be read. */
interface TreeModel {
  readonly found: readonly ManifestObject[];
  readonly model?: ClusterModelDocument;
  readonly error?: Error;
}

const treeModels = new WeakMap<readonly ManifestObject[], TreeModel>();

/** The tree's cluster model ConfigMaps, read once per tree (every rule that plans asks). */
function treeModelOf(objects: readonly ManifestObject[]): TreeModel {
  let entry = treeModels.get(objects);
  if (entry) return entry;
  const found = objects.filter((o) => isClusterModelConfigMap(o.object));
  entry = { found };
  if (found.length > 0) {
    try {
      entry = { found, model: clusterModelFromConfigMap(found[0].object, found[0].source.file) };
    } catch (error) {
      entry = { found, error: error as Error };
    }
  }
  treeModels.set(objects, entry);
  return entry;
}

/** The cluster model a rule runs against: `parameters.cluster`, else the tree's model ConfigMap (extra ones fail). */
export function modelFor(ctx: RuleContext): ClusterModelDocument | undefined {
  const inline = ctx.parameters.cluster;
  if (inline !== undefined) {
    const result = resolveClusterModel(inline);
    if (!result.model) throw new ClusterModelError(`${ctx.policy.id} policy parameters.cluster`, result.problems);
    return result.model;
  }
  const { found, model, error } = treeModelOf(ctx.loaded.objects);
  if (found.length === 0) return undefined;
  for (const extra of found.slice(1)) ctx.fail(extra, `more than one cluster model ConfigMap in the tree (first: ${found[0].source.file}); keep exactly one`, '/metadata/labels');
  if (error) ctx.fail(found[0], error.message, '/data');
  return model;
}

/** The tree's capacity facts on one model; each part is computed on first use. */
export class TreeCapacity {
  private simulation?: Simulation;
  private drainResults?: readonly NodeDrain[];
  private rolloutResults?: readonly RolloutCheck[];
  private planResult?: PlanResult | PlanInputError;

  constructor(readonly facts: TreeFacts, readonly model: ClusterModelDocument) {}

  /** The maximum-scale placement. */
  placement(): Simulation {
    return (this.simulation ??= schedule(this.facts.groups, nodesOf(this.model), this.facts.namespaceLabels));
  }

  /** Every node drained in turn from the placement. */
  drains(): readonly NodeDrain[] {
    return (this.drainResults ??= simulateDrains(this.facts, this.model, this.placement()));
  }

  /** Every workload's rolling update at maximum scale. */
  rollouts(): readonly RolloutCheck[] {
    return (this.rolloutResults ??= simulateRollouts(this.facts, this.model, this.placement()));
  }

  /**
   * Unscheduled workloads and quota checks at maximum scale (no drains, no prices).
   * @throws PlanInputError for a malformed ResourceQuota
   */
  fit(): ReturnType<typeof fitOf> {
    return fitOf(this.facts, this.placement());
  }

  /**
   * The plan (built-in prices, today).
   * @throws PlanInputError for a malformed ResourceQuota (every call)
   */
  plan(): PlanResult {
    if (!this.planResult) {
      try {
        this.planResult = planOf(this.facts, this.model, this.placement(), this.drains());
      } catch (error) {
        if (!(error instanceof PlanInputError)) throw error;
        this.planResult = error;
      }
    }
    if (this.planResult instanceof PlanInputError) throw this.planResult;
    return this.planResult;
  }
}

/** A tree's capacity, or the bad input that stops reading it. */
export type TreeCapacityOutcome = { readonly capacity: TreeCapacity } | { readonly error: PlanInputError };

const memo = new WeakMap<readonly ManifestObject[], Map<string, TreeCapacityOutcome>>();

/**
 * The capacity facts of the rule context's tree on the rule's cluster model ({@link modelFor}),
 * shared by every rule of the same check; undefined when there is no model to plan against.
 */
export function treeCapacityFor(ctx: RuleContext): TreeCapacityOutcome | undefined {
  const model = modelFor(ctx);
  if (!model) return undefined;
  const objects = ctx.loaded.objects;
  let byModel = memo.get(objects);
  if (!byModel) memo.set(objects, (byModel = new Map()));
  const key = JSON.stringify(model);
  let outcome = byModel.get(key);
  if (!outcome) {
    try {
      outcome = { capacity: new TreeCapacity(readTree(objects), model) };
    } catch (error) {
      if (!(error instanceof PlanInputError)) throw error;
      outcome = { error };
    }
    byModel.set(key, outcome);
  }
  return outcome;
}
