/**
 * Kubernetes objects that hold secret values in every shape the masking policy covers (issue 11
 * items 1 and 2, and more). Each shape takes its own value so a leak names the shape.
 */
import fc from 'fast-check';
import { Manifest } from '../../src/diff/index.js';

/** Values of every shape, generated per case. */
export interface PlantedSecrets {
  /** Free text (any characters, also quotes, backslashes, `@`, non-ASCII, newlines). */
  readonly text: Record<TextShape, string>;
  /** No spaces, quotes or URL delimiters: values inside URLs, flags and assignments. */
  readonly word: Record<WordShape, string>;
  /** Numbers at credential positions. */
  readonly number: Record<NumberShape, number>;
  /** A GitHub token placed where no name says it is a credential. */
  readonly githubToken: string;
}

export const TEXT_SHAPES = [
  'secretData', 'secretDataBase64', 'secretStringData', 'scalarData', 'lowercaseKindListStringData', 'secretInList',
  'envPassword', 'envDbPwd', 'envSshPrivkey', 'envJwt', 'envStripeSk', 'extraEnvVars', 'helmApiKeysList', 'helmPasswordMapping',
  'helmNestedAuth', 'configMapPasswordKey', 'esoTemplateLiteral', 'esoTemplateData', 'fakeProviderData', 'substitute',
  'lastAppliedInPodTemplate', 'sealedSecret', 'kedaTriggerPassword',
] as const;
export type TextShape = (typeof TEXT_SHAPES)[number];

export const WORD_SHAPES = ['urlPassword', 'gitRepositoryUrl', 'flagEquals', 'flagSpaced', 'shellAssignment', 'configFileAssignment', 'bearerHeader'] as const;
export type WordShape = (typeof WORD_SHAPES)[number];

export const NUMBER_SHAPES = ['numericStringData', 'numericEnv', 'numericHelmValue'] as const;
export type NumberShape = (typeof NUMBER_SHAPES)[number];

const TEXT_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', ' ', '"', "'", '\\', '@', ':', '/', '%', '+', '=', '_', '*', '|', '#', '&', '<', '>', '`', '$', '{', '}', '[', ']', 'é', '日', '€', '\n', '\t'];
const WORD_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', '.', '_', '~', '!', '*', '+', '-'];

/** `Zq` plus at least 8 random characters: long enough that an accidental match in output is impossible. */
const textSecret = fc.string({ unit: fc.constantFrom(...TEXT_CHARS), minLength: 8, maxLength: 40 }).map((s) => `Zq${s}`);
const wordSecret = fc.string({ unit: fc.constantFrom(...WORD_CHARS), minLength: 8, maxLength: 32 }).map((s) => `Zq${s}`);
const numberSecret = fc.integer({ min: 10_000_000, max: 2_147_483_647 });
const githubToken = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 36, maxLength: 40 }).map((s) => `ghp_${s}`);

function recordOf<K extends string, V>(keys: readonly K[], value: fc.Arbitrary<V>): fc.Arbitrary<Record<K, V>> {
  return fc.record(Object.fromEntries(keys.map((k) => [k, value])) as { [P in K]: fc.Arbitrary<V> }) as fc.Arbitrary<Record<K, V>>;
}

/** One side's secrets. */
export const plantedSecrets: fc.Arbitrary<PlantedSecrets> = fc.record({
  text: recordOf(TEXT_SHAPES, textSecret),
  word: recordOf(WORD_SHAPES, wordSecret),
  number: recordOf(NUMBER_SHAPES, numberSecret),
  githubToken,
});

/** Every secret value of a side (the strings searched for in outputs). */
export function valuesOf(secrets: PlantedSecrets): string[] {
  return [...Object.values(secrets.text), ...Object.values(secrets.word), ...Object.values(secrets.number).map(String), secrets.githubToken];
}

/** The forms searched for: the value, its base64 and its URL-encoded form. */
export function searchedForms(value: string): string[] {
  return [value, Buffer.from(value, 'utf8').toString('base64'), encodeURIComponent(value)];
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const NS = 'apps';

/** The objects of one side with every secret planted. */
export function plantedObjects(s: PlantedSecrets): Manifest[] {
  const t = s.text;
  const w = s.word;
  const n = s.number;
  const secret = (name: string, extra: Record<string, unknown>): Manifest => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, type: 'Opaque', ...extra });
  const container = {
    name: 'api',
    image: 'ghcr.io/acme/api:1.0.0',
    command: ['sh', '-c', `DB_PASSWORD=${w.shellAssignment} exec /app/run`],
    args: [`--password=${w.flagEquals}`, '--api-key', w.flagSpaced, '--max-num-batched-tokens=8192'],
    env: [
      { name: 'DB_PASSWORD', value: t.envPassword },
      { name: 'DB_PWD', value: t.envDbPwd },
      { name: 'SSH_PRIVKEY', value: t.envSshPrivkey },
      { name: 'JWT', value: t.envJwt },
      { name: 'STRIPE_SK', value: t.envStripeSk },
      { name: 'ADMIN_PASSWORD', value: n.numericEnv },
      { name: 'DATABASE_URL', value: `postgres://app:${w.urlPassword}@db.apps.svc:5432/app` },
      { name: 'LOG_LEVEL', value: 'info' },
    ],
    readinessProbe: { httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'Authorization', value: `Bearer ${w.bearerHeader}` }] } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
  };
  const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { password: t.lastAppliedInPodTemplate } });
  return [
    secret('plain', { data: { password: t.secretData, token: b64(t.secretDataBase64) }, stringData: { pin: n.numericStringData, note: t.secretStringData } }),
    secret('scalar', { data: b64(t.scalarData) }),
    { apiVersion: 'core/v1', kind: 'secret', metadata: { name: 'odd', namespace: NS }, stringData: [t.lowercaseKindListStringData] },
    { apiVersion: 'v1', kind: 'List', metadata: { name: 'bundle', namespace: NS }, items: [secret('in-list', { stringData: { password: t.secretInList } })] },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: NS },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'api' } },
        template: { metadata: { labels: { app: 'api' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, spec: { containers: [container] } },
      },
    },
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'db', namespace: NS },
      spec: {
        interval: '10m', chart: { spec: { chart: 'postgresql', version: '15.5.0', sourceRef: { kind: 'HelmRepository', name: 'bitnami' } } },
        values: {
          apiKeys: [t.helmApiKeysList, 'second'],
          password: { value: t.helmPasswordMapping },
          auth: { rootPassword: t.helmNestedAuth, database: 'app', port: n.numericHelmValue, existingSecret: 'db-auth' },
          extraEnvVars: [{ name: 'ADMIN_TOKEN', value: t.extraEnvVars }],
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
        },
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: NS }, data: { password: t.configMapPasswordKey, 'app.properties': `db.url=jdbc:x\ndb.password=${w.configFileAssignment}\n`, notes: `token for ci: ${s.githubToken}` } },
    {
      apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: NS },
      spec: {
        secretStoreRef: { kind: 'SecretStore', name: 'fake' },
        target: { name: 'db', template: { data: { dsn: t.esoTemplateData }, templateFrom: [{ literal: t.esoTemplateLiteral }] } },
        data: [{ secretKey: 'password', remoteRef: { key: 'db/password' } }],
      },
    },
    { apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', metadata: { name: 'fake', namespace: NS }, spec: { provider: { fake: { data: [{ key: 'db/password', value: t.fakeProviderData, version: 'v1' }] } } } },
    { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system' }, spec: { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'platform' }, postBuild: { substitute: { API_TOKEN: t.substitute, region: 'us-east-1' } } } },
    { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'platform', namespace: 'flux-system' }, spec: { interval: '5m', url: `https://x-access-token:${w.gitRepositoryUrl}@github.com/acme/platform.git`, ref: { branch: 'main' } } },
    { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'sealed', namespace: NS }, spec: { encryptedData: { password: t.sealedSecret } } },
    { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'api', namespace: NS }, spec: { scaleTargetRef: { name: 'api' }, triggers: [{ type: 'redis', metadata: { address: 'redis:6379', password: t.kedaTriggerPassword, listName: 'jobs' } }] } },
  ];
}
