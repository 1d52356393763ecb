import { maskPair } from './redact.js';
import { DiffReport, FieldChange, Manifest, ResourceChange } from './model.js';
import { isRecord } from './paths.js';

/** One step of a diff path: a mapping key, a list index, or a list item found by its merge key. */
type Step = { key: string } | { index: number } | { mergeKey: string; value: string | number };

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*/;
const NUMERIC_MERGE_KEYS = new Set(['containerPort', 'port']);

/** Reads a JSON string literal starting at `start`; returns the string and the index after it. */
function readJsonString(text: string, start: number): [string, number] | undefined {
  for (let end = start + 1; end < text.length; end++) {
    if (text[end] === '\\') end++;
    else if (text[end] === '"') return [JSON.parse(text.slice(start, end + 1)) as string, end + 1];
  }
  return undefined;
}

/**
 * The steps of a diff path written by paths.ts (`a.b["c.d"].env[name=X].value`, `ports[containerPort=80]`,
 * `args[2]`); undefined for a path it cannot read, or a reorder (`path(order)`).
 */
export function parseDiffPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.' || (i === 0 && path[i] !== '[')) {
      if (path[i] === '.') i++;
      const match = PLAIN_KEY.exec(path.slice(i));
      if (!match) return undefined;
      steps.push({ key: match[0] });
      i += match[0].length;
    } else if (path[i] === '[') {
      if (path[i + 1] === '"') {
        const read = readJsonString(path, i + 1);
        if (!read || path[read[1]] !== ']') return undefined;
        steps.push({ key: read[0] });
        i = read[1] + 1;
        continue;
      }
      const index = /^\[(\d+)\]/.exec(path.slice(i));
      if (index) {
        steps.push({ index: Number(index[1]) });
        i += index[0].length;
        continue;
      }
      const equals = path.indexOf('=', i);
      if (equals < 0) return undefined;
      const mergeKey = path.slice(i + 1, equals);
      let value: string;
      let next: number;
      if (path[equals + 1] === '"') {
        const read = readJsonString(path, equals + 1);
        if (!read || path[read[1]] !== ']') return undefined;
        [value, next] = [read[0], read[1] + 1];
      } else {
        const close = path.indexOf(']', equals);
        if (close < 0) return undefined;
        [value, next] = [path.slice(equals + 1, close), close + 1];
      }
      steps.push({ mergeKey, value: NUMERIC_MERGE_KEYS.has(mergeKey) && /^-?\d+$/.test(value) ? Number(value) : value });
      i = next;
    } else {
      return undefined;
    }
  }
  return steps;
}

/** The container a step leads into, created when missing; undefined when the shape does not fit. */
function stepInto(node: unknown, step: Step, create: boolean, next: Step | undefined): { holder: Record<string | number, unknown>; at: string | number } | undefined {
  const fresh = () => (next === undefined ? undefined : 'key' in next ? {} : []);
  if ('key' in step) {
    if (!isRecord(node)) return undefined;
    if (create && !(step.key in node)) node[step.key] = fresh();
    return { holder: node, at: step.key };
  }
  if (!Array.isArray(node)) return undefined;
  if ('index' in step) {
    if (create && node[step.index] === undefined) node[step.index] = fresh();
    return { holder: node as unknown as Record<number, unknown>, at: step.index };
  }
  let position = node.findIndex((item) => isRecord(item) && item[step.mergeKey] === step.value);
  if (position < 0) {
    if (!create) return undefined;
    position = node.push({ [step.mergeKey]: step.value }) - 1;
  }
  return { holder: node as unknown as Record<number, unknown>, at: position };
}

function place(root: Record<string, unknown>, steps: Step[], value: unknown): void {
  let node: unknown = root;
  for (let i = 0; i < steps.length; i++) {
    const found = stepInto(node, steps[i], true, steps[i + 1]);
    if (!found) return;
    if (i === steps.length - 1) {
      // a list item found by merge key keeps its key when the whole item is the value
      found.holder[found.at] = isRecord(value) && 'mergeKey' in steps[i] ? { ...value } : value;
      return;
    }
    node = found.holder[found.at];
  }
}

function read(root: unknown, steps: Step[]): unknown {
  let node = root;
  for (const step of steps) {
    const found = stepInto(node, step, false, undefined);
    if (!found) return undefined;
    node = found.holder[found.at];
  }
  return node;
}

/** The base and head objects one change describes, rebuilt from its fields (absent fields stay absent). */
export function objectsOfChange(change: ResourceChange): [Manifest, Manifest] {
  const skeleton = (): Manifest => ({ apiVersion: change.resource.apiVersion, kind: change.resource.kind, metadata: { name: change.resource.name, ...(change.resource.namespace ? { namespace: change.resource.namespace } : {}) } });
  const base = skeleton();
  const head = skeleton();
  for (const field of change.fields) {
    const steps = parseDiffPath(field.path);
    if (!steps || steps.length === 0) continue;
    if (field.before !== null) place(base, steps, structuredClone(field.before));
    if (field.after !== null) place(head, steps, structuredClone(field.after));
  }
  return [base, head];
}

/**
 * A report read from outside (an artifact) masked again with the masking policy: each change's
 * objects are rebuilt from its field paths, masked with {@link maskPair}, and every field value is
 * read back from the masked objects. A report written by `lambda-gitops diff` comes out the same;
 * one written by anything else loses the values at secret positions. Also returns the rebuilt
 * objects, whose secrets the caller's scrubber should collect.
 */
export function remaskReport(report: DiffReport): { report: DiffReport; objects: Manifest[] } {
  const objects: Manifest[] = [];
  const changes = report.changes.map((change): ResourceChange => {
    const [base, head] = objectsOfChange(change);
    objects.push(base, head);
    const [maskedBase, maskedHead] = maskPair(change.action === 'added' ? undefined : base, change.action === 'removed' ? undefined : head);
    const fields = change.fields.map((field): FieldChange => {
      const steps = parseDiffPath(field.path);
      if (!steps || steps.length === 0) return field;
      const before = field.before === null ? null : read(maskedBase, steps) ?? field.before;
      const after = field.after === null ? null : read(maskedHead, steps) ?? field.after;
      return { path: field.path, before, after };
    });
    return { ...change, fields };
  });
  return { report: { ...report, changes }, objects };
}
