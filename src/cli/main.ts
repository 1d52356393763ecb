#!/usr/bin/env node
/**
 * The `lambda-gitops` command line. Each subcommand lives in `./commands/<name>.js` and exports
 * `run(args: string[]): Promise<number>` (the exit code) and a one-line `summary`.
 * Exit codes: 0 success, 1 a finding (policy failure, does not fit, diff risk gate), 2 bad input or usage.
 * Every failure prints one line (`lambda-gitops <command>: path: message`); `--debug` (any
 * position) adds the stack trace.
 */
import { CliInputError, describeError } from './cli-error.js';
import { isEntryPoint } from './entry-point.js';
import { SecretScrubber } from '../masking/secret-scrubber.js';

/** A CLI subcommand module. */
export interface CommandModule {
  /** One line for `lambda-gitops --help`. */
  readonly summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, string> = {
  synth: './commands/synth.js',
  init: './commands/init.js',
  check: './commands/check.js',
  diff: './commands/diff.js',
  comment: './commands/comment.js',
  publish: './commands/publish.js',
  plan: './commands/plan.js',
  catalog: './commands/catalog.js',
  nodes: './commands/nodes.js',
};

/** Thrown for usage errors; printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

async function load(name: string): Promise<CommandModule> {
  return (await import(COMMANDS[name])) as CommandModule;
}

async function help(): Promise<string> {
  const lines = ['Usage: lambda-gitops <command> [options]', '', 'Commands:'];
  for (const name of Object.keys(COMMANDS)) {
    try {
      lines.push(`  ${name.padEnd(10)}${(await load(name)).summary}`);
    } catch {
      // a command whose module is not built is not listed
    }
  }
  lines.push('', "Run 'lambda-gitops <command> --help' for a command's options.");
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await help()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    const { createRequire } = await import('node:module');
    process.stdout.write(`${createRequire(import.meta.url)('../../package.json').version}\n`);
    return 0;
  }
  if (!(name in COMMANDS)) {
    process.stderr.write(`lambda-gitops: unknown command '${name}'\n${await help()}\n`);
    return 2;
  }
  try {
    return await (await load(name)).run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(new SecretScrubber().scrubText(`lambda-gitops ${name}: ${error.message}\n`));
      return 2;
    }
    // any other failure is bad input (a file that cannot be read or written, an app that throws): one line
    process.stderr.write(new SecretScrubber().scrubText(`lambda-gitops ${name}: ${describeError(error)}\n`));
    if (debug) {
      const cause = error instanceof CliInputError && error.cause instanceof Error ? error.cause : error;
      process.stderr.write(`${(cause as Error).stack ?? String(cause)}\n`);
    }
    return 2;
  }
}

/**
 * An error of standard output or error (they are written asynchronously). A reader that went away
 * (`lambda-gitops check --include-passes | head`: EPIPE) ends the output, not the command: the
 * stream is destroyed, so the rest of the output is dropped, and the command ends with its own
 * exit code, as it would have with the whole output read. Any other failure is one line on
 * standard error (when that still works) and exit code 2.
 */
function outputFailed(this: NodeJS.WriteStream, error: NodeJS.ErrnoException): void {
  this.destroy();
  if (error.code === 'EPIPE') return;
  // whichever comes first, this or the command's own exit code, the process ends with 2
  outputFailure = true;
  process.exitCode = 2;
  if (this !== process.stderr && !process.stderr.destroyed) {
    process.stderr.write(`lambda-gitops: cannot write standard output: ${describeError(error)}\n`);
  }
}

/** Whether writing standard output or error failed (other than EPIPE): exit code 2. */
let outputFailure = false;

/** Commands that run under a heap limit of their own (see ./heap-limit.ts). */
const HEAP_LIMITED_COMMANDS = new Set(['diff']);

/**
 * {@link main}, or for a command in {@link HEAP_LIMITED_COMMANDS} this command line again in a child
 * node under the heap limit, when this process's limit is higher.
 */
async function underHeapLimitOrHere(argv: string[]): Promise<number> {
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  if (!HEAP_LIMITED_COMMANDS.has(name) || rest.includes('--help') || rest.includes('-h')) return main(argv);
  const { HeapLimitSettingError, heapLimitForThisProcess, runUnderHeapLimit } = await import('./heap-limit.js');
  let limitMb: number | undefined;
  try {
    limitMb = heapLimitForThisProcess();
  } catch (error) {
    if (!(error instanceof HeapLimitSettingError)) throw error;
    process.stderr.write(new SecretScrubber().scrubText(`lambda-gitops ${name}: ${error.message}\n`));
    return 2;
  }
  if (limitMb !== undefined) return runUnderHeapLimit(name, limitMb, argv);
  if (argv.includes('--debug')) {
    const { getHeapStatistics } = await import('node:v8');
    process.stderr.write(`lambda-gitops ${name}: V8 heap limit ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MiB\n`);
  }
  return main(argv);
}

/**
 * Runs the CLI as the process's command: {@link main} with `argv`, its result as the exit code; an
 * error that escapes it is one scrubbed line (its stack with `--debug`) and exit code 2.
 */
export function runEntryPoint(argv: string[]): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', outputFailed);
  underHeapLimitOrHere(argv).then((code) => {
    process.exitCode = outputFailure ? 2 : code;
  }, (error: Error) => {
    process.stderr.write(new SecretScrubber().scrubText(`lambda-gitops: ${argv.includes('--debug') ? error.stack ?? error.message : describeError(error)}\n`));
    process.exitCode = 2;
  });
}

if (isEntryPoint(import.meta.url)) runEntryPoint(process.argv.slice(2));
