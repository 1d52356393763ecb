import { createHash } from 'node:crypto';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { leftWorkUndone, readBuildInfo } from './build-info.js';
import { checkBuildFreshness, type BuildFreshness, type TypeScriptProject } from './build-freshness.js';

function installedTypeScriptVersion(project: TypeScriptProject): string | undefined {
  try {
    return (createRequire(join(project.dir, 'package.json'))('typescript/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Sources that are stale by time stamp only: touched, checked out again or saved without a change.
 * When every stale output's source has exactly the content (SHA-256, as TypeScript records it
 * in `tsBuildInfoFile`) that the last clean incremental compile compiled, that compile's output
 * is the output of the current sources (with `isolatedModules` each output depends on its own
 * source only), so no compiler needs to run: the outputs get the current time and the project is
 * checked again. Nothing is changed unless every condition holds: a build info from the installed
 * TypeScript with nothing pending, no missing output, an unchanged `tsconfig.json`, and each stale
 * source's hash equal to its recorded version. Returns the freshness after that (the given one
 * when any condition fails, so the caller compiles as before).
 */
export function confirmUnchangedSources(project: TypeScriptProject, freshness: BuildFreshness): BuildFreshness {
  if (freshness.fresh || freshness.missingOutputs || freshness.configChanged || !project.tsBuildInfoFile) return freshness;
  const info = readBuildInfo(project.tsBuildInfoFile);
  if (!info?.fileNames || !info.fileInfos || leftWorkUndone(info)) return freshness;
  if (!info.version || info.version !== installedTypeScriptVersion(project)) return freshness;
  const base = dirname(project.tsBuildInfoFile);
  const recorded = new Map<string, string | undefined>();
  info.fileNames.forEach((name, i) => {
    const entry = info.fileInfos![i];
    recorded.set(resolve(base, name), typeof entry === 'string' ? entry : entry?.version);
  });
  // the outputs get a time no older than any confirmed source (a source's time may be in the future)
  let stamp = Date.now();
  for (const output of freshness.olderOutputs) {
    const source = join(project.rootDir, relative(project.outDir, output)).replace(/\.js$/, '.ts');
    const version = recorded.get(source);
    let content: Buffer;
    try {
      content = readFileSync(source);
      stamp = Math.max(stamp, statSync(source).mtimeMs);
    } catch {
      return freshness;
    }
    if (!version || createHash('sha256').update(content).digest('hex') !== version) return freshness;
  }
  const time = new Date(Math.ceil(stamp) + 1); // whole milliseconds: never a fraction older than the source
  for (const output of freshness.olderOutputs) utimesSync(output, time, time);
  return checkBuildFreshness(project);
}
