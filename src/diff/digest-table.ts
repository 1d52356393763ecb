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

/** Whether entry `index` of a digest column is `digest`. */
function digestAt(column: Int32Array, index: number, digest: Int32Array): boolean {
  const at = index * DIGEST_WORDS;
  for (let i = 0; i < DIGEST_WORDS; i++) if (column[at + i] !== digest[i]) return false;
  return true;
}

/**
 * One compact row per base object of the streaming diff: identity key → content digest, the index
 * of the base file that holds it, the head file where the object was met (or -1), and whether the
 * head's object differs (with the head's digest, to find it again unchanged). Columns are typed
 * arrays (about 28 bytes a row, 16 more per object that differs) next to one Map from key to row:
 * no object graph is kept, so 10^6 objects cost the keys and the map, not the trees. Rows are
 * numbered in the order they were added (the base's read order).
 */
export class DigestTable {
  private readonly rows = new Map<string, number>();
  private digests = new Int32Array(DIGEST_WORDS * 1024);
  private baseFiles = new Int32Array(1024);
  private headFiles = new Int32Array(1024);
  /** Per row: the index of its head digest in {@link headDigests}, or -1 when the head's object is the same or absent. */
  private changes = new Int32Array(1024);
  private headDigests = new Int32Array(DIGEST_WORDS * 1024);
  private changedRows = 0;

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
    this.changes[row] = -1;
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
    return digestAt(this.digests, row, digest);
  }

  /** Records that the head's object of the row differs from the base's: its digest is `headDigest`. */
  markChanged(row: number, headDigest: Int32Array): void {
    const index = this.changedRows++;
    if ((index + 1) * DIGEST_WORDS > this.headDigests.length) {
      const wider = new Int32Array(this.headDigests.length * 2);
      wider.set(this.headDigests);
      this.headDigests = wider;
    }
    this.headDigests.set(headDigest, index * DIGEST_WORDS);
    this.changes[row] = index;
  }

  /** Whether the head's object of the row differs from the base's (see {@link markChanged}). */
  isChanged(row: number): boolean {
    return this.changes[row] >= 0;
  }

  /** Number of rows marked changed. */
  get changedCount(): number {
    return this.changedRows;
  }

  /** Whether the row is changed and the head's digest recorded for it is `digest`. */
  hasHeadDigest(row: number, digest: Int32Array): boolean {
    const index = this.changes[row];
    return index >= 0 && digestAt(this.headDigests, index, digest);
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
    this.changes = widen(this.changes, capacity);
  }
}
