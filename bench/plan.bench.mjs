// Cost of `planCapacity` (workload expansion, scheduler simulation with filters, inter-pod
// anti-affinity and scoring, quotas, cost) against reading the same tree from YAML, measured in
// the same process on the same tree: T tenants x W Deployments (GPU and CPU, every other one with
// required anti-affinity on hostname, HPAs), a ResourceQuota per tenant, on a fleet of GPU and CPU
// nodes. The ratio says how much the plan adds to what any tool pays to load the tree.
import jsYaml from 'js-yaml';
import { performance } from 'node:perf_hooks';
import { planCapacity } from '../lib/capacity/plan.js';
import { resolveClusterModel } from '../lib/cluster/cluster-model-document.js';

const TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

function tree(tenants, perTenant) {
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
        ...(w % 2 === 1 ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' }] } } } : {}),
      };
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } } });
      objects.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: ns }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: 3 } });
    }
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

export default function () {
  for (const [tenants, perTenant, gpuNodes, cpuNodes] of [[10, 20, 64, 40], [40, 25, 380, 180]]) {
    const model = resolveClusterModel({ name: 'bench', pools: [
      { name: 'a10', instanceType: 'gpu_1x_a10', nodes: gpuNodes },
      { name: 'cpu', instanceType: 'cpu_4x_general', nodes: cpuNodes },
    ] }).model;
    const objects = tree(tenants, perTenant);
    const yaml = objects.map((o) => jsYaml.dump(o)).join('---\n');
    const repeat = tenants > 10 ? 2 : 5;
    const [load, parsed] = time(() => jsYaml.loadAll(yaml), repeat);
    const [plan, report] = time(() => planCapacity(parsed, model), repeat);
    const pods = report.pools.reduce((s, p) => s + p.pods, 0) + report.unschedulable.reduce((s, u) => s + u.replicas, 0);
    console.log(`${pods} pods (${objects.length} objects) on ${gpuNodes + cpuNodes} nodes: plan ${plan.toFixed(1)} ms, YAML parse of the tree ${load.toFixed(1)} ms, plan/parse ratio ${(plan / load).toFixed(2)}x, fits=${report.fits}`);
  }
}
