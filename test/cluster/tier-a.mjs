// Tier A: etcd + kube-apiserver, the CRDs the tree uses, then a server-side dry-run (strict field
// validation) of every object of dist/ in Flux's order. Tier A runs it on the K8S_VERSION apiserver,
// Tier A128 on the K8S_128_VERSION one (the 1.28 line the constructs target).
import path from 'node:path';
import { startEtcd, startApiserver } from './harness/controlplane.mjs';
import { crdFiles, installCrds } from './harness/crds.mjs';
import { applyCluster } from './harness/apply.mjs';
import { allYamlFiles } from './harness/tree.mjs';
import { chartsOption, chartWorkloadPlacement, declaredChartServices, hrName } from './harness/charts.mjs';
import { CHART_SERVICES_ANNOTATION, parseChartServices } from '../../lib/core/chart-services.js';
import { clusterPools } from './harness/workloads.mjs';
import { nodesForPools } from './harness/pools.mjs';
import { describe } from './harness/kube.mjs';
import { log, mkdirp, stop } from './harness/proc.mjs';

export function tierA(ctx) {
  return dryRunTier(ctx, { tier: 'tierA', dirName: 'tier-a', binary: 'kube-apiserver', version: ctx.versions.K8S_VERSION });
}

export function tierA128(ctx) {
  // The vendored External Secrets CRDs declare selectableFields (Kubernetes >= 1.30), which a 1.28
  // apiserver rejects as an unknown field of the CRD itself; it does not affect object validation.
  return dryRunTier(ctx, {
    tier: 'tierA128', dirName: 'tier-a128', binary: 'kube-apiserver-1.28', version: ctx.versions.K8S_128_VERSION,
    dropCrdVersionFields: ['selectableFields'],
  });
}

async function dryRunTier({ root, work, report, versions, clusters, distDir }, { tier, dirName, binary, version, dropCrdVersionFields = [] }) {
  const dir = mkdirp(work, dirName);
  const etcd = await startEtcd(dir);
  report.pass(`${tier} etcd starts and answers put/get`, `etcd at ${etcd.url}`);
  const api = await startApiserver(dir, etcd.url, { binary });
  const ver = (await api.kube.ok('GET', '/version')).gitVersion;
  if (ver !== version) report.fail(`${tier} kube-apiserver version`, `got ${ver}, want ${version}`);
  else report.pass(`${tier} kube-apiserver version`, ver);
  try {
    // Only what `flux bootstrap` installs: every other CRD must come from the tree or its charts.
    const crds = await installCrds(api.kube, crdFiles(root, versions, { bootstrapOnly: true }), { dropVersionFields: dropCrdVersionFields });
    const dropped = crds.dropped.length ? ` (dropped for this apiserver: ${crds.dropped.join(', ')})` : '';
    report.pass(`${tier} install Flux bootstrap CRDs`, `${crds.length} CRDs Established${dropped}`);
    const charts = chartsOption(root, {
      transformCrd: (crd) => { for (const v of crd.spec?.versions ?? []) for (const f of dropCrdVersionFields) delete v[f]; },
    });
    // Control: strict field validation must reject an unknown field, or every pass below means nothing.
    await report.check(`${tier} strict validation rejects an unknown field`, async () => {
      const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict-probe', namespace: 'default' }, data: {}, bogusField: 1 };
      try {
        await api.kube.apply(bad, { dryRun: true });
      } catch (e) {
        if (/unknown field|bogusField/.test(e.message)) return e.message.slice(0, 120);
        throw e;
      }
      throw new Error('the apiserver accepted an unknown field');
    });
    for (const c of clusters) {
      const applied = await applyCluster(api.kube, c, { report, prefix: `${tier}[${c.name}] dry-run`, mode: 'dry-run', charts });
      // Services a HelmRelease declares (the gate resolves URLs to them offline) must be in its chart's output.
      for (const d of declaredChartServices([...c.objects, ...c.kustomizations.flatMap((k) => k.objects)], applied.rendered, parseChartServices, CHART_SERVICES_ANNOTATION)) {
        const name = `${tier}[${c.name}] ${hrName(d.hr)} renders its declared Service ${d.service}:${d.port}`;
        if (d.problem) report.fail(name, `${hrName(d.hr)} declares ${d.service}:${d.port} (${CHART_SERVICES_ANNOTATION}), but ${d.problem}`);
        else report.pass(name, 'in the helm output');
      }
      // Every chart DaemonSet/Deployment must be able to land on a node of the cluster model.
      const { pools, fromModel } = clusterPools(c);
      if (!fromModel) { report.skip(`${tier}[${c.name}] chart workloads select a node`, 'no cluster model in the tree'); continue; }
      const nodes = nodesForPools(pools.map((p) => ({ ...p })));
      for (const w of chartWorkloadPlacement(applied.rendered, nodes)) {
        const name = `${tier}[${c.name}] ${hrName(w.hr)} ${describe(w.obj)} selects a node of the cluster model`;
        if (w.nodes.length) report.pass(name, `${w.nodes.length} node(s), e.g. ${w.nodes[0]}`);
        else if (w.dormant) report.skip(name, `runs on no node by design: ${w.dormant}`);
        else report.fail(name, `${hrName(w.hr)}: ${describe(w.obj)} selects no node of the cluster model (nodeSelector ${JSON.stringify(w.obj.spec.template.spec.nodeSelector ?? {})}, required node affinity and tolerations checked against ${nodes.length} nodes)`);
      }
    }
    // Files under dist that no Kustomization of any cluster reaches are never applied by Flux.
    const reached = new Set();
    for (const c of clusters) {
      for (const o of c.objects) if (o.__source) reached.add(o.__source);
      for (const k of c.kustomizations) {
        reached.add(k.dir);
        for (const o of k.objects) if (o.__source) reached.add(o.__source);
      }
    }
    const unreached = allYamlFiles(distDir).filter((f) => {
      if (/kustomization\.ya?ml$/.test(f)) return false;
      for (const r of reached) if (f === r || f.startsWith(r + path.sep)) return false;
      return true;
    });
    if (unreached.length) log(`${tier} note: ${unreached.length} YAML files are not reached by any Flux Kustomization: ${unreached.slice(0, 10).join(', ')}`);
  } finally {
    await stop(api.child);
    await stop(etcd.child);
    etcd.cleanup();
  }
}
