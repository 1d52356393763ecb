import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import jsYaml from 'js-yaml';
import type { KubeObject } from './types.js';

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
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);
const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';

/**
 * Reads YAML manifests from files and directories (recursively, `.yaml`/`.yml`, hidden
 * directories and node_modules skipped, sorted for stable output). Parsing uses js-yaml with the
 * YAML 1.2 core schema (no timestamps, no merge keys); source lines of fields are computed later,
 * only for objects that fail (see positions.ts).
 * @throws ManifestLoadError for a missing path, an unreadable or too large file, or malformed YAML.
 */
export function loadManifests(paths: readonly string[], options: LoadOptions = {}): LoadedManifests {
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: string[] = [];
  const roots: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new ManifestLoadError(path, undefined, 'no such file or directory');
    }
    if (stats.isDirectory()) {
      roots.push(absolute);
      collectYamlFiles(absolute, files);
    } else {
      roots.push(resolve(absolute, '..'));
      files.push(absolute);
    }
  }
  const malformed: ManifestLoadError[] = [];
  const result: LoadedManifests = { objects: [], problems: [], kustomizeFiles: [], files: [], roots, ...(options.collectErrors ? { malformed } : {}) };
  const seen = new Set<string>();
  for (const absolute of files) {
    const real = realpathSync(absolute);
    if (seen.has(real)) continue; // the same file through another path or link
    seen.add(real);
    const file = relative(cwd, absolute).split(sep).join('/') || absolute;
    result.files.push(file);
    try {
      loadFile(absolute, file, maxBytes, result);
    } catch (error) {
      if (!options.collectErrors || !(error instanceof ManifestLoadError)) throw error;
      malformed.push(error);
    }
  }
  return result;
}

function loadFile(absolute: string, file: string, maxBytes: number, result: LoadedManifests): void {
  const size = statSync(absolute).size;
  if (size > maxBytes) {
    throw new ManifestLoadError(file, undefined, `file is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit for one manifest file (split the tree into one object per file)`);
  }
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ManifestLoadError(file, undefined, `cannot read: ${(error as Error).message}`);
  }
  parseManifestText(text, file, absolute, result);
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}

function collectYamlFiles(dir: string, out: string[], visited: Set<string> = new Set()): void {
  const real = realpathSync(dir);
  if (visited.has(real)) return; // a symbolic link loop
  visited.add(real);
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    // Follow symbolic links (a linked tree or file is checked like a real one).
    const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true);
    const isFile = entry.isFile() || (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile() === true);
    if (isDirectory) collectYamlFiles(path, out, visited);
    else if (isFile && YAML_EXTENSIONS.has(extname(entry.name))) out.push(path);
  }
}

/**
 * Splits YAML text into documents with their starting lines. A `---` or `...` line at column 0
 * always ends a document (even inside a block scalar), so this split is exact. The `---` line
 * stays in the document it opens (it may carry content: `--- {a: 1}`).
 */
export function splitDocuments(text: string): { text: string; line: number }[] {
  // Fast path: most rendered files hold one document without markers.
  if (!text.startsWith('---') && !text.startsWith('...') && !text.includes('\n---') && !text.includes('\n...')) return [{ text, line: 1 }];
  const lines = text.split(/\r?\n/);
  const documents: { text: string; line: number }[] = [];
  let start = 0;
  let current: string[] = [];
  const flush = (next: number) => {
    if (current.length > 0) documents.push({ text: current.join('\n'), line: start + 1 });
    current = [];
    start = next;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^---(\s|$)/.test(line)) {
      flush(i);
      current.push(line);
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      flush(i + 1);
    } else {
      current.push(line);
    }
  }
  flush(lines.length);
  return documents;
}

/** Parses one file's text into `into` (exported for tests and for in-memory manifests). */
export function parseManifestText(text: string, file: string, absolutePath: string, into: LoadedManifests): void {
  let meaningful = 0;
  const documents = splitDocuments(text);
  documents.forEach((document, index) => {
    let value: unknown;
    try {
      value = jsYaml.load(document.text, { schema: jsYaml.CORE_SCHEMA, filename: file });
    } catch (error) {
      const mark = (error as { mark?: { line: number } }).mark;
      const reason = (error as { reason?: string }).reason ?? (error as Error).message;
      throw new ManifestLoadError(file, mark ? document.line + mark.line : document.line, `malformed YAML: ${reason}`);
    }
    const source: SourceDocument = { file, absolutePath, index, line: firstContentLine(document), text: document.text, textLine: document.line };
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing `---`)
    meaningful++;
    if (hasSharedNodes(value)) {
      throw new ManifestLoadError(file, source.line, 'YAML aliases (*ref) are not allowed in manifests: Kubernetes tooling expands them and rendered manifests never use them');
    }
    const problem = kubernetesShapeProblem(value);
    if (problem) {
      into.problems.push({ source, message: problem, value });
      return;
    }
    const object = value as KubeObject;
    if (object.apiVersion.startsWith(KUSTOMIZE_GROUP)) into.kustomizeFiles.push({ object, source });
    else into.objects.push({ object, source });
  });
  if (meaningful === 0) {
    into.problems.push({
      source: { file, absolutePath, index: 0, line: 1, text, textLine: 1 },
      message: text.trim() === '' ? 'the file is empty' : 'the file has no YAML documents (only comments or empty documents)',
    });
  }
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

/** Whether a parsed value reuses a node (a YAML alias); linear in the size of the value. */
function hasSharedNodes(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (seen.has(node)) return true;
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return false;
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
