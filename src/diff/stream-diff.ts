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
   * {@link diffSourcesSpilled} (what the CLI runs for every format) lists any number. Any number
   * of objects may differ (see {@link changedBatch}).
   * @default 250000
   */
  readonly maxChanges?: number;
  /**
   * Most objects that both trees hold with different content whose head side is held in memory
   * at once. Until it is compared with its base side the head side is unmasked (masking a pair
   * needs both sides: an equal secret is `(hidden)`, a changed one `(hidden, after)`), so it is
   * never written to disk. Up to this many are kept as the head is read; when more differ, none
   * is kept and they are compared in batches of this many, in base order: each batch reads again
   * the head files that hold its objects, then the base files. Any number of objects may differ;
   * this trades the memory of the head sides held against one more reading of the head files per
   * batch (at 10^6 changed ConfigMaps: 909 MB peak in batches, 1.04 GB holding all).
   * @default 100000
   */
  readonly changedBatch?: number;
}

/** The default {@link StreamDiffOptions.maxChanges}. */
export const MAX_REPORT_CHANGES = 250_000;

/** The default {@link StreamDiffOptions.changedBatch}. */
export const CHANGED_BATCH = 100_000;

function tooManyChanges(max: number, found: string): TreeLoadError {
  return new TreeLoadError(`the diff lists more than ${max} objects (${found}); a report that large does not fit in the 1 GB the diff is held to: compare smaller parts of the trees (one subdirectory at a time)`);
}

function changedWhileRead(file: string): TreeLoadError {
  return new TreeLoadError(`${file}: changed while the diff read it (read it again)`);
}

/** Called with the counts so far (removed: once known, at the end of the head pass); throws past a limit. */
type ChangeLimit = (added: number, changed: number, removed?: number) => void;

const NO_LIMIT: ChangeLimit = () => undefined;

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
 * bytes per base object with its key), the head side of at most
 * {@link StreamDiffOptions.changedBatch} objects that differ, and the report.
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
 * Any number of objects may differ (see {@link StreamDiffOptions.changedBatch}).
 * @throws TreeLoadError as {@link diffSources}
 */
export function diffSourcesSpilled(base: TreeSource, head: TreeSource, spill: ChangeSpill, options: StreamDiffOptions = {}): ReviewableReport {
  const baseOrder: ChangeCollector<ChangeSpill> = { changes: spill, risks: [] };
  const added: ChangeCollector<ChangeSpill> = { changes: spill, risks: [] };
  collectSources(base, head, options, baseOrder, added, NO_LIMIT);
  return {
    summary: spill.summary,
    risks: [...baseOrder.risks, ...added.risks].sort(compareRisks),
    changes: { [Symbol.iterator]: () => spill.sorted() },
    inStorageOrder: () => spill.inFileOrder(),
    ordered: (rank) => spill.ordered(rank),
  };
}

/**
 * The passes of the streaming diff: base-order changes into `baseOrder`, head-only objects into
 * `added`. The head pass keeps the head side of the objects that differ while they fit in one
 * batch; past that they are read again batch by batch ({@link readChangedHeads}).
 */
function collectSources(base: TreeSource, head: TreeSource, options: StreamDiffOptions, baseOrder: ChangeCollector<ChangeSink>, added: ChangeCollector<ChangeSink>, limit: ChangeLimit): void {
  const batch = options.changedBatch ?? CHANGED_BATCH;
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`changedBatch must be a whole number of at least 1, got ${batch}`);
  const digests = digestBase(base, options);
  const { table } = digests;
  // the head side of the objects that differ, while there are at most `batch` of them
  let held: Map<number, TreeObject> | undefined = new Map();
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
        limit(headOnly.size, table.changedCount);
        addHeadObject(object, added);
        continue;
      }
      table.meetInHead(row, fileIndex);
      const digest = digestOf(object.manifest);
      if (!table.hasDigest(row, digest)) {
        table.markChanged(row, digest);
        if (held && table.changedCount > batch) held = undefined;
        held?.set(row, { ref: object.ref, manifest: object.manifest });
        limit(headOnly.size, table.changedCount);
      }
    }
  }
  errors.throwFirst();
  let removed = 0;
  for (let row = 0; row < table.size; row++) if (table.headFileOf(row) < 0) removed++;
  limit(headOnly.size, table.changedCount, removed);
  headOnly.clear();
  if (held) {
    compareRows(base, digests, 0, table.size, held, baseOrder);
    return;
  }
  for (let start = 0; start < table.size;) {
    let end = start;
    for (let count = 0; end < table.size; end++) {
      if (!table.isChanged(end)) continue;
      if (count === batch) break;
      count++;
    }
    compareRows(base, digests, start, end, readChangedHeads(head, headFiles, table, start, end), baseOrder);
    start = end;
  }
}

/**
 * The head side of the changed rows `start` to `end` (exclusive), read again from the head files
 * that hold them (each once, in order), each checked against the digest of the head pass.
 * @throws TreeLoadError when a head file changed since the head pass
 */
function readChangedHeads(head: TreeSource, headFiles: readonly string[], table: DigestTable, start: number, end: number): Map<number, TreeObject> {
  // head file → how many of the rows it holds
  const files = new Map<number, number>();
  for (let row = start; row < end; row++) if (table.isChanged(row)) files.set(table.headFileOf(row), (files.get(table.headFileOf(row)) ?? 0) + 1);
  const heads = new Map<number, TreeObject>();
  for (const [fileIndex, expected] of [...files].sort(([a], [b]) => a - b)) {
    const file = headFiles[fileIndex];
    let found = 0;
    for (const after of head.reread(fileIndex, file).objects) {
      const row = table.rowOf(resourceKey(after.ref));
      if (row === undefined || row < start || row >= end || !table.isChanged(row) || table.headFileOf(row) !== fileIndex || heads.has(row)) continue;
      if (!table.hasHeadDigest(row, digestOf(after.manifest))) throw changedWhileRead(file);
      heads.set(row, { ref: after.ref, manifest: after.manifest });
      found++;
    }
    if (found !== expected) throw changedWhileRead(file);
  }
  return heads;
}

/**
 * Compares in full the base objects of rows `start` to `end` (exclusive) that changed (with their
 * head side in `heads`) or were removed, reading again the base files that hold them (the rows of
 * a base file are consecutive), in base order.
 * @throws TreeLoadError when a base file changed since the base pass
 */
function compareRows(base: TreeSource, digests: BaseDigests, start: number, end: number, heads: ReadonlyMap<number, TreeObject>, into: ChangeCollector<ChangeSink>): void {
  const { table } = digests;
  const wanted = (row: number) => table.headFileOf(row) < 0 || table.isChanged(row);
  for (let row = start; row < end;) {
    const fileIndex = table.baseFileOf(row);
    let expected = 0;
    for (; row < end && table.baseFileOf(row) === fileIndex; row++) if (wanted(row)) expected++;
    if (expected === 0) continue;
    const file = digests.files[fileIndex];
    let found = 0;
    for (const before of base.reread(fileIndex, file).objects) {
      const at = table.rowOf(resourceKey(before.ref));
      if (at === undefined || at < start || at >= end || table.baseFileOf(at) !== fileIndex || !wanted(at)) continue;
      if (!table.hasDigest(at, digestOf(before.manifest))) break;
      found++;
      compareBaseObject({ ref: before.ref, manifest: before.manifest }, heads.get(at), digests.flux, into);
    }
    if (found !== expected) throw changedWhileRead(file);
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
