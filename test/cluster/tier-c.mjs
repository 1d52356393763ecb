// Tier C: Flux reconciliation. The rendered tree is committed to a local bare repository served
// over smart HTTP (git http-backend on 127.0.0.1); source-controller and kustomize-controller run
// as processes against the Tier B stack (apiserver, scheduler, controller-manager, kwok nodes).
// The tree's GitRepository and Kustomizations are applied (pointed at the local URL); the
// Kustomizations must become Ready in dependsOn order with their objects present; a commit that
// removes a workload must be pruned.
//
// What is changed in the served commit, and why (also in docs/cluster-testing.md):
// - clusters/<name>: the GitRepository's spec.url is the local URL and its secretRef is dropped
//   (the tree points at GitHub with bootstrap credentials; neither is reachable here).
// - Kustomizations whose content holds HelmReleases get spec.wait=false: helm-controller cannot be
//   built here (its module is refused by the Go module proxy) and charts cannot be downloaded, so a
//   HelmRelease never becomes Ready. The HelmReleases are still applied and checked to exist.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import yaml from 'js-yaml';
import { startGitServer } from './harness/gitserver.mjs';
import { startSourceController, startKustomizeController, readyCondition } from './harness/flux.mjs';
import { startStack, clusterPools, createNodes, createVolumesFor } from './harness/workloads.mjs';
import { applyObject } from './harness/apply.mjs';
import { buildDir, ksName, FLUX_KS, FLUX_SRC } from './harness/tree.mjs';
import { describe } from './harness/kube.mjs';
import { log, mkdirp, run, waitFor } from './harness/proc.mjs';
import { pickCluster } from './tier-b.mjs';

const execFileP = promisify(execFile);
const git = (cwd, ...args) => run('git', ['-c', 'user.name=lambda-gitops-test', '-c', 'user.email=test@lambda-gitops.invalid', ...args], { cwd });

export async function tierC({ root, work, report, versions, clusters, distDir }) {
  const cluster = pickCluster(clusters);
  const dir = mkdirp(work, 'tier-c');
  const timeoutMs = Number(process.env.TIER_C_TIMEOUT_S ?? 240) * 1000;

  // 1. The served repository: the tree laid out as in the real Git repository.
  const gitRoot = cluster.gitRoot;
  const distRel = path.relative(gitRoot, path.resolve(distDir)); // 'dist' or ''
  const projectRoot = mkdirp(dir, 'git');
  const bare = path.join(projectRoot, 'tree.git');
  const wt = mkdirp(dir, 'worktree');
  run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  git(wt, 'init', '-q', '-b', 'main');
  fs.cpSync(path.resolve(distDir), path.join(wt, distRel), { recursive: true });

  const server = await startGitServer(projectRoot);
  const repoUrl = `${server.url}/tree.git`;
  const noWait = new Set(cluster.kustomizations.filter((k) => k.objects.some((o) => o.kind === 'HelmRelease')).map((k) => ksName(k.obj)));
  const clusterDirInWt = path.join(wt, distRel, 'clusters', cluster.name);
  const patched = patchClusterDir(clusterDirInWt, repoUrl, noWait);
  log(`tierC: served commit patches: ${patched.join('; ')}`);
  git(wt, 'add', '-A');
  git(wt, 'commit', '-q', '-m', 'rendered tree');
  git(wt, 'push', '-q', bare, 'main');
  // Async: the git server lives in this process, a synchronous child would deadlock it.
  const lsRemote = (await execFileP('git', ['ls-remote', repoUrl, 'refs/heads/main'], { timeout: 30000 })).stdout.trim();
  report.pass('tierC git smart-HTTP server serves the tree', lsRemote.slice(0, 12));

  const stack = await startStack(dir, { root, versions });
  try {
    const { pools } = clusterPools(cluster);
    await createNodes(stack.kube, pools);
    await createVolumesFor(stack.kube, cluster.kustomizations.flatMap((k) => k.objects));
    const src = await startSourceController(dir, stack.api);
    stack.procs.push(src.child);
    const kc = await startKustomizeController(dir, stack.api);
    stack.procs.push(kc.child);
    report.pass('tierC source-controller and kustomize-controller start');

    // 2. What `flux bootstrap` would have left: the cluster directory applied once.
    const entry = buildDir(clusterDirInWt).objects;
    for (const o of entry.filter((x) => x.kind === 'Namespace')) await applyObject(stack.kube, o, { dryRun: false });
    await ensureNamespace(stack.kube, 'flux-system');
    for (const o of entry.filter((x) => x.kind !== 'Namespace')) await applyObject(stack.kube, o, { dryRun: false });

    const repos = entry.filter((o) => o.kind === 'GitRepository' && o.apiVersion.startsWith(FLUX_SRC));
    for (const r of repos) {
      await report.check(`tierC GitRepository ${r.metadata.namespace}/${r.metadata.name} Ready`, async () => {
        const cur = await waitReady(stack.kube, r, 120000);
        return cur.status?.artifact?.revision ?? '';
      });
    }

    // 3. Kustomizations Ready in dependsOn order, their objects present.
    const kss = entry.filter((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith(FLUX_KS));
    const readyAt = new Map();
    await waitFor('Kustomizations to settle', async () => {
      let pending = 0;
      for (const k of kss) {
        const key = ksName(k);
        if (readyAt.has(key)) continue;
        const cur = await stack.kube.get(k.apiVersion, k.kind, k.metadata.name, k.metadata.namespace ?? 'flux-system');
        const c = readyCondition(cur);
        if (c?.status === 'True') readyAt.set(key, { at: Date.parse(c.lastTransitionTime), order: readyAt.size, revision: cur.status?.lastAppliedRevision });
        else pending++;
      }
      return pending === 0;
    }, { timeoutMs, intervalMs: 1000 }).catch(() => null);
    for (const k of kss) {
      const key = ksName(k);
      const name = `tierC Kustomization ${key} Ready`;
      if (readyAt.has(key)) { report.pass(name, `revision ${readyAt.get(key).revision}`); continue; }
      const cur = await stack.kube.get(k.apiVersion, k.kind, k.metadata.name, k.metadata.namespace ?? 'flux-system');
      const c = readyCondition(cur);
      report.fail(name, `not Ready after ${timeoutMs / 1000}s: ${c ? `${c.reason}: ${c.message}` : 'no Ready condition'}`);
    }
    for (const k of kss) {
      for (const d of k.spec?.dependsOn ?? []) {
        const a = readyAt.get(ksName(k));
        const b = readyAt.get(`${d.namespace ?? k.metadata.namespace ?? 'flux-system'}/${d.name}`);
        const name = `tierC ${ksName(k)} Ready after its dependency ${d.name}`;
        if (!a || !b) { report.fail(name, 'one of them never became Ready'); continue; }
        if (a.at >= b.at) report.pass(name);
        else report.fail(name, `${ksName(k)} Ready at ${new Date(a.at).toISOString()}, ${d.name} at ${new Date(b.at).toISOString()}`);
      }
    }
    for (const ks of cluster.kustomizations) {
      if (!readyAt.has(ksName(ks.obj))) continue;
      const missing = [];
      for (const o of ks.objects) {
        const ns = o.__targetNamespace ?? o.metadata.namespace;
        const cur = await stack.kube.get(o.apiVersion, o.kind, o.metadata.name, ns).catch((e) => ({ error: e.message }));
        if (!cur || cur.error) missing.push(`${describe(o)}${cur?.error ? `: ${cur.error}` : ''}`);
      }
      if (missing.length) report.fail(`tierC objects of ${ksName(ks.obj)} exist`, missing.join('\n'));
      else report.pass(`tierC objects of ${ksName(ks.obj)} exist`, `${ks.objects.length} objects`);
    }

    // 4. Prune: a commit that removes one workload.
    await pruneCheck({ stack, cluster, wt, bare, distRel, repos, kss, report, timeoutMs });
  } finally {
    await stack.stop();
    await server.close();
  }
}

async function ensureNamespace(kube, name) {
  if (!(await kube.get('v1', 'Namespace', name))) await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function waitReady(kube, o, timeoutMs) {
  let last;
  try {
    return await waitFor(`${describe(o)} Ready`, async () => {
      last = await kube.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace ?? 'flux-system');
      return readyCondition(last)?.status === 'True' ? last : null;
    }, { timeoutMs, intervalMs: 1000 });
  } catch (e) {
    const c = readyCondition(last);
    throw new Error(`${e.message}; Ready: ${c ? `${c.reason}: ${c.message}` : 'none'}`);
  }
}

/** Patch the cluster directory of the served commit (see the header comment). */
export function patchClusterDir(clusterDir, repoUrl, noWait) {
  const notes = [];
  for (const f of fs.readdirSync(clusterDir)) {
    if (!/\.ya?ml$/.test(f)) continue;
    const p = path.join(clusterDir, f);
    const docs = yaml.loadAll(fs.readFileSync(p, 'utf8'));
    let changed = false;
    for (const d of docs) {
      if (!d || typeof d !== 'object') continue;
      if (d.kind === 'GitRepository' && String(d.apiVersion).startsWith(FLUX_SRC)) {
        notes.push(`GitRepository ${d.metadata.name}: url ${d.spec.url} -> ${repoUrl}${d.spec.secretRef ? ', secretRef dropped' : ''}`);
        d.spec.url = repoUrl;
        delete d.spec.secretRef;
        changed = true;
      }
      if (d.kind === 'Kustomization' && String(d.apiVersion).startsWith(FLUX_KS) && noWait.has(`${d.metadata.namespace ?? 'flux-system'}/${d.metadata.name}`) && d.spec.wait !== false) {
        notes.push(`Kustomization ${d.metadata.name}: wait true -> false (holds HelmReleases; no helm-controller)`);
        d.spec.wait = false;
        changed = true;
      }
    }
    if (changed) fs.writeFileSync(p, docs.filter((d) => d != null).map((d) => yaml.dump(d, { lineWidth: -1 })).join('---\n'));
  }
  return notes;
}

/** Remove one Deployment (from the last Kustomization that has one) and expect Flux to prune it. */
async function pruneCheck({ stack, cluster, wt, bare, distRel, repos, kss, report, timeoutMs }) {
  const name = 'tierC a commit that removes a workload is pruned';
  const ks = [...cluster.kustomizations].reverse().find((k) => k.objects.some((o) => o.kind === 'Deployment') && kss.some((x) => ksName(x) === ksName(k.obj) && x.spec?.prune));
  if (!ks) { report.skip(name, 'no pruning Kustomization with a Deployment'); return; }
  const victim = ks.objects.find((o) => o.kind === 'Deployment');
  const ns = victim.__targetNamespace ?? victim.metadata.namespace;
  if (!(await stack.kube.get(victim.apiVersion, victim.kind, victim.metadata.name, ns))) {
    report.fail(name, `${describe(victim)} was never created, nothing to prune`);
    return;
  }
  const relDir = path.relative(cluster.gitRoot, ks.dir);
  const removed = removeFromWorktree(path.join(wt, relDir), victim);
  if (!removed) { report.fail(name, `could not find ${describe(victim)} in ${relDir}`); return; }
  git(wt, 'add', '-A');
  git(wt, 'commit', '-q', '-m', `remove ${victim.metadata.name}`);
  git(wt, 'push', '-q', bare, 'main');
  const rev = git(wt, 'rev-parse', 'HEAD').trim();
  const now = new Date().toISOString();
  for (const r of repos) await stack.kube.ok('PATCH', await stack.kube.path(r), { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': now } } }, 'application/merge-patch+json');
  try {
    await waitFor(`${describe(victim)} pruned`, async () => !(await stack.kube.get(victim.apiVersion, victim.kind, victim.metadata.name, ns)), { timeoutMs, intervalMs: 1000 });
    report.pass(name, `${describe(victim)} deleted after commit ${rev.slice(0, 12)} (${removed})`);
  } catch (e) {
    const cur = await stack.kube.get(ks.obj.apiVersion, ks.obj.kind, ks.obj.metadata.name, ks.obj.metadata.namespace ?? 'flux-system');
    const c = readyCondition(cur);
    report.fail(name, `${e.message}; ${ksName(ks.obj)} lastAppliedRevision=${cur?.status?.lastAppliedRevision} Ready=${c?.status} ${c?.message ?? ''}`);
  }
}

/** Remove an object's document from the directory; drop a file left empty from kustomization.yaml. */
function removeFromWorktree(dir, victim) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && !/^kustomization\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  for (const f of files) {
    const docs = yaml.loadAll(fs.readFileSync(f, 'utf8')).filter((d) => d != null);
    const keep = docs.filter((d) => !(d.kind === victim.kind && d.metadata?.name === victim.metadata.name && (d.metadata?.namespace ?? victim.metadata.namespace) === victim.metadata.namespace));
    if (keep.length === docs.length) continue;
    if (keep.length) {
      fs.writeFileSync(f, keep.map((d) => yaml.dump(d, { lineWidth: -1 })).join('---\n'));
      return `removed its document from ${path.basename(f)}`;
    }
    fs.rmSync(f);
    // Drop the file from the kustomization.yaml that lists it.
    let d = path.dirname(f);
    for (;;) {
      const k = path.join(d, 'kustomization.yaml');
      if (fs.existsSync(k)) {
        const kd = yaml.load(fs.readFileSync(k, 'utf8'));
        const rel = path.relative(d, f);
        if (Array.isArray(kd.resources)) {
          kd.resources = kd.resources.filter((r) => r.replace(/^\.\//, '') !== rel);
          fs.writeFileSync(k, yaml.dump(kd, { lineWidth: -1 }));
        }
        break;
      }
      if (d === dir) break;
      d = path.dirname(d);
    }
    return `deleted ${path.basename(f)}`;
  }
  return null;
}
