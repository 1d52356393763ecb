import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { fileDigest, stampHolds, type FileDigest } from './file-digest.js';

/**
 * Generated CommonJS modules (the ahead-of-time compiled schema and policy validators under
 * lib/) loaded with a V8 code cache: `<module>.v8cache`, written by `npm run build`
 * ({@link writeCodeCache}), holds the bytecode of the module and of the functions a sample run
 * compiled, so a run neither parses the module's text nor compiles those functions again.
 *
 * V8 accepts a cache for any source of the same length, so a cache is offered only for the exact
 * text it was made from: its header records the module's SHA-256 (and the file's stamp, which
 * proves the digest without hashing while the file's stat is unchanged, see {@link fileDigest})
 * and the Node.js version and architecture that made it. A module changed since, a cache of
 * another Node.js, or one V8 rejects (other flags) is not used: the module is compiled from its
 * text, with the same result, only slower.
 */

/** How a module's code cache was used. */
export type CodeCacheUse = 'accepted' | 'missing' | 'stale' | 'rejected';

/** A loaded module. */
export interface CodeCachedModule {
  readonly exports: unknown;
  readonly cache: CodeCacheUse;
}

/** The first line of a cache file (JSON), then the V8 data. */
interface CodeCacheHeader extends FileDigest {
  /** `process.version` and `process.arch` of the Node.js that made it. */
  readonly runtime: string;
}

const RUNTIME = `${process.version} ${process.arch}`;
const loaded = new Map<string, CodeCachedModule>();

/** The code cache file of a module. */
export function codeCacheFile(file: string): string {
  return `${file}.v8cache`;
}

function readCache(file: string): { header: CodeCacheHeader; data: Buffer } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(codeCacheFile(file));
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(0x0a);
  try {
    return { header: JSON.parse(bytes.subarray(0, end).toString('utf8')) as CodeCacheHeader, data: bytes.subarray(end + 1) };
  } catch {
    return undefined;
  }
}

/** The module's text and the cache data that may be offered for it (only for that exact text). */
function textAndCache(file: string): { text: string; data?: Buffer; miss?: CodeCacheUse } {
  const cache = readCache(file);
  if (!cache || cache.header.runtime !== RUNTIME) return { text: readFileSync(file, 'utf8'), miss: cache ? 'stale' : 'missing' };
  const proof = fileDigest(file, cache.header);
  const content = proof.content ?? readFileSync(file);
  // proven by its stamp: the stamp must still hold after the read (no write in between)
  const same = proof.digest === cache.header.digest && (proof.content !== undefined || stampHolds(file, cache.header.stamp!));
  return same ? { text: content.toString('utf8'), data: cache.data } : { text: content.toString('utf8'), miss: 'stale' };
}

function run(file: string, text: string, data: Buffer | undefined): { script: Script; exports: unknown } {
  const script = new Script(Module.wrap(text), { filename: file, ...(data ? { cachedData: data } : {}) });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { script, exports: module.exports };
}

/**
 * Loads a generated CommonJS module once per process (like `require`), with its code cache when
 * the cache was made from exactly its text by this Node.js.
 */
export function loadCodeCachedModule(file: string): CodeCachedModule {
  const known = loaded.get(file);
  if (known) return known;
  const { text, data, miss } = textAndCache(file);
  const { script, exports } = run(file, text, data);
  const result: CodeCachedModule = { exports, cache: miss ?? (script.cachedDataRejected ? 'rejected' : 'accepted') };
  loaded.set(file, result);
  return result;
}

/**
 * Writes a module's code cache: loads it afresh (not from this process' modules), runs `exercise`
 * on its exports (the functions it calls are compiled, and their code goes into the cache), and
 * writes the header and V8's data (replacing the file atomically).
 * @returns the cache file's size in bytes.
 */
export function writeCodeCache(file: string, exercise: (exports: unknown) => void = () => undefined): number {
  const content = readFileSync(file);
  const { script, exports } = run(file, content.toString('utf8'), undefined);
  exercise(exports);
  const data = script.createCachedData();
  // the digest of the text just compiled; a stamp only when the file had settled (fileDigest)
  const proof = fileDigest(file);
  if (!proof.content!.equals(content)) throw new Error(`${file} changed while its code cache was made`);
  const header: CodeCacheHeader = { digest: proof.digest, ...(proof.stamp ? { stamp: proof.stamp } : {}), runtime: RUNTIME };
  const target = codeCacheFile(file);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data]));
  renameSync(temporary, target);
  return data.length;
}

/** Whether a module's code cache was made from its current text by this Node.js (what a run would accept, V8's own checks aside). */
export function codeCacheCurrent(file: string): boolean {
  return textAndCache(file).data !== undefined;
}
