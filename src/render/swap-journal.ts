import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/**
 * The journal of a tree swap ({@link replaceDirectoryAtomically}): written beside the tree, as
 * `.<name>-swap-journal.json`, once the new tree is complete in its staging directory. While it
 * exists the tree is being changed file by file (each file is complete, old or new, but the tree
 * as a whole is a mix), so every command that reads the tree refuses it ({@link refusePendingSwap})
 * and the next render completes the swap it describes ({@link recoverInterruptedSwap}).
 */
export interface SwapJournal {
  /** Format version. */
  readonly version: 1;
  /** Process id of the render that wrote it: recovery leaves a journal of a running process alone. */
  readonly owner: number;
  /** Name of the staging directory (beside the tree) holding the files still to be moved in. */
  readonly staging: string;
  /** Every file of the new tree, relative to the tree, `/`-separated. */
  readonly files: readonly string[];
  /** Directories (relative to the tree) kept as they are: another tool owns them (e.g. `flux bootstrap`). */
  readonly kept: readonly string[];
}

/** The journal of `tree` (an absolute or relative path of the tree's directory). */
export function swapJournalPath(tree: string): string {
  const target = resolve(tree);
  return join(dirname(target), `.${basename(target)}-swap-journal.json`);
}

/** A journal that is not one this package writes (edited by hand, or from another tool). */
export class SwapJournalError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: not a swap journal (${reason}); delete it and the tree beside it, then run synth again`);
    this.name = 'SwapJournalError';
  }
}

const isStringList = (x: unknown): x is string[] => Array.isArray(x) && x.every((e) => typeof e === 'string' && e.length > 0 && !e.split('/').includes('..'));

/**
 * The committed journal of `tree`, or `undefined` when no swap is pending. A journal only ever
 * appears complete (it is written to a draft and hard-linked into place), so one that does not
 * parse was not written by a render.
 * @throws SwapJournalError when the file exists but is not a journal.
 */
export function readSwapJournal(tree: string): SwapJournal | undefined {
  const file = swapJournalPath(tree);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<SwapJournal>;
  try {
    parsed = JSON.parse(text) as Partial<SwapJournal>;
  } catch (error) {
    throw new SwapJournalError(file, (error as Error).message);
  }
  if (parsed?.version !== 1) throw new SwapJournalError(file, `version ${JSON.stringify(parsed?.version)}, expected 1`);
  if (!Number.isInteger(parsed.owner)) throw new SwapJournalError(file, 'owner is not a process id');
  if (typeof parsed.staging !== 'string' || parsed.staging.includes('/') || !parsed.staging.startsWith('.')) throw new SwapJournalError(file, 'staging is not a directory name beside the tree');
  if (!isStringList(parsed.files) || !isStringList(parsed.kept)) throw new SwapJournalError(file, 'files and kept must be lists of relative paths');
  return parsed as SwapJournal;
}

/**
 * The journal of an unfinished swap that affects what reading `path` sees: a journal of `path`
 * itself, of a directory containing it, or of a directory directly inside it (`check .` beside
 * `dist/`). `undefined` when there is none.
 */
export function findPendingSwap(path: string): string | undefined {
  const start = resolve(path);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(swapJournalPath(dir))) return swapJournalPath(dir);
    if (dirname(dir) === dir) break;
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(start).isDirectory();
  } catch {
    return undefined; // the reader reports a missing or unreadable path itself
  }
  if (!isDirectory) return undefined;
  let names: string[];
  try {
    names = readdirSync(start);
  } catch {
    return undefined;
  }
  const journal = names.find((name) => /^\..+-swap-journal\.json$/.test(name));
  return journal ? join(start, journal) : undefined;
}

/** A command was asked to read a tree whose swap was interrupted. */
export class PendingSwapError extends Error {
  /** The journal found. */
  readonly journal: string;
  constructor(journal: string) {
    const tree = basename(journal).replace(/^\./, '').replace(/-swap-journal\.json$/, '');
    const where = relative(process.cwd(), join(dirname(journal), tree)) || '.';
    super(`${where}/ is half-replaced: a render was interrupted while swapping it in (${relative(process.cwd(), journal) || journal} exists); run 'lambda-gitops synth' (or 'npx cdk8s synth') again to complete it, then re-run this command`);
    this.name = 'PendingSwapError';
    this.journal = journal;
  }
}

/**
 * Refuses to read a half-swapped tree: check, diff, plan and nodes call this on every tree path
 * they are given before reading it.
 * @throws PendingSwapError naming the journal and telling the user to run synth again.
 */
export function refusePendingSwap(paths: readonly string[]): void {
  for (const path of paths) {
    const journal = findPendingSwap(path);
    if (journal) throw new PendingSwapError(journal);
  }
}
