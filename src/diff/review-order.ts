import { ChangeAction, DiffReport, DiffResourceRef, resourceKey, ResourceChange, Risk, RiskLevel, StreamedDiffReport } from './model.js';
import { compareText } from './risks.js';

/** What identifies a listed change without its fields: its action and its object. */
export interface ChangeIdentity {
  readonly action: ChangeAction;
  readonly resource: Pick<DiffResourceRef, 'group' | 'kind' | 'namespace' | 'name'>;
}

/** A number per change; lower comes first in review. */
export type ReviewRank = (identity: ChangeIdentity) => number;

/** The changes of a report in one order, read by position (each read may go to disk). */
export interface OrderedChanges {
  readonly length: number;
  /** The action and object of the change at `position` (cheap: no fields are read). */
  identityAt(position: number): ChangeIdentity;
  /** The whole change at `position`. */
  changeAt(position: number): ResourceChange;
}

/**
 * A report whose changes can also be read in another order than the report's (what the Markdown
 * renderer needs): held in memory ({@link reviewable}) or spilled to a file (`diffSourcesSpilled`).
 */
export interface ReviewableReport extends StreamedDiffReport {
  /**
   * Every change with its position in {@link changes}' order, in the order cheapest to read (a
   * spill file front to back), for what does not depend on the order (counts, the first N by position).
   */
  inStorageOrder(): Iterable<readonly [position: number, change: ResourceChange]>;
  /**
   * The changes ordered by `rank` (lower first), then by kind, namespace and name, ties in the
   * report's order (`compareChanges`' when the report is sorted).
   */
  ordered(rank: ReviewRank): OrderedChanges;
}

const LEVEL_RANK: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };
const ACTION_RANK: Record<ChangeAction, number> = { removed: 0, changed: 1, added: 2 };
const KIND_PRIORITY = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'StatefulSet', 'PersistentVolumeClaim', 'Deployment', 'DaemonSet', 'Job', 'CronJob', 'Service', 'NetworkPolicy', 'ConfigMap', 'Secret'];
const kindRank = (kind: string) => (KIND_PRIORITY.includes(kind) ? KIND_PRIORITY.indexOf(kind) : KIND_PRIORITY.length);

/**
 * The review rank of a change given the report's risks: its most serious risk first (none last),
 * then removed, changed, added, then kind priority (Namespace, CRDs, RBAC, workloads, ... first),
 * as one number.
 */
export function reviewRank(risks: readonly Risk[]): ReviewRank {
  const worst = new Map<string, number>();
  for (const risk of risks) {
    const key = resourceKey(risk.resource);
    worst.set(key, Math.min(worst.get(key) ?? 3, LEVEL_RANK[risk.level]));
  }
  return ({ action, resource }) => ((worst.get(resourceKey(resource)) ?? 3) * 3 + ACTION_RANK[action]) * (KIND_PRIORITY.length + 1) + kindRank(resource.kind);
}

/** The identity part of a change (or of an identity): what ranks and "not shown" lists read. */
export function identityOf({ action, resource }: ChangeIdentity): ChangeIdentity {
  return { action, resource: { group: resource.group, kind: resource.kind, namespace: resource.namespace, name: resource.name } };
}

/**
 * Positions of `changes` ordered by rank (each computed once), then kind, namespace and name,
 * ties in their order.
 */
function positionsByRank(changes: readonly ResourceChange[], rank: ReviewRank): Uint32Array {
  const ranks = changes.map((change) => rank(change));
  const order = Uint32Array.from(changes.keys());
  return order.sort((a, b) => ranks[a] - ranks[b]
    || compareText(changes[a].resource.kind, changes[b].resource.kind)
    || compareText(changes[a].resource.namespace, changes[b].resource.namespace)
    || compareText(changes[a].resource.name, changes[b].resource.name)
    || a - b);
}

/** Changes in comment order: most serious risk first, then removed, changed, added, then kind priority and name. */
export function orderForReview(report: DiffReport): ResourceChange[] {
  return Array.from(positionsByRank(report.changes, reviewRank(report.risks)), (position) => report.changes[position]);
}

/** A report held in memory as a {@link ReviewableReport}. */
export function reviewable(report: DiffReport): ReviewableReport {
  return {
    ...report,
    inStorageOrder: () => report.changes.entries(),
    ordered(rank) {
      const order = positionsByRank(report.changes, rank);
      const at = (position: number) => report.changes[order[position]];
      return { length: order.length, identityAt: at, changeAt: at };
    },
  };
}

/**
 * A view of `report` whose risks, changes and identities pass through `scrub` (the output
 * boundary) as they are read, in every order; ranks are computed on scrubbed identities, as they
 * were when the whole report was scrubbed before it was ordered.
 */
export function scrubbedReview(report: ReviewableReport, scrub: <T>(value: T) => T): ReviewableReport {
  const changes = report.changes;
  return {
    summary: report.summary,
    risks: scrub(report.risks),
    changes: { *[Symbol.iterator]() {
      for (const change of changes) yield scrub(change);
    } },
    *inStorageOrder() {
      for (const [position, change] of report.inStorageOrder()) yield [position, scrub(change)] as const;
    },
    ordered(rank) {
      const list = report.ordered((identity) => rank(scrub(identityOf(identity))));
      return { length: list.length, identityAt: (position) => scrub(identityOf(list.identityAt(position))), changeAt: (position) => scrub(list.changeAt(position)) };
    },
  };
}
