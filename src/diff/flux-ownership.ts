import { ManifestTree } from './model.js';
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

  constructor(tree: ManifestTree) {
    const dirs = new Set<string>();
    for (const { ref } of tree.values()) {
      const parts = ref.file.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    const paths: KustomizationPath[] = [];
    for (const { ref, manifest } of tree.values()) {
      if (ref.kind !== 'Kustomization' || ref.group !== 'kustomize.toolkit.fluxcd.io' || !isRecord(manifest.spec) || typeof manifest.spec.path !== 'string') continue;
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
    this.paths = paths.sort((a, b) => b.dir.length - a.dir.length);
  }

  /** The Kustomization with the deepest path that contains `file`, if any. */
  ownerOf(file: string): FluxOwner | undefined {
    return this.paths.find((p) => p.dir === '' || file.startsWith(`${p.dir}/`))?.owner;
  }
}
