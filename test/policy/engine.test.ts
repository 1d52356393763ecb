import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossResourceRule, manifestsFromText, PolicyGate, registerCrossResourceRule, runCheck, type CrossResourceRule } from '../../src/policy/index.js';

const pod = (extra: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\nspec:\n  securityContext:\n    sysctls:\n      - name: ${extra}\n        value: "1"\n  containers:\n    - name: c\n      image: x:1\n`;

describe('PolicyGate', () => {
  test('version-gated policies follow the target version', async () => {
    const manifests = manifestsFromText([{ file: 'p.yaml', text: pod('net.ipv4.tcp_keepalive_time') }]);
    const at128 = await runCheck({ manifests, only: ['pss-sysctls'] });
    expect(at128.results.map((r) => `${r.result} line ${r.line} ${r.field}`)).toEqual(['fail line 9 /spec/securityContext/sysctls/0/name']);
    const at129 = await runCheck({ manifests, only: ['pss-sysctls'], targetVersion: '1.29' });
    expect(at129.results).toEqual([]);
    expect(at129.summary.pass).toBe(1);
  });

  test('passes are counted the same whether or not they are listed', async () => {
    const manifests = manifestsFromText([{ file: 'p.yaml', text: pod('net.ipv4.tcp_keepalive_time') }, { file: 'q.yaml', text: pod('kernel.shm_rmid_forced').replace('name: p', 'name: q') }]);
    const gate = new PolicyGate();
    const listed = await gate.evaluate(manifests, { includePasses: true });
    const counted = await gate.evaluate(manifests);
    const passResults = listed.results.filter((r) => r.result === 'pass');
    expect(passResults.length).toBeGreaterThan(10);
    expect(listed.summary.pass).toBe(passResults.length);
    expect(counted.summary).toEqual(listed.summary);
    expect(counted.results).toEqual(listed.results.filter((r) => r.result !== 'pass'));
  });

  test('rules with since above the target version are not evaluated', () => {
    expect(new PolicyGate({ targetVersion: '1.28' }).policies().map((p) => p.id)).not.toContain('pss-host-probes');
    expect(new PolicyGate({ targetVersion: '1.34' }).policies().map((p) => p.id)).toContain('pss-host-probes');
    expect(new PolicyGate({ targetVersion: '1.21' }).policies().map((p) => p.id)).not.toContain('pss-capabilities-restricted');
  });

  test('optional rules are off unless enabled; disabled rules are skipped', () => {
    expect(new PolicyGate().policies().map((p) => p.id)).not.toContain('image-digest');
    expect(new PolicyGate({ enable: ['image-digest'] }).policies().map((p) => p.id)).toContain('image-digest');
    expect(new PolicyGate({ disable: ['probes'] }).policies().map((p) => p.id)).not.toContain('probes');
    expect(() => new PolicyGate({ disable: ['nope'] })).toThrow(/unknown rule id 'nope'/);
  });

  test('a new single-object rule is a folder with a policy.yaml: no code change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-policies-'));
    mkdirSync(join(dir, 'team-label'));
    writeFileSync(join(dir, 'team-label', 'policy.yaml'), [
      'id: team-label', 'title: Objects carry a team label', 'category: Reliability', 'severity: warning',
      'rationale: Ownership.', 'remediation: Add metadata.labels.team.', "message: '{kind} {name} has no team label'",
      'match: {kinds: [ConfigMap]}', 'schema: {required: [metadata], properties: {metadata: {required: [labels], properties: {labels: {required: [team]}}}}}', '',
    ].join('\n'));
    const manifests = manifestsFromText([{ file: 'c.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n' }]);
    const report = await runCheck({ manifests, policiesDir: dir, severity: 'warning' });
    expect(report.failed).toBe(true);
    expect(report.results).toEqual([expect.objectContaining({ policy: 'team-label', result: 'warn', message: 'ConfigMap c has no team label', line: 3, field: '/metadata' })]);
  });

  test('cross-resource rules are registered by name and resolved from policy.yaml', async () => {
    const rule: CrossResourceRule = {
      name: 'test-one-configmap',
      evaluate(ctx) {
        const maps = ctx.index.ofKind('ConfigMap');
        for (const m of maps) (maps.length === 1 ? ctx.pass(m) : ctx.fail(m, `${maps.length} ConfigMaps`, '/metadata/name'));
      },
    };
    registerCrossResourceRule(rule);
    expect(crossResourceRule('test-one-configmap')).toBe(rule);
    expect(() => registerCrossResourceRule({ ...rule })).toThrow(/already registered/);
    const dir = mkdtempSync(join(tmpdir(), 'lg-policies-'));
    mkdirSync(join(dir, 'one-configmap'));
    writeFileSync(join(dir, 'one-configmap', 'policy.yaml'), 'id: one-configmap\ntitle: t\ncategory: Cross-resource\nseverity: error\nrationale: r\nremediation: r\nmessage: m\nrule: test-one-configmap\n');
    const manifests = manifestsFromText([{ file: 'c.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: x}\n' }]);
    const report = await runCheck({ manifests, policiesDir: dir });
    expect(report.results.map((r) => `${r.resource.name} ${r.result} ${r.message}`)).toEqual(['a fail 2 ConfigMaps', 'b fail 2 ConfigMaps']);
  });

  test('an unregistered rule without a module is a clear error naming the policy file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-policies-'));
    mkdirSync(join(dir, 'ghost'));
    writeFileSync(join(dir, 'ghost', 'policy.yaml'), 'id: ghost\ntitle: t\ncategory: API\nseverity: error\nrationale: r\nremediation: r\nmessage: m\nrule: ghost-rule\n');
    await expect(runCheck({ manifests: manifestsFromText([]), policiesDir: dir })).rejects.toThrow(/ghost\/policy\.yaml: rule 'ghost-rule' is not registered/);
  });

  test('a malformed policy definition is rejected with the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-policies-'));
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'policy.yaml'), 'id: bad\ntitle: t\ncategory: Nonsense\nseverity: fatal\nrationale: r\nremediation: r\nmessage: m\n');
    expect(() => new PolicyGate({ policiesDir: dir })).toThrow(/bad\/policy\.yaml: not a valid policy definition: .*\/category.*\/severity/);
  });
});
