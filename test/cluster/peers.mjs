// Peers: kubeconform (strict, offline schemas), kube-score and, when built (opt-in), trivy's
// misconfiguration scanner (`trivy config`, embedded checks, offline) next to `lambda-gitops check`.
// - tier `peers` (default run): kubeconform and kube-score over what Flux would apply from dist/;
//   kubeconform's schema verdict on dist is a test.
// - tier `peers-fixtures` (opt-in): the same over dist, plus every rule's fixtures
//   (policies/<rule>/fixtures/{pass,fail}, with fixtures/common), plus trivy when built.
// - tier `peers-corpus` (opt-in): every peer and check over the public trees in test/corpus.
// Matrices go to .cache/cluster-test/<run>/peers/ for docs/cluster-testing.md (peers-table.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import { BIN } from './harness/controlplane.mjs';
import { crdFiles } from './harness/crds.mjs';
import { generateSchemas } from './harness/schemas.mjs';
import { allYamlFiles, ksName } from './harness/tree.mjs';
import { log, mkdirp, run } from './harness/proc.mjs';

const CORPUS_TREES = ['flux2-kustomize-helm-example', 'microservices-demo', 'vllm-production-stack', 'kubernetes-examples'];
const TRIVY_MISSING = 'not built (opt-in, a large cold build): bash test/cluster/build.sh trivy';

function tool(name, args, input, cwd) {
  try {
    return { code: 0, out: run(path.join(BIN, name), args, { input, cwd, stdio: ['pipe', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { code: e.status ?? 1, out: e.stdout ?? '', err: e.stderr ?? e.message };
  }
}

const dumpAll = (objects) => objects.map((o) => yaml.dump(o, { lineWidth: -1 })).join('---\n');

export function kubeconform(schemaDir, objects, extra = []) {
  const r = tool('kubeconform', ['-strict', '-kubernetes-version', '1.28.0', ...extra, '-schema-location', `${schemaDir}/{{.ResourceKind}}{{.KindSuffix}}.json`, '-output', 'json', '-summary', '-'], dumpAll(objects));
  const json = JSON.parse(r.out || '{"resources":[]}');
  const problems = (json.resources ?? []).filter((x) => x.status !== 'statusValid' && x.status !== 'statusSkipped');
  return { problems: problems.map((p) => `${p.kind} ${p.name}: ${p.status.replace('status', '')}: ${p.msg}${(p.validationErrors ?? []).map((v) => `\n  ${v.path}: ${v.msg}`).join('')}`), summary: json.summary };
}

export function kubeScore(objects) {
  const r = tool('kube-score', ['score', '--output-format', 'json', '-'], dumpAll(objects));
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

export const trivyAvailable = () => fs.existsSync(path.join(BIN, 'trivy'));

/**
 * `trivy config` over a directory, fully offline: no checks bundle download (--skip-check-update
 * with an empty cache makes trivy fall back to the checks embedded in the binary), no version check,
 * no telemetry; misconfiguration scanning needs no vulnerability DB. Returns the failed checks per
 * file (path relative to dir): [{ id, severity, title, resource }].
 */
export function trivyConfig(dir) {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lgo-trivy-cache-'));
  try {
    const r = tool('trivy', ['config', '--quiet', '--format', 'json', '--cache-dir', cache, '--skip-check-update', '--skip-version-check', '--disable-telemetry', dir]);
    let json;
    try { json = JSON.parse(r.out); } catch { throw new Error(`trivy config ${dir} gave no JSON report (exit ${r.code}): ${`${r.err ?? ''}`.slice(0, 800)}`); }
    const byFile = {};
    for (const res of json.Results ?? []) {
      byFile[res.Target] = (res.Misconfigurations ?? []).filter((m) => m.Status === 'FAIL')
        .map((m) => ({ id: m.ID, severity: m.Severity, title: m.Title, resource: m.CauseMetadata?.Resource ?? '' }));
    }
    return byFile;
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

/** Writes files (relative path -> objects) under a fresh temporary directory, for trivy. */
function stage(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgo-peers-'));
  for (const [rel, objects] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), dumpAll(objects));
  }
  return dir;
}

/** The engine behind `lambda-gitops check`, from the compiled lib/ (npx tsc). */
async function engine(root) {
  const lib = (p) => pathToFileURL(path.join(root, 'lib/policy', p)).href;
  if (!fs.existsSync(path.join(root, 'lib/policy/engine.js'))) return undefined;
  const [{ runCheck }, { loadManifests }, def] = await Promise.all([import(lib('engine.js')), import(lib('loader.js')), import(lib('definition.js'))]);
  return { runCheck, loadManifests, ...def };
}

function lambdaCheckCli(root, dir) {
  const cli = path.join(root, 'lib/cli/main.js');
  if (!fs.existsSync(cli) || !fs.existsSync(path.join(root, 'lib/cli/commands/check.js'))) return { unavailable: 'lambda-gitops check is not built (lib/cli/commands/check.js missing)' };
  try {
    return { code: 0, out: run('node', [cli, 'check', '--format', 'json', '--include-passes', dir], { cwd: root }) };
  } catch (e) {
    return { code: e.status ?? 1, out: e.stdout ?? '', err: `${e.stderr ?? ''}`.slice(0, 500) };
  }
}

function prepareSchemas(root, versions) {
  const schemaDir = path.join(root, '.cache/schemas/v1.28-strict');
  // CRDs the tree itself installs (e.g. the Gateway API's) validate its objects too
  const treeCrds = allYamlFiles(path.join(root, 'dist')).filter((f) => /^kind: CustomResourceDefinition$/m.test(fs.readFileSync(f, 'utf8')));
  const n = generateSchemas({ definitionsFile: path.join(root, 'test/cluster/schemas/k8s-v1.28-definitions.json'), crdFiles: [...crdFiles(root, versions), ...treeCrds], outDir: schemaDir });
  log(`peers: ${n} kubeconform schemas in ${schemaDir}`);
  return { schemaDir, n };
}

const yamlFiles = (d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((x) => /\.ya?ml$/.test(x)).sort() : []);

/**
 * Every rule's fixtures, evaluated as test/policy/fixtures.test.ts does (the rule's fixtures/common
 * loaded with each fixture, the target version from a `v1.NN-` file name prefix or the rule's
 * `since`, opt-in rules evaluated because they are selected by name), and the same objects given
 * to each peer.
 */
async function compareFixtures(root, schemaDir, withTrivy) {
  const eng = await engine(root);
  const out = {};
  const staged = {};
  const pol = path.join(root, 'policies');
  const { policies } = eng ? eng.loadPolicySet(eng.DEFAULT_POLICIES_DIR) : { policies: [] };
  const byId = new Map(policies.map((p) => [p.definition.id, p]));
  for (const rule of fs.readdirSync(pol).sort()) {
    const fx = path.join(pol, rule, 'fixtures');
    if (!fs.existsSync(fx)) continue;
    const common = yamlFiles(path.join(fx, 'common')).map((f) => path.join(fx, 'common', f));
    const commonObjects = common.flatMap((f) => yaml.loadAll(fs.readFileSync(f, 'utf8')).filter((o) => o && o.kind));
    const entry = { pass: {}, fail: {}, common: common.map((f) => path.relative(root, f)) };
    for (const kind of ['pass', 'fail']) {
      for (const f of yamlFiles(path.join(fx, kind))) {
        const file = path.join(fx, kind, f);
        let objects;
        try { objects = [...yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((o) => o && o.kind), ...commonObjects]; } catch (e) { entry[kind][f] = { error: e.message }; continue; }
        let check = 'not built';
        const policy = byId.get(rule);
        if (eng && policy) {
          const prefix = /^v(\d+\.\d+)-/.exec(f);
          const since = policy.definition.since;
          const targetVersion = prefix ? prefix[1] : since && eng.versionNumber(since) > eng.versionNumber('1.28') ? since : '1.28';
          try {
            const report = await eng.runCheck({ manifests: eng.loadManifests([file, ...common]), only: [rule], targetVersion, includePasses: true });
            const mine = report.results.filter((r) => r.policy === rule);
            check = mine.some((r) => r.result === 'fail') ? 'fail' : mine.some((r) => r.result === 'warn') ? 'warn' : mine.some((r) => r.result === 'pass') ? 'pass' : 'not evaluated';
          } catch (e) { check = `error: ${e.message.split('\n')[0]}`; }
        }
        entry[kind][f] = {
          check,
          kubeconform: kubeconform(schemaDir, objects).problems,
          kubeScore: [...new Set(kubeScore(objects).findings.map((x) => `${x.check}:${x.grade}`))],
        };
        staged[`${rule}/${kind}/${f.replace(/\.yml$/, '.yaml')}`] = objects;
      }
    }
    out[rule] = entry;
  }
  if (withTrivy) {
    const dir = stage(staged);
    try {
      const found = trivyConfig(dir);
      for (const rel of Object.keys(staged)) {
        const [rule, kind, file] = rel.split('/');
        const key = Object.keys(out[rule][kind]).find((k) => k.replace(/\.yml$/, '.yaml') === file);
        out[rule][kind][key].trivy = [...new Set((found[rel] ?? []).map((m) => `${m.id}:${m.severity}`))];
      }
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }
  return out;
}

async function compareDist({ root, report, clusters, schemaDir, withTrivy, record }) {
  const matrix = {};
  const groupsToStage = {};
  for (const c of clusters) {
    const groups = [{ name: `cluster ${c.name}`, objects: c.objects }, ...c.kustomizations.map((k) => ({ name: `Kustomization ${ksName(k.obj)}`, objects: k.objects }))];
    for (const g of groups) {
      const kc = kubeconform(schemaDir, g.objects);
      const ks = kubeScore(g.objects);
      const key = `${c.name} ${g.name}`;
      matrix[key] = { kubeconform: kc.problems, kubeScore: ks.findings, kubeScoreError: ks.error };
      groupsToStage[`${key.replace(/[^A-Za-z0-9._-]+/g, '_')}.yaml`] = g.objects;
      if (record) {
        if (kc.problems.length) report.fail(`peers kubeconform -strict (1.28 schemas) ${key}`, kc.problems.join('\n'));
        else report.pass(`peers kubeconform -strict (1.28 schemas) ${key}`, `${g.objects.length} objects`);
      }
      log(`peers: kube-score ${key}: ${ks.findings.length} findings${ks.error ? ` (error: ${ks.error})` : ''}`);
    }
  }
  if (withTrivy) {
    const dir = stage(groupsToStage);
    try {
      const found = trivyConfig(dir);
      for (const key of Object.keys(matrix)) matrix[key].trivy = found[`${key.replace(/[^A-Za-z0-9._-]+/g, '_')}.yaml`] ?? [];
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }
  return matrix;
}

/**
 * kubeconform, kube-score and trivy over each corpus tree as a user would point them at it: one
 * invocation over every YAML file of the tree (kube-score sees all objects at once, so its
 * cross-object checks can resolve Services, HPA targets and NetworkPolicies across files).
 */
async function compareCorpus(root, schemaDir, withTrivy) {
  const eng = await engine(root);
  const out = {};
  for (const tree of CORPUS_TREES) {
    const base = path.join(root, 'test/corpus', tree);
    const files = fs.readdirSync(base, { recursive: true }).filter((f) => /\.ya?ml$/.test(f)).sort();
    const rel = (f) => path.relative(base, path.resolve(base, f));
    const entry = { files: Object.fromEntries(files.map((f) => [f, { kubeconform: [], kubeScore: [], trivy: [] }])), check: [] };
    const kc = tool('kubeconform', ['-strict', '-kubernetes-version', '1.28.0', '-ignore-missing-schemas', '-schema-location', `${schemaDir}/{{.ResourceKind}}{{.KindSuffix}}.json`, '-output', 'json', '-summary', ...files], undefined, base);
    const kcJson = JSON.parse(kc.out || '{"resources":[]}');
    entry.kubeconformSummary = kcJson.summary;
    for (const r of kcJson.resources ?? []) {
      if (r.status === 'statusValid' || r.status === 'statusSkipped') continue;
      entry.files[rel(r.filename)]?.kubeconform.push(`${r.kind} ${r.name}: ${r.status.replace('status', '')}: ${r.msg}`);
    }
    let ks = tool('kube-score', ['score', '--output-format', 'json', ...files], undefined, base);
    let ksJson = [];
    try { ksJson = JSON.parse(ks.out); } catch {
      // kube-score stops at the first document that is not an object (a JSON 6902 patch list):
      // recorded, then retried without the files it cannot read, so the rest is still compared.
      entry.kubeScoreError = `${ks.err || ks.out}`.slice(0, 500);
      const readable = files.filter((f) => { try { return yaml.loadAll(fs.readFileSync(path.join(base, f), 'utf8')).every((d) => d == null || (typeof d === 'object' && !Array.isArray(d))); } catch { return false; } });
      entry.kubeScoreRetriedWithout = files.filter((f) => !readable.includes(f));
      ks = tool('kube-score', ['score', '--output-format', 'json', ...readable], undefined, base);
      try { ksJson = JSON.parse(ks.out); } catch { entry.kubeScoreError += ` (retry: ${`${ks.err || ks.out}`.slice(0, 300)})`; }
    }
    for (const obj of ksJson ?? []) {
      for (const c of obj.checks ?? []) {
        if (c.grade >= 10 || c.skipped) continue;
        entry.files[rel(obj.file_name)]?.kubeScore.push({ object: `${obj.type_meta?.kind} ${obj.object_meta?.namespace ?? ''}/${obj.object_meta?.name}`, check: c.check.id, grade: c.grade <= 1 ? 'CRITICAL' : 'WARNING', comments: (c.comments ?? []).map((x) => `${x.path ? `${x.path}: ` : ''}${x.summary}`) });
      }
    }
    if (withTrivy) {
      for (const [f, ms] of Object.entries(trivyConfig(base))) if (entry.files[f]) entry.files[f].trivy = ms;
    }
    if (eng) {
      const report = await eng.runCheck({ paths: [path.relative(root, base)], collectLoadErrors: true });
      entry.check = report.results.filter((r) => r.result !== 'pass').map((r) => ({ result: r.result, policy: r.policy, file: r.file.replace(`test/corpus/${tree}/`, ''), resource: `${r.resource.kind || '-'} ${r.resource.namespace ?? ''}/${r.resource.name}`, message: r.message }));
    }
    out[tree] = entry;
    log(`peers: corpus ${tree}: ${files.length} files, check ${entry.check.length} non-pass results`);
  }
  return out;
}

export async function peers({ root, work, report, versions, clusters, mode = 'dist' }) {
  const dir = mkdirp(work, 'peers');
  const { schemaDir, n } = prepareSchemas(root, versions);
  // trivy runs only in the opt-in tiers (the default run's time stays as it was).
  const withTrivy = mode !== 'dist' && trivyAvailable();
  // Control: the schemas must be strict (an unknown field is invalid) and must exist for a CRD kind.
  await report.check('peers kubeconform schemas are strict and cover CRDs', async () => {
    const probe = kubeconform(schemaDir, [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'p' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: 'i', bogus: 1 }] } } } },
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'p' }, spec: { bogus: 1 } },
    ]);
    if (probe.problems.length !== 2 || !probe.problems.every((p) => /Invalid/.test(p))) throw new Error(`expected 2 invalid, got: ${probe.problems.join('; ') || 'none'}`);
    return `${n} schemas`;
  });
  if (withTrivy) {
    // Control: offline trivy must load its embedded Kubernetes checks (a privileged container is KSV-0017).
    await report.check('peers trivy config runs offline with its embedded checks', async () => {
      const probeDir = stage({ 'probe.yaml': [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1', securityContext: { privileged: true } }] } }] });
      try {
        const ids = (trivyConfig(probeDir)['probe.yaml'] ?? []).map((m) => m.id);
        if (!ids.some((id) => /^KSV-?0*17$/.test(id))) throw new Error(`privileged Pod not flagged (got: ${ids.join(', ') || 'nothing'})`);
        return `${ids.length} checks failed on the probe Pod`;
      } finally { fs.rmSync(probeDir, { recursive: true, force: true }); }
    });
  } else if (mode !== 'dist') report.skip('peers trivy', TRIVY_MISSING);
  const matrix = { dist: {}, fixtures: {}, trivy: withTrivy ? 'v0.74.0 (embedded checks, offline)' : TRIVY_MISSING };
  if (mode !== 'corpus') {
    matrix.dist = await compareDist({ root, report, clusters, schemaDir, withTrivy, record: true });
    const dc = lambdaCheckCli(root, 'dist');
    matrix.distCheck = dc.unavailable ? dc : { code: dc.code, failing: (() => { try { return JSON.parse(dc.out).results.filter((r) => r.result !== 'pass').map((r) => `${r.policy} ${r.result}: ${r.resource?.kind}/${r.resource?.name}`); } catch { return [`unreadable: ${dc.err ?? ''}`]; } })() };
  }
  if (mode === 'fixtures') matrix.fixtures = await compareFixtures(root, schemaDir, withTrivy);
  if (mode === 'corpus') matrix.corpus = await compareCorpus(root, schemaDir, withTrivy);
  const out = path.join(dir, mode === 'corpus' ? 'corpus.json' : 'matrix.json');
  fs.writeFileSync(out, JSON.stringify(matrix, null, 2));
  log(`peers: written to ${out}${mode === 'fixtures' ? ` (fixtures of ${Object.keys(matrix.fixtures).length} rules)` : ''}`);
  if (mode === 'dist') log('peers: policy fixtures and the corpus are compared by the opt-in tiers peers-fixtures and peers-corpus');
  report.skip('peers kube-linter', 'not built: golang.stackrox.io/kube-linter is refused by the Go module proxy here (403 for its version list and for v0.7.1, v0.8.3)');
}

export const peersFixtures = (ctx) => peers({ ...ctx, mode: 'fixtures' });
export const peersCorpus = (ctx) => peers({ ...ctx, mode: 'corpus' });
