import { jest } from '@jest/globals';
import jsYaml from 'js-yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { lambdaInstanceType } from '../../src/cluster/instance-types.js';
import { LIVE_CATALOG_API_VERSION, LIVE_CATALOG_KIND, LiveCatalogError, parseLiveCatalog, type LiveCatalog, type LiveInstanceType } from '../../src/cluster/lambda-catalog.js';
import { planCapacity } from '../../src/capacity/plan.js';
import { renderPlanMarkdown, renderPlanText } from '../../src/capacity/report.js';
import { utilizationFromOption, utilizationFromPrometheus, UtilizationError } from '../../src/capacity/utilization.js';
import { cluster, deployment, GPU_TOLERATION } from './fixtures.js';

const GPU = { requests: { cpu: '4', memory: '16Gi' }, limits: { 'nvidia.com/gpu': '1' }, tolerations: [GPU_TOLERATION] };
const NOW = new Date('2026-12-02T12:00:00Z');

function liveType(name: string, hourlyUsd: number, regionsWithCapacity: string[], specs: Partial<LiveInstanceType> = {}): LiveInstanceType {
  const t = lambdaInstanceType(name);
  return { description: t.description, gpuDescription: t.gpuModel ?? 'none', hourlyUsd, vcpus: t.vcpus, memoryGiB: t.memoryGiB, storageGiB: t.localDiskGiB ?? 0, gpus: t.gpus, regionsWithCapacity, ...specs };
}

const CATALOG: LiveCatalog = {
  apiVersion: LIVE_CATALOG_API_VERSION, kind: LIVE_CATALOG_KIND, fetchedAt: '2026-12-01T09:30:00.000Z', source: 'https://cloud.lambda.ai/api/v1/instance-types',
  instanceTypes: {
    gpu_1x_a10: liveType('gpu_1x_a10', 1.49, ['us-west-1']),
    gpu_8x_h100_sxm5: liveType('gpu_8x_h100_sxm5', 29.99, ['us-east-1', 'us-west-1'], { memoryGiB: 2000 }),
    cpu_4x_general: liveType('cpu_4x_general', 0.25, ['us-east-1']),
  },
};

describe('plan with a live catalog', () => {
  const model = cluster([
    { name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 },
    { name: 'h100', instanceType: 'gpu_8x_h100_sxm5', nodes: 1, price: { hourlyUsd: 20, readOn: '2026-11-30', source: 'our contract' } },
    { name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 },
    { name: 'gh200', instanceType: 'gpu_1x_gh200', nodes: 1 },
  ], { region: 'us-east-1' });
  const report = planCapacity([deployment('vllm', 'inference', 1, GPU)], model, { catalog: CATALOG, now: NOW });

  test('pools on the built-in price take the live price, dated with the fetch; a price set on the pool is kept', () => {
    expect(report.cost.pools.map((p) => [p.pool, p.hourlyUsd, p.priceReadOn, p.priceAgeDays])).toEqual([
      ['a10', 1.49, '2026-12-01', 1],
      ['h100', 20, '2026-11-30', 2],
      ['cpu', 0.25, '2026-12-01', 1],
      ['gh200', 2.29, '2026-09-20', 73], // not in the live catalog: keeps the built-in price, and is warned about
    ]);
    expect(report.cost.pools[0].priceSource).toBe('Lambda GET /api/v1/instance-types (https://cloud.lambda.ai/api/v1/instance-types), fetched 2026-12-01T09:30:00.000Z');
    expect(report.cost.monthlyUsd).toBe(Math.round((2 * 1.49 + 20 + 0.25 + 2.29) * 730 * 100) / 100);
  });

  test('per pool: whether the cluster model region has capacity for the instance type now', () => {
    expect(report.capacityNow).toEqual({
      fetchedAt: '2026-12-01T09:30:00.000Z', source: 'https://cloud.lambda.ai/api/v1/instance-types', region: 'us-east-1',
      pools: [
        { pool: 'a10', instanceType: 'gpu_1x_a10', region: 'us-east-1', available: false, offered: true, regionsWithCapacity: ['us-west-1'] },
        { pool: 'h100', instanceType: 'gpu_8x_h100_sxm5', region: 'us-east-1', available: true, offered: true, regionsWithCapacity: ['us-east-1', 'us-west-1'] },
        { pool: 'cpu', instanceType: 'cpu_4x_general', region: 'us-east-1', available: true, offered: true, regionsWithCapacity: ['us-east-1'] },
        { pool: 'gh200', instanceType: 'gpu_1x_gh200', region: 'us-east-1', offered: false, regionsWithCapacity: [] },
      ],
    });
    expect(report.warnings).toEqual(expect.arrayContaining([
      'pool a10: no capacity for gpu_1x_a10 in us-east-1 at 2026-12-01T09:30:00.000Z (capacity in us-west-1); new nodes cannot be launched there now',
      expect.stringMatching(/^pool gh200: gpu_1x_gh200 is not in the live catalog fetched 2026-12-01T09:30:00\.000Z/),
      "pool h100: the live catalog gives gpu_8x_h100_sxm5 208 vCPU, 2000 GiB, 8 GPU(s); the built-in catalog has 208 vCPU, 1800 GiB, 8: set the pool's capacity if the nodes differ",
    ]));
    expect(report.fits).toBe(true); // capacity now is information, not a finding
    const text = renderPlanText(report);
    expect(text).toContain('Capacity now in us-east-1 (Lambda catalog fetched 2026-12-01T09:30:00.000Z):\n  a10 (gpu_1x_a10): NOT available (capacity in us-west-1)\n  h100 (gpu_8x_h100_sxm5): available\n');
    expect(text).toContain('  gh200 (gpu_1x_gh200): not in the live catalog');
    expect(renderPlanMarkdown(report)).toContain('| a10 | `gpu_1x_a10` | NOT available (capacity in us-west-1) |');
  });

  test('without a region in the model the plan says capacity is not checked and lists where capacity is', () => {
    const noRegion = planCapacity([], cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 1 }]), { catalog: CATALOG, now: NOW });
    expect(noRegion.capacityNow?.pools).toEqual([{ pool: 'a10', instanceType: 'gpu_1x_a10', offered: true, regionsWithCapacity: ['us-west-1'] }]);
    expect(noRegion.warnings).toContain("the cluster model names no region: capacity now is not checked (set ClusterModel region, e.g. 'us-east-1')");
    expect(renderPlanText(noRegion)).toContain('Capacity now (no region in the cluster model) (Lambda catalog fetched 2026-12-01T09:30:00.000Z):\n  a10 (gpu_1x_a10): capacity in us-west-1\n');
  });
});

describe('cost per utilized GPU-hour', () => {
  const model = cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 4 }, { name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]);
  const tree = [deployment('vllm', 'inference', 3, GPU)];

  test('allocation-based and utilization-based figures from the GPU pools only', () => {
    const report = planCapacity(tree, model, { now: NOW, utilization: utilizationFromOption('0.87') });
    // 4 A10 at $1.29 x 730 h = $3,766.80 for 2,920 GPU-hours; 3 requested; 87% busy
    expect(report.cost.gpuHour).toEqual({
      gpus: 4, allocatedGpus: 3, gpuPoolsMonthlyUsd: 3766.8, usdPerGpuHour: 1.29, usdPerAllocatedGpuHour: 1.72,
      utilization: 0.87, utilizationSource: '--utilization', usdPerUtilizedGpuHour: 1.4828,
    });
    expect(renderPlanText(report)).toContain('  GPU-hour: $1.290 at list price (4 GPUs); $1.720 per allocated GPU-hour (3 of 4 requested at maximum scale); $1.483 per utilized GPU-hour at 87.0% measured utilization (--utilization)');
  });

  test('a Prometheus /api/v1/query vector: one series, or the mean of several', () => {
    const one = utilizationFromPrometheus(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1764640000, '0.87'] }] } }), 'util.json');
    expect(one).toEqual({ fraction: 0.87, source: 'util.json (1 series)' });
    const several = utilizationFromPrometheus(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [
      { metric: { gpu: '0' }, value: [1, '0.5'] }, { metric: { gpu: '1' }, value: [1, '1'] },
    ] } }), 'util.json');
    expect(several).toEqual({ fraction: 0.75, source: 'util.json (mean of 2 series)' });
  });

  test('bad utilization input is refused with the file and field', () => {
    const bad = (doc: unknown) => () => utilizationFromPrometheus(JSON.stringify(doc), 'u.json');
    expect(bad({ status: 'error', error: 'parse error' })).toThrow('u.json: status: expected "success", got "error" (parse error)');
    expect(bad({ status: 'success', data: { resultType: 'matrix', result: [] } })).toThrow('u.json: data.resultType: expected "vector" (an instant query), got "matrix"');
    expect(bad({ status: 'success', data: { resultType: 'vector', result: [] } })).toThrow(/data\.result: the query returned no series/);
    expect(bad({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, 87] }] } })).toThrow('u.json: data.result[0].value: expected [time, "number"], got [1,87]');
    expect(bad({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, '87'] }] } })).toThrow(/utilization must be a fraction in \(0, 1\], got 87 \(a percentage\? DCGM_FI_DEV_GPU_UTIL is 0-100: divide by 100 in the query\)/);
    expect(() => utilizationFromPrometheus('{', 'u.json')).toThrow(UtilizationError);
    expect(() => utilizationFromOption('87%')).toThrow('--utilization: expected a fraction such as 0.87, got "87%"');
    expect(() => utilizationFromOption('0')).toThrow(/must be a number in \(0, 1\]/);
  });
});

describe('catalog files', () => {
  const valid = JSON.stringify(CATALOG);
  test('a written catalog parses back; a bad one names the file and field', () => {
    expect(parseLiveCatalog(valid, 'c.json')).toEqual(CATALOG);
    const broken = JSON.parse(valid);
    broken.instanceTypes.gpu_1x_a10.hourlyUsd = -1;
    expect(() => parseLiveCatalog(JSON.stringify(broken), 'c.json')).toThrow('c.json: instanceTypes.gpu_1x_a10.hourlyUsd: expected a non-negative number of USD per hour, got -1');
    expect(() => parseLiveCatalog(JSON.stringify({ ...CATALOG, fetchedAt: 'yesterday' }), 'c.json')).toThrow('c.json: fetchedAt: expected an ISO 8601 timestamp, got "yesterday"');
    expect(() => parseLiveCatalog(JSON.stringify({ ...CATALOG, kind: 'Other' }), 'c.json')).toThrow(LiveCatalogError);
    expect(() => parseLiveCatalog('nope', 'c.json')).toThrow(/^c\.json: \(document\): not JSON/);
  });
});

describe('lambda-gitops plan options', () => {
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => { stdout += String(chunk); return true; }) as never);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown) => { stderr += String(chunk); return true; }) as never);
    try {
      return { code: await main(['plan', ...args]), stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'plan-live-'));
  const modelFile = join(dir, 'cluster.yaml');
  writeFileSync(modelFile, jsYaml.dump({ name: 'lab', region: 'us-west-1', pools: [{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 }] }));
  const catalogFile = join(dir, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify(CATALOG));
  const utilFile = join(dir, 'util.json');
  writeFileSync(utilFile, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.5'] }] } }));
  const treeDir = mkdtempSync(join(tmpdir(), 'plan-tree-'));
  writeFileSync(join(treeDir, 'vllm.yaml'), jsYaml.dump(deployment('vllm', 'inference', 1, GPU)));

  test('--catalog, --utilization-file, --today and --max-price-age-days', async () => {
    const { code, stdout } = await cli([treeDir, '--cluster', modelFile, '--catalog', catalogFile, '--utilization-file', utilFile, '--today', '2026-12-02', '--max-price-age-days', '0', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.cost.pools[0]).toMatchObject({ hourlyUsd: 1.49, priceReadOn: '2026-12-01', priceAgeDays: 1 });
    expect(report.cost.gpuHour).toMatchObject({ utilization: 0.5, utilizationSource: `${utilFile} (1 series)`, usdPerUtilizedGpuHour: 2.98 });
    expect(report.capacityNow.pools[0]).toMatchObject({ region: 'us-west-1', available: true });
    expect(report.warnings).toContain("pool a10 (gpu_1x_a10 at $1.49/h): the price is of 2026-12-01, 1 day ago (more than 0); prices drift: refresh it with 'lambda-gitops catalog refresh' and 'plan --catalog FILE', or set the pool's price and priceReadOn");
  });

  test('bad options and files exit 2 with the reason', async () => {
    expect((await cli([treeDir, '--cluster', modelFile, '--utilization', '0.5', '--utilization-file', utilFile])).stderr).toMatch(/give --utilization or --utilization-file, not both/);
    expect((await cli([treeDir, '--cluster', modelFile, '--today', '2026-13-45'])).code).toBe(2);
    expect((await cli([treeDir, '--cluster', modelFile, '--max-price-age-days', 'ten'])).stderr).toMatch(/--max-price-age-days must be a whole number of days, got 'ten'/);
    const missing = await cli([treeDir, '--cluster', modelFile, '--catalog', join(dir, 'none.json')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/none\.json: \(file\): cannot read: no such file or directory/) });
    const pct = await cli([treeDir, '--cluster', modelFile, '--utilization', '87']);
    expect(pct).toMatchObject({ code: 2, stderr: expect.stringMatching(/a percentage\?/) });
  });
});
