import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliInputError } from './cli-error.js';

/**
 * Writes a report to `file` (its directory created as needed), or to standard output when `file`
 * is undefined. Only a regular file (or a new one) is written: a directory, a device, a pipe or a
 * /proc entry is refused before opening it (opening a pipe or some /proc files blocks forever).
 * @throws CliInputError naming the file.
 */
export function writeOutput(file: string | undefined, text: string, option = '--output'): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) throw new CliInputError(`${file}: ${existing.isDirectory() ? 'is a directory' : 'is not a regular file (a device, pipe or socket)'}; ${option} needs a file path`);
  if (!existing && /^\/(proc|sys)(\/|$)/.test(file)) throw new CliInputError(`${file}: ${option} cannot create files under /proc or /sys`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
