/**
 * Which pod groups hold claims on node-local volumes (a StorageClass the cluster model marks
 * `nodeLocal`, e.g. local-path-provisioner's): once bound, such a volume has node affinity to
 * the node it was created on, so the pod can only run there again. A drained node's pod waits
 * for the node instead of moving.
 */
import type { ClusterModelDocument } from '../cluster/cluster-model-document.js';
import { DEFAULT_STORAGE_CLASS_ANNOTATION } from '../cluster/storage-classes.js';
import type { ManifestObject } from '../policy/loader.js';
import type { PodGroup, TreeFacts } from './workloads.js';

interface ClaimSpec {
  readonly storageClassName?: unknown;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * For every group with a claim on a node-local StorageClass, the claims in words (e.g.
 * `claim model-cache (StorageClass local-nvme)`). Claims without a class take the default class
 * of the model (or of the tree's StorageClasses). Classes the model does not know are not node-local.
 */
export function nodeLocalClaims(facts: TreeFacts, model: ClusterModelDocument): Map<PodGroup, string[]> {
  const nodeLocal = new Set((model.storageClasses ?? []).filter((c) => c.nodeLocal).map((c) => c.name));
  const defaultClass = (model.storageClasses ?? []).find((c) => c.default)?.name
    ?? facts.objects.find((o) => o.object.kind === 'StorageClass' && o.object.metadata.annotations?.[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true')?.object.metadata.name;
  const classOf = (spec: ClaimSpec): string | undefined => {
    const name = spec.storageClassName;
    if (name === undefined || name === null) return defaultClass;
    return typeof name === 'string' && name !== '' ? name : undefined;
  };
  const claims = new Map<string, ManifestObject>();
  for (const o of facts.objects) {
    if (o.object.kind === 'PersistentVolumeClaim') claims.set(`${o.object.metadata.namespace ?? 'default'}/${o.object.metadata.name}`, o);
  }
  const out = new Map<PodGroup, string[]>();
  for (const group of facts.groups) {
    const found: string[] = [];
    if (group.kind === 'StatefulSet') {
      const templates = record(group.object.object.spec).volumeClaimTemplates;
      for (const t of Array.isArray(templates) ? templates : []) {
        const className = classOf(record(record(t).spec) as ClaimSpec);
        if (className && nodeLocal.has(className)) found.push(`claim ${String(record(record(t).metadata).name)} (StorageClass ${className})`);
      }
    }
    const volumes = group.spec.volumes;
    for (const v of Array.isArray(volumes) ? volumes : []) {
      const claimName = record(record(v).persistentVolumeClaim).claimName;
      if (typeof claimName !== 'string') continue;
      const claim = claims.get(`${group.namespace}/${claimName}`);
      if (!claim) continue;
      const className = classOf(record(claim.object.spec) as ClaimSpec);
      if (className && nodeLocal.has(className)) found.push(`claim ${claimName} (StorageClass ${className})`);
    }
    if (found.length > 0) out.set(group, found);
  }
  return out;
}

/**
 * How many pods of `replicas` a PodDisruptionBudget lets a drain evict at once: `maxUnavailable`,
 * else `replicas - minAvailable`; percentages of `replicas` rounded up, as the disruption
 * controller scales them.
 */
export function disruptionsAllowed(pdb: ManifestObject, replicas: number): number {
  const spec = record(pdb.object.spec);
  const resolve = (value: unknown): number | undefined => {
    if (typeof value === 'number') return value;
    const match = /^(\d+)%$/.exec(String(value ?? ''));
    return match ? Math.ceil((Number(match[1]) * replicas) / 100) : undefined;
  };
  const maxUnavailable = resolve(spec.maxUnavailable);
  if (maxUnavailable !== undefined) return Math.max(0, maxUnavailable);
  const minAvailable = resolve(spec.minAvailable);
  if (minAvailable !== undefined) return Math.max(0, replicas - minAvailable);
  return 0;
}
