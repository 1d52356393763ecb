// Tier "alerts": every PrometheusRule of the tree passes `promtool check rules`, and the promtool unit
// tests in test/alerts/ pass against the rendered rules. Each alert of the tree must have a test case
// in which it fires and one in which it does not; an alert without both fails the tier (so a new
// alert cannot ship untested). promtool is built from github.com/prometheus/prometheus (versions.sh).
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { mkdirp, run } from './harness/proc.mjs';

export async function alerts({ root, work, report, clusters }) {
  const dir = mkdirp(work, 'alerts');
  const promtool = path.join(process.env.CLUSTER_BIN ?? path.join(root, '.cache/bin'), 'promtool');
  if (!fs.existsSync(promtool)) { report.fail('alerts promtool', `${promtool} does not exist: run test/cluster/build.sh promtool`); return; }
  const rules = [];
  for (const c of clusters) {
    for (const o of [...c.objects, ...c.kustomizations.flatMap((k) => k.objects)]) {
      if (o.kind === 'PrometheusRule' && String(o.apiVersion).startsWith('monitoring.coreos.com/')) rules.push(o);
    }
  }
  if (!rules.length) { report.skip('alerts', 'the tree has no PrometheusRule'); return; }
  const alertNames = new Set();
  for (const r of rules) {
    const file = path.join(dir, `${r.metadata.name}.rules.yaml`);
    fs.writeFileSync(file, yaml.dump({ groups: r.spec.groups }, { lineWidth: -1 }));
    for (const g of r.spec.groups) for (const rule of g.rules) if (rule.alert) alertNames.add(rule.alert);
    await report.check(`alerts promtool check rules ${r.metadata.namespace}/${r.metadata.name}`, async () => run(promtool, ['check', 'rules', file]).trim().split('\n').pop());
    // the unit tests read a copy without annotations (their templates were checked above)
    const stripped = { groups: r.spec.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations, ...rest }) => rest) })) };
    mkdirp(dir, 'unit');
    fs.writeFileSync(path.join(dir, 'unit', `${r.metadata.name}.rules.yaml`), yaml.dump(stripped, { lineWidth: -1 }));
  }
  const testDir = path.join(root, 'test/alerts');
  const tests = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.yaml')).sort();
  const fires = new Set();
  const silent = new Set();
  for (const t of tests) {
    const doc = yaml.load(fs.readFileSync(path.join(testDir, t), 'utf8'));
    for (const tc of doc.tests ?? []) {
      for (const a of tc.alert_rule_test ?? []) (a.exp_alerts?.length ? fires : silent).add(a.alertname);
    }
    fs.copyFileSync(path.join(testDir, t), path.join(dir, 'unit', t));
    await report.check(`alerts promtool test rules ${t}`, async () => {
      try {
        return run(promtool, ['test', 'rules', t], { cwd: path.join(dir, 'unit') }).trim().split('\n').slice(-2).join(' ');
      } catch (e) {
        throw new Error(`${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message);
      }
    });
  }
  for (const name of [...alertNames].sort()) {
    const missing = [!fires.has(name) && 'a case that fires it', !silent.has(name) && 'a case that does not'].filter(Boolean);
    if (missing.length) report.fail(`alerts ${name} has unit tests`, `no promtool test in test/alerts/ with ${missing.join(' or ')}`);
    else report.pass(`alerts ${name} has unit tests`, 'fires and stays silent');
  }
}
