import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { TreeLoadError, gitPathExists, gitTopLevel, isGitRef, readTreeFromDirectory, readTreeFromGit } from './load-tree.js';
import { ManifestTree } from './model.js';
import { directorySource, gitSource, TreeSource } from './tree-source.js';
import { buildConfigOfDirectory, buildConfigOfGit, BuildConfigFiles } from './build-config.js';

/** Where the base tree of a diff comes from. */
export interface BaseSource {
  /** A directory, or a git ref (branch, tag, SHA) in {@link repo}. */
  readonly base: string;
  /** The head directory: its path inside the repository is the default {@link path}. */
  readonly headDir: string;
  /** Path of the tree inside the repository at the ref. @default the head directory's path relative to the repository top level, else 'dist' */
  readonly path?: string;
  /** The git repository for a ref. @default the repository containing the current directory */
  readonly repo?: string;
}

/** A base tree and a human description of where it came from (for titles). */
export interface LoadedBase {
  readonly tree: ManifestTree;
  readonly description: string;
}

/**
 * Loads the base side: a directory when `base` is one, otherwise the tree of `path` at the git ref
 * `base`, read with `git ls-tree`/`git cat-file` (no checkout, the work tree is untouched).
 * @throws TreeLoadError when an explicit `path` does not exist at the ref.
 */
export function loadBase(source: BaseSource): LoadedBase {
  const where = resolveBase(source);
  const tree = where.directory !== undefined ? readTreeFromDirectory(where.directory) : readTreeFromGit(where.repo, where.ref, where.path);
  return { tree, description: where.description };
}

/**
 * The base side as {@link loadBase} resolves it, to be read file by file (`diffSources`).
 * @throws TreeLoadError when an explicit `path` does not exist at the ref.
 */
export function openBase(source: BaseSource): TreeSource {
  const where = resolveBase(source);
  return where.directory !== undefined ? directorySource(where.directory) : gitSource(where.repo, where.ref, where.path);
}

/** The kustomization files of the base tree (see build-config.ts). */
export async function buildConfigOfBase(source: BaseSource): Promise<BuildConfigFiles> {
  const where = resolveBase(source);
  return where.directory !== undefined ? buildConfigOfDirectory(where.directory) : buildConfigOfGit(where.repo, where.ref, where.path);
}

type ResolvedBase = { readonly description: string } & ({ readonly directory: string } | { readonly directory?: undefined; readonly repo: string; readonly ref: string; readonly path: string });

function resolveBase(source: BaseSource): ResolvedBase {
  if (existsSync(source.base) && statSync(source.base).isDirectory()) return { directory: source.base, description: source.base };
  const repo = source.repo ?? gitTopLevel(process.cwd());
  if (!repo) throw new TreeLoadError(`--base ${source.base}: not a directory, and ${process.cwd()} is not in a git repository to resolve it as a ref`);
  const path = source.path ?? defaultTreePath(repo, source.headDir);
  if (source.path !== undefined && isGitRef(repo, source.base) && !gitPathExists(repo, source.base, path)) {
    throw new TreeLoadError(`${source.base}:${path}: no such path in that commit (--base-path); an empty base would show every object as added`);
  }
  return { repo, ref: source.base, path, description: `${source.base}:${path}` };
}

function defaultTreePath(repo: string, headDir: string): string {
  const top = gitTopLevel(repo) ?? repo;
  const inside = relative(top, resolve(headDir));
  return inside === '' || inside.startsWith('..') ? 'dist' : inside.split(sep).join('/');
}
