import type { ManifestObject } from './loader.js';
import { encodePointer } from './positions.js';
import { isEmptySelector, selectorMatches, type LabelSelector } from './selectors.js';

/** A pod spec inside an object, with the JSON pointers needed to report fields. */
export interface PodTemplate {
  readonly owner: ManifestObject;
  readonly namespace: string;
  /** Pod (template) labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: Record<string, unknown>;
  readonly spec: Record<string, unknown>;
  /** JSON pointer of the pod metadata in the owner. */
  readonly metadataPath: string;
  /** JSON pointer of the pod spec in the owner. */
  readonly specPath: string;
}

/** Kinds that carry a pod template and where it is. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
};

/** Kinds whose objects run pods (the pod-level rules match these). */
export const POD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** The pod template of an object, or undefined if it has none (or it is malformed). */
export function podTemplateOf(entry: ManifestObject): PodTemplate | undefined {
  const path = POD_SPEC_PATHS[entry.object.kind];
  if (!path) return undefined;
  let node: unknown = entry.object;
  for (const segment of path) {
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  if (!node || typeof node !== 'object') return undefined;
  const template = node as Record<string, unknown>;
  const metadata = (template.metadata && typeof template.metadata === 'object' ? template.metadata : {}) as Record<string, unknown>;
  const spec = template.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  const labels = (metadata.labels && typeof metadata.labels === 'object' ? metadata.labels : {}) as Record<string, string>;
  return {
    owner: entry,
    namespace: entry.object.metadata.namespace ?? '',
    labels,
    metadata,
    spec: spec as Record<string, unknown>,
    metadataPath: encodePointer([...path, 'metadata']),
    specPath: encodePointer([...path, 'spec']),
  };
}

/**
 * Indexes objects by kind, namespace and name, and pod templates by namespace and label, so that
 * cross-resource rules look up what a selector selects instead of comparing all pairs.
 */
export class ObjectIndex {
  private readonly byKindMap = new Map<string, ManifestObject[]>();
  /** kind -> namespace ('' when cluster-scoped) -> name -> object: no key string is built per object (at 10^6 objects they were a tenth of check's memory). */
  private readonly byName = new Map<string, Map<string, Map<string, ManifestObject>>>();
  private readonly templates: PodTemplate[] = [];
  private readonly templatesByNamespace = new Map<string, PodTemplate[]>();
  /** `namespace \0 key \0 value` -> templates having that label. */
  private readonly labelPostings = new Map<string, PodTemplate[]>();
  /** `namespace \0 key` -> templates having that label key. */
  private readonly keyPostings = new Map<string, PodTemplate[]>();
  private readonly templateByOwner = new Map<ManifestObject, PodTemplate>();
  /** kind -> namespace -> objects, grouped on first use by {@link ofKindIn}. */
  private readonly byKindInNamespace = new Map<string, Map<string, ManifestObject[]>>();
  /** Objects whose kind, namespace and name another object has too. */
  private readonly sharingName = new Set<ManifestObject>();

  constructor(readonly objects: readonly ManifestObject[]) {
    for (const entry of objects) {
      const { kind, metadata } = entry.object;
      push(this.byKindMap, kind, entry);
      const names = nested(nested(this.byName, kind), metadata.namespace ?? '');
      const earlier = names.get(metadata.name);
      if (earlier !== undefined) this.sharingName.add(earlier).add(entry);
      names.set(metadata.name, entry);
      const template = podTemplateOf(entry);
      if (!template) continue;
      this.templates.push(template);
      this.templateByOwner.set(entry, template);
      push(this.templatesByNamespace, template.namespace, template);
      for (const [key, value] of Object.entries(template.labels)) {
        push(this.labelPostings, `${template.namespace}\0${key}\0${value}`, template);
        push(this.keyPostings, `${template.namespace}\0${key}`, template);
      }
    }
  }

  /** Objects of a kind (in input order). */
  ofKind(kind: string): readonly ManifestObject[] {
    return this.byKindMap.get(kind) ?? [];
  }

  /** Objects of a kind in one namespace ('' for cluster-scoped or namespace-less), in input order. */
  ofKindIn(kind: string, namespace: string): readonly ManifestObject[] {
    let byNamespace = this.byKindInNamespace.get(kind);
    if (!byNamespace) {
      byNamespace = new Map();
      for (const entry of this.ofKind(kind)) push(byNamespace, entry.object.metadata.namespace ?? '', entry);
      this.byKindInNamespace.set(kind, byNamespace);
    }
    return byNamespace.get(namespace) ?? [];
  }

  /** The object with this kind, namespace (undefined for cluster-scoped) and name (the last one when there are several). */
  get(kind: string, namespace: string | undefined, name: string): ManifestObject | undefined {
    return this.byName.get(kind)?.get(namespace ?? '')?.get(name);
  }

  /**
   * The objects whose kind, namespace and name at least one other object has too (duplicate
   * candidates), without building a second identity table (at 10^6 objects one costs about 80 MB).
   */
  objectsSharingName(): ReadonlySet<ManifestObject> {
    return this.sharingName;
  }

  /** Every pod template in the input. */
  podTemplates(): readonly PodTemplate[] {
    return this.templates;
  }

  /** The pod template of an object, if it has one. */
  podTemplateOf(entry: ManifestObject): PodTemplate | undefined {
    return this.templateByOwner.get(entry);
  }

  /** Namespaces that hold pod templates. */
  workloadNamespaces(): string[] {
    return [...this.templatesByNamespace.keys()];
  }

  /** Pod templates in `namespace` selected by `selector`, via the label index. */
  selectPodTemplates(namespace: string, selector: LabelSelector | undefined): PodTemplate[] {
    if (isEmptySelector(selector)) return [...(this.templatesByNamespace.get(namespace) ?? [])];
    const s = selector as LabelSelector;
    // Start from the smallest posting list among the positive terms, then filter exactly.
    let candidates: readonly PodTemplate[] | undefined;
    const consider = (list: readonly PodTemplate[]) => {
      if (!candidates || list.length < candidates.length) candidates = list;
    };
    for (const [key, value] of Object.entries(s.matchLabels ?? {})) consider(this.labelPostings.get(`${namespace}\0${key}\0${value}`) ?? []);
    for (const requirement of s.matchExpressions ?? []) {
      if (requirement.operator === 'Exists') consider(this.keyPostings.get(`${namespace}\0${requirement.key}`) ?? []);
      if (requirement.operator === 'In') {
        const union = new Set<PodTemplate>();
        for (const value of requirement.values ?? []) for (const t of this.labelPostings.get(`${namespace}\0${requirement.key}\0${value}`) ?? []) union.add(t);
        consider([...union]);
      }
    }
    const pool = candidates ?? this.templatesByNamespace.get(namespace) ?? [];
    return pool.filter((t) => selectorMatches(s, t.labels));
  }
}

/** Converts a Service-style selector map into a LabelSelector. */
export function mapSelector(selector: unknown): LabelSelector | undefined {
  if (!selector || typeof selector !== 'object' || Array.isArray(selector)) return undefined;
  return { matchLabels: selector as Record<string, string> };
}

function nested<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** An object's `spec` as a mapping (empty when absent or malformed). */
export function specOf(entry: ManifestObject): Record<string, unknown> {
  const s = entry.object.spec;
  return s && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
}
