import { planDelta } from '../capacity/delta.js';
import { clusterModelOfTree, planCapacity } from '../capacity/plan.js';
import { CapacityDeltaTable, CapacityDeltaRow } from './findings.js';
import { ManifestTree } from './model.js';

const pct = (fraction: number | undefined) => (fraction === undefined ? '—' : `${(fraction * 100).toFixed(1)}%`);
const usd = (value: number | undefined) => (value === undefined ? '—' : `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const verdict = (fits: boolean) => (fits ? 'fits' : 'does not fit');

/**
 * The capacity plan delta for the PR comment, from the capacity planner (`lambda-gitops plan`):
 * both trees are planned at maximum scale, each on its own cluster model ConfigMap (the base falls
 * back to the head's model when it has none yet).
 * @throws the planner's PlanInputError / ClusterModelError when the head tree has no usable cluster model
 */
export function planDeltaOfTrees(base: ManifestTree, head: ManifestTree): CapacityDeltaTable {
  const headObjects = [...head.values()].map((o) => o.manifest);
  const baseObjects = [...base.values()].map((o) => o.manifest);
  const headModel = clusterModelOfTree(headObjects);
  let baseModel = headModel;
  try {
    baseModel = clusterModelOfTree(baseObjects);
  } catch {
    // a base without a cluster model (first PR that adds one) is planned on the head's model
  }
  const delta = planDelta(planCapacity(baseObjects, baseModel), planCapacity(headObjects, headModel));
  const rows: CapacityDeltaRow[] = [
    { label: 'Verdict', before: verdict(delta.fits.base), after: verdict(delta.fits.head) },
    { label: 'GPUs requested (max scale)', before: String(delta.gpusRequested.base ?? '—'), after: String(delta.gpusRequested.head ?? '—') },
    { label: 'Monthly cost', before: usd(delta.monthlyUsd.base), after: usd(delta.monthlyUsd.head) },
    ...delta.pools.map((p) => ({ label: `${p.name} GPU utilization`, before: pct(p.gpuUtilization.base), after: pct(p.gpuUtilization.head) })),
  ];
  const notes = [
    delta.newlyUnschedulable.length ? `Newly unschedulable: ${delta.newlyUnschedulable.join(', ')}` : '',
    delta.resolved.length ? `Now schedulable: ${delta.resolved.join(', ')}` : '',
    delta.unchanged ? 'No capacity change.' : '',
  ].filter(Boolean);
  return { rows, ...(notes.length ? { note: notes.join(' · ') } : {}) };
}
