import { expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBuildFreshness, readTypeScriptProject } from '../../src/build/build-freshness.js';
import { confirmUnchangedSources } from '../../src/build/unchanged-sources.js';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const tsVersion = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A compiled project as an incremental tsc leaves it: src/a.ts and src/b.ts, their outputs, and a
 * build info recording each source's SHA-256; everything at t=1,000,000 s. `info` overrides keys of the build info.
 */
function compiled(info: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'unchanged-'));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { rootDir: 'src', outDir: 'lib', tsBuildInfoFile: 'lib/.tsbuildinfo' } }));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'lib'));
  const sources = { 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 2;\n' };
  for (const [name, text] of Object.entries(sources)) {
    writeFileSync(join(dir, 'src', name), text);
    writeFileSync(join(dir, 'lib', name.replace('.ts', '.js')), text);
  }
  writeFileSync(join(dir, 'lib/.tsbuildinfo'), JSON.stringify({
    fileNames: ['../node_modules/typescript/lib/lib.es5.d.ts', '../src/a.ts', '../src/b.ts'],
    fileInfos: ['0123', { version: sha256(sources['a.ts']), signature: 'x' }, { version: sha256(sources['b.ts']), signature: 'y' }],
    root: [[2, 3]],
    version: tsVersion,
    ...info,
  }));
  for (const path of ['tsconfig.json', 'src/a.ts', 'src/b.ts', 'lib/a.js', 'lib/b.js']) utimesSync(join(dir, path), 1_000_000, 1_000_000);
  return { dir, project: readTypeScriptProject(dir)! };
}

const touch = (path: string) => utimesSync(path, 1_000_010, 1_000_010);

test('a source touched without a change is confirmed by its hash: its output gets the current time, no compile needed', () => {
  const { dir, project } = compiled();
  touch(join(dir, 'src/a.ts'));
  const stale = checkBuildFreshness(project);
  expect(stale.fresh).toBe(false);
  const confirmed = confirmUnchangedSources(project, stale);
  expect(confirmed.fresh).toBe(true);
  expect(statSync(join(dir, 'lib/a.js')).mtimeMs).toBeGreaterThan(1_000_010_000);
  expect(checkBuildFreshness(project).fresh).toBe(true);
});

test('a source touched with a time in the future (clock skew, a copied tree) is confirmed too: its output gets that time, whole milliseconds', () => {
  const { dir, project } = compiled();
  const future = Date.now() / 1000 + 3600.4567; // an hour ahead, with a fraction of a millisecond
  utimesSync(join(dir, 'src/a.ts'), future, future);
  const confirmed = confirmUnchangedSources(project, checkBuildFreshness(project));
  expect(confirmed.fresh).toBe(true);
  expect(statSync(join(dir, 'lib/a.js')).mtimeMs).toBeGreaterThanOrEqual(statSync(join(dir, 'src/a.ts')).mtimeMs);
  expect(checkBuildFreshness(project).fresh).toBe(true);
});

test('a changed source stays stale and no output is touched', () => {
  const { dir, project } = compiled();
  writeFileSync(join(dir, 'src/b.ts'), 'export const b = 3;\n');
  touch(join(dir, 'src/a.ts'));
  touch(join(dir, 'src/b.ts'));
  const result = confirmUnchangedSources(project, checkBuildFreshness(project));
  expect(result.fresh).toBe(false);
  expect(result.reasons).toEqual(['src/a.ts changed after lib/a.js was built', 'src/b.ts changed after lib/b.js was built']);
  expect(statSync(join(dir, 'lib/a.js')).mtimeMs).toBe(1_000_000_000);
});

test.each([
  ['the last compile left diagnostics', { semanticDiagnosticsPerFile: [[2, []]] }],
  ['the last compile left emit pending', { affectedFilesPendingEmit: [2] }],
  ['the last compile had errors', { errors: true }],
  ['another TypeScript wrote the build info', { version: '0.0.1' }],
])('nothing is confirmed when %s', (_why, info) => {
  const { dir, project } = compiled(info);
  touch(join(dir, 'src/a.ts'));
  expect(confirmUnchangedSources(project, checkBuildFreshness(project)).fresh).toBe(false);
  expect(statSync(join(dir, 'lib/a.js')).mtimeMs).toBe(1_000_000_000);
});

test('nothing is confirmed when tsconfig.json changed, an output is missing, or a source is not in the build info', () => {
  const config = compiled();
  touch(join(config.dir, 'src/a.ts'));
  touch(join(config.dir, 'tsconfig.json'));
  expect(confirmUnchangedSources(config.project, checkBuildFreshness(config.project)).fresh).toBe(false);

  const unknown = compiled({ fileNames: ['../src/a.ts'], fileInfos: [{ version: sha256('export const a = 1;\n') }] });
  touch(join(unknown.dir, 'src/b.ts'));
  expect(confirmUnchangedSources(unknown.project, checkBuildFreshness(unknown.project)).fresh).toBe(false);
  expect(statSync(join(unknown.dir, 'lib/b.js')).mtimeMs).toBe(1_000_000_000);
});
