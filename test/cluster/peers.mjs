// Peers: kubeconform (strict, offline schemas) and kube-score over what Flux would apply from dist/
// and over the policy fixtures (policies/<rule>/), next to `lambda-gitops check` when it exists.
// kubeconform's schema verdict on dist is a test; kube-score's findings and the comparison matrix
// are written to .cache/cluster-test/peers/ for docs/cluster-testing.md.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { BIN } from './harness/controlplane.mjs';
import { crdFiles } from './harness/crds.mjs';
import { generateSchemas } from './harness/schemas.mjs';
import { buildDir, ksName } from './harness/tree.mjs';
import { log, mkdirp, run } from './harness/proc.mjs';

function tool(name, args, input) {
  try {
    return { code: 0, out: run(path.join(BIN, name), args, { input, stdio: ['pipe', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { code: e.status ?? 1, out: e.stdout ?? '', err: e.stderr ?? e.message };
  }
}

export function kubeconform(schemaDir, objects) {
  const input = objects.map((o) => yaml.dump(o, { lineWidth: -1 })).join('---\n');
  const r = tool('kubeconform', ['-strict', '-kubernetes-version', '1.28.0', '-schema-location', `${schemaDir}/{{.ResourceKind}}{{.KindSuffix}}.json`, '-output', 'json', '-summary', '-'], input);
  const json = JSON.parse(r.out || '{"resources":[]}');
  const problems = (json.resources ?? []).filter((x) => x.status !== 'statusValid' && x.status !== 'statusSkipped');
  return { problems: problems.map((p) => `${p.kind} ${p.name}: ${p.status.replace('status', '')}: ${p.msg}${(p.validationErrors ?? []).map((v) => `\n  ${v.path}: ${v.msg}`).join('')}`), summary: json.summary };
}

export function kubeScore(objects) {
  const input = objects.map((o) => yaml.dump(o, { lineWidth: -1 })).join('---\n');
  const r = tool('kube-score', ['score', '--output-format', 'json', '-'], input);
  let json;
  try { json = JSON.parse(r.out); } catch { return { error: `${r.err || r.out}`.slice(0, 500), findings: [] }; }
  const findings = [];
  for (const obj of json ?? []) {
    for (const c of obj.checks ?? []) {
      if (c.grade >= 10 || c.skipped) continue; // 10 = OK (kube-score's GradeAllOK)
      findings.push({ object: `${obj.type_meta?.kind} ${obj.object_meta?.namespace ?? ''}/${obj.object_meta?.name}`, check: c.check.id, grade: c.grade <= 1 ? 'CRITICAL' : 'WARNING', comments: (c.comments ?? []).map((x) => x.summary) });
    }
  }
  return { findings };
}

function lambdaCheck(root, dir) {
  const cli = path.join(root, 'lib/cli/main.js');
  if (!fs.existsSync(cli) || !fs.existsSync(path.join(root, 'lib/cli/commands/check.js'))) return { unavailable: 'lambda-gitops check is not built (lib/cli/commands/check.js missing)' };
  try {
    return { code: 0, out: run('node', [cli, 'check', '--format', 'json', '--include-passes', dir], { cwd: root }) };
  } catch (e) {
    if (/unknown (sub)?command|Unknown command/i.test(`${e.stderr}`)) return { unavailable: `${e.stderr}`.split('\n')[0] };
    return { code: e.status ?? 1, out: e.stdout ?? '', err: `${e.stderr ?? ''}`.slice(0, 500) };
  }
}

export async function peers({ root, work, report, versions, clusters, fixtures = false }) {
  const dir = mkdirp(work, 'peers');
  const schemaDir = path.join(root, '.cache/schemas/v1.28-strict');
  const n = generateSchemas({ definitionsFile: path.join(root, 'test/cluster/schemas/k8s-v1.28-definitions.json'), crdFiles: crdFiles(root, versions), outDir: schemaDir });
  log(`peers: ${n} kubeconform schemas in ${schemaDir}`);
  const matrix = { dist: {}, fixtures: {} };
  // Control: the schemas must be strict (an unknown field is invalid) and must exist for a CRD kind.
  await report.check('peers kubeconform schemas are strict and cover CRDs', async () => {
    const probe = kubeconform(schemaDir, [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'p' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: 'i', bogus: 1 }] } } } },
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'p' }, spec: { bogus: 1 } },
    ]);
    if (probe.problems.length !== 2 || !probe.problems.every((p) => /Invalid/.test(p))) throw new Error(`expected 2 invalid, got: ${probe.problems.join('; ') || 'none'}`);
    return `${n} schemas`;
  });
  for (const c of clusters) {
    const groups = [{ name: `cluster ${c.name}`, objects: c.objects }, ...c.kustomizations.map((k) => ({ name: `Kustomization ${ksName(k.obj)}`, objects: k.objects }))];
    for (const g of groups) {
      const kc = kubeconform(schemaDir, g.objects);
      const ks = kubeScore(g.objects);
      matrix.dist[`${c.name} ${g.name}`] = { kubeconform: kc.problems, kubeScore: ks.findings, kubeScoreError: ks.error };
      if (kc.problems.length) report.fail(`peers kubeconform -strict (1.28 schemas) ${c.name} ${g.name}`, kc.problems.join('\n'));
      else report.pass(`peers kubeconform -strict (1.28 schemas) ${c.name} ${g.name}`, `${g.objects.length} objects`);
      log(`peers: kube-score ${c.name} ${g.name}: ${ks.findings.length} findings${ks.error ? ` (error: ${ks.error})` : ''}`);
    }
  }
  const dc = lambdaCheck(root, 'dist');
  matrix.distCheck = dc.unavailable ? dc : { code: dc.code, failing: (() => { try { return JSON.parse(dc.out).results.filter((r) => r.result !== 'pass').map((r) => `${r.policy} ${r.result}: ${r.resource?.kind}/${r.resource?.name}`); } catch { return [`unreadable: ${dc.err ?? ''}`]; } })() };
  // Policy fixtures: policies/<rule>/fixtures/{pass,fail}/*.yaml. For each rule, a peer "catches"
  // the problem when it flags the fail fixture (kubeconform: invalid; kube-score: a check that fires
  // on the fail fixture and on no pass fixture of the same rule).
  const pol = path.join(root, 'policies');
  if (fixtures && fs.existsSync(pol)) {
    for (const rule of fs.readdirSync(pol).sort()) {
      const fx = path.join(pol, rule, 'fixtures');
      if (!fs.existsSync(fx)) continue;
      const entry = { pass: {}, fail: {} };
      for (const kind of ['pass', 'fail']) {
        const d = path.join(fx, kind);
        if (!fs.existsSync(d)) continue;
        for (const f of fs.readdirSync(d).filter((x) => /\.ya?ml$/.test(x)).sort()) {
          const file = path.join(d, f);
          let objects;
          try { objects = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((o) => o && o.kind); } catch (e) { entry[kind][f] = { error: e.message }; continue; }
          const chk = lambdaCheck(root, path.relative(root, file));
          let ruleResult = 'n/a';
          if (chk.out) {
            try {
              const res = JSON.parse(chk.out).results.filter((r) => r.policy === rule);
              ruleResult = res.some((r) => r.result === 'fail') ? 'fail' : res.some((r) => r.result === 'warn') ? 'warn' : res.length ? 'pass' : 'not evaluated';
            } catch { ruleResult = 'unreadable'; }
          } else if (chk.unavailable) ruleResult = 'not built';
          entry[kind][f] = {
            kubeconform: kubeconform(schemaDir, objects).problems,
            kubeScore: [...new Set(kubeScore(objects).findings.map((x) => `${x.check}:${x.grade}`))],
            check: ruleResult,
          };
        }
      }
      matrix.fixtures[rule] = entry;
    }
  }
  const out = path.join(dir, 'matrix.json');
  fs.writeFileSync(out, JSON.stringify(matrix, null, 2));
  log(`peers: matrix written to ${out} (fixtures of ${Object.keys(matrix.fixtures).length} rules)`);
  if (!fixtures) log('peers: policy fixtures not compared (tier peers-fixtures does it; about 7 minutes on 2 busy cores, most of it lambda-gitops check started once per fixture)');
  report.skip('peers kube-linter', 'not built: golang.stackrox.io/kube-linter is refused by the Go module proxy here (403 for its version list and for v0.7.1, v0.8.3)');
}

export const peersFixtures = (ctx) => peers({ ...ctx, fixtures: true });
