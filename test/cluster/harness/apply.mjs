// Applies (or server-side dry-runs) the tree in Flux's order, one verdict per object.
import { describe } from './kube.mjs';
import { fluxOrder, ksName } from './tree.mjs';
import { log } from './proc.mjs';

/** Apply one object with Flux's namespace rules; returns the server response. */
export async function applyObject(kube, o, { dryRun }) {
  const obj = JSON.parse(JSON.stringify(o));
  const { namespaced } = await kube.resource(obj.apiVersion, obj.kind);
  if (namespaced) {
    if (o.__targetNamespace) obj.metadata.namespace = o.__targetNamespace;
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
 */
export async function applyCluster(kube, cluster, { report, prefix, mode, skipObject = () => null, onlyKs = null }) {
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
  for (const g of groups) {
    log(`${prefix}: ${g.name}: ${g.objects.length} objects from ${g.source}`);
    for (const o of fluxOrder(g.objects)) {
      const name = `${prefix} ${g.name} ${describe(o)}`;
      const why = skipObject(o);
      if (why) { report.skip(name, why); continue; }
      const structural = o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition';
      try {
        await applyObject(kube, o, { dryRun: true });
        if (mode === 'apply' || structural) {
          const r = await applyObject(kube, o, { dryRun: false });
          for (const w of r.warnings) log(`  warning for ${describe(o)}: ${w}`);
        }
        if (o.kind === 'CustomResourceDefinition') kube.mapping.clear();
        report.pass(name);
        applied.push(o);
      } catch (e) {
        report.fail(name, `${e.message}${o.__source ? `\n(from ${o.__source})` : ''}`);
      }
    }
  }
  return applied;
}
