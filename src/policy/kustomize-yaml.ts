import jsYaml from 'js-yaml';
import { KEY_MARK, PlainScalar, resolvePlain } from './goyaml-scalars.js';
import { OUTSIDE_BLOCK_SUBSET, readBlockYaml } from './kustomize-block-yaml.js';

/**
 * Reading YAML as `kustomize build` (kustomize v5.5, kyaml on sigs.k8s.io/yaml goyaml.v3) and so
 * Flux's kustomize-controller read it, or refusing it.
 *
 * What kustomize does, observed with `kubectl kustomize` (v5.5.0) and read in its source
 * (api/resource/factory.go, kyaml/kio/byteio_reader.go, kyaml/yaml/rnode.go, goyaml.v3 resolve.go):
 * - Files are split on lines matching `\n---.*\n`; anything but a comment after `---` is an error.
 *   Each part is decoded as ONE document (a second document in the part is silently dropped).
 * - Every object is decoded by goyaml.v3 into Go values and written as JSON (`Resource.AsYAML` is
 *   `MarshalJSON` then `JSONToYAML`), so the applied meaning is goyaml.v3's: plain `0777` is the
 *   octal 511 (also `0o`, `0x`, `0b`, `_` separators), only `true/True/TRUE/false/...` are
 *   booleans (`yes`, `on`, `y` stay strings), plain `2001-12-14` becomes the string
 *   `2001-12-14T00:00:00Z`, merge keys `<<` are expanded, `.inf`/`.nan` and non-string mapping
 *   keys fail the build.
 * - `metadata.annotations` are rewritten from the raw scalar text (`a: 0777` stays `"0777"`), with
 *   their keys unquoted (so a key `"2"` comes back as the number 2 and the build fails).
 * - A kind ending in `List` is replaced by its `items`.
 *
 * This reader gives the same JSON value, or refuses (a {@link KustomizeYamlError}) where the
 * meaning is surprising or kustomize itself fails: explicit tags, aliases, merge keys whose keys
 * collide or that sit at an object's top level or in its metadata, `.inf`/`.nan`, integers beyond
 * 2^53 without an exact double value, non-string keys, timestamps other than canonical RFC 3339 text, `%` directives.
 */

/** Input kustomize would read differently from what it says, or not at all. */
export class KustomizeYamlError extends Error {
  constructor(
    public readonly reason: string,
    /** 1-based line within the document text, when known. */
    public readonly line?: number,
    /** JSON pointer of the offending node, when known (used to find the line). */
    public readonly pointer?: string,
  ) {
    super(reason);
    this.name = 'KustomizeYamlError';
  }
}

const MERGE_KEY = `${KEY_MARK}merge${KEY_MARK}<<`;

let lastResolved: { text: string; scalar: PlainScalar } | undefined;

const goYamlPlainScalar = new jsYaml.Type('tag:lambda-gitops.dev,2026:goyaml-v3-plain', {
  kind: 'scalar',
  resolve: (data: string | null) => {
    if (typeof data !== 'string') return false;
    const scalar = resolvePlain(data);
    if (!scalar) return false;
    lastResolved = { text: data, scalar };
    return true;
  },
  construct: (data: string) => (lastResolved && lastResolved.text === data ? lastResolved.scalar : resolvePlain(data)),
});

/** No explicit types at all: every tag (`!!str`, `!!int`, `!foo`) is refused; plain scalars resolve as goyaml.v3 does. */
const KUSTOMIZE_SCHEMA = new jsYaml.Schema({ implicit: [goYamlPlainScalar], explicit: [] });

/** One part of a file as kustomize splits it. */
export interface KustomizeDocumentText {
  /** The part's text (as kustomize decodes it). */
  readonly text: string;
  /** 1-based line of the part's first line in the file. */
  readonly line: number;
}

/**
 * Splits a file as kustomize's ByteReader does: on `\n---...\n` lines (after `\r\n` became `\n`).
 * @throws KustomizeYamlError for a separator line with content after `---` (kustomize fails).
 */
export function splitKustomizeDocuments(input: string): KustomizeDocumentText[] {
  const text = input.includes('\r\n') ? input.replace(/\r\n/g, '\n') : input;
  if (!text.includes('\n---')) return [{ text, line: 1 }];
  const parts: KustomizeDocumentText[] = [];
  const separator = /\n---.*\n/g;
  let previous = 0;
  let line = 1;
  for (let match = separator.exec(text); match !== null; match = separator.exec(text)) {
    const after = match[0].slice(4).trim();
    const separatorLine = line + countNewlines(text, previous, match.index) + 1;
    if (after !== '' && !after.startsWith('#')) throw new KustomizeYamlError(`invalid document separator '${match[0].trim()}': kustomize allows only a comment after '---'`, separatorLine);
    parts.push({ text: `${text.slice(previous, match.index)}\n`, line });
    previous = match.index + match[0].length;
    line = separatorLine + 1;
  }
  parts.push({ text: text.slice(previous), line });
  return parts;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Options of {@link parseKustomizeDocument}. */
export interface KustomizeParseOptions {
  /**
   * Deepest nesting of mappings and sequences accepted.
   * @default 100
   */
  readonly maxDepth?: number;
}

/**
 * Parses one part (see {@link splitKustomizeDocuments}) into the JSON value kustomize applies.
 * @returns undefined for an empty part.
 * @throws KustomizeYamlError (malformed YAML, or input refused; see the module comment).
 */
export function parseKustomizeDocument(text: string, options: KustomizeParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 100;
  refuseDirectivesAndCarriageReturns(text);
  // plain block YAML (most generated manifests) is read directly, to the same value
  const block = readBlockYaml(text, maxDepth);
  if (block !== OUTSIDE_BLOCK_SUBSET) return block;
  return readWithJsYaml(text, maxDepth);
}

/**
 * {@link parseKustomizeDocument} without its fast reader of plain block YAML
 * (kustomize-block-yaml.ts): every text read by js-yaml. The same value or error (the tests
 * compare both).
 */
export function parseKustomizeDocumentFully(text: string, options: KustomizeParseOptions = {}): unknown {
  refuseDirectivesAndCarriageReturns(text);
  return readWithJsYaml(text, options.maxDepth ?? 100);
}

function refuseDirectivesAndCarriageReturns(text: string): void {
  if (/^(?:[ \t]*(?:#.*)?\n)*%/.test(text)) throw new KustomizeYamlError('YAML directives (%YAML, %TAG) are not allowed in manifests', firstLineMatching(text, /^%/));
  if (text.includes('\r')) throw new KustomizeYamlError('a carriage return without a line feed: kustomize splits documents on \\n only; use \\n or \\r\\n line ends', firstLineMatching(text, /\r/));
}

function readWithJsYaml(text: string, maxDepth: number): unknown {
  let nonSpecificTagLine: number | undefined;
  const listener = (event: 'open' | 'close', state: { tag: string | null; line: number }) => {
    if (event === 'close' && state.tag === '!' && nonSpecificTagLine === undefined) nonSpecificTagLine = state.line + 1;
  };
  let documents: unknown[];
  try {
    documents = [];
    jsYaml.loadAll(text, (document) => documents.push(document), { schema: KUSTOMIZE_SCHEMA, listener: listener as never, maxDepth } as jsYaml.LoadOptions);
  } catch (error) {
    const mark = (error as { mark?: { line: number } }).mark;
    if (error instanceof RangeError || /exceeded maxDepth/.test(String((error as Error).message))) throw new KustomizeYamlError(`nested more than ${maxDepth} levels deep`, mark ? mark.line + 1 : undefined);
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    const tag = /^unknown tag !<(.*)>$/.exec(reason);
    if (tag) throw new KustomizeYamlError(`YAML tags (here '${shortTag(tag[1])}') are not allowed in manifests: kustomize reads tagged values differently or fails; write the plain value`, mark ? mark.line + 1 : undefined);
    throw new KustomizeYamlError(`malformed YAML: ${reason}`, mark ? mark.line + 1 : undefined);
  }
  if (nonSpecificTagLine !== undefined) throw new KustomizeYamlError("YAML tags (here '!') are not allowed in manifests: kustomize resolves '! value' as an untagged value, other tools as a string", nonSpecificTagLine);
  const meaningful = documents.filter((d) => d !== null && d !== undefined);
  if (meaningful.length === 0) return undefined;
  if (documents.length > 1) {
    throw new KustomizeYamlError("a second document inside one part ('...' or '---' without a line break after it): kustomize reads only the first and drops the rest silently; separate documents with a '---' line", firstLineMatching(text, /^(\.\.\.|---)/m, 1));
  }
  // a shared node can only come from an alias of an anchor (`&name`): without '&' there is none to look for
  return toKustomizeValue(documents[0], [], text.includes('&') ? new Set() : undefined, 'root');
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

function firstLineMatching(text: string, pattern: RegExp, skip = 0): number | undefined {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (new RegExp(pattern.source).test(lines[i]) && seen++ >= skip) return i + 1;
  }
  return undefined;
}

/**
 * Where a node sits: an object's root (a document, or an item of a `List`), its `metadata`, its
 * `metadata.annotations` mapping, one annotation value, a `List`'s `items`, or anywhere else.
 */
type Place = 'root' | 'metadata' | 'annotations' | 'annotation' | 'items' | 'other';

function placeOfChild(place: Place, key: string, parent: Record<string, unknown>): Place {
  if (place === 'root' && key === 'metadata') return 'metadata';
  if (place === 'root' && key === 'items' && isListKind(parent.kind)) return 'items';
  if (place === 'metadata' && key === 'annotations') return 'annotations';
  if (place === 'annotations') return 'annotation';
  return 'other';
}

function pointerOf(path: readonly (string | number)[]): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Turns js-yaml's result (with {@link PlainScalar}s) into kustomize's JSON value: shared nodes
 * (aliases) refused, merge keys expanded, annotation values as their raw text. `path` is the
 * node's location, one stack for the whole walk (pushed and popped; copied only into an error).
 */
function toKustomizeValue(node: unknown, path: (string | number)[], seen: Set<object> | undefined, place: Place): unknown {
  if (node instanceof PlainScalar) {
    if (seen) {
      if (seen.has(node)) throw aliasError(path);
      seen.add(node);
    }
    if (place === 'annotation') return node.raw;
    if (node.problem) throw new KustomizeYamlError(node.problem, undefined, pointerOf(path));
    if (node.kind === 'merge') throw new KustomizeYamlError("a plain '<<' value: write it quoted ('<<')", undefined, pointerOf(path));
    return node.value;
  }
  if (node === null && place === 'annotation') return ''; // an empty annotation value: kustomize keeps ''
  if (node === null || typeof node !== 'object') return node;
  if (seen) {
    if (seen.has(node)) throw aliasError(path);
    seen.add(node);
  }
  if (Array.isArray(node)) {
    const items = new Array<unknown>(node.length);
    const itemPlace = place === 'items' ? 'root' : 'other';
    for (let i = 0; i < node.length; i++) {
      path.push(i);
      items[i] = toKustomizeValue(node[i], path, seen, itemPlace);
      path.pop();
    }
    return items;
  }
  const source = node as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key.startsWith(KEY_MARK)) {
      if (key === MERGE_KEY) continue;
      const raw = key.slice(key.indexOf(KEY_MARK, 1) + 1);
      throw new KustomizeYamlError(`mapping key '${raw}' is not a string for kustomize (it reads it as a ${key.slice(1, key.indexOf(KEY_MARK, 1))}) and the build fails; quote the key`, undefined, pointerOf(path));
    }
    if (key === '<<') throw new KustomizeYamlError("a quoted '<<' key: kustomize drops it and its value silently; rename the key", undefined, pointerOf(path));
    if (place === 'annotations' && (key === '' || resolvePlain(key) !== undefined)) {
      throw new KustomizeYamlError(`annotation key '${key}': kustomize rewrites annotation keys unquoted, reads this one back as a ${key === '' ? 'null' : resolvePlain(key)!.kind} and the build fails`, undefined, pointerOf(path));
    }
    path.push(key);
    setField(result, key, toKustomizeValue(source[key], path, seen, placeOfChild(place, key, source)));
    path.pop();
  }
  if (Object.hasOwn(source, MERGE_KEY)) {
    if (place === 'root' || place === 'metadata' || place === 'annotations') {
      throw new KustomizeYamlError(`merge key '<<' ${place === 'root' ? "at an object's top level" : 'in metadata'}: kustomize reads kind, name and annotations without expanding it; write the keys out`, undefined, pointerOf(path));
    }
    // who set each key (explicit keys first), to refuse a key set twice
    const owners = new Map<string, string>(Object.keys(result).map((key) => [key, 'explicitly']));
    path.push('<<');
    const merged = toKustomizeValue(source[MERGE_KEY], path, seen, 'other');
    const mergePointer = pointerOf(path);
    path.pop();
    const sources = Array.isArray(merged) ? merged : [merged];
    sources.forEach((entry, i) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw new KustomizeYamlError("merge key '<<' needs a mapping or a list of mappings (kustomize fails otherwise)", undefined, mergePointer);
      }
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        const owner = owners.get(key);
        const here = Array.isArray(merged) ? `merged mapping ${i + 1}` : 'the merged mapping';
        if (owner !== undefined) {
          throw new KustomizeYamlError(`key '${key}' is set ${owner} and by ${here} of '<<': which one wins differs between YAML tools; keep one`, undefined, pointerOf(path));
        }
        owners.set(key, `by ${here}`);
        setField(result, key, value);
      }
    });
  }
  return result;
}

/**
 * Sets a field as an own property: a `__proto__` key is a field like any other for kustomize
 * (js-yaml reads it as one), where plain assignment would replace the object's prototype instead.
 */
function setField(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

function aliasError(path: readonly (string | number)[]): KustomizeYamlError {
  return new KustomizeYamlError('YAML aliases (*ref) are not allowed in manifests: Kubernetes tooling expands them and rendered manifests never use them', undefined, pointerOf(path));
}

/** Whether a kind is replaced by its `items` in kustomize (any kind ending in `List`). */
export function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind.endsWith('List');
}
