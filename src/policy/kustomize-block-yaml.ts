import { resolvePlain } from './goyaml-scalars.js';

/**
 * The fast reader of kustomize-yaml.ts: plain block-style YAML (what cdk8s, `kubectl`, Helm
 * templates and js-yaml's `dump` write for most objects) read straight into the JSON value
 * kustomize applies, with the meaning kustomize-yaml.ts gives it (goyaml.v3's plain scalars, raw
 * annotation text), or {@link OUTSIDE_BLOCK_SUBSET} when the text uses anything else. The full
 * reader (js-yaml, then the kustomize conversion) reads every text this one gives up on, so it
 * gives up at the first doubt; it never refuses input or says why (the full reader does).
 *
 * The subset, line by line (anything else gives up):
 * - only printable ASCII and `\n` (no tab, no carriage return, no other character);
 * - block mappings (`key: value`, `key:` with the value on the lines below) and block sequences
 *   (`- item`, `- key: value` starting a mapping, a sequence under a key at the key's own
 *   indentation); whole-line comments and blank lines anywhere; `#` comments after a value;
 * - keys: plain `[A-Za-z0-9._/-]+` (not starting with `-`) that goyaml.v3 reads as strings, or
 *   quoted on one line; no duplicate key, no `<<`, no `__proto__`;
 * - values: plain scalars on one line (not starting with an indicator, no `: ` inside, no line
 *   after them indented deeper), single-quoted on one line, double-quoted on one line without
 *   `\` escapes, and the empty flow collections `{}` and `[]`;
 * - no document markers (`---`, `...` at a line's start), directives, tags, anchors, aliases,
 *   block scalars (`|`, `>`), non-empty flow collections or multi-line scalars;
 * - nesting shallower than `maxDepth` less two;
 * - no `kind` ending in `List` (its items are objects, with their own annotations).
 */

/** What {@link readBlockYaml} returns for text outside its subset. */
export const OUTSIDE_BLOCK_SUBSET: unique symbol = Symbol('outside the plain block YAML subset');

/** Thrown inside the reader to give up (not an Error: nothing to capture). */
const GIVE_UP = { giveUp: true } as const;

// Where a node sits (see placeOfChild in kustomize-yaml.ts): an annotation value is its raw text.
const ROOT = 0;
const METADATA = 1;
const ANNOTATIONS = 2;
const ANNOTATION = 3;
const OTHER = 4;
type Place = typeof ROOT | typeof METADATA | typeof ANNOTATIONS | typeof ANNOTATION | typeof OTHER;

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKSLASH = 0x5c;

const SUBSET_CHARACTERS = /^[\x20-\x7e\n]*$/;

/** Characters of a plain key: `[A-Za-z0-9._/-]`. */
function isKeyCharacter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2f || c === DASH;
}

/** The YAML indicators no plain scalar of the subset starts with (`-` is handled apart). */
const INDICATORS = new Set([...'?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

function placeOfChild(place: Place, key: string): Place {
  if (place === ROOT) return key === 'metadata' ? METADATA : OTHER;
  if (place === METADATA) return key === 'annotations' ? ANNOTATIONS : OTHER;
  return place === ANNOTATIONS ? ANNOTATION : OTHER;
}

/**
 * Reads one document (a part of a file as kustomize splits it) of the subset described above.
 * @returns the document's value (a mapping), or {@link OUTSIDE_BLOCK_SUBSET}.
 */
export function readBlockYaml(text: string, maxDepth: number): unknown {
  if (!SUBSET_CHARACTERS.test(text)) return OUTSIDE_BLOCK_SUBSET;
  const reader = new BlockReader(text, maxDepth);
  try {
    reader.nextLine();
    if (reader.indent !== 0 || reader.atSequenceItem()) return OUTSIDE_BLOCK_SUBSET;
    const value = reader.mapping(ROOT, 1);
    if (!reader.atEnd()) return OUTSIDE_BLOCK_SUBSET; // content left: malformed
    // the items of a `List` have the places of objects (their annotations are raw text): the full reader reads them
    return typeof value.kind === 'string' && value.kind.endsWith('List') ? OUTSIDE_BLOCK_SUBSET : value;
  } catch (error) {
    if (error === GIVE_UP) return OUTSIDE_BLOCK_SUBSET;
    throw error;
  }
}

/** A cursor over the text's content lines (blank and comment lines skipped). */
class BlockReader {
  /** Where the current node's text starts on the current line. */
  pos = 0;
  /** Start of the current line. */
  lineStart = 0;
  /** End of the current line (its `\n`, or the text's end). */
  lineEnd = -1;
  /** Column of {@link pos}; -1 past the last line. */
  indent = -1;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  /** Moves to the next line with content. */
  nextLine(): void {
    const text = this.text;
    let start = this.lineEnd + 1;
    while (start < text.length) {
      let i = start;
      while (text.charCodeAt(i) === SPACE) i++;
      let end = text.indexOf('\n', i);
      if (end === -1) end = text.length;
      if (i === end || text.charCodeAt(i) === HASH) {
        start = end + 1;
        continue;
      }
      // a document marker (`---`, `...`) at a line's start: the full reader decides
      if (i === start && (text.startsWith('---', i) || text.startsWith('...', i))) throw GIVE_UP;
      this.lineStart = start;
      this.pos = i;
      this.lineEnd = end;
      this.indent = i - start;
      return;
    }
    this.lineStart = this.pos = this.lineEnd = text.length;
    this.indent = -1;
  }

  /** Whether every line has been read. */
  atEnd(): boolean {
    return this.indent === -1;
  }

  /** Whether the current line's node is a block sequence item (`-` then a space or the line's end). */
  atSequenceItem(): boolean {
    return this.text.charCodeAt(this.pos) === DASH && (this.pos + 1 === this.lineEnd || this.text.charCodeAt(this.pos + 1) === SPACE);
  }

  /** A block mapping whose first key is at {@link pos}; its keys are at column {@link indent}. */
  mapping(place: Place, depth: number): Record<string, unknown> {
    if (depth + 2 >= this.maxDepth) throw GIVE_UP;
    const indent = this.indent;
    const record: Record<string, unknown> = {};
    for (;;) {
      const key = this.key(place);
      if (Object.hasOwn(record, key)) throw GIVE_UP; // js-yaml refuses a duplicated key
      record[key] = this.value(indent, placeOfChild(place, key), depth, true);
      if (this.indent < indent) return record;
      if (this.indent > indent || this.atSequenceItem()) throw GIVE_UP;
    }
  }

  /** A block sequence whose first `-` is at {@link pos}, at column {@link indent}. */
  sequence(depth: number): unknown[] {
    if (depth + 2 >= this.maxDepth) throw GIVE_UP;
    const text = this.text;
    const indent = this.indent;
    const items: unknown[] = [];
    for (;;) {
      let i = this.pos + 1;
      while (text.charCodeAt(i) === SPACE) i++;
      if (i === this.lineEnd) {
        this.nextLine();
        // after an empty item js-yaml reads a `-` line indented less as the next item of this sequence
        if (this.indent < indent && this.indent !== -1 && this.atSequenceItem()) throw GIVE_UP;
        items.push(this.indent > indent ? this.block(OTHER, depth + 1) : null);
      } else {
        this.pos = i;
        if (this.atSequenceItem()) throw GIVE_UP; // `- - x`
        if (this.keyEnd(i) !== -1) {
          this.indent = i - this.lineStart;
          items.push(this.mapping(OTHER, depth + 1));
        } else {
          items.push(this.value(indent, OTHER, depth, false));
        }
      }
      if (this.indent < indent) return items;
      if (this.indent > indent) throw GIVE_UP;
      if (!this.atSequenceItem()) return items; // the next key of a mapping at this column (or malformed: its reader gives up)
    }
  }

  /** The block node that starts on the current line. */
  private block(place: Place, depth: number): unknown {
    return this.atSequenceItem() ? this.sequence(depth) : this.mapping(place, depth);
  }

  /**
   * The value after a key's `:` (or a sequence item's `-`) at {@link pos}: on the same line, on
   * the lines below, or empty. Leaves the cursor on the next line after it.
   */
  private value(parentIndent: number, place: Place, depth: number, ofKey: boolean): unknown {
    const text = this.text;
    let i = this.pos;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i === this.lineEnd) {
      this.nextLine();
      if (this.indent > parentIndent) return this.block(place, depth + 1);
      if (ofKey && this.indent === parentIndent && this.atSequenceItem()) return this.sequence(depth + 1);
      return place === ANNOTATION ? '' : null; // kustomize keeps an empty annotation as ''
    }
    const value = this.scalar(i, place);
    this.nextLine();
    if (this.indent > parentIndent) throw GIVE_UP; // a multi-line scalar, or malformed
    return value;
  }

  /** A one-line scalar (or `{}` / `[]`) from `i` to the line's end. */
  private scalar(i: number, place: Place): unknown {
    const text = this.text;
    const end = this.lineEnd;
    const first = text.charCodeAt(i);
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      const close = this.quotedEnd(i);
      this.afterValue(close + 1);
      return this.quotedValue(i, close);
    }
    if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
      if (i + 2 !== end) throw GIVE_UP;
      const pair = text.slice(i, end);
      if (pair === '{}') return {};
      if (pair === '[]') return [];
      throw GIVE_UP;
    }
    if (INDICATORS.has(first) || (first === DASH && (i + 1 === end || text.charCodeAt(i + 1) === SPACE))) throw GIVE_UP;
    // the scalar ends at a comment (` #`); `: ` inside or a trailing `:` is a mapping indicator
    let last = i;
    let stop = end;
    for (let j = i + 1; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c === SPACE) {
        const next = text.charCodeAt(j + 1);
        if (next === HASH) {
          stop = j;
          break;
        }
        continue;
      }
      if (c === COLON && (j + 1 === end || text.charCodeAt(j + 1) === SPACE)) throw GIVE_UP;
      last = j;
    }
    const plain = text.slice(i, Math.min(last + 1, stop));
    if (place === ANNOTATION) return plain; // kustomize rewrites annotations from the raw text
    const resolved = resolvePlain(plain);
    if (resolved === undefined) return plain;
    if (resolved.problem !== undefined || resolved.kind === 'merge') throw GIVE_UP;
    return resolved.value;
  }

  /** After a value: nothing, or spaces and a comment. */
  private afterValue(i: number): void {
    const text = this.text;
    if (i === this.lineEnd) return;
    if (text.charCodeAt(i) !== SPACE) throw GIVE_UP;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i !== this.lineEnd && text.charCodeAt(i) !== HASH) throw GIVE_UP;
  }

  /** Index of the closing quote of the quoted scalar opening at `i`, on the same line. */
  private quotedEnd(i: number): number {
    const text = this.text;
    const quote = text.charCodeAt(i);
    for (let j = i + 1; j < this.lineEnd; j++) {
      const c = text.charCodeAt(j);
      if (quote === DOUBLE_QUOTE && c === BACKSLASH) throw GIVE_UP;
      if (c !== quote) continue;
      if (quote === SINGLE_QUOTE && text.charCodeAt(j + 1) === SINGLE_QUOTE) {
        j++;
        continue;
      }
      return j;
    }
    throw GIVE_UP;
  }

  private quotedValue(open: number, close: number): string {
    const inner = this.text.slice(open + 1, close);
    return this.text.charCodeAt(open) === SINGLE_QUOTE && inner.includes("''") ? inner.replace(/''/g, "'") : inner;
  }

  /** Where the key at `i` ends (its `:`, followed by a space or the line's end), or -1 when `i` starts no key. */
  private keyEnd(i: number): number {
    const text = this.text;
    const first = text.charCodeAt(i);
    let j: number;
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      j = this.quotedEnd(i) + 1;
    } else {
      if (first === DASH) return -1;
      j = i;
      while (isKeyCharacter(text.charCodeAt(j))) j++;
      if (j === i) return -1;
    }
    if (text.charCodeAt(j) !== COLON || (j + 1 !== this.lineEnd && text.charCodeAt(j + 1) !== SPACE)) return -1;
    return j;
  }

  /** The key at {@link pos}, which then moves past its `:`. */
  private key(place: Place): string {
    const i = this.pos;
    const colon = this.keyEnd(i);
    if (colon === -1) throw GIVE_UP;
    const first = this.text.charCodeAt(i);
    const quoted = first === SINGLE_QUOTE || first === DOUBLE_QUOTE;
    const key = quoted ? this.quotedValue(i, colon - 1) : this.text.slice(i, colon);
    // a plain key goyaml.v3 reads as a null, number, bool or merge fails the build; a quoted
    // annotation key is written back unquoted; `__proto__` is set as an own field by the full reader
    if (key === '__proto__' || key === '<<') throw GIVE_UP;
    if ((!quoted || place === ANNOTATIONS) && (key === '' || resolvePlain(key) !== undefined)) throw GIVE_UP;
    this.pos = colon + 1;
    return key;
  }
}
