import jsYaml from 'js-yaml';
import { KubeManifest, RenderedObject } from './synthesize.js';

/** A file of the rendered tree. */
export interface TreeFile {
  /** Path relative to the tree root, with `/` separators. */
  readonly path: string;
  /** File content. */
  readonly content: string;
  /** The object it holds (undefined for generated kustomization.yaml files). */
  readonly manifest?: KubeManifest;
  /** Construct path of the object, for error messages. */
  readonly constructPath?: string;
}

/** Serializes one object as YAML: deterministic, no anchors, no line folding. */
export function toYaml(manifest: unknown): string {
  return jsYaml.dump(manifest, { noRefs: true, lineWidth: -1, quotingType: '"' });
}

function fileStem(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * Lays objects out as files: `<directory>/<kind>-<name>.yaml`, prefixed with the namespace
 * (`<namespace>.<kind>-<name>.yaml`) when a directory holds namespaced objects from more than one
 * namespace, so names never collide across namespaces. Every directory gets a
 * `kustomization.yaml` listing its files and subdirectories (sorted). Two objects that still map
 * to the same file are an error naming both construct paths.
 */
export function layoutTree(objects: RenderedObject[]): TreeFile[] {
  const byDirectory = new Map<string, RenderedObject[]>();
  for (const o of objects) {
    const list = byDirectory.get(o.directory) ?? [];
    list.push(o);
    byDirectory.set(o.directory, list);
  }
  const files = new Map<string, TreeFile>();
  for (const [directory, list] of byDirectory) {
    const namespaces = new Set(list.map((o) => o.manifest.metadata?.namespace).filter((n): n is string => !!n));
    const mixed = namespaces.size > 1;
    for (const o of list) {
      const { kind, metadata } = o.manifest;
      const stem = `${fileStem(kind)}-${metadata.name}`;
      const name = mixed && metadata.namespace ? `${metadata.namespace}.${stem}.yaml` : `${stem}.yaml`;
      const path = `${directory}/${name}`;
      const existing = files.get(path);
      if (existing) {
        throw new Error(`two objects render to ${path}: ${existing.constructPath} and ${o.constructPath} (${kind} '${metadata.name}'); give one of them another name`);
      }
      files.set(path, { path, content: toYaml(o.manifest), manifest: o.manifest, constructPath: o.constructPath });
    }
  }
  // kustomization.yaml for every directory that holds files or subdirectories (not the root)
  const children = new Map<string, Set<string>>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const set = children.get(dir) ?? new Set<string>();
      set.add(parts[i]);
      children.set(dir, set);
    }
  }
  for (const [dir, entries] of children) {
    const resources = [...entries].sort();
    const path = `${dir}/kustomization.yaml`;
    if (files.has(path)) throw new Error(`an object renders to ${path}, which is reserved for the generated kustomization`);
    files.set(path, {
      path,
      content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }),
    });
  }
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
