import { PrometheusEndpoint } from '../../src/observability/monitoring-stack.js';
import { PodDisruptionBudget } from '../../src/availability/pod-disruption-budget.js';
import { HorizontalAutoscaler } from '../../src/scaling/horizontal-autoscaler.js';
import { KedaScaledObject } from '../../src/scaling/keda-scaled-object.js';
import { KedaTrigger } from '../../src/scaling/keda-trigger.js';
import { manifestsOf } from '../../src/render/synthesize.js';
import { validateManifest } from '../../src/schema/index.js';
import { ServiceWorkload } from '../../src/workloads/service-workload.js';
import { admitGateway, tenantApp } from '../workloads/helpers.js';

const image = 'ghcr.io/example/api:2.1.0';
const budgets = (app: any): any[] => manifestsOf(app).filter((m) => m.kind === 'PodDisruptionBudget');

test('a PDB exists iff the workload can run more than one replica', () => {
  const { app, tenant } = tenantApp();
  const single = new ServiceWorkload(tenant, 'single', { image, replicas: 1 });
  const pair = new ServiceWorkload(tenant, 'pair', { image, replicas: 2 });
  const scaled = new ServiceWorkload(tenant, 'scaled', { image, replicas: 1 });
  new HorizontalAutoscaler(tenant, 'ScaledHpa', { target: scaled, maxReplicas: 4 });
  const pinned = new ServiceWorkload(tenant, 'pinned', { image, replicas: 3 });
  new HorizontalAutoscaler(tenant, 'PinnedHpa', { target: pinned, minReplicas: 1, maxReplicas: 1 });
  admitGateway(single, pair, scaled, pinned);
  const rendered = budgets(app);
  expect(rendered.map((b) => b.metadata.name).sort()).toEqual(['pair', 'scaled']);
  for (const b of rendered) {
    expect(b.apiVersion).toBe('policy/v1');
    expect(b.metadata.namespace).toBe('ml');
    expect(b.spec.maxUnavailable).toBe(1);
    expect(b.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(b.metadata.labels['app.kubernetes.io/managed-by']).toBe('lambda-gitops');
    expect(validateManifest(b)).toEqual([]);
  }
  expect(rendered.find((b) => b.metadata.name === 'pair')!.spec.selector)
    .toEqual({ matchLabels: { 'app.kubernetes.io/name': 'pair', 'app.kubernetes.io/instance': 'pair-ml' } });
  expect(single.disruptionBudget).toBeUndefined();
  expect(pair.disruptionBudget).toBeInstanceOf(PodDisruptionBudget);
});

test('minAvailable below the minimum replicas is kept; at or above it fails synth', () => {
  const ok = tenantApp();
  const api = new ServiceWorkload(ok.tenant, 'api', { image, replicas: 3, disruptionBudget: { minAvailable: 2 } });
  admitGateway(api);
  expect(budgets(ok.app)[0].spec).toMatchObject({ minAvailable: 2 });
  expect(budgets(ok.app)[0].spec.maxUnavailable).toBeUndefined();

  const blocked = tenantApp();
  const web = new ServiceWorkload(blocked.tenant, 'web', { image, replicas: 2, disruptionBudget: { minAvailable: 2 } });
  admitGateway(web);
  expect(() => manifestsOf(blocked.app)).toThrow(/ml\/web\/DisruptionBudget: invalid 'minAvailable' \(2\): must be less than the workload's minimum replicas \(2, ml\/web\)/);
});

test('the check uses the autoscaler minimum known at synth time, including KEDA scale-to-zero', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image, replicas: 3, disruptionBudget: { minAvailable: 1 } });
  admitGateway(api);
  new KedaScaledObject(tenant, 'S', { prometheus: PrometheusEndpoint.external('http://prometheus.monitoring.svc:9090'),
    target: api, minReplicas: 0, allowScaleToZero: true, maxReplicas: 5,
    triggers: [KedaTrigger.prometheusQuery({ name: 'q', query: 'sum(queue_depth)', threshold: 5 })],
  });
  expect(() => manifestsOf(app)).toThrow(/invalid 'minAvailable' \(1\): must be less than the workload's minimum replicas \(0/);
});

test('a budget never blocks all evictions: maxUnavailable 0 and both settings are rejected', () => {
  const { tenant } = tenantApp();
  expect(() => new ServiceWorkload(tenant, 'a', { image, disruptionBudget: { maxUnavailable: 0 } }))
    .toThrow(/ml\/a\/DisruptionBudget: invalid 'maxUnavailable' \(0\): must be a whole number of pods, at least 1 \(0 would block every eviction/);
  expect(() => new ServiceWorkload(tenant, 'b', { image, disruptionBudget: { maxUnavailable: 1, minAvailable: 1 } }))
    .toThrow(/set either minAvailable or maxUnavailable, not both/);
  expect(() => new ServiceWorkload(tenant, 'c', { image, disruptionBudget: { minAvailable: -1 } })).toThrow(/invalid 'minAvailable' \(-1\)/);
});

test('a standalone budget must be in the workload namespace and takes a custom name', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image, replicas: 1 });
  admitGateway(api);
  new PodDisruptionBudget(tenant, 'Extra', { target: api, name: 'api-extra', maxUnavailable: 2 });
  expect(budgets(app).map((b) => [b.metadata.name, b.spec.maxUnavailable])).toEqual([['api-extra', 2]]);
});

test('a second budget over the same pods fails synth (evictions of doubly-covered pods are refused)', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image, replicas: 2 });
  admitGateway(api);
  new PodDisruptionBudget(tenant, 'Extra', { target: api, name: 'api-extra' });
  expect(() => manifestsOf(app)).toThrow(/ml\/Extra: invalid 'target' \("ml\/api"\): is already covered by ml\/api\/DisruptionBudget/);
});

test('a budget removed when an autoscaler caps the workload at one replica no longer counts', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image, replicas: 2 });
  admitGateway(api);
  new HorizontalAutoscaler(tenant, 'Hpa', { target: api, minReplicas: 1, maxReplicas: 1 });
  new PodDisruptionBudget(tenant, 'Extra', { target: api, name: 'api-extra' });
  expect(budgets(app).map((b) => b.metadata.name)).toEqual(['api-extra']);
});
