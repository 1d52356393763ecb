import { expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_STAMP, checkBuildFreshness, projectOfModule, readTypeScriptProject } from '../../src/build/build-freshness.js';

/** A project with src/a.ts, src/sub/b.ts and their outputs, all at `time` seconds. */
function project(time = 1_000_000) {
  const dir = mkdtempSync(join(tmpdir(), 'freshness-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { rootDir: 'src', outDir: 'lib', tsBuildInfoFile: 'lib/.tsbuildinfo' } }));
  for (const path of ['src/a.ts', 'src/sub/b.ts', 'src/types.d.ts', 'lib/a.js', 'lib/sub/b.js']) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), '');
  }
  for (const path of ['tsconfig.json', 'src/a.ts', 'src/sub/b.ts', 'src/types.d.ts', 'lib/a.js', 'lib/sub/b.js']) utimesSync(join(dir, path), time, time);
  return dir;
}

test('outputs at least as new as their sources are fresh; declaration files need no output', () => {
  const dir = project();
  const p = readTypeScriptProject(dir)!;
  expect(p.outDir).toBe(join(dir, 'lib'));
  expect(p.tsBuildInfoFile).toBe(join(dir, 'lib/.tsbuildinfo'));
  expect(checkBuildFreshness(p)).toEqual({ fresh: true, reasons: [], olderOutputs: [], missingOutputs: false, configChanged: false, failedCompile: false });
});

test('a source newer than its output, or a missing output, is stale and named', () => {
  const dir = project();
  utimesSync(join(dir, 'src/sub/b.ts'), 1_000_010, 1_000_010);
  rmSync(join(dir, 'lib/a.js'));
  expect(checkBuildFreshness(readTypeScriptProject(dir)!)).toEqual({
    fresh: false,
    reasons: ['lib/a.js is missing (source src/a.ts)', 'src/sub/b.ts changed after lib/sub/b.js was built'],
    olderOutputs: [join(dir, 'lib/sub/b.js')],
    missingOutputs: true,
    configChanged: false,
    failedCompile: false,
  });
});

test('tsconfig.json changed after the last build is stale until a build stamps the output again', () => {
  const dir = project();
  utimesSync(join(dir, 'tsconfig.json'), 1_000_010, 1_000_010);
  expect(checkBuildFreshness(readTypeScriptProject(dir)!).reasons).toEqual(['tsconfig.json changed after the last build']);
  expect(checkBuildFreshness(readTypeScriptProject(dir)!).configChanged).toBe(true);
  writeFileSync(join(dir, 'lib', BUILD_STAMP), '');
  utimesSync(join(dir, 'lib', BUILD_STAMP), 1_000_020, 1_000_020);
  expect(checkBuildFreshness(readTypeScriptProject(dir)!).fresh).toBe(true);
});

test('many stale files are listed up to five, then counted', () => {
  const dir = project();
  for (let i = 0; i < 8; i++) writeFileSync(join(dir, `src/n${i}.ts`), '');
  const { reasons } = checkBuildFreshness(readTypeScriptProject(dir)!);
  expect(reasons).toHaveLength(6);
  expect(reasons[5]).toBe('and 3 more');
});

test('the project of a module is the nearest tsconfig.json whose outDir holds it', () => {
  const dir = project();
  expect(projectOfModule(join(dir, 'lib/sub/b.js'))?.dir).toBe(dir);
  expect(projectOfModule(join(dir, 'lib/not-built-yet.js'))?.dir).toBe(dir);
  expect(projectOfModule(join(dir, 'app.mjs'))).toBeUndefined();
  writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "outDir": "lib" } }');
  expect(readTypeScriptProject(dir)).toBeUndefined();
});
