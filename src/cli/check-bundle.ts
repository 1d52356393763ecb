import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/**
 * The `check` command's modules in one file (`lib/cli/check-bundle.cjs`, written by
 * `npm run build` with scripts/bundle-check-command.mjs), with a V8 code cache of it
 * (`check-bundle.cache`), so a `check` run compiles one script from cache instead of resolving,
 * reading and compiling about 80 ES modules from lib/
 *
 * The bundle holds each module's compiled text as `lib/` had it when bundled; it is used only
 * while every one of those files still has exactly that text (a `lib/` recompiled by `tsc` alone
 * makes it stale, and the command then runs from `lib/` as ES modules). The code cache is used
 * only for the bundle it was made from (the bundle's id, a hash of its text, heads the cache file),
 * and V8 itself rejects a cache made by another V8 version or with other flags. Either way the
 * command's output is the same; only its start-up cost differs.
 */

/** The file the bundle is in, next to this module. */
export const CHECK_BUNDLE_FILE = fileURLToPath(new URL('./check-bundle.cjs', import.meta.url));
/** The code cache of {@link CHECK_BUNDLE_FILE}. */
export const CHECK_BUNDLE_CACHE_FILE = fileURLToPath(new URL('./check-bundle.cache', import.meta.url));
/** First line of a bundle: this prefix, then its id (hex). */
export const CHECK_BUNDLE_ID_PREFIX = '// lambda-gitops check bundle ';
/** Length of a bundle id (hex characters), which also heads the cache file. */
const ID_LENGTH = 64;

/** What the bundled `lib/cli/main.js` exports that a launcher uses. */
export interface BundledMain {
  main(argv: string[]): Promise<number>;
  runEntryPoint(argv: string[]): void;
}

/** The bundle's factory: what scripts/bundle-check-command.mjs writes (a function expression). */
type BundleFactory = (
  packageRoot: string,
  nativeRequire: NodeJS.Require,
  nativeImport: (specifier: string) => Promise<unknown>,
) => { readonly sources: Readonly<Record<string, string>>; load(module: string): unknown };

/** A loaded bundle: its compiled script (for {@link writeCheckBundleCodeCache}) and its main module. */
export interface LoadedCheckBundle {
  readonly script: Script;
  readonly id: string;
  readonly main: BundledMain;
  /** The `lib/` modules it holds (package-relative paths), each checked against lib/ when loaded. */
  readonly modules: readonly string[];
  /** Whether V8 accepted the code cache (false when there was none). */
  readonly cacheAccepted: boolean;
}

/**
 * Whether the bundle serves a command line (`argv` without node and script): `check`, unless it
 * names a `--policies` directory (whose policies may name modules the bundle does not hold).
 */
export function bundleServes(argv: readonly string[]): boolean {
  return argv[0] === 'check' && !argv.some((a) => a === '--policies' || a.startsWith('--policies='));
}

/** Why {@link loadCheckBundle} returned no bundle. */
export type CheckBundleMiss = 'missing' | 'malformed' | 'stale';

function readOptional(file: string): Buffer | undefined;
function readOptional(file: string, encoding: 'utf8'): string | undefined;
function readOptional(file: string, encoding?: 'utf8'): Buffer | string | undefined {
  try {
    return encoding ? readFileSync(file, encoding) : readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Loads the bundle when it exists and is current for `lib/` (see the module comment); otherwise
 * tells why not. `useCache: false` ignores the code cache.
 */
export function loadCheckBundle(options: { readonly file?: string; readonly cacheFile?: string; readonly useCache?: boolean } = {}): LoadedCheckBundle | CheckBundleMiss {
  const file = options.file ?? CHECK_BUNDLE_FILE;
  const text = readOptional(file, 'utf8');
  if (text === undefined) return 'missing';
  if (!text.startsWith(CHECK_BUNDLE_ID_PREFIX)) return 'malformed';
  const id = text.slice(CHECK_BUNDLE_ID_PREFIX.length, CHECK_BUNDLE_ID_PREFIX.length + ID_LENGTH);
  const cache = options.useCache === false ? undefined : readOptional(options.cacheFile ?? CHECK_BUNDLE_CACHE_FILE);
  const cachedData = cache !== undefined && cache.subarray(0, ID_LENGTH).toString('latin1') === id ? cache.subarray(ID_LENGTH) : undefined;
  // lib/cli/check-bundle.cjs: the package root is two directories up
  const packageRoot = dirname(dirname(dirname(file)));
  let script: Script;
  let bundle: ReturnType<BundleFactory>;
  try {
    script = new Script(text, { filename: file, ...(cachedData ? { cachedData } : {}) });
    bundle = (script.runInThisContext() as BundleFactory)(packageRoot, createRequire(file), (specifier) => import(specifier));
  } catch {
    // a damaged file (no module has run yet): the command runs from lib/ instead
    return 'malformed';
  }
  for (const [module, source] of Object.entries(bundle.sources)) {
    if (readOptional(join(packageRoot, module), 'utf8') !== source) return 'stale';
  }
  return { script, id, main: bundle.load('lib/cli/main.js') as BundledMain, modules: Object.keys(bundle.sources), cacheAccepted: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Runs `check` once from the bundle on `paths` (its output discarded) and writes the bundle's code
 * cache, which then holds the code of every function that run compiled.
 * @returns the cache file's size in bytes.
 * @throws when the bundle is missing, malformed or stale, or the run fails.
 */
export async function writeCheckBundleCodeCache(paths: readonly string[], options: { readonly file?: string; readonly cacheFile?: string } = {}): Promise<number> {
  const bundle = loadCheckBundle({ ...options, useCache: false });
  if (typeof bundle === 'string') throw new Error(`${options.file ?? CHECK_BUNDLE_FILE}: cannot write its code cache: the bundle is ${bundle}`);
  const writes = [process.stdout.write, process.stderr.write];
  let code: number;
  try {
    process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
    code = await bundle.main.main(['check', ...paths]);
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
  }
  if (code !== 0) throw new Error(`check ${paths.join(' ')} from the bundle exited ${code}; the code cache is made from a passing run`);
  const data = Buffer.concat([Buffer.from(bundle.id, 'latin1'), bundle.script.createCachedData()]);
  writeFileSync(options.cacheFile ?? CHECK_BUNDLE_CACHE_FILE, data);
  return data.length;
}
