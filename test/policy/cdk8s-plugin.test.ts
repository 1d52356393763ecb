import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyGatePlugin, type ValidationContextLike } from '../../src/policy/cdk8s-plugin.js';
import { runCheck } from '../../src/policy/engine.js';
import { createGateReceipt, normalizeGateOptions, RECEIPT_PATH, treeDigest, writeGateReceipt } from '../../src/policy/gate-receipt.js';

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

describe('PolicyGatePlugin reports the render gate result only for the tree the gate saw', () => {
  /** A compliant tree with the receipt a render's gate would leave beside it. */
  async function treeWithReceipt(options: { disable?: string[]; rendered?: { outdir: string; objects: number } } = {}) {
    const root = mkdtempSync(join(tmpdir(), 'lg-receipt-'));
    const files = ['namespace.yaml', 'web.yaml'].map((name) => ({ path: `apps/${name}`, content: readFileSync(`test/policy/trees/compliant/${name}`, 'utf8') }));
    for (const f of files) {
      mkdirSync(join(root, 'apps'), { recursive: true });
      writeFileSync(join(root, f.path), f.content);
    }
    const report = await runCheck({ paths: files.map((f) => join(root, f.path)), severity: 'error', disable: options.disable });
    // a receipt that claims one warning the plugin's own run would not find, so reuse is visible
    const claimed = { ...report, summary: { ...report.summary, warn: 7 } };
    writeGateReceipt(root, createGateReceipt(files, normalizeGateOptions({ severity: 'error', disable: options.disable }), claimed, options.disable?.includes('schema-valid') ?? false, options.rendered));
    return { root, manifests: files.map((f) => join(root, f.path)) };
  }

  test('an unchanged tree with the same options: the receipt is reported, no second evaluation', async () => {
    const { manifests } = await treeWithReceipt({ disable: ['schema-valid'] });
    const { ctx, submitted, logs } = context(manifests);
    await new PolicyGatePlugin().validate(ctx);
    expect(submitted).toEqual(['success']);
    expect(logs[0]).toMatch(/^lambda-gitops policy gate: 0 failed, 7 warnings, .*\(result of the render's gate for this tree, sha256 [0-9a-f]{12}\)$/);
  });

  test('a receipt from a render names the directory it replaced and its counts first', async () => {
    const { manifests } = await treeWithReceipt({ disable: ['schema-valid'], rendered: { outdir: 'dist/', objects: 2 } });
    const { ctx, logs } = context(manifests);
    await new PolicyGatePlugin().validate(ctx);
    expect(logs[0]).toMatch(/^dist\/: 2 objects in 2 files rendered; lambda-gitops policy gate: 0 failed, 7 warnings, .*\(result of the render's gate for this tree/);
  });

  test('a file changed after the gate ran is evaluated again and its violation fails synth', async () => {
    const { manifests } = await treeWithReceipt({ disable: ['schema-valid'] });
    writeFileSync(manifests[1], readFileSync(manifests[1], 'utf8').replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true'));
    const { ctx, submitted, logs, violations } = context(manifests);
    await new PolicyGatePlugin().validate(ctx);
    expect(submitted).toEqual(['failure']);
    expect(violations.map((v) => v.ruleName)).toEqual(['pss-privileged (error): Privileged containers are forbidden']);
    expect(logs[0]).toMatch(/evaluated here: the manifests changed after the gate evaluated them\)$/);
  });

  test('a file the gate did not see, or other plugin options, are evaluated here', async () => {
    const extra = await treeWithReceipt({ disable: ['schema-valid'] });
    const added = join(extra.root, 'apps/more.yaml');
    writeFileSync(added, readFileSync(extra.manifests[0], 'utf8').replace(/name: team-a/, 'name: team-b'));
    const one = context([...extra.manifests, added]);
    await new PolicyGatePlugin().validate(one.ctx);
    expect(one.logs[0]).toMatch(/evaluated here: the manifests are not the files the gate evaluated\)$/);

    const options = await treeWithReceipt({ disable: ['schema-valid'] });
    const two = context(options.manifests);
    await new PolicyGatePlugin({ severity: 'warning' }).validate(two.ctx);
    expect(two.logs[0]).toMatch(/evaluated here: the gate ran with other options\)$/);
  });

  test('schema-valid left to the render only counts as run when the render validated schemas', async () => {
    const { manifests } = await treeWithReceipt({ disable: ['schema-valid'] });
    // rewrite the receipt as if the render had not validated schemas
    const receiptPath = join(manifests[0], '..', '..', RECEIPT_PATH);
    writeFileSync(receiptPath, readFileSync(receiptPath, 'utf8').replace('"schemaValidated":true', '"schemaValidated":false'));
    const { ctx, logs } = context(manifests);
    await new PolicyGatePlugin().validate(ctx);
    expect(logs[0]).toMatch(/evaluated here: the gate ran with other options\)$/);
  });
});

test('treeDigest binds paths and bytes, independent of order', () => {
  const a = { path: 'a.yaml', content: 'x: 1\n' };
  const b = { path: 'b.yaml', content: 'y: 2\n' };
  expect(treeDigest([a, b])).toBe(treeDigest([b, a]));
  expect(treeDigest([a, b])).not.toBe(treeDigest([a, { ...b, content: 'y: 3\n' }]));
  expect(treeDigest([a, b])).not.toBe(treeDigest([a, { ...b, path: 'c.yaml' }]));
  expect(treeDigest([{ path: 'ab', content: 'c' }])).not.toBe(treeDigest([{ path: 'a', content: 'bc' }]));
});
