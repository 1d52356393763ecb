import fc from 'fast-check';
import { diffTrees, HIDDEN, HIDDEN_AFTER, HIDDEN_BEFORE, Manifest, renderJson, renderMarkdown, renderText } from '../../src/diff/index.js';
import { deployment, treeOf } from './fixtures.js';

/** Secret-looking values: a marker prefix (so a hit cannot be an accidental substring) plus random text. */
const secretValue = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `zQsecret${s}`);

function secret(name: string, data: Record<string, string>, stringData: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'apps' }, type: 'Opaque', data, stringData };
}

function externalSecret(template: Record<string, string>): Manifest {
  return {
    apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: 'apps' },
    spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' }, target: { name: 'db', template: { data: template } }, data: [{ secretKey: 'password', remoteRef: { key: 'db/password' } }] },
  };
}

function withEnv(values: Record<string, string>): Manifest {
  return deployment('api', 'apps', { env: Object.entries(values).map(([name, value]) => ({ name, value })) });
}

function allOutputs(base: Manifest[], head: Manifest[]): string[] {
  const report = diffTrees(treeOf(...base), treeOf(...head));
  return [renderJson(report), renderText(report), renderMarkdown(report), renderMarkdown(report, { budget: Infinity }), renderMarkdown(report, { budget: 4_000 })];
}

const keyName = fc.constantFrom('password', 'API_TOKEN', 'tls.key', 'db-url', 'x');
const credentialEnvName = fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'HF_TOKEN', 'SIGNING_KEY', 'BASIC_AUTH');

describe('secret values never reach any output format', () => {
  test('property: Secret data/stringData, ExternalSecret templates and credential-like env values', () => {
    const side = fc.record({
      data: fc.dictionary(keyName, secretValue, { maxKeys: 4 }),
      stringData: fc.dictionary(keyName, secretValue, { maxKeys: 3 }),
      template: fc.dictionary(keyName, secretValue, { maxKeys: 3 }),
      env: fc.dictionary(credentialEnvName, secretValue, { maxKeys: 4 }),
      present: fc.boolean(),
    });
    fc.assert(fc.property(side, side, (before, after) => {
      const build = (s: typeof before) => (s.present ? [secret('creds', s.data, s.stringData), externalSecret(s.template), withEnv(s.env)] : []);
      const values = [before, after].flatMap((s) => [...Object.values(s.data), ...Object.values(s.stringData), ...Object.values(s.template), ...Object.values(s.env)]);
      for (const output of allOutputs(build(before), build(after))) {
        for (const value of values) {
          if (output.includes(value)) throw new Error(`leaked ${JSON.stringify(value)}`);
        }
      }
    }), { numRuns: 150 });
  });

  test('a changed, an added and a removed key are shown as such with their key names', () => {
    const report = diffTrees(
      treeOf(secret('creds', { same: 'zQsecretA', changed: 'zQsecretB', gone: 'zQsecretC' }, {})),
      treeOf(secret('creds', { same: 'zQsecretA', changed: 'zQsecretD', fresh: 'zQsecretE' }, {})),
    );
    expect(report.changes[0].fields).toEqual([
      { path: 'data.changed', before: HIDDEN_BEFORE, after: HIDDEN_AFTER },
      { path: 'data.fresh', before: null, after: HIDDEN },
      { path: 'data.gone', before: HIDDEN, after: null },
    ]);
  });

  test('an env var with a harmless name keeps its value; last-applied-configuration is hidden', () => {
    const base = withEnv({ LOG_LEVEL: 'info', DB_PASSWORD: 'zQsecret1' });
    const head = withEnv({ LOG_LEVEL: 'debug', DB_PASSWORD: 'zQsecret2' });
    (head.metadata as Record<string, unknown>).annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"zQsecret3":1}' };
    const text = renderText(diffTrees(treeOf(base), treeOf(head)));
    expect(text).toContain('+ debug');
    expect(text).toContain('env[name=DB_PASSWORD].value @@\n    - (hidden, before)\n    + (hidden, after)');
    expect(text).not.toMatch(/zQsecret/);
  });

  test('HelmRelease values and Flux postBuild substitutions with credential-like keys are hidden', () => {
    const hr = (password: string) => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'db', namespace: 'data' }, spec: { values: { auth: { rootPassword: password, enabled: true }, replicas: 1 } } });
    const ks = (token: string) => ({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' }, spec: { postBuild: { substitute: { API_TOKEN: token, region: 'us-east' } } } });
    const outputs = allOutputs([hr('zQsecretX'), ks('zQsecretY')], [hr('zQsecretZ'), ks('zQsecretW')]);
    for (const output of outputs) expect(output).not.toMatch(/zQsecret/);
    expect(outputs[0]).toContain('spec.values.auth.rootPassword');
  });
});
