import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { addDirectoryAndAncestors } from '../../core/ancestor-directories.js';
import type { ManifestObject } from '../loader.js';
import { specOf } from '../object-index.js';
import type { CrossResourceRule } from '../registry.js';

const DEPENDENT_KINDS = ['Kustomization', 'HelmRelease'];

function isFlux(entry: ManifestObject): boolean {
  return entry.object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') || entry.object.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

/**
 * Flux Kustomization and HelmRelease `dependsOn` entries name objects of the same kind in the tree
 * (namespace defaults to the dependent's), and the dependency graph has no cycle.
 */
export const fluxDependsOn: CrossResourceRule = {
  name: 'flux-depends-on',
  evaluate(ctx) {
    for (const kind of DEPENDENT_KINDS) {
      const nodes = ctx.index.ofKind(kind).filter(isFlux);
      const edges = new Map<ManifestObject, ManifestObject[]>();
      const broken = new Set<ManifestObject>();
      for (const node of nodes) {
        const deps = specOf(node).dependsOn;
        const targets: ManifestObject[] = [];
        (Array.isArray(deps) ? deps : []).forEach((dep: { name?: string; namespace?: string }, i: number) => {
          const ns = dep?.namespace ?? node.object.metadata.namespace;
          const target = typeof dep?.name === 'string' ? ctx.index.get(kind, ns, dep.name) : undefined;
          if (target && isFlux(target)) targets.push(target);
          else {
            broken.add(node);
            ctx.fail(node, `${kind} ${node.object.metadata.name} depends on ${kind} '${ns ?? ''}/${dep?.name ?? '?'}', which is not in the tree`, `/spec/dependsOn/${i}`);
          }
        });
        edges.set(node, targets);
      }
      const inCycle = findCycles(nodes, edges);
      for (const [node, cycle] of inCycle) {
        broken.add(node);
        ctx.fail(node, `${kind} dependency cycle: ${cycle.map((n) => n.object.metadata.name).join(' -> ')}`, '/spec/dependsOn');
      }
      for (const node of nodes) if (!broken.has(node)) ctx.pass(node);
    }
  },
};

/** Every node on a cycle, with one cycle through it (iterative DFS, linear in nodes + edges). */
function findCycles(nodes: ManifestObject[], edges: Map<ManifestObject, ManifestObject[]>): Map<ManifestObject, ManifestObject[]> {
  const state = new Map<ManifestObject, 1 | 2>();
  const out = new Map<ManifestObject, ManifestObject[]>();
  for (const start of nodes) {
    if (state.has(start)) continue;
    const stack: { node: ManifestObject; next: number }[] = [{ node: start, next: 0 }];
    const path: ManifestObject[] = [start];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const children = edges.get(top.node) ?? [];
      if (top.next < children.length) {
        const child = children[top.next++];
        if (state.get(child) === 1) {
          const cycle = [...path.slice(path.indexOf(child)), child];
          for (const n of cycle) if (!out.has(n)) out.set(n, cycle);
        } else if (!state.has(child)) {
          state.set(child, 1);
          stack.push({ node: child, next: 0 });
          path.push(child);
        }
      } else {
        state.set(top.node, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return out;
}

/**
 * A Flux Kustomization's `spec.path` exists. Paths are relative to the source's root, which the
 * gate cannot know for certain, so it tries the checked roots and each of their parent directories
 * up to the repository root (the directory holding `.git`).
 */
export const fluxPathExists: CrossResourceRule = {
  name: 'flux-path-exists',
  evaluate(ctx) {
    const bases = new Set<string>();
    for (const root of ctx.roots) {
      let dir = root;
      for (;;) {
        bases.add(dir);
        if (existsSync(resolve(dir, '.git'))) break;
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    // built on first use: a tree without a Flux Kustomization path (10^6 files) pays nothing
    let directories: ReadonlySet<string> | undefined;
    for (const k of ctx.index.ofKind('Kustomization').filter(isFlux)) {
      const path = specOf(k).path;
      const sourceKind = (specOf(k).sourceRef as { kind?: unknown } | undefined)?.kind;
      if (sourceKind === 'ExternalArtifact' || sourceKind === 'OCIRepository' || sourceKind === 'Bucket') {
        // the path is inside an artifact built elsewhere (an ArtifactGenerator, an OCI image, a
        // bucket), not inside this repository: nothing to resolve it against offline
        ctx.note(k, 'info', `Kustomization ${k.object.metadata.name} path '${String(path ?? './')}' is relative to its ${sourceKind} source, which cannot be resolved offline: not checked`, '/spec/sourceRef/kind');
        continue;
      }
      if (path === undefined) {
        ctx.pass(k); // the source root
        continue;
      }
      if (typeof path !== 'string') continue;
      // a directory holding any file of the checked tree (which may not be on disk yet, e.g. a
      // render being validated before it is written), or an existing directory on disk
      const holding = (directories ??= directoriesHoldingFiles(ctx.loaded.files));
      const found = [...bases].some((base) => holding.has(resolve(base, path)) || existsSync(resolve(base, path)));
      if (found) ctx.pass(k);
      else ctx.fail(k, `Kustomization ${k.object.metadata.name} path '${path}' does not exist under ${[...bases].slice(0, 3).join(', ')}${bases.size > 3 ? ', ...' : ''}`, '/spec/path');
    }
  },
};

/**
 * The absolute directories with a file of `files` (shown paths, resolved against the working
 * directory) anywhere below them: one entry per directory, not a resolved path per file (a tree of
 * 10^6 one-document files held 10^6 absolute paths here, about 450 MB).
 */
export function directoriesHoldingFiles(files: readonly string[]): ReadonlySet<string> {
  const directories = new Set<string>();
  const resolvedParent = new Map<string, string>();
  for (const file of files) {
    const shownParent = dirname(file);
    if (resolvedParent.has(shownParent)) continue;
    const parent = resolve(shownParent);
    resolvedParent.set(shownParent, parent);
    addDirectoryAndAncestors(parent, directories);
  }
  return directories;
}
