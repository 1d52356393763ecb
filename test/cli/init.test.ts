import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const cli = join(repoRoot, 'lib/cli/main.js');
const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

function run(args: string[], cwd: string) {
  if (!existsSync(cli)) throw new Error('lib/ is missing: run `npm run build` (or `npm run synth`, which builds a missing lib/)');
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

test('init writes an ESM consumer repository with the plugin export, workflows and .gitignore', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  const result = run(['init', 'My Platform'], cwd);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const dir = join(cwd, 'My Platform');
  for (const file of ['package.json', 'tsconfig.json', 'cdk8s.yaml', 'src/main.ts', 'test/app.test.mjs', '.gitignore', 'README.md',
    '.github/workflows/ci.yml', '.github/workflows/pr.yml', '.github/workflows/pr-comment.yml']) {
    expect(existsSync(join(dir, file))).toBe(true);
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(pkg).toMatchObject({
    name: 'my-platform', type: 'module', private: true,
    dependencies: { 'lambda-gitops': `^${own.version}`, cdk8s: `^${own.devDependencies.cdk8s}`, constructs: `^${own.devDependencies.constructs}` },
    devDependencies: { 'cdk8s-cli': own.devDependencies['cdk8s-cli'], typescript: own.devDependencies.typescript },
  });
  expect(pkg.scripts.synth).toBe('cdk8s synth --no-check-upgrade');
  const cdk8sYaml = readFileSync(join(dir, 'cdk8s.yaml'), 'utf8');
  expect(cdk8sYaml).toMatch(/^app: node \.\/node_modules\/lambda-gitops\/lib\/cli\/main\.js synth --app \.\/lib\/main\.js --build$/m);
  // the path the app runs is the CLI the package's bin runs for every command but a bundled check (src/cli/bin.ts)
  expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).bin['lambda-gitops']).toBe('lib/cli/bin.js');
  expect(readFileSync(join(repoRoot, 'src/cli/bin.ts'), 'utf8')).toMatch(/await import\('\.\/main\.js'\)/);
  expect(cdk8sYaml).toMatch(/^ {2}- package: \.\/node_modules\/lambda-gitops\/lib\/policy\/cdk8s-plugin\.js/m);
  expect(cdk8sYaml).toMatch(new RegExp(`^ {4}version: ${own.version.replace(/\./g, '\\.')}$`, 'm'));
  expect(cdk8sYaml).not.toMatch(/\{\{/);
  // the export cdk8s.yaml's path stands for
  const exportsField = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).exports;
  expect(exportsField['./cdk8s-plugin'].default).toBe('./lib/policy/cdk8s-plugin.js');
  expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\/lib\/$/m);
  expect(readFileSync(join(dir, 'src/main.ts'), 'utf8')).toBe(readFileSync(join(repoRoot, 'templates/consumer/src/main.ts'), 'utf8'));
  expect(result.stdout).toMatch(/next: cd My Platform && npm install && npm run synth && npm test\n$/);
});

test('the generated workflows call only lambda-gitops commands and options that exist', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  expect(run(['init', 'p'], cwd).status).toBe(0);
  const calls = ['ci.yml', 'pr.yml', 'pr-comment.yml']
    .flatMap((f) => [...readFileSync(join(cwd, 'p/.github/workflows', f), 'utf8').matchAll(/npx lambda-gitops (\w+)((?: --?[\w-]+)|(?: [^\s;|>"]+)|(?: "[^"]*"))*/g)]);
  expect(calls.length).toBeGreaterThanOrEqual(6);
  for (const call of calls) {
    const command = call[1];
    const help = run([command, '--help'], cwd);
    expect(help.status).toBe(0);
    for (const option of call[0].match(/ --[\w-]+/g) ?? []) expect(`${command}:${help.stdout.includes(option.trim()) ? 'documented' : option.trim()}`).toBe(`${command}:documented`);
  }
});

test('init refuses a non-empty directory (exit 2) unless --force; --package sets the dependency', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  writeFileSync(join(cwd, 'keep.txt'), 'x');
  const refused = run(['init', '.'], cwd);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toBe('lambda-gitops init: .: directory is not empty (pass --force to write the template into it)\n');
  expect(existsSync(join(cwd, 'package.json'))).toBe(false);
  const tarball = join(cwd, 'lambda-gitops-9.9.9.tgz');
  writeFileSync(tarball, '');
  expect(run(['init', '.', '--force', '--package', 'lambda-gitops-9.9.9.tgz'], cwd).status).toBe(0);
  expect(JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).dependencies['lambda-gitops']).toBe(`file:${tarball}`);
  expect(readFileSync(join(cwd, 'keep.txt'), 'utf8')).toBe('x');
  expect(run(['init'], cwd).status).toBe(2);
});
