// The 10^6-object inputs of the Scale table in docs/policies.md:
//   node scripts/gen-scale-tree.mjs OUT multi|files base|head [EVERY]
// 10^6 ConfigMaps as 1,000 files of 1,000 documents (multi) or as 10^6 one-document files in 1,000
// directories (files); the head changes the data value of every EVERY-th object (default 100: 1%;
// 1 changes every object, 4 a quarter). Measure with
// `/usr/bin/time -v node lib/cli/main.js diff --base OUT-base --head OUT-head` (or `check OUT`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out, layout, side, everyText = '100'] = process.argv.slice(2);
const every = Number(everyText);
if (!out || !['multi', 'files'].includes(layout) || !['base', 'head'].includes(side) || !(Number.isInteger(every) && every >= 1)) {
  process.stderr.write('usage: node scripts/gen-scale-tree.mjs OUT multi|files base|head [EVERY]\n');
  process.exit(2);
}
const doc = (i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n${i % 100}}\ndata: {k: ${side === 'head' && i % every === 7 % every ? 'v2' : 'v'}}\n`;
for (let f = 0; f < 1000; f++) {
  if (layout === 'multi') {
    mkdirSync(out, { recursive: true });
    let text = '';
    for (let i = f * 1000; i < (f + 1) * 1000; i++) text += `---\n${doc(i)}`;
    writeFileSync(join(out, `f${String(f).padStart(3, '0')}.yaml`), text);
  } else {
    const dir = join(out, `d${String(f).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = f * 1000; i < (f + 1) * 1000; i++) writeFileSync(join(dir, `c${String(i).padStart(7, '0')}.yaml`), doc(i));
  }
}
