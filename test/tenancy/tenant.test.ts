import { Testing } from 'cdk8s';
import { Tenant } from '../../src/tenancy/tenant.js';
import { manifestsOf } from '../../src/render/synthesize.js';

test('a tenant renders namespace, GPU quota, limit range and default deny with DNS', () => {
  const app = Testing.app();
  new Tenant(app, 'inference', { team: 'ml-serving', quota: { requestsCpu: '32', requestsMemory: '128Gi', gpus: 2 } });
  const manifests = manifestsOf(app);
  const byKind = Object.fromEntries(manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
  expect(Object.keys(byKind).sort()).toEqual([
    'LimitRange/container-defaults', 'Namespace/inference', 'NetworkPolicy/allow-dns', 'NetworkPolicy/default-deny', 'ResourceQuota/compute',
  ]);
  expect((byKind['ResourceQuota/compute'] as any).spec.hard['requests.nvidia.com/gpu']).toBe('2');
  expect(byKind['ResourceQuota/compute'].metadata.namespace).toBe('inference');
  expect((byKind['NetworkPolicy/default-deny'] as any).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  expect(byKind['Namespace/inference'].metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
});

test('a tenant without GPUs is quota\'d to zero GPUs', () => {
  const app = Testing.app();
  new Tenant(app, 'tools', { team: 'platform', quota: { requestsCpu: '4', requestsMemory: '8Gi' } });
  const quota = manifestsOf(app).find((m) => m.kind === 'ResourceQuota') as any;
  expect(quota.spec.hard['requests.nvidia.com/gpu']).toBe('0');
});

test('invalid tenant props name the construct path and the prop', () => {
  const app = Testing.app();
  expect(() => new Tenant(app, 'Bad_Name', { team: 'x', quota: { requestsCpu: '1', requestsMemory: '1Gi' } }))
    .toThrow(/Bad_Name: invalid 'namespace' \("Bad_Name"\): must be a DNS-1123 label/);
  expect(() => new Tenant(app, 'ok', { team: 'x', quota: { requestsCpu: 'lots', requestsMemory: '1Gi' } }))
    .toThrow(/ok: invalid 'quota.requestsCpu' \("lots"\)/);
  expect(() => new Tenant(app, 'ok2', { team: 'x', quota: { requestsCpu: '1', requestsMemory: '1Gi', gpus: 1.5 } }))
    .toThrow(/ok2: invalid 'quota.gpus' \(1.5\): must be a whole number/);
});
