import { namespacePhrase } from '../namespace-phrase.js';
import { tryParseQuantity } from '../../core/quantity.js';
import { specOf, type PodTemplate } from '../object-index.js';
import type { CrossResourceRule } from '../registry.js';

/** ExternalSecrets reference a SecretStore (same namespace) or ClusterSecretStore in the tree. */
export const externalSecretStoreExists: CrossResourceRule = {
  name: 'externalsecret-store-exists',
  evaluate(ctx) {
    for (const es of ctx.index.ofKind('ExternalSecret')) {
      const ref = specOf(es).secretStoreRef as { kind?: string; name?: string } | undefined;
      if (!ref?.name) {
        // ESO v1 allows a per-entry sourceRef instead of a store; each must then name a store.
        ctx.fail(es, `ExternalSecret ${es.object.metadata.name} has no spec.secretStoreRef.name`, '/spec');
        continue;
      }
      const kind = ref.kind ?? 'SecretStore';
      const store = kind === 'ClusterSecretStore' ? ctx.index.get(kind, undefined, ref.name) : ctx.index.get(kind, es.object.metadata.namespace, ref.name);
      if (store) ctx.pass(es);
      else ctx.fail(es, `ExternalSecret ${es.object.metadata.name} uses ${kind} '${ref.name}', which is not in the tree${kind === 'SecretStore' ? ` (${namespacePhrase(es.object.metadata.namespace)})` : ''}`, '/spec/secretStoreRef');
    }
  },
};

function requestsGpus(t: PodTemplate, pattern: RegExp): boolean {
  for (const type of ['containers', 'initContainers']) {
    for (const c of (Array.isArray(t.spec[type]) ? t.spec[type] : []) as { resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } }[]) {
      for (const map of [c?.resources?.limits, c?.resources?.requests]) {
        for (const [name, value] of Object.entries(map ?? {})) if (pattern.test(name) && (tryParseQuantity(value) ?? 1) > 0) return true;
      }
    }
  }
  return false;
}

/** Namespaces that run GPU pods have a ResourceQuota bounding GPU requests. */
export const namespaceGpuQuota: CrossResourceRule = {
  name: 'namespace-gpu-quota',
  evaluate(ctx) {
    const resource = typeof ctx.parameters.resource === 'string' ? ctx.parameters.resource : 'nvidia.com/gpu';
    const pattern = new RegExp(`^${resource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const quotaed = new Set<string>();
    for (const quota of ctx.index.ofKind('ResourceQuota')) {
      const hard = (specOf(quota).hard ?? {}) as Record<string, unknown>;
      if (`requests.${resource}` in hard || `limits.${resource}` in hard) quotaed.add(quota.object.metadata.namespace ?? '');
    }
    const reported = new Set<string>();
    for (const t of ctx.index.podTemplates()) {
      if (!requestsGpus(t, pattern) || reported.has(t.namespace)) continue;
      reported.add(t.namespace);
      if (quotaed.has(t.namespace)) ctx.pass(t.owner);
      else ctx.fail(t.owner, `${namespacePhrase(t.namespace)} runs GPU pods (${t.owner.object.kind} ${t.owner.object.metadata.name}) but no ResourceQuota sets requests.${resource}: one team can take every GPU`);
    }
  },
};
