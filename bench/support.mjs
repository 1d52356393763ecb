// Shared helpers of the benchmarks: machine load, growth exponents, child-process workers.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `load average 1m 5m 15m on N cores`, to print beside every figure (ratios are the result; absolute times depend on it). */
export function machineLoad() {
  const [one, five, fifteen] = loadavg();
  return `load average ${one.toFixed(2)} ${five.toFixed(2)} ${fifteen.toFixed(2)} on ${cpus().length} cores`;
}

/** Growth exponent k of t ~ n^k between two sizes: 1 is linear, below 1 means a fixed part dominates the small size. */
export function exponent(n1, t1, n2, t2) {
  return Math.log(t2 / t1) / Math.log(n2 / n1);
}

/** Formats an exponent against its ceiling: `1.02 (target <= 1.15: met)`. */
export function exponentVerdict(k, ceiling) {
  return `${k.toFixed(2)} (target <= ${ceiling}: ${k <= ceiling ? 'met' : 'NOT met'})`;
}

/**
 * Runs bench/workers/NAME.mjs in a fresh Node process (so each size pays its own start-up, as a
 * user's run does) and returns the JSON object it prints on its last line.
 */
export function runWorker(name, args, options = {}) {
  const out = execFileSync(process.execPath, [join(here, 'workers', `${name}.mjs`), ...args.map(String)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...options });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * Milliseconds of a synchronous or asynchronous function, with its result: `ms` wall, `cpuMs` the
 * process' CPU (user + system, all its threads: V8's compiler and GC threads included), which a
 * busy machine disturbs far less than wall time.
 */
export async function timed(fn) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000, value };
}
