import { FieldChange } from './model.js';
import { mergeKeyOf } from './merge-keys.js';
import { childPath, indexPath, isRecord, itemPath } from './paths.js';

/** Deep equality of JSON values (key order of objects does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) if (!(key in b) || !deepEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/**
 * Field-level differences between two JSON values. Objects are compared key by key (sorted);
 * lists whose items carry a merge key ({@link mergeKeyOf}) are matched by it, so a reordered or
 * inserted container does not show as every later container changing; other lists are compared by
 * position. A field present on one side only is one change with `null` on the other side.
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before, after, path, out);
  return out;
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (before === after) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const here = childPath(path, key);
      if (!(key in after)) out.push({ path: here, before: before[key], after: null });
      else if (!(key in before)) out.push({ path: here, before: null, after: after[key] });
      else walk(before[key], after[key], here, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    walkList(before, after, path, out);
    return;
  }
  if (!deepEqual(before, after)) out.push({ path: path || '.', before: before ?? null, after: after ?? null });
}

/**
 * For a command-line value that follows its flag as a separate item (`['--max-model-len',
 * '16384']`), the flag in parentheses, so `args[13](--max-model-len)` says what changed. Empty
 * when the previous item is not the same flag on both sides.
 */
function flagOf(before: unknown[], after: unknown[], i: number): string {
  if (i === 0) return '';
  const flag = before[i - 1];
  const isFlag = (v: unknown): v is string => typeof v === 'string' && /^--?[A-Za-z]/.test(v) && !v.includes('=');
  return isFlag(flag) && flag === after[i - 1] && !isFlag(before[i]) && !isFlag(after[i]) ? `(${flag})` : '';
}

function walkList(before: unknown[], after: unknown[], path: string, out: FieldChange[]): void {
  const key = mergeKeyOf(before, after);
  if (key === undefined) {
    const shared = Math.min(before.length, after.length);
    for (let i = 0; i < shared; i++) walk(before[i], after[i], `${indexPath(path, i)}${flagOf(before, after, i)}`, out);
    for (let i = shared; i < before.length; i++) out.push({ path: indexPath(path, i), before: before[i], after: null });
    for (let i = shared; i < after.length; i++) out.push({ path: indexPath(path, i), before: null, after: after[i] });
    return;
  }
  const id = (item: unknown): string | number => (item as Record<string, string | number>)[key];
  const afterById = new Map(after.map((item) => [id(item), item]));
  const beforeIds = new Set(before.map(id));
  for (const item of before) {
    const here = itemPath(path, key, id(item));
    const match = afterById.get(id(item));
    if (match === undefined) out.push({ path: here, before: item, after: null });
    else walk(item, match, here, out);
  }
  for (const item of after) {
    if (!beforeIds.has(id(item))) out.push({ path: itemPath(path, key, id(item)), before: null, after: item });
  }
  const order = (items: unknown[]) => items.map(id).filter((v) => beforeIds.has(v) && afterById.has(v));
  const beforeOrder = order(before);
  const afterOrder = order(after);
  if (beforeOrder.some((v, i) => v !== afterOrder[i])) {
    out.push({ path: `${path}(order)`, before: beforeOrder, after: afterOrder });
  }
}
