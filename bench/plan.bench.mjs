// Cost of `planCapacity` (workload expansion, scheduler simulation with filters, inter-pod
// anti-affinity and scoring, quotas, cost) against reading the same tree from YAML, measured in
// the same process on the same tree.
//  1. Tenants of Deployments (GPU and CPU, every other one with required anti-affinity on
//     hostname, HPAs to 3 replicas) with a quota per tenant, on a fleet of GPU and CPU nodes.
//  2. The fleet case: one-replica Deployments with required anti-affinity on hostname, 100 to
//     10,000 pods on 1,000 nodes; the target is 10,000 pods in under 2 s and a growth exponent of
//     at most 1.15 between 100 and 10,000 pods (cost follows pods x node classes, not pods x nodes).
//  Each plan line is followed by its parts, timed separately on the same tree: reading the tree,
//  the maximum-scale placement, the drain of every node (part of the plan and of the drain-safe
//  rule) and the rolling update of every workload (the rollout-fits rule; not part of the plan).
//  3. The grouped scheduler against its node-by-node reference (schedule({ grouped: false })) on
//     the same groups: same placements required, and the speed-up.
import jsYaml from 'js-yaml';
import { performance } from 'node:perf_hooks';
import { planCapacity } from '../lib/capacity/plan.js';
import { nodesOf, schedule } from '../lib/capacity/scheduler.js';
import { readTree } from '../lib/capacity/workloads.js';
import { simulateDrains } from '../lib/capacity/drain.js';
import { simulateRollouts } from '../lib/capacity/rollout.js';
import { resolveClusterModel } from '../lib/cluster/cluster-model-document.js';
import { exponent, exponentVerdict, machineLoad } from './support.mjs';

const TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

function antiAffinity(labels) {
  return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }] } };
}

function tenantTree(tenants, perTenant) {
  const objects = [];
  for (let t = 0; t < tenants; t++) {
    const ns = `team${t}`;
    objects.push({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { 'requests.cpu': '400', 'requests.memory': '2Ti', 'requests.nvidia.com/gpu': '64', pods: '500' } } });
    for (let w = 0; w < perTenant; w++) {
      const name = `svc${w}`;
      const gpu = w % 10 === 0;
      const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': `${name}-${ns}` };
      const spec = {
        containers: [{ name: 'main', image: 'example/app:1', resources: gpu
          ? { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' } }
          : { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } }],
        ...(gpu ? { tolerations: [TOLERATION] } : {}),
        ...(w % 2 === 1 ? { affinity: antiAffinity(labels) } : {}),
      };
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } } });
      objects.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: ns }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: 3 } });
    }
  }
  return objects;
}

/** `pods` one-replica Deployments in 40 namespaces, each with required anti-affinity to itself on hostname. */
function fleetTree(pods) {
  const objects = [];
  for (let w = 0; w < pods; w++) {
    const ns = `team${w % 40}`;
    const name = `svc${w}`;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': `${name}-${ns}` };
    const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } };
    objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'example/app:1', resources }], affinity: antiAffinity(labels) } } } });
  }
  return objects;
}

function time(fn, repeat) {
  fn();
  const start = performance.now();
  let result;
  for (let i = 0; i < repeat; i++) result = fn();
  return [(performance.now() - start) / repeat, result];
}

function fleet(gpuNodes, cpuNodes) {
  return resolveClusterModel({ name: 'bench', pools: [
    { name: 'a10', instanceType: 'gpu_1x_a10', nodes: gpuNodes },
    { name: 'cpu', instanceType: 'cpu_4x_general', nodes: cpuNodes },
  ] }).model;
}

/** Reading, placement, drains and rollouts of the same tree, each timed on its own (a fresh placement for each simulation). */
function parts(objects, model, repeat) {
  const [read, facts] = time(() => readTree(objects), repeat);
  const [place] = time(() => schedule(facts.groups, nodesOf(model), facts.namespaceLabels), repeat);
  const [drain, drains] = time(() => simulateDrains(facts, model, schedule(facts.groups, nodesOf(model), facts.namespaceLabels)), repeat);
  const [rollout, rollouts] = time(() => simulateRollouts(facts, model, schedule(facts.groups, nodesOf(model), facts.namespaceLabels)), repeat);
  return `  parts: read tree ${read.toFixed(0)} ms, placement ${place.toFixed(0)} ms, drain of each of ${drains.length} nodes ${(drain - place).toFixed(0)} ms (after its placement), `
    + `rollout of each of ${rollouts.length} workloads ${(rollout - place).toFixed(0)} ms (rollout-fits rule, not in plan)`;
}

export default function () {
  console.log(machineLoad());
  for (const [tenants, perTenant, gpuNodes, cpuNodes] of [[10, 20, 64, 40], [40, 25, 380, 180]]) {
    const model = fleet(gpuNodes, cpuNodes);
    const objects = tenantTree(tenants, perTenant);
    const yaml = objects.map((o) => jsYaml.dump(o)).join('---\n');
    const repeat = tenants > 10 ? 2 : 5;
    const [load, parsed] = time(() => jsYaml.loadAll(yaml), repeat);
    const [plan, report] = time(() => planCapacity(parsed, model), repeat);
    const pods = report.pools.reduce((s, p) => s + p.pods, 0) + report.unschedulable.reduce((s, u) => s + u.replicas, 0);
    console.log(`${pods} pods (${objects.length} objects) on ${gpuNodes + cpuNodes} nodes: plan ${plan.toFixed(1)} ms, YAML parse of the tree ${load.toFixed(1)} ms, plan/parse ratio ${(plan / load).toFixed(2)}x, fits=${report.fits}`);
    console.log(parts(parsed, model, repeat));
  }

  const model = fleet(500, 500);
  const rows = [];
  for (const pods of [100, 1000, 10000]) {
    const objects = fleetTree(pods);
    const yaml = objects.map((o) => jsYaml.dump(o)).join('---\n');
    const repeat = pods >= 10000 ? 1 : 3;
    const [load, parsed] = time(() => jsYaml.loadAll(yaml), repeat);
    const [plan, report] = time(() => planCapacity(parsed, model), repeat);
    if (!report.fits) throw new Error(`the fleet case must fit: ${JSON.stringify(report.unschedulable.slice(0, 2))}`);
    rows.push({ pods, plan });
    const target = pods === 10000 ? ` (target < 2000 ms: ${plan < 2000 ? 'met' : 'NOT met'})` : '';
    console.log(`fleet: ${pods} one-replica anti-affinity pods on 1000 nodes: plan ${plan.toFixed(0)} ms${target}, YAML parse of the tree ${load.toFixed(0)} ms, plan/parse ratio ${(plan / load).toFixed(2)}x`);
    console.log(parts(parsed, model, repeat));
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  console.log(`plan growth exponent ${first.pods} -> ${last.pods} pods: ${exponentVerdict(exponent(first.pods, first.plan, last.pods, last.plan), 1.15)}`);

  // grouped against the node-by-node reference on the same groups (fresh nodes for each run)
  const groups = readTree(fleetTree(1000)).groups;
  const [grouped, a] = time(() => schedule(groups, nodesOf(model)), 1);
  const [reference, b] = time(() => schedule(groups, nodesOf(model), new Map(), { grouped: false }), 1);
  const same = a.placed.length === b.placed.length && a.placed.every((p, i) => p.node.name === b.placed[i].node.name && p.pod.name === b.placed[i].pod.name);
  if (!same) throw new Error('grouped and node-by-node scheduling placed pods differently');
  console.log(`scheduler on 1000 pods x 1000 nodes: grouped ${grouped.toFixed(0)} ms, node-by-node reference ${reference.toFixed(0)} ms, ratio ${(reference / grouped).toFixed(1)}x, same placements`);
  console.log(machineLoad());
}
