// Prints the Markdown peers tables (for docs/cluster-testing.md) from a matrix written by peers.mjs.
// Usage: node test/cluster/peers-table.mjs [.cache/cluster-test/<run>/peers/matrix.json]
//        node test/cluster/peers-table.mjs [.cache/cluster-test/<run>/peers/corpus.json]   (tier peers-corpus)
import fs from 'node:fs';
import path from 'node:path';

function latest(name) {
  const base = '.cache/cluster-test';
  const runs = fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, 'peers', name))).sort();
  if (!runs.length) throw new Error(`no ${name} under ${base}/*/peers (run bash test/cluster/run.sh ${name === 'corpus.json' ? 'peers-corpus' : 'peers-fixtures'})`);
  return path.join(base, runs.at(-1), 'peers', name);
}
const file = process.argv[2] ?? latest('matrix.json');
const m = JSON.parse(fs.readFileSync(file, 'utf8'));
const hasTrivy = typeof m.trivy === 'string' && !m.trivy.startsWith('not built');

/** Checks of a peer that fire on some fail fixture and on no pass fixture of the same rule. */
function differential(fails, passes, key) {
  const onPass = new Set(passes.flatMap((p) => p[key] ?? []));
  return [...new Set(fails.flatMap((f) => f[key] ?? []))].filter((x) => !onPass.has(x));
}

if (m.corpus) {
  corpusTables(m);
} else {
  fixtureTable(m);
  distTables(m);
}

function fixtureTable(m) {
  if (!Object.keys(m.fixtures ?? {}).length) return;
  console.log(`| Rule (\`lambda-gitops check\`) | check on its fail fixtures | kubeconform -strict 1.28 | kube-score checks firing only on the fail fixtures |${hasTrivy ? ' trivy config checks firing only on the fail fixtures |' : ''}`);
  console.log(`|---|---|---|---|${hasTrivy ? '---|' : ''}`);
  const totals = { rules: 0, check: 0, kubeconform: 0, kubeScore: 0, trivy: 0, none: 0 };
  for (const [rule, e] of Object.entries(m.fixtures)) {
    const fails = Object.values(e.fail);
    const passes = Object.values(e.pass);
    if (!fails.length) continue;
    totals.rules++;
    const chk = fails.map((f) => f.check ?? f.error);
    if (chk.every((c) => c === 'fail' || c === 'warn')) totals.check++;
    const kcFail = fails.some((f) => f.kubeconform?.length);
    const kcPassClean = passes.every((p) => !p.kubeconform?.length);
    const kc = kcFail ? (kcPassClean ? 'catches' : `flags pass fixtures too (${passes.flatMap((p) => p.kubeconform ?? [])[0].split('\n')[0].replace(/\|/g, '\\|')})`) : 'misses';
    if (kcFail && kcPassClean) totals.kubeconform++;
    const ks = differential(fails, passes, 'kubeScore');
    if (ks.length) totals.kubeScore++;
    const tv = hasTrivy ? differential(fails, passes, 'trivy') : [];
    if (tv.length) totals.trivy++;
    if (!(kcFail && kcPassClean) && !ks.length && !tv.length) totals.none++;
    console.log(`| ${rule} | ${[...new Set(chk)].join(', ')} | ${kc} | ${ks.length ? ks.join(', ') : 'misses'} |${hasTrivy ? ` ${tv.length ? tv.join(', ') : 'misses'} |` : ''}`);
  }
  console.log(`\nRules with fail fixtures: ${totals.rules}; caught by check: ${totals.check}, by kubeconform: ${totals.kubeconform}, by a kube-score check: ${totals.kubeScore}${hasTrivy ? `, by a trivy check: ${totals.trivy}` : ` (trivy: ${m.trivy})`}; by no peer: ${totals.none}.`);
}

function distTables(m) {
  console.log('\nOver dist (what each Flux Kustomization builds):\n');
  console.log(`| Kustomization | kubeconform -strict 1.28 | kube-score findings (CRITICAL/WARNING) |${hasTrivy ? ' trivy config failed checks (HIGH+CRITICAL/other) |' : ''}`);
  console.log(`|---|---|---|${hasTrivy ? '---|' : ''}`);
  const byCheck = {};
  const byTrivy = {};
  for (const [k, v] of Object.entries(m.dist)) {
    const crit = v.kubeScore.filter((x) => x.grade === 'CRITICAL').length;
    for (const f of v.kubeScore) byCheck[`${f.check} (${f.grade})`] = (byCheck[`${f.check} (${f.grade})`] ?? 0) + 1;
    const t = v.trivy ?? [];
    for (const f of t) byTrivy[`${f.id} ${f.title} (${f.severity})`] = (byTrivy[`${f.id} ${f.title} (${f.severity})`] ?? 0) + 1;
    const high = t.filter((x) => x.severity === 'HIGH' || x.severity === 'CRITICAL').length;
    console.log(`| ${k} | ${v.kubeconform.length ? `${v.kubeconform.length} invalid` : 'valid'} | ${crit}/${v.kubeScore.length - crit} |${hasTrivy ? ` ${high}/${t.length - high} |` : ''}`);
  }
  console.log('\nkube-score findings over dist by check:\n');
  for (const [k, n] of Object.entries(byCheck).sort((a, b) => b[1] - a[1])) console.log(`- ${k}: ${n}`);
  if (hasTrivy) {
    console.log('\ntrivy findings over dist by check:\n');
    for (const [k, n] of Object.entries(byTrivy).sort((a, b) => b[1] - a[1])) console.log(`- ${k}: ${n}`);
  }
  const dc = m.distCheck;
  if (dc) console.log(`\n\`lambda-gitops check dist\`: ${dc.unavailable ? dc.unavailable : `exit ${dc.code}; ${dc.failing.length} non-pass results${dc.failing.length ? `: ${dc.failing.slice(0, 20).join('; ')}` : ''}`}`);
}

function corpusTables(m) {
  console.log(`| Tree | files | check: fail/warn/info (rules) | kubeconform -strict 1.28 (-ignore-missing-schemas): invalid or unreadable | kube-score CRITICAL/WARNING |${hasTrivy ? ' trivy config failed checks |' : ''}`);
  console.log(`|---|---|---|---|---|${hasTrivy ? '---|' : ''}`);
  for (const [tree, e] of Object.entries(m.corpus)) {
    const files = Object.values(e.files);
    const count = (r) => e.check.filter((x) => x.result === r).length;
    const kc = files.reduce((n, f) => n + (f.kubeconform?.length ?? 0), 0);
    const ks = files.flatMap((f) => f.kubeScore ?? []);
    const crit = ks.filter((x) => x.grade === 'CRITICAL').length;
    const tv = files.flatMap((f) => f.trivy ?? []);
    const skipped = e.kubeconformSummary?.skipped ? `, ${e.kubeconformSummary.skipped} skipped (no schema)` : '';
    console.log(`| ${tree} | ${files.length} | ${count('fail')}/${count('warn')}/${count('info')} (${new Set(e.check.map((x) => x.policy)).size}) | ${kc}${skipped} | ${crit}/${ks.length - crit}${e.kubeScoreError ? ` (stops on the tree: ${e.kubeScoreRetriedWithout?.length ?? 0} JSON 6902 patch files left out)` : ''} |${hasTrivy ? ` ${tv.length} |` : ''}`);
  }
  for (const [tree, e] of Object.entries(m.corpus)) {
    console.log(`\n#### ${tree}\n`);
    const by = (xs) => Object.entries(xs.reduce((a, k) => ({ ...a, [k]: (a[k] ?? 0) + 1 }), {})).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`- check: ${by(e.check.map((x) => `${x.policy} (${x.result})`)) || 'nothing'}`);
    const files = Object.entries(e.files);
    console.log(`- kubeconform: ${files.flatMap(([f, v]) => (v.kubeconform ?? []).map((p) => `${f}: ${p.split('\n')[0]}`)).join('; ') || 'nothing'}`);
    console.log(`- kube-score: ${by(files.flatMap(([, v]) => (v.kubeScore ?? []).map((x) => `${x.check} (${x.grade})`))) || 'nothing'}`);
    if (hasTrivy) console.log(`- trivy: ${by(files.flatMap(([, v]) => (v.trivy ?? []).map((x) => `${x.id} ${x.title} (${x.severity})`))) || 'nothing'}`);
  }
}
