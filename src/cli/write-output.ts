import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliInputError, isSystemError } from './cli-error.js';
import { fsErrorReason } from '../core/fs-errors.js';
import { isUnderKernelFilesystem } from '../core/kernel-filesystems.js';

/**
 * Writes a report to `file` (its directory created as needed), or to standard output when `file`
 * is undefined. Only a regular file, a new one or a character device such as /dev/null is written:
 * a directory, a pipe, a socket or anything under /proc or /sys is refused before opening it
 * (opening a pipe without a reader, or some /proc files, blocks forever).
 * @throws CliInputError naming the file.
 */
export function writeOutput(file: string | undefined, text: string, option = '--output'): void {
  writeOutputChunks(file, [text], option);
}

/** Bytes gathered before one write of {@link writeOutputChunks}. */
const WRITE_BATCH = 1 << 20;

/**
 * {@link writeOutput} for a report rendered in pieces: each piece is written as it comes (in
 * batches of about 1 MiB), so the whole report is never one string. The file is checked (and
 * created) before the first piece is rendered.
 * @throws CliInputError naming the file.
 */
export function writeOutputChunks(file: string | undefined, chunks: Iterable<string>, option = '--output'): void {
  let fd: number | undefined;
  if (file !== undefined) {
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw new CliInputError(`${file}: is a directory; ${option} needs a file path`);
    if (isUnderKernelFilesystem(file)) throw new CliInputError(`${file}: ${option} cannot write under /proc or /sys (kernel files, not reports)`);
    if (existing && !existing.isFile() && !existing.isCharacterDevice()) throw new CliInputError(`${file}: is not a regular file (a pipe, socket or block device: opening it can block); ${option} needs a file path`);
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(file, 'w');
  }
  const flush = (text: string) => {
    if (text === '') return;
    if (fd === undefined) {
      process.stdout.write(text);
      return;
    }
    try {
      writeSync(fd, text);
    } catch (error) {
      // a write error carries no path: name the file (a full disk, a quota)
      throw isSystemError(error) ? new CliInputError(`${file}: ${fsErrorReason(error)}`, { cause: error }) : error;
    }
  };
  try {
    let pending = '';
    for (const chunk of chunks) {
      pending += chunk;
      if (pending.length >= WRITE_BATCH) {
        flush(pending);
        pending = '';
      }
    }
    flush(pending);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
