import { isCredentialName } from './credential-names.js';

/**
 * Credentials recognised by their shape inside any string, whatever field holds it:
 * - the password of a URL (`postgres://user:PASSWORD@host`), or its whole user part when that has
 *   no colon and is at least 16 characters (`https://TOKEN@github.com`);
 * - the value of a command-line flag with a credential name (`--db-password=VALUE`, and in free
 *   text also `--db-password VALUE`);
 * - the value of an assignment to a credential name in free text (`DB_PASSWORD=VALUE`,
 *   `password: VALUE`, `"apiKey": "VALUE"`): config files in ConfigMaps, shell commands;
 * - well-known token formats (see {@link TOKEN_FORMATS}), PEM private key blocks, and the
 *   credential of `Bearer`/`Basic` authorization values.
 * Values that only refer to a variable (`$(VAR)`, `${VAR}`, `$VAR`, `{{ .x }}`, `<placeholder>`)
 * are not credentials.
 */

/** Well-known credential formats, recognised anywhere. */
export const TOKEN_FORMATS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bhf_[A-Za-z0-9]{30,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\b[rs]k_(live|test)_[A-Za-z0-9]{16,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g,
];

/** All token formats in one pattern (one pass over the text). */
const TOKEN_PATTERN = new RegExp(TOKEN_FORMATS.map((pattern) => `(?:${pattern.source})`).join('|'), 'g');
/** Cheap test for the characters every token format needs. */
const TOKEN_HINT = /-----BEGIN|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox|hf_|sk-|k_live_|k_test_|AIza|eyJ/;
const AUTHORIZATION_HINT = /Bearer|Basic|Token/;

const URL_USERINFO = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/([^\s/?#"'<>`]+)@/g;
const FLAG_EQUALS = /(?:^|[\s"'[,])--?([A-Za-z][\w.-]*)=("[^"\n]*"|'[^'\n]*'|[^\s"',\]]+)/g;
const FLAG_SPACED = /(?:^|\s)--?([A-Za-z][\w.-]*)\s+("[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)/g;
const ASSIGNMENT = /(?:^|[\s,;&?{(\[])(["']?)([A-Za-z_][\w.-]*)\1\s*[:=]\s*(\$\{[^}\n]*\}|\$\([^)\n]*\)|"[^"\n]*"|'[^'\n]*'|[^\s"',;&}\])]+)/gm;
const AUTHORIZATION_SCHEME = /^(Bearer|Basic|Token)$/i;
const AUTHORIZATION = /\b(?:Bearer|Basic|Token)\s+([^\s"'<>`]{8,})/g;
const PLACEHOLDER = /^(\$\([^)]*\)|\$\{[^}]*\}|\$[A-Za-z_]\w*|\{\{[\s\S]*\}\}|<[^>]*>|\(hidden[^)]*\)?|[|>][-+]?\d*|[^A-Za-z0-9]*)$/;

/** What to look for (every kind by default). */
export interface SecretTextOptions {
  /**
   * Assignments (`NAME=VALUE`, `name: VALUE`) and spaced flags (`--password VALUE`). Off when
   * scanning our own output, where `password: must match` is prose, not an assignment.
   * @default true
   */
  readonly assignments?: boolean;
}

function unquote(value: string): string {
  return (value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")) ? value.slice(1, -1) : value;
}

/** Whether a value only refers to a variable or is a masking token, so it is no credential. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}

const WHITESPACE = /\s/;

/**
 * The next match of a global pattern in `text` (as matchAll gives them: an empty match moves on by
 * one character), or null at the end, where exec has reset `lastIndex` to 0 for the next text.
 */
function nextMatch(pattern: RegExp, text: string): RegExpExecArray | null {
  const match = pattern.exec(text);
  if (match !== null && match[0] === '') pattern.lastIndex++;
  return match;
}

/** The credential substrings of a text (distinct, in order of first appearance). */
export function secretsInText(text: string, options: SecretTextOptions = {}): string[] {
  const found: string[] = [];
  const add = (value: string | undefined) => {
    if (value === undefined) return;
    const secret = unquote(value);
    if (secret === '' || isPlaceholder(secret) || found.includes(secret)) return;
    found.push(secret);
  };
  // every shape needs one of these characters, or a token prefix
  if (text.length < 4 || (!/[:= -]/.test(text) && !TOKEN_HINT.test(text))) return found;
  // exec loops over the module's global patterns rather than matchAll (no iterator and pattern copy
  // per call: every string of every object comes here); exec leaves lastIndex at 0 when done
  let match: RegExpExecArray | null;
  if (TOKEN_HINT.test(text)) while ((match = nextMatch(TOKEN_PATTERN, text)) !== null) add(match[0]);
  if (text.includes('://')) {
    while ((match = nextMatch(URL_USERINFO, text)) !== null) {
      const userinfo = match[1];
      const colon = userinfo.indexOf(':');
      if (colon >= 0) add(userinfo.slice(colon + 1));
      else if (userinfo.length >= 16) add(userinfo);
    }
  }
  if (AUTHORIZATION_HINT.test(text)) while ((match = nextMatch(AUTHORIZATION, text)) !== null) add(match[1]);
  // each pattern needs the character tested before it ('-' and '=', whitespace, ':' or '=')
  if (text.includes('-') && text.includes('=')) {
    while ((match = nextMatch(FLAG_EQUALS, text)) !== null) if (isCredentialName(match[1])) add(match[2]);
  }
  if (options.assignments ?? true) {
    if (text.includes('-') && WHITESPACE.test(text)) while ((match = nextMatch(FLAG_SPACED, text)) !== null) if (isCredentialName(match[1])) add(match[2]);
    if (text.includes('=') || text.includes(':')) while ((match = nextMatch(ASSIGNMENT, text)) !== null) if (isCredentialName(match[2]) && !AUTHORIZATION_SCHEME.test(match[3])) add(match[3]);
  }
  return found;
}
