import { App } from 'cdk8s';
import { buildDefaultPlatform } from '../../src/main.js';
import { manifestsFromText, runCheck } from '../../src/policy/index.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';
import { layoutTree } from '../../src/render/tree-layout.js';
import { manifestsOfTree } from '../../src/render/tree-manifests.js';

// The gate is handed the renderer's objects instead of a parse of the YAML dumped from them; what
// it sees (objects, sources and line numbers, kustomization files, findings) must be exactly what
// parsing the written files gives.
describe('manifestsOfTree', () => {
  const app = new App({ outdir: 'unused' });
  buildDefaultPlatform(app);
  const files = layoutTree(synthesizeObjects(app));
  const fromObjects = manifestsOfTree(files, 'dist');
  const parsed = manifestsFromText(files.map((f) => ({ file: `dist/${f.path}`, text: f.content })));

  test('the same objects, sources, kustomization files and file list as parsing the tree', () => {
    expect(fromObjects.objects.length).toBeGreaterThan(50);
    expect(fromObjects.kustomizeFiles.length).toBeGreaterThan(3);
    expect(fromObjects.files).toEqual(parsed.files);
    expect(fromObjects.objects).toEqual(parsed.objects);
    expect(fromObjects.kustomizeFiles).toEqual(parsed.kustomizeFiles);
    expect(fromObjects.problems).toEqual(parsed.problems);
  });

  test('the gate gives the same report either way', async () => {
    const roots = [process.cwd()];
    const a = await runCheck({ manifests: { ...fromObjects, roots } });
    const b = await runCheck({ manifests: { ...parsed, roots } });
    expect(a.results.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  test('an object without metadata is a load problem, as when parsed', () => {
    const bare = [{ path: 'apps/x/config-map-x.yaml', content: 'apiVersion: v1\nkind: ConfigMap\n', manifest: { apiVersion: 'v1', kind: 'ConfigMap' } as never }];
    const direct = manifestsOfTree(bare, 'dist');
    expect(direct.problems.map((p) => p.message)).toEqual(['ConfigMap has no metadata']);
    expect(direct.problems.map((p) => p.message)).toEqual(manifestsFromText([{ file: 'dist/apps/x/config-map-x.yaml', text: bare[0].content }]).problems.map((p) => p.message));
  });
});
