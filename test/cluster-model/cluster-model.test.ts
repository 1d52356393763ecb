import { App, Testing } from 'cdk8s';
import jsYaml from 'js-yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterModel } from '../../src/cluster/cluster-model.js';
import { MAX_CLUSTER_NODES, resolveClusterModel } from '../../src/cluster/cluster-model-document.js';
import { ClusterModelError, loadClusterModelFile, parseClusterModel } from '../../src/cluster/cluster-model-file.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { manifestsOf, synthesizeObjects } from '../../src/render/synthesize.js';

function configs(app: App): ManifestDirectory {
  return new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' });
}

test('a GPU pool gets GFD labels, the GPU taint, default reservations and allocatable = capacity - reserved', () => {
  const app = Testing.app();
  const model = new ClusterModel(configs(app), 'cluster', { name: 'lambda', pools: { a10: { instanceType: 'gpu_1x_a10', nodes: 2 } } });
  const [pool] = model.document.pools;
  expect(pool.labels).toEqual({
    'node.kubernetes.io/instance-type': 'gpu_1x_a10',
    'lambda-gitops.dev/node-pool': 'a10',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'nvidia.com/gpu.product': 'NVIDIA-A10',
    'nvidia.com/gpu.count': '1',
    'nvidia.com/gpu.replicas': '1',
    'nvidia.com/gpu.sharing-strategy': 'none',
    'feature.node.kubernetes.io/pci-10de.present': 'true',
  });
  expect(pool.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
  // 80m + 1% of 30 cores = 380m; 330Mi + 5% of 200Gi (10240Mi) + 100Mi = 10670Mi; 10% of 1331Gi = 136295Mi (rounded up)
  expect(pool.capacity).toEqual({ cpu: '30', memory: '200Gi', 'ephemeral-storage': '1331Gi', 'nvidia.com/gpu': '1', pods: '110' });
  expect(pool.reserved).toEqual({ cpu: '380m', memory: '10670Mi', 'ephemeral-storage': '136295Mi' });
  expect(pool.allocatable).toEqual({ cpu: '29620m', memory: '194130Mi', 'ephemeral-storage': '1226649Mi', 'nvidia.com/gpu': '1', pods: '110' });
  expect(pool.gpu).toEqual({ model: 'A10', memoryGiB: 24, physicalPerNode: 1, timeSlicingReplicas: 1, advertisedPerNode: 1 });
  expect(pool.price).toMatchObject({ hourlyUsd: 1.29, readOn: '2026-09-20' });
});

test('time-slicing advertises GPUs x replicas and marks the product label -SHARED; CPU pools are untainted', () => {
  const app = Testing.app();
  const model = new ClusterModel(configs(app), 'cluster', {
    pools: {
      shared: { instanceType: 'gpu_2x_h100_sxm5', nodes: 1, timeSlicingReplicas: 4 },
      cpu: { instanceType: 'cpu_4x_general', nodes: 3 },
    },
  });
  const [shared, cpu] = model.document.pools;
  expect(shared.gpu).toMatchObject({ physicalPerNode: 2, timeSlicingReplicas: 4, advertisedPerNode: 8 });
  expect(shared.capacity['nvidia.com/gpu']).toBe('8');
  expect(shared.labels['nvidia.com/gpu.product']).toBe('NVIDIA-H100-80GB-HBM3-SHARED');
  expect(shared.labels['nvidia.com/gpu.sharing-strategy']).toBe('time-slicing');
  expect(cpu.taints).toEqual([]);
  expect(cpu.labels['nvidia.com/gpu.product']).toBeUndefined();
  expect(cpu.capacity['nvidia.com/gpu']).toBe('0');
  // cpu_4x_general has no known local disk: ephemeral storage is not modelled
  expect(cpu.capacity['ephemeral-storage']).toBeUndefined();
});

test('overrides: price, reserved, capacity, labels and taints', () => {
  const app = Testing.app();
  const model = new ClusterModel(configs(app), 'cluster', {
    hoursPerMonth: 720,
    pools: {
      a10: {
        instanceType: 'gpu_1x_a10', nodes: 1, hourlyPriceUsd: 1.29, priceReadOn: '2026-09-20', priceSource: 'lambda.ai/instances',
        reserved: { cpu: '1', memory: '8Gi' }, capacity: { memory: '226Gi', pods: 250 }, labels: { team: 'ml' }, taints: [],
      },
    },
  });
  const [pool] = model.document.pools;
  expect(model.document.hoursPerMonth).toBe(720);
  expect(pool.price).toEqual({ hourlyUsd: 1.29, readOn: '2026-09-20', source: 'lambda.ai/instances' });
  expect(pool.allocatable).toMatchObject({ cpu: '29', memory: '218Gi', pods: '250' });
  expect(pool.labels.team).toBe('ml');
  expect(pool.taints).toEqual([]);
});

test('the model renders as a labelled ConfigMap in flux-system whose cluster.yaml round-trips', () => {
  const app = Testing.app();
  const dir = configs(app);
  new ClusterModel(dir, 'cluster', { name: 'lambda', pools: { a10: { instanceType: 'gpu_1x_a10', nodes: 2, timeSlicingReplicas: 2 } } });
  const objects = synthesizeObjects(app);
  expect(objects).toHaveLength(1);
  expect(objects[0].directory).toBe('infrastructure/configs');
  const cm = objects[0].manifest as any;
  expect(cm).toMatchObject({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'cluster-model', namespace: 'flux-system', labels: { 'lambda-gitops.dev/cluster-model': 'true', 'app.kubernetes.io/managed-by': 'lambda-gitops' } },
  });
  expect(Object.keys(cm.data)).toEqual(['cluster.yaml']);
  const doc = jsYaml.load(cm.data['cluster.yaml']) as any;
  expect(doc).toMatchObject({ apiVersion: 'lambda-gitops.dev/v1alpha1', kind: 'ClusterModel', name: 'lambda', hoursPerMonth: 730 });
  expect(doc.pools[0]).toMatchObject({ name: 'a10', nodes: 2, allocatable: { 'nvidia.com/gpu': '2' } });
  // the rendered document is accepted as is (derived fields agree), directly or as the ConfigMap file
  expect(parseClusterModel(cm.data['cluster.yaml'], 'x.yaml')).toEqual(doc);
  expect(parseClusterModel(jsYaml.dump(cm), 'configmap.yaml')).toEqual(doc);
});

test('invalid construct props name the construct path and the prop', () => {
  const app = Testing.app();
  const dir = configs(app);
  const model = new ClusterModel(dir, 'cluster');
  expect(() => model.addNodePool('a10', { instanceType: 'gpu_1x_a11', nodes: 1 }))
    .toThrow(/configs\/cluster\/a10: invalid 'instanceType' \("gpu_1x_a11"\): unknown Lambda instance type "gpu_1x_a11"; valid names: gpu_1x_a10, /);
  expect(() => model.addNodePool('b', { instanceType: 'gpu_1x_a10', nodes: 1.5 })).toThrow(/invalid 'nodes' \(1.5\): must be a whole number >= 0/);
  expect(() => model.addNodePool('c', { instanceType: 'cpu_4x_general', nodes: 1, timeSlicingReplicas: 2 })).toThrow(/invalid 'timeSlicingReplicas' \(2\): is 2 but cpu_4x_general has no GPU/);
  expect(() => model.addNodePool('d', { instanceType: 'gpu_1x_a10', nodes: 1, reserved: { cpu: '64' } })).toThrow(/invalid 'reserved.cpu' \("64"\): 64 exceeds the node's CPU capacity 30/);
  expect(() => model.addNodePool('e', { instanceType: 'gpu_1x_a10', nodes: 1, hourlyPriceUsd: -1 })).toThrow(/invalid 'hourlyPriceUsd' \(-1\)/);
  expect(() => model.addNodePool('Bad_Pool', { instanceType: 'gpu_1x_a10', nodes: 1 })).toThrow(/invalid 'name'.*must be a DNS label/);
  model.addNodePool('ok', { instanceType: 'gpu_1x_a10', nodes: 1 });
  expect(() => model.addNodePool('ok', { instanceType: 'gpu_1x_a10', nodes: 1 })).toThrow(/a node pool with this name already exists/);
  expect(() => new ClusterModel(dir, 'bad-hours', { hoursPerMonth: 0 })).toThrow(/invalid 'hoursPerMonth' \(0\)/);
});

test('a model without pools fails synth; outside a ManifestDirectory it fails at once', () => {
  const app = Testing.app();
  new ClusterModel(configs(app), 'cluster');
  expect(() => manifestsOf(app)).toThrow(/ClusterModel has no node pools/);
  expect(() => new ClusterModel(Testing.app(), 'loose')).toThrow(/parent chart/);
});

test('--cluster files: YAML and JSON accepted; every bad field is named with the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-model-'));
  const yamlFile = join(dir, 'cluster.yaml');
  writeFileSync(yamlFile, 'pools:\n  - name: a10\n    instanceType: gpu_1x_a10\n    nodes: 3\n');
  expect(loadClusterModelFile(yamlFile).pools[0]).toMatchObject({ name: 'a10', nodes: 3, allocatable: { cpu: '29620m' } });
  const jsonFile = join(dir, 'cluster.json');
  writeFileSync(jsonFile, JSON.stringify({ name: 'x', pools: [{ name: 'h', instanceType: 'gpu_8x_h100_sxm5', nodes: 1 }] }));
  expect(loadClusterModelFile(jsonFile).pools[0].gpu.advertisedPerNode).toBe(8);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, [
    'pools:',
    '  - name: a10', '    instanceType: gpu_1x_a10', '    nodes: -1', '    taints: [{key: nvidia.com/gpu, effect: Sometimes}]', '    colour: blue',
    '  - name: h', '    instanceType: gpu_9x_b300', '    nodes: 1',
    '  - name: c', '    instanceType: cpu_4x_general', '    nodes: 1', '    allocatable: {cpu: "4"}',
  ].join('\n'));
  let error: ClusterModelError | undefined;
  try { loadClusterModelFile(bad); } catch (e) { error = e as ClusterModelError; }
  expect(error).toBeInstanceOf(ClusterModelError);
  expect(error!.message).toContain(`${bad}: invalid cluster model:`);
  expect(error!.problems.map((p) => p.field)).toEqual([
    'pools[0].colour', 'pools[0].nodes', 'pools[0].taints[0].effect', 'pools[1].instanceType', 'pools[2].allocatable.cpu',
  ]);
  expect(error!.message).toContain('pools[2].allocatable.cpu: is "4" but capacity - reserved gives "3880m"');
  expect(() => loadClusterModelFile(join(dir, 'missing.yaml'))).toThrow(/^\S*missing.yaml: cannot read the cluster model: no such file or directory$/);
  writeFileSync(bad, 'pools: [');
  expect(() => loadClusterModelFile(bad)).toThrow(/\(document\): is not valid YAML or JSON/);
});

test('resolve rejects an empty or mistyped document with field paths', () => {
  expect(resolveClusterModel({ pools: [] }).problems).toEqual([{ field: 'pools', message: 'must be a non-empty list of node pools, got []' }]);
  expect(resolveClusterModel({ kind: 'Cluster', pools: [{ name: 'a', instanceType: 'gpu_1x_a10' }] }).problems.map((p) => p.field)).toEqual(['kind', 'pools[0].nodes']);
  expect(resolveClusterModel('nope').problems[0].field).toBe('(document)');
});

test('region: a Lambda region code carried into the rendered model; anything else is refused with the field', () => {
  const app = Testing.app();
  const model = new ClusterModel(configs(app), 'cluster', { region: 'us-east-1' });
  model.addNodePool('a10', { instanceType: 'gpu_1x_a10', nodes: 1 });
  expect(model.document.region).toBe('us-east-1');
  const configMap = synthesizeObjects(app)[0].manifest as unknown as { data: Record<string, string> };
  expect((jsYaml.load(configMap.data['cluster.yaml']) as { region?: string }).region).toBe('us-east-1');
  expect(() => new ClusterModel(configs(Testing.app()), 'cluster', { region: 'us-east-9' })).toThrow(/configs\/cluster: invalid 'region' \("us-east-9"\): must be a Lambda region code \(us-east-1, .*asia-northeast-2\)/);
  expect(resolveClusterModel({ region: 42, pools: [{ name: 'a', instanceType: 'gpu_1x_a10', nodes: 1 }] }).problems.map((p) => p.field)).toEqual(['region']);
  const withoutRegion = resolveClusterModel({ pools: [{ name: 'a', instanceType: 'gpu_1x_a10', nodes: 1 }] }).model!;
  expect(withoutRegion).not.toHaveProperty('region');
});

test(`a cluster model over ${MAX_CLUSTER_NODES} nodes is refused naming the pool (a typo must not exhaust the planner's memory)`, () => {
  const pool = (name: string, nodes: number) => ({ name, instanceType: 'gpu_1x_a10', nodes });
  expect(resolveClusterModel({ name: 'c', pools: [pool('a', 4), pool('b', 100_000_000)] }).problems).toEqual([
    { field: 'pools[1].nodes', message: `is 100000000, 100000004 nodes in all pools: more than the ${MAX_CLUSTER_NODES} nodes Kubernetes supports in one cluster (and the planner simulates); is the number a typo?` },
  ]);
  expect(resolveClusterModel({ name: 'c', pools: [pool('a', 2500), pool('b', 2500)] }).model?.pools.map((p) => p.nodes)).toEqual([2500, 2500]);
});
