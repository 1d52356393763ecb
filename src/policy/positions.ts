import { createRequire } from 'node:module';
import type { LineCounter, Node } from 'yaml';
import type { SourceDocument } from './loader.js';

const require = createRequire(import.meta.url);
type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;
/** The `yaml` package, loaded on the first failure that needs a line (a green run never pays its import). */
function yaml(): YamlModule {
  yamlModule ??= require('yaml') as YamlModule;
  return yamlModule;
}

/**
 * Source lines of fields, computed only for objects that fail a rule: the `yaml` package keeps
 * node ranges but parses ~8x slower than js-yaml, so each failing document is re-parsed once
 * (cached) and never the whole tree.
 */
export class SourcePositions {
  private readonly cache = new Map<SourceDocument, { root: Node | null; counter: LineCounter }>();

  /**
   * The 1-based line of the field at `pointer` (a JSON pointer) in `source`; for a field that is
   * absent, the line of its nearest present ancestor; the document's line if nothing matches.
   */
  lineOf(source: SourceDocument, fieldPointer: string | undefined): number {
    if (!fieldPointer) return source.line;
    const pointer = `${source.pointerPrefix ?? ''}${fieldPointer}`;
    const parsed = this.parse(source);
    const { isMap, isSeq } = yaml();
    let node: unknown = parsed.root;
    let best: number | undefined;
    for (const segment of decodePointer(pointer)) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === segment);
        if (!pair) break;
        const keyRange = (pair.key as Node | null)?.range;
        if (keyRange) best = keyRange[0];
        next = pair.value;
      } else if (isSeq(node)) {
        next = node.items[Number(segment)];
        if (next === undefined) break;
      } else {
        break;
      }
      const range = (next as Node | null)?.range;
      if (range && !isMap(node)) best = range[0];
      node = next;
    }
    if (best === undefined) return source.line;
    return source.textLine + parsed.counter.linePos(best).line - 1;
  }

  private parse(source: SourceDocument): { root: Node | null; counter: LineCounter } {
    let parsed = this.cache.get(source);
    if (!parsed) {
      const { LineCounter, parseDocument } = yaml();
      const counter = new LineCounter();
      const document = parseDocument(source.text, { lineCounter: counter, uniqueKeys: false, strict: false });
      parsed = { root: document.contents as Node | null, counter };
      this.cache.set(source, parsed);
    }
    return parsed;
  }
}

/** Splits a JSON pointer into unescaped segments. */
export function decodePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds a JSON pointer from segments. */
export function encodePointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
