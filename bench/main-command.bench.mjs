// The README's main command against the render it wraps, measured in the same run on this
// repository (issue 14): `npx cdk8s synth --no-check-upgrade` (npx, cdk8s-cli, the app through
// `lambda-gitops synth --build`, the validation plugin) against `node lib/main.js` (the same render,
// schema check and gate, nothing else), on an unchanged tree and after touching one source (which
// compiles src/ incrementally). Both rewrite dist/ with the same bytes. Medians of 3; wall and CPU
// seconds (user+sys of the process tree, from /usr/bin/time when present). Target: unchanged tree
// within 1.5x of `node lib/main.js`.
import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

function measure(command, args) {
  const timed = existsSync(TIME);
  const start = performance.now();
  const result = spawnSync(timed ? TIME : command, timed ? ['-f', '@@%U %S %M', command, ...args] : args, { cwd: root, encoding: 'utf8' });
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const usage = /@@([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  return { wall, cpu: usage ? Number(usage[1]) + Number(usage[2]) : NaN, output: result.stdout + result.stderr };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function runs(label, command, args, before = () => {}) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    before();
    samples.push(measure(command, args));
  }
  const result = { label, wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)), output: samples[0].output };
  console.log(`${label.padEnd(48)} ${result.wall.toFixed(2)} s wall, ${Number.isNaN(result.cpu) ? '?' : result.cpu.toFixed(2)} CPU-s (median of 3)`);
  return result;
}

export default function () {
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim().split(' ').slice(0, 3).join(' ');
  console.log(`load average ${load} (ratios are within this run)`);
  measure('npx', ['cdk8s', 'synth', '--no-check-upgrade']); // warm: lib/ current, caches filled
  const base = runs('node lib/main.js', process.execPath, ['lib/main.js']);
  const unchanged = runs('npx cdk8s synth (unchanged tree)', 'npx', ['cdk8s', 'synth', '--no-check-upgrade']);
  if (/tsc/.test(unchanged.output) || !/result of the render's gate for this tree/.test(unchanged.output)) {
    throw new Error(`expected no compile and one gate run on an unchanged tree:\n${unchanged.output.slice(0, 2000)}`);
  }
  const source = join(root, 'src/main.ts');
  const changed = runs('npx cdk8s synth (src/main.ts touched)', 'npx', ['cdk8s', 'synth', '--no-check-upgrade'], () => {
    const now = new Date(Date.now() + 1000);
    utimesSync(source, now, now);
  });
  for (const r of [unchanged, changed]) {
    console.log(`${r.label}: ${(r.wall / base.wall).toFixed(2)}x wall, ${(r.cpu / base.cpu).toFixed(2)}x CPU of node lib/main.js`);
  }
}
