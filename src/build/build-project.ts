import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { BUILD_STAMP, checkBuildFreshness, type BuildFreshness, type TypeScriptProject } from './build-freshness.js';
import { confirmUnchangedSources } from './unchanged-sources.js';

/** Thrown when a project cannot be compiled; the compiler's own messages were already printed. */
export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

function runTsc(project: TypeScriptProject): number {
  let tsc: string;
  try {
    tsc = createRequire(join(project.dir, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new BuildError(`${relative(process.cwd(), project.tsconfig) || 'tsconfig.json'}: cannot compile: the package 'typescript' is not installed in ${project.dir}`);
  }
  // compiler diagnostics go to stderr: `cdk8s synth` swallows the app's stdout
  const result = spawnSync(process.execPath, [tsc, '-p', project.tsconfig], { cwd: project.dir, stdio: ['ignore', 2, 2] });
  return result.status ?? 1;
}

/**
 * Compiles `project` with its own TypeScript (`tsc -p tsconfig.json`, incremental when the
 * tsconfig says so) and checks the result is fresh. An incremental compile does not rewrite the
 * output of a source whose content it already compiled (a touched or checked-out-again file), and
 * a source may carry a time in the future (clock skew, a copied tree): an output older than its
 * source after a clean compile is confirmed by the source's SHA-256 in the new build info and gets
 * a time no older than the source ({@link confirmUnchangedSources}); any other output older than
 * its source gets the current time (tsc rewrote it just now). When the build info claims outputs that are missing, it is
 * deleted and the compile runs once more from scratch. Throws {@link BuildError} when compiling
 * fails or leaves stale output.
 */
export function buildProject(project: TypeScriptProject): void {
  const config = relative(process.cwd(), project.tsconfig) || 'tsconfig.json';
  for (let attempt = 0; attempt < 2; attempt++) {
    if (runTsc(project) !== 0) throw new BuildError(`${config}: tsc failed (errors above); nothing was rendered`);
    // tsc just compiled with the current tsconfig.json: stamp first, so a changed config is settled
    writeFileSync(join(project.outDir, BUILD_STAMP), `${new Date().toISOString()}\n`);
    let freshness = checkBuildFreshness(project);
    if (!freshness.fresh && !freshness.missingOutputs) {
      if (project.tsBuildInfoFile) freshness = confirmUnchangedSources(project, freshness);
      if (!freshness.fresh && !freshness.missingOutputs) freshness = touchOutputs(project, freshness);
    }
    if (freshness.fresh) return;
    if (!project.tsBuildInfoFile || attempt === 1) {
      throw new BuildError(`${config}: output still stale after tsc: ${freshness.reasons.join('; ')}`);
    }
    rmSync(project.tsBuildInfoFile, { force: true });
  }
}

/** tsc wrote or confirmed every output just now: one older than its source lost a race with the clock. */
function touchOutputs(project: TypeScriptProject, freshness: BuildFreshness): BuildFreshness {
  const now = new Date();
  for (const output of freshness.olderOutputs) utimesSync(output, now, now);
  return checkBuildFreshness(project);
}
