/**
 * The data model of a semantic manifest diff. The JSON output of `lambda-gitops diff --format json`
 * is exactly a {@link DiffReport}; every other format is rendered from one, so the PR comment job
 * can re-render a report produced elsewhere.
 */

/** Identity of one Kubernetes object: matched across trees by group, kind, namespace and name. */
export interface DiffResourceRef {
  /** API group ('' for the core group). */
  readonly group: string;
  /** The object's apiVersion (head side when both exist). */
  readonly apiVersion: string;
  readonly kind: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  /** File that holds the object, relative to the tree root (head side when both exist). */
  readonly file: string;
}

/** One changed field. `null` stands for "absent" on that side. */
export interface FieldChange {
  /** Path such as `spec.template.spec.containers[name=api].image`. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** What happened to an object between the base and the head tree. */
export type ChangeAction = 'added' | 'removed' | 'changed';

/** One object that differs between the trees. */
export interface ResourceChange {
  readonly action: ChangeAction;
  readonly resource: DiffResourceRef;
  /** Field-level changes; for added/removed objects, the top-level fields of the object. */
  readonly fields: readonly FieldChange[];
}

/** How serious a risk is: `high` blocks by default (rendered as CAUTION), `medium` warns, `low` informs. */
export type RiskLevel = 'high' | 'medium' | 'low';

/** A change that needs a reviewer's attention. */
export interface Risk {
  readonly level: RiskLevel;
  /** Stable identifier of the rule, e.g. `immutable-field`. */
  readonly code: string;
  readonly message: string;
  readonly resource: DiffResourceRef;
}

/** Object counts by action. */
export interface DiffSummary {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

/** The result of comparing two rendered trees. */
export interface DiffReport {
  readonly summary: DiffSummary;
  /** Ordered most serious first. */
  readonly risks: readonly Risk[];
  /** Ordered by action (removed, changed, added), then kind, namespace and name. */
  readonly changes: readonly ResourceChange[];
}

/**
 * A {@link DiffReport} whose changes may be read one at a time (e.g. from a temporary file, see
 * `diffSourcesSpilled`) instead of held: what the text and JSON renderers need.
 */
export interface StreamedDiffReport {
  readonly summary: DiffSummary;
  readonly risks: readonly Risk[];
  /** In {@link DiffReport.changes}'s order. */
  readonly changes: Iterable<ResourceChange>;
}

/** A Kubernetes manifest as parsed from YAML. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A manifest and where it was read from. */
export interface TreeObject {
  readonly ref: DiffResourceRef;
  readonly manifest: Manifest;
}

/** All objects of one rendered tree, keyed by {@link resourceKey}. */
export type ManifestTree = ReadonlyMap<string, TreeObject>;

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The matching key: group, kind, namespace and name (the version is not part of it), `/`-joined.
 * Built with `join`, which gives one flat string: a template literal gives a chain of rope nodes
 * that a map key keeps alive (171 bytes a key instead of 69; the streaming diff keeps 10^6 keys).
 */
export function resourceKey(ref: Pick<DiffResourceRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return [ref.group, ref.kind, ref.namespace, ref.name].join('/');
}

/** `Kind ns/name` or `Kind name` for cluster-scoped objects. */
export function describeResource(ref: Pick<DiffResourceRef, 'kind' | 'namespace' | 'name'>): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}
