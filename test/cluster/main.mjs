// Entry point of the cluster tests (called by run.sh after build.sh).
// Usage: node test/cluster/main.mjs [A] [A128] [B] [C] [alerts] [rules] [peers] [peers-fixtures] [peers-corpus]   (default: A A128 B C alerts rules peers)
// Env: DIST_DIR (default dist), CLUSTER_NAME, TIER_B_TIMEOUT_S, TIER_C_TIMEOUT_S, CLUSTER_TEST_PIDFILE.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Report } from './harness/report.mjs';
import { readVersions } from './harness/crds.mjs';
import { loadTree } from './harness/tree.mjs';
import { killAllSync, log, mkdirp, setPidFile, stopAll } from './harness/proc.mjs';
import { tierA, tierA128 } from './tier-a.mjs';
import { tierB } from './tier-b.mjs';
import { tierC } from './tier-c.mjs';
import { peers, peersCorpus, peersFixtures } from './peers.mjs';
import { tierRules } from './tier-rules.mjs';
import { alerts } from './alerts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
const work = mkdirp(root, '.cache/cluster-test', new Date().toISOString().replace(/[:.]/g, '-'));
setPidFile(process.env.CLUSTER_TEST_PIDFILE ?? path.join(work, 'pids'));
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAllSync(); process.exit(130); });

const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ['A', 'A128', 'B', 'C', 'alerts', 'rules', 'peers'];
const report = new Report();
const versions = readVersions(root);
const distDir = path.resolve(root, process.env.DIST_DIR ?? 'dist');
const timings = [];

async function main() {
  let clusters;
  try {
    clusters = loadTree(distDir);
    report.pass('load dist tree', `${clusters.length} cluster(s): ${clusters.map((c) => `${c.name} [${c.kustomizations.map((k) => k.obj.metadata.name).join(' -> ')}]`).join('; ')}`);
  } catch (e) {
    report.fail('load dist tree', e.message);
    return;
  }
  if (!clusters.length) { report.fail('load dist tree', `no cluster directory under ${distDir}/clusters`); return; }
  const ctx = { root, work, report, versions, clusters, distDir };
  const table = { A: tierA, A128: tierA128, B: tierB, C: tierC, alerts, rules: tierRules, peers, 'peers-fixtures': peersFixtures, 'peers-corpus': peersCorpus };
  for (const t of tiers) {
    const fn = table[t];
    if (!fn) { report.fail(`tier ${t}`, 'unknown tier'); continue; }
    const t0 = Date.now();
    log(`=== tier ${t} ===`);
    try {
      await fn(ctx);
    } catch (e) {
      report.fail(`tier ${t}`, e.stack ?? e.message);
    } finally {
      await stopAll();
    }
    timings.push(`${t}=${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
}

await main();
await stopAll();
const c = report.counts();
log(`timings: ${timings.join(' ')}; logs in ${path.relative(root, work)}`);
for (const f of report.failures()) log(`failed: ${f.name}`);
fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify(report.results, null, 2));
console.log(`${c.pass} passed, ${c.fail} failed, ${c.skip} skipped`);
process.exitCode = c.fail ? 1 : 0;
