import { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';

/** Characters Kubernetes allows in a Secret (and ConfigMap) key; the ExternalSecret CRD uses the same pattern. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** An unquoted segment of a Pulumi property path; anything else must use the `["..."]` form. */
const PATH_NAME = /^[A-Za-z0-9_$-]+/;

/**
 * Validates a Secret key (`data[].secretKey` of an ExternalSecret): letters, digits, `-`, `_`
 * and `.`, at most 253 characters, and not `.` or `..`.
 */
export function validateSecretKey(scope: IConstruct | string, prop: string, key: string): string {
  if (typeof key !== 'string' || !SECRET_KEY.test(key) || key.length > 253 || key === '.' || key === '..') {
    throw new InvalidPropError(scope, prop, key,
      "must be a Secret key: letters, digits, '-', '_' and '.', at most 253 characters (e.g. HF_TOKEN or hf-token)");
  }
  return key;
}

/**
 * Splits a Pulumi ESC property path (Pulumi path syntax, as `remoteRef.key` of the Pulumi
 * provider expects) into its segments: `hf.token` -> `['hf', 'token']`,
 * `db["connection string"]` -> `['db', 'connection string']`, `keys[0]` -> `['keys', 0]`.
 * The path starts at the top-level keys under the environment's `values:`.
 * @throws Error describing the first problem
 */
export function parseEscPath(path: string): Array<string | number> {
  if (typeof path !== 'string' || path.length === 0) throw new Error('must be a non-empty property path such as hf.token');
  const segments: Array<string | number> = [];
  let i = 0;
  let expectName = true;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '[') {
      const close = readBracket(path, i);
      segments.push(close.segment);
      i = close.end;
      expectName = false;
      continue;
    }
    if (ch === '.') {
      if (expectName) throw new Error(`unexpected '.' at offset ${i}; segments must not be empty`);
      i += 1;
      expectName = true;
      if (i === path.length) throw new Error('must not end with \'.\'');
      continue;
    }
    if (!expectName) throw new Error(`expected '.' or '[' at offset ${i}, found '${ch}'`);
    const match = PATH_NAME.exec(path.slice(i));
    if (!match) {
      throw new Error(`unexpected '${ch}' at offset ${i}; names are letters, digits, '_', '-' and '$', other keys need the ["..."] form`);
    }
    segments.push(match[0]);
    i += match[0].length;
    expectName = false;
  }
  return segments;
}

/** Validates an ESC property path, returning it unchanged. */
export function validateEscPath(scope: IConstruct | string, prop: string, path: string): string {
  try {
    parseEscPath(path);
  } catch (error) {
    throw new InvalidPropError(scope, prop, path,
      `must be a Pulumi ESC property path under the environment's values, e.g. 'huggingface.token' or 'db["password"]': ${(error as Error).message}`);
  }
  return path;
}

function readBracket(path: string, start: number): { segment: string | number; end: number } {
  const rest = path.slice(start);
  const index = /^\[(0|[1-9][0-9]*)\]/.exec(rest);
  if (index) return { segment: Number(index[1]), end: start + index[0].length };
  if (rest[1] !== '"') throw new Error(`'[' at offset ${start} must start an index like [0] or a quoted key like ["a.b"]`);
  let i = start + 2;
  let key = '';
  while (i < path.length && path[i] !== '"') {
    if (path[i] === '\\') {
      if (i + 1 >= path.length) break;
      key += path[i + 1];
      i += 2;
    } else {
      key += path[i];
      i += 1;
    }
  }
  if (path[i] !== '"' || path[i + 1] !== ']') throw new Error(`the quoted key starting at offset ${start} is not closed with "]`);
  if (key.length === 0) throw new Error(`the quoted key at offset ${start} is empty`);
  return { segment: key, end: i + 2 };
}
