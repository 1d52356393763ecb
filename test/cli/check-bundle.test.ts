/**
 * The package's bin runs `check` from lib/cli/check-bundle.cjs (written by `npm run build`): the
 * same output and exit code as `node lib/cli/main.js check` (the ES modules), and the bundle is
 * never used when one of the lib/ files it was made from changed. Needs a built lib/ (npm run build).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleServes, CHECK_BUNDLE_CACHE_FILE, CHECK_BUNDLE_FILE, loadCheckBundle, type LoadedCheckBundle } from '../../src/cli/check-bundle.js';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const bin = join(repoRoot, 'lib/cli/bin.js');
const main = join(repoRoot, 'lib/cli/main.js');
// src/cli/check-bundle.ts resolves its files next to itself: the built ones are in lib/cli
const bundleFile = join(repoRoot, 'lib/cli', CHECK_BUNDLE_FILE.split('/').pop()!);
const cacheFile = join(repoRoot, 'lib/cli', CHECK_BUNDLE_CACHE_FILE.split('/').pop()!);
let work: string;

beforeAll(() => {
  // inside the repository (ignored .cache/), so the bundle's packages resolve from node_modules
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  work = mkdtempSync(join(repoRoot, '.cache', 'check-bundle-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(entry: string, args: string[]) {
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  // a policy report carries the time of the run (whole seconds), the one thing two runs may differ in
  return { code: result.status, stdout: result.stdout.replace(/^( +seconds:) \d+$/gm, '$1 (time)'), stderr: result.stderr };
}

function loaded(options: Parameters<typeof loadCheckBundle>[0] = {}): LoadedCheckBundle {
  const bundle = loadCheckBundle({ file: bundleFile, cacheFile, ...options });
  if (typeof bundle === 'string') throw new Error(`lib/cli/check-bundle.cjs is ${bundle}: run npm run build`);
  return bundle;
}

test('the built bundle is current and its code cache is accepted by this node', () => {
  const bundle = loaded();
  expect(bundle.modules).toEqual(expect.arrayContaining(['lib/cli/main.js', 'lib/cli/commands/check.js', 'lib/policy/engine.js', 'lib/capacity/drain-safe.js', 'lib/policy/come-up/crd-before-use.js']));
  expect(bundle.cacheAccepted).toBe(true);
  expect(loaded({ useCache: false }).cacheAccepted).toBe(false);
});

test('bin and lib/cli/main.js print the same for check: passing, failing, every format, usage and input errors', () => {
  const failing = join(repoRoot, 'policies/pss-capabilities-restricted/fixtures/fail');
  const broken = join(work, 'broken.yaml');
  writeFileSync(broken, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n');
  const cases = [
    ['check', 'dist'],
    ['check', failing],
    ['check', failing, '--format', 'json'],
    ['check', failing, '--format', 'sarif'],
    ['check', failing, '--format', 'policy-report', '--include-passes'],
    ['check', failing, '--disable', 'schema-valid', '--severity', 'warning'],
    ['check', broken],
    ['check', join(work, 'missing')],
    ['check', '--format', 'xml'],
    ['check', '--enable', 'no-such-rule', 'dist'],
    ['check', '--help'],
  ];
  const codes = new Set<number | null>();
  for (const args of cases) {
    const viaBin = run(bin, args);
    expect({ args, ...viaBin }).toEqual({ args, ...run(main, args) });
    codes.add(viaBin.code);
  }
  expect([...codes].sort()).toEqual([0, 1, 2]);
});

test('a changed lib/ module makes the bundle stale; a missing or foreign file is not a bundle; a cache of another bundle is not used', () => {
  const bundle = loaded();
  // a copy of the package's files the bundle holds, in a package root of its own
  const root = join(work, 'package');
  const copy = join(root, 'lib/cli/check-bundle.cjs');
  for (const module of bundle.modules) {
    mkdirSync(dirname(join(root, module)), { recursive: true });
    copyFileSync(join(repoRoot, module), join(root, module));
  }
  copyFileSync(bundleFile, copy);
  const copied = loadCheckBundle({ file: copy, cacheFile });
  expect(typeof copied === 'object' && copied.cacheAccepted).toBe(true);

  const engine = join(root, 'lib/policy/engine.js');
  writeFileSync(engine, readFileSync(engine, 'utf8').replace(/;\n/, ';;\n'));
  expect(loadCheckBundle({ file: copy, cacheFile })).toBe('stale');
  rmSync(engine);
  expect(loadCheckBundle({ file: copy, cacheFile })).toBe('stale');
  copyFileSync(join(repoRoot, 'lib/policy/engine.js'), engine);

  const otherCache = join(work, 'other.cache');
  writeFileSync(otherCache, Buffer.concat([Buffer.from('0'.repeat(64), 'latin1'), readFileSync(cacheFile).subarray(64)]));
  const withOther = loadCheckBundle({ file: copy, cacheFile: otherCache });
  expect(typeof withOther === 'object' && withOther.cacheAccepted).toBe(false);

  expect(loadCheckBundle({ file: join(root, 'lib/cli/none.cjs') })).toBe('missing');
  writeFileSync(copy, 'module.exports = {};\n');
  expect(loadCheckBundle({ file: copy })).toBe('malformed');
  writeFileSync(copy, `${readFileSync(bundleFile, 'utf8').split('\n')[0]}\n(function (packageRoot) {\n`);
  expect(loadCheckBundle({ file: copy })).toBe('malformed');
});

test('the bin serves check from the bundle, but not other commands or a --policies directory', () => {
  expect(bundleServes(['check', 'dist'])).toBe(true);
  expect(bundleServes(['check'])).toBe(true);
  expect(bundleServes(['check', '--policies', 'p'])).toBe(false);
  expect(bundleServes(['check', '--policies=p'])).toBe(false);
  expect(bundleServes(['synth'])).toBe(false);
  expect(bundleServes(['plan', 'check'])).toBe(false);
  expect(bundleServes([])).toBe(false);
});
