import jsYaml from 'js-yaml';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../support/run-cli.js';
import { planCapacity } from '../../src/capacity/plan.js';
import { planDelta, renderPlanDeltaMarkdown } from '../../src/capacity/delta.js';
import { renderPlanMarkdown, renderPlanText, utilizationChart } from '../../src/capacity/report.js';
import { cluster, deployment, GPU_TOLERATION, quota } from './fixtures.js';

const GPU = { requests: { cpu: '4', memory: '16Gi' }, limits: { 'nvidia.com/gpu': '1' }, tolerations: [GPU_TOLERATION] };
const MODEL_CONFIGMAP = {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-model', namespace: 'flux-system', labels: { 'lambda-gitops.dev/cluster-model': 'true' } },
  data: { 'cluster.yaml': 'name: lab\npools:\n  - {name: a10, instanceType: gpu_1x_a10, nodes: 2}\n  - {name: cpu, instanceType: cpu_4x_general, nodes: 1}\n' },
};

function tree(objects: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  mkdirSync(join(dir, 'apps'));
  objects.forEach((o, i) => writeFileSync(join(dir, 'apps', `object-${i}.yaml`), jsYaml.dump(o)));
  writeFileSync(join(dir, 'apps', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n');
  return dir;
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(['plan', ...args]);
}

describe('lambda-gitops plan', () => {
  test('JSON output has the documented shape; exit 0 when it fits', async () => {
    const dir = tree([MODEL_CONFIGMAP, deployment('vllm', 'inference', 2, GPU)]);
    const { code, stdout } = await cli([dir, '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['fits', 'pools', 'unschedulable', 'quotas', 'drains', 'cost', 'cluster', 'warnings']); // capacityNow only with --catalog
    expect(report.fits).toBe(true);
    // Both GPUs are taken: draining either node strands one vLLM pod; no PDB, so the drain finishes.
    expect(report.drains).toEqual([{
      pool: 'a10', nodes: 2, maxEvicted: 1, hangs: false,
      stranded: ['a10-0', 'a10-1'].map((node) => ({
        node, resource: 'Deployment/inference/vllm', unplaced: 1,
        reason: '0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 Insufficient nvidia.com/gpu.',
      })),
    }, { pool: 'cpu', nodes: 1, maxEvicted: 0, hangs: false, stranded: [] }]);
    expect(report.pools[0]).toEqual({
      name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2, pods: 2,
      gpu: { requested: 2, allocatable: 2, utilization: 1, physical: 2, timeSlicingReplicas: 1, physicalRequested: 2 },
      cpu: { requested: 8, allocatable: 59.24, utilization: 0.135 },
      memory: { requested: 32, allocatable: 379.16, utilization: 0.0844 },
    });
    expect(Object.keys(report.cost)).toEqual(['monthlyUsd', 'hoursPerMonth', 'pools', 'perNamespace', 'alternatives', 'gpuHour', 'pricesAgedOn', 'maxPriceAgeDays']);
    expect(report.cost.monthlyUsd).toBe(2029.4);
  });

  test('text and Markdown show the drain simulation per pool; a PDB-protected workload without another node hangs', async () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'vllm', namespace: 'inference' }, spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'vllm' } } } };
    const dir = tree([MODEL_CONFIGMAP, deployment('vllm', 'inference', 2, GPU), pdb]);
    const text = (await cli([dir])).stdout;
    expect(text).toContain('a10 (2 nodes): HANGS, up to 1 pod(s) evicted per node');
    expect(text).toContain('a10-0: Deployment/inference/vllm 1 pod(s) without a place behind PodDisruptionBudget inference/vllm (the drain waits forever)');
    expect(text).toContain('cpu (1 node): safe, up to 0 pod(s) evicted per node');
    const markdown = (await cli([dir, '--format', 'markdown'])).stdout;
    expect(markdown).toContain('| a10 | 2 | ❌ hangs | 1 | a10-0: `Deployment/inference/vllm` 1 (PDB inference/vllm)<br>a10-1: `Deployment/inference/vllm` 1 (PDB inference/vllm) |');
  });

  test('exit 1 with the scheduler reason in text when it does not fit', async () => {
    const dir = tree([MODEL_CONFIGMAP, deployment('vllm', 'inference', 3, GPU)]);
    const { code, stdout } = await cli([dir]);
    expect(code).toBe(1);
    expect(stdout).toContain("Capacity plan for cluster 'lab': DOES NOT FIT");
    expect(stdout).toContain('Deployment/inference/vllm (1 pod): 0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 3 Insufficient nvidia.com/gpu.');
  });

  test('--cluster overrides the tree\'s model (YAML file)', async () => {
    const dir = tree([MODEL_CONFIGMAP, deployment('vllm', 'inference', 3, GPU)]);
    const file = join(dir, '..', `bigger-${Date.now()}.yaml`);
    writeFileSync(file, 'name: bigger\npools:\n  - {name: a10, instanceType: gpu_1x_a10, nodes: 3}\n');
    const { code, stdout } = await cli([dir, '--cluster', file, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ fits: true, cluster: 'bigger' });
  });

  test('exit 2 on bad input: invalid cluster file, tree without a model, bad quantity, unknown format', async () => {
    const dir = tree([MODEL_CONFIGMAP, deployment('vllm', 'inference', 1, GPU)]);
    const bad = join(dir, '..', `bad-${Date.now()}.json`);
    writeFileSync(bad, JSON.stringify({ pools: [{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 'two' }] }));
    const badCluster = await cli([dir, '--cluster', bad]);
    expect(badCluster.code).toBe(2);
    expect(badCluster.stderr).toContain(`${bad}: invalid cluster model:\n  - pools[0].nodes: must be a whole number >= 0, got "two"`);

    const noModel = await cli([tree([deployment('vllm', 'inference', 1, GPU)])]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('no ConfigMap labelled lambda-gitops.dev/cluster-model: "true" in the tree; declare a ClusterModel in the app or pass --cluster FILE');

    const badQuantity = await cli([tree([MODEL_CONFIGMAP, deployment('x', 'ns', 1, { requests: { memory: '12 GB' } })])]);
    expect(badQuantity.code).toBe(2);
    expect(badQuantity.stderr).toMatch(/apps\/object-1.yaml: Deployment ns\/x: spec.template.spec.containers\[0\].resources.requests.memory: "12 GB" is not a valid Kubernetes quantity/);

    const format = await cli([dir, '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("--format must be one of text, json, markdown, got 'xml'");

    const missing = await cli([join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
  });
});

describe('reports', () => {
  const model = cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 }, { name: 'shared', instanceType: 'gpu_1x_a10', nodes: 1, timeSlicingReplicas: 4 }]);
  const now = new Date('2026-12-02T00:00:00Z');
  const fits = planCapacity([deployment('vllm', 'inference', 2, GPU), quota('inference', { 'requests.nvidia.com/gpu': '4' })], model, { now });
  const overflow = planCapacity([deployment('vllm', 'inference', 8, GPU), quota('inference', { 'requests.nvidia.com/gpu': '4' })], model, { now });

  test('markdown: verdict, a Mermaid xychart GitHub renders, pool and cost tables with price dates', () => {
    const md = renderPlanMarkdown(overflow);
    expect(md).toContain('### Capacity plan: ❌ does not fit (cluster `test`)');
    expect(utilizationChart(fits)).toBe([
      '```mermaid',
      'xychart-beta',
      '  title "Requested share of allocatable at maximum scale (%)"',
      '  x-axis ["a10 GPU", "a10 CPU", "a10 mem", "shared GPU", "shared CPU", "shared mem"]',
      '  y-axis "Utilization (%)" 0 --> 100',
      '  bar [100, 13.5, 8.4, 0, 0, 0]',
      '```',
    ].join('\n'));
    expect(md).toContain('| shared | 1 x `gpu_1x_a10` | 4/4 slots (100.0%) on 1 physical GPU shared 4 ways, 1 GPU requested |');
    expect(md).toContain('**Unschedulable pods**');
    expect(md).toContain('| Pool | Cloud alternative | GPUs |');
    expect(md).toContain('| `Deployment/inference/vllm` | 2 | 0/3 nodes are available: 3 Insufficient nvidia.com/gpu. |');
    expect(md).toContain('| inference | compute | `requests.nvidia.com/gpu` | 8 | 4 |');
    expect(md).toContain('| Pool | Instances | $/h | Price of | Age | Source | Monthly |');
    expect(md).toMatch(/\| a10 \| 2 x `gpu_1x_a10` \| \$1\.29 \| 2026-09-20 \| 73 days old \| lambda\.ai\/instances, 2026-09-20 transcription [^|]+ \| \$1,883\.40 \|/);
    expect(md).toContain('| **Total** | | | | | | **$2,825.10** |');
    expect(md).toContain('GPU-hour: $1.290 at list price (3 GPUs); $1.290 per allocated GPU-hour (3 of 3 requested at maximum scale); per utilized GPU-hour: give --utilization or --utilization-file');
    expect(md).toContain('| a10 | AWS `g5.xlarge` (A10G 24 GB, us-east-1) | 2 | $1.01 | $1,468.76 | $1,883.40 | +28.2% | 2026-06-17 (168 days old) |');
  });

  test('a CPU pool shows no GPU column figures', () => {
    const cpuOnly = planCapacity([], cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]));
    expect(renderPlanText(cpuOnly)).toContain('  cpu (1 x cpu_4x_general, 0 pods)\n    GPU     none\n');
    expect(renderPlanMarkdown(cpuOnly)).toMatch(/^\| cpu \| 1 x `cpu_4x_general` \| none \|/m);
  });

  test('text: pools, time-sliced slots and cost', () => {
    const text = renderPlanText(fits);
    expect(text).toContain("Capacity plan for cluster 'test': FITS");
    expect(text).toContain('  shared (1 x gpu_1x_a10, 0 pods)\n    GPU     0/4 slots (0.0%) on 1 physical GPU shared 4 ways, 0 GPU requested');
    expect(text).toContain('Quotas: 1 limit(s) checked, 0 exceeded');
    expect(text).toContain('Cost (730 h/month): $2,825.10 per month (price ages as of 2026-12-02; warned past 60 days)');
    expect(text).toMatch(/\n  a10: 2 x gpu_1x_a10 at \$1\.29\/h \(price of 2026-09-20, 73 days old; lambda\.ai\/instances[^\n]*\) = \$1,883\.40\n/);
    expect(text).toContain('  GPU-hour: $1.290 at list price (3 GPUs); $1.935 per allocated GPU-hour (2 of 3 requested at maximum scale)');
    expect(text).toContain("pool a10 (gpu_1x_a10 at $1.29/h): the price is of 2026-09-20, 73 days ago (more than 60)");
  });

  test('planDelta compares GPUs, utilization, cost and verdicts of base and head', () => {
    const smaller = planCapacity([deployment('vllm', 'inference', 1, GPU)], cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 }]), { now });
    const delta = planDelta(smaller, overflow);
    expect(delta).toMatchObject({
      fits: { base: true, head: false },
      gpusRequested: { base: 1, head: 6, change: 5 },
      monthlyUsd: { base: 1883.4, head: 2825.1, change: 941.7 },
      newlyUnschedulable: ['Deployment/inference/vllm'],
      resolved: [],
      unchanged: false,
    });
    expect(delta.pools.map((p) => [p.name, p.gpuUtilization])).toEqual([
      ['a10', { base: 0.5, head: 1, change: 0.5 }],
      ['shared', { head: 1 }],
    ]);
    const md = renderPlanDeltaMarkdown(delta);
    expect(md).toContain('| Verdict | ✅ fits | ❌ does not fit | **changed** |');
    expect(md).toContain('| GPUs requested (max scale) | 1 | 6 | +5 |');
    expect(md).toContain('| Monthly cost | $1,883.40 | $2,825.10 | +$941.70 |');
    expect(md).toContain('| `shared` GPU utilization | — | 100.0% | n/a |');
    expect(planDelta(fits, fits).unchanged).toBe(true);
  });
});

