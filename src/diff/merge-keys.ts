import { isRecord } from './paths.js';

/**
 * Fields that identify list items, tried in order, as Kubernetes strategic merge patch does:
 * containers, env, volumes by `name`; items by `key`; volumeMounts by `mountPath`; container
 * ports by `containerPort`; Service ports by `port`.
 */
export const MERGE_KEYS: readonly string[] = ['name', 'key', 'mountPath', 'containerPort', 'port', 'devicePath', 'ip'];

/**
 * The field that identifies the items of both lists, or undefined when the lists must be compared
 * by position: every item of both lists is an object with a unique string or number value there.
 */
export function mergeKeyOf(before: readonly unknown[], after: readonly unknown[]): string | undefined {
  if (before.length + after.length === 0) return undefined;
  for (const key of MERGE_KEYS) {
    if (identifies(before, key) && identifies(after, key)) return key;
  }
  return undefined;
}

function identifies(items: readonly unknown[], key: string): boolean {
  const seen = new Set<unknown>();
  for (const item of items) {
    if (!isRecord(item)) return false;
    const value = item[key];
    if ((typeof value !== 'string' && typeof value !== 'number') || seen.has(value)) return false;
    seen.add(value);
  }
  return true;
}
