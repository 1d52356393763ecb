import { App } from 'cdk8s';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliInputError } from '../cli-error.js';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { synthApp } from '../synth-app.js';

export const summary = 'render an app (default: the embedded Lambda Labs platform) into a Flux tree';

const HELP = `Usage: lambda-gitops synth [--app MODULE] [--out DIR] [--no-gate]

Renders the app into DIR atomically: objects are validated against the Kubernetes 1.28 and CRD
schemas and the policy gate first, and DIR is only replaced when everything passes.

Options:
  --app MODULE  an ES module exporting buildApp(app: App): void (or a default export of the same
                shape); default: the embedded Lambda Labs platform
  --out DIR     output directory (default: dist)
  --no-gate     skip the policy gate (schema validation still runs)
`;

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
  if (typeof builder !== 'function') throw new UsageError(`${modulePath} exports neither buildApp(app) nor a default function`);
  return builder;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions({ args, options: { app: { type: 'string' }, out: { type: 'string' }, 'no-gate': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  return synthApp(await loadBuilder(values.app), { outdir: values.out, gate: !values['no-gate'], errorPrefix: 'lambda-gitops synth: ' });
}
