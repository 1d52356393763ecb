// The README's main command against the render it wraps, measured in the same run on this
// repository (issue 14): `npx cdk8s synth --no-check-upgrade` (npx, cdk8s-cli, the app that
// cdk8s.yaml names, the validation plugin) against `node lib/main.js` (the same render, schema
// check and gate, nothing else). Both rewrite dist/ with the same bytes. Medians of 3; wall and CPU
// seconds (user+sys of the process tree, from /usr/bin/time when present).
//
// The breakdown says where the main command's time goes: the floor that no app or plugin can
// remove (npx resolving the bin, cdk8s-cli loading its modules: `cdk8s --version` does only
// that), the app alone as cdk8s-cli spawns it, the plugin's validate() in process, and the rest
// (cdk8s-cli spawning, listing the output, loading the plugin, printing the report). Cases: an
// unchanged tree; src/main.ts touched without a change (its SHA-256 equals the build info's: no
// compiler runs); src/main.ts edited (a comment appended: the incremental compile runs).
// Targets (issue 14): unchanged tree within 1.5x of `node lib/main.js`, and under 4 s on a quiet machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { machineLoad } from './support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
const NPX_SYNTH = ['cdk8s', 'synth', '--no-check-upgrade'];
const CLI = join(root, 'node_modules/cdk8s-cli/bin/cdk8s');
const STAMP = join(root, 'lib/.build-stamp');

function measure(command, args, env) {
  const timed = existsSync(TIME);
  const start = performance.now();
  const result = spawnSync(timed ? TIME : command, timed ? ['-f', '@@%U %S %M', command, ...args] : args, {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const usage = /@@([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  return { wall, cpu: usage ? Number(usage[1]) + Number(usage[2]) : NaN, output: result.stdout + result.stderr };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuText = (cpu) => (Number.isNaN(cpu) ? '?' : cpu.toFixed(2));

function runs(label, command, args, { before = () => {}, env } = {}) {
  const samples = [];
  const outputs = [];
  for (let i = 0; i < 3; i++) {
    before();
    const stampBefore = stampTime();
    const sample = measure(command, args, env);
    samples.push(sample);
    // synth --build stamps lib/ after every compile
    outputs.push({ output: sample.output, compiled: stampTime() > stampBefore });
  }
  const result = { label, wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)), outputs };
  console.log(`${label.padEnd(66)} ${result.wall.toFixed(2)} s wall, ${cpuText(result.cpu)} CPU-s`);
  return result;
}

const stampTime = () => (existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0);

function manifestsUnder(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) manifestsUnder(path, out);
    else if (entry.name.endsWith('.yaml')) out.push(path);
  }
  return out;
}

/** Milliseconds of the validation plugin's validate() over the tree cdk8s-cli hands it (median of 3, in this process). */
async function pluginMs() {
  const { PolicyGatePlugin } = await import(pathToFileURL(join(root, 'lib/policy/cdk8s-plugin.js')).href);
  const manifests = manifestsUnder(join(root, '.cdk8s-out'));
  const samples = [];
  let log = '';
  for (let i = 0; i < 3; i++) {
    const context = {
      manifests,
      logger: { log: (line) => { log = line; } },
      report: { addViolation: () => {}, submit: () => {} },
    };
    const start = performance.now();
    await new PolicyGatePlugin().validate(context);
    samples.push(performance.now() - start);
  }
  return { ms: median(samples), log };
}

function verdict(value, limit) {
  return `${value <= limit ? 'met' : 'NOT met'}`;
}

export default async function () {
  console.log(`${machineLoad()} (ratios are within this run; absolute times depend on the load)`);
  measure('npx', NPX_SYNTH); // warm: lib/ current, caches filled
  const base = runs('node lib/main.js (baseline: the render, schema check and gate)', process.execPath, ['lib/main.js']);
  const npxFloor = runs('floor: npx cdk8s --version (npx + cdk8s-cli start-up)', 'npx', ['cdk8s', '--version']);
  const cliFloor = runs('floor: node .../cdk8s-cli/bin/cdk8s --version (cdk8s-cli alone)', process.execPath, [CLI, '--version']);
  const app = runs('the app alone, as cdk8s-cli spawns it (cdk8s.yaml app:)', process.execPath, ['scripts/cdk8s-app.mjs'], { env: { CDK8S_OUTDIR: '.cdk8s-out', CDK8S_RECORD_CONSTRUCT_METADATA: 'true' } });
  const plugin = await pluginMs();
  console.log(`${'the validation plugin, validate() in process'.padEnd(66)} ${plugin.ms.toFixed(0)} ms`);
  if (!/result of the render's gate for this tree/.test(plugin.log)) throw new Error(`the plugin evaluated the tree again: ${plugin.log}`);

  const unchanged = runs('npx cdk8s synth (unchanged tree)', 'npx', NPX_SYNTH);
  const source = join(root, 'src/main.ts');
  const original = readFileSync(source, 'utf8');
  const touched = runs('npx cdk8s synth (src/main.ts touched, content unchanged)', 'npx', NPX_SYNTH, {
    before: () => {
      const later = new Date(Date.now() + 1000);
      utimesSync(source, later, later);
    },
  });
  let edits = 0;
  let edited;
  try {
    edited = runs('npx cdk8s synth (src/main.ts edited: a comment appended)', 'npx', NPX_SYNTH, {
      before: () => {
        writeFileSync(source, `${original}// bench edit ${++edits}\n`);
      },
    });
  } finally {
    writeFileSync(source, original);
    measure('npx', NPX_SYNTH); // leaves lib/ compiled from the original source
  }
  for (const [result, compiles] of [[unchanged, false], [touched, false], [edited, true]]) {
    for (const { output, compiled } of result.outputs) {
      if (!/result of the render's gate for this tree/.test(output)) throw new Error(`${result.label}: the plugin did not report the render's gate:\n${output.slice(0, 2000)}`);
      if (/error/i.test(output)) throw new Error(`${result.label}: the output has an error:\n${output.slice(0, 2000)}`);
      if (compiled !== compiles) throw new Error(`${result.label}: expected ${compiles ? 'a' : 'no'} compile`);
    }
  }

  console.log('\nbreakdown of the unchanged-tree run (wall / CPU-s):');
  const line = (label, wall, cpu) => console.log(`  ${label.padEnd(64)} ${wall.toFixed(2)} s / ${cpuText(cpu)}`);
  line('npx resolving the bin (npx floor - cdk8s-cli floor)', npxFloor.wall - cliFloor.wall, npxFloor.cpu - cliFloor.cpu);
  line('cdk8s-cli loading its modules (cdk8s --version)', cliFloor.wall, cliFloor.cpu);
  line('the app', app.wall, app.cpu);
  line('the plugin validate() (in process)', plugin.ms / 1000, NaN);
  line('the rest: cdk8s-cli spawn, listing, plugin load, report', unchanged.wall - npxFloor.wall - app.wall, unchanged.cpu - npxFloor.cpu - app.cpu);

  console.log('\nratios against node lib/main.js (same run):');
  const ratio = (label, r, target) => {
    const wall = r.wall / base.wall;
    const cpu = r.cpu / base.cpu;
    console.log(`  ${label.padEnd(64)} ${wall.toFixed(2)}x wall, ${Number.isNaN(cpu) ? '?' : cpu.toFixed(2)}x CPU${target ? `  (target <= ${target}x: ${verdict(wall, target)} wall, ${verdict(cpu, target)} CPU)` : ''}`);
  };
  ratio('npx cdk8s synth, unchanged tree', unchanged, 1.5);
  ratio('the floor alone (npx cdk8s --version)', npxFloor);
  ratio('the app alone', app);
  ratio('npx cdk8s synth, unchanged tree, minus the floor', { wall: unchanged.wall - npxFloor.wall, cpu: unchanged.cpu - npxFloor.cpu });
  ratio('npx cdk8s synth, src/main.ts touched without a change', touched);
  ratio('npx cdk8s synth, src/main.ts edited (incremental compile)', edited);
  console.log(`  npx cdk8s synth, unchanged tree: ${unchanged.wall.toFixed(2)} s wall (target < 4 s on a quiet machine: ${unchanged.wall < 4 ? 'met' : 'NOT met'} at ${machineLoad()})`);
}
