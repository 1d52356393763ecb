import jsYaml from 'js-yaml';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../support/run-cli.js';
import { resolveClusterModel } from '../../src/cluster/cluster-model-document.js';
import { nodeLabelSource, prepareNodes, runtimeSettingOfTree, type NodePreparation } from '../../src/cluster/node-preparation.js';

function cli(args: string[]): Promise<CliRun> {
  return runCli(['nodes', 'prepare', ...args]);
}

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodeprep-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function model(pools: unknown[]) {
  const result = resolveClusterModel({ name: 'lab', pools });
  if (!result.model) throw new Error(JSON.stringify(result.problems));
  return result.model;
}

describe('lambda-gitops nodes prepare on the default tree (dist/)', () => {
  let prep: NodePreparation;
  let text: string;
  beforeAll(async () => {
    const json = await cli(['dist', '--format', 'json']);
    expect(json.code).toBe(0);
    prep = JSON.parse(json.stdout);
    const plain = await cli(['dist']);
    expect(plain.code).toBe(0);
    text = plain.stdout;
  });

  it('reads the model ConfigMap of the tree and lists every pool', () => {
    expect(prep.cluster).toBe('lambda-prod');
    expect(prep.source).toBe('dist/infrastructure/configs/flux-system.config-map-cluster-model.yaml');
    expect(prep.pools.map((p) => [p.pool, p.nodes, p.nodeNames.length])).toEqual([['a10', 4, 4], ['a10-shared', 2, 2], ['cpu', 3, 3]]);
  });

  it('taints the GPU pools with nvidia.com/gpu=present:NoSchedule and leaves the CPU pool untainted', () => {
    const taints = Object.fromEntries(prep.pools.map((p) => [p.pool, p.taints]));
    expect(taints.a10).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(taints['a10-shared']).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(taints.cpu).toEqual([]);
    expect(text).toContain('kubectl taint node a10-0 a10-1 a10-2 a10-3 --overwrite nvidia.com/gpu=present:NoSchedule\n');
    expect(text).not.toMatch(/kubectl taint node cpu-/);
  });

  it('applies the instance type, pool and device-plugin config labels; leaves kubelet and GFD labels to them', () => {
    const shared = prep.pools.find((p) => p.pool === 'a10-shared')!;
    expect(shared.labels).toEqual({
      'lambda-gitops.dev/node-pool': 'a10-shared',
      'node.kubernetes.io/instance-type': 'gpu_1x_a10',
      'nvidia.com/device-plugin.config': 'a10-shared-4',
    });
    // node-feature-discovery (deployed with GFD) sets the NVIDIA PCI label the DCGM exporter selects
    expect(shared.labelsFromGpuFeatureDiscovery).toMatchObject({ 'nvidia.com/gpu.product': 'NVIDIA-A10-SHARED', 'nvidia.com/gpu.replicas': '4', 'feature.node.kubernetes.io/pci-10de.present': 'true' });
    expect(shared.labelsFromKubelet).toEqual({ 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux' });
    const whole = prep.pools.find((p) => p.pool === 'a10')!;
    expect(whole.labels).not.toHaveProperty('nvidia.com/device-plugin.config');
    expect(prep.pools.find((p) => p.pool === 'cpu')!.labels).toEqual({ 'lambda-gitops.dev/node-pool': 'cpu', 'node.kubernetes.io/instance-type': 'cpu_4x_general' });
    expect(text).toContain('kubectl label node a10-shared-0 a10-shared-1 --overwrite lambda-gitops.dev/node-pool=a10-shared node.kubernetes.io/instance-type=gpu_1x_a10 nvidia.com/device-plugin.config=a10-shared-4\n');
  });

  it('makes the NVIDIA runtime containerd\'s default on GPU pools, as the device plugin release (runtimeClassName unset) expects', () => {
    expect(prep.runtime.mode).toBe('default-runtime');
    expect(prep.runtime.basis).toContain('nvidia-device-plugin.helm-release-nvidia-device-plugin.yaml');
    expect(prep.clusterObjects).toEqual([]);
    for (const pool of prep.pools) {
      expect(pool.hostCommands).toEqual(pool.gpu ? ['nvidia-ctk runtime configure --runtime=containerd --set-as-default && systemctl restart containerd'] : []);
    }
  });

  it('every line of the text output is a kubectl command or a comment (a runnable script)', () => {
    for (const line of text.split('\n').filter((l) => l !== '')) expect(line).toMatch(/^(kubectl (label|taint) node |# )/);
  });

  it('the README bootstrap section shows the same commands the command prints', () => {
    const readme = readFileSync('README.md', 'utf8');
    const kubectlLines = readme.split('\n').map((l) => l.trim()).filter((l) => /^kubectl (label|taint) node /.test(l));
    expect(kubectlLines.length).toBeGreaterThanOrEqual(5);
    for (const line of kubectlLines) expect(text.split('\n')).toContain(line);
  });
});

describe('lambda-gitops nodes prepare with a model file', () => {
  const SHARED_MODEL = jsYaml.dump({
    name: 'lab',
    pools: [
      { name: 'h100-sliced', instanceType: 'gpu_1x_h100_pcie', nodes: 2, timeSlicingReplicas: 2, labels: { 'nvidia.com/device-plugin.config': 'h100-2', team: 'research' } },
      { name: 'infra', instanceType: 'cpu_4x_general', nodes: 1, taints: [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }] },
    ],
  });

  it('derives labels and taints of a time-sliced pool from the model, with the given node names', async () => {
    const path = file('cluster.yaml', SHARED_MODEL);
    const { code, stdout } = await cli(['--cluster', path, '--format', 'json', '--nodes', 'h100-sliced=gpu-a,gpu-b', '--node-name', 'lab-{pool}-{index}']);
    expect(code).toBe(0);
    const prep = JSON.parse(stdout) as NodePreparation;
    expect(prep.source).toBe(path);
    const sliced = prep.pools[0];
    expect(sliced.nodeNames).toEqual(['gpu-a', 'gpu-b']);
    expect(sliced.labels).toEqual({
      'lambda-gitops.dev/node-pool': 'h100-sliced', 'node.kubernetes.io/instance-type': 'gpu_1x_h100_pcie',
      'nvidia.com/device-plugin.config': 'h100-2', team: 'research',
    });
    expect(sliced.labelsFromGpuFeatureDiscovery).toMatchObject({ 'nvidia.com/gpu.replicas': '2', 'nvidia.com/gpu.sharing-strategy': 'time-slicing' });
    expect(sliced.kubectlCommands).toEqual([
      'kubectl label node gpu-a gpu-b --overwrite lambda-gitops.dev/node-pool=h100-sliced node.kubernetes.io/instance-type=gpu_1x_h100_pcie nvidia.com/device-plugin.config=h100-2 team=research',
      'kubectl taint node gpu-a gpu-b --overwrite nvidia.com/gpu=present:NoSchedule',
    ]);
    const infra = prep.pools[1];
    expect(infra.nodeNames).toEqual(['lab-infra-0']);
    expect(infra.hostCommands).toEqual([]);
    expect(infra.kubectlCommands[1]).toBe('kubectl taint node lab-infra-0 --overwrite dedicated=infra:NoExecute');
    // no tree: the chart default (runtimeClassName null) decides
    expect(prep.runtime.mode).toBe('default-runtime');
    expect(prep.runtime.basis).toContain('no nvidia-device-plugin HelmRelease');
  });

  it('a model without a taint override on a GPU pool still gets the default GPU taint; taints: [] gets none', () => {
    const prep = prepareNodes(model([
      { name: 'g', instanceType: 'gpu_1x_a10', nodes: 1 },
      { name: 'open', instanceType: 'gpu_1x_a10', nodes: 1, taints: [] },
    ]), 'x');
    expect(prep.pools[0].kubectlCommands).toContain('kubectl taint node g-0 --overwrite nvidia.com/gpu=present:NoSchedule');
    expect(prep.pools[1].kubectlCommands.some((c) => c.startsWith('kubectl taint'))).toBe(false);
    expect(prep.pools[1].hostCommands).toHaveLength(1);
  });

  it('a device plugin release with runtimeClassName asks for the RuntimeClass and a non-default nvidia handler', () => {
    const release = { object: { kind: 'HelmRelease', metadata: { name: 'ndp', namespace: 'gpu' }, spec: { chart: { spec: { chart: 'nvidia-device-plugin' } }, values: { runtimeClassName: 'nvidia' } } }, source: { file: 'r.yaml' } };
    const runtime = runtimeSettingOfTree([release]);
    expect(runtime).toMatchObject({ mode: 'runtime-class', runtimeClassName: 'nvidia', runtimeClassInTree: false });
    const prep = prepareNodes(model([{ name: 'g', instanceType: 'gpu_1x_a10', nodes: 1 }]), 'x', { runtime });
    expect(prep.pools[0].hostCommands).toEqual(['nvidia-ctk runtime configure --runtime=containerd && systemctl restart containerd']);
    expect(prep.clusterObjects[0]).toContain('kind: RuntimeClass');
    expect(prep.clusterObjects[0]).toContain('handler: nvidia');
    const withClass = runtimeSettingOfTree([release, { object: { kind: 'RuntimeClass', metadata: { name: 'nvidia' } }, source: { file: 'rc.yaml' } }]);
    expect(prepareNodes(model([{ name: 'g', instanceType: 'gpu_1x_a10', nodes: 1 }]), 'x', { runtime: withClass }).clusterObjects).toEqual([]);
  });

  it('classifies label sources', () => {
    expect(nodeLabelSource('kubernetes.io/os')).toBe('kubelet');
    expect(nodeLabelSource('nvidia.com/gpu.product')).toBe('gpu-feature-discovery');
    expect(nodeLabelSource('nvidia.com/cuda.driver-version.major')).toBe('gpu-feature-discovery');
    expect(nodeLabelSource('nvidia.com/gpu.present')).toBe('administrator');
    expect(nodeLabelSource('nvidia.com/device-plugin.config')).toBe('administrator');
  });
});

describe('lambda-gitops nodes prepare: bad input', () => {
  it('an invalid model file exits 2 naming the file and the field', async () => {
    const path = file('bad.yaml', 'pools:\n  - {name: a, instanceType: gpu_9x_nothing, nodes: 1}\n');
    const { code, stdout, stderr } = await cli(['--cluster', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${path}: invalid cluster model`);
    expect(stderr).toContain('pools[0].instanceType');
  });

  it('a missing model file exits 2 naming it', async () => {
    const { code, stderr } = await cli(['--cluster', '/nonexistent/cluster.yaml']);
    expect(code).toBe(2);
    expect(stderr).toBe('lambda-gitops nodes: /nonexistent/cluster.yaml: cannot read the cluster model: no such file or directory\n');
  });

  it('a tree without a model exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nodeprep-tree-'));
    mkdirSync(join(dir, 'apps'));
    writeFileSync(join(dir, 'apps', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n');
    const { code, stderr } = await cli([dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('no ConfigMap labelled lambda-gitops.dev/cluster-model');
  });

  it('node names that do not match the pool size, an unknown pool or a bad pattern exit 2', async () => {
    const path = file('cluster.yaml', 'pools:\n  - {name: a, instanceType: gpu_1x_a10, nodes: 2}\n');
    const wrongCount = await cli(['--cluster', path, '--nodes', 'a=only-one']);
    expect(wrongCount.code).toBe(2);
    expect(wrongCount.stderr).toContain("pool 'a' has 2 node(s) in the model but 1 node name(s) were given");
    const unknown = await cli(['--cluster', path, '--nodes', 'b=x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("pool 'b', which the model does not have");
    const collide = await cli(['--cluster', path, '--node-name', 'gpu']);
    expect(collide.code).toBe(2);
    expect(collide.stderr).toContain('put {index} in the node name pattern');
    const format = await cli(['--cluster', path, '--format', 'yaml']);
    expect(format.code).toBe(2);
  });

  it('an unknown subcommand exits 2', async () => {
    const { code, stderr } = await runCli(['nodes', 'drain']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown subcommand 'drain'");
  });
});
