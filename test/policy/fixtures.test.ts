/**
 * Policy tests in the spirit of `kyverno test`: every policy folder must have fixtures that pass
 * and fixtures that fail, and each fixture is checked against the expected result.
 *
 * - `policies/<id>/fixtures/pass/*.yaml`: the rule reports no failure and at least one pass.
 * - `policies/<id>/fixtures/fail/*.yaml`: the rule reports at least one failure.
 * - An object annotated `policy-test.lambda-gitops.dev/expect: pass|fail|skip` must get exactly
 *   that result from the rule (objects without it are context, e.g. the Service a rule looks up).
 * - `policies/<id>/fixtures/common/*.yaml` are loaded with every fixture of that rule.
 * - A file name starting with `v1.NN-` sets the target version (default 1.28, or the rule's `since`).
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICIES_DIR, loadPolicySet, versionNumber } from '../../src/policy/definition.js';
import { runCheck } from '../../src/policy/engine.js';
import { loadManifests } from '../../src/policy/loader.js';

const EXPECT = 'policy-test.lambda-gitops.dev/expect';
const { policies } = loadPolicySet(DEFAULT_POLICIES_DIR);

function yamlFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f)) : [];
}

describe.each(policies.map((p) => [p.definition.id, p] as const))('policy %s', (id, policy) => {
  const fixtures = join(policy.directory, 'fixtures');
  const passes = yamlFiles(join(fixtures, 'pass'));
  const fails = yamlFiles(join(fixtures, 'fail'));
  const common = yamlFiles(join(fixtures, 'common'));

  test('has pass and fail fixtures', () => {
    expect({ id, pass: passes.length > 0, fail: fails.length > 0 }).toEqual({ id, pass: true, fail: true });
  });

  const cases = [...passes.map((f) => ['pass', f] as const), ...fails.map((f) => ['fail', f] as const)];
  if (cases.length === 0) return;
  test.each(cases)('%s fixture %s', async (kind, file) => {
    const versionPrefix = /^v(\d+\.\d+)-/.exec(file.split('/').pop() as string);
    const since = policy.definition.since;
    const version = versionPrefix ? versionPrefix[1] : since && versionNumber(since) > versionNumber('1.28') ? since : '1.28';
    const manifests = loadManifests([file, ...common]);
    const report = await runCheck({ manifests, only: [id], targetVersion: version, includePasses: true });
    const mine = report.results.filter((r) => r.policy === id);
    const failures = mine.filter((r) => r.result === 'fail' || r.result === 'warn');
    if (kind === 'fail') expect(failures.length).toBeGreaterThan(0);
    else {
      expect(failures.map((f) => `${f.resource.kind} ${f.resource.name}: ${f.message}`)).toEqual([]);
      expect(mine.some((r) => r.result === 'pass')).toBe(true);
    }
    for (const entry of manifests.objects) {
      const expected = entry.object.metadata.annotations?.[EXPECT];
      if (!expected) continue;
      const { kind: k, metadata } = entry.object;
      const about = mine.filter((r) => r.resource.kind === k && r.resource.name === metadata.name && r.resource.namespace === metadata.namespace);
      const actual = about.some((r) => r.result === 'fail' || r.result === 'warn') ? 'fail' : about.some((r) => r.result === 'skip') ? 'skip' : about.some((r) => r.result === 'pass') ? 'pass' : 'none';
      expect(`${k} ${metadata.name}: ${actual}`).toBe(`${k} ${metadata.name}: ${expected}`);
    }
  });
});
