/**
 * `storage-class-exists`: every PersistentVolumeClaim and StatefulSet volumeClaimTemplate names a
 * StorageClass that the tree or the cluster model provides, and a claim without a class finds a
 * default class there. Otherwise the claim stays Pending and so does every pod that mounts it.
 */
import { modelFor } from '../../capacity/capacity-fit.js';
import { DEFAULT_STORAGE_CLASS_ANNOTATION } from '../../cluster/storage-classes.js';
import { specOf } from '../object-index.js';
import type { CrossResourceRule } from '../registry.js';

/** The rule object (registered by name `storage-class-exists`). */
export const storageClassExists: CrossResourceRule = {
  name: 'storage-class-exists',
  evaluate(ctx) {
    const known = new Map<string, string>();
    const defaults: string[] = [];
    for (const sc of ctx.index.ofKind('StorageClass')) {
      known.set(sc.object.metadata.name, `StorageClass ${sc.object.metadata.name} in the tree`);
      if (sc.object.metadata.annotations?.[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true') defaults.push(sc.object.metadata.name);
    }
    const model = modelFor(ctx);
    for (const sc of model?.storageClasses ?? []) {
      if (!known.has(sc.name)) known.set(sc.name, `StorageClass ${sc.name} of cluster model ${model?.name}`);
      if (sc.default && !defaults.includes(sc.name)) defaults.push(sc.name);
    }
    const offered = known.size > 0 ? [...known.keys()].sort().join(', ') : 'none';
    const claims: { owner: (typeof ctx.index.objects)[number]; name: string; className: unknown; field: string }[] = [];
    for (const pvc of ctx.index.ofKind('PersistentVolumeClaim')) {
      claims.push({ owner: pvc, name: `PersistentVolumeClaim ${pvc.object.metadata.namespace ?? ''}/${pvc.object.metadata.name}`, className: specOf(pvc).storageClassName, field: '/spec' });
    }
    for (const sts of ctx.index.ofKind('StatefulSet')) {
      ((specOf(sts).volumeClaimTemplates ?? []) as { metadata?: { name?: string }; spec?: { storageClassName?: unknown } }[]).forEach((t, i) => {
        claims.push({ owner: sts, name: `StatefulSet ${sts.object.metadata.namespace ?? ''}/${sts.object.metadata.name} volumeClaimTemplate ${t?.metadata?.name ?? i}`, className: t?.spec?.storageClassName, field: `/spec/volumeClaimTemplates/${i}/spec` });
      });
    }
    const verdict = new Map<(typeof claims)[number]['owner'], boolean>();
    for (const claim of claims) {
      let problem: string | undefined;
      if (claim.className === undefined || claim.className === null) {
        if (defaults.length === 0) problem = `${claim.name} names no storageClassName and neither the tree nor the cluster model marks a default StorageClass (offered: ${offered}); it stays Pending`;
      } else if (claim.className === '') {
        if (ctx.index.ofKind('PersistentVolume').length === 0) problem = `${claim.name} sets storageClassName "" (static binding only) but the tree has no PersistentVolume to bind`;
      } else if (!known.has(String(claim.className))) {
        problem = `${claim.name} names StorageClass '${String(claim.className)}', which neither the tree nor the cluster model provides (offered: ${offered})`;
      }
      if (problem && !model && known.size === 0) {
        // no cluster model and no StorageClass in the tree: the cluster's classes are unknown
        // (most clusters mark a default); a warning, not a failure nobody could fix in the tree
        ctx.note(claim.owner, 'warning', `${problem.replace(/; it stays Pending$/, '')}; the tree declares no StorageClass and no cluster model, so whether the cluster offers one cannot be checked offline`, claim.field);
        verdict.set(claim.owner, false);
      } else if (problem) {
        verdict.set(claim.owner, false);
        ctx.fail(claim.owner, problem, claim.field);
      } else if (!verdict.has(claim.owner)) verdict.set(claim.owner, true);
    }
    for (const [owner, ok] of verdict) if (ok) ctx.pass(owner);
  },
};
