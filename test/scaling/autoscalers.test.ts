import { stringify } from 'yaml';
import { HorizontalAutoscaler } from '../../src/scaling/horizontal-autoscaler.js';
import { KedaScaledObject } from '../../src/scaling/keda-scaled-object.js';
import { PrometheusEndpoint } from '../../src/observability/monitoring-stack.js';

const DEFAULT_PROMETHEUS_ADDRESS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
const prometheus = PrometheusEndpoint.external(DEFAULT_PROMETHEUS_ADDRESS);
import { KedaTrigger } from '../../src/scaling/keda-trigger.js';
import { GpuInferenceService } from '../../src/workloads/gpu-inference-service.js';
import { ModelCache } from '../../src/workloads/model-cache.js';
import { ModelServer } from '../../src/workloads/model-server-presets.js';
import { ServiceWorkload } from '../../src/workloads/service-workload.js';
import { manifestsOf } from '../../src/render/synthesize.js';
import { validateManifest } from '../../src/schema/index.js';
import { Tenant } from '../../src/tenancy/tenant.js';
import { admitGateway, renderedByKind, tenantApp } from '../workloads/helpers.js';

const vllm = (scope: any, id = 'llm', props: Record<string, unknown> = {}) =>
  new GpuInferenceService(scope, id, { server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }), ...props });

function all(app: any): Record<string, any> {
  return Object.fromEntries(manifestsOf(app).map((m) => [`${m.kind}/${m.metadata.name}`, m]));
}

test('an HPA on CPU utilization with slow-server behaviour; the target renders no replicas and gets a PDB', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image: 'ghcr.io/example/api:2.1.0', replicas: 1 });
  admitGateway(api);
  new HorizontalAutoscaler(tenant, 'ApiScaling', { target: api, maxReplicas: 6, memoryUtilization: 80, cpuUtilization: 60 });
  const objects = all(app);
  const hpa = objects['HorizontalPodAutoscaler/api'];
  expect(hpa.apiVersion).toBe('autoscaling/v2');
  expect(hpa.metadata.namespace).toBe('ml');
  expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
  expect(hpa.spec.minReplicas).toBe(1);
  expect(hpa.spec.maxReplicas).toBe(6);
  expect(hpa.spec.metrics).toEqual([
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
  ]);
  expect(hpa.spec.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 600, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] });
  expect(hpa.spec.behavior.scaleUp).toEqual({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] });
  expect('replicas' in objects['Deployment/api'].spec).toBe(false);
  // a fixed single replica had no PDB; the autoscaler (max 6) adds one
  expect(objects['PodDisruptionBudget/api'].spec).toEqual({
    selector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api-ml' } },
    maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow',
  });
  for (const m of Object.values(objects)) expect(validateManifest(m)).toEqual([]);
});

test('a KEDA ScaledObject on the vLLM queue: one aggregated series, string metadata, fallback, no replicas on the target', () => {
  const { app, tenant } = tenantApp();
  const llm = vllm(tenant);
  admitGateway(llm);
  new KedaScaledObject(tenant, 'LlmScaling', { prometheus, target: llm, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength()] });
  const objects = all(app);
  const so = objects['ScaledObject/llm'];
  expect(so.apiVersion).toBe('keda.sh/v1alpha1');
  expect(so.metadata.namespace).toBe('ml');
  expect(so.spec).toMatchObject({
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'llm' },
    pollingInterval: 15, cooldownPeriod: 360, minReplicaCount: 1, maxReplicaCount: 3,
    fallback: { failureThreshold: 3, replicas: 2, behavior: 'currentReplicasIfHigher' },
  });
  expect(so.spec.triggers).toEqual([{
    type: 'prometheus', name: 'vllm-queue-length', metricType: 'AverageValue',
    metadata: {
      serverAddress: DEFAULT_PROMETHEUS_ADDRESS,
      query: 'sum(vllm:num_requests_waiting{namespace="ml",pod=~"llm-[0-9]+"})',
      threshold: '5', activationThreshold: '0',
    },
  }]);
  for (const value of Object.values(so.spec.triggers[0].metadata)) expect(typeof value).toBe('string');
  expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
  expect('replicas' in objects['StatefulSet/llm'].spec).toBe(false);
  expect(objects['PodDisruptionBudget/llm']).toBeDefined();
  expect(objects['HorizontalPodAutoscaler/llm']).toBeUndefined();
  for (const m of Object.values(objects)) expect(validateManifest(m)).toEqual([]);
  // rendered YAML keeps the numbers as quoted strings
  const text = stringify(so);
  expect(text).toMatch(/threshold: "5"/);
  expect(text).toMatch(/activationThreshold: "0"/);
});

test('a GPU-utilization trigger uses DCGM exported_* labels, Value metric type and no fallback', () => {
  const { app, tenant } = tenantApp();
  const llm = vllm(tenant, 'llm', { modelCache: ModelCache.ephemeral() });
  admitGateway(llm);
  new KedaScaledObject(tenant, 'S', {
    target: llm, minReplicas: 0, allowScaleToZero: true, maxReplicas: 4, prometheus: PrometheusEndpoint.external('http://prometheus.obs.svc:9090'),
    triggers: [KedaTrigger.gpuUtilization({ targetPercent: 75 })],
  });
  const so = all(app)['ScaledObject/llm'];
  expect(so.spec.triggers[0]).toEqual({
    type: 'prometheus', name: 'gpu-utilization', metricType: 'Value',
    metadata: {
      serverAddress: 'http://prometheus.obs.svc:9090',
      query: 'avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="ml",exported_pod=~"llm-[a-z0-9]+-[a-z0-9]+"})',
      threshold: '75',
    },
  });
  expect(so.spec.minReplicaCount).toBe(0);
  expect(so.spec.fallback).toBeUndefined();
  expect(validateManifest(so)).toEqual([]);
  expect(llm.minReplicas).toBe(0);
  expect(llm.maxReplicas).toBe(4);
});

test('never two autoscalers on one target', () => {
  const { tenant } = tenantApp();
  const llm = vllm(tenant);
  new KedaScaledObject(tenant, 'Keda', { prometheus, target: llm, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength()] });
  expect(() => new HorizontalAutoscaler(tenant, 'Hpa', { target: llm, maxReplicas: 3 }))
    .toThrow(/ml\/Hpa: invalid 'target' \("ml\/llm"\): is already scaled by ScaledObject ml\/Keda; a workload takes one autoscaler/);
});

test('replica ranges and trigger options are validated', () => {
  const { tenant } = tenantApp();
  const t = () => vllm(tenant, `w${Math.random().toString(36).slice(2, 8)}`);
  expect(() => new KedaScaledObject(tenant, 'a', { prometheus, target: t(), minReplicas: 0, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength()] }))
    .toThrow(/ml\/a: invalid 'minReplicas' \(0\): must be a whole number from 1 to maxReplicas \(3\); set allowScaleToZero to use 0/);
  expect(() => new HorizontalAutoscaler(tenant, 'b', { target: t(), minReplicas: 5, maxReplicas: 3 }))
    .toThrow(/ml\/b: invalid 'minReplicas' \(5\): must be a whole number from 1 to maxReplicas \(3\)$/);
  // allowScaleToZero is suggested only where it helps: a KEDA minimum of 0, never a minimum above the maximum
  expect(() => new KedaScaledObject(tenant, 'b2', { prometheus, target: t(), minReplicas: 5, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength()] }))
    .toThrow(/ml\/b2: invalid 'minReplicas' \(5\): must be a whole number from 1 to maxReplicas \(3\)$/);
  expect(() => new HorizontalAutoscaler(tenant, 'c2', { target: t(), minReplicas: 0, maxReplicas: 3 })).not.toThrow(/allowScaleToZero/);
  expect(() => new HorizontalAutoscaler(tenant, 'c', { target: t(), minReplicas: 0, maxReplicas: 3 })).toThrow(/invalid 'minReplicas' \(0\)/);
  expect(() => new HorizontalAutoscaler(tenant, 'd', { target: t(), maxReplicas: 0 })).toThrow(/ml\/d: invalid 'maxReplicas' \(0\)/);
  expect(() => new HorizontalAutoscaler(tenant, 'e', { target: t(), maxReplicas: 2, behavior: { scaleDown: { stabilizationWindowSeconds: 7200 } } }))
    .toThrow(/invalid 'behavior.scaleDown.stabilizationWindowSeconds' \(7200\): must be a whole number from 0 to 3600/);
  expect(() => new KedaScaledObject(tenant, 'f', { prometheus, target: t(), maxReplicas: 2, triggers: [] })).toThrow(/ml\/f: invalid 'triggers'/);
  expect(() => PrometheusEndpoint.external('prometheus:9090')).toThrow(/invalid 'url'/);
  expect(() => new KedaScaledObject(tenant, 'g', { target: t(), maxReplicas: 2, triggers: [KedaTrigger.vllmQueueLength()] } as any))
    .toThrow(/ml\/g: invalid 'prometheus'.*MonitoringStack/);
  expect(() => new KedaScaledObject(tenant, 'h', { prometheus, target: t(), maxReplicas: 2, triggers: [KedaTrigger.vllmQueueLength({ threshold: 0 })] }))
    .toThrow(/ml\/h: invalid 'trigger.threshold' \(0\): must be a number above 0/);
  expect(() => new KedaScaledObject(tenant, 'i', { prometheus,
    target: t(), maxReplicas: 2, triggers: [KedaTrigger.prometheusQuery({ name: 'q', query: 'rate(http_requests_total[1m])', threshold: 10 })],
  })).toThrow(/invalid 'trigger.query'.*exactly one series/);
  expect(() => new KedaScaledObject(tenant, 'j', { prometheus,
    target: t(), maxReplicas: 2, triggers: [KedaTrigger.prometheusQuery({ name: 'q', query: 'sum by (pod) (x)', threshold: 10 })],
  })).toThrow(/invalid 'trigger.query'/);
  expect(() => new KedaScaledObject(tenant, 'k', { prometheus,
    target: t(), maxReplicas: 2, fallback: { replicas: 2 }, triggers: [KedaTrigger.gpuUtilization()],
  })).toThrow(/ml\/k: invalid 'fallback'.*only for AverageValue triggers; gpu-utilization use Value/);
  expect(() => new KedaScaledObject(tenant, 'l', { prometheus, target: t(), maxReplicas: 2, triggers: [KedaTrigger.gpuUtilization({ targetPercent: 150 })] }))
    .toThrow(/invalid 'trigger.targetPercent' \(150\)/);
});

test('a custom aggregated query renders as given', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image: 'ghcr.io/example/api:2.1.0' });
  admitGateway(api);
  new KedaScaledObject(tenant, 'S', { prometheus,
    target: api, maxReplicas: 5, name: 'api-queue',
    triggers: [KedaTrigger.prometheusQuery({ name: 'queue-depth', query: 'max(queue_depth{queue="jobs"})', threshold: 2.5, activationThreshold: 1 })],
  });
  const so = renderedByKind(app)['ScaledObject/api-queue'];
  expect(so.spec.triggers[0].metadata).toEqual({ serverAddress: DEFAULT_PROMETHEUS_ADDRESS, query: 'max(queue_depth{queue="jobs"})', threshold: '2.5', activationThreshold: '1' });
  expect(so.spec.fallback.replicas).toBe(2);
});

test('an autoscaler must live in its target namespace', () => {
  const { app, tenant } = tenantApp();
  const other = new Tenant(app, 'other', { team: 'x', quota: { requestsCpu: '1', requestsMemory: '1Gi' } });
  const api = new ServiceWorkload(tenant, 'api', { image: 'ghcr.io/example/api:2.1.0' });
  expect(() => new HorizontalAutoscaler(other, 'Hpa', { target: api, maxReplicas: 3 }))
    .toThrow(/other\/Hpa: invalid 'target' \("ml\/api"\): must be in the autoscaler's namespace \(other\); the workload is in ml/);
});
