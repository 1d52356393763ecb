import { isRecord } from '../diff/paths.js';
import { LAST_APPLIED_ANNOTATION, secretSlots } from './secret-positions.js';
import { isPlaceholder, secretsInText } from './secret-text.js';

/** What a scrubbed secret is replaced with in output text. */
export const SCRUBBED = '(hidden)';

/**
 * Values shorter than this are not scrubbed from free text (they would erase ordinary output such
 * as `on` or `443`); they are still hidden at their positions.
 */
export const MIN_SCRUBBED_LENGTH = 4;

const NOT_SECRETS = new Set(['true', 'false', 'null', 'none', 'yes', 'no', 'on', 'off', 'enabled', 'disabled', 'hidden']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The output boundary of the masking policy. It collects the secret values of the input objects
 * (every string and number at a position of secret-positions.ts, and the objects inside
 * last-applied annotations) and removes them from any text before it is written: the value as
 * it is, JSON-escaped, base64 (standard and URL-safe, with and without padding), URL-encoded
 * (`%20` and `+` for spaces) and URL-decoded, the base64-decoded text of a base64 value, and each line of a
 * multi-line value. Text is also scanned for credential shapes (URL passwords, `--token=x`,
 * token formats; see secret-text.ts) so a secret is caught even when its input was not seen.
 */
export class SecretScrubber {
  private readonly values = new Set<string>();
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined | null = null;

  /** A scrubber for the secrets of these objects. */
  static of(objects: Iterable<unknown>): SecretScrubber {
    const scrubber = new SecretScrubber();
    for (const object of objects) scrubber.addObject(object);
    return scrubber;
  }

  /** Number of distinct secret values collected. */
  get size(): number {
    return this.values.size;
  }

  /** Collects the secret values of a Kubernetes object (or any YAML value). */
  addObject(object: unknown): this {
    for (const slot of secretSlots(object)) {
      this.addLeaves(slot.value);
      const last = slot.segments[slot.segments.length - 1];
      if (!slot.part && last === LAST_APPLIED_ANNOTATION && typeof slot.value === 'string') {
        try {
          this.addObject(JSON.parse(slot.value));
        } catch {
          // not JSON: the whole string is already collected
        }
      }
    }
    return this;
  }

  private addLeaves(value: unknown): void {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') this.addSecret(value);
    else if (Array.isArray(value)) value.forEach((item) => this.addLeaves(item));
    else if (isRecord(value)) Object.values(value).forEach((item) => this.addLeaves(item));
  }

  /** Collects one secret value (ignored when too short to scrub safely, a word like `true`, or a placeholder). */
  addSecret(value: string | number | bigint): this {
    const text = String(value);
    if (!scrubbable(text) || this.values.has(text)) return this;
    this.values.add(text);
    this.pattern = null;
    for (const form of formsOf(text)) if (scrubbable(form)) this.forms.add(form);
    const decoded = base64Text(text);
    if (decoded !== undefined && scrubbable(decoded)) for (const form of formsOf(decoded)) if (scrubbable(form)) this.forms.add(form);
    return this;
  }

  /** The text with every collected secret form and every credential shape replaced by {@link SCRUBBED}. */
  scrubText(text: string): string {
    const pattern = this.compiled();
    let out = pattern ? text.replace(pattern, SCRUBBED) : text;
    for (const secret of secretsInText(out, { assignments: false })) {
      if (secret.length > 0) out = out.split(secret).join(SCRUBBED);
    }
    return out;
  }

  /**
   * A copy of a JSON-like value with every string scrubbed (keys and non-string leaves kept; objects
   * that are not plain, such as a Map, are returned as they are).
   */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrubText(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.scrubDeep(item)) as T;
    if (isRecord(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value))) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrubDeep(item)])) as T;
    return value;
  }

  private compiled(): RegExp | undefined {
    if (this.pattern !== null) return this.pattern;
    const alternatives = [...this.forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map((form) => {
      const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return /^\d+$/.test(form) ? `(?<!\\d)${escaped}(?!\\d)` : escaped;
    });
    this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined;
    return this.pattern;
  }
}

function scrubbable(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length >= MIN_SCRUBBED_LENGTH && !NOT_SECRETS.has(trimmed.toLowerCase()) && !isPlaceholder(trimmed);
}

/** The encodings in which a secret can appear in output. */
export function formsOf(text: string): string[] {
  const base64 = Buffer.from(text, 'utf8').toString('base64');
  const forms = [
    text,
    JSON.stringify(text).slice(1, -1),
    base64,
    base64.replace(/=+$/, ''),
    base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    encodeURIComponent(text),
    encodeURIComponent(text).replace(/%20/g, '+'),
  ];
  try {
    forms.push(decodeURIComponent(text));
  } catch {
    // not URL-encoded
  }
  if (text.includes('\n')) {
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= 8 && !/^-----(BEGIN|END) /.test(trimmed)) forms.push(trimmed);
    }
  }
  return [...new Set(forms)];
}

/** The text a base64 value decodes to, when it is base64 of printable UTF-8. */
function base64Text(text: string): string | undefined {
  if (!BASE64.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  return /^[\t\n\r\x20-\x7e\u00a0-\uffff]+$/.test(decoded) && !decoded.includes('\ufffd') ? decoded : undefined;
}
