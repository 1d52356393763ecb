import { addHeadObject, ChangeCollector, ChangeSink, compareBaseObject, reportOf } from './compute.js';
import { ChangeSpill } from './change-spill.js';
import { DigestTable, digestOf } from './digest-table.js';
import { addDirectoriesOf, FluxOwnership, isFluxKustomization } from './flux-ownership.js';
import { duplicateMessage, TreeLoadError } from './load-tree.js';
import { DiffReport, Manifest, resourceKey, TreeObject } from './model.js';
import { ReviewableReport } from './review-order.js';
import { compareRisks } from './risks.js';
import { TreeSource } from './tree-source.js';

/** Options of {@link diffSources}. */
export interface StreamDiffOptions {
  /**
   * Called with every object of both trees as it is read (e.g. to collect the secrets the output
   * boundary removes); the object is not kept.
   * @default none
   */
  readonly onObject?: (manifest: Manifest) => void;
  /**
   * Most objects a report held in memory ({@link diffSources}) may list (added, changed or
   * removed). Such a report holds each listed object's fields; past this the diff stops as soon as
   * it knows instead of growing past 1 GB: 10^6 added small objects measured 1.26 GB.
   * {@link diffSourcesSpilled} (what the CLI runs for every format) lists any number (see
   * {@link maxChangedObjects}).
   * @default 250000
   */
  readonly maxChanges?: number;
  /**
   * Most objects both trees hold with different content: the head side of each is held in memory,
   * unmasked, until its base file is read again (it is never written to the spill file), so past
   * this the diff stops with one clear error. Added and removed objects are not counted.
   * @default 250000
   */
  readonly maxChangedObjects?: number;
}

/** The default {@link StreamDiffOptions.maxChanges}. */
export const MAX_REPORT_CHANGES = 250_000;

/** The default {@link StreamDiffOptions.maxChangedObjects}. */
export const MAX_CHANGED_OBJECTS = 250_000;

function tooManyChanges(max: number, found: string): TreeLoadError {
  return new TreeLoadError(`the diff lists more than ${max} objects (${found}); a report that large does not fit in the 1 GB the diff is held to: compare smaller parts of the trees (one subdirectory at a time)`);
}

function tooManyChangedObjects(max: number): TreeLoadError {
  return new TreeLoadError(`more than ${max} objects of both trees differ; the head side of each is held in memory until it is compared, which does not fit in the 1 GB the diff is held to: compare smaller parts of the trees (one subdirectory at a time)`);
}

/** Called with the counts so far (removed: once known, at the end of the head pass); throws past a limit. */
type ChangeLimit = (added: number, changed: number, removed?: number) => void;

/** What the base pass keeps: a digest row per object and what Flux ownership needs. */
export interface BaseDigests {
  readonly table: DigestTable;
  /** Base file paths in read order (the index of a row's file). */
  readonly files: string[];
  readonly flux: FluxOwnership;
}

/**
 * Reads the base tree file by file into a {@link DigestTable} (key → SHA-256 of the object, and its
 * file), with the errors of the whole-tree reader in its order: a file that cannot be read at once,
 * then the first document that is not an object, then the first object defined twice.
 * @throws TreeLoadError
 */
export function digestBase(base: TreeSource, options: StreamDiffOptions = {}): BaseDigests {
  const table = new DigestTable();
  const files: string[] = [];
  const kustomizations: TreeObject[] = [];
  const directories = new Set<string>();
  const errors = new FirstErrors();
  for (const part of base.files()) {
    const fileIndex = files.push(part.file) - 1;
    errors.problem(part.problem);
    if (part.objects.length > 0) addDirectoriesOf(part.file, directories);
    for (const object of part.objects) {
      options.onObject?.(object.manifest);
      const key = resourceKey(object.ref);
      if (!table.add(key, digestOf(object.manifest), fileIndex)) errors.duplicate(duplicateMessage(object.ref, object.line, files[table.baseFileOf(table.rowOf(key) as number)]));
      if (isFluxKustomization(object.ref)) kustomizations.push({ ref: object.ref, manifest: object.manifest });
    }
  }
  errors.throwFirst();
  return { table, files, flux: new FluxOwnership(new Map(kustomizations.map((k) => [resourceKey(k.ref), k])), directories) };
}

/**
 * Compares two trees as `diffTrees` does, with the same report, without holding either tree: the
 * base is read into a digest per object ({@link digestBase}); the head is read file by file and
 * each object compared by digest; only objects whose digest differs (changed) or that one side
 * lacks are compared in full (the base files that hold them are read again, each once, in order).
 * Masking goes through `maskPair` exactly as in `diffTrees`. Memory: the digest table (about 100
 * bytes per base object with its key), the head objects that changed, and the report.
 * @throws TreeLoadError as the whole-tree readers do, or when a base file changed while it was read
 */
export function diffSources(base: TreeSource, head: TreeSource, options: StreamDiffOptions = {}): DiffReport {
  const baseOrder: ChangeCollector = { changes: [], risks: [] };
  const added: ChangeCollector = { changes: [], risks: [] };
  const maxChanges = options.maxChanges ?? MAX_REPORT_CHANGES;
  collectSources(base, head, options, baseOrder, added, (addedSoFar, changed, removed) => {
    if (removed === undefined && addedSoFar + changed > maxChanges) throw tooManyChanges(maxChanges, `${addedSoFar} added and ${changed} changed so far`);
    if (removed !== undefined && addedSoFar + changed + removed > maxChanges) throw tooManyChanges(maxChanges, `${addedSoFar} added, ${changed} changed and ${removed} removed`);
  });
  return reportOf({ changes: [...baseOrder.changes, ...added.changes], risks: [...baseOrder.risks, ...added.risks] });
}

/**
 * {@link diffSources} with the listed changes written to `spill` as they are produced (masked
 * exactly as `diffSources` masks them) instead of held: memory keeps the counts, the risks and per
 * change a sort key and a file offset, so a report of any number of added or removed objects fits
 * in the diff's 1 GB. The report's `changes` are read back from `spill` in the order of
 * `diffSources` (each iteration reads the file again), and by `ordered` in any rank order (the
 * Markdown review order) from compact (rank, sort key, offset) records; rendered in any format, the
 * report is byte-identical to the one of `diffSources`. The caller closes `spill` (which removes its file) when done.
 * @throws TreeLoadError as {@link diffSources}, or past {@link StreamDiffOptions.maxChangedObjects}
 */
export function diffSourcesSpilled(base: TreeSource, head: TreeSource, spill: ChangeSpill, options: StreamDiffOptions = {}): ReviewableReport {
  const baseOrder: ChangeCollector<ChangeSpill> = { changes: spill, risks: [] };
  const added: ChangeCollector<ChangeSpill> = { changes: spill, risks: [] };
  const maxChanged = options.maxChangedObjects ?? MAX_CHANGED_OBJECTS;
  collectSources(base, head, options, baseOrder, added, (_added, changed) => {
    if (changed > maxChanged) throw tooManyChangedObjects(maxChanged);
  });
  return {
    summary: spill.summary,
    risks: [...baseOrder.risks, ...added.risks].sort(compareRisks),
    changes: { [Symbol.iterator]: () => spill.sorted() },
    inStorageOrder: () => spill.inFileOrder(),
    ordered: (rank) => spill.ordered(rank),
  };
}

/** The two passes of the streaming diff: base-order changes into `baseOrder`, head-only objects into `added`. */
function collectSources(base: TreeSource, head: TreeSource, options: StreamDiffOptions, baseOrder: ChangeCollector<ChangeSink>, added: ChangeCollector<ChangeSink>, limit: ChangeLimit): void {
  const digests = digestBase(base, options);
  const { table } = digests;
  const changedHeads = new Map<number, TreeObject>();
  const headOnly = new Map<string, number>();
  const headFiles: string[] = [];
  const errors = new FirstErrors();
  for (const part of head.files()) {
    const fileIndex = headFiles.push(part.file) - 1;
    errors.problem(part.problem);
    for (const object of part.objects) {
      options.onObject?.(object.manifest);
      const key = resourceKey(object.ref);
      const row = table.rowOf(key);
      const earlier = row === undefined ? headOnly.get(key) : table.headFileOf(row);
      if (earlier !== undefined && earlier >= 0) {
        errors.duplicate(duplicateMessage(object.ref, object.line, headFiles[earlier]));
        continue;
      }
      if (row === undefined) {
        headOnly.set(key, fileIndex);
        limit(headOnly.size, changedHeads.size);
        addHeadObject(object, added);
        continue;
      }
      table.meetInHead(row, fileIndex);
      if (!table.hasDigest(row, digestOf(object.manifest))) {
        changedHeads.set(row, { ref: object.ref, manifest: object.manifest });
        limit(headOnly.size, changedHeads.size);
      }
    }
  }
  errors.throwFirst();
  let removed = 0;
  for (const [, row] of table.entries()) if (table.headFileOf(row) < 0) removed++;
  limit(headOnly.size, changedHeads.size, removed);
  headOnly.clear();
  // the base objects to compare in full (changed or removed), by base file
  const wanted = new Map<number, Set<string>>();
  for (const [key, row] of table.entries()) {
    if (table.headFileOf(row) >= 0 && !changedHeads.has(row)) continue;
    const file = table.baseFileOf(row);
    let keys = wanted.get(file);
    if (!keys) wanted.set(file, (keys = new Set()));
    keys.add(key);
  }
  for (const fileIndex of [...wanted.keys()].sort((a, b) => a - b)) {
    const keys = wanted.get(fileIndex) as Set<string>;
    const file = digests.files[fileIndex];
    const part = base.reread(fileIndex, file);
    let found = 0;
    for (const before of part.objects) {
      const key = resourceKey(before.ref);
      if (!keys.has(key)) continue;
      const row = table.rowOf(key) as number;
      if (!table.hasDigest(row, digestOf(before.manifest))) break;
      found++;
      compareBaseObject({ ref: before.ref, manifest: before.manifest }, changedHeads.get(row), digests.flux, baseOrder);
    }
    if (found !== keys.size) throw new TreeLoadError(`${file}: changed while the diff read it (read it again)`);
    wanted.delete(fileIndex);
  }
}

/** The first problem and the first duplicate of one side, thrown in the whole-tree reader's order. */
class FirstErrors {
  private firstProblem?: string;
  private firstDuplicate?: string;

  problem(message: string | undefined): void {
    this.firstProblem ??= message;
  }

  duplicate(message: string): void {
    this.firstDuplicate ??= message;
  }

  throwFirst(): void {
    const message = this.firstProblem ?? this.firstDuplicate;
    if (message !== undefined) throw new TreeLoadError(message);
  }
}
