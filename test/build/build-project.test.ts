import { expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBuildFreshness, readTypeScriptProject } from '../../src/build/build-freshness.js';
import { buildProject } from '../../src/build/build-project.js';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');

/** A real incremental TypeScript project (this repository's tsc), not yet compiled. */
function project() {
  const dir = mkdtempSync(join(tmpdir(), 'build-project-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","type":"module"}\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      rootDir: 'src', outDir: 'lib', tsBuildInfoFile: 'lib/.tsbuildinfo', incremental: true, isolatedModules: true,
      module: 'nodenext', target: 'es2022', strict: true, skipLibCheck: true, types: [],
    },
  }));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/main.ts'), 'export const answer: number = 41;\n');
  writeFileSync(join(dir, 'src/other.ts'), 'export const other = 1;\n');
  return { dir, project: readTypeScriptProject(dir)! };
}

const inAnHour = () => Date.now() / 1000 + 3600;

test('a source changed and dated in the future (clock skew, a copied tree) is compiled and its output is current afterwards', () => {
  const { dir, project: p } = project();
  buildProject(p);
  expect(checkBuildFreshness(p).fresh).toBe(true);
  const main = join(dir, 'src/main.ts');
  writeFileSync(main, 'export const answer: number = 42;\n');
  utimesSync(main, inAnHour(), inAnHour());
  expect(checkBuildFreshness(p).fresh).toBe(false);

  buildProject(p);
  expect(readFileSync(join(dir, 'lib/main.js'), 'utf8')).toContain('answer = 42');
  expect(statSync(join(dir, 'lib/main.js')).mtimeMs).toBeGreaterThanOrEqual(statSync(main).mtimeMs);
  expect(checkBuildFreshness(p).fresh).toBe(true);
}, 60_000);

test('a source touched into the future without a change is current after the build; an untouched one keeps its output time', () => {
  const { dir, project: p } = project();
  buildProject(p);
  const otherBuilt = statSync(join(dir, 'lib/other.js')).mtimeMs;
  utimesSync(join(dir, 'src/main.ts'), inAnHour(), inAnHour());
  buildProject(p);
  expect(checkBuildFreshness(p).fresh).toBe(true);
  expect(statSync(join(dir, 'lib/main.js')).mtimeMs).toBeGreaterThanOrEqual(statSync(join(dir, 'src/main.ts')).mtimeMs);
  expect(statSync(join(dir, 'lib/other.js')).mtimeMs).toBe(otherBuilt);
}, 60_000);

const quietly = <T>(run: () => T): T => {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return run();
  } finally {
    process.stderr.write = write;
  }
};

test.each([
  ['a type error', 'export const answer: number = "forty-two";\n'],
  ['a syntax error', 'export const answer: number = ;\n'],
])('%s is a BuildError naming tsconfig.json; the output tsc still wrote is stale until a clean compile', (_, broken) => {
  const { dir, project: p } = project();
  buildProject(p);
  writeFileSync(join(dir, 'src/main.ts'), broken);
  expect(() => quietly(() => buildProject(p))).toThrow(/tsconfig\.json: tsc failed \(errors above\); nothing was rendered/);
  // tsc emits despite errors, so lib/main.js is newer than its source: the build info says it failed
  expect(statSync(join(dir, 'lib/main.js')).mtimeMs).toBeGreaterThanOrEqual(statSync(join(dir, 'src/main.ts')).mtimeMs);
  const failed = checkBuildFreshness(p);
  expect(failed.fresh).toBe(false);
  expect(failed.failedCompile).toBe(true);
  expect(failed.reasons).toEqual(['the last compile reported errors in src/main.ts (lib/.tsbuildinfo)']);

  writeFileSync(join(dir, 'src/main.ts'), 'export const answer: number = 42;\n');
  buildProject(p);
  expect(checkBuildFreshness(p)).toMatchObject({ fresh: true, failedCompile: false, reasons: [] });
}, 60_000);
