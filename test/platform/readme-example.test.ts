import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');

/**
 * The README's library example, run as another repository would run it: `import ... from
 * 'lambda-gitops'` resolved through the package's `exports` (lib/, built by `npm ci`), rendering
 * through the validated, atomic path.
 */
test('the README example renders a tree that passes the schema and policy checks', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const example = blocks.find((b) => b.includes("from 'lambda-gitops'") && b.includes('renderApp('));
  expect(example).toBeDefined();
  if (!existsSync(join(repoRoot, 'lib/index.js'))) throw new Error('lib/ is missing: run `npm run build` (npm ci does it through prepare)');

  const project = mkdtempSync(join(tmpdir(), 'consumer-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(repoRoot, join(project, 'node_modules', 'lambda-gitops'));
  symlinkSync(join(repoRoot, 'node_modules', 'cdk8s'), join(project, 'node_modules', 'cdk8s'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  const js = ts.transpileModule(example!, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(join(project, 'main.mjs'), js);

  execFileSync(process.execPath, ['main.mjs'], { cwd: project, stdio: 'pipe' });
  const dist = join(project, 'dist');
  for (const file of ['clusters/prod/kustomization-apps.yaml', 'apps/inference/deployment-llama.yaml', 'apps/gateway/deployment-portkey-gateway.yaml', 'infrastructure/configs/config-map-cluster-model.yaml']) {
    expect(existsSync(join(dist, file))).toBe(true);
  }
  const check = execFileSync(process.execPath, [join(repoRoot, 'lib/cli/main.js'), 'check', dist, '--format', 'json'], { cwd: project, encoding: 'utf8' });
  expect(JSON.parse(check).summary.fail).toBe(0);
});
