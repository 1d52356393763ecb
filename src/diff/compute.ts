import { diffValues } from './field-diff.js';
import { FluxOwnership } from './flux-ownership.js';
import { ChangeAction, DiffReport, ManifestTree, ResourceChange, Risk } from './model.js';
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

/**
 * Compares two rendered trees object by object. Objects are matched by group, kind, namespace and
 * name, so moving an object to another file is no change (an apiVersion change is a field change).
 * Sensitive values are masked before anything is compared or reported (see `maskPair`).
 */
export function diffTrees(base: ManifestTree, head: ManifestTree): DiffReport {
  const changes: ResourceChange[] = [];
  const risks: Risk[] = [];
  const flux = new FluxOwnership(base);
  for (const [key, before] of base) {
    const after = head.get(key);
    const [maskedBase, maskedHead] = maskPair(before.manifest, after?.manifest);
    if (!after) {
      const change: ResourceChange = { action: 'removed', resource: before.ref, fields: diffValues(maskedBase, {}) };
      changes.push(change);
      risks.push(...risksOf({ ...change, base: maskedBase, fluxOwner: flux.ownerOf(before.ref.file) }));
      continue;
    }
    const fields = diffValues(maskedBase, maskedHead);
    if (fields.length === 0) continue;
    const resource = after.ref;
    changes.push({ action: 'changed', resource, fields });
    risks.push(...risksOf({ action: 'changed', resource, fields, base: maskedBase, head: maskedHead }));
  }
  for (const [key, after] of head) {
    if (base.has(key)) continue;
    const [, maskedHead] = maskPair(undefined, after.manifest);
    const change: ResourceChange = { action: 'added', resource: after.ref, fields: diffValues({}, maskedHead) };
    changes.push(change);
    risks.push(...risksOf({ ...change, head: maskedHead }));
  }
  changes.sort(compareChanges);
  risks.sort(compareRisks);
  const count = (action: ChangeAction) => changes.filter((c) => c.action === action).length;
  return { summary: { added: count('added'), removed: count('removed'), changed: count('changed') }, risks, changes };
}
