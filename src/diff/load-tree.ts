import { isKustomizationProblem } from '../policy/kustomize-build.js';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { loadManifests, MAX_MANIFEST_FILE_BYTES, ManifestLoadError as PolicyLoadError, manifestsFromText, type LoadedManifests, type LoadProblem, type ManifestObject } from '../policy/loader.js';
import { CLUSTER_SCOPED_KINDS } from '../core/cluster-scoped-kinds.js';
import { isFluxBootstrapFile } from '../core/flux-bootstrap-files.js';
import { DiffResourceRef, groupOf, Manifest, ManifestTree, resourceKey, TreeObject } from './model.js';

/** A manifest file that cannot be read as Kubernetes objects; the message names file, document and field. */
export class TreeLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeLoadError';
  }
}

/**
 * The namespace that identifies an object: '' for cluster-scoped kinds whatever the manifest says
 * (Kubernetes ignores it there, so an object that loses a stray namespace is the same object).
 */
export function identityNamespace(kind: string, namespace: string | undefined): string {
  return CLUSTER_SCOPED_KINDS.has(kind) ? '' : namespace ?? '';
}

/** A YAML file's text and its path relative to the tree root. */
export interface ManifestFile {
  readonly path: string;
  readonly text: string;
}

const YAML_FILE = /\.ya?ml$/;

/**
 * Parses manifest files into a tree keyed by group/kind/namespace/name, with the policy gate's
 * loader (`manifestsFromText`: js-yaml core schema, documents split with their lines, aliases
 * refused). Kustomize configuration (`kustomization.yaml`) and empty files are skipped.
 * @throws TreeLoadError on invalid YAML, a document that is not a Kubernetes object (naming
 *   file and line), or the same object defined twice (naming both files).
 */
export function parseManifestFiles(files: Iterable<ManifestFile>): ManifestTree {
  return treeOf(() => manifestsFromText([...files].map((f) => ({ file: f.path, text: f.text }))));
}

/** Builds the tree from what the policy loader read (one loader, one YAML meaning, one set of limits). */
function treeOf(load: () => LoadedManifests): ManifestTree {
  let loaded;
  try {
    loaded = load();
  } catch (error) {
    if (error instanceof PolicyLoadError) throw new TreeLoadError(error.message);
    throw error;
  }
  const problem = firstProblemOf(loaded.problems);
  if (problem) throw new TreeLoadError(problem);
  const tree = new Map<string, TreeObject>();
  for (const loadedObject of loaded.objects) {
    const { ref, manifest } = treeObjectOf(loadedObject);
    const key = resourceKey(ref);
    const existing = tree.get(key);
    if (existing) throw new TreeLoadError(duplicateMessage(ref, loadedObject.source.line, existing.ref.file));
    tree.set(key, { ref, manifest });
  }
  return tree;
}

/**
 * The first document the diff cannot use, as `file:line: reason` (empty files and files of only
 * comments are left out: an empty tree file is no object; so is a `kustomization.yaml` without
 * apiVersion and kind: build configuration, as for the gate), or undefined.
 */
export function firstProblemOf(problems: readonly LoadProblem[]): string | undefined {
  const problem = problems.find((p) => p.source.text.trim() !== '' && !/has no YAML documents/.test(p.message) && !isKustomizationProblem(p));
  return problem && `${problem.source.file}:${problem.source.line}: ${problem.message}`;
}

/** The message for an object defined twice in one tree. */
export function duplicateMessage(ref: DiffResourceRef, line: number, otherFile: string): string {
  return `${ref.file}:${line}: ${ref.kind} '${ref.name}'${ref.namespace ? ` in namespace '${ref.namespace}'` : ''} is also defined in ${otherFile}`;
}

/** A loaded object as the diff sees it: its identity (see {@link identityNamespace}) and its manifest. */
export function treeObjectOf({ object, source }: ManifestObject): TreeObject {
  const manifest = object as Manifest;
  return {
    ref: {
      group: groupOf(manifest.apiVersion),
      apiVersion: manifest.apiVersion,
      kind: manifest.kind,
      namespace: identityNamespace(manifest.kind, manifest.metadata.namespace),
      name: manifest.metadata.name,
      file: source.file,
    },
    manifest,
  };
}

/** Every `*.yaml`/`*.yml` file below `root` except `flux bootstrap`'s, with paths relative to it (forward slashes), sorted. */
export function listYamlFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && YAML_FILE.test(entry.name) && !isFluxBootstrapFile(full)) found.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/**
 * Reads the rendered tree below a directory with the policy loader's tree reader (the files,
 * symbolic links, size and depth limits of `check` and `plan`); paths are relative to `root`.
 */
export function readTreeFromDirectory(root: string): ManifestTree {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new TreeLoadError(`${root}: not a directory`);
  return treeOf(() => loadManifests(['.'], { cwd: resolve(root) }));
}

const GIT_OPTIONS = { maxBuffer: 1 << 30, encoding: 'buffer' as const, stdio: ['pipe', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe'] };

function git(repo: string, args: string[], input?: Buffer): Buffer {
  try {
    return execFileSync('git', ['-C', repo, ...args], { ...GIT_OPTIONS, input });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new TreeLoadError(`git ${args.join(' ')} failed in ${repo}: ${stderr || (error as Error).message}`);
  }
}

/** Whether `ref` names a commit in the repository at `repo`. */
export function isGitRef(repo: string, ref: string): boolean {
  try {
    execFileSync('git', ['-C', repo, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` (a file or directory, relative to the repository root) exists in the commit `ref`. */
export function gitPathExists(repo: string, ref: string, path: string): boolean {
  const inside = path.replace(/^\.?\/+|\/+$/g, '');
  if (inside === '' || inside === '.') return true;
  try {
    execFileSync('git', ['-C', repo, 'cat-file', '-e', `${ref}:${inside}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The top level of the git work tree that contains `dir`, or undefined outside a repository. */
export function gitTopLevel(dir: string): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Reads the YAML files under `path` at a commit, without a checkout: `git ls-tree` lists the blobs
 * and one `git cat-file --batch` process streams them all. Paths in the result are relative to `path`.
 */
export function readTreeFromGit(repo: string, ref: string, path: string): ManifestTree {
  return parseManifestFiles(readManifestFilesFromGit(repo, ref, path));
}

/**
 * The texts of the YAML files under `path` at a commit, read from git objects only (no checkout:
 * nothing in the work tree is read). A symbolic link is an error (`symlinks: 'error'`, what diff
 * uses, so it never sees another tree than check) or is left out (`'skip'`: the trusted review of a
 * PR head, which must never follow a link the PR planted). Paths are relative to `path`, sorted.
 */
export function readManifestFilesFromGit(repo: string, ref: string, path: string, symlinks: 'error' | 'skip' = 'error'): ManifestFile[] {
  return [...readGitBlobs(repo, listGitBlobs(repo, ref, path, symlinks))];
}

/** A YAML file of a tree at a commit: its blob and its path relative to the tree. */
export interface GitBlob {
  readonly sha: string;
  readonly path: string;
  readonly size: number;
}

/**
 * The YAML blobs under `path` at a commit (`git ls-tree`), sorted by path, with the limits and
 * symbolic-link rule of {@link readManifestFilesFromGit}.
 */
export function listGitBlobs(repo: string, ref: string, path: string, symlinks: 'error' | 'skip' = 'error'): GitBlob[] {
  if (!isGitRef(repo, ref)) throw new TreeLoadError(`${ref}: not a commit in the git repository at ${repo}`);
  const trimmed = path.replace(/^\.?\/+|\/+$/g, '');
  const prefix = trimmed === '.' ? '' : trimmed;
  const listing = git(repo, ['ls-tree', '-r', '-z', '-l', '--full-tree', ref, '--', prefix === '' ? '.' : prefix]).toString('utf8');
  const blobs: GitBlob[] = [];
  for (const line of listing.split('\0')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const [mode, type, sha, size] = line.slice(0, tab).split(/ +/);
    const file = line.slice(tab + 1);
    if (type !== 'blob' || !YAML_FILE.test(file) || isFluxBootstrapFile(file)) continue;
    // a symbolic link (mode 120000) holds a path, not YAML, and a tree read from git is not checked out
    if (mode === '120000') {
      if (symlinks === 'skip') continue;
      throw new TreeLoadError(`${ref}:${file}: a symbolic link; a tree read from git is not checked out, so the link cannot be followed as check follows it`);
    }
    // the same limits as the directory reader (check and plan)
    if (Number(size) > MAX_MANIFEST_FILE_BYTES) throw new TreeLoadError(`${ref}:${file}: file is ${size} bytes, more than the ${MAX_MANIFEST_FILE_BYTES} bytes limit for one manifest file`);
    blobs.push({ sha, path: prefix === '' ? file : file.slice(prefix.length + 1), size: Number(size) });
  }
  return blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Blobs read per `git cat-file --batch` process, at most (and at most {@link BATCH_BYTES} of them). */
const BATCH_BLOBS = 4096;
const BATCH_BYTES = 32 * 1024 * 1024;

/**
 * The texts of `blobs`, in order, read by one `git cat-file --batch` per batch of a few thousand
 * blobs or 32 MiB: a large tree is never one buffer.
 */
export function* readGitBlobs(repo: string, blobs: readonly GitBlob[]): Generator<ManifestFile> {
  for (let first = 0; first < blobs.length;) {
    let end = first;
    for (let bytes = 0; end < blobs.length && end - first < BATCH_BLOBS && (end === first || bytes + blobs[end].size <= BATCH_BYTES); end++) bytes += blobs[end].size;
    const batch = blobs.slice(first, end);
    const output = git(repo, ['cat-file', '--batch'], Buffer.from(batch.map((b) => `${b.sha}\n`).join('')));
    let offset = 0;
    for (const blob of batch) {
      const headerEnd = output.indexOf(10, offset);
      const [, , size] = output.subarray(offset, headerEnd).toString('utf8').split(' ');
      const start = headerEnd + 1;
      const stop = start + Number(size);
      yield { path: blob.path, text: output.subarray(start, stop).toString('utf8') };
      offset = stop + 1;
    }
    first = end;
  }
}
