// One run of the come-up rules benchmark in a fresh process, over a tree already written to DIR:
// loadManifests + the whole gate as `lambda-gitops check` runs it, with every rule (`all`) or with
// the rules named after the mode's colon disabled (`without:a,b,c`, as `--disable` does).
// Prints one JSON line (wall and CPU milliseconds: on a loaded machine the CPU time is the steadier figure).
import { loadManifests, PolicyGate } from '../../lib/policy/index.js';
import { timed } from '../support.mjs';

const dir = process.argv[2];
const mode = process.argv[3];
const disable = mode.startsWith('without:') ? mode.slice('without:'.length).split(',') : [];
const cpuBefore = process.cpuUsage();
const check = await timed(async () => new PolicyGate({ disable }).evaluate(loadManifests([dir])));
const cpu = process.cpuUsage(cpuBefore);
const s = check.value.summary;
console.log(JSON.stringify({ checkMs: check.ms, cpuMs: (cpu.user + cpu.system) / 1000, pass: s.pass, fail: s.fail, warn: s.warn }));
