/**
 * Field paths as shown in diffs: `spec.template.spec.containers[name=api].env[name=LOG_LEVEL].value`.
 * Keys that are not plain identifiers are quoted (`metadata.labels["app.kubernetes.io/name"]`).
 */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Appends an object key to a path. */
export function childPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Appends a list item identified by a merge key (`[name=api]`) to a path. */
export function itemPath(path: string, mergeKey: string, value: string | number): string {
  return `${path}[${mergeKey}=${typeof value === 'string' && /[\]\s"=]/.test(value) ? JSON.stringify(value) : value}]`;
}

/** Appends a positional list item to a path. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
