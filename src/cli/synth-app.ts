import { App } from 'cdk8s';
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { isUnderKernelFilesystem } from '../core/kernel-filesystems.js';
import { createGateReceipt, normalizeGateOptions, writeGateReceipt } from '../policy/gate-receipt.js';
import type { CheckReport } from '../policy/index.js';
import { defaultValidators } from '../render/default-validators.js';
import { renderApp } from '../render/render-app.js';
import { SynthesisError } from '../render/synthesize.js';
import { recoverInterruptedSwap, TreeSwapIncompleteError } from '../render/atomic-write.js';

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
  /**
   * Print stack traces of unexpected errors.
   * @default false
   */
  readonly debug?: boolean;
}

function describeError(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return String(error);
  return debug && error.stack ? error.stack : error.message;
}

/** Why `outdir` cannot hold the rendered tree (checked before anything is built), if it cannot. */
function unusableOutdir(outdir: string): string | undefined {
  if (isUnderKernelFilesystem(outdir)) return 'the output directory cannot be under /proc or /sys (kernel files)';
  const existing = statSync(outdir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) return 'exists and is not a directory; --out needs a directory (it is replaced whole by the rendered tree)';
  return undefined;
}

/**
 * Builds an app with `build` and renders it through the validated, atomic path, reporting on
 * stdout/stderr. A swap of `outdir` that an interrupted render committed is finished first (and
 * said on stderr), so a half-replaced tree never outlives the next synth, even a failing one. Resolves to the exit code: 0 rendered, 1 validation failed (the previous tree
 * is left untouched), 2 the app could not be built (an invalid construct prop names the construct
 * path and the prop; no stack trace unless `debug`).
 *
 * Under `cdk8s synth` (`CDK8S_OUTDIR` set) the summary goes to stderr, because cdk8s-cli discards
 * the app's stdout, and the gate's result is left beside the mirrored tree for the validation
 * plugin ({@link PolicyGatePlugin}), bound to the tree by its SHA-256, so the plugin reports it
 * instead of evaluating the same tree a second time.
 */
export async function synthApp(build: (app: App) => void, options: SynthAppOptions = {}): Promise<number> {
  const outdir = options.outdir ?? 'dist';
  const prefix = options.errorPrefix ?? '';
  const debug = options.debug ?? false;
  const unusable = unusableOutdir(outdir);
  if (unusable) {
    process.stderr.write(`${prefix}${outdir}: ${unusable}\n`);
    return 2;
  }
  // a swap an earlier render committed is finished first, whatever happens to this render
  try {
    for (const line of recoverInterruptedSwap(outdir)) process.stderr.write(`${prefix}${line}\n`);
  } catch (error) {
    process.stderr.write(`${prefix}${describeError(error, debug)}\n`);
    return 2;
  }
  const app = new App();
  try {
    build(app);
  } catch (error) {
    // one line (the construct path, the prop, what is allowed); the stack only with --debug
    process.stderr.write(`${prefix}${describeError(error, debug)}${debug ? '\n' : ' '}(the app could not be built; the previous ${outdir}/ was left untouched)\n`);
    return 2;
  }
  let gate: { report: CheckReport; options: { severity: 'error'; disable: string[] } } | undefined;
  try {
    const result = await renderApp(app, {
      outdir,
      validators: defaultValidators({ gate: options.gate ?? true, outdir, onGateReport: (report, runOptions) => { gate = { report, options: runOptions }; } }),
    });
    const objects = result.files.filter((f) => f.manifest).length;
    const where = `${relative(process.cwd(), result.outdir) || '.'}/`;
    if (result.mirror && gate) {
      const receipt = createGateReceipt(result.files, normalizeGateOptions(gate.options), gate.report, true, { outdir: where, objects });
      writeGateReceipt(result.mirror, receipt);
    }
    const s = gate?.report.summary;
    const checked = s ? `schemas valid; policy gate: ${s.fail} failed, ${s.warn} warnings, ${s.skip} exempted, ${s.pass} passed` : 'schemas valid; policy gate not run (--no-gate)';
    const line = `rendered ${objects} objects in ${result.files.length} files into ${where} (${checked})\n`;
    (process.env.CDK8S_OUTDIR ? process.stderr : process.stdout).write(line);
    return 0;
  } catch (error) {
    if (error instanceof SynthesisError) {
      const count = error.problems.length;
      process.stderr.write(`${error.problems.join('\n')}\n${prefix}${count} problem${count === 1 ? '' : 's'}: nothing was written; the previous ${outdir}/ was left untouched\n`);
      return 1;
    }
    if (error instanceof TreeSwapIncompleteError) {
      process.stderr.write(`${prefix}${describeError(error, debug)}\n`);
      return 2;
    }
    process.stderr.write(`${prefix}${describeError(error, debug)}\n${prefix}nothing was written; the previous ${outdir}/ was left untouched\n`);
    return 2;
  }
}
