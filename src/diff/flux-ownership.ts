import { posix } from 'node:path';
import { addDirectoryAndAncestors } from '../core/ancestor-directories.js';
import { ManifestTree, TreeObject } from './model.js';
import { isRecord } from './paths.js';

/** The Flux Kustomization that applies a file, and whether it prunes what disappears. */
export interface FluxOwner {
  /** `namespace/name` of the Kustomization. */
  readonly kustomization: string;
  readonly prune: boolean;
}

interface KustomizationPath {
  readonly owner: FluxOwner;
  /** `spec.path` relative to the tree root, without leading `./` or trailing `/`. */
  readonly dir: string;
}

const clean = (path: string) => path.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/**
 * Finds which Flux Kustomization (kustomize.toolkit.fluxcd.io) applies each file of a tree.
 * `spec.path` is relative to the repository root, which may hold the tree in a subdirectory
 * (`./dist/apps` for a tree rendered into `dist/`): the repository prefix is the shortest leading
 * part of a path whose remainder is a directory of the tree.
 */
export class FluxOwnership {
  private readonly paths: KustomizationPath[];

  /**
   * @param tree the base tree (its Kustomizations)
   * @param directories the directories of the tree's files that hold objects
   * @default directories: those of `tree`'s objects (given by the streaming diff, whose `tree` holds only the Kustomizations)
   */
  constructor(tree: ManifestTree, directories?: ReadonlySet<string>) {
    let dirs = directories;
    if (!dirs) {
      const found = new Set<string>();
      for (const { ref } of tree.values()) addDirectoriesOf(ref.file, found);
      dirs = found;
    }
    this.paths = FluxOwnership.pathsOf([...tree.values()], dirs);
  }

  private static pathsOf(objects: readonly TreeObject[], dirs: ReadonlySet<string>): KustomizationPath[] {
    const paths: KustomizationPath[] = [];
    for (const { ref, manifest } of objects) {
      if (!isFluxKustomization(ref) || !isRecord(manifest.spec) || typeof manifest.spec.path !== 'string') continue;
      const segments = clean(manifest.spec.path).split('/').filter(Boolean);
      const owner = { kustomization: `${ref.namespace}/${ref.name}`, prune: manifest.spec.prune === true };
      if (segments.length === 0) {
        paths.push({ owner, dir: '' });
        continue;
      }
      for (let skip = 0; skip < segments.length; skip++) {
        const dir = segments.slice(skip).join('/');
        if (dirs.has(dir)) {
          paths.push({ owner, dir });
          break;
        }
      }
    }
    return paths.sort((a, b) => b.dir.length - a.dir.length);
  }

  /** The Kustomization with the deepest path that contains `file`, if any. */
  ownerOf(file: string): FluxOwner | undefined {
    return this.paths.find((p) => p.dir === '' || file.startsWith(`${p.dir}/`))?.owner;
  }
}

/** Whether an object is a Flux Kustomization (the objects {@link FluxOwnership} reads). */
export function isFluxKustomization(ref: Pick<TreeObject['ref'], 'kind' | 'group'>): boolean {
  return ref.kind === 'Kustomization' && ref.group === 'kustomize.toolkit.fluxcd.io';
}

/** Adds every directory that contains `file` (`a`, `a/b` for `a/b/c.yaml`) to `dirs`. */
export function addDirectoriesOf(file: string, dirs: Set<string>): void {
  addDirectoryAndAncestors(posix.dirname(file), dirs);
}
