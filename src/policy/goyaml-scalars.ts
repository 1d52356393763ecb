/**
 * goyaml.v3's resolution of plain (unquoted) scalars (resolve.go), as kustomize applies them: see
 * kustomize-yaml.ts for what is read and what is refused. Shared by the full reader (js-yaml with
 * a schema of one implicit type) and the fast reader of plain block YAML (kustomize-block-yaml.ts).
 */

export type ScalarKind = 'null' | 'bool' | 'int' | 'float' | 'timestamp' | 'merge';

/** A plain scalar that goyaml.v3 does not read as a string: its kind, its raw text and its value. */
export class PlainScalar {
  constructor(
    readonly kind: ScalarKind,
    readonly raw: string,
    readonly value: unknown,
    readonly problem?: string,
  ) {}
  get [Symbol.toStringTag](): string {
    return 'PlainScalar';
  }
  /** js-yaml turns mapping keys into strings: this marks a key that is not a string. */
  toString(): string {
    return `${KEY_MARK}${this.kind}${KEY_MARK}${this.raw}`;
  }
}

/** js-yaml turns mapping keys into strings: a key that is a {@link PlainScalar} starts with this mark. */
export const KEY_MARK = '\u0000';

const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const BOOLEANS = new Map([['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false]]);
/** First letters of the words in NULLS and BOOLEANS. */
const WORD_STARTS = new Set([...'nNtTfF'].map((c) => c.charCodeAt(0)));
const INFINITIES = new Set(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN']);
const GO_INT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
/** RFC 3339 text that Go's time formatting reproduces unchanged (no trailing fraction zeros, no +00:00). */
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?(Z|[+-](?!00:00)(?:[01]\d|2[0-3]):[0-5]\d)$/;

/** goyaml.v3's resolution of a plain scalar (resolve.go), or undefined when it is a string. */
export function resolvePlain(text: string): PlainScalar | undefined {
  const first = text.charCodeAt(0);
  // a word not starting like null, true or false is a string (most keys and values)
  if (((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a)) && !WORD_STARTS.has(first)) return undefined;
  if (NULLS.has(text)) return new PlainScalar('null', text, null);
  const bool = BOOLEANS.get(text);
  if (bool !== undefined) return new PlainScalar('bool', text, bool);
  if (text === '<<') return new PlainScalar('merge', text, '<<');
  if (INFINITIES.has(text)) return new PlainScalar('float', text, NaN, `'${text}' is not a finite number: kustomize cannot write it as JSON and the build fails`);
  if (first === 0x2e /* . */) {
    if (!DOT_FLOAT.test(text)) return undefined;
    const value = Number(text);
    return Number.isFinite(value) ? new PlainScalar('float', text, value) : undefined;
  }
  const digit = first >= 0x30 && first <= 0x39;
  if (!digit && first !== 0x2b /* + */ && first !== 0x2d /* - */) return undefined;
  if (digit && /^\d{4}-/.test(text)) {
    if (CANONICAL_TIMESTAMP.test(text)) return undefined; // kustomize writes the same text back
    return new PlainScalar('timestamp', text, text, `unquoted '${text}' looks like a date: kustomize may turn it into a timestamp string; quote it`);
  }
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  const int = GO_INT.exec(plain);
  if (int) {
    const [, sign, hex, bin, oct, legacyOct, dec] = int;
    const big = hex !== undefined ? BigInt(`0x${hex}`) : bin !== undefined ? BigInt(`0b${bin}`) : oct !== undefined ? BigInt(`0o${oct}`)
      : legacyOct !== undefined ? (legacyOct === '' ? 0n : BigInt(`0o${legacyOct}`)) : BigInt(dec);
    const exact = sign === '-' ? -big : big;
    const value = Number(exact);
    if (BigInt(value) !== exact) return new PlainScalar('int', text, value, `integer '${text}' has no exact double-precision value: Kubernetes and JavaScript tools read different numbers; quote it or use a smaller value`);
    return new PlainScalar('int', text, value === 0 ? 0 : value);
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = Number(plain);
    if (!Number.isFinite(value)) return undefined; // goyaml.v3 keeps an out-of-range float as the string
    return new PlainScalar('float', text, value);
  }
  return undefined;
}
