import { spawnSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECEIPT_PATH, treeDigest, type GateReceipt } from '../../src/policy/gate-receipt.js';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const cli = join(repoRoot, 'lib/cli/main.js');

function run(args: string[], cwd: string) {
  if (!existsSync(cli)) throw new Error('lib/ is missing: run `npm run build` (or `npm run synth`, which builds a missing lib/)');
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

test('lambda-gitops synth renders the embedded platform into dist/ and reports what it wrote', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  const result = run(['synth'], cwd);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^rendered \d+ objects in \d+ files into dist\/ \(schemas valid; policy gate: 0 failed, \d+ warnings, \d+ exempted, \d+ passed\)\n$/);
  expect(readFileSync(join(cwd, 'dist/apps/inference/stateful-set-llama-3-1-8b.yaml'), 'utf8'))
    .toBe(readFileSync(join(repoRoot, 'dist/apps/inference/stateful-set-llama-3-1-8b.yaml'), 'utf8'));
});

test('a tree whose Flux paths do not match its location fails the gate, exit 1, and the previous tree stays', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  mkdirSync(join(cwd, 'out'));
  writeFileSync(join(cwd, 'out/keep.yaml'), 'keep: true\n');
  const result = run(['synth', '--out', 'out'], cwd);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/flux-path-exists: Kustomization apps path '\.\/dist\/apps' does not exist/);
  expect(result.stderr).toMatch(/the previous out\/ was left untouched/);
  // each problem is one line naming the construct path first and the file it would have been written to
  expect(result.stderr).toMatch(/^LambdaProd\/\S+: Kustomization flux-system\/apps: flux-path-exists: .* \(would be out\/clusters\/lambda-prod\/kustomization-apps\.yaml line \d+\)$/m);
  expect(result.stderr).toMatch(/^lambda-gitops synth: \d+ problems?: nothing was written; the previous out\/ was left untouched$/m);
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
  expect(bad.stderr).toMatch(/^lambda-gitops synth: empty\.mjs: exports neither buildApp\(app\) nor a default function/);
  expect(run(['synth', '--bogus'], cwd).status).toBe(2);
});

test('an invalid construct prop exits 2 with the construct path and prop, no stack trace unless --debug', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  writeFileSync(join(cwd, 'bad.mjs'), `
import { Tenant, InvalidPropError } from ${JSON.stringify(join(repoRoot, 'lib/index.js'))};
export function buildApp(app) {
  const t = new Tenant(app, 'ml', { team: 'ml', quota: { requestsCpu: '1', requestsMemory: '1Gi' } });
  throw new InvalidPropError(t, 'replicas', 0, 'must be at least 1');
}
`);
  const result = run(['synth', '--app', 'bad.mjs'], cwd);
  expect(result.status).toBe(2);
  expect(result.stderr).toBe("lambda-gitops synth: ml: invalid 'replicas' (0): must be at least 1 (the app could not be built; the previous dist/ was left untouched)\n");
  const debug = run(['synth', '--app', 'bad.mjs', '--debug'], cwd);
  expect(debug.status).toBe(2);
  expect(debug.stderr).toMatch(/^lambda-gitops synth: InvalidPropError: ml: invalid 'replicas'[^]*\n +at buildApp /);
});

test('under cdk8s synth the summary goes to stderr and the gate result is left beside the mirrored tree', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'synth-'));
  const result = spawnSync(process.execPath, [cli, 'synth'], { cwd, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: join(cwd, '.cdk8s-out') } });
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^rendered \d+ objects in \d+ files into dist\/ /);
  const receipt = JSON.parse(readFileSync(join(cwd, '.cdk8s-out', RECEIPT_PATH), 'utf8')) as GateReceipt;
  const mirrored = receipt.files.map((path) => ({ path, content: readFileSync(join(cwd, '.cdk8s-out', path), 'utf8') }));
  expect(mirrored.length).toBeGreaterThan(50);
  expect(receipt.treeSha256).toBe(treeDigest(mirrored));
  expect(receipt.failed).toBe(false);
  expect(receipt.options.disable).toEqual(['schema-valid']);
  expect(receipt.schemaValidated).toBe(true);
  const [, objects, files] = /^rendered (\d+) objects in (\d+) files/.exec(result.stderr)!;
  expect(receipt.rendered).toEqual({ outdir: 'dist/', objects: Number(objects) });
  expect(receipt.files).toHaveLength(Number(files));
});

describe('a compiled app is rendered only when its output is current', () => {
  /** A TypeScript project inside the repository (so it finds the repository's typescript and cdk8s). */
  function tsProject() {
    mkdirSync(join(repoRoot, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(repoRoot, '.cache', 'app-'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', rootDir: 'src', outDir: 'lib', incremental: true, tsBuildInfoFile: 'lib/.tsbuildinfo',
        strict: true, skipLibCheck: true, isolatedModules: true, types: [],
      },
      include: ['src/**/*.ts'],
    }));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'src'));
    const source = (name: string) => `
import type { App } from 'cdk8s';
import { ManifestDirectory } from ${JSON.stringify(join(repoRoot, 'lib/index.js'))};
import cdk8sPlus from 'cdk8s-plus-28';
export function buildApp(app: App): void {
  const dir = new ManifestDirectory(app, 'cfg', { directory: 'infrastructure/configs' });
  new cdk8sPlus.k8s.KubePriorityClass(dir, 'pc', { metadata: { name: '${name}' }, value: 1000 });
}
`;
    writeFileSync(join(dir, 'src/main.ts'), source('first'));
    return { dir, source };
  }

  test('a missing or stale lib/ is refused with the changed files (exit 2); --build compiles it once, then renders', () => {
    const { dir, source } = tsProject();
    const missing = run(['synth', '--app', 'lib/main.js', '--no-gate'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/lib\/main\.js: no such file \(--app; compile the app first, or pass --build\)/);

    const built = run(['synth', '--app', 'lib/main.js', '--no-gate', '--build'], dir);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(readFileSync(join(dir, 'dist/infrastructure/configs/priority-class-first.yaml'), 'utf8')).toMatch(/name: first/);

    writeFileSync(join(dir, 'src/main.ts'), source('second'));
    const later = new Date(Date.now() + 2000);
    utimesSync(join(dir, 'src/main.ts'), later, later);
    const stale = run(['synth', '--app', 'lib/main.js', '--no-gate'], dir);
    expect(stale.status).toBe(2);
    expect(stale.stderr).toBe("lambda-gitops synth: lib/ is stale, not rendering it:\n  src/main.ts changed after lib/main.js was built\nrun 'npx tsc -p tsconfig.json' (or pass --build)\n");
    expect(existsSync(join(dir, 'dist/infrastructure/configs/priority-class-second.yaml'))).toBe(false);

    const rebuilt = run(['synth', '--app', 'lib/main.js', '--no-gate', '--build'], dir);
    expect(rebuilt.status).toBe(0);
    expect(existsSync(join(dir, 'dist/infrastructure/configs/priority-class-second.yaml'))).toBe(true);

    // a touched but unchanged source: tsc (incremental) emits nothing, the output counts as current afterwards
    const touched = new Date(Date.now() + 4000);
    utimesSync(join(dir, 'src/main.ts'), touched, touched);
    expect(run(['synth', '--app', 'lib/main.js', '--no-gate', '--build'], dir).status).toBe(0);
    expect(run(['synth', '--app', 'lib/main.js', '--no-gate'], dir).status).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a compile error is reported with the compiler messages and nothing is rendered (exit 2)', () => {
    const { dir } = tsProject();
    writeFileSync(join(dir, 'src/main.ts'), 'export const x: number = "text";\n');
    const result = run(['synth', '--app', 'lib/main.js', '--build'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/src\/main\.ts\(1,14\): error TS2322/);
    expect(result.stderr).toMatch(/lambda-gitops synth: \S*tsconfig\.json: tsc failed \(errors above\); nothing was rendered\n$/);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    // tsc wrote lib/main.js despite the error: without --build that output is refused, not rendered
    expect(existsSync(join(dir, 'lib/main.js'))).toBe(true);
    const after = run(['synth', '--app', 'lib/main.js'], dir);
    expect(after.status).toBe(2);
    expect(after.stderr).toBe("lambda-gitops synth: lib/ is stale, not rendering it:\n  the last compile reported errors in src/main.ts (lib/.tsbuildinfo)\nrun 'npx tsc -p tsconfig.json' (or pass --build)\n");
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
