import { Testing } from 'cdk8s';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { manifestsOf } from '../../src/render/synthesize.js';
import { MetricsServer } from '../../src/observability/metrics-server.js';

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

function render(props: ConstructorParameters<typeof MetricsServer>[2] = {}) {
  const app = Testing.app();
  new MetricsServer(new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' }), 'MetricsServer', props);
  return manifestsOf(app);
}

describe('MetricsServer', () => {
  test('renders the pinned chart in a restricted namespace, two replicas behind a PDB, kubelet TLS verified', () => {
    const objects = render();
    expect(byKind(objects, 'HelmRepository')[0].spec.url).toBe('https://kubernetes-sigs.github.io/metrics-server/');
    const hr = byKind(objects, 'HelmRelease')[0];
    expect(hr.metadata).toMatchObject({ name: 'metrics-server', namespace: 'metrics-server' });
    expect(hr.spec.chart.spec).toMatchObject({ chart: 'metrics-server', version: '3.13.1' });
    expect(hr.spec.values.replicas).toBe(2);
    expect(hr.spec.values.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(hr.spec.values.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels)
      .toEqual({ 'app.kubernetes.io/name': 'metrics-server', 'app.kubernetes.io/instance': 'metrics-server' });
    expect(hr.spec.values.defaultArgs).toContain('--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname');
    expect(hr.spec.values.defaultArgs).not.toContain('--kubelet-insecure-tls');
    expect(JSON.stringify(hr.spec.values)).not.toMatch(/kubelet-insecure-tls/);
    const ns = byKind(objects, 'Namespace')[0];
    expect(ns.metadata).toMatchObject({ name: 'metrics-server', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
  });

  test('one replica renders no PDB (it would block every drain) and the address types are configurable', () => {
    const hr = byKind(render({ replicas: 1, kubeletAddressTypes: ['Hostname', 'InternalIP'] }), 'HelmRelease')[0];
    expect(hr.spec.values.podDisruptionBudget).toBeUndefined();
    expect(hr.spec.values.defaultArgs).toContain('--kubelet-preferred-address-types=Hostname,InternalIP');
  });

  test('bad props are refused naming the prop', () => {
    expect(() => render({ replicas: 0 })).toThrow(/MetricsServer: invalid 'replicas'/);
    expect(() => render({ kubeletAddressTypes: [] })).toThrow(/invalid 'kubeletAddressTypes'/);
    expect(() => render({ kubeletAddressTypes: ['Internal' as never] })).toThrow(/invalid 'kubeletAddressTypes'/);
  });
});
