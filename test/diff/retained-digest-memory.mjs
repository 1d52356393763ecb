// Prints the heap bytes the streaming diff holds per base document (run with node --expose-gc; see
// memory-scale.test.ts): the digest table of a base tree, measured after a full garbage collection.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lib = process.argv[2];
const { digestBase } = await import(join(lib, 'diff/stream-diff.js'));
const { directorySource } = await import(join(lib, 'diff/tree-source.js'));

function generate(dir, documents) {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f * 1000 < documents; f++) {
    let text = '';
    for (let i = f * 1000; i < Math.min(documents, (f + 1) * 1000); i++) text += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n${i % 100}}\ndata: {k: v}\n`;
    writeFileSync(join(dir, `f${f}.yaml`), text);
  }
}

/** Heap bytes held by the digests of `dir` (kept alive, garbage collected). */
function retained(dir) {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const digests = digestBase(directorySource(dir));
  if (digests.table.size === 0) throw new Error('no rows');
  held.push(digests);
  globalThis.gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  held.length = 0;
  return after - before - baselineBuffers;
}

const held = [];
const baselineBuffers = process.memoryUsage().arrayBuffers;
const root = mkdtempSync(join(tmpdir(), 'lg-digest-retained-'));
try {
  const [small, large] = [Number(process.argv[3]), Number(process.argv[4])];
  generate(join(root, 'small'), small);
  generate(join(root, 'large'), large);
  retained(join(root, 'small')); // compiles and caches what every run shares
  const a = retained(join(root, 'small'));
  const b = retained(join(root, 'large'));
  process.stdout.write(`${JSON.stringify({ small: a, large: b, perDocument: (b - a) / (large - small) })}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
