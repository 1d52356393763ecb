import { kustomizeFindingsOf } from '../kustomize-build.js';
import type { ManifestObject } from '../loader.js';
import type { CrossResourceRule } from '../registry.js';

/**
 * The cluster a file belongs to: `clusters/<name>/...` trees (the flux2-kustomize-helm-example
 * layout this repository renders) are separate clusters, everything else is shared by all of them.
 */
function clusterOf(file: string): string {
  const m = /(?:^|\/)clusters\/([^/]+)\//.exec(file);
  return m ? m[1] : '';
}

/**
 * The same object (API group, kind, namespace, name) defined twice in what one cluster applies:
 * the later apply silently overwrites the earlier, and Flux reports the two Kustomizations fighting.
 * Objects under different `clusters/<name>/` directories are not compared, nor objects that only
 * different top-level kustomizations build (a staging and a production overlay).
 */
export const duplicateObject: CrossResourceRule = {
  name: 'duplicate-object',
  evaluate(ctx) {
    const buildRoots = kustomizeFindingsOf(ctx.loaded)?.buildRoots;
    const appliedTogether = (a: ManifestObject, b: ManifestObject): boolean => {
      const ca = clusterOf(a.source.file);
      const cb = clusterOf(b.source.file);
      if (ca !== '' && cb !== '' && ca !== cb) return false;
      const ra = buildRoots?.get(a.source.file);
      const rb = buildRoots?.get(b.source.file);
      return !ra || !rb || [...ra].some((r) => rb.has(r));
    };
    // group -> kind -> namespace -> name -> the objects with that identity, over the objects whose
    // kind, namespace and name another object has (the index knows them): only those can be
    // duplicates, so a tree without any builds no table (at 10^6 objects a table of every object
    // cost about 80 MB). Nested maps keyed by the objects' own strings: no key string is built per
    // object; a list is made only for an identity seen twice.
    const groups = new Map<string, string>();
    const byIdentity = new Map<string, Map<string, Map<string, Map<string, ManifestObject | ManifestObject[]>>>>();
    const level = <V>(map: Map<string, V>, key: string, make: () => V): V => {
      let v = map.get(key);
      if (v === undefined) map.set(key, (v = make()));
      return v;
    };
    const duplicates: ManifestObject[][] = [];
    const candidates = ctx.index.objectsSharingName();
    for (const entry of candidates.size === 0 ? [] : ctx.index.objects) {
      if (!candidates.has(entry)) continue;
      const { apiVersion, kind, metadata } = entry.object;
      let group = groups.get(apiVersion);
      if (group === undefined) groups.set(apiVersion, (group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''));
      const names = level(level(level(byIdentity, group, () => new Map()), kind, () => new Map()), metadata.namespace ?? '', () => new Map());
      const seen = names.get(metadata.name);
      if (seen === undefined) names.set(metadata.name, entry);
      else if (Array.isArray(seen)) seen.push(entry);
      else {
        const list = [seen, entry];
        names.set(metadata.name, list);
        duplicates.push(list);
      }
    }
    const inList = new Set<ManifestObject>(duplicates.flat());
    for (const entry of ctx.index.objects) if (!inList.has(entry)) ctx.pass(entry);
    for (const entries of duplicates) {
      entries.forEach((entry, i) => {
        const first = entries.slice(0, i).find((p) => appliedTogether(p, entry));
        if (!first) {
          ctx.pass(entry);
          return;
        }
        const { kind, metadata } = entry.object;
        ctx.fail(entry, `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name} is already defined in ${first.source.file}:${first.source.line}`, '/metadata/name');
      });
    }
  },
};
