import { App } from 'cdk8s';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkBuildFreshness, projectOfModule, readTypeScriptProject, type TypeScriptProject } from '../../build/build-freshness.js';
import { BuildError, buildProject } from '../../build/build-project.js';
import { confirmUnchangedSources } from '../../build/unchanged-sources.js';
import { CliInputError } from '../cli-error.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { synthApp } from '../synth-app.js';

export const summary = 'render an app (default: the embedded Lambda Labs platform) into a Flux tree';

const HELP = `Usage: lambda-gitops synth [--app MODULE] [--out DIR] [--no-gate] [--build] [--debug]

Renders the app into DIR atomically: objects are validated against the Kubernetes 1.28 and CRD
schemas and the policy gate first, and DIR is only replaced when everything passes.

A compiled app is only rendered when its output is current: when MODULE lies in the outDir of a
tsconfig.json (rootDir and outDir set), every source must be older than its output, or have the
content (SHA-256) the last clean incremental compile recorded for it in its tsBuildInfoFile,
and that build info may not record errors (tsc writes output even for a source with errors).
Without --build a stale output is refused (exit 2) with the files that changed.

Options:
  --app MODULE  an ES module exporting buildApp(app: App): void (or a default export of the same
                shape); default: the embedded Lambda Labs platform
  --out DIR     output directory (default: dist)
  --no-gate     skip the policy gate (schema validation still runs)
  --build       compile stale output first (tsc -p tsconfig.json with the project's TypeScript)
  --debug       print stack traces of unexpected errors
`;

/** The package's own project, when this is a checkout with sources (not an installed package). */
function ownProject(): TypeScriptProject | undefined {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return existsSync(join(root, 'src')) ? readTypeScriptProject(root) : undefined;
}

/** Loads the app-building function from a module path. */
async function loadBuilder(modulePath: string | undefined): Promise<(app: App) => void> {
  if (!modulePath) return (await import('../../main.js')).buildDefaultPlatform;
  if (!existsSync(modulePath)) throw new CliInputError(`${modulePath}: no such file (--app)`);
  let module: { buildApp?: (app: App) => void; default?: (app: App) => void };
  try {
    module = await import(pathToFileURL(resolve(modulePath)).href) as typeof module;
  } catch (error) {
    throw new CliInputError(`${modulePath}: cannot load the module: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const builder = module.buildApp ?? module.default;
  if (typeof builder !== 'function') throw new UsageError(`${modulePath}: exports neither buildApp(app) nor a default function`);
  return builder;
}

/** Set in the environment of the re-run after a build, so a build happens at most once. */
const REBUILT = 'LAMBDA_GITOPS_SYNTH_REBUILT';

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions({
    args,
    options: {
      app: { type: 'string' }, out: { type: 'string' }, 'no-gate': { type: 'boolean' }, build: { type: 'boolean' },
      debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const appMissing = !!values.app && !existsSync(resolve(values.app));
  if (appMissing && (!values.build || process.env[REBUILT])) throw new UsageError(`${values.app}: no such file (--app; compile the app first, or pass --build)`);
  // the package's own lib/ (this code) and the app's compiled output must both be current
  const own = ownProject();
  const projects = [own, values.app ? projectOfModule(values.app) : undefined]
    .filter((p): p is TypeScriptProject => !!p)
    .filter((p, i, all) => all.findIndex((q) => q.tsconfig === p.tsconfig) === i);
  let builtOwn = false;
  for (const project of projects) {
    // a source touched without a change (same SHA-256 as the last clean compile) needs no compiler
    const freshness = confirmUnchangedSources(project, checkBuildFreshness(project));
    if (freshness.fresh) continue;
    const where = relative(process.cwd(), project.outDir) || '.';
    if (!values.build || process.env[REBUILT]) {
      process.stderr.write(`lambda-gitops synth: ${where}/ is stale, not rendering it:\n${freshness.reasons.map((r) => `  ${r}`).join('\n')}\n`
        + `run 'npx tsc -p ${relative(process.cwd(), project.tsconfig) || 'tsconfig.json'}' (or pass --build)\n`);
      return 2;
    }
    try {
      buildProject(project);
    } catch (error) {
      if (error instanceof BuildError) {
        process.stderr.write(`lambda-gitops synth: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    builtOwn ||= project === own;
  }
  if (builtOwn) {
    // this command's own modules were loaded from the stale lib/: render in a fresh process (the
    // app's modules are imported only below, so a rebuilt app alone needs no second process)
    const rerun = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [REBUILT]: '1' } });
    return rerun.status ?? 1;
  }
  if (values.app && !existsSync(resolve(values.app))) throw new UsageError(`${values.app}: no such file, and no TypeScript source compiles to it`);
  return synthApp(await loadBuilder(values.app), { outdir: values.out, gate: !values['no-gate'], errorPrefix: 'lambda-gitops synth: ', debug: values.debug || process.argv.includes('--debug') });
}
