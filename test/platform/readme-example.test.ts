import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const TEMPLATE_MAIN = 'templates/consumer/src/main.ts';

/** The README's library example: the fenced block between the example markers. */
function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const match = /<!-- example:start \(templates\/consumer\/src\/main\.ts\) -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no example block between <!-- example:start (templates/consumer/src/main.ts) --> and <!-- example:end -->');
  return match[1];
}

test('the README example is the init template\'s src/main.ts, character for character', () => {
  expect(readmeExample()).toBe(readFileSync(join(repoRoot, TEMPLATE_MAIN), 'utf8'));
});

/**
 * The example run as another repository runs it: `import ... from 'lambda-gitops'` resolved
 * through the package's `exports` (lib/, built by `npm ci`), rendered by `lambda-gitops synth
 * --app` through the validated, atomic path. Importing it renders nothing.
 */
test('the README example renders nothing on import and a checked tree through synth --app', () => {
  if (!existsSync(join(repoRoot, 'lib/index.js'))) throw new Error('lib/ is missing: run `npm run build` (or `npm run synth`, which builds a missing lib/)');
  const project = mkdtempSync(join(tmpdir(), 'consumer-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(repoRoot, join(project, 'node_modules', 'lambda-gitops'));
  symlinkSync(join(repoRoot, 'node_modules', 'cdk8s'), join(project, 'node_modules', 'cdk8s'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  const js = ts.transpileModule(readmeExample(), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(join(project, 'main.mjs'), js);

  execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./main.mjs'); if (typeof m.buildApp !== 'function') process.exit(3);"], { cwd: project, stdio: 'pipe' });
  expect(existsSync(join(project, 'dist'))).toBe(false);

  const synth = spawnSync(process.execPath, [join(repoRoot, 'lib/cli/main.js'), 'synth', '--app', 'main.mjs'], { cwd: project, encoding: 'utf8' });
  expect(synth.stderr).toBe('');
  expect(synth.status).toBe(0);
  expect(synth.stdout).toMatch(/^rendered \d+ objects in \d+ files into dist\/ \(schemas valid; policy gate: 0 failed/);
  const dist = join(project, 'dist');
  for (const file of ['clusters/prod/kustomization-apps.yaml', 'apps/inference/deployment-llama.yaml', 'apps/gateway/deployment-portkey-gateway.yaml', 'apps/gateway/httproute-portkey-gateway.yaml',
    // configs holds the cluster model (flux-system) and the Gateway (traefik): mixed namespaces prefix the file names
    'infrastructure/configs/flux-system.config-map-cluster-model.yaml', 'infrastructure/configs/traefik.gateway-platform.yaml']) {
    expect(existsSync(join(dist, file))).toBe(true);
  }
  const check = execFileSync(process.execPath, [join(repoRoot, 'lib/cli/main.js'), 'check', dist, '--format', 'json'], { cwd: project, encoding: 'utf8' });
  expect(JSON.parse(check).summary.fail).toBe(0);
});
