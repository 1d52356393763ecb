import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ChangeAction, DiffSummary, ResourceChange } from './model.js';
import { ChangeIdentity, OrderedChanges, ReviewRank } from './review-order.js';

const ACTION_RANK: Record<ChangeAction, string> = { removed: '0', changed: '1', added: '2' };
const ACTION_OF_RANK: Record<string, ChangeAction> = { 0: 'removed', 1: 'changed', 2: 'added' };

/** Bytes of serialized changes gathered before one write to the spill file. */
const WRITE_BATCH = 1 << 20;


/**
 * One component of a sort key, escaped so that joined keys compare as their components do: NUL
 * becomes NUL 0x01 and components are joined by NUL NUL, which sorts below any other character.
 */
function keyPart(text: string): string {
  return text.includes('\0') ? text.split('\0').join('\0\u0001') : text;
}

/**
 * The sort key of a change: one flat string whose code-unit order is `compareChanges`'s order
 * (action, then kind, namespace, name and group).
 */
export function changeSortKey(change: ResourceChange): string {
  const { kind, namespace, name, group } = change.resource;
  return [ACTION_RANK[change.action], keyPart(kind), keyPart(namespace), keyPart(name), keyPart(group)].join('\0\0');
}

/** The action and object a {@link changeSortKey} was made of. */
export function identityOfSortKey(key: string): ChangeIdentity {
  const [action, kind, namespace, name, group] = key.split('\0\0').map((part) => (part.includes('\0') ? part.split('\0\u0001').join('\0') : part));
  return { action: ACTION_OF_RANK[action], resource: { group, kind, namespace, name } };
}

/** Options of {@link ChangeSpill}. */
export interface ChangeSpillOptions {
  /**
   * Directory in which the private spill directory is created.
   * @default os.tmpdir()
   */
  readonly parent?: string;
}

/**
 * The listed changes of a report on disk instead of in memory, so a report of any number of
 * objects is written within the diff's memory bound. Each change, already masked where the diff
 * masks (`maskPair`), is appended as it is produced (V8 serialization, so every value reads back
 * exactly as it was: dates, NaN, -0); memory keeps per change only its sort key and file offset.
 * {@link sorted} reads the changes back in `compareChanges` order, {@link ordered} in any rank
 * order (the Markdown review order) by position. The file is created in a private directory (mode
 * 0700, file mode 0600) and its name and directory are removed at once, while it is open: it has no
 * name on disk, so nothing can open it, and the kernel frees it when the process ends, however it
 * ends (a signal during the diff's synchronous work, the heap limit, SIGKILL). No signal handler is
 * needed, so a signal ends the process at once, as it would without a spill.
 */
export class ChangeSpill {
  private fd: number | undefined;
  private readonly keys: string[] = [];
  private offsets = new Float64Array(1024);
  private written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Where a change is read back into (grown to the longest change read). */
  private buffer = Buffer.alloc(4096);
  private readonly counts = { added: 0, removed: 0, changed: 0 };

  constructor(options: ChangeSpillOptions = {}) {
    const directory = mkdtempSync(join(options.parent ?? tmpdir(), 'lambda-gitops-diff-'));
    const path = join(directory, 'changes.v8');
    let fd: number | undefined;
    try {
      fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      rmdirSync(directory);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      rmSync(directory, { recursive: true, force: true });
      throw error;
    }
    this.fd = fd;
  }

  /** What the spill holds on disk: the file's mode and bytes (for tests: what reaches the disk). */
  onDisk(): { mode: number; bytes: Buffer } {
    const fd = this.openFd();
    this.flush(fd);
    const bytes = Buffer.alloc(this.written);
    this.readInto(bytes, this.written, 0, this.written);
    return { mode: fstatSync(fd).mode & 0o777, bytes };
  }

  /** Number of changes spilled. */
  get length(): number {
    return this.keys.length;
  }

  /** Changes spilled, by action. */
  get summary(): DiffSummary {
    return { ...this.counts };
  }

  /** Appends changes (an `Array.push` stand-in for `ChangeCollector.changes`). */
  push(...changes: ResourceChange[]): number {
    for (const change of changes) {
      const fd = this.openFd();
      const bytes = serialize(change);
      const index = this.keys.length;
      if (index + 1 >= this.offsets.length) {
        const wider = new Float64Array(this.offsets.length * 2);
        wider.set(this.offsets);
        this.offsets = wider;
      }
      this.keys.push(changeSortKey(change));
      this.offsets[index] = this.written + this.pendingBytes;
      this.offsets[index + 1] = this.written + this.pendingBytes + bytes.length;
      this.counts[change.action]++;
      this.pending.push(bytes);
      this.pendingBytes += bytes.length;
      if (this.pendingBytes >= WRITE_BATCH) this.flush(fd);
    }
    return this.keys.length;
  }

  /** Every spilled change in `compareChanges` order (ties in the order they were pushed), read back one at a time. */
  *sorted(): Generator<ResourceChange> {
    const keys = this.keys;
    const order = this.positions((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
    for (const index of order) yield this.read(index);
  }

  /**
   * Every spilled change with its position in {@link sorted}'s order, in the order they were
   * pushed: the file read front to back in large reads (one read per change in any other order).
   */
  *inFileOrder(): Generator<readonly [position: number, change: ResourceChange]> {
    const keys = this.keys;
    const order = this.positions((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
    const positionOf = new Uint32Array(order.length);
    for (let position = 0; position < order.length; position++) positionOf[order[position]] = position;
    let window = Buffer.alloc(WRITE_BATCH);
    let windowStart = 0;
    let windowEnd = 0;
    for (let index = 0; index < order.length; index++) {
      const start = this.offsets[index];
      const end = this.offsets[index + 1];
      if (end > windowEnd) {
        if (end - start > window.length) window = Buffer.alloc(end - start);
        windowStart = start;
        windowEnd = start + this.readInto(window, window.length, start, end - start);
      }
      yield [positionOf[index], deserialize(window.subarray(start - windowStart, end - windowStart)) as ResourceChange] as const;
    }
  }

  /**
   * The spilled changes ordered by `rank` (computed once per change from its sort key, no change
   * read), then in {@link sorted}'s order; each change is read back from the file when asked for.
   * Memory: 12 bytes per change besides the keys. For the changes spilled so far.
   */
  ordered(rank: ReviewRank): OrderedChanges {
    const keys = this.keys;
    const ranks = new Float64Array(keys.length);
    for (let i = 0; i < keys.length; i++) ranks[i] = rank(identityOfSortKey(keys[i]));
    const order = this.positions((a, b) => ranks[a] - ranks[b] || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
    return {
      length: order.length,
      identityAt: (position) => identityOfSortKey(keys[order[position]]),
      changeAt: (position) => this.read(order[position]),
    };
  }

  /** The indexes of the spilled changes in `compare`'s order, with every change on disk. */
  private positions(compare: (a: number, b: number) => number): Uint32Array {
    this.flush(this.openFd());
    const order = new Uint32Array(this.keys.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return order.sort(compare);
  }

  /** The change pushed `index`-th, read back from the file. */
  private read(index: number): ResourceChange {
    const start = this.offsets[index];
    const length = this.offsets[index + 1] - start;
    if (length > this.buffer.length) this.buffer = Buffer.alloc(Math.max(length, this.buffer.length * 2));
    this.readInto(this.buffer, length, start, length);
    return deserialize(this.buffer.subarray(0, length)) as ResourceChange;
  }

  /**
   * Reads up to `wanted` bytes at `start` into `buffer` (at least `needed`, else the file ended
   * early); returns how many were read.
   */
  private readInto(buffer: Buffer, wanted: number, start: number, needed: number): number {
    const fd = this.openFd();
    const end = Math.min(start + wanted, this.written);
    let read = 0;
    while (read < end - start) {
      const n = readSync(fd, buffer, read, end - start - read, start + read);
      if (n === 0) break;
      read += n;
    }
    if (read < needed) throw new Error(`the diff's temporary file ended early (${read} of ${needed} bytes at ${start})`);
    return read;
  }

  /** Closes the spill file, which frees it (again: nothing). */
  close(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      this.pending = [];
      closeSync(fd);
    }
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error("the diff's temporary file is already closed");
    return this.fd;
  }

  private flush(fd: number): void {
    for (const bytes of this.pending) {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, this.written + done);
      this.written += bytes.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
  }
}
