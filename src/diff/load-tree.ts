import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ManifestLoadError as PolicyLoadError, manifestsFromText } from '../policy/loader.js';
import { CLUSTER_SCOPED_KINDS } from '../core/cluster-scoped-kinds.js';
import { groupOf, Manifest, ManifestTree, resourceKey, TreeObject } from './model.js';

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
  let loaded;
  try {
    loaded = manifestsFromText([...files].map((f) => ({ file: f.path, text: f.text })));
  } catch (error) {
    if (error instanceof PolicyLoadError) throw new TreeLoadError(error.message);
    throw error;
  }
  const problem = loaded.problems.find((p) => p.source.text.trim() !== '' && !/has no YAML documents/.test(p.message));
  if (problem) throw new TreeLoadError(`${problem.source.file}:${problem.source.line}: ${problem.message}`);
  const tree = new Map<string, TreeObject>();
  for (const { object, source } of loaded.objects) {
    const manifest = object as Manifest;
    const group = groupOf(manifest.apiVersion);
    const ref = {
      group,
      apiVersion: manifest.apiVersion,
      kind: manifest.kind,
      namespace: identityNamespace(manifest.kind, manifest.metadata.namespace),
      name: manifest.metadata.name,
      file: source.file,
    };
    const key = resourceKey(ref);
    const existing = tree.get(key);
    if (existing) {
      throw new TreeLoadError(`${source.file}:${source.line}: ${ref.kind} '${ref.name}'${ref.namespace ? ` in namespace '${ref.namespace}'` : ''} is also defined in ${existing.ref.file}`);
    }
    tree.set(key, { ref, manifest });
  }
  return tree;
}

/** Every `*.yaml`/`*.yml` file below `root`, with paths relative to it (forward slashes), sorted. */
export function listYamlFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && YAML_FILE.test(entry.name)) found.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** Reads the rendered tree below a directory. */
export function readTreeFromDirectory(root: string): ManifestTree {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new TreeLoadError(`${root}: not a directory`);
  return parseManifestFiles(listYamlFiles(root).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') })));
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
 * nothing in the work tree is read; symbolic links are skipped). Paths are relative to `path`, sorted.
 */
export function readManifestFilesFromGit(repo: string, ref: string, path: string): ManifestFile[] {
  if (!isGitRef(repo, ref)) throw new TreeLoadError(`${ref}: not a commit in the git repository at ${repo}`);
  const prefix = path.replace(/^\.?\/+|\/+$/g, '');
  const listing = git(repo, ['ls-tree', '-r', '-z', '--full-tree', ref, '--', prefix === '' ? '.' : prefix]).toString('utf8');
  const blobs: { sha: string; path: string }[] = [];
  for (const line of listing.split('\0')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const [mode, type, sha] = line.slice(0, tab).split(' ');
    const file = line.slice(tab + 1);
    // a symbolic link (mode 120000) holds a path, not YAML: it is not followed
    if (type !== 'blob' || mode === '120000' || !YAML_FILE.test(file)) continue;
    blobs.push({ sha, path: prefix === '' ? file : file.slice(prefix.length + 1) });
  }
  blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (blobs.length === 0) return [];
  const output = git(repo, ['cat-file', '--batch'], Buffer.from(blobs.map((b) => `${b.sha}\n`).join('')));
  const files: ManifestFile[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = output.indexOf(10, offset);
    const [, , size] = output.subarray(offset, headerEnd).toString('utf8').split(' ');
    const start = headerEnd + 1;
    const end = start + Number(size);
    files.push({ path: blob.path, text: output.subarray(start, end).toString('utf8') });
    offset = end + 1;
  }
  return files;
}
