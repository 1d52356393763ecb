/**
 * `crd-before-use`: every object's kind is built into Kubernetes, or its CustomResourceDefinition
 * is in the tree or installed by a HelmRelease, applied by a Flux Kustomization that the object's
 * Kustomization depends on. A CRD object in the same Kustomization is fine (kustomize-controller
 * applies CRDs first and waits for them to be established); a HelmRelease in the same
 * Kustomization is a race (helm-controller installs the chart after the apply).
 */
import type { ManifestObject } from '../loader.js';
import type { CrossResourceRule, RuleContext } from '../registry.js';
import { FluxLayers } from './flux-layers.js';

/** API groups served by kube-apiserver itself (Kubernetes 1.28-1.33); '' is the core group. */
export const BUILT_IN_API_GROUPS: ReadonlySet<string> = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io',
  'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io', 'internal.apiserver.k8s.io', 'storagemigration.k8s.io',
]);

/** The API group of an apiVersion (`apps/v1` -> `apps`, `v1` -> ''). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

interface Provider {
  readonly object: ManifestObject;
  readonly describe: string;
  /** A CRD object (safe in the same layer) or a HelmRelease (a race in the same layer). */
  readonly crd: boolean;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function providers(ctx: RuleContext): Map<string, Provider[]> {
  const byGroupKind = new Map<string, Provider[]>();
  const add = (key: string, p: Provider) => {
    const list = byGroupKind.get(key);
    if (list) list.push(p);
    else byGroupKind.set(key, [p]);
  };
  for (const crd of ctx.index.ofKind('CustomResourceDefinition')) {
    const spec = (crd.object.spec ?? {}) as { group?: string; names?: { kind?: string } };
    if (typeof spec.group === 'string' && typeof spec.names?.kind === 'string') {
      add(`${spec.group}\0${spec.names.kind}`, { object: crd, describe: `CustomResourceDefinition ${crd.object.metadata.name}`, crd: true });
    }
  }
  const chartCrds = (ctx.parameters.chartCrds ?? {}) as Record<string, unknown>;
  for (const release of ctx.index.ofKind('HelmRelease')) {
    const spec = (release.object.spec ?? {}) as { chart?: { spec?: { chart?: string } }; install?: { crds?: string }; values?: Record<string, unknown> };
    const chart = spec.chart?.spec?.chart;
    if (typeof chart !== 'string' || spec.install?.crds === 'Skip') continue;
    // external-secrets renders its CRDs only with installCRDs (default true)
    if (chart === 'external-secrets' && spec.values?.installCRDs === false) continue;
    // cert-manager renders its CRDs only with crds.enabled (or the deprecated installCRDs); both default false
    if (chart === 'cert-manager' && (spec.values?.crds as { enabled?: unknown } | undefined)?.enabled !== true && spec.values?.installCRDs !== true) continue;
    for (const group of stringList(chartCrds[chart])) {
      add(`${group}\0*`, { object: release, describe: `HelmRelease ${release.object.metadata.namespace ?? ''}/${release.object.metadata.name} (chart ${chart})`, crd: false });
    }
  }
  return byGroupKind;
}

/** HelmReleases whose chart is not in `chartCrds` (they may install CRDs the rule cannot know). */
function unknownCharts(ctx: Parameters<CrossResourceRule['evaluate']>[0], known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const release of ctx.index.ofKind('HelmRelease')) {
    const chart = ((release.object.spec ?? {}) as { chart?: { spec?: { chart?: string } } }).chart?.spec?.chart;
    if (typeof chart === 'string' && !known.has(chart)) out.push(`HelmRelease ${release.object.metadata.namespace ?? ''}/${release.object.metadata.name} (chart ${chart})`);
  }
  return out;
}

/** The rule object (registered by name `crd-before-use`). */
export const crdBeforeUse: CrossResourceRule = {
  name: 'crd-before-use',
  evaluate(ctx) {
    const preinstalled = new Set(stringList(ctx.parameters.preinstalledGroups));
    const byGroupKind = providers(ctx);
    const layers = new FluxLayers(ctx.index);
    for (const entry of ctx.index.objects) {
      const { apiVersion, kind, metadata } = entry.object;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
      const group = apiGroupOf(apiVersion);
      if (BUILT_IN_API_GROUPS.has(group) || preinstalled.has(group)) continue;
      if (group === 'kustomize.config.k8s.io') continue; // kustomization.yaml build files, never applied
      const candidates = [...(byGroupKind.get(`${group}\0${kind}`) ?? []), ...(byGroupKind.get(`${group}\0*`) ?? [])];
      const self = `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
      if (candidates.length === 0) {
        // a HelmRelease of a chart the rule does not know may install it: say so, do not guess
        const unknown = unknownCharts(ctx, new Set(Object.keys((ctx.parameters.chartCrds ?? {}) as Record<string, unknown>)));
        if (unknown.length > 0) {
          ctx.note(entry, 'warning', `${self} is a ${group} ${kind} with no CustomResourceDefinition in the tree; it may come from ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}, whose CRDs are not known offline (add the chart to parameters.chartCrds, or pass the CRDs with --crds)`, '/apiVersion');
          continue;
        }
        ctx.fail(entry, `${self} is a ${group} ${kind}, but no CustomResourceDefinition in the tree and no HelmRelease of a chart known to install ${group} (policy parameter chartCrds) provides it: the apply fails with "no matches for kind ${kind}"`, '/apiVersion');
        continue;
      }
      const owner = layers.present ? layers.ownerOf(entry) : undefined;
      if (!owner) {
        ctx.pass(entry); // no Flux layering to order by: the provider exists in the tree
        continue;
      }
      const ordered = candidates.find((p) => {
        const providerLayer = layers.ownerOf(p.object);
        if (!providerLayer) return true;
        if (providerLayer.id === owner.id) return p.crd;
        return layers.dependsOnTransitively(owner.id, providerLayer.id);
      });
      if (ordered) {
        ctx.pass(entry);
        continue;
      }
      const p = candidates[0];
      const providerLayer = layers.ownerOf(p.object);
      const why = providerLayer?.id === owner.id
        ? `in the same Kustomization ${owner.id}: helm-controller installs the chart after the apply, so the first apply races it`
        : `in Kustomization ${providerLayer?.id}, which Kustomization ${owner.id} (applying ${self}) does not depend on`;
      ctx.fail(entry, `${self} (${group}) needs its CRD from ${p.describe}, ${why}; add ${providerLayer?.id ?? 'the provider\'s Kustomization'} to spec.dependsOn of ${owner.id} (with wait: true there)`, '/apiVersion');
    }
  },
};
