import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isFluxBootstrapFile } from '../core/flux-bootstrap-files.js';
import { extname, join, relative, resolve, sep } from 'node:path';
import { isListKind, KustomizeYamlError, parseKustomizeDocument, splitKustomizeDocuments, type KustomizeParseOptions } from './kustomize-yaml.js';
import { SourcePositions } from './positions.js';
import { fsErrorReason } from '../core/fs-errors.js';
import { prefetchFiles, type PrefetchEntry } from './file-prefetch.js';
import type { KubeObject } from './types.js';

/** The lists {@link parseManifestText} adds a file's documents to. */
export type ParsedParts = Pick<LoadedManifests, 'objects' | 'problems' | 'kustomizeFiles'>;

/** One YAML document of a manifest file. */
export interface SourceDocument {
  /** File path relative to the working directory (forward slashes). */
  readonly file: string;
  /** Absolute path. */
  readonly absolutePath: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** 1-based line where the document's content starts. */
  readonly line: number;
  /** The document's text (it may start with its `---` marker line). */
  readonly text: string;
  /** 1-based line of the first line of `text`. */
  readonly textLine: number;
  /**
   * JSON pointer of the object inside the document, for an item of a `List` (e.g. `/items/2`);
   * field pointers of the object are relative to it.
   * @default '' (the object is the document)
   */
  readonly pointerPrefix?: string;
}

/** A Kubernetes object and where it came from. */
export interface ManifestObject {
  readonly object: KubeObject;
  readonly source: SourceDocument;
}

/** A document that is YAML but not a checkable Kubernetes object (reported as a finding). */
export interface LoadProblem {
  readonly source: SourceDocument;
  readonly message: string;
  /** The partial object when the document is a mapping (for naming it in reports). */
  readonly value?: unknown;
}

/** What {@link loadManifests} read. */
export interface LoadedManifests {
  readonly objects: ManifestObject[];
  /** Documents that are not Kubernetes objects, and empty files. */
  readonly problems: LoadProblem[];
  /** kustomize.config.k8s.io files (kustomization.yaml): build configuration, not objects. */
  readonly kustomizeFiles: ManifestObject[];
  /** Every file read (relative paths). */
  readonly files: string[];
  /** The absolute roots given (directories, or files' directories). */
  readonly roots: string[];
  /**
   * Files that could not be used (malformed YAML, aliases, unreadable, too large), one error per
   * file; only filled with {@link LoadOptions.collectErrors} (otherwise the first one is thrown).
   */
  readonly malformed?: ManifestLoadError[];
}

/** Unusable input: the CLI exits 2 with this message. */
export class ManifestLoadError extends Error {
  constructor(
    public readonly file: string,
    public readonly line: number | undefined,
    public readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${reason}`);
    this.name = 'ManifestLoadError';
  }
}

/** Options of {@link loadManifests}. */
export interface LoadOptions {
  /**
   * Largest file accepted, in bytes.
   * @default 64 MiB
   */
  readonly maxFileBytes?: number;
  /**
   * Directory that reported file paths are relative to.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Collect unusable files in `malformed` and go on with the rest of the tree instead of throwing
   * on the first one (a missing path still throws).
   * @default false
   */
  readonly collectErrors?: boolean;
  /**
   * Deepest nesting of mappings and sequences accepted in a document.
   * @default 100
   */
  readonly maxDepth?: number;
}

/** Directory entries the tree reader skips: hidden files and directories, and node_modules. */
export function isSkippedEntry(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** The default largest manifest file (64 MiB), for every tree reader. */
export const MAX_MANIFEST_FILE_BYTES = 64 * 1024 * 1024;
const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);
const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';

/**
 * Reads YAML manifests from files and directories (recursively, `.yaml`/`.yml`, hidden
 * directories, node_modules and the files `flux bootstrap` commits (`flux-system/gotk-*.yaml`)
 * skipped, sorted for stable output): the one tree reader of check,
 * diff and plan, so all three see the same files under the same limits. Symbolic links are
 * followed (each file and directory once; a loop or a dangling link is an error). A file found by
 * the walk costs no stat call: its bytes are read (into one buffer reused across files) up to the
 * size limit, and only a file over it or failing to read is stat'ed to say why; a file given by
 * path costs the one stat that tells it from a directory. Directory entries come from `readdir` types.
 * Past 1,000 files a worker thread reads the next files ahead while these are parsed (see
 * file-prefetch.ts: the same texts and errors). Documents are read as kustomize reads them (see
 * kustomize-yaml.ts; plain block YAML by its fast reader); source lines of fields are
 * computed later, only for objects that fail (see positions.ts).
 * @throws ManifestLoadError for a missing path, an unreadable file or directory, a file over
 *   `maxFileBytes`, a symbolic link loop, malformed YAML or YAML kustomize reads differently.
 */
export function loadManifests(paths: readonly string[], options: LoadOptions = {}): LoadedManifests {
  const malformed: ManifestLoadError[] = [];
  const tree = readManifestFileByFile(paths, options);
  const result: LoadedManifests = { objects: [], problems: [], kustomizeFiles: [], files: [], roots: tree.roots, ...(options.collectErrors ? { malformed } : {}) };
  for (const part of tree.files) {
    result.files.push(part.file);
    if (part.error && !options.collectErrors) throw part.error;
    for (const object of part.objects) result.objects.push(object);
    for (const problem of part.problems) result.problems.push(problem);
    for (const object of part.kustomizeFiles) result.kustomizeFiles.push(object);
    if (part.error) malformed.push(part.error);
  }
  return result;
}

/** What one file of a tree holds (see {@link readManifestFileByFile}). */
export interface FileManifests {
  /** The file's path relative to the working directory (forward slashes). */
  readonly file: string;
  readonly objects: ManifestObject[];
  readonly problems: LoadProblem[];
  readonly kustomizeFiles: ManifestObject[];
  /** Why the file cannot be used (malformed YAML, unreadable, too large); the lists hold the documents before the bad one. */
  readonly error?: ManifestLoadError;
}

/** A tree read one file at a time: the roots are known at once, the files come as they are read. */
export interface ManifestFileStream {
  /** The absolute roots given (directories, or files' directories). */
  readonly roots: string[];
  /** Each file once, in the order {@link loadManifests} reads them; only the current file is held. */
  readonly files: Iterable<FileManifests>;
}

/**
 * The tree reader of {@link loadManifests} (the same files, order, links and limits), one file at a
 * time: nothing of a file is kept once the caller lets go of it, and the directories are walked as
 * the files are read (no list of every path), so a caller that keeps a digest per object (the
 * streaming diff) holds no tree. Every given path is checked (it exists) before the first file.
 * @throws ManifestLoadError for a missing path (at once), an unreadable directory, a symbolic link
 *   loop or dangling link (while iterating); errors of one file are in its {@link FileManifests.error}.
 */
export function readManifestFileByFile(paths: readonly string[], options: LoadOptions = {}): ManifestFileStream {
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxFileBytes ?? MAX_MANIFEST_FILE_BYTES;
  // a path under cwd is shown by its remainder (path.relative gives the same, at a cost per file);
  // elsewhere path.relative runs once per directory
  const under = cwd.endsWith(sep) ? cwd : `${cwd}${sep}`;
  const outside = new Map<string, string>();
  const relativeOutside = (absolute: string) => {
    const slash = absolute.lastIndexOf(sep);
    if (slash <= 0) return relative(cwd, absolute);
    const dir = absolute.slice(0, slash);
    let shown = outside.get(dir);
    if (shown === undefined) outside.set(dir, (shown = relative(cwd, dir)));
    return shown === '' ? relative(cwd, absolute) : `${shown}${sep}${absolute.slice(slash + 1)}`;
  };
  const display = (absolute: string) => (absolute.startsWith(under) && absolute.length > under.length ? absolute.slice(under.length) : relativeOutside(absolute)).split(sep).join('/') || absolute;
  /** Files given by path that are not regular files (a device, a pipe): refused when read. */
  const notRegular = new Set<string>();
  const inputs: { absolute: string; real: string; directory: boolean }[] = [];
  const roots: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch (error) {
      throw new ManifestLoadError(path, undefined, fsErrorReason(error));
    }
    roots.push(stats.isDirectory() ? absolute : resolve(absolute, '..'));
    inputs.push({ absolute, real: realPath(absolute, path), directory: stats.isDirectory() });
    if (!stats.isDirectory() && !stats.isFile()) notRegular.add(absolute);
  }
  const location = new FileLocation(cwd, new SharedStrings());
  function* files(): Generator<FileManifests> {
    // the same file through another path or link is read once; the key is the shown form of its
    // real path, which for a file outside linked directories is the string its documents keep
    const seen = new Set<string>();
    function* toRead(): Generator<FileToRead> {
      for (const input of inputs) {
        const found = input.directory ? yamlFilesUnder(input.absolute, input.real, new Set(), display) : [{ absolute: input.absolute, real: input.real }];
        for (const { absolute, real } of found) {
          const file = display(absolute);
          const key = real === undefined ? file : display(real);
          if (seen.has(key)) continue;
          seen.add(key);
          yield { absolute, file, prefetchable: !notRegular.has(absolute) };
        }
      }
    }
    // a large tree's files are read ahead on a second thread (file-prefetch.ts); a file it did not
    // read comes without text and is read here
    for (const { entry, text } of prefetchFiles(toRead(), { maxBytes })) {
      const { absolute, file } = entry;
      const part: FileManifests = { file, objects: [], problems: [], kustomizeFiles: [] };
      try {
        parseManifestText(text ?? readManifestFile(absolute, file, maxBytes, entry.prefetchable), file, absolute, part, { maxDepth: options.maxDepth }, location);
        yield part;
      } catch (error) {
        if (!(error instanceof ManifestLoadError)) throw error;
        yield { ...part, error };
      }
    }
  }
  return { roots, files: files() };
}

/** A file of the tree to read, in reading order. */
interface FileToRead extends PrefetchEntry {
  /** Its path as shown (relative to the working directory). */
  readonly file: string;
}

interface FoundFile {
  readonly absolute: string;
  /** The path with every symbolic link resolved (to read each file once); undefined when it is `absolute`. */
  readonly real?: string;
}

function realPath(absolute: string, shown: string): string {
  try {
    return realpathSync(absolute);
  } catch (error) {
    throw new ManifestLoadError(shown, undefined, fsErrorReason(error));
  }
}

const READ_BUFFER_BYTES = 64 * 1024;
/** The read buffer of {@link readManifestFile}, reused across files (grown for a large file, up to the limit, then dropped). */
let readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);

/**
 * Reads a file with no stat call (a regular file, as the directory walk found it): into a buffer
 * reused across files, never more than `maxBytes` plus one chunk. Only a file that fails to read
 * or is over the limit, or one given by path that is not a regular file, is stat'ed, to say why.
 */
function readManifestFile(absolute: string, file: string, maxBytes: number, regular: boolean): string {
  let fd: number;
  try {
    fd = openSync(absolute, 'r');
  } catch (error) {
    throw new ManifestLoadError(file, undefined, `cannot read: ${fsErrorReason(error)}`);
  }
  try {
    if (!regular && !fstatSync(fd).isFile()) throw new ManifestLoadError(file, undefined, 'not a regular file');
    let filled = 0;
    for (;;) {
      if (filled === readBuffer.length) {
        if (filled > maxBytes) throw unusableFileError(fd, file, maxBytes, undefined);
        const grown = Buffer.allocUnsafeSlow(Math.min(readBuffer.length * 2, maxBytes + 1));
        readBuffer.copy(grown, 0, 0, filled);
        readBuffer = grown;
      }
      let read;
      try {
        read = readSync(fd, readBuffer, filled, readBuffer.length - filled, null);
      } catch (error) {
        throw unusableFileError(fd, file, maxBytes, error);
      }
      if (read === 0) break;
      filled += read;
    }
    if (filled > maxBytes) throw unusableFileError(fd, file, maxBytes, undefined);
    const text = readBuffer.toString('utf8', 0, filled);
    if (readBuffer.length > READ_BUFFER_BYTES * 16) readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES); // a large file's buffer is not kept
    return text;
  } catch (error) {
    if (error instanceof ManifestLoadError) throw error;
    throw new ManifestLoadError(file, undefined, `cannot read: ${fsErrorReason(error)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why an open file cannot be used (it failed to read, or holds more than `maxBytes`), as a stat
 * of it says: not a regular file, then over the limit (with its size), then the read error.
 */
function unusableFileError(fd: number, file: string, maxBytes: number, readError: unknown): ManifestLoadError {
  const stats = fstatSync(fd);
  if (!stats.isFile()) return new ManifestLoadError(file, undefined, 'not a regular file');
  if (stats.size > maxBytes || readError === undefined) {
    return new ManifestLoadError(file, undefined, `file is ${formatBytes(Math.max(stats.size, maxBytes + 1))}, more than the ${formatBytes(maxBytes)} limit for one manifest file (split the tree into one object per file)`);
  }
  return new ManifestLoadError(file, undefined, `cannot read: ${fsErrorReason(readError)}`);
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** The YAML files below `dir`, walked as they are asked for (entries sorted, each real directory once). */
function* yamlFilesUnder(dir: string, realDir: string, visited: Set<string>, display: (absolute: string) => string): Generator<FoundFile> {
  if (visited.has(realDir)) return; // a symbolic link loop back into the tree
  visited.add(realDir);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new ManifestLoadError(display(dir), undefined, `cannot read directory: ${fsErrorReason(error)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (isSkippedEntry(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* yamlFilesUnder(path, join(realDir, entry.name), visited, display);
    } else if (entry.isFile()) {
      // outside linked directories the real path is the path: no second string per file (10^6 files)
      if (YAML_EXTENSIONS.has(extname(entry.name)) && !isFluxBootstrapFile(path)) yield { absolute: path, real: realDir === dir ? undefined : join(realDir, entry.name) };
    } else if (entry.isSymbolicLink()) {
      // Follow symbolic links (a linked tree or file is checked like a real one).
      let target;
      try {
        target = statSync(path);
      } catch (error) {
        throw new ManifestLoadError(display(path), undefined, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'dangling symbolic link (its target does not exist)' : fsErrorReason(error));
      }
      if (target.isDirectory()) yield* yamlFilesUnder(path, realPath(path, display(path)), visited, display);
      else if (target.isFile() && YAML_EXTENSIONS.has(extname(entry.name)) && !isFluxBootstrapFile(path)) yield { absolute: path, real: realPath(path, display(path)) };
    }
  }
}

/**
 * Splits YAML text into documents with their starting lines, as kustomize does (see
 * {@link splitKustomizeDocuments}): on `---` lines, which may carry only a comment.
 * @throws ManifestLoadError-free: a bad separator throws {@link KustomizeYamlError}.
 */
export const splitDocuments = splitKustomizeDocuments;

/** The documents of recently re-read files (see {@link RereadDocumentSource}): failures come in file order, so a few files suffice. */
const rereadFiles = new Map<string, string[]>();

/** The text of document `index` of a file, read again from disk (empty when the file is gone or changed shape). */
function rereadDocumentText(absolutePath: string, index: number): string {
  let documents = rereadFiles.get(absolutePath);
  if (!documents) {
    try {
      documents = splitKustomizeDocuments(readFileSync(absolutePath, 'utf8')).map((d) => d.text);
    } catch {
      documents = [];
    }
    if (rereadFiles.size >= 8) rereadFiles.delete(rereadFiles.keys().next().value as string);
    rereadFiles.set(absolutePath, documents);
  }
  return documents[index] ?? '';
}

/**
 * Strings that many objects of a tree repeat (apiVersion, kind, namespace), one copy each: the
 * parser gives every document its own copy (about 70 bytes per object of 10^6). At most `limit`
 * distinct strings are kept, so a tree of distinct values costs no more than without sharing.
 */
class SharedStrings {
  private readonly strings = new Map<string, string>();
  constructor(private readonly limit = 65_536) {}

  /** The one copy of `value` (`value` itself when it is the first, or the table is full). */
  of(value: string): string {
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared;
    if (this.strings.size < this.limit) this.strings.set(value, value);
    return value;
  }
}

/**
 * What one read of a tree shares across its documents: the directory file paths are relative to
 * (a document finds its file's absolute path from it: one string per read, not per file), and the
 * table of repeated strings.
 */
class FileLocation {
  constructor(readonly cwd: string, readonly strings: SharedStrings) {}
}

/**
 * A document of a file on disk whose text is not kept: it is read again when asked for (only a
 * failing object's source lines need it). Keeping every document's text kept every file's text
 * in memory, about a sixth of what check holds for a tree of small documents; the absolute path
 * is computed from the shown one for the same reason (10^6 one-document files).
 */
abstract class OnDiskDocument {
  constructor(
    readonly file: string,
    protected readonly location: FileLocation,
    readonly index: number,
    readonly line: number,
    readonly textLine: number,
  ) {}

  get absolutePath(): string {
    return resolve(this.location.cwd, this.file);
  }

  get text(): string {
    return rereadDocumentText(this.absolutePath, this.index);
  }
}

/** The source of a document on disk (see {@link OnDiskDocument}), or of an object inside it at `pointerPrefix`. */
class RereadDocumentSource extends OnDiskDocument implements SourceDocument {
  constructor(file: string, location: FileLocation, index: number, line: number, textLine: number, readonly pointerPrefix?: string) {
    super(file, location, index, line, textLine);
  }

  /** The same document's object at `pointerPrefix`, starting at `line`. */
  at(pointerPrefix: string, line: number): RereadDocumentSource {
    return new RereadDocumentSource(this.file, this.location, this.index, line, this.textLine, pointerPrefix);
  }

  /** The object that is this whole document, as one record with its source (see {@link DocumentObject}). */
  objectOf(object: KubeObject): DocumentObject {
    return new DocumentObject(object, this.file, this.location, this.index, this.line, this.textLine);
  }

  /** Replaces an object's apiVersion, kind and namespace by the copies shared across the read. */
  shareIdentityStrings(object: KubeObject): void {
    const strings = this.location.strings;
    object.apiVersion = strings.of(object.apiVersion);
    object.kind = strings.of(object.kind);
    const metadata = object.metadata as KubeObject['metadata'] | undefined; // a kustomization may have none
    if (typeof metadata?.namespace === 'string') metadata.namespace = strings.of(metadata.namespace);
  }
}

/**
 * An object that is a whole document of a file on disk, and its own source: one record per object
 * (72 bytes) instead of a pair of an object and a source record (112 bytes), with the same fields
 * and the same lazily re-read text as {@link RereadDocumentSource}; `source` is the record itself.
 */
class DocumentObject extends OnDiskDocument implements ManifestObject, SourceDocument {
  constructor(readonly object: KubeObject, file: string, location: FileLocation, index: number, line: number, textLine: number) {
    super(file, location, index, line, textLine);
  }

  get source(): SourceDocument {
    return this;
  }
}

/** `source` for the object at `pointerPrefix` inside its document, starting at `line`. */
function withPointer(source: SourceDocument, pointerPrefix: string, line: number): SourceDocument {
  if (source instanceof RereadDocumentSource) return source.at(pointerPrefix, line);
  return { ...source, pointerPrefix, line };
}

/**
 * Parses one file's text into `into` (exported for tests and for in-memory manifests).
 * @param reread where the file is on disk (its path is `file` relative to it): document texts are
 *   not kept but read again when needed; without it every document keeps its text
 */
export function parseManifestText(text: string, file: string, absolutePath: string, into: ParsedParts, options: KustomizeParseOptions = {}, reread?: FileLocation): void {
  let meaningful = 0;
  let documents;
  try {
    documents = splitKustomizeDocuments(text);
  } catch (error) {
    if (error instanceof KustomizeYamlError) throw new ManifestLoadError(file, error.line, error.reason);
    throw error;
  }
  documents.forEach((document, index) => {
    const line = firstContentLine(document);
    const source: SourceDocument = reread ? new RereadDocumentSource(file, reread, index, line, document.line) : { file, absolutePath, index, line, text: document.text, textLine: document.line };
    let value: unknown;
    try {
      value = parseKustomizeDocument(document.text, options);
    } catch (error) {
      if (!(error instanceof KustomizeYamlError)) throw error;
      const line = error.line !== undefined ? document.line + error.line - 1 : error.pointer !== undefined ? new SourcePositions().lineOf(source, error.pointer) : source.line;
      throw new ManifestLoadError(file, line, error.reason);
    }
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing `---`)
    meaningful++;
    addObjects(value, source, '', into);
  });
  if (meaningful === 0) {
    into.problems.push({
      source: { file, absolutePath, index: 0, line: 1, text, textLine: 1 },
      message: text.trim() === '' ? 'the file is empty' : 'the file has no YAML documents (only comments or empty documents)',
    });
  }
}

/** Adds a parsed document, or the items of a `*List` (kustomize applies the items, not the list). */
function addObjects(value: unknown, documentSource: SourceDocument, pointerPrefix: string, into: ParsedParts): void {
  const source = pointerPrefix === '' ? documentSource : withPointer(documentSource, pointerPrefix, new SourcePositions().lineOf(documentSource, pointerPrefix));
  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  if (record && isListKind(record.kind) && typeof record.apiVersion === 'string' && !record.apiVersion.startsWith(KUSTOMIZE_GROUP)) {
    const items = record.items;
    if (items === undefined || items === null) return; // kustomize treats it as an empty list
    if (!Array.isArray(items)) {
      into.problems.push({ source, message: `${String(record.kind)}: items must be a list (kustomize fails otherwise)`, value });
      return;
    }
    items.forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        into.problems.push({ source: withPointer(source, source.pointerPrefix ?? '', new SourcePositions().lineOf(documentSource, `${pointerPrefix}/items/${i}`)), message: `${String(record.kind)}: items[${i}] is not an object (kustomize fails on it)`, value });
        return;
      }
      addObjects(item, documentSource, `${pointerPrefix}/items/${i}`, into);
    });
    return;
  }
  const problem = kubernetesShapeProblem(value);
  if (problem) {
    into.problems.push({ source, message: problem, value });
    return;
  }
  const object = value as KubeObject;
  let entry: ManifestObject = { object, source };
  if (documentSource instanceof RereadDocumentSource) {
    documentSource.shareIdentityStrings(object);
    if (source === documentSource) entry = documentSource.objectOf(object);
  }
  if (object.apiVersion.startsWith(KUSTOMIZE_GROUP)) into.kustomizeFiles.push(entry);
  else into.objects.push(entry);
}

function firstContentLine(document: { text: string; line: number }): number {
  const text = document.text;
  let start = 0;
  for (let i = 0; start <= text.length; i++) {
    const end = text.indexOf('\n', start);
    const trimmed = text.slice(start, end === -1 ? text.length : end).trim();
    if (trimmed !== '' && trimmed !== '---' && !trimmed.startsWith('#')) return document.line + i;
    if (end === -1) break;
    start = end + 1;
  }
  return document.line;
}

/** Why a parsed document is not a Kubernetes object, or undefined if it is one. */
export function kubernetesShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `not a Kubernetes object: the document is a ${value === null ? 'null' : typeof value} value, not a mapping`;
  if (Array.isArray(value)) return 'not a Kubernetes object: the document is a list, not a mapping';
  const v = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') missing.push('apiVersion');
  if (typeof v.kind !== 'string' || v.kind === '') missing.push('kind');
  if (missing.length === 2) return 'not a Kubernetes object: no apiVersion and no kind';
  if (missing.length > 0) return `not a Kubernetes object: ${missing.join(' and ')} missing or not a string`;
  if (typeof v.apiVersion === 'string' && v.apiVersion.startsWith(KUSTOMIZE_GROUP)) return undefined;
  const metadata = v.metadata as Record<string, unknown> | undefined;
  if (metadata === undefined || metadata === null) return `${String(v.kind)} has no metadata`;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return `${String(v.kind)} metadata must be a mapping`;
  if (typeof metadata.name !== 'string' || metadata.name === '') return `${String(v.kind)} has no metadata.name${typeof metadata.generateName === 'string' ? ' (generateName cannot be applied by GitOps: every object needs a stable name)' : ''}`;
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') return `${String(v.kind)} ${String(metadata.name)}: metadata.namespace must be a string`;
  for (const field of ['labels', 'annotations']) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((x) => typeof x !== 'string')) {
      return `${String(v.kind)} ${String(metadata.name)}: metadata.${field} must be a mapping of strings`;
    }
  }
  return undefined;
}

/** Loads manifests already in memory (cdk8s plugin, tests); `file` names them in results. */
export function manifestsFromText(entries: readonly { file: string; text: string }[]): LoadedManifests {
  const result: LoadedManifests = { objects: [], problems: [], kustomizeFiles: [], files: [], roots: [] };
  for (const { file, text } of entries) {
    result.files.push(file);
    parseManifestText(text, file, resolve(file), result);
  }
  return result;
}
