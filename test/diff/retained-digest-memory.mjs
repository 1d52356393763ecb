// Prints the heap bytes the streaming diff holds per document (run with node --expose-gc; see
// memory-scale.test.ts), measured after a full garbage collection:
//   node --expose-gc retained-digest-memory.mjs LIB SMALL LARGE [digests|spilled|held]
// digests (default): the digest table of a base tree; spilled: the report of an empty base against
// the tree with its changes spilled to a file (diffSourcesSpilled); held: that report in memory
// (diffSources).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lib = process.argv[2];
const mode = process.argv[5] ?? 'digests';
const { digestBase, diffSources, diffSourcesSpilled } = await import(join(lib, 'diff/stream-diff.js'));
const { directorySource } = await import(join(lib, 'diff/tree-source.js'));
const { ChangeSpill } = await import(join(lib, 'diff/change-spill.js'));

function generate(dir, documents) {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f * 1000 < documents; f++) {
    let text = '';
    for (let i = f * 1000; i < Math.min(documents, (f + 1) * 1000); i++) text += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n${i % 100}}\ndata: {k: v}\n`;
    writeFileSync(join(dir, `f${f}.yaml`), text);
  }
}

/** What `mode` keeps of the tree in `dir` (its object count checked), and what releases it. */
function build(dir) {
  if (mode === 'digests') {
    const digests = digestBase(directorySource(dir));
    if (digests.table.size === 0) throw new Error('no rows');
    return { kept: digests, release() {} };
  }
  if (mode === 'held') {
    const report = diffSources(directorySource(empty), directorySource(dir), { maxChanges: Infinity });
    if (report.changes.length === 0) throw new Error('no changes');
    return { kept: report, release() {} };
  }
  const spill = new ChangeSpill();
  const report = diffSourcesSpilled(directorySource(empty), directorySource(dir), spill);
  if (report.summary.added === 0) throw new Error('no changes');
  return { kept: { report, spill }, release: () => spill.close() };
}

/** Heap bytes held by what `mode` keeps of `dir` (kept alive, garbage collected). */
function retained(dir) {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const { kept, release } = build(dir);
  held.push(kept);
  globalThis.gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  held.length = 0;
  release();
  return after - before - baselineBuffers;
}

const held = [];
const baselineBuffers = process.memoryUsage().arrayBuffers;
const root = mkdtempSync(join(tmpdir(), 'lg-digest-retained-'));
const empty = join(root, 'empty');
mkdirSync(empty);
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
