import { diffValues } from './field-diff.js';
import { FluxOwnership } from './flux-ownership.js';
import { ChangeAction, DiffReport, ManifestTree, ResourceChange, Risk, TreeObject } from './model.js';
import { maskPair } from './redact.js';
import { compareRisks, compareText, risksOf } from './risks.js';

const ACTION_ORDER: Record<ChangeAction, number> = { removed: 0, changed: 1, added: 2 };

/** Orders changes by action (removed, changed, added), then kind, namespace, name. */
export function compareChanges(a: ResourceChange, b: ResourceChange): number {
  return ACTION_ORDER[a.action] - ACTION_ORDER[b.action]
    || compareText(a.resource.kind, b.resource.kind)
    || compareText(a.resource.namespace, b.resource.namespace)
    || compareText(a.resource.name, b.resource.name)
    || compareText(a.resource.group, b.resource.group);
}

/** Where found changes go: an array, or a `ChangeSpill` that writes them to a temporary file. */
export interface ChangeSink {
  push(...changes: ResourceChange[]): number;
}

/** Changes and risks as they are found, in the order {@link diffTrees} finds them (sorted at the end). */
export interface ChangeCollector<Changes extends ChangeSink = ResourceChange[]> {
  readonly changes: Changes;
  readonly risks: Risk[];
}

/**
 * Compares one base object with its head counterpart (undefined: removed), masked first (see
 * `maskPair`), and adds the change and its risks to `into`; an unchanged object adds nothing.
 */
export function compareBaseObject(before: TreeObject, after: TreeObject | undefined, flux: FluxOwnership, into: ChangeCollector<ChangeSink>): void {
  const [maskedBase, maskedHead] = maskPair(before.manifest, after?.manifest);
  if (!after) {
    const change: ResourceChange = { action: 'removed', resource: before.ref, fields: diffValues(maskedBase, {}) };
    into.changes.push(change);
    into.risks.push(...risksOf({ ...change, base: maskedBase, fluxOwner: flux.ownerOf(before.ref.file) }));
    return;
  }
  const fields = diffValues(maskedBase, maskedHead);
  if (fields.length === 0) return;
  const resource = after.ref;
  into.changes.push({ action: 'changed', resource, fields });
  into.risks.push(...risksOf({ action: 'changed', resource, fields, base: maskedBase, head: maskedHead }));
}

/** Adds a head object that the base does not have (masked first) and its risks to `into`. */
export function addHeadObject(after: TreeObject, into: ChangeCollector<ChangeSink>): void {
  const [, maskedHead] = maskPair(undefined, after.manifest);
  const change: ResourceChange = { action: 'added', resource: after.ref, fields: diffValues({}, maskedHead) };
  into.changes.push(change);
  into.risks.push(...risksOf({ ...change, head: maskedHead }));
}

/** The report of what was collected: changes and risks sorted, actions counted. */
export function reportOf(found: ChangeCollector): DiffReport {
  const changes = found.changes.sort(compareChanges);
  const risks = found.risks.sort(compareRisks);
  const count = (action: ChangeAction) => changes.filter((c) => c.action === action).length;
  return { summary: { added: count('added'), removed: count('removed'), changed: count('changed') }, risks, changes };
}

/**
 * Compares two rendered trees object by object. Objects are matched by group, kind, namespace and
 * name, so moving an object to another file is no change (an apiVersion change is a field change).
 * Sensitive values are masked before anything is compared or reported (see `maskPair`).
 * The streaming form for trees too large to hold is `diffSources` (the same report).
 */
export function diffTrees(base: ManifestTree, head: ManifestTree): DiffReport {
  const found: ChangeCollector = { changes: [], risks: [] };
  const flux = new FluxOwnership(base);
  for (const [key, before] of base) compareBaseObject(before, head.get(key), flux, found);
  for (const [key, after] of head) {
    if (!base.has(key)) addHeadObject(after, found);
  }
  return reportOf(found);
}
