// CRDs the tree needs. Flux's own kinds come from the Flux modules that build.sh builds (in the Go
// module cache); the others are vendored in test/cluster/crds (see its README for provenance).
import fs from 'node:fs';
import path from 'node:path';
import { parseDocs } from './tree.mjs';
import { log, waitFor } from './proc.mjs';

/**
 * `bootstrapOnly`: only the CRDs `flux bootstrap` installs (source, kustomize and helm controllers);
 * Tiers A and B take every other CRD from the tree and from the charts its HelmReleases install, so
 * a kind nobody installs fails there. Tier C (no helm-controller runs) and the peers use all.
 */
export function crdFiles(root, versions, { bootstrapOnly = false } = {}) {
  const mod = process.env.GOMODCACHE ?? path.join(root, '.cache/gomod');
  const dirs = [
    path.join(mod, `github.com/fluxcd/source-controller@${versions.SOURCE_CONTROLLER_VERSION}/config/crd/bases`),
    path.join(mod, `github.com/fluxcd/kustomize-controller@${versions.KUSTOMIZE_CONTROLLER_VERSION}/config/crd/bases`),
    path.join(root, 'test/cluster/crds'),
  ];
  const files = [];
  for (const d of dirs) {
    if (!fs.existsSync(d)) throw new Error(`CRD directory ${d} is missing: run test/cluster/build.sh flux first`);
    for (const f of fs.readdirSync(d).sort()) {
      if (!f.endsWith('.yaml')) continue;
      if (bootstrapOnly && d.endsWith(path.join('test', 'cluster', 'crds')) && !f.startsWith('helm.toolkit.fluxcd.io_')) continue;
      files.push(path.join(d, f));
    }
  }
  return files;
}

/**
 * Applies every CRD in `files` and waits until each is Established.
 * `dropVersionFields`: keys removed from each `spec.versions[]` before applying, for an older
 * apiserver whose CRD schema lacks them (Tier A128: `selectableFields`, Kubernetes >= 1.30, which
 * only enables field selectors and does not change how objects are validated). Each removal is
 * logged and returned in `dropped` ("<crd>/<version>.<field>").
 */
export async function installCrds(kube, files, { dropVersionFields = [] } = {}) {
  const crds = [];
  const dropped = [];
  for (const f of files) {
    for (const o of parseDocs(fs.readFileSync(f, 'utf8'), f)) {
      if (o.kind !== 'CustomResourceDefinition') continue;
      for (const v of o.spec?.versions ?? []) {
        for (const field of dropVersionFields) {
          if (!(field in v)) continue;
          delete v[field];
          dropped.push(`${o.metadata.name}/${v.name}.${field}`);
          log(`CRD ${o.metadata.name} version ${v.name}: dropped ${field} (not in this apiserver's CRD schema)`);
        }
      }
      await kube.apply(o);
      crds.push(o);
    }
  }
  crds.dropped = dropped;
  for (const c of crds) {
    await waitFor(`CRD ${c.metadata.name} Established`, async () => {
      const cur = await kube.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', c.metadata.name);
      return cur?.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    }, { timeoutMs: 30000, intervalMs: 200 });
  }
  kube.mapping.clear();
  return crds;
}

export function readVersions(root) {
  const v = {};
  for (const line of fs.readFileSync(path.join(root, 'test/cluster/versions.sh'), 'utf8').split('\n')) {
    const m = line.match(/^([A-Z0-9_]+)=(\S+)/);
    if (m) v[m[1]] = m[2];
  }
  return v;
}
