import { App } from 'cdk8s';
import { CliInputError } from './cli-error.js';
import { defaultValidators } from '../render/default-validators.js';
import { renderApp } from '../render/render-app.js';
import { SynthesisError } from '../render/synthesize.js';

/** Options of {@link synthApp}. */
export interface SynthAppOptions {
  /**
   * Output directory, replaced atomically.
   * @default 'dist'
   */
  readonly outdir?: string;
  /**
   * Run the policy gate as well as schema validation.
   * @default true
   */
  readonly gate?: boolean;
  /**
   * Prefix of the error message (e.g. the command name).
   * @default ''
   */
  readonly errorPrefix?: string;
}

/**
 * Builds an app with `build` and renders it through the validated, atomic path, reporting on
 * stdout/stderr. Resolves to the exit code: 0 rendered, 1 validation failed (the previous tree
 * is left untouched).
 * @throws CliInputError when `build` throws (a construct's invalid props): the CLI exits 2.
 */
export async function synthApp(build: (app: App) => void, options: SynthAppOptions = {}): Promise<number> {
  const outdir = options.outdir ?? 'dist';
  const app = new App();
  try {
    build(app);
  } catch (error) {
    // a construct's props error (it names the construct path and the prop): bad input
    throw new CliInputError(error instanceof Error ? error.message.split('\n')[0] : String(error), { cause: error });
  }
  try {
    const result = await renderApp(app, { outdir, validators: defaultValidators({ gate: options.gate ?? true, outdir }) });
    process.stdout.write(`rendered ${result.files.length} files into ${result.outdir}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SynthesisError) {
      process.stderr.write(`${options.errorPrefix ?? ''}${error.message}\n(the previous ${outdir}/ was left untouched)\n`);
      return 1;
    }
    throw error;
  }
}
