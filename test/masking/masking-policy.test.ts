import { describe, expect, test } from '@jest/globals';
import { parseDiffPath, parseDiffReport } from '../../src/diff/index.js';
import { postReview } from '../../src/github/review.js';
import { expectNoLeak, postedOutputs, prContext, stubGitHub } from './support.js';
import { isCredentialName, isSecretPointer, nameWords, SCRUBBED, secretSlots, secretsInText, SecretScrubber, slotPointer } from '../../src/masking/index.js';

describe('credential names', () => {
  test('split into words at separators and camelCase', () => {
    expect(nameWords('SSH_PRIVKEY')).toEqual(['ssh', 'privkey']);
    expect(nameWords('stripeSk')).toEqual(['stripe', 'sk']);
    expect(nameWords('HFToken')).toEqual(['hf', 'token']);
    expect(nameWords('tls.key')).toEqual(['tls', 'key']);
  });

  test.each([
    'password', 'DB_PASSWORD', 'DB_PWD', 'SSH_PRIVKEY', 'JWT', 'STRIPE_SK', 'HF_TOKEN', 'apiKeys', 'api-key', 'tls.key', 'AWS_SECRET_ACCESS_KEY',
    'BASIC_AUTH', 'Authorization', 'OAUTH_CLIENT_SECRET', 'passphrase', 'SENTRY_DSN', 'GITHUB_PAT', 'secretKey', 'rootPassword', 'TOKENS',
  ])('%s is a credential name', (name) => expect(isCredentialName(name)).toBe(true));

  test.each([
    'LOG_LEVEL', 'key', 'keys', 'topologyKey', 'routing_key', 'secretKeyRef', 'existingSecret', 'DB_PASSWORD_FILE', 'TOKEN_TTL', 'MAX_TOKENS',
    'max-num-batched-tokens', 'tokenizer', 'author', 'authority', 'sessionAffinity', 'secretName', 'usePasswordFiles', 'passwordLength', 'defaultMode',
  ])('%s is not a credential name', (name) => expect(isCredentialName(name)).toBe(false));
});

describe('credential shapes in text', () => {
  test('URL passwords, long user-only tokens, but not short users', () => {
    expect(secretsInText('postgres://app:s3cr%40t@db:5432/x')).toEqual(['s3cr%40t']);
    expect(secretsInText('https://ghs_0123456789abcdefXYZ@github.com/acme/x.git')).toEqual(['ghs_0123456789abcdefXYZ']);
    expect(secretsInText('ssh://git@github.com/acme/x.git')).toEqual([]);
  });

  test('flags, assignments and embedded config files', () => {
    expect(secretsInText('--db-password=abc123 --max-tokens=9 --verbose')).toEqual(['abc123']);
    expect(secretsInText('run --api-key xyz789 --port 8080')).toEqual(['xyz789']);
    expect(secretsInText('DB_PASSWORD=hunter22 exec app')).toEqual(['hunter22']);
    expect(secretsInText('db.url=jdbc:x\ndb.password=pw-in-file\n')).toEqual(['pw-in-file']);
    expect(secretsInText('{"apiKey": "k-123456"}')).toEqual(['k-123456']);
  });

  test('placeholders are not credentials', () => {
    expect(secretsInText('--api-key=$(API_KEY) DB_PASSWORD=${DB_PASSWORD} token: {{ .token }}')).toEqual([]);
  });

  test('token formats and authorization values anywhere', () => {
    const ghp = `ghp_${'A1'.repeat(18)}`;
    expect(secretsInText(`note: use ${ghp} for CI`)).toEqual([ghp]);
    expect(secretsInText('Authorization: Bearer abc.def.ghi-123')).toEqual(['abc.def.ghi-123']);
    expect(secretsInText('-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----')).toHaveLength(1);
  });

  test('in our own output, prose after a colon is not an assignment', () => {
    expect(secretsInText('/data/password: must match format "byte"', { assignments: false })).toEqual([]);
  });
});

describe('secret positions', () => {
  test('slots carry the diff path and the JSON pointer; a pointer below a slot is secret', () => {
    const object = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { 'tls.key': 'a2V5' } };
    const slots = secretSlots(object);
    expect(slots.map((s) => [s.id, slotPointer(s), s.part])).toEqual([['data["tls.key"]', '/data/tls.key', false]]);
    expect(isSecretPointer(slots, '/data/tls.key')).toBe(true);
    expect(isSecretPointer(slots, '/data')).toBe(false);
    expect(isSecretPointer(slots, '/metadata/name')).toBe(false);
  });

  test('booleans are never secret; references under credential keys stay visible', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { automountServiceAccountToken: false, volumes: [{ name: 'v', secret: { secretName: 'db', items: [{ key: 'password', path: 'pw' }] } }] } };
    expect(secretSlots(object)).toEqual([]);
  });

  test('a command line: the item after a credential flag', () => {
    const slots = secretSlots({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', args: ['--token', 'T0ken-value', '--port', '80'] }] } });
    expect(slots.map((s) => [s.id, s.value])).toEqual([['spec.containers[name=c].args[1]', 'T0ken-value']]);
  });
});

describe('the scrubber', () => {
  const scrubber = SecretScrubber.of([
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: Buffer.from('plain-text-pw').toString('base64') }, stringData: { pin: 12345678, short: 'abc', flag: 'true' } },
  ]);

  test('removes the value, its base64 and URL-encoded forms, and the plaintext of a base64 value', () => {
    const b64 = Buffer.from('plain-text-pw').toString('base64');
    const text = `a ${b64} b plain-text-pw c ${Buffer.from(b64).toString('base64')} d ${encodeURIComponent('plain-text-pw')}`;
    expect(scrubber.scrubText(text)).toBe(`a ${SCRUBBED} b ${SCRUBBED} c ${SCRUBBED} d ${SCRUBBED}`);
  });

  test('numbers only as whole numbers; short values and words like true are left (they are hidden at their positions)', () => {
    expect(scrubber.scrubText('pin 12345678, line 123456789, abc true')).toBe(`pin ${SCRUBBED}, line 123456789, abc true`);
  });

  test('credential shapes are removed even when their input was not seen', () => {
    expect(new SecretScrubber().scrubText('postgres://u:unseen-pw@db/x')).toBe(`postgres://u:${SCRUBBED}@db/x`);
  });

  test('scrubDeep copies plain objects and arrays and scrubs their strings', () => {
    expect(scrubber.scrubDeep({ message: 'got plain-text-pw', line: 12345678, list: ['plain-text-pw'] })).toEqual({ message: `got ${SCRUBBED}`, line: 12345678, list: [SCRUBBED] });
  });

  test('the objects in a last-applied annotation are scanned too', () => {
    const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { password: 'inside-annotation' } });
    const s = SecretScrubber.of([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } }]);
    expect(s.scrubText('x inside-annotation y')).toBe(`x ${SCRUBBED} y`);
  });
});

describe('a report from an artifact is masked again before it is posted', () => {
  test('diff paths are read back into steps', () => {
    expect(parseDiffPath('spec.template.spec.containers[name=api].env[name="A B"].value')).toEqual([
      { key: 'spec' }, { key: 'template' }, { key: 'spec' }, { key: 'containers' }, { mergeKey: 'name', value: 'api' }, { key: 'env' }, { mergeKey: 'name', value: 'A B' }, { key: 'value' },
    ]);
    expect(parseDiffPath('metadata.labels["app.kubernetes.io/name"]')).toEqual([{ key: 'metadata' }, { key: 'labels' }, { key: 'app.kubernetes.io/name' }]);
    expect(parseDiffPath('spec.ports[port=80].targetPort')).toEqual([{ key: 'spec' }, { key: 'ports' }, { mergeKey: 'port', value: 80 }, { key: 'targetPort' }]);
    expect(parseDiffPath('args[2]')).toEqual([{ key: 'args' }, { index: 2 }]);
    expect(parseDiffPath('spec.containers(order)')).toBeUndefined();
  });

  test('values at secret positions in a hand-written report never reach the comment, check run or annotations', async () => {
    const resource = (kind: string, apiVersion: string) => ({ group: '', apiVersion, kind, namespace: 'apps', name: 'x', file: 'apps/x.yaml' });
    const report = parseDiffReport({
      summary: { added: 1, removed: 0, changed: 2 }, risks: [],
      changes: [
        { action: 'added', resource: resource('Secret', 'v1'), fields: [{ path: 'data', before: null, after: { password: 'artifact-secret-1' } }] },
        { action: 'changed', resource: { ...resource('Deployment', 'apps/v1'), group: 'apps' }, fields: [
          { path: 'spec.template.spec.containers[name=api].env[name=DB_PWD].value', before: 'artifact-secret-2', after: 'artifact-secret-3' },
          { path: 'spec.template.spec.containers[name=api].args[0]', before: '--token=artifact-secret-4', after: '--token=$(TOKEN)' },
        ] },
        { action: 'changed', resource: { ...resource('HelmRelease', 'helm.toolkit.fluxcd.io/v2'), group: 'helm.toolkit.fluxcd.io' }, fields: [
          { path: 'spec.values.apiKeys', before: ['artifact-secret-5'], after: ['artifact-secret-6'] },
          { path: 'spec.values.replicas', before: 1, after: 2 },
        ] },
      ],
    }, 'diff.json');
    const findings = [{ level: 'error' as const, rule: 'x', message: 'got "artifact-secret-2"', file: 'apps/x.yaml', line: 1 }];
    const { client, posted } = stubGitHub('c'.repeat(40));
    await postReview(client, prContext('c'.repeat(40)), { report, findings });
    const outputs = await postedOutputs(posted);
    expectNoLeak(outputs, ['artifact-secret-1', 'artifact-secret-2', 'artifact-secret-3', 'artifact-secret-4', 'artifact-secret-5', 'artifact-secret-6']);
    expect(outputs.comment).toContain("+ '--token=$(TOKEN)'");
    expect(outputs.comment).toContain('+ 2');
  });
});
