import { dump } from 'js-yaml';

/**
 * A value as YAML lines for diff output. `null` (the side where the field is absent) gives no lines.
 */
export function valueLines(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const text = dump(value, { lineWidth: -1, noRefs: true, sortKeys: false }).replace(/\n$/, '');
  return text.split('\n');
}

/** One field change as unified-diff lines: `@@ path @@`, `- before`, `+ after`. */
export function fieldDiffLines(change: { path: string; before: unknown; after: unknown }): string[] {
  return [
    `@@ ${change.path} @@`,
    ...valueLines(change.before).map((line) => `- ${line}`),
    ...valueLines(change.after).map((line) => `+ ${line}`),
  ];
}

/** A short one-line rendering of a value (for tables and the text format's inline changes). */
export function inlineValue(value: unknown, max = 120): string {
  if (value === null || value === undefined) return '(absent)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
