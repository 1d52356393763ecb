import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ManifestLoadError, manifestsFromText, readManifestFileByFile, type FileManifests } from '../policy/loader.js';
import { firstProblemOf, GitBlob, listGitBlobs, readGitBlobs, TreeLoadError, treeObjectOf } from './load-tree.js';
import { TreeObject } from './model.js';

/** An object of a tree file and the line where it starts. */
export interface SourcedObject extends TreeObject {
  readonly line: number;
}

/** One file of a tree as the diff reads it. */
export interface TreeSourceFile {
  /** Path relative to the tree root (forward slashes). */
  readonly file: string;
  readonly objects: readonly SourcedObject[];
  /** The first document that is not a Kubernetes object, as `file:line: reason` (see `firstProblemOf`). */
  readonly problem?: string;
}

/**
 * A rendered tree read one file at a time, with the reader (files, limits, YAML meaning) of the
 * whole-tree readers `readTreeFromDirectory` and `readTreeFromGit`: the streaming diff keeps a
 * digest per object and reads again only the files of objects that differ.
 */
export interface TreeSource {
  /** Where the tree comes from, for titles. */
  readonly description: string;
  /**
   * Every file, sorted by path; only the current one is held.
   * @throws TreeLoadError for a file that cannot be read or parsed (naming file and line)
   */
  files(): Iterable<TreeSourceFile>;
  /**
   * File number `index` of {@link files} (whose path is `file`) read again.
   * @throws TreeLoadError when it cannot be read any more
   */
  reread(index: number, file: string): TreeSourceFile;
}

function treeFileOf(part: Pick<FileManifests, 'file' | 'objects' | 'problems'>): TreeSourceFile {
  const objects = part.objects.map((loaded) => ({ ...treeObjectOf(loaded), line: loaded.source.line }));
  const problem = firstProblemOf(part.problems);
  return problem === undefined ? { file: part.file, objects } : { file: part.file, objects, problem };
}

/** The loader's parts of `paths` below `cwd` as tree files, its errors as {@link TreeLoadError}. */
function* loaderFiles(paths: string[], cwd: string): Generator<TreeSourceFile> {
  let iterator: Iterator<FileManifests>;
  try {
    iterator = readManifestFileByFile(paths, { cwd }).files[Symbol.iterator]();
  } catch (error) {
    throw error instanceof ManifestLoadError ? new TreeLoadError(error.message) : error;
  }
  for (;;) {
    let next: IteratorResult<FileManifests>;
    try {
      next = iterator.next();
    } catch (error) {
      throw error instanceof ManifestLoadError ? new TreeLoadError(error.message) : error;
    }
    if (next.done) return;
    if (next.value.error) throw new TreeLoadError(next.value.error.message);
    yield treeFileOf(next.value);
  }
}

/** The tree below a directory, read as `readTreeFromDirectory` reads it (paths relative to `root`). */
export function directorySource(root: string): TreeSource {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new TreeLoadError(`${root}: not a directory`);
  const cwd = resolve(root);
  return {
    description: root,
    files: () => loaderFiles(['.'], cwd),
    reread(_index, file) {
      for (const part of loaderFiles([file], cwd)) return part;
      throw new TreeLoadError(`${file}: gone while the diff read the tree`);
    },
  };
}

/** The tree under `path` at a git commit, read as `readTreeFromGit` reads it: no checkout. */
export function gitSource(repo: string, ref: string, path: string): TreeSource {
  const blobs = listGitBlobs(repo, ref, path);
  const parse = (file: string, text: string): TreeSourceFile => {
    try {
      return treeFileOf({ ...manifestsFromText([{ file, text }]), file });
    } catch (error) {
      throw error instanceof ManifestLoadError ? new TreeLoadError(error.message) : error;
    }
  };
  return {
    description: `${ref}:${path}`,
    *files() {
      for (const { path: file, text } of readGitBlobs(repo, blobs)) yield parse(file, text);
    },
    reread(index: number) {
      const blob: GitBlob = blobs[index];
      for (const { path: file, text } of readGitBlobs(repo, [blob])) return parse(file, text);
      throw new TreeLoadError(`${ref}:${blob.path}: gone while the diff read the tree`);
    },
  };
}
