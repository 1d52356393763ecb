import { existsSync } from 'node:fs';
import { planCapacity } from '../../src/capacity/plan.js';
import { loadManifests } from '../../src/policy/loader.js';

// The committed dist/ (the embedded default platform) must fit its own cluster model.
const run = existsSync('dist/infrastructure/configs') ? test : test.skip;

run('the embedded default tree fits its cluster at maximum scale', () => {
  const report = planCapacity(loadManifests(['dist']).objects);
  expect(report.unschedulable).toEqual([]);
  expect(report.quotas.filter((q) => q.exceeded)).toEqual([]);
  expect(report.fits).toBe(true);
  expect(report.pools.length).toBeGreaterThan(0);
  for (const pool of report.pools) {
    for (const usage of [pool.gpu, pool.cpu, pool.memory]) expect(usage.utilization).toBeLessThanOrEqual(1);
  }
  expect(report.cost.monthlyUsd).toBeGreaterThan(0);
});
