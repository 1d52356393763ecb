import { planCapacity, simulatePlan } from '../../src/capacity/plan.js';
import {
  antiAffinityOnHostname, cluster, cronJob, daemonSet, deployment, GPU_TOLERATION, hpa, job, namespace, priorityClass, quota, scaledObject, statefulSet,
} from './fixtures.js';

const A10 = { name: 'a10', instanceType: 'gpu_1x_a10' };
const CPU = { name: 'cpu', instanceType: 'cpu_4x_general' };
const GPU_POD = { requests: { cpu: '4', memory: '16Gi' }, limits: { 'nvidia.com/gpu': '1' }, tolerations: [GPU_TOLERATION] };

describe('fit verdicts on crafted clusters', () => {
  test('exact fit: every allocatable unit of two A10 nodes is requested and everything fits', () => {
    // allocatable of gpu_1x_a10: 29620m CPU, 194130Mi memory, 1 GPU
    const tree = [deployment('vllm', 'inference', 2, { requests: { cpu: '29620m', memory: '194130Mi' }, limits: { 'nvidia.com/gpu': '1' }, tolerations: [GPU_TOLERATION] })];
    const report = planCapacity(tree, cluster([{ ...A10, nodes: 2 }]));
    expect(report.fits).toBe(true);
    expect(report.unschedulable).toEqual([]);
    expect(report.pools).toEqual([{
      name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2, pods: 2,
      gpu: { requested: 2, allocatable: 2, utilization: 1, physical: 2, timeSlicingReplicas: 1, physicalRequested: 2 },
      cpu: { requested: 59.24, allocatable: 59.24, utilization: 1 },
      memory: { requested: 379.16, allocatable: 379.16, utilization: 1 },
    }]);
  });

  test('one GPU short: the last replica is pending with the scheduler message', () => {
    const tree = [deployment('vllm', 'inference', 5, GPU_POD)];
    const report = planCapacity(tree, cluster([{ ...A10, nodes: 4 }]));
    expect(report.fits).toBe(false);
    expect(report.unschedulable).toEqual([{ resource: 'Deployment/inference/vllm', replicas: 1, reason: '0/4 nodes are available: 4 Insufficient nvidia.com/gpu.' }]);
    expect(report.pools[0].gpu).toMatchObject({ requested: 4, allocatable: 4, utilization: 1 });
  });

  test('a taint without toleration: GPU nodes reject by taint, CPU nodes by resources, reasons sorted like the scheduler', () => {
    const model = cluster([{ ...A10, nodes: 1 }, { ...CPU, nodes: 2 }]);
    const gpu = planCapacity([deployment('vllm', 'inference', 1, { limits: { 'nvidia.com/gpu': '1' } })], model);
    expect(gpu.unschedulable).toEqual([{
      resource: 'Deployment/inference/vllm', replicas: 1,
      reason: '0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}, 2 Insufficient nvidia.com/gpu.',
    }]);
    const cpu = planCapacity([deployment('etl', 'data', 1, { requests: { cpu: '8' } })], model);
    expect(cpu.unschedulable[0].reason).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}, 2 Insufficient cpu.');
  });

  test('a node selector no pool satisfies', () => {
    const tree = [deployment('vllm', 'inference', 1, { ...GPU_POD, nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' } })];
    const report = planCapacity(tree, cluster([{ ...A10, nodes: 2 }]));
    expect(report.unschedulable).toEqual([{ resource: 'Deployment/inference/vllm', replicas: 1, reason: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector." }]);
  });

  test('required node affinity operators In, NotIn, Exists, DoesNotExist, Gt, Lt; terms are ORed', () => {
    const model = cluster([{ ...A10, nodes: 1 }, { name: 'h100', instanceType: 'gpu_8x_h100_sxm5', nodes: 1 }]);
    const place = (terms: unknown[]): string[] => {
      const tree = [deployment('w', 'ns', 1, { ...GPU_POD, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } })];
      const { simulation } = simulatePlan(tree, model);
      return simulation.placed.map((p) => p.node.pool);
    };
    const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
    expect(place([expr('nvidia.com/gpu.count', 'Gt', ['4'])])).toEqual(['h100']);
    expect(place([expr('nvidia.com/gpu.count', 'Lt', ['2'])])).toEqual(['a10']);
    expect(place([expr('node.kubernetes.io/instance-type', 'NotIn', ['gpu_1x_a10'])])).toEqual(['h100']);
    expect(place([expr('node.kubernetes.io/instance-type', 'In', ['gpu_1x_a10'])])).toEqual(['a10']);
    expect(place([expr('example.com/missing', 'DoesNotExist'), expr('nope', 'Exists')])).toHaveLength(1);
    expect(place([expr('nope', 'Exists')])).toEqual([]);
    expect(place([expr('nvidia.com/gpu.product', 'Gt', ['1'])])).toEqual([]); // not an integer label
    expect(place([{}])).toEqual([]); // an empty term matches nothing
  });

  test('required anti-affinity on hostname needs more nodes than exist', () => {
    const tree = [deployment('gateway', 'edge', 3, { requests: { cpu: '100m' }, affinity: antiAffinityOnHostname('gateway') })];
    const { report, simulation } = simulatePlan(tree, cluster([{ ...CPU, nodes: 2 }]));
    expect(report.unschedulable).toEqual([{ resource: 'Deployment/edge/gateway', replicas: 1, reason: "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules." }]);
    expect(new Set(simulation.placed.map((p) => p.node.name))).toEqual(new Set(['cpu-0', 'cpu-1']));
  });

  test("an existing pod's anti-affinity keeps other matching pods off its node", () => {
    const tree = [
      statefulSet('db', 'data', 1, { requests: { cpu: '100m' }, labels: { tier: 'db' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { tier: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } }),
      deployment('replica', 'data', 1, { requests: { cpu: '100m' }, labels: { tier: 'db' } }),
    ];
    const report = planCapacity(tree, cluster([{ ...CPU, nodes: 1 }]));
    expect(report.unschedulable).toEqual([{ resource: 'Deployment/data/replica', replicas: 1, reason: "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules." }]);
  });

  test('required pod affinity: the first pod may match itself; others follow it', () => {
    const affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const { simulation, report } = simulatePlan([deployment('cache', 'ns', 3, { requests: { cpu: '100m' }, affinity })], cluster([{ ...CPU, nodes: 3 }]));
    expect(report.fits).toBe(true);
    expect(new Set(simulation.placed.map((p) => p.node.name)).size).toBe(1);
    const lonely = planCapacity([deployment('app', 'ns', 1, { requests: { cpu: '100m' }, affinity })], cluster([{ ...CPU, nodes: 2 }]));
    expect(lonely.unschedulable[0].reason).toBe("0/2 nodes are available: 2 node(s) didn't match pod affinity rules.");
  });

  test('quota overflow at maximum scale fails the plan even though the pods fit', () => {
    const tree = [
      namespace('inference'),
      quota('inference', { 'requests.nvidia.com/gpu': '2', 'requests.cpu': '32', 'requests.memory': '128Gi', 'limits.memory': '1Ti', pods: '10', 'count/services': '5', 'requests.storage': '1Gi' }),
      deployment('vllm', 'inference', 1, GPU_POD),
      hpa('vllm', 'inference', 1, 3),
    ];
    const report = planCapacity(tree, cluster([{ ...A10, nodes: 3 }]));
    expect(report.unschedulable).toEqual([]);
    expect(report.fits).toBe(false);
    expect(report.quotas).toEqual([
      { namespace: 'inference', quota: 'compute', resource: 'requests.nvidia.com/gpu', hard: '2', used: '3', exceeded: true,
        reason: 'exceeded quota: compute, requested: requests.nvidia.com/gpu=3, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=2' },
      { namespace: 'inference', quota: 'compute', resource: 'requests.cpu', hard: '32', used: '12', exceeded: false },
      { namespace: 'inference', quota: 'compute', resource: 'requests.memory', hard: '128Gi', used: '48Gi', exceeded: false },
      { namespace: 'inference', quota: 'compute', resource: 'limits.memory', hard: '1Ti', used: '0', exceeded: true,
        reason: 'failed quota: compute: must specify limits.memory (Deployment/inference/vllm)' },
      { namespace: 'inference', quota: 'compute', resource: 'pods', hard: '10', used: '3', exceeded: false },
    ]);
  });

  test('DaemonSets: one pod per node they tolerate and select; a node too full for it is reported', () => {
    const model = cluster([{ ...A10, nodes: 2 }, { ...CPU, nodes: 3 }]);
    const tree = [
      daemonSet('node-exporter', 'monitoring', { requests: { cpu: '100m', memory: '64Mi' } }),
      daemonSet('gpu-agent', 'monitoring', { requests: { cpu: '100m' }, tolerations: [GPU_TOLERATION], nodeSelector: { 'feature.node.kubernetes.io/pci-10de.present': 'true' } }),
      daemonSet('log-agent', 'monitoring', { requests: { cpu: '3500m' }, tolerations: [{ operator: 'Exists' }] }),
    ];
    const { report, simulation } = simulatePlan(tree, model);
    const where = (name: string) => simulation.placed.filter((p) => p.pod.group.name === name).map((p) => p.node.name).sort();
    expect(where('node-exporter')).toEqual(['cpu-0', 'cpu-1', 'cpu-2']);
    expect(where('gpu-agent')).toEqual(['a10-0', 'a10-1']);
    // cpu_4x_general: 4 cores - 120m reserved = 3880m; 100m used by node-exporter leaves 3780m >= 3500m
    expect(where('log-agent')).toEqual(['a10-0', 'a10-1', 'cpu-0', 'cpu-1', 'cpu-2']);
    expect(report.fits).toBe(true);
    const tooBig = planCapacity([...tree, daemonSet('fat-agent', 'monitoring', { requests: { cpu: '500m' } })], model);
    // the DaemonSet pod is pinned to its node, so the scheduler only evaluates that node
    expect(tooBig.unschedulable).toEqual([{ resource: 'DaemonSet/monitoring/fat-agent', replicas: 3, reason: '0/5 nodes are available: 1 Insufficient cpu.' }]);
  });

  test('time-slicing: a pool advertises GPUs x replicas and reports the physical GPUs behind the slots', () => {
    const model = cluster([{ ...A10, nodes: 1, timeSlicingReplicas: 4 }]);
    const fits = planCapacity([deployment('embed', 'ml', 4, GPU_POD)], model);
    expect(fits.fits).toBe(true);
    expect(fits.pools[0].gpu).toEqual({ requested: 4, allocatable: 4, utilization: 1, physical: 1, timeSlicingReplicas: 4, physicalRequested: 1 });
    const over = planCapacity([deployment('embed', 'ml', 5, GPU_POD)], model);
    expect(over.unschedulable[0]).toEqual({ resource: 'Deployment/ml/embed', replicas: 1, reason: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.' });
    // GFD labels time-sliced nodes NVIDIA-A10-SHARED: a selector for NVIDIA-A10 no longer matches
    const selector = planCapacity([deployment('embed', 'ml', 1, { ...GPU_POD, nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A10' } })], model);
    expect(selector.unschedulable[0].reason).toBe("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
    expect(fits.cost.perNamespace.ml).toMatchObject({ gpusAtMax: 4, gpuHoursAtMax: 730 });
  });

  test('priority order: a higher-priority workload declared later takes the GPU first', () => {
    const tree = [
      priorityClass('batch-low', 100),
      priorityClass('serving-high', 100000),
      job('train', 'ml', 1, { ...GPU_POD, priorityClassName: 'batch-low' }),
      deployment('vllm', 'inference', 1, { ...GPU_POD, priorityClassName: 'serving-high' }),
    ];
    const { report, simulation } = simulatePlan(tree, cluster([{ ...A10, nodes: 1 }]));
    expect(simulation.placed.map((p) => p.pod.group.id)).toEqual(['Deployment/inference/vllm']);
    expect(report.unschedulable).toEqual([{ resource: 'Job/ml/train', replicas: 1, reason: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.' }]);
  });

  test('a PriorityClass missing from the tree is a warning; globalDefault applies to pods without a class', () => {
    const tree = [priorityClass('default-prio', 1000, true), deployment('a', 'ns', 1, { priorityClassName: 'ghost' }), deployment('b', 'ns', 1)];
    const { report, facts } = simulatePlan(tree, cluster([{ ...CPU, nodes: 1 }]));
    expect(facts.groups.map((g) => [g.name, g.priority])).toEqual([['a', 0], ['b', 1000]]);
    expect(report.warnings).toContain("Deployment/ns/a: PriorityClass 'ghost' is not in the tree; the API server rejects its pods unless the class exists in the cluster (simulated at priority 0)");
  });

  test('scale: HPA and KEDA maxima, Jobs at parallelism (capped by completions), CronJobs at their template parallelism', () => {
    const tree = [
      deployment('api', 'ns', 2), hpa('api', 'ns', 1, 6),
      deployment('worker', 'ns', 1), scaledObject('worker', 'ns', 4, 0),
      deployment('keda-default', 'ns', 1), scaledObject('keda-default', 'ns'),
      job('train', 'ns', 3, {}, 2),
      cronJob('nightly', 'ns', 2),
      statefulSet('db', 'ns', 3),
    ];
    const { facts } = simulatePlan(tree, cluster([{ ...CPU, nodes: 1 }]));
    expect(Object.fromEntries(facts.groups.map((g) => [g.name, [g.minReplicas, g.maxReplicas, g.scaledBy ?? null]]))).toEqual({
      'api': [1, 6, 'HorizontalPodAutoscaler/ns/api'],
      'worker': [0, 4, 'ScaledObject/ns/worker'],
      'keda-default': [0, 100, 'ScaledObject/ns/keda-default'],
      'train': [0, 2, null],
      'nightly': [0, 2, null],
      'db': [3, 3, null],
    });
  });

  test('scoring spreads pods like LeastAllocated and breaks ties by node order', () => {
    const { simulation } = simulatePlan([deployment('web', 'ns', 3, { requests: { cpu: '500m', memory: '256Mi' } })], cluster([{ ...CPU, nodes: 3 }]));
    expect(simulation.placed.map((p) => p.node.name)).toEqual(['cpu-0', 'cpu-1', 'cpu-2']);
  });

  test('ephemeral storage and pod count are checked', () => {
    const model = cluster([{ ...A10, nodes: 1, taints: [], capacity: { pods: 2 } }]);
    const disk = planCapacity([deployment('scratch', 'ns', 1, { requests: { 'ephemeral-storage': '2000Gi' } })], model);
    expect(disk.unschedulable[0].reason).toBe('0/1 nodes are available: 1 Insufficient ephemeral-storage.');
    const many = planCapacity([deployment('tiny', 'ns', 3)], model);
    expect(many.unschedulable[0].reason).toBe('0/1 nodes are available: 1 Too many pods.');
  });

  test('no nodes at all', () => {
    expect(planCapacity([deployment('a', 'ns', 1)], cluster([{ ...CPU, nodes: 0 }])).unschedulable[0].reason).toBe('no nodes available to schedule pods');
  });
});

test('suspended Jobs and CronJobs run no pods', () => {
  const suspendedJob = job('paused', 'ns', 4, GPU_POD);
  (suspendedJob.spec as any).suspend = true;
  const suspendedCron = cronJob('nightly', 'ns', 2, GPU_POD);
  (suspendedCron.spec as any).suspend = true;
  const { facts, report } = simulatePlan([suspendedJob, suspendedCron], cluster([{ ...A10, nodes: 1 }]));
  expect(facts.groups.map((g) => g.maxReplicas)).toEqual([0, 0]);
  expect(report.pools[0].gpu.requested).toBe(0);
});

describe('PodTopologySpread (DoNotSchedule)', () => {
  const spread = (maxSkew: number, extra: Record<string, unknown> = {}) => ({
    topologySpreadConstraints: [{ maxSkew, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, ...extra }],
  });

  test('maxSkew 1 over hostnames: pods spread evenly, and a full node blocks the skew', () => {
    const { simulation, report } = simulatePlan([deployment('web', 'ns', 4, { requests: { cpu: '100m' }, extraSpec: spread(1) })], cluster([{ ...CPU, nodes: 2 }]));
    expect(report.fits).toBe(true);
    expect(simulation.placed.map((p) => p.node.name).sort()).toEqual(['cpu-0', 'cpu-0', 'cpu-1', 'cpu-1']);
    // cpu-1 is filled by another workload first; the second web pod would make the skew 2 on cpu-0
    const tree = [
      deployment('filler', 'ns', 1, { requests: { cpu: '3800m' }, nodeSelector: { 'kubernetes.io/hostname': 'cpu-1' } }),
      deployment('web', 'ns', 2, { requests: { cpu: '100m' }, extraSpec: spread(1) }),
    ];
    const blocked = planCapacity(tree, cluster([{ ...CPU, nodes: 2 }]));
    expect(blocked.unschedulable).toEqual([{ resource: 'Deployment/ns/web', replicas: 1, reason: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints." }]);
  });

  test('a node without the topology key is rejected with the missing-label reason; ScheduleAnyway never filters', () => {
    const zone = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } }] };
    const report = planCapacity([deployment('web', 'ns', 1, { requests: { cpu: '100m' }, extraSpec: zone })], cluster([{ ...CPU, nodes: 2 }]));
    expect(report.unschedulable[0].reason).toBe("0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints (missing required label).");
    const soft = { topologySpreadConstraints: [{ ...zone.topologySpreadConstraints[0], whenUnsatisfiable: 'ScheduleAnyway' }] };
    expect(planCapacity([deployment('web', 'ns', 3, { requests: { cpu: '100m' }, extraSpec: soft })], cluster([{ ...CPU, nodes: 2 }])).fits).toBe(true);
  });

  test('only nodes the pod selects count as domains (nodeAffinityPolicy Honor)', () => {
    // the GPU node is not selected, so its zero count does not hold the minimum down
    const model = cluster([{ ...CPU, nodes: 1 }, { ...A10, nodes: 1, taints: [] }]);
    const tree = [deployment('web', 'ns', 3, { requests: { cpu: '100m' }, nodeSelector: { 'lambda-gitops.dev/node-pool': 'cpu' }, extraSpec: spread(1) })];
    expect(planCapacity(tree, model).fits).toBe(true);
    const ignore = [deployment('web', 'ns', 2, { requests: { cpu: '100m' }, nodeSelector: { 'lambda-gitops.dev/node-pool': 'cpu' }, extraSpec: spread(1, { nodeAffinityPolicy: 'Ignore' }) })];
    expect(planCapacity(ignore, model).unschedulable[0].reason).toBe("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't match pod topology spread constraints.");
  });
});
