import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readSwapJournal, swapJournalPath, type SwapJournal } from './swap-journal.js';
import { TreeFile } from './tree-layout.js';

/** Writes `files` under `directory` (created as needed). */
export function writeFiles(directory: string, files: TreeFile[]): void {
  for (const file of files) {
    const target = join(directory, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

/** What one file-system step of a swap or of its recovery does. */
export type SwapAction =
  | 'make-directory' | 'create-staging' | 'write-staged-file' | 'move-staging'
  | 'write-journal-draft' | 'commit-journal' | 'remove-journal-draft'
  | 'remove-stale' | 'move-file' | 'remove-staging' | 'remove-journal'
  | 'restore-previous' | 'remove-leftover';

/** One file-system step (one call that changes the file system), in the order they run. */
export interface SwapStep {
  /** 0 for the first step of the call, then 1, 2, ... */
  readonly index: number;
  readonly action: SwapAction;
  /** The path the step changes (absolute). */
  readonly path: string;
}

/** Options of {@link replaceDirectoryAtomically} and {@link recoverInterruptedSwap}. */
export interface SwapOptions {
  /**
   * Called before each file-system step; a test kills the process here (or throws) to prove a
   * crash between any two steps leaves a complete tree the next run finishes.
   * @default none
   */
  readonly beforeStep?: (step: SwapStep) => void;
}

/** A swap failed after its journal was committed: the tree is a mix of old and new files until the next render completes it. */
export class TreeSwapIncompleteError extends Error {
  constructor(target: string, cause: unknown) {
    super(`${target} is half-replaced (${cause instanceof Error ? cause.message : String(cause)}); run synth again to complete it (commands that read the tree refuse it until then)`, { cause });
    this.name = 'TreeSwapIncompleteError';
  }
}

/** Another process is swapping the same tree right now. */
export class SwapInProgressError extends Error {
  constructor(target: string, owner: number | undefined) {
    super(`${target} is being replaced by another render${owner ? ` (process ${owner})` : ''}; run synth again once it has finished`);
    this.name = 'SwapInProgressError';
  }
}

/** Counts steps and calls the test hook before each. */
class Steps {
  private index = 0;
  constructor(private readonly hook: SwapOptions['beforeStep']) {}
  run<T>(action: SwapAction, path: string, change: () => T): T {
    this.hook?.({ index: this.index++, action, path });
    return change();
  }
}

const STEPS = Symbol('steps');
type InternalOptions = SwapOptions & { [STEPS]?: Steps };

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
  return Number(/-(\d+)-[0-9a-z]+(\.tmp)?$/.exec(basename(path))?.[1] ?? NaN);
}

/** Leftovers beside `target`: staging trees, journal drafts, and previous trees of the two-rename swap of earlier versions. */
function leftovers(target: string): { staging: string[]; drafts: string[]; previous: string[] } {
  const parent = dirname(target);
  const prefix = `.${basename(target)}-`;
  const names = existsSync(parent) ? readdirSync(parent).filter((n) => n.startsWith(prefix)) : [];
  const pick = (re: RegExp) => names.filter((n) => re.test(n.slice(prefix.length))).sort().map((n) => join(parent, n));
  return { staging: pick(/^staging-\d+-[0-9a-z]+$/), drafts: pick(/^swap-journal-\d+-[0-9a-z]+\.tmp$/), previous: pick(/^previous-\d+-[0-9a-z]+$/) };
}

/** `path` and every directory above it, as `/`-separated relative paths (`a/b/c` gives `a`, `a/b`, `a/b/c`). */
function withAncestors(path: string): string[] {
  const segments = path.split('/');
  return segments.map((_, i) => segments.slice(0, i + 1).join('/'));
}

/**
 * Entries of `target` that stand in the way of the new tree: a file or link the new tree does not
 * have, or a directory it has no file under (each listed once, at its top). Kept directories are
 * left alone. Computed from the tree as it is, so after a crash it is recomputed and gives what
 * is still to remove (files already moved in are part of the new tree).
 */
function entriesInTheWay(target: string, journal: SwapJournal): string[] {
  const files = new Set(journal.files);
  const kept = new Set(journal.kept);
  const directories = new Set([...journal.files.flatMap((f) => withAncestors(dirname(f))), ...journal.kept.flatMap(withAncestors)]);
  const found: string[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(join(target, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (kept.has(path)) continue;
      if (entry.isDirectory()) {
        if (directories.has(path)) walk(path);
        else found.push(path);
      } else if (!files.has(path)) {
        found.push(path);
      }
    }
  };
  walk('');
  return found;
}

/**
 * Carries out a committed journal: removes what stands in the way of the new tree, moves each
 * staged file into place with one rename (so every file is at every instant complete, old or
 * new), then removes the staging directory and, last, the journal. Idempotent: a crash anywhere
 * leaves the journal, and running this again finishes the same swap.
 */
function completeSwap(target: string, journal: SwapJournal, steps: Steps): void {
  const staging = join(dirname(target), journal.staging);
  for (const path of entriesInTheWay(target, journal)) {
    steps.run('remove-stale', join(target, path), () => rmSync(join(target, path), { recursive: true, force: true }));
  }
  for (const file of journal.files) {
    const from = join(staging, file);
    const to = join(target, file);
    if (!existsSync(from)) {
      if (!existsSync(to)) throw new Error(`${file} is neither staged in ${staging} nor in the tree; delete ${target} and ${swapJournalPath(target)}, then run synth again`);
      continue; // moved before the crash
    }
    if (!existsSync(dirname(to))) steps.run('make-directory', dirname(to), () => mkdirSync(dirname(to), { recursive: true }));
    steps.run('move-file', to, () => renameSync(from, to));
  }
  steps.run('remove-staging', staging, () => rmSync(staging, { recursive: true, force: true }));
  steps.run('remove-journal', swapJournalPath(target), () => rmSync(swapJournalPath(target), { force: true }));
}

/**
 * Repairs what an interrupted render left beside `outdir`, and runs at the start of every render:
 * - a committed swap journal (`.<name>-swap-journal.json`) of a process no longer running is
 *   carried out to the end, giving the tree that render validated;
 * - staging trees and journal drafts of processes no longer running (an uncommitted swap: the
 *   tree was never touched) are removed;
 * - a previous tree left by the two-rename swap of earlier versions is put back when `outdir` is
 *   missing, and removed otherwise.
 * @returns what it did, for the log (empty when there was nothing to repair).
 * @throws SwapInProgressError when a running process owns the journal.
 */
export function recoverInterruptedSwap(outdir: string, options: SwapOptions = {}): string[] {
  const steps = (options as InternalOptions)[STEPS] ?? new Steps(options.beforeStep);
  const target = resolve(outdir);
  const done: string[] = [];
  const stale = (path: string) => !processAlive(ownerOf(path));
  const journal = readSwapJournal(target);
  if (journal) {
    if (processAlive(journal.owner)) throw new SwapInProgressError(target, journal.owner);
    completeSwap(target, journal, steps);
    done.push(`completed the swap of ${target} that an interrupted render had committed`);
  }
  const found = leftovers(target);
  const previous = found.previous.filter(stale).at(-1);
  if (!existsSync(target) && previous) {
    steps.run('restore-previous', target, () => renameSync(previous, target));
    done.push(`restored ${target} from ${basename(previous)} (a render was interrupted)`);
  }
  for (const path of [...found.staging, ...found.drafts, ...found.previous]) {
    if (existsSync(path) && stale(path)) {
      steps.run('remove-leftover', path, () => rmSync(path, { recursive: true, force: true }));
      done.push(`removed ${basename(path)} left by an interrupted render`);
    }
  }
  return done;
}

function checkRelative(path: string, what: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`${what} '${path}' is not a relative path of plain segments`);
  }
}

/**
 * Replaces the contents of `outdir` with exactly `files` (plus the `kept` directories), such that
 * `outdir` exists at every instant and every file in it is complete, old or new:
 * 1. the new tree is written to a staging directory beside `outdir` (`.<name>-staging-*`);
 * 2. a journal listing it is written to a draft and hard-linked to `.<name>-swap-journal.json`
 *    (the commit: it appears complete or not at all, and only one render can hold it);
 * 3. what stands in the way of the new tree is removed (stale files, directories it has no file
 *    under), then each staged file is renamed into place (a rename replaces a file in one step);
 * 4. the staging directory and, last, the journal are removed.
 *
 * A failure before the commit removes the staging directory and leaves `outdir` as it was. A crash
 * (kill) before the commit leaves `outdir` untouched; after it, a mix of complete old and new
 * files, and the journal, which makes check, diff and plan refuse the tree and the next render
 * ({@link recoverInterruptedSwap}) finish the swap. When `outdir` does not exist yet, the staging
 * directory is renamed to it in one step. The `kept` directories (relative to `outdir`, e.g. what
 * `flux bootstrap` wrote) are never touched. Node has no binding for renameat2(RENAME_EXCHANGE),
 * and exchanging two directories would still not keep the kept directories, hence the journal.
 * The guarantee is against the process dying (kill, crash, out of memory), not against power
 * loss: nothing is fsynced.
 * @throws TreeSwapIncompleteError when a step after the commit fails.
 * @throws SwapInProgressError when another running render holds the journal.
 */
export function replaceDirectoryAtomically(outdir: string, files: TreeFile[], kept: readonly string[] = [], options: SwapOptions = {}): void {
  const steps = new Steps(options.beforeStep);
  const target = resolve(outdir);
  const parent = dirname(target);
  for (const file of files) {
    checkRelative(file.path, 'file');
    const dir = kept.find((k) => file.path === k || file.path.startsWith(`${k}/`));
    if (dir) throw new Error(`file ${file.path} lies in the kept directory ${dir}`);
  }
  for (const dir of kept) checkRelative(dir, 'kept directory');
  recoverInterruptedSwap(target, { [STEPS]: steps } as InternalOptions);
  if (existsSync(target) && !lstatSync(target).isDirectory()) throw new Error(`${target} exists and is not a directory`);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(target)}-staging-${tag}`);
  const journalFile = swapJournalPath(target);
  const draft = `${journalFile.replace(/\.json$/, '')}-${tag}.tmp`;
  const journal: SwapJournal = { version: 1, owner: process.pid, staging: basename(staging), files: files.map((f) => f.path), kept: [...kept] };
  try {
    if (!existsSync(parent)) steps.run('make-directory', parent, () => mkdirSync(parent, { recursive: true }));
    steps.run('create-staging', staging, () => mkdirSync(staging));
    for (const file of files) {
      const path = join(staging, file.path);
      if (!existsSync(dirname(path))) steps.run('make-directory', dirname(path), () => mkdirSync(dirname(path), { recursive: true }));
      steps.run('write-staged-file', path, () => writeFileSync(path, file.content));
    }
    if (!existsSync(target)) {
      steps.run('move-staging', target, () => renameSync(staging, target));
      return;
    }
    steps.run('write-journal-draft', draft, () => writeFileSync(draft, `${JSON.stringify(journal)}\n`));
    steps.run('commit-journal', journalFile, () => {
      try {
        linkSync(draft, journalFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        let owner: number | undefined;
        try {
          owner = readSwapJournal(target)?.owner;
        } catch {
          owner = undefined;
        }
        throw new SwapInProgressError(target, owner);
      }
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    rmSync(draft, { force: true });
    throw error;
  }
  try {
    steps.run('remove-journal-draft', draft, () => rmSync(draft, { force: true }));
    completeSwap(target, journal, steps);
  } catch (error) {
    throw new TreeSwapIncompleteError(target, error);
  }
}
