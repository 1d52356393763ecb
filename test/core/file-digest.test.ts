// A file's digest is taken from a recorded stamp only while the file's stat still equals it; any
// write (even one that keeps the size and puts the modification time back) is noticed.
import { describe, expect, test, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDigest, readDigested } from '../../src/core/file-digest.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('fileDigest', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-digest-'));
    file = join(dir, 'schema.json');
    writeFileSync(file, '{"a":1}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a file written just now is hashed and gets no stamp (a write in the same tick could keep every stat field)', () => {
    const result = fileDigest(file);
    expect(result.digest).toBe(sha('{"a":1}'));
    expect(result.content?.toString()).toBe('{"a":1}');
    expect(result.stamp).toBeUndefined();
  });

  test('a settled file gets a stamp; with it recorded and the file untouched the digest comes from the record, unread', () => {
    const first = fileDigest(file, undefined, 0n);
    expect(first.stamp).toBeDefined();
    expect(first.stamp!.size).toBe('7');
    // a recorded digest is trusted only through the stamp: a wrong one shows the file was not read
    const again = fileDigest(file, { digest: 'recorded', stamp: first.stamp }, 0n);
    expect(again).toEqual({ digest: 'recorded', stamp: first.stamp });
    expect(again.content).toBeUndefined();
  });

  test('a write keeping the size and the modification time changes the stamp (ctime), so the file is hashed again', () => {
    // a whole second, which utimes can put back exactly
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const first = fileDigest(file, undefined, 0n);
    writeFileSync(file, '{"a":2}');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const now = statSync(file, { bigint: true });
    expect([String(now.size), String(now.mtimeNs), String(now.ino)]).toEqual([first.stamp!.size, first.stamp!.mtimeNs, first.stamp!.ino]);
    const after = fileDigest(file, { digest: first.digest, stamp: first.stamp }, 0n);
    expect(after.digest).toBe(sha('{"a":2}'));
    expect(after.digest).not.toBe(first.digest);
    expect(after.content?.toString()).toBe('{"a":2}');
  });

  test('a file replaced by another (new inode) with the same size is hashed again', () => {
    const first = fileDigest(file, undefined, 0n);
    rmSync(file);
    writeFileSync(join(dir, 'other'), 'x');
    writeFileSync(file, '{"b":1}');
    expect(fileDigest(file, first, 0n).digest).toBe(sha('{"b":1}'));
  });

  test('readDigested gives the content only while it has the digest', () => {
    const { digest } = fileDigest(file);
    expect(readDigested(file, digest).toString()).toBe('{"a":1}');
    writeFileSync(file, '{"a":3}');
    expect(() => readDigested(file, digest)).toThrow(/schema\.json changed while in use/);
  });
});
