import { namespacePhrase } from '../namespace-phrase.js';
import type { ManifestObject } from '../loader.js';
import { specOf } from '../object-index.js';
import type { CrossResourceRule, RuleContext } from '../registry.js';
import { workloadFacts } from './workloads.js';

function minReplicasParameter(ctx: RuleContext): number {
  return typeof ctx.parameters.minReplicas === 'number' ? ctx.parameters.minReplicas : 2;
}

function describeServices(services: ManifestObject[]): string {
  return services.map((s) => `Service ${s.object.metadata.name}`).join(', ');
}

/** HPA and ScaledObject targets exist in the namespace. */
export const scaleTargetExists: CrossResourceRule = {
  name: 'scale-target-exists',
  evaluate(ctx) {
    for (const a of workloadFacts(ctx.index).autoscalers) {
      const target = ctx.index.get(a.targetKind, a.namespace || undefined, a.targetName);
      if (target) ctx.pass(a.object);
      else ctx.fail(a.object, `${a.object.object.kind} ${a.object.object.metadata.name} scales ${a.targetKind} '${a.targetName}', which is not in ${namespacePhrase(a.namespace)}`, '/spec/scaleTargetRef');
    }
  },
};

/** An autoscaled workload does not also fix `spec.replicas` (every apply would fight the autoscaler). */
export const noFixedReplicasWhenAutoscaled: CrossResourceRule = {
  name: 'no-fixed-replicas-when-autoscaled',
  evaluate(ctx) {
    const facts = workloadFacts(ctx.index);
    for (const t of ctx.index.podTemplates()) {
      const scalers = facts.autoscalersOf(t.owner);
      if (scalers.length === 0) continue;
      const names = scalers.map((a) => `${a.object.object.kind} ${a.object.object.metadata.name}`).join(', ');
      if (scalers.length > 1) ctx.fail(t.owner, `${t.owner.object.kind} ${t.owner.object.metadata.name} is scaled by more than one autoscaler (${names})`, '/spec');
      else if (specOf(t.owner).replicas !== undefined) ctx.fail(t.owner, `${t.owner.object.kind} ${t.owner.object.metadata.name} sets spec.replicas but is scaled by ${names}: remove spec.replicas so GitOps does not reset the autoscaler`, '/spec/replicas');
      else ctx.pass(t.owner);
    }
  },
};

/** Workloads behind a Service run at least `minReplicas` (default 2) replicas at their minimum. */
export const servedReplicas: CrossResourceRule = {
  name: 'served-replicas',
  evaluate(ctx) {
    const facts = workloadFacts(ctx.index);
    const wanted = minReplicasParameter(ctx);
    for (const t of facts.servedWorkloads()) {
      const { count, from } = facts.minReplicas(t.owner);
      if (count >= wanted) ctx.pass(t.owner);
      else ctx.fail(t.owner, `${t.owner.object.kind} ${t.owner.object.metadata.name} is served by ${describeServices(facts.servicesOf(t.owner))} but runs ${count} replica(s) at minimum (${from}); a single pod means downtime on every rollout or node drain`, facts.autoscalersOf(t.owner).length > 0 ? undefined : '/spec/replicas');
    }
  },
};

/** Multi-replica served workloads spread their pods (pod anti-affinity or topology spread constraints). */
export const servedSpread: CrossResourceRule = {
  name: 'served-spread',
  evaluate(ctx) {
    const facts = workloadFacts(ctx.index);
    for (const t of facts.servedWorkloads()) {
      if (facts.maxReplicas(t.owner) < 2) continue;
      const affinity = t.spec.affinity as { podAntiAffinity?: Record<string, unknown[]> } | undefined;
      const anti = affinity?.podAntiAffinity;
      const hasAnti = !!anti && ((anti.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 || (anti.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0);
      const spread = Array.isArray(t.spec.topologySpreadConstraints) && t.spec.topologySpreadConstraints.length > 0;
      if (hasAnti || spread) ctx.pass(t.owner);
      else ctx.fail(t.owner, `${t.owner.object.kind} ${t.owner.object.metadata.name} runs several replicas behind ${describeServices(facts.servicesOf(t.owner))} without pod anti-affinity or topologySpreadConstraints: all replicas may land on one node`, t.specPath);
    }
  },
};

/** Served multi-replica (or autoscaled) workloads are covered by a PodDisruptionBudget. */
export const pdbPresent: CrossResourceRule = {
  name: 'pdb-present',
  evaluate(ctx) {
    const facts = workloadFacts(ctx.index);
    for (const t of facts.servedWorkloads()) {
      if (facts.maxReplicas(t.owner) < 2) continue;
      if (facts.pdbsOf(t.owner).length > 0) ctx.pass(t.owner);
      else ctx.fail(t.owner, `${t.owner.object.kind} ${t.owner.object.metadata.name} is served by ${describeServices(facts.servicesOf(t.owner))} with several replicas but no PodDisruptionBudget selects its pods: a node drain may evict all of them at once`);
    }
  },
};

type IntOrPercent = number | string | undefined;

/** Pods that must stay up, as the disruption controller computes it (percentages round up). */
function desiredHealthy(minAvailable: IntOrPercent, maxUnavailable: IntOrPercent, expected: number): number | undefined {
  const scale = (v: IntOrPercent) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+%$/.test(v) ? Math.ceil((Number(v.slice(0, -1)) * expected) / 100) : undefined);
  if (minAvailable !== undefined) return scale(minAvailable);
  if (maxUnavailable !== undefined) {
    const unavailable = scale(maxUnavailable);
    return unavailable === undefined ? undefined : expected - unavailable;
  }
  return undefined;
}

function checkPdbs(ctx: RuleContext, autoscaled: boolean): void {
  const facts = workloadFacts(ctx.index);
  const byPdb = new Map<ManifestObject, ManifestObject[]>();
  for (const t of ctx.index.podTemplates()) {
    for (const pdb of facts.pdbsOf(t.owner)) {
      const list = byPdb.get(pdb) ?? [];
      list.push(t.owner);
      byPdb.set(pdb, list);
    }
  }
  for (const pdb of ctx.index.ofKind('PodDisruptionBudget')) {
    const s = specOf(pdb);
    const minAvailable = s.minAvailable as IntOrPercent;
    const maxUnavailable = s.maxUnavailable as IntOrPercent;
    const name = pdb.object.metadata.name;
    if (!autoscaled) {
      if (minAvailable === undefined && maxUnavailable === undefined) {
        ctx.fail(pdb, `PodDisruptionBudget ${name} sets neither minAvailable nor maxUnavailable`, '/spec');
        continue;
      }
      if (maxUnavailable === 0 || maxUnavailable === '0%') {
        ctx.fail(pdb, `PodDisruptionBudget ${name} has maxUnavailable ${JSON.stringify(maxUnavailable)}: no pod can ever be evicted, node drains hang`, '/spec/maxUnavailable');
        continue;
      }
      if (minAvailable === '100%') {
        ctx.fail(pdb, `PodDisruptionBudget ${name} has minAvailable 100%: no pod can ever be evicted, node drains hang`, '/spec/minAvailable');
        continue;
      }
    }
    let ok = true;
    let checked = false;
    for (const workload of byPdb.get(pdb) ?? []) {
      const isAutoscaled = facts.autoscalersOf(workload).length > 0;
      if (isAutoscaled !== autoscaled) continue;
      const { count, from } = facts.minReplicas(workload);
      if (count < 1) continue; // scaled to zero: nothing to evict
      checked = true;
      const healthy = desiredHealthy(minAvailable, maxUnavailable, count);
      if (healthy !== undefined && healthy >= count) {
        ok = false;
        const field = minAvailable !== undefined ? '/spec/minAvailable' : '/spec/maxUnavailable';
        ctx.fail(pdb, `PodDisruptionBudget ${name} keeps ${healthy} of ${count} pod(s) of ${workload.object.kind} ${workload.object.metadata.name} available (${from} = ${count}): no eviction is possible at that size`, field);
      }
    }
    if (ok && (checked || !autoscaled)) ctx.pass(pdb);
  }
}

/** A PDB allows at least one eviction for the replicas its (non-autoscaled) workloads run. */
export const pdbAllowsEviction: CrossResourceRule = {
  name: 'pdb-allows-eviction',
  evaluate: (ctx) => checkPdbs(ctx, false),
};

/** A PDB allows at least one eviction when its autoscaled workload runs at minReplicas. */
export const pdbConsistentWithAutoscaler: CrossResourceRule = {
  name: 'pdb-consistent-with-autoscaler',
  evaluate: (ctx) => checkPdbs(ctx, true),
};

