import { createHash } from 'node:crypto';
import { readFileSync, statSync, type BigIntStats } from 'node:fs';

/**
 * A file's identity and times as `stat` reports them: device, inode, size, and the modification
 * and status-change times in nanoseconds (decimal strings, so they survive JSON).
 */
export interface FileStamp {
  readonly dev: string;
  readonly ino: string;
  readonly size: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
}

/** The SHA-256 (hex) of a file's content, with the stamp that proves it when one could be recorded. */
export interface FileDigest {
  readonly digest: string;
  /** Absent when the file was not settled when read (see {@link SETTLED_NS}). */
  readonly stamp?: FileStamp;
}

/** What {@link fileDigest} found. */
export interface FileDigestResult extends FileDigest {
  /** The content, when the file was read (undefined when its recorded stamp proved the digest). */
  readonly content?: Buffer;
}

/**
 * How long before its read a file must have last changed for its stamp to be recorded (2 s, in
 * nanoseconds). A write within the same time-stamp tick as the read could leave every stamp field
 * as it was (git's "racy clean" case); any write after a settled file was read gives it a
 * status-change time later than the recorded one. 2 s covers file systems with coarse times.
 */
export const SETTLED_NS = 2_000_000_000n;

function stampOf(stats: BigIntStats): FileStamp {
  return { dev: String(stats.dev), ino: String(stats.ino), size: String(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs) };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Whether a file's stat still equals `stamp` (false when it is gone). */
export function stampHolds(file: string, stamp: FileStamp): boolean {
  try {
    return sameStamp(stamp, stampOf(statSync(file, { bigint: true })));
  } catch {
    return false;
  }
}

/** The SHA-256 (hex) of some bytes or text. */
export function sha256Hex(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The SHA-256 of a file's content. When `recorded` carries a stamp equal to the file's current
 * stat, its digest is returned without reading the file: any write to the file sets its
 * status-change time (ctime) to the time of the write, and no system call sets it back (`utimes`
 * restores the modification time only, and sets ctime too), so an equal stamp means the content
 * the digest was taken from. Otherwise the file is read and hashed; the result carries a stamp
 * only when the file had been unchanged for {@link SETTLED_NS} when read and did not change while
 * it was read.
 * @param settledNs how long unchanged a file must be for a stamp (tests pass 0).
 * @default settledNs {@link SETTLED_NS}
 * @throws the file system's error when the file cannot be read.
 */
export function fileDigest(file: string, recorded?: FileDigest, settledNs: bigint = SETTLED_NS): FileDigestResult {
  const before = statSync(file, { bigint: true });
  if (recorded?.stamp && sameStamp(recorded.stamp, stampOf(before))) return { digest: recorded.digest, stamp: recorded.stamp };
  const readAt = BigInt(Date.now()) * 1_000_000n;
  const content = readFileSync(file);
  const after = statSync(file, { bigint: true });
  const digest = sha256Hex(content);
  const settled = before.ctimeNs + settledNs < readAt && before.mtimeNs + settledNs < readAt && sameStamp(stampOf(before), stampOf(after));
  return { digest, content, ...(settled ? { stamp: stampOf(before) } : {}) };
}

/**
 * The content of a file whose digest was taken earlier (read now, when {@link fileDigest} proved
 * it by its stamp): it must still have that digest.
 * @throws when the file's content is no longer the content the digest was taken from.
 */
export function readDigested(file: string, digest: string): Buffer {
  const content = readFileSync(file);
  if (sha256Hex(content) !== digest) throw new Error(`${file} changed while in use (its content is no longer the one its digest ${digest.slice(0, 12)} was taken from): run again`);
  return content;
}
