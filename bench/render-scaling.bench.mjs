// renderApp with the default validators (strict schemas + the policy gate) against plain cdk8s
// App.synthYaml on the same app, at 1,000 and 30,000 objects, each size in a fresh process so the
// small app pays its own start-up (schema validator loading) as a user's synth does. Prints the
// ratio per size, the schema+gate cost per object (the target: no higher at 1k than at 30k) and
// the growth exponent of the render.
import { exponent, exponentVerdict, machineLoad, runWorker } from './support.mjs';

const SIZES = [1000, 30000];

export default function main() {
  console.log(machineLoad());
  const rows = SIZES.map((size) => runWorker('render', [size]));
  for (const r of rows) {
    const validators = r.schemaMs + r.gateMs;
    console.log(`${r.objects} objects: renderApp + validators ${r.renderMs.toFixed(0)} ms, cdk8s App.synthYaml ${r.cdk8sMs.toFixed(0)} ms, ratio ${(r.renderMs / r.cdk8sMs).toFixed(2)}x; `
      + `schema ${r.schemaMs.toFixed(0)} ms + gate ${r.gateMs.toFixed(0)} ms = ${(validators / r.objects * 1000).toFixed(0)} µs per object`);
  }
  const [a, b] = rows;
  const perObjectSmall = (a.schemaMs + a.gateMs) / a.objects;
  const perObjectLarge = (b.schemaMs + b.gateMs) / b.objects;
  console.log(`schema+gate per object, ${a.objects} vs ${b.objects} objects: ${(perObjectSmall / perObjectLarge).toFixed(2)}x (target <= 1: ${perObjectSmall <= perObjectLarge ? 'met' : 'NOT met'})`);
  // CPU time as well: on a busy machine the wall figures above carry other processes' time
  const cpuSmall = (a.schemaCpuMs + a.gateCpuMs) / a.objects;
  const cpuLarge = (b.schemaCpuMs + b.gateCpuMs) / b.objects;
  console.log(`schema+gate CPU per object: ${(cpuSmall * 1000).toFixed(0)} µs (schema ${a.schemaCpuMs.toFixed(0)} + gate ${a.gateCpuMs.toFixed(0)} CPU-ms) vs ${(cpuLarge * 1000).toFixed(0)} µs (${b.schemaCpuMs.toFixed(0)} + ${b.gateCpuMs.toFixed(0)}): ${(cpuSmall / cpuLarge).toFixed(2)}x`);
  console.log(`synth growth exponent ${a.objects} -> ${b.objects} objects: renderApp + validators ${exponentVerdict(exponent(a.objects, a.renderMs, b.objects, b.renderMs), 1.15)}, cdk8s baseline ${exponent(a.objects, a.cdk8sMs, b.objects, b.cdk8sMs).toFixed(2)}`);
  console.log(machineLoad());
}
