import { App, Testing } from 'cdk8s';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { KubeManifest, manifestsOf, synthesizeObjects } from '../../src/render/synthesize.js';
import {
  DEFAULT_PULUMI_ESC_API_URL, EscExternalSecret, PulumiEscSecretStore, renderSecretVolume, secretsWithData,
} from '../../src/secrets/index.js';
import { validateManifest } from '../../src/schema/validator.js';
import { Tenant } from '../../src/tenancy/tenant.js';

function platform(): { app: App; configs: ManifestDirectory; inference: Tenant } {
  const app = Testing.app();
  const configs = new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' });
  const inference = new Tenant(app, 'inference', { team: 'ml-serving', quota: { requestsCpu: '8', requestsMemory: '16Gi' } });
  return { app, configs, inference };
}

function only(manifests: KubeManifest[], kind: string): any {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

test('the store renders a ClusterSecretStore for one ESC environment with the token from a bootstrap Secret reference', () => {
  const { app, configs } = platform();
  const store = new PulumiEscSecretStore(configs, 'Esc', { organization: 'lambda-ml', project: 'platform', environment: 'production' });
  const [placed] = synthesizeObjects(app).filter((o) => o.manifest.kind === 'ClusterSecretStore');
  expect(placed.directory).toBe('infrastructure/configs');
  const manifest = placed.manifest as any;
  expect(manifest.apiVersion).toBe('external-secrets.io/v1');
  expect(manifest.metadata.name).toBe('pulumi-esc-platform-production');
  expect(manifest.metadata.namespace).toBeUndefined();
  expect(manifest.spec).toEqual({
    provider: {
      pulumi: {
        organization: 'lambda-ml',
        project: 'platform',
        environment: 'production',
        apiUrl: DEFAULT_PULUMI_ESC_API_URL,
        auth: { accessToken: { secretRef: { name: 'pulumi-esc-access-token', namespace: 'external-secrets', key: 'accessToken' } } },
      },
    },
  });
  expect(store.ref).toEqual({ name: 'pulumi-esc-platform-production', kind: 'ClusterSecretStore' });
});

test('store options: name, token reference, API URL, namespace conditions and the pre-2.5 token field', () => {
  const { app, configs } = platform();
  new PulumiEscSecretStore(configs, 'Esc', {
    name: 'esc-staging',
    organization: 'lambda-ml',
    project: 'Platform_Apps',
    environment: 'staging',
    accessTokenSecret: { name: 'esc-token', namespace: 'eso', key: 'PULUMI_ACCESS_TOKEN' },
    apiUrl: 'https://pulumi.internal.example.com/api/esc',
    allowedNamespaces: ['tools', 'inference', 'tools'],
    legacyAccessTokenField: true,
  });
  const spec = only(manifestsOf(app), 'ClusterSecretStore').spec;
  expect(spec.provider.pulumi.accessToken).toEqual({ secretRef: { name: 'esc-token', namespace: 'eso', key: 'PULUMI_ACCESS_TOKEN' } });
  expect(spec.provider.pulumi.auth).toBeUndefined();
  expect(spec.provider.pulumi.apiUrl).toBe('https://pulumi.internal.example.com/api/esc');
  expect(spec.conditions).toEqual([{ namespaces: ['inference', 'tools'] }]);
});

test('the default store name is a valid DNS name even when ESC names are not', () => {
  const { configs } = platform();
  expect(new PulumiEscSecretStore(configs, 'Esc', { organization: 'o', project: 'ML_Platform', environment: 'prod.eu' }).storeName)
    .toBe('pulumi-esc-ml-platform-prod-eu');
});

test('one store per ESC environment and per name', () => {
  const { configs } = platform();
  new PulumiEscSecretStore(configs, 'Esc', { organization: 'o', project: 'p', environment: 'prod' });
  expect(() => new PulumiEscSecretStore(configs, 'Again', { name: 'other', organization: 'o', project: 'p', environment: 'prod' }))
    .toThrow(/configs\/Again: invalid 'environment' \("o\/p\/prod"\): already has a store at configs\/Esc; use one store per ESC environment/);
  expect(() => new PulumiEscSecretStore(configs, 'Clash', { name: 'pulumi-esc-p-prod', organization: 'o', project: 'p', environment: 'dev' }))
    .toThrow(/configs\/Clash: invalid 'name' \("pulumi-esc-p-prod"\): must be unique; configs\/Esc already uses it/);
  // a separate app is a separate registry
  const other = platform();
  expect(() => new PulumiEscSecretStore(other.configs, 'Esc', { organization: 'o', project: 'p', environment: 'prod' })).not.toThrow();
});

test('invalid store props and placement are reported with the construct path and prop', () => {
  const { app, configs, inference } = platform();
  const base = { organization: 'o', project: 'p', environment: 'prod' };
  expect(() => new PulumiEscSecretStore(inference, 'Esc', base)).toThrow(/inference\/Esc: invalid 'scope' .*namespaced chart \(namespace 'inference'\); a ClusterSecretStore is cluster-scoped/);
  expect(() => new PulumiEscSecretStore(app, 'Loose', base)).toThrow(/Loose: invalid 'scope' \("\(no chart\)"\): a ClusterSecretStore must be created in a ManifestDirectory such as the one for infrastructure\/configs/);
  expect(() => new PulumiEscSecretStore(configs, 'A', { ...base, organization: '' })).toThrow(/configs\/A: invalid 'organization' \(""\): must be a Pulumi name/);
  expect(() => new PulumiEscSecretStore(configs, 'B', { ...base, environment: 'prod/eu' })).toThrow(/invalid 'environment' \("prod\/eu"\)/);
  expect(() => new PulumiEscSecretStore(configs, 'C', { ...base, apiUrl: 'http://api.pulumi.com/api/esc' })).toThrow(/invalid 'apiUrl' .*must be an https:\/\/ URL/);
  expect(() => new PulumiEscSecretStore(configs, 'D', { ...base, accessTokenSecret: { name: 't', namespace: 'Bad NS', key: 'k' } }))
    .toThrow(/invalid 'accessTokenSecret.namespace' \("Bad NS"\)/);
  expect(() => new PulumiEscSecretStore(configs, 'E', { ...base, accessTokenSecret: { name: 't', namespace: 'eso', key: 'a/b' } }))
    .toThrow(/invalid 'accessTokenSecret.key' \("a\/b"\): must be a Secret key/);
  expect(() => new PulumiEscSecretStore(configs, 'F', { ...base, allowedNamespaces: [] })).toThrow(/invalid 'allowedNamespaces' \(\[\]\): must list at least one namespace/);
});

test('an ExternalSecret maps ESC paths to Secret keys in the tenant namespace, sorted, owned, with full dotted paths', () => {
  const { app, configs, inference } = platform();
  const store = new PulumiEscSecretStore(configs, 'Esc', { organization: 'lambda-ml', project: 'platform', environment: 'production' });
  const secret = new EscExternalSecret(inference, 'HfToken', {
    store,
    name: 'vllm-credentials',
    data: { VLLM_API_KEY: 'vllm.apiKey', HF_TOKEN: 'huggingface["read-token"]' },
    refreshInterval: '15m',
  });
  const placed = synthesizeObjects(app).find((o) => o.manifest.kind === 'ExternalSecret')!;
  expect(placed.directory).toBe('apps/inference');
  const manifest = placed.manifest as any;
  expect(manifest.apiVersion).toBe('external-secrets.io/v1');
  expect(manifest.metadata).toMatchObject({ name: 'vllm-credentials', namespace: 'inference' });
  expect(manifest.spec).toEqual({
    refreshInterval: '15m',
    secretStoreRef: { name: 'pulumi-esc-platform-production', kind: 'ClusterSecretStore' },
    target: { name: 'vllm-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    data: [
      { secretKey: 'HF_TOKEN', remoteRef: { key: 'huggingface["read-token"]' } },
      { secretKey: 'VLLM_API_KEY', remoteRef: { key: 'vllm.apiKey' } },
    ],
  });
  expect(secret.keys).toEqual(['HF_TOKEN', 'VLLM_API_KEY']);
});

test('the ExternalSecret wires into workloads as env vars and volumes', () => {
  const { configs, inference } = platform();
  const store = new PulumiEscSecretStore(configs, 'Esc', { organization: 'o', project: 'p', environment: 'prod' });
  const secret = new EscExternalSecret(inference, 'creds', { store, data: { hfToken: 'hf.token', 'tls.crt': 'tls.cert' } });
  expect(secret.envVar('HF_TOKEN', 'hfToken')).toEqual({ name: 'HF_TOKEN', secretName: 'creds', key: 'hfToken' });
  expect(secret.envVar('hfToken')).toEqual({ name: 'hfToken', secretName: 'creds', key: 'hfToken' });
  expect(() => secret.envVar('HF_TOKEN', 'missing')).toThrow(/inference\/creds: invalid 'envVar.key' \("missing"\): must be one of the keys this ExternalSecret writes: hfToken, tls.crt/);
  expect(() => secret.envVar('1TOKEN', 'hfToken')).toThrow(/invalid 'envVar.name' \("1TOKEN"\)/);
  const volume = secret.volume('tls', '/etc/tls', ['tls.crt']);
  expect(volume).toEqual({ name: 'tls', mountPath: '/etc/tls', secretName: 'creds', items: [{ key: 'tls.crt', path: 'tls.crt' }] });
  expect(renderSecretVolume(volume)).toEqual({
    volume: { name: 'tls', secret: { secretName: 'creds', defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
    mount: { name: 'tls', mountPath: '/etc/tls', readOnly: true },
  });
  expect(secret.volume('all', '/etc/creds').items).toBeUndefined();
  expect(() => secret.volume('tls', 'etc/tls')).toThrow(/invalid 'volume.mountPath' \("etc\/tls"\): must be an absolute path/);
});

test('invalid ExternalSecret props name the construct, the prop and what is allowed', () => {
  const { app, configs, inference } = platform();
  const store = new PulumiEscSecretStore(configs, 'Esc', { organization: 'o', project: 'p', environment: 'prod', allowedNamespaces: ['tools'] });
  const open = new PulumiEscSecretStore(configs, 'Open', { organization: 'o', project: 'p', environment: 'dev' });
  expect(() => new EscExternalSecret(inference, 'a', { store, data: { K: 'k' } }))
    .toThrow(/inference\/a: invalid 'store' \("pulumi-esc-p-prod"\): does not serve namespace 'inference'; its allowedNamespaces are: tools/);
  expect(() => new EscExternalSecret(inference, 'b', { store: open, data: {} })).toThrow(/inference\/b: invalid 'data' \(\{\}\): must map at least one Secret key/);
  expect(() => new EscExternalSecret(inference, 'c', { store: open, data: { 'HF TOKEN': 'hf.token' } })).toThrow(/invalid 'data.HF TOKEN' \("HF TOKEN"\): must be a Secret key/);
  expect(() => new EscExternalSecret(inference, 'd', { store: open, data: { HF_TOKEN: 'hf..token' } })).toThrow(/invalid 'data.HF_TOKEN' \("hf..token"\): must be a Pulumi ESC property path/);
  expect(() => new EscExternalSecret(inference, 'e', { store: open, data: { K: 'k' }, refreshInterval: '1 hour' })).toThrow(/invalid 'refreshInterval' \("1 hour"\): must be a Go duration/);
  expect(() => new EscExternalSecret(inference, 'F', { store: open, data: { K: 'k' } })).toThrow(/invalid 'name' \("F"\): must be a DNS-1123 subdomain/);
  expect(() => new EscExternalSecret(configs, 'g', { store: open, data: { K: 'k' } })).toThrow(/configs\/g: invalid 'scope' .*ExternalSecrets are namespaced/);
  expect(() => new EscExternalSecret(inference, 'h', { store: {} as PulumiEscSecretStore, data: { K: 'k' } })).toThrow(/invalid 'store' .*must be a PulumiEscSecretStore/);
  expect(app).toBeDefined();
});

test('no Secret with data is rendered anywhere, and the guard catches one that would be', () => {
  const { app, configs, inference } = platform();
  const store = new PulumiEscSecretStore(configs, 'Esc', { organization: 'o', project: 'p', environment: 'prod' });
  new EscExternalSecret(inference, 'creds', { store, data: { HF_TOKEN: 'hf.token' } });
  const manifests = manifestsOf(app);
  expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  expect(JSON.stringify(manifests)).not.toMatch(/"(data|stringData)":\{"HF_TOKEN"/);
  expect(secretsWithData(manifests)).toEqual([]);
  const leaked = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hf', namespace: 'inference' }, stringData: { HF_TOKEN: 'hf_x' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty', namespace: 'inference' }, data: {} },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'both', namespace: 'a' }, data: { k: 'dg==' }, stringData: { j: 'v' } },
  ] as KubeManifest[];
  expect(secretsWithData([...manifests, ...leaked])).toEqual(['Secret a/both (data, stringData)', 'Secret inference/hf (stringData)']);
});

test('the store (both token forms) and the ExternalSecret validate strictly against the vendored ESO CRD schemas', () => {
  const { app, configs, inference } = platform();
  const store = new PulumiEscSecretStore(configs, 'Esc', { organization: 'o', project: 'p', environment: 'prod', allowedNamespaces: ['inference'] });
  new PulumiEscSecretStore(configs, 'Legacy', { organization: 'o', project: 'p', environment: 'dev', legacyAccessTokenField: true });
  new EscExternalSecret(inference, 'creds', { store, data: { HF_TOKEN: 'hf.token', 'api.key': 'api["key"]' } });
  const ours = manifestsOf(app).filter((m) => m.apiVersion === 'external-secrets.io/v1');
  expect(ours.map((m) => m.kind).sort()).toEqual(['ClusterSecretStore', 'ClusterSecretStore', 'ExternalSecret']);
  for (const manifest of ours) expect({ name: manifest.metadata.name, issues: validateManifest(manifest) }).toEqual({ name: manifest.metadata.name, issues: [] });
  // the check can fail: a misspelt field is caught
  const external = ours.find((m) => m.kind === 'ExternalSecret') as any;
  expect(validateManifest({ ...external, spec: { ...external.spec, refreshIntervall: '1h' } })).not.toEqual([]);
});
