import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { FluxCluster } from '../../src/flux/flux-cluster.js';
import { keptDirectories, renderApp } from '../../src/render/render-app.js';
import { layoutTree } from '../../src/render/tree-layout.js';
import { SynthesisError, synthesizeObjects } from '../../src/render/synthesize.js';

function sampleApp() {
  const app = Testing.app();
  const a = new ManifestDirectory(app, 'a', { directory: 'apps/team-a', namespace: 'team-a' });
  const b = new ManifestDirectory(app, 'b', { directory: 'infrastructure/configs' });
  new k8s.KubeConfigMap(a, 'cm', { metadata: { name: 'settings' }, data: { x: '1' } });
  new k8s.KubeConfigMap(b, 'cm1', { metadata: { name: 'settings', namespace: 'one' }, data: { x: '1' } });
  new k8s.KubeConfigMap(b, 'cm2', { metadata: { name: 'settings', namespace: 'two' }, data: { x: '2' } });
  new k8s.KubePriorityClass(b, 'pc', { metadata: { name: 'serving' }, value: 1000 });
  return app;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'render-'));

test('one file per object, namespace-prefixed where a directory mixes namespaces, and a kustomization.yaml per directory', () => {
  const paths = layoutTree(synthesizeObjects(sampleApp())).map((f) => f.path);
  expect(paths).toEqual([
    'apps/kustomization.yaml',
    'apps/team-a/config-map-settings.yaml',
    'apps/team-a/kustomization.yaml',
    'infrastructure/configs/kustomization.yaml',
    'infrastructure/configs/one.config-map-settings.yaml',
    'infrastructure/configs/priority-class-serving.yaml',
    'infrastructure/configs/two.config-map-settings.yaml',
    'infrastructure/kustomization.yaml',
  ]);
  const files = Object.fromEntries(layoutTree(synthesizeObjects(sampleApp())).map((f) => [f.path, f.content]));
  expect(jsYaml.load(files['apps/kustomization.yaml'])).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['team-a'] });
  expect((jsYaml.load(files['apps/team-a/config-map-settings.yaml']) as any).metadata.namespace).toBe('team-a');
});

test('rendering is deterministic: the same app renders byte-identical trees', async () => {
  const one = tmp();
  const two = tmp();
  await renderApp(sampleApp(), { outdir: join(one, 'dist'), mirrorTo: join(one, 'dist') });
  await renderApp(sampleApp(), { outdir: join(two, 'dist'), mirrorTo: join(two, 'dist') });
  const read = (root: string) => layoutTree(synthesizeObjects(sampleApp())).map((f) => readFileSync(join(root, 'dist', f.path), 'utf8'));
  expect(read(one)).toEqual(read(two));
});

test('stale files are removed and a failed render leaves the previous tree untouched', async () => {
  const root = tmp();
  const outdir = join(root, 'dist');
  mkdirSync(join(outdir, 'apps/old'), { recursive: true });
  writeFileSync(join(outdir, 'apps/old/stale.yaml'), 'kind: Stale\n');
  await renderApp(sampleApp(), { outdir, mirrorTo: outdir });
  expect(existsSync(join(outdir, 'apps/old/stale.yaml'))).toBe(false);
  const before = readFileSync(join(outdir, 'apps/team-a/config-map-settings.yaml'), 'utf8');

  const failing = sampleApp();
  await expect(renderApp(failing, { outdir, mirrorTo: outdir, validators: [() => ['apps/team-a/config-map-settings.yaml: ConfigMap team-a/settings: /data/x: rejected']] }))
    .rejects.toThrow(/rejected/);
  expect(readFileSync(join(outdir, 'apps/team-a/config-map-settings.yaml'), 'utf8')).toBe(before);
  expect(readdirSync(root).sort()).toEqual(['dist']);
});

test('the cdk8s GPU-patch trap (nvidia.com/gpu rendered as null) fails synthesis naming the object and field', () => {
  const app = Testing.app();
  const a = new ManifestDirectory(app, 'a', { directory: 'apps/x', namespace: 'x' });
  const deployment = new kplus.Deployment(a, 'vllm', { metadata: { name: 'vllm' }, containers: [{ image: 'vllm/vllm-openai:v0.6.4' }] });
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', '1'));
  expect(() => synthesizeObjects(app)).toThrow(SynthesisError);
  expect(() => synthesizeObjects(app)).toThrow(/a\/vllm\/Resource: Deployment 'vllm' has a null value at \.spec\.template\.spec\.containers\[0\]\.resources\.limits\.nvidia\.com\/gpu/);
});

test('objects outside a ManifestDirectory are rejected with the construct path', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'plain');
  new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'x' } });
  expect(() => synthesizeObjects(app)).toThrow(/plain\/cm: ConfigMap 'x' is in chart plain, which is not a ManifestDirectory/);
});

test('two objects that map to one file are an error naming both construct paths', () => {
  const app = Testing.app();
  const a = new ManifestDirectory(app, 'a', { directory: 'apps/x', namespace: 'x' });
  new k8s.KubeConfigMap(a, 'one', { metadata: { name: 'same' } });
  new k8s.KubeConfigMap(a, 'two', { metadata: { name: 'same' } });
  expect(() => layoutTree(synthesizeObjects(app))).toThrow(/two objects render to apps\/x\/config-map-same.yaml: a\/one and a\/two/);
});

test('directories must be relative lowercase paths', () => {
  const app = Testing.app();
  expect(() => new ManifestDirectory(app, 'bad', { directory: '../escape' })).toThrow(/bad: invalid 'directory' \("..\/escape"\)/);
});

describe('what flux bootstrap writes under a cluster directory survives the next render', () => {
  function fluxApp() {
    const app = Testing.app();
    new FluxCluster(app, 'Prod', { clusterName: 'prod', repositoryUrl: 'https://github.com/org/platform.git' });
    return app;
  }

  test('clusters/<name>/flux-system/ is carried over unchanged; other stale files still disappear; the cluster kustomization does not list it', async () => {
    const outdir = join(tmp(), 'dist');
    await renderApp(fluxApp(), { outdir, mirrorTo: outdir });
    // what `flux bootstrap --path=dist/clusters/prod` commits
    const bootstrap = join(outdir, 'clusters/prod/flux-system');
    mkdirSync(bootstrap, { recursive: true });
    writeFileSync(join(bootstrap, 'gotk-components.yaml'), '# Flux components\n');
    writeFileSync(join(bootstrap, 'gotk-sync.yaml'), '# Flux sync\n');
    writeFileSync(join(bootstrap, 'kustomization.yaml'), 'resources: [gotk-components.yaml, gotk-sync.yaml]\n');
    writeFileSync(join(outdir, 'clusters/prod/stale.yaml'), 'kind: Stale\n');

    await renderApp(fluxApp(), { outdir, mirrorTo: outdir });
    expect(readFileSync(join(bootstrap, 'gotk-components.yaml'), 'utf8')).toBe('# Flux components\n');
    expect(readFileSync(join(bootstrap, 'gotk-sync.yaml'), 'utf8')).toBe('# Flux sync\n');
    expect(readFileSync(join(bootstrap, 'kustomization.yaml'), 'utf8')).toBe('resources: [gotk-components.yaml, gotk-sync.yaml]\n');
    expect(existsSync(join(outdir, 'clusters/prod/stale.yaml'))).toBe(false);
    const kustomization = jsYaml.load(readFileSync(join(outdir, 'clusters/prod/kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(kustomization.resources).not.toContain('flux-system');
    expect(keptDirectories(fluxApp())).toEqual(['clusters/prod/flux-system']);
  });

  test('a directory of no FluxCluster is not kept', async () => {
    const outdir = join(tmp(), 'dist');
    mkdirSync(join(outdir, 'apps/team-a/flux-system'), { recursive: true });
    writeFileSync(join(outdir, 'apps/team-a/flux-system/x.yaml'), 'kind: X\n');
    await renderApp(sampleApp(), { outdir, mirrorTo: outdir });
    expect(existsSync(join(outdir, 'apps/team-a/flux-system'))).toBe(false);
  });

  test('an object rendered into a kept directory fails the render', async () => {
    const app = fluxApp();
    const into = new ManifestDirectory(app, 'Into', { directory: 'clusters/prod/flux-system' });
    new k8s.KubeConfigMap(into, 'cm', { metadata: { name: 'x', namespace: 'flux-system' }, data: {} });
    await expect(renderApp(app, { outdir: join(tmp(), 'dist') })).rejects.toThrow(/renders clusters\/prod\/flux-system\/config-map-x\.yaml into clusters\/prod\/flux-system\/, a directory another tool owns/);
  });
});
