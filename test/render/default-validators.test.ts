import { ApiObject, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { defaultValidators, policyGateValidator, schemaValidator } from '../../src/render/default-validators.js';
import { renderApp } from '../../src/render/render-app.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';
import { layoutTree } from '../../src/render/tree-layout.js';

function appWithBareDeployment() {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'team', { directory: 'apps/team', namespace: 'team' });
  new k8s.KubeDeployment(dir, 'web', {
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:latest' }] } },
    },
  });
  return app;
}

test('the policy gate runs before the tree is written: a violating app fails synth with file, object and rule, and dist/ is untouched', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gate-'));
  const outdir = join(root, 'dist');
  mkdirSync(join(outdir, 'apps'), { recursive: true });
  writeFileSync(join(outdir, 'apps/previous.yaml'), 'previous: true\n');
  const error = await renderApp(appWithBareDeployment(), { outdir, mirrorTo: outdir, validators: defaultValidators({ outdir }) }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  // construct path first; the file it would have been written to last (nothing was written)
  expect(message).toMatch(/^ {2}- team\/web: Deployment team\/web: image-tag: .* \(would be \S*apps\/team\/deployment-web\.yaml line \d+\)$/m);
  expect(message).toMatch(/Deployment team\/web: resources-requests/);
  expect(readFileSync(join(outdir, 'apps/previous.yaml'), 'utf8')).toBe('previous: true\n');
});

test('schema validation names the file, object, construct path and field', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'team', { directory: 'apps/team', namespace: 'team' });
  new ApiObject(dir, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { portz: [{ port: 80 }] } });
  const problems = schemaValidator(layoutTree(synthesizeObjects(app))) as string[];
  expect(problems.length).toBeGreaterThan(0);
  expect(problems[0]).toMatch(/^apps\/team\/service-svc\.yaml: Service team\/svc \(team\/svc\): \/spec(\/portz)?: .*portz/);
});

test('the gate validator passes a clean tree', async () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'cfg', { directory: 'infrastructure/configs' });
  new k8s.KubePriorityClass(dir, 'pc', { metadata: { name: 'serving' }, value: 1000 });
  expect(await policyGateValidator('dist')(layoutTree(synthesizeObjects(app)))).toEqual([]);
});

test('a schema problem is reported once, by the schema validator, not again by the gate', async () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'team', { directory: 'apps/team', namespace: 'team' });
  new ApiObject(dir, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, datta: { a: 'b' } });
  const files = layoutTree(synthesizeObjects(app));
  const problems: string[] = [];
  for (const validate of defaultValidators({ outdir: 'dist' })) problems.push(...(await validate(files)));
  expect(problems.filter((p) => p.includes('datta'))).toEqual(['apps/team/config-map-settings.yaml: ConfigMap team/settings (team/cm): /datta: unknown field "datta"']);
  expect(await policyGateValidator('dist')(files)).toEqual([expect.stringMatching(/schema-valid: \/datta: unknown field "datta"/)]);
});
