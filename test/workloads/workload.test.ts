import { k8s } from 'cdk8s-plus-28';
import { manifestsOf } from '../../src/render/synthesize.js';
import { Workload } from '../../src/workloads/workload.js';
import { admitGateway, renderedByKind, tenantApp } from './helpers.js';

const base = {
  image: 'ghcr.io/example/app:1.0.0',
  component: 'service',
  ports: [{ name: 'http', containerPort: 8080 }],
  resources: { cpu: { request: '100m' }, memory: { request: '128Mi' } },
};
const probe: k8s.Probe = { tcpSocket: { port: k8s.IntOrString.fromString('http') } };

test('the base workload renders its ClusterIP Service with ClientIP affinity when asked', () => {
  const { app, tenant } = tenantApp();
  const w = new Workload(tenant, 'app', { ...base, readinessProbe: probe, sessionAffinity: 'ClientIP', scheduling: { runtimeClassName: 'nvidia' } });
  admitGateway(w);
  const objects = renderedByKind(app, w);
  expect(objects['Service/app'].spec.sessionAffinity).toBe('ClientIP');
  expect(objects['Deployment/app'].spec.template.spec.runtimeClassName).toBe('nvidia');
  expect(objects['Deployment/app'].spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
});

test('pod template validation: volume names, mount paths, env names and sizes', () => {
  const { tenant } = tenantApp();
  expect(() => new Workload(tenant, 'a', { ...base, readinessProbe: probe, sessionAffinity: 'Sticky' as any }))
    .toThrow(/ml\/a: invalid 'sessionAffinity' \("Sticky"\): must be 'None' or 'ClientIP'/);
  expect(() => new Workload(tenant, 'b', { ...base, readinessProbe: probe, scratchVolumes: [{ name: 'tmp', mountPath: '/scratch' }] }))
    .toThrow(/ml\/b: invalid 'scratchVolumes\[0\].name' \("tmp"\): volume names must be unique/);
  expect(() => new Workload(tenant, 'c', { ...base, readinessProbe: probe, scratchVolumes: [{ name: 'cache', mountPath: '/tmp' }] }))
    .toThrow(/invalid 'scratchVolumes\[0\].mountPath' \("\/tmp"\): each volume needs its own mount path/);
  expect(() => new Workload(tenant, 'd', { ...base, readinessProbe: probe, scratchVolumes: [{ name: 'cache', mountPath: 'cache' }] }))
    .toThrow(/invalid 'scratchVolumes\[0\].mountPath' \("cache"\): must be an absolute path/);
  expect(() => new Workload(tenant, 'e', { ...base, readinessProbe: probe, scratchVolumes: [{ name: 'cache', mountPath: '/c', sizeLimit: 'lots' }] }))
    .toThrow(/invalid 'scratchVolumes\[0\].sizeLimit' \("lots"\)/);
  expect(() => new Workload(tenant, 'f', { ...base, readinessProbe: probe, env: { '1BAD': 'x' } })).toThrow(/ml\/f: invalid 'env' \("1BAD"\)/);
  expect(() => new Workload(tenant, 'g', { ...base, readinessProbe: probe, env: { TOKEN: 'x' }, secretEnv: [{ name: 'TOKEN', secretName: 's', key: 'k' }] }))
    .toThrow(/invalid 'env' \("TOKEN"\): is set twice/);
  expect(() => new Workload(tenant, 'h', { ...base, readinessProbe: probe, runAsUser: 0 })).toThrow(/ml\/h: invalid 'runAsUser' \(0\): must be a non-zero UID/);
  expect(() => new Workload(tenant, 'i', { ...base, readinessProbe: probe, persistentVolumes: [{ name: 'data', mountPath: '/data', size: '0Gi' }] }))
    .toThrow(/invalid 'persistentVolumes\[0\].size' \("0Gi"\)/);
});

test('bindAutoscaler rejects an inverted range and a second autoscaler; the PDB follows the bound maximum', () => {
  const { app, tenant } = tenantApp();
  const w = new Workload(tenant, 'app', { ...base, readinessProbe: probe, replicas: 1 });
  admitGateway(w);
  expect(() => w.bindAutoscaler({ autoscalerPath: 'ml/x', kind: 'HorizontalPodAutoscaler', minReplicas: 3, maxReplicas: 2 }))
    .toThrow(/ml\/x: invalid 'minReplicas' \(3\)/);
  expect(w.disruptionBudget).toBeUndefined();
  w.bindAutoscaler({ autoscalerPath: 'ml/y', kind: 'HorizontalPodAutoscaler', minReplicas: 2, maxReplicas: 5 });
  expect(w.minReplicas).toBe(2);
  expect(w.maxReplicas).toBe(5);
  expect(manifestsOf(app).filter((m) => m.kind === 'PodDisruptionBudget').map((m) => m.metadata.name)).toEqual(['app']);
  expect(() => w.bindAutoscaler({ autoscalerPath: 'ml/z', kind: 'ScaledObject', minReplicas: 1, maxReplicas: 2 }))
    .toThrow(/ml\/z: invalid 'target' \("ml\/app"\): is already scaled by HorizontalPodAutoscaler ml\/y/);
});
