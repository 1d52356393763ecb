// Reads the rendered Flux monorepo (dist/) the way Flux does: the cluster directory holds the
// GitRepository and the Flux Kustomizations; each Kustomization's spec.path is built with
// kustomize (kubectl kustomize, offline) and applied in dependsOn order.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { run } from './proc.mjs';

export const FLUX_KS = 'kustomize.toolkit.fluxcd.io';
export const FLUX_SRC = 'source.toolkit.fluxcd.io';

export function parseDocs(text, source) {
  const out = [];
  for (const doc of yaml.loadAll(text)) {
    if (!doc || typeof doc !== 'object') continue;
    if (doc.kind === 'List' && Array.isArray(doc.items)) out.push(...doc.items);
    else out.push(doc);
  }
  for (const o of out) Object.defineProperty(o, '__source', { value: source, enumerable: false, writable: true });
  return out;
}

function yamlFiles(dir, recursive) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && recursive) out.push(...yamlFiles(p, true));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Build a directory as kustomize-controller would: kustomize if it has a kustomization file. */
export function buildDir(dir) {
  const hasK = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => fs.existsSync(path.join(dir, f)));
  if (hasK) {
    const out = run('kubectl', ['kustomize', dir]);
    return { objects: parseDocs(out, dir), generated: false };
  }
  // Flux generates a kustomization.yaml listing every manifest when none exists.
  const objects = [];
  for (const f of yamlFiles(dir, true)) objects.push(...parseDocs(fs.readFileSync(f, 'utf8'), f));
  return { objects, generated: true };
}

const isFluxKs = (o) => o.kind === 'Kustomization' && String(o.apiVersion).startsWith(`${FLUX_KS}/`);
const isGitRepo = (o) => o.kind === 'GitRepository' && String(o.apiVersion).startsWith(`${FLUX_SRC}/`);

/** Objects first in Flux's apply order: CRDs, Namespaces, then everything else (stable). */
export function fluxOrder(objects) {
  const rank = (o) => (o.kind === 'CustomResourceDefinition' ? 0 : o.kind === 'Namespace' ? 1 : 2);
  return objects.map((o, i) => [o, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([o]) => o);
}

/**
 * Load the tree: returns clusters [{name, dir, objects (of the cluster dir), gitRepos, kustomizations
 * (topologically ordered, each with {obj, dir, objects})}], plus gitRoot (the directory the
 * GitRepository's paths are relative to).
 */
export function loadTree(distDir) {
  const clustersDir = path.join(distDir, 'clusters');
  if (!fs.existsSync(clustersDir)) throw new Error(`${clustersDir} does not exist: render the tree first (npm run synth)`);
  const clusters = [];
  for (const name of fs.readdirSync(clustersDir).sort()) {
    const dir = path.join(clustersDir, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    const { objects } = buildDir(dir);
    const kss = objects.filter(isFluxKs);
    const gitRepos = objects.filter(isGitRepo);
    const gitRoot = guessGitRoot(distDir, kss);
    const byName = new Map(kss.map((k) => [`${k.metadata.namespace ?? 'flux-system'}/${k.metadata.name}`, k]));
    const ordered = topo(kss, byName);
    const kustomizations = ordered.map((k) => {
      const rel = k.spec?.path ?? './';
      const kdir = path.resolve(gitRoot, rel);
      if (!fs.existsSync(kdir)) return { obj: k, dir: kdir, objects: [], error: `path ${rel} does not exist under ${gitRoot}` };
      try {
        const built = buildDir(kdir);
        // The cluster directory may list itself (self-managing sync); skip re-including Flux objects there.
        return { obj: k, dir: kdir, objects: applyKsTransforms(k, built.objects), generated: built.generated };
      } catch (e) {
        return { obj: k, dir: kdir, objects: [], error: `kustomize build ${rel} failed: ${e.stderr || e.message}` };
      }
    });
    clusters.push({ name, dir, objects, gitRepos, kustomizations, gitRoot });
  }
  return clusters;
}

/** Paths in the cluster's Kustomizations are relative to the git repo root: dist's parent or dist. */
export function guessGitRoot(distDir, kss) {
  const parent = path.dirname(path.resolve(distDir));
  const base = path.basename(path.resolve(distDir));
  for (const k of kss) {
    const p = String(k.spec?.path ?? '').replace(/^\.\//, '');
    if (p === base || p.startsWith(`${base}/`)) return parent;
  }
  return path.resolve(distDir);
}

function topo(kss, byName) {
  const out = [];
  const state = new Map();
  const visit = (k) => {
    const key = `${k.metadata.namespace ?? 'flux-system'}/${k.metadata.name}`;
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') throw new Error(`dependsOn cycle at Kustomization ${key}`);
    state.set(key, 'visiting');
    for (const d of k.spec?.dependsOn ?? []) {
      const dep = byName.get(`${d.namespace ?? k.metadata.namespace ?? 'flux-system'}/${d.name}`);
      if (dep) visit(dep);
    }
    state.set(key, 'done');
    out.push(k);
  };
  for (const k of kss) visit(k);
  return out;
}

/** The parts of a Flux Kustomization spec that change objects: targetNamespace, commonMetadata, postBuild.substitute. */
function applyKsTransforms(ks, objects) {
  let out = objects;
  const subst = ks.spec?.postBuild?.substitute;
  if (subst && Object.keys(subst).length) {
    out = out.map((o) => {
      let s = JSON.stringify(o);
      for (const [k, v] of Object.entries(subst)) s = s.split(`\${${k}}`).join(String(v));
      const n = JSON.parse(s);
      Object.defineProperty(n, '__source', { value: o.__source, enumerable: false, writable: true });
      return n;
    });
  }
  const cm = ks.spec?.commonMetadata;
  for (const o of out) {
    if (cm?.labels) o.metadata.labels = { ...(o.metadata.labels ?? {}), ...cm.labels };
    if (cm?.annotations) o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...cm.annotations };
    if (ks.spec?.targetNamespace) Object.defineProperty(o, '__targetNamespace', { value: ks.spec.targetNamespace, enumerable: false });
  }
  return out;
}

export function ksName(k) {
  return `${k.metadata.namespace ?? 'flux-system'}/${k.metadata.name}`;
}

/** Every YAML file under dir (to report files no Kustomization reaches). */
export function allYamlFiles(dir) {
  return fs.existsSync(dir) ? yamlFiles(dir, true) : [];
}
