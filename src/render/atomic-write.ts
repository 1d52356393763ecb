import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TreeFile } from './tree-layout.js';

/** Writes `files` under `directory` (created as needed). */
export function writeFiles(directory: string, files: TreeFile[]): void {
  for (const file of files) {
    const target = join(directory, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

/**
 * Replaces `outdir` with exactly `files`, atomically with respect to failures: the tree is
 * written to a staging directory beside `outdir` first, then swapped in with renames. If anything
 * fails, the previous `outdir` is left (or put back) untouched. Stale files disappear because the
 * whole directory is replaced, except the `kept` directories (relative to `outdir`), which are
 * copied from the previous `outdir` into the new tree unchanged (e.g. what `flux bootstrap` wrote).
 */
export function replaceDirectoryAtomically(outdir: string, files: TreeFile[], kept: readonly string[] = []): void {
  const target = resolve(outdir);
  const parent = dirname(target);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(target)}-staging-${tag}`);
  const previous = join(parent, `.${basename(target)}-previous-${tag}`);
  mkdirSync(parent, { recursive: true });
  try {
    mkdirSync(staging);
    writeFiles(staging, files);
    for (const dir of kept) {
      const from = join(target, dir);
      if (existsSync(from)) cpSync(from, join(staging, dir), { recursive: true, preserveTimestamps: true });
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const hadPrevious = existsSync(target);
  if (hadPrevious) renameSync(target, previous);
  try {
    renameSync(staging, target);
  } catch (error) {
    if (hadPrevious) renameSync(previous, target);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadPrevious) rmSync(previous, { recursive: true, force: true });
}
