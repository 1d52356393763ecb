// The cluster tests' chart rendering helpers (test/cluster/harness/charts.mjs): which vendored chart a
// HelmRelease resolves to, the release name and namespace helm-controller uses, and the static node
// selection check. The render itself runs in `npm run test:cluster` (it needs the helm binary).
import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
// @ts-expect-error plain ES module of the cluster-test harness, no type declarations
import { chartFor, chartWorkloadPlacement, declaredChartServices, podSelectsNode, releaseOf, vendoredCharts } from '../cluster/harness/charts.mjs';
import { CHART_SERVICES_ANNOTATION, parseChartServices } from '../../src/core/chart-services.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const charts = vendoredCharts(root);

const repo = (name: string, url: string) => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name, namespace: 'flux-system' }, spec: { url } });
const hr = (spec: Record<string, unknown>, name = 'dcgm-exporter') => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name, namespace: 'nvidia-system' },
  spec: { chart: { spec: { chart: 'dcgm-exporter', version: '4.6.0', sourceRef: { kind: 'HelmRepository', name: 'dcgm-exporter', namespace: 'flux-system' } } }, ...spec },
});

describe('vendored charts', () => {
  test('every entry of sources.json is a chart directory whose Chart.yaml has that name and version', () => {
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const c of charts) {
      const meta = yaml.load(fs.readFileSync(path.join(c.dir, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
      expect({ dir: c.dir, name: meta.name, version: String(meta.version) }).toEqual({ dir: c.dir, name: c.chart, version: c.version });
      expect(c.upstream.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  test('every dependency a vendored chart declares is present under its charts/ (helm refuses the chart otherwise)', () => {
    const missing: string[] = [];
    const walk = (dir: string) => {
      const meta = yaml.load(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as { dependencies?: { name: string; alias?: string }[] };
      const sub = path.join(dir, 'charts');
      const present = fs.existsSync(sub) ? fs.readdirSync(sub) : [];
      for (const d of meta.dependencies ?? []) {
        const dirHit = present.find((p) => p === d.name && fs.existsSync(path.join(sub, p, 'Chart.yaml')));
        const tgzHit = present.find((p) => p.startsWith(`${d.name}-`) && p.endsWith('.tgz'));
        if (!dirHit && !tgzHit) missing.push(`${dir}: ${d.name}`);
        if (dirHit) walk(path.join(sub, dirHit));
      }
    };
    for (const c of charts) walk(c.dir);
    expect(missing).toEqual([]);
  });

  test('the charts the platform pins are all vendored (src/flux/platform-operators.ts)', () => {
    const src = fs.readFileSync(path.join(root, 'src/flux/platform-operators.ts'), 'utf8');
    const pinned = [...src.matchAll(/chart: '([a-z0-9-]+)', version: props\.\w+\?\.version \?\? '([0-9.]+)'/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(pinned.length).toBeGreaterThanOrEqual(4);
    for (const p of pinned) expect(charts.map((c: { chart: string; version: string }) => `${c.chart} ${c.version}`)).toContain(p);
  });

  test('the External Secrets chart carries its generated CRD templates behind installCRDs', () => {
    const dir = path.join(root, 'test/cluster/charts/external-secrets-2.9.0/templates/crds');
    const es = fs.readFileSync(path.join(dir, 'externalsecret.yaml'), 'utf8');
    expect(es.startsWith('{{- if .Values.installCRDs }}')).toBe(true);
    expect(es).toContain('served: {{ .Values.crds.unsafeServeV1Beta1 }}');
    expect(fs.readFileSync(path.join(dir, 'clustersecretstore.yaml'), 'utf8').split('\n')[0]).toBe('{{- if and (.Values.installCRDs) (.Values.crds.createClusterSecretStore) }}');
  });
});

describe('chartFor', () => {
  const objects = [repo('dcgm-exporter', 'https://nvidia.github.io/dcgm-exporter/helm-charts/')];
  test('resolves HelmRepository URL + chart + version to the vendored directory', () => {
    expect(chartFor(hr({}), objects, charts).dir).toBe(path.join(root, 'test/cluster/charts/dcgm-exporter-4.6.0'));
  });
  test('a version that is not vendored fails naming the HelmRelease and the versions that are', () => {
    const bad = hr({ chart: { spec: { chart: 'dcgm-exporter', version: '9.9.9', sourceRef: { kind: 'HelmRepository', name: 'dcgm-exporter', namespace: 'flux-system' } } } });
    expect(() => chartFor(bad, objects, charts)).toThrow(/HelmRelease nvidia-system\/dcgm-exporter: chart dcgm-exporter 9.9.9 .* not vendored .*4\.6\.0/);
  });
  test('a HelmRepository missing from the tree fails naming both ends', () => {
    expect(() => chartFor(hr({}), [], charts)).toThrow('HelmRelease nvidia-system/dcgm-exporter: HelmRepository flux-system/dcgm-exporter is not in the tree');
  });
  test('the same chart from another repository URL is not taken for the vendored one', () => {
    expect(() => chartFor(hr({}), [repo('dcgm-exporter', 'https://example.com/charts')], charts)).toThrow(/not vendored/);
  });
});

describe('releaseOf (helm-controller defaults)', () => {
  test('metadata name and namespace without targetNamespace', () => {
    expect(releaseOf(hr({}))).toEqual({ name: 'dcgm-exporter', namespace: 'nvidia-system' });
  });
  test('targetNamespace prefixes the release name and moves the namespace', () => {
    expect(releaseOf(hr({ targetNamespace: 'gpu' }))).toEqual({ name: 'gpu-dcgm-exporter', namespace: 'gpu' });
  });
  test('releaseName wins', () => {
    expect(releaseOf(hr({ targetNamespace: 'gpu', releaseName: 'dcgm' }))).toEqual({ name: 'dcgm', namespace: 'gpu' });
  });
});

describe('podSelectsNode', () => {
  const gpuNode = { metadata: { name: 'a10-0', labels: { 'nvidia.com/gpu.product': 'NVIDIA-A10', 'nvidia.com/gpu.count': '1' } }, spec: { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] } };
  const cpuNode = { metadata: { name: 'cpu-0', labels: {} }, spec: {} };
  const tol = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
  test('a nodeSelector on a label no node carries selects nothing (the dcgm-exporter gpu.present case)', () => {
    const spec = { nodeSelector: { 'nvidia.com/gpu.present': 'true' }, tolerations: tol };
    expect([gpuNode, cpuNode].filter((n) => podSelectsNode(spec, n))).toEqual([]);
  });
  test('a taint needs a toleration', () => {
    expect(podSelectsNode({}, gpuNode)).toBe(false);
    expect(podSelectsNode({ tolerations: tol }, gpuNode)).toBe(true);
    expect(podSelectsNode({ tolerations: [{ operator: 'Exists' }] }, gpuNode)).toBe(true);
  });
  test('required node affinity: Exists / In / DoesNotExist', () => {
    const aff = (e: object) => ({ tolerations: tol, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [e] }] } } } });
    expect(podSelectsNode(aff({ key: 'nvidia.com/gpu.count', operator: 'Exists' }), gpuNode)).toBe(true);
    expect(podSelectsNode(aff({ key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100'] }), gpuNode)).toBe(false);
    expect(podSelectsNode(aff({ key: 'nvidia.com/gpu.count', operator: 'DoesNotExist' }), cpuNode)).toBe(true);
  });
  test('chartWorkloadPlacement lists the nodes per chart workload and skips scaled-to-zero Deployments', () => {
    const ds = { kind: 'DaemonSet', metadata: { name: 'x' }, spec: { template: { spec: { tolerations: tol, nodeSelector: { 'nvidia.com/gpu.count': '1' } } } } };
    const dep = { kind: 'Deployment', metadata: { name: 'y' }, spec: { replicas: 0, template: { spec: {} } } };
    const out = chartWorkloadPlacement([ds, dep], [gpuNode, cpuNode]);
    expect(out.map((w: { obj: { metadata: { name: string } }; nodes: string[] }) => [w.obj.metadata.name, w.nodes])).toEqual([['x', ['a10-0']]]);
  });
});

describe('declaredChartServices', () => {
  const release = { ...hr({ targetNamespace: 'monitoring' }, 'stack'), metadata: { name: 'stack', namespace: 'flux-system', annotations: { [CHART_SERVICES_ANNOTATION]: 'prom:9090,alerts:9093,gone:80' } } };
  const service = (name: string, ports: number[], owner: unknown = release) => {
    const o = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'monitoring' }, spec: { ports: ports.map((port) => ({ port })) } };
    Object.defineProperty(o, '__release', { value: { hr: owner }, enumerable: false });
    return o;
  };
  test('a declared Service and port in the helm output pass; a missing Service or port fails naming what the chart renders', () => {
    const other = hr({}, 'other');
    const rendered = [service('prom', [9090, 8080]), service('alerts', [9094]), service('gone', [80], other)];
    const results = declaredChartServices([release, other], rendered, parseChartServices, CHART_SERVICES_ANNOTATION);
    expect(results.map((r: { service: string; port: number; problem?: string }) => [r.service, r.port, r.problem])).toEqual([
      ['monitoring/prom', 9090, undefined],
      ['monitoring/alerts', 9093, 'Service monitoring/alerts serves 9094, not 9093'],
      ['monitoring/gone', 80, 'the chart renders no Service monitoring/gone (its Services: prom, alerts)'],
    ]);
  });
});
