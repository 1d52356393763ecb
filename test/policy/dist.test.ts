import { expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { runCheck } from '../../src/policy/index.js';

/** The committed rendered tree must pass the gate with zero errors (issue 3, "Policy tests"). */
test('the committed dist/ passes the policy gate with zero errors', async () => {
  expect(existsSync('dist')).toBe(true);
  const report = await runCheck({ paths: ['dist'] });
  const errors = report.results
    .filter((r) => r.result === 'fail')
    .map((r) => `${r.file}:${r.line} ${r.policy}: ${r.message}`);
  expect(errors).toEqual([]);
  expect(report.summary.pass).toBeGreaterThan(0);
});
