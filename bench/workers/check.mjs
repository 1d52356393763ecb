// One size of the check benchmark in a fresh process, over a tree already written to DIR:
// plain js-yaml (read every file, loadAll; the baseline), then loadManifests + the whole gate as
// `lambda-gitops check` runs it (rules compiled and schema validators loaded in this process).
// Prints one JSON line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { loadManifests, PolicyGate } from '../../lib/policy/index.js';
import { timed } from '../support.mjs';

const dir = process.argv[2];
const mode = process.argv[3];

function plainParse() {
  let n = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    for (const doc of jsYaml.loadAll(readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8'))) if (doc) n++;
  }
  return n;
}

if (mode === 'parse') {
  const parse = await timed(plainParse);
  console.log(JSON.stringify({ objects: parse.value, parseMs: parse.ms }));
} else {
  const check = await timed(async () => new PolicyGate().evaluate(loadManifests([dir])));
  const s = check.value.summary;
  console.log(JSON.stringify({ checkMs: check.ms, pass: s.pass, fail: s.fail, warn: s.warn }));
}
