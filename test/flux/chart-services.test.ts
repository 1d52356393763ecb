import { Testing } from 'cdk8s';
import { CHART_SERVICES_ANNOTATION, formatChartServices, parseChartServices } from '../../src/core/chart-services.js';
import { HelmRelease, HelmRepository } from '../../src/flux/helm-release.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { MonitoringStack } from '../../src/observability/monitoring-stack.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';

function releaseManifests(app: ReturnType<typeof Testing.app>): any[] {
  return synthesizeObjects(app).map((o) => o.manifest as any).filter((m) => m.kind === 'HelmRelease');
}

test('a HelmRelease declares the Services its chart renders as one sorted annotation', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'd', { directory: 'x' });
  const repository = new HelmRepository(dir, 'r', { name: 'charts', url: 'https://charts.example.com' });
  new HelmRelease(dir, 'h', {
    name: 'stack', namespace: 'monitoring', repository, chart: 'stack', version: '1.2.3',
    providesServices: [{ name: 'stack-prometheus', ports: [9090, 8080] }, { name: 'stack-alertmanager', ports: [9093] }],
  });
  new HelmRelease(dir, 'plain', { name: 'plain', namespace: 'monitoring', repository, chart: 'plain', version: '1.0.0' });
  const [declared, plain] = releaseManifests(app);
  expect(declared.metadata.annotations).toEqual({ [CHART_SERVICES_ANNOTATION]: 'stack-alertmanager:9093,stack-prometheus:9090:8080' });
  expect(plain.metadata.annotations).toBeUndefined();
});

test('a malformed declared Service is refused at synth, naming the construct and entry', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'd', { directory: 'x' });
  const repository = new HelmRepository(dir, 'r', { name: 'charts', url: 'https://charts.example.com' });
  const make = (id: string, service: { name: string; ports: number[] }) => () => new HelmRelease(dir, id, { name: id, namespace: 'm', repository, chart: 'c', version: '1.0.0', providesServices: [service] });
  expect(make('a', { name: 'Prometheus', ports: [9090] })).toThrow(/d\/a: invalid 'providesServices\[0\]' \("Prometheus"\): Service name 'Prometheus' is not a DNS label/);
  expect(make('b', { name: 'p', ports: [] })).toThrow(/invalid 'providesServices\[0\]'.*lists no port/);
  expect(make('c', { name: 'p', ports: [70000] })).toThrow(/port 70000 is not an integer from 1 to 65535/);
});

test('the annotation round-trips and malformed values name the entry', () => {
  const services = [{ name: 'a', ports: [80] }, { name: 'b', ports: [9090, 8080] }];
  expect(parseChartServices(formatChartServices(services))).toEqual(services);
  expect(parseChartServices(' a:80 , b:9090:8080 ,')).toEqual(services);
  expect(() => parseChartServices('a:80,b:http')).toThrow(/entry 'b:http': Service 'b' port NaN/);
  expect(() => parseChartServices('a')).toThrow(/entry 'a': Service 'a' lists no port/);
});

test('MonitoringStack declares Prometheus, Alertmanager and Grafana with the ports its endpoint uses', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'd', { directory: 'infrastructure/controllers' });
  const stack = new MonitoringStack(dir, 'Monitoring');
  const [release] = releaseManifests(app);
  const declared = parseChartServices(release.metadata.annotations[CHART_SERVICES_ANNOTATION]);
  expect(declared.map((s) => s.name)).toEqual(['kube-prometheus-stack-alertmanager', 'kube-prometheus-stack-grafana', 'kube-prometheus-stack-prometheus']);
  const url = new URL(stack.prometheus.url);
  const [service] = url.hostname.split('.');
  expect(declared.find((s) => s.name === service)?.ports).toContain(Number(url.port));
});
