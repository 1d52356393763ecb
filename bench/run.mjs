#!/usr/bin/env node
// Runs every bench/*.bench.mjs in turn (after `npm run build`) and prints their results.
// Benchmarks report ratios against a baseline measured in the same process, never absolute
// time limits. Usage: npm run bench [-- NAME...] (NAME filters by file name).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineLoad } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`);
  process.exit(2);
}
console.log(`bench start: ${machineLoad()} (absolute times depend on it; ratios within a run are the result)`);
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  try {
    const module = await import(pathToFileURL(join(here, file)).href);
    if (typeof module.default === 'function') await module.default();
  } catch (error) {
    failed++;
    console.error(`${file} failed: ${error.stack ?? error}`);
  }
}
console.log(`\nbench end: ${machineLoad()}`);
process.exit(failed > 0 ? 1 : 0);
