// Applies (or server-side dry-runs) the tree in Flux's order, one verdict per object.
import { describe } from './kube.mjs';
import { fluxOrder, ksName } from './tree.mjs';
import { log } from './proc.mjs';

const WEBHOOK_KINDS = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
import { hrName, isHelmRelease, renderRelease, servedApiVersions } from './charts.mjs';

/** Apply one object with Flux's namespace rules; returns the server response. */
export async function applyObject(kube, o, { dryRun }) {
  const obj = JSON.parse(JSON.stringify(o));
  const { namespaced } = await kube.resource(obj.apiVersion, obj.kind);
  if (namespaced) {
    if (o.__targetNamespace) obj.metadata.namespace = o.__targetNamespace;
    // helm installs a chart's namespaced objects without a namespace into the release namespace
    if (!obj.metadata.namespace && o.__release) obj.metadata.namespace = o.__release.release.namespace;
    if (!obj.metadata.namespace) throw new Error('namespace not specified (kustomize-controller rejects namespaced objects without one)');
  } else if (obj.metadata.namespace) {
    delete obj.metadata.namespace; // the server ignores it; Flux strips it too
  }
  return kube.apply(obj, { dryRun });
}

/**
 * Walk a cluster: its own directory first (GitRepository, Kustomizations), then each Flux
 * Kustomization's objects in dependsOn order. CRDs and Namespaces are dry-run and then really
 * created (namespaced objects cannot be dry-run into a namespace that does not exist); everything
 * else follows `mode`: 'dry-run' or 'apply'.
 * Each object is one case in the report, named "<prefix> <ks> <object>".
 *
 * `charts` ({helm, list, transformCrd?}): after each Kustomization, every HelmRelease it applied is
 * rendered from its vendored chart (harness/charts.mjs) with the apiserver's capabilities at that
 * point and its objects are applied as the next group, as helm-controller installs them before a
 * `wait: true` Kustomization is Ready and its dependents start. A chart object whose kind has no
 * installed CRD fails naming the HelmRelease. Without `charts`, HelmReleases are applied as objects only.
 */
export async function applyCluster(kube, cluster, { report, prefix, mode, skipObject = () => null, onlyKs = null, charts = null }) {
  const groups = [{ name: `cluster ${cluster.name}`, objects: cluster.objects, source: cluster.dir }];
  for (const ks of cluster.kustomizations) {
    if (onlyKs && !onlyKs(ks)) continue;
    if (ks.dir === cluster.dir) continue; // the root Kustomization syncs the cluster directory itself
    if (ks.error) {
      report.fail(`${prefix} build Kustomization ${ksName(ks.obj)}`, ks.error);
      continue;
    }
    groups.push({ name: `Kustomization ${ksName(ks.obj)}`, objects: ks.objects, source: ks.dir });
  }
  const applied = [];
  // `flux bootstrap` creates the namespace of the Flux objects; the tree does not have to.
  for (const o of cluster.objects) {
    const ns = o.metadata?.namespace;
    if (ns && !(await kube.get('v1', 'Namespace', ns)) && !cluster.objects.some((x) => x.kind === 'Namespace' && x.metadata.name === ns)) {
      log(`${prefix}: creating namespace ${ns} (as flux bootstrap does)`);
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
  }
  const allObjects = [...cluster.objects, ...cluster.kustomizations.flatMap((k) => k.objects)];
  const rendered = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    if (g.release) {
      const hr = g.release;
      const caseName = `${prefix} render ${hrName(hr)}`;
      try {
        const kubeVersion = (await kube.ok('GET', '/version')).gitVersion;
        const r = renderRelease(hr, allObjects, charts.list, { helm: charts.helm, kubeVersion, apiVersions: await servedApiVersions(kube) });
        report.pass(caseName, `chart ${r.chart.chart} ${r.chart.version} as release ${r.release.namespace}/${r.release.name}: ${r.objects.length} objects${r.schemaValidated ? '; values validated against its values.schema.json' : ' (the chart has no values.schema.json)'}`);
        rendered.push(...r.objects);
        g.objects = r.objects;
        g.source = `chart ${r.chart.chart} ${r.chart.version}`;
      } catch (e) {
        report.fail(caseName, e.message);
        continue;
      }
    }
    log(`${prefix}: ${g.name}: ${g.objects.length} objects from ${g.source}`);
    const releases = [];
    for (const o of fluxOrder(g.objects)) {
      const name = `${prefix} ${g.name} ${describe(o)}`;
      const why = skipObject(o);
      if (why) { report.skip(name, why); continue; }
      const structural = o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition';
      if (o.kind === 'CustomResourceDefinition' && charts?.transformCrd) charts.transformCrd(o);
      try {
        if (o.__release) {
          try {
            await kube.resource(o.apiVersion, o.kind);
          } catch {
            throw new Error(`${hrName(o.__release.hr)} (chart ${o.__release.chart.chart} ${o.__release.chart.version}) renders ${o.kind} ${o.apiVersion} ${o.metadata?.name}, but no CRD for ${o.apiVersion} ${o.kind} is installed before it: no earlier Kustomization and no chart installs it`);
          }
        }
        await applyObject(kube, o, { dryRun: true });
        // A chart's admission webhooks point at the operator's pods, which kwok never runs: really
        // installed, they would refuse every later object of their kinds. Dry-run only, and said so.
        if (mode === 'apply' && o.__release && WEBHOOK_KINDS.has(o.kind)) {
          report.pass(name, 'dry-run only: its webhook server is a pod of the chart, and kwok runs no container');
          applied.push(o);
          continue;
        }
        if (mode === 'apply' || structural) {
          const r = await applyObject(kube, o, { dryRun: false });
          for (const w of r.warnings) log(`  warning for ${describe(o)}: ${w}`);
        }
        if (o.kind === 'CustomResourceDefinition') kube.mapping.clear();
        report.pass(name);
        applied.push(o);
        if (charts && isHelmRelease(o)) releases.push(o);
      } catch (e) {
        report.fail(name, `${e.message}${o.__source ? `\n(from ${o.__source})` : ''}`);
      }
    }
    // helm-controller installs each HelmRelease of this Kustomization before it is Ready; releases
    // without dependsOn between them install concurrently, so only dependsOn orders them here. Each
    // is rendered when its turn comes, after the releases before it are applied, so its
    // capabilities include their CRDs (as helm-controller sees them after dependsOn is Ready).
    const extra = releaseOrder(releases).map((hr) => ({ name: hrName(hr), objects: [], source: 'its chart', release: hr }));
    groups.splice(gi + 1, 0, ...extra);
  }
  applied.rendered = rendered;
  return applied;
}

/** HelmReleases in spec.dependsOn order (stable otherwise); a dependency outside the list is ignored. */
export function releaseOrder(releases) {
  const key = (hr) => `${hr.metadata.namespace}/${hr.metadata.name}`;
  const byKey = new Map(releases.map((hr) => [key(hr), hr]));
  const out = [];
  const seen = new Set();
  const visit = (hr, stack = new Set()) => {
    const k = key(hr);
    if (seen.has(k)) return;
    if (stack.has(k)) throw new Error(`HelmRelease dependsOn cycle at ${k}`);
    stack.add(k);
    for (const d of hr.spec?.dependsOn ?? []) {
      const dep = byKey.get(`${d.namespace ?? hr.metadata.namespace}/${d.name}`);
      if (dep) visit(dep, stack);
    }
    seen.add(k);
    out.push(hr);
  };
  for (const hr of releases) visit(hr);
  return out;
}
