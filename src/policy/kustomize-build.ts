import { posix } from 'node:path';
import jsYaml from 'js-yaml';
import { BUILT_IN_CLUSTER_SCOPED_KINDS } from '../core/cluster-scoped-kinds.js';
import type { LoadedManifests, LoadProblem, ManifestObject, SourceDocument } from './loader.js';

/**
 * What kustomize builds, as far as the gate can tell without running it: `kustomization.yaml`
 * files are followed (resources, components, crds, patches, configurations, generators) so that
 * - patch files are checked as patches, not as whole objects;
 * - files under a kustomization's directory that no kustomization includes (kustomize and Flux do
 *   not apply them) are left out of the object checks (and reported as info);
 * - a kustomization's `namespace:` is applied to the namespaced objects it includes, and renames
 *   the Namespace objects it includes, as kustomize does (the outermost kustomization wins; left
 *   alone when two top-level builds disagree).
 * Not modelled: namePrefix/nameSuffix, labels/commonLabels, images, replicas, generators' output,
 * remote bases (URLs), and applying the patches.
 */

/** A kustomize patch: a strategic-merge mapping or a JSON 6902 operation list. */
export interface KustomizePatch {
  readonly source: SourceDocument;
  readonly value: unknown;
  /** The kustomization file naming it. */
  readonly kustomization: string;
  /** Whether the kustomization gives a `target` (JSON 6902 patches need one). */
  readonly targeted: boolean;
}

/** What following the kustomizations found, for the `manifest-structure` rule. */
export interface KustomizeFindings {
  readonly patches: readonly KustomizePatch[];
  /** Files under a kustomization directory that no kustomization includes, with that kustomization. */
  readonly unbuilt: readonly { readonly source: SourceDocument; readonly kustomization: string }[];
  /**
   * For each file a top-level kustomization builds (one no other kustomization includes), the
   * files of those top-level kustomizations: two files with disjoint sets are never applied together
   * (e.g. a staging and a production overlay). Files no kustomization builds are absent.
   */
  readonly buildRoots: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The file names kustomize reads as a directory's build configuration. */
export const KUSTOMIZATION_NAMES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';
const findingsOf = new WeakMap<LoadedManifests, KustomizeFindings>();

/** The patches and unbuilt files found by {@link followKustomizations} for this load result. */
export function kustomizeFindingsOf(loaded: LoadedManifests): KustomizeFindings | undefined {
  return findingsOf.get(loaded);
}

interface Kustomization {
  readonly file: string;
  readonly dir: string;
  readonly source: SourceDocument;
  readonly value: Record<string, unknown>;
}

type Ref = { kind: 'file'; file: string } | { kind: 'kustomization'; k: Kustomization } | { kind: 'dir'; files: string[] };

/**
 * Whether a document the loader set aside as "not a Kubernetes object" is kustomize build
 * configuration: a `kustomization.yaml` without apiVersion and kind, as kustomize allows. Such a
 * file is configuration for check, diff and plan alike, not an unusable document.
 */
export function isKustomizationProblem(problem: Pick<LoadProblem, 'source' | 'value'>): boolean {
  return isKustomizationDocument(problem.source.file, problem.value);
}

function isKustomizationDocument(file: string, value: unknown): value is Record<string, unknown> {
  if (!KUSTOMIZATION_NAMES.has(posix.basename(file)) || !value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.apiVersion === 'string' ? v.apiVersion.startsWith(KUSTOMIZE_GROUP) : v.kind === undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

function isRemote(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.startsWith('git@') || ref.startsWith('github.com/') || ref.includes('?ref=');
}

/**
 * Returns the load result as kustomize would build it (see the module comment); the input is not
 * modified. Trees without kustomization files are returned as they are.
 */
export function followKustomizations(loaded: LoadedManifests): LoadedManifests {
  const kustomizations = new Map<string, Kustomization>();
  for (const entries of [loaded.kustomizeFiles, loaded.objects]) {
    for (const entry of entries) {
      if (isKustomizationDocument(entry.source.file, entry.object)) kustomizations.set(posix.dirname(entry.source.file), { file: entry.source.file, dir: posix.dirname(entry.source.file), source: entry.source, value: entry.object });
    }
  }
  for (const problem of loaded.problems) {
    if (isKustomizationDocument(problem.source.file, problem.value)) kustomizations.set(posix.dirname(problem.source.file), { file: problem.source.file, dir: posix.dirname(problem.source.file), source: problem.source, value: problem.value });
  }
  if (kustomizations.size === 0) return loaded;

  const files = new Set(loaded.files);
  const resolveRef = (k: Kustomization, ref: string): Ref | undefined => {
    if (isRemote(ref)) return undefined;
    const path = posix.normalize(posix.join(k.dir, ref)).replace(/\/+$/, '');
    if (files.has(path)) return { kind: 'file', file: path };
    const nested = kustomizations.get(path);
    if (nested) return { kind: 'kustomization', k: nested };
    const under = [...files].filter((f) => f.startsWith(`${path}/`));
    return under.length > 0 ? { kind: 'dir', files: under } : undefined;
  };

  const built = new Set<string>();
  const patchFiles = new Map<string, { kustomization: string; targeted: boolean }>();
  const configFiles = new Set<string>();
  const inlinePatches: KustomizePatch[] = [];
  const referenced = new Set<Kustomization>();
  const buildRefs = new Map<Kustomization, Ref[]>();
  for (const k of kustomizations.values()) {
    const v = k.value;
    const refs: Ref[] = [];
    for (const ref of [...strings(v.resources), ...strings(v.bases), ...strings(v.components), ...strings(v.crds)]) {
      const r = resolveRef(k, ref);
      if (!r) continue;
      refs.push(r);
      if (r.kind === 'file') built.add(r.file);
      else if (r.kind === 'dir') for (const f of r.files) built.add(f);
      else referenced.add(r.k);
    }
    buildRefs.set(k, refs);
    const patchRef = (path: unknown, targeted: boolean) => {
      if (typeof path !== 'string') return;
      const r = resolveRef(k, path);
      if (r?.kind === 'file') patchFiles.set(r.file, { kustomization: k.file, targeted });
    };
    const patches = Array.isArray(v.patches) ? (v.patches as unknown[]) : [];
    patches.forEach((p, i) => {
      const entry = (p && typeof p === 'object' ? p : {}) as { path?: unknown; patch?: unknown; target?: unknown };
      const targeted = entry.target !== undefined && entry.target !== null;
      if (typeof entry.path === 'string') patchRef(entry.path, targeted);
      else if (typeof entry.patch === 'string') inlinePatches.push(inlinePatch(k, entry.patch, targeted, `patches[${i}].patch`));
    });
    for (const p of Array.isArray(v.patchesStrategicMerge) ? (v.patchesStrategicMerge as unknown[]) : []) {
      if (typeof p !== 'string') continue;
      if (p.includes('\n')) inlinePatches.push(inlinePatch(k, p, false, 'patchesStrategicMerge'));
      else patchRef(p, false);
    }
    for (const p of Array.isArray(v.patchesJson6902) ? (v.patchesJson6902 as { path?: unknown }[]) : []) patchRef(p?.path, true);
    const configRefs = [
      ...strings(v.configurations), ...strings(v.generators), ...strings(v.transformers), ...strings(v.validators),
      ...(Array.isArray(v.replacements) ? (v.replacements as { path?: unknown }[]).map((r) => r?.path) : []),
      ...[v.configMapGenerator, v.secretGenerator].flatMap((g) => (Array.isArray(g) ? (g as { files?: unknown; envs?: unknown }[]).flatMap((x) => [...strings(x?.files), ...strings(x?.envs)]) : [])).map((f) => f.replace(/^[^=]*=/, '')),
      (v.openapi as { path?: unknown } | undefined)?.path,
      ...(Array.isArray(v.helmCharts) ? (v.helmCharts as { valuesFile?: unknown }[]).map((h) => h?.valuesFile) : []),
    ];
    for (const ref of configRefs) {
      if (typeof ref !== 'string') continue;
      const r = resolveRef(k, ref);
      if (r?.kind === 'file') configFiles.add(r.file);
    }
  }

  // namespace: the outermost kustomization's wins; files reached from several top-level builds
  // with different namespaces keep their own
  const namespaces = new Map<string, Set<string>>();
  const buildRoots = new Map<string, Set<string>>();
  const addTo = (map: Map<string, Set<string>>, file: string, value: string) => {
    const set = map.get(file) ?? new Set<string>();
    set.add(value);
    map.set(file, set);
  };
  const visit = (top: Kustomization, k: Kustomization, inherited: string | undefined, seen: Set<Kustomization>) => {
    if (seen.has(k)) return;
    seen.add(k);
    const ns = inherited ?? (typeof k.value.namespace === 'string' && k.value.namespace !== '' ? k.value.namespace : undefined);
    for (const r of buildRefs.get(k) ?? []) {
      if (r.kind === 'kustomization') {
        visit(top, r.k, ns, seen);
        continue;
      }
      for (const f of r.kind === 'file' ? [r.file] : r.files) {
        addTo(buildRoots, f, top.file);
        if (ns !== undefined) addTo(namespaces, f, ns);
      }
    }
  };
  for (const k of kustomizations.values()) if (!referenced.has(k)) visit(k, k, undefined, new Set());

  const kustomizationDirs = [...kustomizations.keys()];
  const governing = (file: string): string | undefined => {
    let best: string | undefined;
    for (const dir of kustomizationDirs) if ((dir === '.' || file.startsWith(`${dir}/`)) && (best === undefined || dir.length > best.length)) best = dir;
    return best;
  };
  const clusterScopedCrds = new Set(loaded.objects.filter((e) => e.object.kind === 'CustomResourceDefinition').filter((e) => (e.object.spec as { scope?: unknown } | undefined)?.scope === 'Cluster').map((e) => (e.object.spec as { names?: { kind?: string } }).names?.kind));
  const patches: KustomizePatch[] = [...inlinePatches];
  const unbuilt: { source: SourceDocument; kustomization: string }[] = [];
  const unbuiltFiles = new Set<string>();
  const kustomizationFiles = new Set([...kustomizations.values()].map((k) => k.file));
  /** Whether a document of `file` stays a checked document. */
  const keep = (source: SourceDocument, value: unknown): boolean => {
    const file = source.file;
    if (kustomizationFiles.has(file)) return false;
    const patch = patchFiles.get(file);
    if (patch) {
      patches.push({ source, value, kustomization: patch.kustomization, targeted: patch.targeted });
      return false;
    }
    if (configFiles.has(file)) return false;
    if (built.has(file)) return true;
    const dir = governing(file);
    if (dir === undefined) return true;
    if (!unbuiltFiles.has(file)) {
      unbuiltFiles.add(file);
      unbuilt.push({ source, kustomization: (kustomizations.get(dir) as Kustomization).file });
    }
    return false;
  };
  const objects: ManifestObject[] = [];
  const kustomizeFiles = [...loaded.kustomizeFiles];
  for (const entry of loaded.objects) {
    if (kustomizationFiles.has(entry.source.file)) {
      kustomizeFiles.push(entry);
      continue;
    }
    if (!keep(entry.source, entry.object)) continue;
    const ns = namespaces.get(entry.source.file);
    const kind = entry.object.kind;
    if (ns?.size === 1 && kind === 'Namespace' && entry.object.apiVersion === 'v1') {
      // kustomize's namespace transformer renames Namespace objects too (kustomize PR #2953)
      const [name] = ns;
      objects.push(entry.object.metadata.name === name ? entry : { source: entry.source, object: { ...entry.object, metadata: { ...entry.object.metadata, name } } });
    } else if (ns?.size === 1 && !BUILT_IN_CLUSTER_SCOPED_KINDS.has(kind) && !clusterScopedCrds.has(kind)) {
      const [namespace] = ns;
      objects.push(entry.object.metadata.namespace === namespace ? entry : { source: entry.source, object: { ...entry.object, metadata: { ...entry.object.metadata, namespace } } });
    } else objects.push(entry);
  }
  const problems = loaded.problems.filter((p) => keep(p.source, p.value));
  const result: LoadedManifests = { ...loaded, objects, problems, kustomizeFiles };
  findingsOf.set(result, { patches, unbuilt, buildRoots });
  return result;
}

function inlinePatch(k: Kustomization, text: string, targeted: boolean, where: string): KustomizePatch {
  let value: unknown;
  try {
    value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch (error) {
    value = new Error(`${where}: malformed YAML: ${(error as { reason?: string }).reason ?? (error as Error).message}`);
  }
  return { source: k.source, value, kustomization: k.file, targeted };
}

const JSON_PATCH_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Why a kustomize patch is unusable, or undefined when it is a well-formed patch. */
export function patchProblem(patch: KustomizePatch): string | undefined {
  const value = patch.value;
  if (value instanceof Error) return value.message;
  if (Array.isArray(value)) {
    if (!patch.targeted) return 'a JSON 6902 patch (a list of operations) needs a target in the kustomization';
    for (let i = 0; i < value.length; i++) {
      const op = value[i] as { op?: unknown; path?: unknown; from?: unknown } | null;
      if (!op || typeof op !== 'object' || Array.isArray(op)) return `operation ${i + 1} is not a mapping`;
      if (typeof op.op !== 'string' || !JSON_PATCH_OPS.has(op.op)) return `operation ${i + 1}: op must be one of ${[...JSON_PATCH_OPS].join(', ')}, got ${JSON.stringify(op.op)}`;
      if (typeof op.path !== 'string' || (op.path !== '' && !op.path.startsWith('/'))) return `operation ${i + 1} (${op.op}): path must be a JSON pointer starting with '/'`;
      if (['add', 'replace', 'test'].includes(op.op) && !('value' in op)) return `operation ${i + 1} (${op.op} ${op.path}) has no value`;
      if (['move', 'copy'].includes(op.op) && (typeof op.from !== 'string' || (op.from !== '' && !op.from.startsWith('/')))) return `operation ${i + 1} (${op.op} ${op.path}): from must be a JSON pointer`;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    if (patch.targeted) return undefined;
    const v = value as { kind?: unknown; metadata?: { name?: unknown } };
    if (typeof v.kind !== 'string' || typeof v.metadata?.name !== 'string') return 'a strategic-merge patch without a target in the kustomization must name its object (kind and metadata.name)';
    return undefined;
  }
  return `a patch must be a mapping (strategic merge) or a list of operations (JSON 6902), got ${value === null ? 'null' : typeof value}`;
}
