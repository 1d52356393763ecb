// CRDs the tree needs. Flux's own kinds come from the Flux modules that build.sh builds (in the Go
// module cache); the others are vendored in test/cluster/crds (see its README for provenance).
import fs from 'node:fs';
import path from 'node:path';
import { parseDocs } from './tree.mjs';
import { waitFor } from './proc.mjs';

export function crdFiles(root, versions) {
  const mod = process.env.GOMODCACHE ?? path.join(root, '.cache/gomod');
  const dirs = [
    path.join(mod, `github.com/fluxcd/source-controller@${versions.SOURCE_CONTROLLER_VERSION}/config/crd/bases`),
    path.join(mod, `github.com/fluxcd/kustomize-controller@${versions.KUSTOMIZE_CONTROLLER_VERSION}/config/crd/bases`),
    path.join(root, 'test/cluster/crds'),
  ];
  const files = [];
  for (const d of dirs) {
    if (!fs.existsSync(d)) throw new Error(`CRD directory ${d} is missing: run test/cluster/build.sh flux first`);
    for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.yaml')) files.push(path.join(d, f));
  }
  return files;
}

export async function installCrds(kube, files) {
  const crds = [];
  for (const f of files) {
    for (const o of parseDocs(fs.readFileSync(f, 'utf8'), f)) {
      if (o.kind !== 'CustomResourceDefinition') continue;
      await kube.apply(o);
      crds.push(o);
    }
  }
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
