import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';

/**
 * The V8 heap limit the `diff` command runs under.
 *
 * Node's own limit on a 64-bit machine with enough memory is about 4 GB, and V8 lets the heap grow
 * towards it whenever garbage is made quickly: a diff of 10^6 changed one-document files holds
 * about 180 MB of live data but reached 1.31 GB with the default limit, because the collector ran
 * late, not because the data needed it. Under a 700 MB limit the same diff finishes at 658 MB with
 * the same bytes. A running Node cannot lower its own limit (`v8.setFlagsFromString` after start-up
 * has no effect), so the command line starts the command again in a child `node` with
 * `--max-old-space-size` ({@link runUnderHeapLimit}). Standard input and output are the child's
 * own; standard error passes through, except V8's report when the heap limit is reached, which is
 * replaced by one line that names the setting. The child's temporary files (the diff's spill of
 * masked changes) go to a directory of the parent's, removed when the child ends however it ends,
 * so a child killed by the heap limit or a signal leaves nothing behind.
 */

/** Environment variable with the heap limit in MiB; `0` keeps Node's own limit. */
export const HEAP_LIMIT_ENV = 'LAMBDA_GITOPS_HEAP_MB';

/** Set in the child so that it does not start itself again. */
const CHILD_MARK_ENV = 'LAMBDA_GITOPS_HEAP_LIMITED';

/**
 * Heap limit (MiB of V8 old space) the `diff` command sets for itself.
 * @default 700
 */
export const DEFAULT_DIFF_HEAP_MB = 700;

/** Smallest limit accepted in {@link HEAP_LIMIT_ENV}: below it Node cannot load the command. */
export const MIN_HEAP_MB = 64;

/** A bad {@link HEAP_LIMIT_ENV} value. */
export class HeapLimitSettingError extends Error {
  constructor(value: string) {
    super(`${HEAP_LIMIT_ENV}=${JSON.stringify(value)}: must be a whole number of MiB, at least ${MIN_HEAP_MB}, or 0 to keep Node's own heap limit`);
    this.name = 'HeapLimitSettingError';
  }
}

/** What decides whether a command starts itself again under a heap limit. */
export interface HeapLimitContext {
  /** The environment (`process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Node's own options of this process (`process.execArgv`). */
  readonly execArgv: readonly string[];
  /** This process's heap limit in bytes (`v8.getHeapStatistics().heap_size_limit`). */
  readonly heapSizeLimit: number;
}

function setsOldSpace(options: string): boolean {
  return /(^|\s)--max[-_]old[-_]space[-_]size(=|\s|$)/.test(options);
}

/**
 * The limit in MiB to start the command again with, or `undefined` to run it in this process: when
 * this process is already the child, when {@link HEAP_LIMIT_ENV} is `0`, when the user set
 * `--max-old-space-size` (in `NODE_OPTIONS` or on node's command line), or when this process's
 * limit is already no higher.
 * @throws HeapLimitSettingError for a {@link HEAP_LIMIT_ENV} that is not a number of MiB.
 */
export function heapLimitToSet(context: HeapLimitContext, defaultMb = DEFAULT_DIFF_HEAP_MB): number | undefined {
  const { env, execArgv, heapSizeLimit } = context;
  if (env[CHILD_MARK_ENV] === '1') return undefined;
  const setting = env[HEAP_LIMIT_ENV]?.trim();
  let limitMb = defaultMb;
  if (setting !== undefined && setting !== '') {
    if (!/^\d+$/.test(setting)) throw new HeapLimitSettingError(setting);
    limitMb = Number(setting);
    if (limitMb === 0) return undefined;
    if (limitMb < MIN_HEAP_MB) throw new HeapLimitSettingError(setting);
  }
  if (setsOldSpace(env.NODE_OPTIONS ?? '') || setsOldSpace(execArgv.join(' '))) return undefined;
  // the heap limit counts the young generation too, which --max-old-space-size does not
  if (heapSizeLimit <= limitMb * 1024 * 1024) return undefined;
  return limitMb;
}

/** {@link heapLimitToSet} for this process. */
export function heapLimitForThisProcess(defaultMb = DEFAULT_DIFF_HEAP_MB): number | undefined {
  return heapLimitToSet({ env: process.env, execArgv: process.execArgv, heapSizeLimit: getHeapStatistics().heap_size_limit }, defaultMb);
}

/** The line printed instead of V8's report when the child reaches its heap limit. */
export function heapExhaustedLine(command: string, limitMb: number): string {
  return `lambda-gitops ${command}: needed more than the ${limitMb} MiB heap limit it runs under; run it again with ${HEAP_LIMIT_ENV} set higher (in MiB), or ${HEAP_LIMIT_ENV}=0 for Node's own limit`;
}

/** Where V8's report of a process that reached its heap limit starts on standard error. */
const V8_HEAP_REPORT = /<--- Last few GCs --->|FATAL ERROR: .*(heap limit|heap out of memory)/;

/**
 * Runs this command line again in a child `node` whose old space is capped at `limitMb`, with the
 * same script, arguments, environment and standard input and output; resolves to the exit code
 * to end with. A signal that ends the child ends this process the same way; SIGINT, SIGTERM and
 * SIGHUP sent to this process are passed on to the child.
 */
export function runUnderHeapLimit(command: string, limitMb: number, argv: readonly string[]): Promise<number> {
  const script = process.argv[1];
  const temporary = mkdtempSync(join(tmpdir(), `lambda-gitops-${command}-`));
  const removeTemporary = (): void => rmSync(temporary, { recursive: true, force: true });
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${limitMb}`, script, ...argv], {
    env: { ...process.env, [CHILD_MARK_ENV]: '1', TMPDIR: temporary },
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const signal of forwarded) process.on(signal, forward);
  // standard error is passed on in whole lines, and blank lines only once something follows them,
  // so that nothing of V8's report (which starts with a blank line) is printed
  let pending = '';
  let blank = '';
  let exhausted = false;
  const pass = (lines: string): void => {
    if (exhausted) return;
    const report = V8_HEAP_REPORT.exec(lines);
    if (report) {
      exhausted = true;
      lines = lines.slice(0, lines.lastIndexOf('\n', report.index) + 1);
    }
    const text = blank + lines;
    const content = text.replace(/\n+$/, '\n');
    blank = exhausted ? '' : text.slice(content.length);
    if (content.trim() !== '') process.stderr.write(content);
    else blank = text;
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    pending += chunk;
    const end = pending.lastIndexOf('\n');
    if (end < 0) return;
    pass(pending.slice(0, end + 1));
    pending = pending.slice(end + 1);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      for (const signal of forwarded) process.off(signal, forward);
      removeTemporary();
      reject(error);
    });
    child.on('close', (code, signal) => {
      for (const signal of forwarded) process.off(signal, forward);
      removeTemporary();
      if (pending) pass(pending);
      if (!exhausted && blank) process.stderr.write(blank);
      if (exhausted) {
        process.stderr.write(`${heapExhaustedLine(command, limitMb)}\n`);
        resolve(2);
      } else if (signal) {
        process.kill(process.pid, signal);
        // reached only for a signal whose default action does not end the process
        resolve(128 + (constants.signals[signal] ?? 0));
      } else {
        resolve(code ?? 2);
      }
    });
  });
}
