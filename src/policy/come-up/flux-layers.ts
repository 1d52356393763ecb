/**
 * Which Flux Kustomization applies each object of a tree (by `spec.path` against the object's
 * file), and which Kustomizations one depends on, directly or through others. The "will it come
 * up" rules use it to tell a provider applied in an earlier layer from one applied in the same
 * layer (a race).
 */
import type { ManifestObject } from '../loader.js';
import type { ObjectIndex } from '../object-index.js';

const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

/** One Flux Kustomization and the directory it applies. */
interface Layer {
  readonly object: ManifestObject;
  /** `namespace/name`. */
  readonly id: string;
  /** `spec.path` without leading `./` and trailing `/` (may be empty: the repository root). */
  readonly segments: readonly string[];
}

/** Flux layering of a tree. */
export class FluxLayers {
  private readonly layers: Layer[] = [];
  private readonly dependsOn = new Map<string, string[]>();
  private readonly ownerByDirectory = new Map<string, Layer | undefined>();

  constructor(index: ObjectIndex) {
    for (const k of index.ofKind('Kustomization')) {
      if (!k.object.apiVersion.startsWith(`${FLUX_KUSTOMIZE_GROUP}/`)) continue;
      const spec = (k.object.spec ?? {}) as { path?: unknown; dependsOn?: { name?: string; namespace?: string }[] };
      const ns = k.object.metadata.namespace ?? 'flux-system';
      const id = `${ns}/${k.object.metadata.name}`;
      const path = typeof spec.path === 'string' ? spec.path : '';
      this.layers.push({ object: k, id, segments: path.replace(/^\.?\/+/, '').replace(/\/+$/, '').split('/').filter(Boolean) });
      this.dependsOn.set(id, (Array.isArray(spec.dependsOn) ? spec.dependsOn : []).filter((d) => typeof d?.name === 'string').map((d) => `${d.namespace ?? ns}/${d.name}`));
    }
  }

  /** Whether the tree has Flux Kustomizations at all. */
  get present(): boolean {
    return this.layers.length > 0;
  }

  /**
   * The Kustomization whose path holds the object's file: the path may carry a repository prefix
   * the checked tree lacks (`./dist/apps` for a tree checked as `apps/...`), so the longest
   * trailing part of the path that occurs in the file path at a directory boundary decides, and
   * the deepest such Kustomization wins.
   */
  ownerOf(entry: ManifestObject): Layer | undefined {
    // the owner depends only on the file's directory: computed once per directory
    const directory = entry.source.file.slice(0, entry.source.file.lastIndexOf('/') + 1);
    if (this.ownerByDirectory.has(directory)) return this.ownerByDirectory.get(directory);
    const owner = this.findOwner(`/${directory.replace(/^\.\//, '')}`);
    this.ownerByDirectory.set(directory, owner);
    return owner;
  }

  private findOwner(file: string): Layer | undefined {
    let best: { layer: Layer; depth: number } | undefined;
    for (const layer of this.layers) {
      for (let skip = 0; skip <= layer.segments.length; skip++) {
        const dir = layer.segments.slice(skip).join('/');
        const depth = layer.segments.length - skip;
        if (depth === 0 ? layer.segments.length === 0 : file.includes(`/${dir}/`)) {
          if (!best || depth > best.depth) best = { layer, depth };
          break;
        }
      }
    }
    return best?.layer;
  }

  /** Whether Kustomization `from` depends on `on` directly or transitively (never itself). */
  dependsOnTransitively(from: string, on: string): boolean {
    const seen = new Set<string>();
    const stack = [...(this.dependsOn.get(from) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === on) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.dependsOn.get(next) ?? []));
    }
    return false;
  }
}
