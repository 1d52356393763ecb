import { createHash } from 'node:crypto';
import { Manifest } from './model.js';

/** Words (32 bits) of an object's digest kept per row: 128 bits of its SHA-256. */
const DIGEST_WORDS = 4;

/** The content digest of a manifest: SHA-256 of its JSON (js-yaml values are JSON values), first 128 bits. */
export function digestOf(manifest: Manifest): Int32Array {
  const hash = createHash('sha256').update(JSON.stringify(manifest)).digest();
  const digest = new Int32Array(DIGEST_WORDS);
  // read word by word: the Buffer may start at any byte of a shared pool
  for (let i = 0; i < DIGEST_WORDS; i++) digest[i] = hash.readInt32LE(i * 4);
  return digest;
}

/**
 * One compact row per base object of the streaming diff: identity key → content digest, the index
 * of the base file that holds it, and the head file where the object was met (or -1). Columns are
 * typed arrays (about 24 bytes a row) next to one Map from key to row: no object graph is kept, so
 * 10^6 objects cost the keys and the map, not the trees.
 */
export class DigestTable {
  private readonly rows = new Map<string, number>();
  private digests = new Int32Array(DIGEST_WORDS * 1024);
  private baseFiles = new Int32Array(1024);
  private headFiles = new Int32Array(1024);

  /** Number of rows. */
  get size(): number {
    return this.rows.size;
  }

  /** Adds a base object; returns false (and adds nothing) when the key is already there. */
  add(key: string, digest: Int32Array, baseFile: number): boolean {
    if (this.rows.has(key)) return false;
    const row = this.rows.size;
    if (row === this.baseFiles.length) this.grow();
    this.rows.set(key, row);
    this.digests.set(digest, row * DIGEST_WORDS);
    this.baseFiles[row] = baseFile;
    this.headFiles[row] = -1;
    return true;
  }

  /** The row of a key, if the base has it. */
  rowOf(key: string): number | undefined {
    return this.rows.get(key);
  }

  /** The base file (index in read order) of a row. */
  baseFileOf(row: number): number {
    return this.baseFiles[row];
  }

  /** The head file where the row's object was met, or -1. */
  headFileOf(row: number): number {
    return this.headFiles[row];
  }

  /** Records that the head holds the row's object in file `headFile`. */
  meetInHead(row: number, headFile: number): void {
    this.headFiles[row] = headFile;
  }

  /** Whether the row's digest is `digest`. */
  hasDigest(row: number, digest: Int32Array): boolean {
    const at = row * DIGEST_WORDS;
    for (let i = 0; i < DIGEST_WORDS; i++) if (this.digests[at + i] !== digest[i]) return false;
    return true;
  }

  /** Every key and its row, in the order they were added. */
  entries(): IterableIterator<[string, number]> {
    return this.rows.entries();
  }

  private grow(): void {
    const capacity = this.baseFiles.length * 2;
    const widen = (column: Int32Array, size: number) => {
      const wider = new Int32Array(size);
      wider.set(column);
      return wider;
    };
    this.digests = widen(this.digests, capacity * DIGEST_WORDS);
    this.baseFiles = widen(this.baseFiles, capacity);
    this.headFiles = widen(this.headFiles, capacity);
  }
}
