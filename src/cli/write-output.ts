import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliInputError } from './cli-error.js';

/**
 * Writes a report to `file` (its directory created as needed), or to standard output when `file`
 * is undefined. Only a regular file, a new one or a character device such as /dev/null is written:
 * a directory, a pipe, a socket or anything under /proc or /sys is refused before opening it
 * (opening a pipe without a reader, or some /proc files, blocks forever).
 * @throws CliInputError naming the file.
 */
export function writeOutput(file: string | undefined, text: string, option = '--output'): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new CliInputError(`${file}: is a directory; ${option} needs a file path`);
  if (/^\/(proc|sys)(\/|$)/.test(resolve(file))) throw new CliInputError(`${file}: ${option} cannot write under /proc or /sys (kernel files, not reports)`);
  if (existing && !existing.isFile() && !existing.isCharacterDevice()) throw new CliInputError(`${file}: is not a regular file (a pipe, socket or block device: opening it can block); ${option} needs a file path`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
