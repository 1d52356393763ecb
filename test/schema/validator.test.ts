import { describe, expect, test } from '@jest/globals';
import { SchemaValidator, validateManifest, strictSchema, QUANTITY_PATTERN } from '../../src/schema/index.js';

const validator = new SchemaValidator();

function deployment(container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team-a', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: {
          containers: [{
            name: 'web',
            image: 'nginx:1.27',
            ports: [{ containerPort: 8080, name: 'http' }],
            resources: { requests: { cpu: '100m', memory: '128Mi', 'nvidia.com/gpu': '1' }, limits: { memory: '128Mi', 'nvidia.com/gpu': 1 } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
            ...container,
          }],
        },
      },
    },
  };
}

describe('Kubernetes 1.28 objects', () => {
  test('a valid Deployment has no issues', () => {
    expect(validator.validate(deployment())).toEqual([]);
  });

  test('an unknown field is reported at its path', () => {
    expect(validator.validate(deployment({ resourcez: {} }))).toEqual([
      { path: '/spec/template/spec/containers/0/resourcez', message: 'unknown field "resourcez"' },
    ]);
  });

  test('an unknown field in metadata is reported', () => {
    const d = deployment();
    (d.metadata as Record<string, unknown>).label = { a: 'b' };
    expect(validator.validate(d)).toEqual([{ path: '/metadata/label', message: 'unknown field "label"' }]);
  });

  test('null is rejected where the schema has a type', () => {
    expect(validator.validate(deployment({ resources: { limits: { 'nvidia.com/gpu': null } } }))).toEqual([
      { path: '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', message: 'must be number or string, got null' },
    ]);
    expect(validator.validate(deployment({ resources: null }))).toEqual([
      { path: '/spec/template/spec/containers/0/resources', message: 'must be object, got null' },
    ]);
  });

  test('a wrong type names the expected type and the value', () => {
    const d = deployment();
    (d.spec as Record<string, unknown>).replicas = '3';
    expect(validator.validate(d)).toEqual([{ path: '/spec/replicas', message: 'must be integer, got "3"' }]);
  });

  test('IntOrString accepts both forms and nothing else', () => {
    expect(validator.validate(deployment({ readinessProbe: { httpGet: { path: '/', port: 8080 } } }))).toEqual([]);
    expect(validator.validate(deployment({ readinessProbe: { httpGet: { path: '/', port: true } } }))).toEqual([
      { path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', message: 'must be integer or string, got true' },
    ]);
  });

  test('quantities must follow the Kubernetes grammar', () => {
    const issues = validator.validate(deployment({ resources: { limits: { memory: '1 GB' } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('/spec/template/spec/containers/0/resources/limits/memory');
    expect(issues[0].message).toContain('must match pattern');
    for (const ok of ['1', '0.5', '100m', '1Gi', '1e3', '.5', '+2Ki']) expect(new RegExp(QUANTITY_PATTERN).test(ok)).toBe(true);
    for (const bad of ['1 GB', 'Gi', '1.5.5', '', '1gi']) expect(new RegExp(QUANTITY_PATTERN).test(bad)).toBe(false);
  });

  test('a missing required field is reported at the field', () => {
    const c = deployment();
    const containers = (((c.spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<string, Record<string, unknown>[]>).containers;
    delete containers[0].name;
    expect(validator.validate(c)).toEqual([{ path: '/spec/template/spec/containers/0/name', message: 'required field "name" is missing' }]);
  });

  test('a core v1 kind maps from apiVersion "v1"', () => {
    expect(validator.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } })).toEqual([]);
    expect(validator.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 1 } })).toEqual([
      { path: '/data/a', message: 'must be string, got 1' },
    ]);
  });

  test('unknown apiVersion/kind is an issue, as is the wrong version of a known kind', () => {
    expect(validator.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })[0].message)
      .toMatch(/^unknown apiVersion\/kind example.com\/v1\/Widget/);
    expect(validator.validate({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'p' } })).toHaveLength(1);
    expect(validator.validate({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { maxUnavailable: 1 } })).toEqual([]);
  });

  test('non-objects and missing apiVersion/kind are issues', () => {
    expect(validator.validate(null)).toEqual([{ path: '', message: 'a Kubernetes object must be a mapping, got null' }]);
    expect(validator.validate(['a'])).toEqual([{ path: '', message: 'a Kubernetes object must be a mapping, got a list' }]);
    expect(validator.validate({ metadata: { name: 'x' } })).toEqual([
      { path: '/apiVersion', message: 'apiVersion must be a non-empty string, got nothing' },
      { path: '/kind', message: 'kind must be a non-empty string, got nothing' },
    ]);
  });

  test('the shared validateManifest uses the vendored schemas', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } })).toEqual([]);
    expect(validator.lookup('v1', 'Namespace')?.namespaced).toBe(false);
    expect(validator.lookup('apps/v1', 'Deployment')?.namespaced).toBe(true);
  });
});

describe('CRD objects', () => {
  const kustomization = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system' },
    spec: { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, dependsOn: [{ name: 'infra-configs' }] },
  };

  test('a valid Flux Kustomization passes and an unknown spec field fails', () => {
    expect(validator.validate(kustomization)).toEqual([]);
    expect(validator.validate({ ...kustomization, spec: { ...kustomization.spec, prunee: true } })).toEqual([
      { path: '/spec/prunee', message: 'unknown field "prunee"' },
    ]);
  });

  test('CRD metadata is validated as ObjectMeta', () => {
    expect(validator.validate({ ...kustomization, metadata: { name: 'apps', labelz: {} } })).toEqual([
      { path: '/metadata/labelz', message: 'unknown field "labelz"' },
    ]);
  });

  test('CRD patterns, enums and required fields apply', () => {
    const issues = validator.validate({ ...kustomization, spec: { ...kustomization.spec, interval: 'ten minutes', sourceRef: { kind: 'Bucketz', name: 'x' } } });
    expect(issues.map((i) => i.path).sort()).toEqual(['/spec/interval', '/spec/sourceRef/kind']);
    expect(validator.validate({ ...kustomization, spec: { interval: '1m', prune: true } })).toEqual([
      { path: '/spec/sourceRef', message: 'required field "sourceRef" is missing' },
    ]);
  });

  test('x-kubernetes-preserve-unknown-fields accepts arbitrary Helm values', () => {
    const release = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'keda', namespace: 'keda' },
      spec: {
        interval: '1h',
        chart: { spec: { chart: 'keda', version: '2.16.0', sourceRef: { kind: 'HelmRepository', name: 'kedacore' } } },
        values: { anything: { goes: [1, 'two', { three: true }] } },
      },
    };
    expect(validator.validate(release)).toEqual([]);
  });

  test('x-kubernetes-int-or-string accepts integers and strings', () => {
    const scaled = (pollingInterval: unknown, maxReplicaCount: unknown) => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 's', namespace: 'n' },
      spec: {
        scaleTargetRef: { name: 'web' },
        pollingInterval,
        maxReplicaCount,
        triggers: [{ type: 'prometheus', metadata: { threshold: '5', query: 'x', serverAddress: 'http://p' } }],
        advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } } },
      },
    });
    expect(validator.validate(scaled(30, 10))).toEqual([]);
    expect(validator.validate(scaled('30', 10))).toEqual([{ path: '/spec/pollingInterval', message: 'must be integer, got "30"' }]);
  });

  test('ExternalSecret, ClusterSecretStore, GitRepository, HelmRepository and ServiceMonitor are known', () => {
    for (const [apiVersion, kind] of [
      ['external-secrets.io/v1', 'ExternalSecret'], ['external-secrets.io/v1', 'ClusterSecretStore'], ['external-secrets.io/v1', 'SecretStore'],
      ['source.toolkit.fluxcd.io/v1', 'GitRepository'], ['source.toolkit.fluxcd.io/v1', 'HelmRepository'], ['monitoring.coreos.com/v1', 'ServiceMonitor'],
    ]) expect(validator.lookup(apiVersion, kind)).toBeDefined();
    expect(validator.lookup('external-secrets.io/v1beta1', 'ExternalSecret')).toBeUndefined();
    expect(validator.lookup('external-secrets.io/v1', 'ClusterSecretStore')?.namespaced).toBe(false);
  });

  test('an ExternalSecret with a null field fails', () => {
    const es = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'n' },
      spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' }, target: { name: 'db' }, data: [{ secretKey: 'password', remoteRef: { key: 'db/password' } }] },
    };
    expect(validator.validate(es)).toEqual([]);
    expect(validator.validate({ ...es, spec: { ...es.spec, target: null } })).toEqual([{ path: '/spec/target', message: 'must be object, got null' }]);
  });
});

describe('strictSchema', () => {
  test('adds additionalProperties false only where properties are declared and unknown fields are not preserved', () => {
    expect(strictSchema({ type: 'object', properties: { a: { type: 'string' } } })).toEqual({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
    expect(strictSchema({ type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true })).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(strictSchema({ type: 'object', additionalProperties: { type: 'string' } })).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  });

  test('nullable allows null; a typeless schema rejects it', () => {
    expect(strictSchema({ type: 'string', nullable: true, enum: ['a'] })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(strictSchema({ description: 'anything' })).toEqual({ not: { type: 'null' } });
  });

  test('does not treat a property named like a keyword as a keyword', () => {
    const out = strictSchema({ type: 'object', properties: { format: { type: 'string' }, description: { type: 'string' } } });
    expect(out.properties).toEqual({ format: { type: 'string' }, description: { type: 'string' } });
  });

  test('only formats checked with Kubernetes semantics are kept', () => {
    expect(strictSchema({ type: 'string', format: 'date-time' })).toEqual({ type: 'string', format: 'date-time' });
    expect(strictSchema({ type: 'string', format: 'duration' })).toEqual({ type: 'string' });
  });
});
