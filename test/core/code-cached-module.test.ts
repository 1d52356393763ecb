// A generated module's V8 code cache is offered to V8 only for the exact text it was made from:
// V8 itself accepts a cache for any source of the same length, and would then run the old code.
import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheCurrent, codeCacheFile, loadCodeCachedModule, writeCodeCache } from '../../src/core/code-cached-module.js';
import { fileDigest } from '../../src/core/file-digest.js';

// a function V8 compiles lazily (so its code is in the cache only because the exercise ran it)
const source = (answer: number) => `'use strict';\nexports.answer = function answer(x) { return x + ${answer}; };\nexports.name = __filename;\n`;

describe('code-cached generated modules', () => {
  let dir: string;
  let n = 0;
  /** A module at a new path (modules are loaded once per process and path, like require). */
  const moduleFile = (answer: number) => {
    const file = join(dir, `m${n++}.cjs`);
    writeFileSync(file, source(answer));
    return file;
  };
  const exercise = (exports: unknown) => (exports as { answer: (x: number) => number }).answer(1);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a cache made from the module is accepted and the module behaves as without it', () => {
    const file = moduleFile(1);
    const plain = moduleFile(1);
    expect(writeCodeCache(file, exercise)).toBeGreaterThan(0);
    expect(codeCacheCurrent(file)).toBe(true);
    const cached = loadCodeCachedModule(file);
    expect(cached.cache).toBe('accepted');
    const uncached = loadCodeCachedModule(plain);
    expect(uncached.cache).toBe('missing');
    const [a, b] = [cached.exports, uncached.exports] as { answer: (x: number) => number; name: string }[];
    expect(a.answer(41)).toBe(42);
    expect(a.answer(41)).toBe(b.answer(41));
    expect(a.name).toBe(file);
    // once per process: the same exports again
    expect(loadCodeCachedModule(file).exports).toBe(a);
  });

  test('a module changed after its cache was made (same length) runs its new code: the cache is not offered', () => {
    const file = moduleFile(1);
    writeCodeCache(file, exercise);
    writeFileSync(file, source(2));
    expect(readFileSync(file, 'utf8').length).toBe(source(1).length);
    expect(codeCacheCurrent(file)).toBe(false);
    const loaded = loadCodeCachedModule(file);
    expect(loaded.cache).toBe('stale');
    expect((loaded.exports as { answer: (x: number) => number }).answer(40)).toBe(42);
  });

  test('a recorded stamp is trusted only while it holds: a same-size write with the old modification time is hashed and found stale', () => {
    const file = moduleFile(1);
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    writeCodeCache(file, exercise);
    // the stamp a build recording a settled module would have written
    const cacheFile = codeCacheFile(file);
    const bytes = readFileSync(cacheFile);
    const end = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, end).toString('utf8'));
    const { stamp } = fileDigest(file, undefined, 0n);
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, stamp })}\n`), bytes.subarray(end + 1)]));
    expect(codeCacheCurrent(file)).toBe(true);
    writeFileSync(file, source(3));
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const loaded = loadCodeCachedModule(file);
    expect(loaded.cache).toBe('stale');
    expect((loaded.exports as { answer: (x: number) => number }).answer(39)).toBe(42);
  });

  test('a cache made by another Node.js is not offered; the module loads from its text', () => {
    const other = moduleFile(1);
    writeCodeCache(other, exercise);
    const cacheFile = codeCacheFile(other);
    const bytes = readFileSync(cacheFile);
    const end = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, end).toString('utf8'));
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, runtime: 'v0.0.0 x64' })}\n`), bytes.subarray(end + 1)]));
    const fromOther = loadCodeCachedModule(other);
    expect(fromOther.cache).toBe('stale');
    expect((fromOther.exports as { answer: (x: number) => number }).answer(41)).toBe(42);

  });

  // V8 also keeps what this process compiled (a cache is then neither consumed nor checked), so
  // whether V8 takes a cache is seen in a fresh process (lib/, built by npm run build)
  const inFreshNode = (file: string) => {
    const loader = join(process.cwd(), 'lib', 'core', 'code-cached-module.js');
    const script = `const { loadCodeCachedModule } = await import(${JSON.stringify(loader)}); const m = loadCodeCachedModule(${JSON.stringify(file)}); console.log(JSON.stringify({ cache: m.cache, answer: m.exports.answer(41) }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as { cache: string; answer: number };
  };

  test('another process takes the cache (V8 accepts it); damaged data is rejected by V8 and the module loads from its text', () => {
    const file = moduleFile(1);
    writeCodeCache(file, exercise);
    expect(inFreshNode(file)).toEqual({ cache: 'accepted', answer: 42 });
    const bytes = readFileSync(codeCacheFile(file));
    const end = bytes.indexOf(0x0a);
    writeFileSync(codeCacheFile(file), Buffer.concat([bytes.subarray(0, end + 1), Buffer.alloc(bytes.length - end - 1, 7)]));
    expect(inFreshNode(file)).toEqual({ cache: 'rejected', answer: 42 });
    writeFileSync(file, source(2));
    expect(inFreshNode(file)).toEqual({ cache: 'stale', answer: 43 });
  });
});
