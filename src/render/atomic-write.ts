import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** The file-system steps of a swap, in order (for tests that interrupt it between any two). */
export type SwapStep = 'recover' | 'write-staging' | 'staging-complete' | 'move-previous' | 'move-staging' | 'remove-previous';

/** Options of {@link replaceDirectoryAtomically}. */
export interface SwapOptions {
  /**
   * Called before each file-system step; a test kills the process here to prove a crash at any
   * point leaves a tree the next run recovers.
   * @default none
   */
  readonly beforeStep?: (step: SwapStep) => void;
}

const STAGING = 'staging';
const PREVIOUS = 'previous';
/** Marker written last into a staging tree: only a complete tree is ever swapped in or kept. */
const COMPLETE_MARKER = '.lambda-gitops-complete';

function leftovers(target: string): { staging: string[]; previous: string[] } {
  const parent = dirname(target);
  const prefix = `.${basename(target)}-`;
  const names = existsSync(parent) ? readdirSync(parent).filter((n) => n.startsWith(prefix)) : [];
  const pick = (kind: string) => names.filter((n) => n.startsWith(`${prefix}${kind}-`)).sort().map((n) => join(parent, n));
  return { staging: pick(STAGING), previous: pick(PREVIOUS) };
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process id in a leftover's name (`.dist-staging-<pid>-<time>`). */
function ownerOf(path: string): number {
  return Number(/-(\d+)-[0-9a-z]+$/.exec(basename(path))?.[1] ?? NaN);
}

/**
 * Repairs what an interrupted swap left beside `outdir`: when `outdir` is missing, the previous
 * tree (`.<name>-previous-*`) is put back, or else a complete staged tree is moved in; then every
 * `.<name>-staging-*` and `.<name>-previous-*` of a process that is no longer running is removed.
 * Runs at the start of every render.
 * @returns what it did, for the log (empty when there was nothing to repair).
 */
export function recoverInterruptedSwap(outdir: string): string[] {
  const target = resolve(outdir);
  const done: string[] = [];
  const found = leftovers(target);
  const stale = (path: string) => !processAlive(ownerOf(path));
  if (!existsSync(target)) {
    const previous = found.previous.filter(stale).at(-1);
    const staged = found.staging.filter((p) => stale(p) && existsSync(join(p, COMPLETE_MARKER))).at(-1);
    if (previous) {
      renameSync(previous, target);
      done.push(`restored ${target} from ${basename(previous)} (a render was interrupted)`);
    } else if (staged) {
      rmSync(join(staged, COMPLETE_MARKER));
      renameSync(staged, target);
      done.push(`moved the complete staged tree ${basename(staged)} to ${target} (a render was interrupted)`);
    }
  }
  for (const path of [...found.staging, ...found.previous]) {
    if (existsSync(path) && stale(path)) {
      rmSync(path, { recursive: true, force: true });
      done.push(`removed ${basename(path)} left by an interrupted render`);
    }
  }
  return done;
}

/**
 * Replaces `outdir` with exactly `files`. The tree is written to a staging directory beside
 * `outdir`, marked complete, then swapped in with two renames (`outdir` to
 * `.<name>-previous-*`, staging to `outdir`). A failure puts the previous tree back. A crash
 * (kill) at any point leaves `outdir` as the old or the new complete tree, except between the two
 * renames, where it leaves the complete old tree in `.<name>-previous-*`: Node has no
 * renameat2(RENAME_EXCHANGE), so two directories cannot be exchanged in one step. The next render
 * ({@link recoverInterruptedSwap}) puts it back and removes every leftover. Stale files disappear
 * because the whole directory is replaced, except the `kept` directories (relative to `outdir`),
 * which are copied from the previous `outdir` into the new tree unchanged (e.g. what
 * `flux bootstrap` wrote).
 */
export function replaceDirectoryAtomically(outdir: string, files: TreeFile[], kept: readonly string[] = [], options: SwapOptions = {}): void {
  const step = options.beforeStep ?? (() => undefined);
  const target = resolve(outdir);
  const parent = dirname(target);
  step('recover');
  recoverInterruptedSwap(target);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(target)}-${STAGING}-${tag}`);
  const previous = join(parent, `.${basename(target)}-${PREVIOUS}-${tag}`);
  mkdirSync(parent, { recursive: true });
  try {
    step('write-staging');
    mkdirSync(staging);
    writeFiles(staging, files);
    for (const dir of kept) {
      const from = join(target, dir);
      if (existsSync(from)) cpSync(from, join(staging, dir), { recursive: true, preserveTimestamps: true });
    }
    step('staging-complete');
    writeFileSync(join(staging, COMPLETE_MARKER), '');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const hadPrevious = existsSync(target);
  try {
    step('move-previous');
    if (hadPrevious) renameSync(target, previous);
    step('move-staging');
    rmSync(join(staging, COMPLETE_MARKER));
    renameSync(staging, target);
  } catch (error) {
    if (hadPrevious && !existsSync(target) && existsSync(previous)) renameSync(previous, target);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  step('remove-previous');
  if (hadPrevious) rmSync(previous, { recursive: true, force: true });
}
