import { Testing } from 'cdk8s';
import { FluxCluster } from '../../src/flux/flux-cluster.js';
import { GitRepository } from '../../src/flux/git-repository.js';
import { HelmRelease, HelmRepository } from '../../src/flux/helm-release.js';
import { PlatformOperators } from '../../src/flux/platform-operators.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';

function byName(app: ReturnType<typeof Testing.app>) {
  return Object.fromEntries(synthesizeObjects(app).map((o) => [`${o.manifest.kind}/${o.manifest.metadata.name}`, o]));
}

test('a Flux cluster layers infra-controllers -> infra-configs -> apps with prune, wait and timeouts', () => {
  const app = Testing.app();
  new FluxCluster(app, 'prod', { clusterName: 'lambda-prod', repositoryUrl: 'https://github.com/acme/platform.git' });
  const objects = byName(app);
  const git = objects['GitRepository/flux-system'];
  expect(git.directory).toBe('clusters/lambda-prod');
  expect((git.manifest as any).spec).toEqual({
    interval: '1m', timeout: '60s', url: 'https://github.com/acme/platform.git', ref: { branch: 'main' },
    secretRef: { name: 'flux-system' }, ignore: '/*\n!/dist/\n',
  });
  const spec = (name: string) => (objects[`Kustomization/${name}`].manifest as any).spec;
  expect(spec('flux-system').path).toBe('./dist/clusters/lambda-prod');
  expect(spec('infra-controllers').dependsOn).toBeUndefined();
  expect(spec('infra-configs').dependsOn).toEqual([{ name: 'infra-controllers' }]);
  expect(spec('apps').dependsOn).toEqual([{ name: 'infra-configs' }]);
  for (const name of ['infra-controllers', 'infra-configs', 'apps']) {
    expect(spec(name)).toMatchObject({ prune: true, wait: true, timeout: '15m', sourceRef: { kind: 'GitRepository', name: 'flux-system' } });
  }
  expect(spec('apps').path).toBe('./dist/apps');
});

test('a tree published to the root of a GitOps repository has paths without a prefix and no ignore', () => {
  const app = Testing.app();
  new FluxCluster(app, 'prod', { clusterName: 'c1', repositoryUrl: 'ssh://git@github.com/acme/gitops.git', treePath: '' });
  const objects = byName(app);
  expect((objects['Kustomization/apps'].manifest as any).spec.path).toBe('./apps');
  expect((objects['GitRepository/flux-system'].manifest as any).spec.ignore).toBeUndefined();
});

test('Flux rejects scp-like and file URLs, so the construct does too', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'd', { directory: 'x' });
  expect(() => new GitRepository(dir, 'a', { url: 'git@github.com:acme/x.git', branch: 'main' })).toThrow(/d\/a: invalid 'url' \("git@github.com:acme\/x.git"\): must be an http:\/\/, https:\/\/ or ssh:\/\/ URL/);
  expect(() => new GitRepository(dir, 'b', { url: 'file:///tmp/x', branch: 'main' })).toThrow(/invalid 'url'/);
  expect(() => new GitRepository(dir, 'c', { url: 'https://x/y.git', branch: '' })).toThrow(/invalid 'branch'.*must name a branch explicitly/);
  expect(() => new GitRepository(dir, 'e', { url: 'https://x/y.git', branch: 'main', interval: '5 minutes' })).toThrow(/invalid 'interval' \("5 minutes"\)/);
});

test('HelmReleases pin exact chart versions', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'd', { directory: 'x' });
  const repo = new HelmRepository(dir, 'r', { name: 'kedacore', url: 'https://kedacore.github.io/charts' });
  expect(() => new HelmRelease(dir, 'k', { name: 'keda', namespace: 'keda', repository: repo, chart: 'keda', version: '^2.0' }))
    .toThrow(/d\/k: invalid 'version' \("\^2.0"\): must pin an exact chart version/);
  expect(() => new HelmRepository(dir, 'bad', { name: 'x', url: 'http://insecure' })).toThrow(/must be an https:\/\/ or oci:\/\//);
});

test('platform operators: ESO, KEDA, device plugin (with time-slicing config) and DCGM, each in a declared namespace', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' });
  new PlatformOperators(dir, 'ops', { timeSlicingConfigMap: 'time-slicing', timeSlicingDefaultProfile: 'whole' });
  const objects = synthesizeObjects(app).map((o) => o.manifest as any);
  const releases = objects.filter((m) => m.kind === 'HelmRelease');
  expect(releases.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual([
    'external-secrets/external-secrets', 'keda/keda', 'nvidia-device-plugin/dcgm-exporter', 'nvidia-device-plugin/nvidia-device-plugin',
  ]);
  const namespaces = new Set(objects.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
  for (const r of releases) {
    expect(namespaces.has(r.metadata.namespace)).toBe(true);
    const repo = r.spec.chart.spec.sourceRef;
    expect(objects.some((m) => m.kind === 'HelmRepository' && m.metadata.name === repo.name && m.metadata.namespace === repo.namespace)).toBe(true);
  }
  const plugin = releases.find((r) => r.metadata.name === 'nvidia-device-plugin');
  expect(plugin.spec.values.config).toEqual({ name: 'time-slicing', default: 'whole' });
  expect(plugin.spec.values.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
});
