// Prints the heap bytes check retains per document (run with node --expose-gc; see memory-scale.test.ts):
//   node --expose-gc retained-memory.mjs LIB SMALL LARGE [multi|files]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lib = process.argv[2];
const { loadManifests } = await import(join(lib, 'policy/loader.js'));
const { runCheck } = await import(join(lib, 'policy/engine.js'));

const document = (i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n${i % 100}}\ndata: {k: v}\n`;

/** The documents as files of 1,000 (multi), or as one-document files in directories of 1,000 (files), as scripts/gen-scale-tree.mjs writes them. */
function generate(dir, documents, layout) {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f * 1000 < documents; f++) {
    const last = Math.min(documents, (f + 1) * 1000);
    if (layout === 'files') {
      const sub = join(dir, `d${String(f).padStart(3, '0')}`);
      mkdirSync(sub);
      for (let i = f * 1000; i < last; i++) writeFileSync(join(sub, `c${String(i).padStart(7, '0')}.yaml`), document(i));
      continue;
    }
    let text = '';
    for (let i = f * 1000; i < last; i++) text += `---\n${document(i)}`;
    writeFileSync(join(dir, `f${f}.yaml`), text);
  }
}

/** Heap bytes held after loading and checking `dir` (the manifests and the report kept alive, garbage collected). */
async function retained(dir) {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const manifests = loadManifests([dir], { collectErrors: true });
  const report = await runCheck({ manifests, collectLoadErrors: true });
  if (report.summary.fail !== 0 || report.summary.pass === 0) throw new Error(`unexpected report ${JSON.stringify(report.summary)}`);
  held.push(manifests, report);
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  held.length = 0;
  return after - before;
}

/** What a run holds while it is measured. */
const held = [];

const root = mkdtempSync(join(tmpdir(), 'lg-retained-'));
try {
  const [small, large, layout] = [Number(process.argv[3]), Number(process.argv[4]), process.argv[5] ?? 'multi'];
  if (!['multi', 'files'].includes(layout)) throw new Error(`layout must be multi or files, got ${layout}`);
  generate(join(root, 'small'), small, layout);
  generate(join(root, 'large'), large, layout);
  await retained(join(root, 'small')); // compiles and caches what every run shares
  const a = await retained(join(root, 'small'));
  const b = await retained(join(root, 'large'));
  process.stdout.write(`${JSON.stringify({ small: a, large: b, perDocument: (b - a) / (large - small) })}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
