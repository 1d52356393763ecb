import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const cli = join(repoRoot, 'lib/cli/main.js');

function run(args: string[], cwd: string) {
  if (!existsSync(cli)) throw new Error('lib/ is missing: run `npm run build` (npm ci does it through prepare)');
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

test('lambda-gitops synth renders the embedded platform into dist/ and reports what it wrote', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  const result = run(['synth'], cwd);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^rendered \d+ files into .*\/dist\n$/);
  expect(readFileSync(join(cwd, 'dist/apps/inference/deployment-llama-3-1-8b.yaml'), 'utf8'))
    .toBe(readFileSync(join(repoRoot, 'dist/apps/inference/deployment-llama-3-1-8b.yaml'), 'utf8'));
});

test('a tree whose Flux paths do not match its location fails the gate, exit 1, and the previous tree stays', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  mkdirSync(join(cwd, 'out'));
  writeFileSync(join(cwd, 'out/keep.yaml'), 'keep: true\n');
  const result = run(['synth', '--out', 'out'], cwd);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/flux-path-exists: Kustomization apps path '\.\/dist\/apps' does not exist/);
  expect(result.stderr).toMatch(/the previous out\/ was left untouched/);
  expect(readFileSync(join(cwd, 'out/keep.yaml'), 'utf8')).toBe('keep: true\n');
});

test('--app renders a module that exports buildApp; a bad module or option is a usage error (exit 2)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  writeFileSync(join(cwd, 'app.mjs'), `
import { ManifestDirectory } from ${JSON.stringify(join(repoRoot, 'lib/index.js'))};
import cdk8sPlus from ${JSON.stringify(join(repoRoot, 'node_modules/cdk8s-plus-28/lib/index.js'))};
export function buildApp(app) {
  const dir = new ManifestDirectory(app, 'cfg', { directory: 'infrastructure/configs' });
  new cdk8sPlus.k8s.KubePriorityClass(dir, 'pc', { metadata: { name: 'serving' }, value: 1000 });
}
`);
  const ok = run(['synth', '--app', 'app.mjs', '--out', 'tree'], cwd);
  expect(ok.status).toBe(0);
  expect(existsSync(join(cwd, 'tree/infrastructure/configs/priority-class-serving.yaml'))).toBe(true);

  writeFileSync(join(cwd, 'empty.mjs'), 'export const nothing = 1;\n');
  const bad = run(['synth', '--app', 'empty.mjs'], cwd);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/empty\.mjs exports neither buildApp\(app\) nor a default function/);
  expect(run(['synth', '--bogus'], cwd).status).toBe(2);
});
