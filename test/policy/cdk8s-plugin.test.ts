import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyGatePlugin, type ValidationContextLike } from '../../src/policy/cdk8s-plugin.js';

function context(manifests: string[]) {
  const violations: Parameters<ValidationContextLike['report']['addViolation']>[0][] = [];
  const submitted: string[] = [];
  const logs: string[] = [];
  const ctx: ValidationContextLike = {
    manifests,
    logger: { log: (m) => logs.push(m) },
    report: { addViolation: (v) => violations.push(v), submit: (s) => submitted.push(s) },
  };
  return { ctx, violations, submitted, logs };
}

describe('PolicyGatePlugin (cdk8s validation plugin)', () => {
  test('a compliant synth output submits success with no violations', async () => {
    const { ctx, violations, submitted, logs } = context(['test/policy/trees/compliant/namespace.yaml', 'test/policy/trees/compliant/web.yaml']);
    await new PolicyGatePlugin().validate(ctx);
    expect(violations).toEqual([]);
    expect(submitted).toEqual(['success']);
    expect(logs[0]).toMatch(/^lambda-gitops policy gate: 0 failed/);
  });

  test('a violating manifest submits failure with the same messages as the CLI, one violation per rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-plugin-'));
    const web = readFileSync('test/policy/trees/compliant/web.yaml', 'utf8').replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true');
    writeFileSync(join(dir, 'web.yaml'), web);
    const { ctx, violations, submitted } = context(['test/policy/trees/compliant/namespace.yaml', join(dir, 'web.yaml')]);
    await new PolicyGatePlugin().validate(ctx);
    expect(submitted).toEqual(['failure']);
    expect(violations).toHaveLength(1);
    expect(violations[0].ruleName).toBe('pss-privileged (error): Privileged containers are forbidden');
    expect(violations[0].fix).toMatch(/securityContext\.privileged/);
    expect(violations[0].violatingResources).toEqual([{
      resourceName: 'Deployment team-a/web',
      manifestPath: expect.stringMatching(/web\.yaml$/),
      locations: [expect.stringMatching(/web\.yaml:\d+ \/spec\/template\/spec\/containers\/0\/securityContext\/privileged: container web \(containers\) is privileged$/)],
    }]);
  });

  test('properties select the severity threshold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-plugin-'));
    writeFileSync(join(dir, 'web.yaml'), readFileSync('test/policy/trees/compliant/web.yaml', 'utf8').replace('              cpu: "1"\n', ''));
    const lenient = context(['test/policy/trees/compliant/namespace.yaml', join(dir, 'web.yaml')]);
    await new PolicyGatePlugin().validate(lenient.ctx);
    expect(lenient.submitted).toEqual(['success']);
    expect(lenient.violations.map((v) => v.ruleName)).toEqual(['resources-cpu-limit (warning): A CPU limit is set']);
    const strict = context(['test/policy/trees/compliant/namespace.yaml', join(dir, 'web.yaml')]);
    await new PolicyGatePlugin({ severity: 'warning' }).validate(strict.ctx);
    expect(strict.submitted).toEqual(['failure']);
  });
});
