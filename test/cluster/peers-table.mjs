// Prints a Markdown summary of a peers matrix (written by peers.mjs) for docs/cluster-testing.md.
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

const checkVerdict = (c) => {
  if (!c) return 'n/a';
  if (c.unavailable) return 'not built';
  return c.code === 0 ? 'pass' : c.code === 1 ? 'fail' : `error (${c.code})`;
};
const scoreSummary = (f) => {
  const crit = f.filter((x) => x.grade === 'CRITICAL');
  const ids = [...new Set(crit.map((x) => x.check))];
  return crit.length ? `${crit.length} critical: ${ids.join(', ')}` : 'no critical';
};

console.log('| Input | kubeconform -strict (1.28) | kube-score | lambda-gitops check |');
console.log('|---|---|---|---|');
for (const [k, v] of Object.entries(m.dist)) {
  console.log(`| dist: ${k} | ${v.kubeconform.length ? `${v.kubeconform.length} invalid` : 'valid'} | ${scoreSummary(v.kubeScore)} | ${checkVerdict(m.distCheck)} (whole tree) |`);
}
for (const [k, v] of Object.entries(m.fixtures)) {
  console.log(`| ${k} | ${v.kubeconform.length ? `invalid: ${v.kubeconform[0].split('\n')[0].slice(0, 80)}` : 'valid'} | ${scoreSummary(v.kubeScore)} | ${checkVerdict(v.check)} |`);
}
const all = Object.values(m.dist).flatMap((v) => v.kubeScore);
const byCheck = {};
for (const f of all) byCheck[`${f.check} (${f.grade})`] = (byCheck[`${f.check} (${f.grade})`] ?? 0) + 1;
console.log('\nkube-score findings over dist, by check:\n');
for (const [k, n] of Object.entries(byCheck).sort((a, b) => b[1] - a[1])) console.log(`- ${k}: ${n}`);
