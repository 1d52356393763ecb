/**
 * Reading a large tree's files ahead on a worker thread (src/policy/file-prefetch.ts): every entry
 * comes once, in order, with the text the caller would have read, or without text for the caller
 * to read itself (unreadable, too large for a slot or for `maxBytes`, not prefetchable, or read
 * before the worker was up); an error of the walk comes after every entry before it; and the
 * loader reads a tree past the threshold to the same objects as the same files read one by one.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefetchFiles, type PrefetchEntry } from '../../src/policy/file-prefetch.js';
import { loadManifests, manifestsFromText } from '../../src/policy/loader.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lg-prefetch-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string, count: number, text: (i: number) => string): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const path = join(dir, `f${String(i).padStart(4, '0')}.yaml`);
    writeFileSync(path, text(i));
    return path;
  });
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/**
 * The entries as a caller that parses each file sees them: until the first text arrives it waits
 * 5 ms per entry (the worker boots in parallel, and a caller that does nothing would be done first).
 */
function consume<T extends PrefetchEntry>(run: Iterable<{ entry: T; text?: string }>): { entry: T; text?: string }[] {
  const seen = [];
  for (const f of run) {
    seen.push(f);
    if (!seen.some((s) => s.text !== undefined)) Atomics.wait(pause, 0, 0, 5);
  }
  return seen;
}

const entries = (paths: string[], prefetchable = (_: number) => true): PrefetchEntry[] => paths.map((absolute, i) => ({ absolute, prefetchable: prefetchable(i) }));

describe('prefetchFiles', () => {
  test('every entry once, in order, with the file text when the worker read it', () => {
    const paths = files(join(root, 'plain'), 600, (i) => `n: ${i}\nvalue: ${'é'.repeat(i % 7)}x\n`);
    const seen = consume(prefetchFiles(entries(paths), { minFiles: 10 }));
    expect(seen.map((f) => f.entry.absolute)).toEqual(paths);
    for (const f of seen) if (f.text !== undefined) expect(f.text).toBe(readFileSync(f.entry.absolute, 'utf8'));
    // the worker starts after 10 files and boots in parallel: most of the 600 come from it
    expect(seen.filter((f) => f.text !== undefined).length).toBeGreaterThan(400);
    expect(seen.slice(0, 10).every((f) => f.text === undefined)).toBe(true);
  });

  test('below the threshold no worker reads anything', () => {
    const paths = files(join(root, 'small'), 50, (i) => `n: ${i}\n`);
    const seen = consume(prefetchFiles(entries(paths), { minFiles: 51 }));
    expect(seen.map((f) => f.entry.absolute)).toEqual(paths);
    expect(seen.every((f) => f.text === undefined)).toBe(true);
  });

  test('files the worker cannot hand over come without text: missing, a directory, larger than a slot or than maxBytes, not prefetchable', () => {
    const paths = files(join(root, 'odd'), 400, (i) => (i === 300 ? 'x'.repeat(300 * 1024) : i === 301 ? 'y'.repeat(2000) : `n: ${i}\n`));
    unlinkSync(paths[302]);
    paths[303] = join(root, 'odd');
    const seen = consume(prefetchFiles(entries(paths, (i) => i !== 304), { minFiles: 5, maxBytes: 1000 }));
    expect(seen.map((f) => f.entry.absolute)).toEqual(paths);
    for (const i of [300, 301, 302, 303, 304]) expect(seen[i].text).toBeUndefined();
    for (const f of seen) if (f.text !== undefined) expect(f.text).toBe(readFileSync(f.entry.absolute, 'utf8'));
    expect(seen.slice(305).filter((f) => f.text !== undefined).length).toBeGreaterThan(0);
  });

  test('an error of the walk is thrown after every entry before it', () => {
    const paths = files(join(root, 'failing'), 300, (i) => `n: ${i}\n`);
    function* walk(): Generator<PrefetchEntry> {
      for (const [i, absolute] of paths.entries()) {
        if (i === 250) throw new Error('cannot read directory');
        yield { absolute, prefetchable: true };
      }
    }
    const seen: string[] = [];
    expect(() => {
      for (const f of prefetchFiles(walk(), { minFiles: 5 })) seen.push(f.entry.absolute);
    }).toThrow('cannot read directory');
    expect(seen).toEqual(paths.slice(0, 250));
  });

  test('a caller that stops early stops the worker (the process is not held)', () => {
    const paths = files(join(root, 'early'), 300, (i) => `n: ${i}\n`);
    let taken = 0;
    for (const f of prefetchFiles(entries(paths), { minFiles: 5 })) {
      if (++taken === 100) break;
      expect(f.entry.absolute).toBe(paths[taken - 1]);
    }
    expect(taken).toBe(100);
  });
});

test('loadManifests on a tree past the threshold reads the objects of each file, in order, as one by one', () => {
  const dir = join(root, 'tree');
  const paths: string[] = [];
  for (let d = 0; d < 6; d++) {
    paths.push(...files(join(dir, `d${d}`), 250, (i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${d}-${i}\n  namespace: n${d}\n  annotations:\n    octal: 0777\ndata:\n  octal: 0777\n  flow: {a: [1, 2]}\n`));
  }
  const cwd = process.cwd();
  const loaded = loadManifests([dir], { cwd });
  const expected = manifestsFromText(paths.map((path) => ({ file: path, text: readFileSync(path, 'utf8') })));
  expect(loaded.objects.length).toBe(1500);
  expect(loaded.objects.map((o) => o.object)).toEqual(expected.objects.map((o) => o.object));
  expect(loaded.objects[0].object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c0-0', namespace: 'n0', annotations: { octal: '0777' } }, data: { octal: 511, flow: { a: [1, 2] } } });
});
