import fc from 'fast-check';
import { planCapacity } from '../../src/capacity/plan.js';
import { cluster, daemonSet, deployment, GPU_TOLERATION, hpa, job, type PodOptions } from './fixtures.js';

const GPU = { requests: { cpu: '4', memory: '16Gi' }, limits: { 'nvidia.com/gpu': '1' }, tolerations: [GPU_TOLERATION] };

const NOW = new Date('2026-12-02T12:00:00Z');

test('monthly cost per pool and in total at 730 h, with the price date, its age and source', () => {
  const report = planCapacity([], cluster([
    { name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 },
    { name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 },
  ]), { now: NOW });
  expect(report.cost.hoursPerMonth).toBe(730);
  expect(report.cost.pools).toEqual([
    { pool: 'a10', instanceType: 'gpu_1x_a10', nodes: 2, hourlyUsd: 1.29, priceReadOn: '2026-09-20', priceAgeDays: 73, priceSource: expect.stringContaining('lambda.ai/instances'), monthlyUsd: 1883.4 },
    { pool: 'cpu', instanceType: 'cpu_4x_general', nodes: 1, hourlyUsd: 0.2, priceReadOn: '2026-12-02', priceAgeDays: 0, priceSource: expect.stringContaining('date charged unknown'), monthlyUsd: 146 },
  ]);
  expect(report.cost.monthlyUsd).toBe(2029.4);
  expect(report.cost).toMatchObject({ pricesAgedOn: '2026-12-02', maxPriceAgeDays: 60 });
});

test('prices older than the threshold (default 60 days, configurable) are warned about; fresh ones are not', () => {
  const model = cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 1 }, { name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]);
  const priceWarnings = (r: { warnings: readonly string[] }) => r.warnings.filter((w) => w.includes('price'));
  const old = planCapacity([], model, { now: NOW });
  expect(priceWarnings(old)).toEqual([
    "pool a10 (gpu_1x_a10 at $1.29/h): the price is of 2026-09-20, 73 days ago (more than 60); prices drift: refresh it with 'lambda-gitops catalog refresh' and 'plan --catalog FILE', or set the pool's price and priceReadOn",
    'cloud comparison AWS g5.xlarge: the price is of 2026-06-17, 168 days ago (more than 60); prices drift: the comparison is as old as its source (src/capacity/cloud-prices.ts); read it as an indication',
  ]);
  expect(priceWarnings(planCapacity([], model, { now: NOW, maxPriceAgeDays: 200 }))).toEqual([]);
  expect(priceWarnings(planCapacity([], model, { now: new Date('2026-09-21T00:00:00Z'), maxPriceAgeDays: 100 }))).toEqual([
    'pool cpu (cpu_4x_general at $0.2/h): the price is dated 2026-12-02, in the future; check the date',
    'cloud comparison GCP g2-standard-4: the price is dated 2026-11-26, in the future; check the date',
  ]);
  const undated = planCapacity([], cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 1, price: { hourlyUsd: 1.1 } }]), { now: NOW, maxPriceAgeDays: 1000 });
  expect(undated.cost.pools[0]).not.toHaveProperty('priceAgeDays');
  expect(priceWarnings(undated)).toEqual([expect.stringMatching(/^pool a10 \(gpu_1x_a10 at \$1\.1\/h\): the price has no date \("unknown"\)/)]);
});

test('price overrides and hours per month change the cost', () => {
  const report = planCapacity([], cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 1, price: { hourlyUsd: 1.29, readOn: '2026-09-20', source: 'lambda.ai' } }], { hoursPerMonth: 100 }));
  expect(report.cost.pools[0]).toMatchObject({ hourlyUsd: 1.29, priceReadOn: '2026-09-20', priceSource: 'lambda.ai', monthlyUsd: 129 });
});

test('GPU-hours per namespace at maximum and minimum scale', () => {
  const tree = [
    deployment('vllm', 'inference', 1, GPU), hpa('vllm', 'inference', 1, 3),
    job('train', 'training', 1, GPU),
    deployment('web', 'tools', 2, { requests: { cpu: '100m' } }),
  ];
  const report = planCapacity(tree, cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 4 }, { name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]));
  expect(report.cost.perNamespace).toEqual({
    inference: { gpusAtMax: 3, gpusAtMin: 1, gpuHoursAtMax: 2190, gpuHoursAtMin: 730, usdAtMax: 2825.1, usdAtMin: 941.7 },
    tools: { gpusAtMax: 0, gpusAtMin: 0, gpuHoursAtMax: 0, gpuHoursAtMin: 0, usdAtMax: 0, usdAtMin: 0 },
    training: { gpusAtMax: 1, gpusAtMin: 0, gpuHoursAtMax: 730, gpuHoursAtMin: 0, usdAtMax: 941.7, usdAtMin: 0 },
  });
});

test('cloud alternatives for the same GPUs carry their prices, dates and ages; the A10 is now dearer than AWS and GCP', () => {
  const report = planCapacity([], cluster([
    { name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 },
    { name: 'h100', instanceType: 'gpu_8x_h100_sxm5', nodes: 1 },
    { name: 'a100', instanceType: 'gpu_8x_a100', nodes: 1 },
    { name: 'a6000', instanceType: 'gpu_1x_a6000', nodes: 1 },
  ]), { now: NOW });
  expect(report.cost.alternatives.map((a) => [a.pool, a.offer, a.gpus, a.monthlyUsd, a.lambdaMonthlyUsd, a.lambdaDifferencePercent, a.readOn, a.priceAgeDays])).toEqual([
    ['a10', 'g5.xlarge', 2, 1468.76, 1883.4, 28.2, '2026-06-17', 168],
    ['a10', 'g2-standard-4', 2, 1031.98, 1883.4, 82.5, '2026-11-26', 6],
    ['h100', 'p5.48xlarge', 8, 40179.2, 23301.6, -42, '2026-06-30', 155],
    ['a100', 'p4d.24xlarge', 8, 16029.05, 11621.6, -27.5, '2026-06-30', 155],
  ]);
  expect(report.cost.alternatives[0]).toMatchObject({ provider: 'AWS', region: 'us-east-1', gpu: 'A10G 24 GB', usdPerGpuHour: 1.006, source: expect.stringContaining('3p') });
});

test('unschedulable pods never make minimum scale dearer than maximum (10 replicas, 1 GPU node)', () => {
  const report = planCapacity([deployment('vllm', 'inference', 10, GPU)], cluster([{ name: 'a10', instanceType: 'gpu_1x_a10', nodes: 1, price: { hourlyUsd: 0.75, readOn: '2026-11-26', source: 'test' } }]));
  expect(report.unschedulable).toEqual([expect.objectContaining({ resource: 'Deployment/inference/vllm', replicas: 9 })]);
  // one pod runs on the only node and is paid for; nine are demand nobody pays for, at either scale
  expect(report.cost.perNamespace.inference).toEqual({ gpusAtMax: 10, gpusAtMin: 10, gpuHoursAtMax: 7300, gpuHoursAtMin: 7300, usdAtMax: 547.5, usdAtMin: 547.5 });
});

test('property: per namespace, GPUs, GPU-hours and cost at maximum scale are >= those at minimum scale', () => {
  const workload = fc.record({
    kind: fc.constantFrom('deployment', 'job', 'daemon'),
    namespace: fc.constantFrom('a', 'b', 'c'),
    replicas: fc.integer({ min: 0, max: 6 }),
    gpus: fc.integer({ min: 0, max: 3 }),
    hpa: fc.option(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 })), { nil: undefined }),
  });
  const pools = fc.record({ a10: fc.integer({ min: 0, max: 4 }), h100: fc.integer({ min: 0, max: 1 }), shared: fc.integer({ min: 0, max: 2 }), cpu: fc.integer({ min: 0, max: 2 }) });
  fc.assert(fc.property(fc.array(workload, { maxLength: 8 }), pools, (workloads, sizes) => {
    const tree = workloads.flatMap((w, i) => {
      const name = `w${i}`;
      const o: PodOptions = w.gpus > 0 ? { requests: { cpu: '1', memory: '1Gi' }, limits: { 'nvidia.com/gpu': String(w.gpus) }, tolerations: [GPU_TOLERATION] } : { requests: { cpu: '100m' } };
      if (w.kind === 'job') return [job(name, w.namespace, w.replicas, o)];
      if (w.kind === 'daemon') return [daemonSet(name, w.namespace, o)];
      return w.hpa ? [deployment(name, w.namespace, w.replicas, o), hpa(name, w.namespace, w.hpa[0], w.hpa[0] + w.hpa[1])] : [deployment(name, w.namespace, w.replicas, o)];
    });
    const model = cluster([
      { name: 'a10', instanceType: 'gpu_1x_a10', nodes: sizes.a10 },
      { name: 'h100', instanceType: 'gpu_8x_h100_sxm5', nodes: sizes.h100 },
      { name: 'shared', instanceType: 'gpu_1x_a10', nodes: sizes.shared, timeSlicingReplicas: 4 },
      { name: 'cpu', instanceType: 'cpu_4x_general', nodes: sizes.cpu },
    ]);
    const report = planCapacity(tree, model);
    for (const n of Object.values(report.cost.perNamespace)) {
      expect(n.gpusAtMax).toBeGreaterThanOrEqual(n.gpusAtMin);
      expect(n.gpuHoursAtMax).toBeGreaterThanOrEqual(n.gpuHoursAtMin);
      expect(n.usdAtMax).toBeGreaterThanOrEqual(n.usdAtMin);
    }
  }), { numRuns: 150 });
});
