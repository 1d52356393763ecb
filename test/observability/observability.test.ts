import { Testing } from 'cdk8s';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { manifestsOf } from '../../src/render/synthesize.js';
import { PlatformOperators } from '../../src/flux/platform-operators.js';
import { GpuPlatformDashboards } from '../../src/observability/grafana-dashboards.js';
import { DCGM_ALERT_COUNTERS, GpuPlatformAlerts } from '../../src/observability/gpu-platform-alerts.js';
import { MonitoringStack, PrometheusEndpoint } from '../../src/observability/monitoring-stack.js';
import { PrometheusAlerts } from '../../src/observability/prometheus-alerts.js';
import { scrapeMetrics } from '../../src/observability/scrape-metrics.js';
import { ModelCache } from '../../src/workloads/model-cache.js';
import { ModelServer } from '../../src/workloads/model-server-presets.js';
import { GpuInferenceService } from '../../src/workloads/gpu-inference-service.js';
import { admitGateway, tenantApp } from '../workloads/helpers.js';

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

function stack() {
  const app = Testing.app();
  const chart = new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' });
  const monitoring = new MonitoringStack(chart, 'Monitoring');
  return { app, chart, monitoring };
}

describe('MonitoringStack', () => {
  test('renders a privileged monitoring namespace and a pinned kube-prometheus-stack HelmRelease', () => {
    const { app, monitoring } = stack();
    const objects = manifestsOf(app);
    const ns = byKind(objects, 'Namespace')[0];
    expect(ns.metadata.name).toBe('monitoring');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const hr = byKind(objects, 'HelmRelease')[0];
    expect(hr.spec.chart.spec).toMatchObject({ chart: 'kube-prometheus-stack', version: '88.5.3' });
    expect(hr.spec.install.crds).toBe('CreateReplace');
    expect(hr.spec.values['prometheus-node-exporter'].tolerations).toEqual([{ operator: 'Exists' }]);
    expect(byKind(objects, 'HelmRepository')[0].spec.url).toBe('https://prometheus-community.github.io/helm-charts');
    // the Service kube-prometheus-stack 88.5.3 renders for release "kube-prometheus-stack" (helm template)
    expect(monitoring.prometheus.url).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
    expect(monitoring.prometheus.selectorLabels).toEqual({ release: 'kube-prometheus-stack' });
  });

  test('a bad retention is refused naming the construct and the prop', () => {
    const app = Testing.app();
    expect(() => new MonitoringStack(new ManifestDirectory(app, 'c', { directory: 'c' }), 'M', { retention: '15 days' })).toThrow(/c\/M: invalid 'retention'/);
  });
});

describe('PlatformOperators and the monitoring stack', () => {
  test('without a stack the dcgm-exporter ServiceMonitor is off (its CRD would not exist)', () => {
    const app = Testing.app();
    new PlatformOperators(new ManifestDirectory(app, 'c', { directory: 'c' }), 'ops');
    const dcgm = byKind(manifestsOf(app), 'HelmRelease').find((h) => h.metadata.name === 'dcgm-exporter');
    expect(dcgm.spec.values.serviceMonitor).toEqual({ enabled: false });
    expect(dcgm.spec.dependsOn).toBeUndefined();
    // ESO 2.9.0's PushSecret CRDs exceed a 1.28 apiserver's CEL cost budget (Tier A128): left out
    const eso = byKind(manifestsOf(app), 'HelmRelease').find((h) => h.metadata.name === 'external-secrets');
    expect(eso.spec.values).toMatchObject({ crds: { createPushSecret: false, createClusterPushSecret: false }, processPushSecret: false, processClusterPushSecret: false });
  });

  test('with a stack, dcgm-exporter and External Secrets get selected ServiceMonitors and depend on the stack release', () => {
    const { app, chart, monitoring } = stack();
    new PlatformOperators(chart, 'ops', { monitoring });
    const releases = byKind(manifestsOf(app), 'HelmRelease');
    const dcgm = releases.find((h) => h.metadata.name === 'dcgm-exporter');
    const eso = releases.find((h) => h.metadata.name === 'external-secrets');
    for (const hr of [dcgm, eso]) {
      expect(hr.spec.dependsOn).toEqual([{ name: 'kube-prometheus-stack', namespace: 'monitoring' }]);
      expect(hr.spec.values.serviceMonitor).toMatchObject({ enabled: true, additionalLabels: { release: 'kube-prometheus-stack' } });
    }
    // the exporter reads its counter list from the chart's ConfigMap, which holds every alert counter
    expect(dcgm.spec.values.arguments).toEqual(['-m', 'nvidia-device-plugin:exporter-metrics-config-map']);
    for (const counter of DCGM_ALERT_COUNTERS) expect(dcgm.spec.values.customMetrics).toMatch(new RegExp(`^${counter},`, 'm'));
  });
});

describe('scrapeMetrics', () => {
  test('one call gives a PodMonitor on the named port with the Prometheus selector labels, and the ingress rule from the Prometheus pods', () => {
    const { app, tenant } = tenantApp();
    const llm = new GpuInferenceService(tenant, 'llm', { server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }), modelCache: ModelCache.ephemeral() });
    admitGateway(llm);
    const prometheus = new PrometheusEndpoint('http://kube-prometheus-stack-prometheus.monitoring.svc:9090', { release: 'kube-prometheus-stack' },
      (new MonitoringStack(new ManifestDirectory(app, 'x', { directory: 'x' }), 'M')).prometheus.peer);
    scrapeMetrics(llm, { prometheus, port: 'http' });
    const objects = manifestsOf(app);
    const pm = byKind(objects, 'PodMonitor')[0];
    expect(pm.metadata).toMatchObject({ name: 'llm', namespace: 'ml', labels: { release: 'kube-prometheus-stack' } });
    expect(pm.spec.selector.matchLabels).toEqual(llm.selector);
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['ml'] });
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    const ingress = byKind(objects, 'NetworkPolicy').find((p) => p.metadata.name === 'llm-ingress');
    const fromPrometheus = ingress.spec.ingress.find((r: any) => r.from?.some((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring'));
    expect(fromPrometheus.from[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'prometheus' });
    expect(fromPrometheus.ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
  });

  test('a port the workload does not serve is refused, naming the ports it has', () => {
    const { tenant } = tenantApp();
    const llm = new GpuInferenceService(tenant, 'llm', { server: ModelServer.vllm({ model: 'm/x' }), modelCache: ModelCache.ephemeral() });
    expect(() => scrapeMetrics(llm, { prometheus: PrometheusEndpoint.external('http://p.example:9090'), port: 'metrics' }))
      .toThrow(/ml\/llm\/scrapeMetrics: invalid 'port' \("metrics"\): must name a port of llm \(http\)/);
  });
});

describe('PrometheusAlerts', () => {
  const prometheus = PrometheusEndpoint.external('http://p.example:9090', { selectorLabels: { release: 'x' } });
  const rule = { alert: 'A', expr: 'up == 0', severity: 'warning' as const, summary: 's', description: 'd' };
  test('renders groups with severity labels, annotations and the selector labels', () => {
    const app = Testing.app();
    new PrometheusAlerts(new ManifestDirectory(app, 'c', { directory: 'c' }), 'R', { name: 'r', namespace: 'monitoring', prometheus, groups: [{ name: 'g', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }, { ...rule, for: '5m' }] }] });
    const pr = byKind(manifestsOf(app), 'PrometheusRule')[0];
    expect(pr.metadata.labels.release).toBe('x');
    expect(pr.spec.groups[0].rules).toEqual([
      { record: 'job:up:sum', expr: 'sum by (job) (up)' },
      { alert: 'A', expr: 'up == 0', for: '5m', labels: { severity: 'warning' }, annotations: { summary: 's', description: 'd' } },
    ]);
  });
  test.each([
    [{ groups: [{ name: 'g', rules: [rule, rule] }] }, /alert names must be unique/],
    [{ groups: [{ name: 'g', rules: [{ ...rule, for: '5 minutes' }] }] }, /invalid 'groups\[0\]\.rules\[0\]\.for'/],
    [{ groups: [{ name: 'g', rules: [{ ...rule, alert: 'bad name' }] }] }, /invalid 'groups\[0\]\.rules\[0\]\.alert'/],
    [{ groups: [{ name: 'g', rules: [{ ...rule, summary: '' }] }] }, /needs a summary and a description/],
    [{ groups: [] }, /invalid 'groups'/],
  ])('refuses bad rules (%#)', (props, message) => {
    const app = Testing.app();
    expect(() => new PrometheusAlerts(new ManifestDirectory(app, 'c', { directory: 'c' }), 'R', { name: 'r', namespace: 'monitoring', prometheus, ...(props as any) })).toThrow(message);
  });
});

describe('GpuPlatformAlerts', () => {
  test('covers GPU health, waste, vLLM saturation, SLO burn, quota, Flux and ExternalSecrets', () => {
    const { app, chart, monitoring } = stack();
    const alerts = new GpuPlatformAlerts(chart, 'Alerts', { prometheus: monitoring.prometheus });
    expect(alerts.rules.alertNames).toEqual([
      'GpuXidError', 'GpuThermalThrottling', 'GpuPowerThrottling', 'GpuEccDoubleBitErrors', 'GpuRowRemapFailure', 'GpuTemperatureHigh',
      'GpuAllocatedButIdle', 'VllmRequestsQueued', 'VllmKvCacheNearlyFull',
      'ServingErrorBudgetBurnFast', 'ServingErrorBudgetBurnSlow', 'ServingLatencyBudgetBurnFast', 'ServingLatencyBudgetBurnSlow',
      'GpuQuotaNearlyExhausted', 'FluxResourceNotReady', 'ExternalSecretSyncFailing',
    ]);
    const pr = byKind(manifestsOf(app), 'PrometheusRule')[0];
    const rules = pr.spec.groups.flatMap((g: any) => g.rules);
    expect(rules.find((r: any) => r.alert === 'ServingErrorBudgetBurnFast').expr).toContain('> (14.4 * 0.005)');
    expect(rules.find((r: any) => r.alert === 'ServingLatencyBudgetBurnFast').expr).toContain('le="10.0"');
    expect(rules.find((r: any) => r.record === 'namespace:gpu_utilization:avg1h')).toBeDefined();
  });
  test('the latency bound must be a bucket of the vLLM histogram', () => {
    const { chart, monitoring } = stack();
    expect(() => new GpuPlatformAlerts(chart, 'A', { prometheus: monitoring.prometheus, latencySeconds: 7 })).toThrow(/invalid 'latencySeconds' \(7\): must be a bucket boundary/);
  });
});

describe('GpuPlatformDashboards', () => {
  test('three dashboards as ConfigMaps with the sidecar label; the cost dashboard uses the GPU-hour price', () => {
    const { app, chart, monitoring } = stack();
    new GpuPlatformDashboards(chart, 'D', { namespace: 'monitoring', label: monitoring.dashboardLabel, gpuHourlyPriceUsd: 1.29 });
    const cms = byKind(manifestsOf(app), 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    expect(cms.map((c) => c.metadata.name).sort()).toEqual(['dashboard-gpu-cost', 'dashboard-gpu-utilization', 'dashboard-serving-latency']);
    const cost = JSON.parse(cms.find((c) => c.metadata.name === 'dashboard-gpu-cost').data['gpu-cost.json']);
    expect(cost.uid).toBe('gpu-cost');
    expect(JSON.stringify(cost.panels)).toContain('* 1.29 * 730');
  });
  test('a non-positive price is refused', () => {
    const { chart, monitoring } = stack();
    expect(() => new GpuPlatformDashboards(chart, 'D', { namespace: 'monitoring', label: monitoring.dashboardLabel, gpuHourlyPriceUsd: 0 })).toThrow(/invalid 'gpuHourlyPriceUsd'/);
  });
});
