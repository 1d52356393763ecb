import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { recordedErrorFiles } from './build-info.js';

/** A TypeScript project whose compiled output a command is about to run. */
export interface TypeScriptProject {
  /** Directory of `tsconfig.json`. */
  readonly dir: string;
  /** Absolute path of `tsconfig.json`. */
  readonly tsconfig: string;
  /** Absolute `compilerOptions.rootDir`. */
  readonly rootDir: string;
  /** Absolute `compilerOptions.outDir`. */
  readonly outDir: string;
  /** Absolute `compilerOptions.tsBuildInfoFile`, when set. */
  readonly tsBuildInfoFile?: string;
}

/** Result of {@link checkBuildFreshness}. */
export interface BuildFreshness {
  /** True when every source has an output at least as new as itself. */
  readonly fresh: boolean;
  /** Why the output is stale: one line per source (at most {@link MAX_REASONS}), relative to the project. */
  readonly reasons: string[];
  /** Every output older than its source (absolute paths); missing outputs are not listed here. */
  readonly olderOutputs: string[];
  /** Whether some output is missing. */
  readonly missingOutputs: boolean;
  /** Whether `tsconfig.json` changed after the last successful build. */
  readonly configChanged: boolean;
  /** Whether the last compile's build info records errors, unchecked files or pending emit (tsc emits despite errors). */
  readonly failedCompile: boolean;
}

/** Reasons listed by {@link checkBuildFreshness}; the rest are counted. */
export const MAX_REASONS = 5;

/** Name of the file {@link markBuilt} writes into `outDir` after a successful compile. */
export const BUILD_STAMP = '.build-stamp';

/**
 * Reads `tsconfig.json` in `dir` (plain JSON, as this package's and the `init` template's are).
 * Returns undefined when there is none, or when it names no `rootDir`/`outDir` (then the output
 * layout is not known and freshness cannot be decided).
 */
export function readTypeScriptProject(dir: string): TypeScriptProject | undefined {
  const tsconfig = join(dir, 'tsconfig.json');
  if (!existsSync(tsconfig)) return undefined;
  let options: { rootDir?: string; outDir?: string; tsBuildInfoFile?: string };
  try {
    options = (JSON.parse(readFileSync(tsconfig, 'utf8')) as { compilerOptions?: typeof options }).compilerOptions ?? {};
  } catch {
    return undefined;
  }
  if (!options.rootDir || !options.outDir) return undefined;
  return {
    dir,
    tsconfig,
    rootDir: resolve(dir, options.rootDir),
    outDir: resolve(dir, options.outDir),
    ...(options.tsBuildInfoFile ? { tsBuildInfoFile: resolve(dir, options.tsBuildInfoFile) } : {}),
  };
}

/**
 * The TypeScript project that compiles `modulePath`: the nearest `tsconfig.json` above it whose
 * `outDir` contains it. Undefined for a module no project here compiles (plain JavaScript).
 */
export function projectOfModule(modulePath: string): TypeScriptProject | undefined {
  const absolute = resolve(modulePath);
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    const project = readTypeScriptProject(dir);
    if (project && isInside(absolute, project.outDir)) return project;
    if (dirname(dir) === dir) return undefined;
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel);
}

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Whether `outDir` holds a current compile of `rootDir`: every `src/x.ts` needs `lib/x.js` no
 * older than itself (with `isolatedModules` each output depends on its own source only), and
 * `tsconfig.json` may not be newer than the last successful build, and the build info (when the
 * tsconfig names one) may not record errors: tsc writes outputs even for sources with errors. One
 * stat per source and output, one read of the build info; no compiler is loaded. A file changed while the compiler ran counts as stale the next time only
 * when its time stamp is after its output's; touching a file without changing it makes it stale
 * (safe direction: a rebuild, never a stale render).
 */
export function checkBuildFreshness(project: TypeScriptProject): BuildFreshness {
  const reasons: string[] = [];
  const olderOutputs: string[] = [];
  let missingOutputs = false;
  let count = 0;
  const show = (path: string) => relative(project.dir, path).split(sep).join('/');
  let newestOutput = 0;
  let failedCompile = false;
  for (const source of sources(project.rootDir)) {
    const output = join(project.outDir, relative(project.rootDir, source)).replace(/\.ts$/, '.js');
    const sourceTime = mtimeOf(source) ?? 0;
    const outputTime = mtimeOf(output);
    if (outputTime !== undefined) newestOutput = Math.max(newestOutput, outputTime);
    if (outputTime === undefined || sourceTime > outputTime) {
      count += 1;
      if (outputTime === undefined) missingOutputs = true;
      else olderOutputs.push(output);
      if (reasons.length < MAX_REASONS) {
        reasons.push(outputTime === undefined ? `${show(output)} is missing (source ${show(source)})` : `${show(source)} changed after ${show(output)} was built`);
      }
    }
  }
  const stamp = mtimeOf(join(project.outDir, BUILD_STAMP));
  const configTime = mtimeOf(project.tsconfig) ?? 0;
  const configChanged = configTime > (stamp ?? newestOutput);
  if (configChanged) {
    count += 1;
    if (reasons.length < MAX_REASONS) reasons.push(`${show(project.tsconfig)} changed after the last build`);
  }
  // tsc emits even when it reports errors: outputs newer than their sources may be a failed compile's
  if (project.tsBuildInfoFile) {
    for (const file of recordedErrorFiles(project.tsBuildInfoFile)) {
      count += 1;
      failedCompile = true;
      if (reasons.length < MAX_REASONS) {
        reasons.push(file ? `the last compile reported errors in ${show(file)} (${show(project.tsBuildInfoFile)})` : `the last compile reported errors (${show(project.tsBuildInfoFile)})`);
      }
    }
  }
  if (count > reasons.length) reasons.push(`and ${count - reasons.length} more`);
  return { fresh: count === 0, reasons, olderOutputs, missingOutputs, configChanged, failedCompile };
}
