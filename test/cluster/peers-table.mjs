// Prints the Markdown peers tables (for docs/cluster-testing.md) from a matrix written by peers.mjs.
// Usage: node test/cluster/peers-table.mjs [.cache/cluster-test/<run>/peers/matrix.json]
import fs from 'node:fs';
import path from 'node:path';

let file = process.argv[2];
if (!file) {
  const base = '.cache/cluster-test';
  const runs = fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, 'peers/matrix.json'))).sort();
  file = path.join(base, runs.at(-1), 'peers/matrix.json');
}
const m = JSON.parse(fs.readFileSync(file, 'utf8'));

console.log('| Rule (`lambda-gitops check`) | check on its fail fixtures | kubeconform -strict 1.28 | kube-score checks firing only on the fail fixtures |');
console.log('|---|---|---|---|');
const totals = { rules: 0, check: 0, kubeconform: 0, kubeScore: 0 };
for (const [rule, e] of Object.entries(m.fixtures)) {
  const fails = Object.values(e.fail);
  const passes = Object.values(e.pass);
  if (!fails.length) continue;
  totals.rules++;
  const chk = fails.map((f) => f.check ?? f.error);
  const checkCaught = chk.every((c) => c === 'fail' || c === 'warn');
  if (checkCaught) totals.check++;
  const kcFail = fails.some((f) => f.kubeconform?.length);
  const kcPassClean = passes.every((p) => !p.kubeconform?.length);
  const kc = kcFail ? (kcPassClean ? 'catches' : 'flags pass fixtures too') : 'misses';
  if (kcFail && kcPassClean) totals.kubeconform++;
  const passScore = new Set(passes.flatMap((p) => p.kubeScore ?? []));
  const diff = [...new Set(fails.flatMap((f) => f.kubeScore ?? []))].filter((x) => !passScore.has(x));
  if (diff.length) totals.kubeScore++;
  console.log(`| ${rule} | ${[...new Set(chk)].join(', ')} | ${kc} | ${diff.length ? diff.join(', ') : 'misses'} |`);
}
console.log(`\nRules with fail fixtures: ${totals.rules}; caught by check: ${totals.check}, by kubeconform: ${totals.kubeconform}, by a kube-score check: ${totals.kubeScore}.`);

console.log('\nOver dist (what each Flux Kustomization builds):\n');
console.log('| Kustomization | kubeconform -strict 1.28 | kube-score findings (CRITICAL/WARNING) |');
console.log('|---|---|---|');
const byCheck = {};
for (const [k, v] of Object.entries(m.dist)) {
  const crit = v.kubeScore.filter((x) => x.grade === 'CRITICAL').length;
  const warn = v.kubeScore.length - crit;
  for (const f of v.kubeScore) byCheck[`${f.check} (${f.grade})`] = (byCheck[`${f.check} (${f.grade})`] ?? 0) + 1;
  console.log(`| ${k} | ${v.kubeconform.length ? `${v.kubeconform.length} invalid` : 'valid'} | ${crit}/${warn} |`);
}
console.log('\nkube-score findings over dist by check:\n');
for (const [k, n] of Object.entries(byCheck).sort((a, b) => b[1] - a[1])) console.log(`- ${k}: ${n}`);
const dc = m.distCheck;
console.log(`\n\`lambda-gitops check dist\`: ${dc.unavailable ? dc.unavailable : `exit ${dc.code}; ${dc.failing.length} non-pass results${dc.failing.length ? `: ${dc.failing.slice(0, 20).join('; ')}` : ''}`}`);
