/**
 * Issue 11, items 1, 2 and the mentions of item 7: one test per finding. Each failed on main
 * before the masking policy (src/masking) and the output boundary existed.
 */
import { describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { run as check } from '../../src/cli/commands/check.js';
import { run as diff } from '../../src/cli/commands/diff.js';
import { diffTrees, Manifest, renderJson, renderMarkdown, renderText } from '../../src/diff/index.js';
import { annotationsFor } from '../../src/github/check-run.js';
import { validateManifest } from '../../src/schema/index.js';
import { treeOf } from '../diff/fixtures.js';
import { capture, writeTree } from './support.js';

const NS = 'apps';
const secret = (fields: Record<string, unknown>, kind = 'Secret', apiVersion = 'v1'): Manifest => ({ apiVersion, kind, metadata: { name: 'creds', namespace: NS }, type: 'Opaque', ...fields });
const deploymentWith = (container: Record<string, unknown>, templateAnnotations: Record<string, string> = {}): Manifest => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: NS },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'api' } },
    template: { metadata: { labels: { app: 'api' }, annotations: templateAnnotations }, spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/api:1.0.0', ...container }] } },
  },
});

async function checkAllFormats(objects: Manifest[]): Promise<Record<string, string>> {
  const dir = writeTree(objects, false);
  try {
    const outputs: Record<string, string> = {};
    for (const format of ['text', 'json', 'sarif', 'policy-report']) {
      const result = await capture(check, [dir, '--format', format]);
      outputs[format] = result.stdout + result.stderr;
    }
    return outputs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('item 1: policy messages never quote a secret value', () => {
  test('Secret data {password: hunter2}: no format quotes it; schema-valid says (value hidden)', async () => {
    const outputs = await checkAllFormats([secret({ data: { password: 'hunter2' } })]);
    for (const [format, text] of Object.entries(outputs)) {
      expect({ format, leaked: text.includes('hunter2') }).toEqual({ format, leaked: false });
      expect(text).toContain('must match format \\"byte\\" (value hidden)'.replace(/\\/g, format === 'json' || format === 'sarif' ? '\\' : ''));
    }
  });

  test('numeric stringData, numeric credential env values and a scalar data field are not quoted (nor the base64 plaintext)', async () => {
    const outputs = await checkAllFormats([
      secret({ stringData: { pin: 12345678 } }),
      { ...secret({ data: 'c2NhbGFyc2VjcmV0' }), metadata: { name: 'scalar', namespace: NS } },
      deploymentWith({ env: [{ name: 'DB_PASSWORD', value: 87654321 }] }),
    ]);
    for (const [format, text] of Object.entries(outputs)) {
      for (const value of ['12345678', '87654321', 'c2NhbGFyc2VjcmV0', 'scalarsecret']) expect({ format, value, leaked: text.includes(value) }).toEqual({ format, value, leaked: false });
    }
    expect(outputs.text).toContain('/stringData/pin: must be string (value hidden)');
    expect(outputs.text).toContain('/data: must be object (value hidden)');
  });

  test('the schema validator itself hides values at secret positions and keeps them elsewhere', () => {
    expect(validateManifest(secret({ data: { password: 'hunter2' } }))).toEqual([{ path: '/data/password', message: 'must match format "byte" (value hidden)' }]);
    const issues = validateManifest(deploymentWith({ env: [{ name: 'REPLICAS', value: 3 }, { name: 'API_TOKEN', value: 4242 }] }));
    expect(issues.map((i) => i.message)).toEqual(['must be string, got 3', 'must be string (value hidden)']);
  });

  test('diff --check and diff --policy put no value into the Markdown comment', async () => {
    const head = writeTree([secret({ data: { password: 'hunter2' }, stringData: { pin: 12345678 } })], false);
    const base = writeTree([], false);
    const sarif = `${head}.sarif`;
    try {
      await capture(check, [head, '--format', 'sarif', '--output', sarif]);
      for (const extra of [['--check'], ['--policy', sarif]]) {
        const result = await capture(diff, ['--base', base, '--head', head, '--format', 'markdown', ...extra]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('schema-valid');
        expect(result.stdout).not.toMatch(/hunter2|12345678/);
      }
    } finally {
      for (const dir of [head, base, sarif]) rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Each finding of item 2: the object on both sides with a different secret, and where it sits. */
const ITEM_2: Record<string, (s: string) => Manifest> = {
  'HelmRelease values: credential key holding a list': (s) => helmRelease({ apiKeys: [s, `${s}-2`] }),
  'HelmRelease values: credential key holding a mapping': (s) => helmRelease({ password: { value: s } }),
  'env-style list not called env (extraEnvVars)': (s) => helmRelease({ extraEnvVars: [{ name: 'ADMIN_PASSWORD', value: s }] }),
  'a Secret inside kind: List': (s) => ({ apiVersion: 'v1', kind: 'List', metadata: { name: 'bundle', namespace: NS }, items: [secret({ stringData: { password: s } })] }),
  'last-applied annotation under a pod template': (s) => deploymentWith({}, { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: s } }) }),
  'kind: secret (lower case)': (s) => secret({ stringData: { password: s } }, 'secret'),
  'apiVersion: core/v1': (s) => secret({ stringData: { password: s } }, 'Secret', 'core/v1'),
  'scalar data': (s) => secret({ data: Buffer.from(s).toString('base64') }),
  'list stringData': (s) => secret({ stringData: [s] }),
  'credentials in a URL': (s) => deploymentWith({ env: [{ name: 'DATABASE_URL', value: `postgres://app:${s}@db:5432/app` }] }),
  '--password=.. argument': (s) => deploymentWith({ args: [`--password=${s}`] }),
  'ConfigMap key password': (s) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { password: s } }),
  'ESO templateFrom[].literal': (s) => ({ apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'es', namespace: NS }, spec: { target: { template: { templateFrom: [{ literal: `token: ${s}` }] } } } }),
  'SecretStore provider.fake.data': (s) => ({ apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', metadata: { name: 'fake', namespace: NS }, spec: { provider: { fake: { data: [{ key: 'k', value: s }] } } } }),
  'env DB_PWD': (s) => deploymentWith({ env: [{ name: 'DB_PWD', value: s }] }),
  'env SSH_PRIVKEY': (s) => deploymentWith({ env: [{ name: 'SSH_PRIVKEY', value: s }] }),
  'env JWT': (s) => deploymentWith({ env: [{ name: 'JWT', value: s }] }),
  'env STRIPE_SK': (s) => deploymentWith({ env: [{ name: 'STRIPE_SK', value: s }] }),
};

function helmRelease(values: Record<string, unknown>): Manifest {
  return { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'db', namespace: NS }, spec: { interval: '10m', values } };
}

describe('item 2: diff masking covers every reported shape', () => {
  test.each(Object.entries(ITEM_2))('%s: hidden in text, JSON and Markdown', (_name, build) => {
    const report = diffTrees(treeOf(build('Vq7before')), treeOf(build('Vq7after')));
    expect(report.changes.length).toBe(1);
    for (const output of [renderText(report), renderJson(report), renderMarkdown(report, { budget: Infinity })]) {
      expect(output).not.toContain('Vq7');
      expect(output).toContain('(hidden');
    }
    const added = diffTrees(treeOf(), treeOf(build('Vq7added')));
    for (const output of [renderText(added), renderJson(added), renderMarkdown(added, { budget: Infinity })]) expect(output).not.toContain('Vq7');
  });

  test('values that only look related stay visible: references, lookup keys, counts, ordinary env', () => {
    const build = (n: number) => deploymentWith({
      args: [`--max-num-batched-tokens=${8192 * n}`, `--tokenizer=meta-llama/tok-${n}`],
      env: [
        { name: 'LOG_LEVEL', value: `level-${n}` },
        { name: 'DB_PASSWORD_FILE', value: `/run/secrets/db-${n}` },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `db-creds-${n}`, key: 'password' } } },
      ],
    });
    const text = renderText(diffTrees(treeOf(build(1)), treeOf(build(2))));
    for (const shown of ['--max-num-batched-tokens=16384', '--tokenizer=meta-llama/tok-2', 'level-2', '/run/secrets/db-2', 'db-creds-2']) expect(text).toContain(shown);
    expect(text).not.toContain('(hidden');
    const helm = (zone: string) => helmRelease({ auth: { existingSecret: `db-auth-${zone}` }, tolerations: [{ key: `nvidia.com/${zone}`, operator: 'Exists' }], topologyKey: `topology.kubernetes.io/${zone}` });
    const helmText = renderText(diffTrees(treeOf(helm('a')), treeOf(helm('b'))));
    for (const shown of ['db-auth-b', 'nvidia.com/b', 'topology.kubernetes.io/b']) expect(helmText).toContain(shown);
  });
});

describe('item 7: mentions from PR content are neutralised', () => {
  const findings = [{ level: 'error' as const, rule: 'schema-valid', message: 'owner @octocat, reviewers @acme/platform-team', resource: 'ConfigMap apps/@team', file: 'apps/cm.yaml', line: 3 }];

  test('in the Markdown comment (policy table, risks, summaries)', () => {
    const body = renderMarkdown(diffTrees(treeOf(), treeOf()), { policy: findings, title: 'diff by @someone' });
    expect(body).not.toMatch(/@[A-Za-z0-9]/);
    expect(body).toContain('@\u200Boctocat');
    expect(body).toContain('@\u200Bacme/platform-team');
    expect(body).toContain('@\u200Bsomeone');
  });

  test('an @ inside a word (image digest, e-mail address) is no mention and stays as it is', () => {
    const body = renderMarkdown(diffTrees(treeOf(), treeOf()), { policy: [{ level: 'warning', rule: 'image-digest', message: 'pin ghcr.io/acme/api@sha256:abc, ask ops@example.com' }] });
    expect(body).toContain('api@sha256:abc, ask ops@example.com');
  });

  test('in check-run annotations (message and title)', () => {
    const [annotation] = annotationsFor(findings);
    expect(annotation.message).toBe('owner @\u200Boctocat, reviewers @\u200Bacme/platform-team');
    expect(annotation.title).toBe('schema-valid: ConfigMap apps/@\u200Bteam');
  });
});
