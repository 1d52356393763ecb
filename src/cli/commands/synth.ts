import { App } from 'cdk8s';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SynthesisError } from '../../render/synthesize.js';
import { renderApp } from '../../render/render-app.js';
import { defaultValidators } from '../../render/default-validators.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';

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
  const module = await import(pathToFileURL(resolve(modulePath)).href) as { buildApp?: (app: App) => void; default?: (app: App) => void };
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
  const app = new App();
  (await loadBuilder(values.app))(app);
  try {
    const result = await renderApp(app, { outdir: values.out ?? 'dist', validators: defaultValidators({ gate: !values['no-gate'], outdir: values.out ?? 'dist' }) });
    process.stdout.write(`rendered ${result.files.length} files into ${result.outdir}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SynthesisError) {
      process.stderr.write(`lambda-gitops synth: ${error.message}\n(the previous ${values.out ?? 'dist'}/ was left untouched)\n`);
      return 1;
    }
    throw error;
  }
}
