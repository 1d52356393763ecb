import { namespacePhrase } from '../namespace-phrase.js';
import { isEmptySelector, type LabelSelector } from '../selectors.js';
import { mapSelector, specOf } from '../object-index.js';
import type { ManifestObject } from '../loader.js';
import type { CrossResourceRule, RuleContext } from '../registry.js';

/**
 * Reports a selector that matches nothing. When the namespace has no workload in the tree at all,
 * its pods come from elsewhere (a chart, a managed add-on, another repository): the selector cannot
 * be checked, so the result is `info` instead of a failure.
 */
function noMatch(ctx: RuleContext, entry: ManifestObject, ns: string, message: string, field: string): void {
  if (ctx.index.workloadNamespaces().includes(ns)) ctx.fail(entry, message, field);
  else ctx.note(entry, 'info', `${message}, which has no workload in the tree (pods from a chart or another tool?): not checked`, field);
}

/** A Service with a selector selects at least one pod template in its namespace. */
export const serviceSelectsPods: CrossResourceRule = {
  name: 'service-selects-pods',
  evaluate(ctx) {
    for (const service of ctx.index.ofKind('Service')) {
      const s = specOf(service);
      if (s.type === 'ExternalName' || s.selector === undefined) continue;
      const selector = mapSelector(s.selector);
      const ns = service.object.metadata.namespace ?? '';
      if (selector && ctx.index.selectPodTemplates(ns, selector).length > 0) ctx.pass(service);
      else noMatch(ctx, service, ns, `Service ${service.object.metadata.name} selects ${JSON.stringify(s.selector)}, which matches no pod template in ${namespacePhrase(ns)}`, '/spec/selector');
    }
  },
};

/** A PodDisruptionBudget selects at least one pod template. */
export const pdbSelectsPods: CrossResourceRule = {
  name: 'pdb-selects-pods',
  evaluate(ctx) {
    for (const pdb of ctx.index.ofKind('PodDisruptionBudget')) {
      const selector = specOf(pdb).selector as LabelSelector | undefined;
      const ns = pdb.object.metadata.namespace ?? '';
      if (isEmptySelector(selector)) {
        ctx.fail(pdb, `PodDisruptionBudget ${pdb.object.metadata.name} has an empty selector: it selects every pod in ${namespacePhrase(ns)} (or none, in policy/v1beta1)`, '/spec');
      } else if (ctx.index.selectPodTemplates(ns, selector).length > 0) {
        ctx.pass(pdb);
      } else {
        noMatch(ctx, pdb, ns, `PodDisruptionBudget ${pdb.object.metadata.name} selects no pod template in ${namespacePhrase(ns)}`, '/spec/selector');
      }
    }
  },
};

/** A NetworkPolicy with a non-empty podSelector selects at least one pod template. */
export const networkPolicySelectsPods: CrossResourceRule = {
  name: 'networkpolicy-selects-pods',
  evaluate(ctx) {
    for (const policy of ctx.index.ofKind('NetworkPolicy')) {
      const selector = specOf(policy).podSelector as LabelSelector | undefined;
      if (isEmptySelector(selector)) continue; // selects every pod in the namespace by design
      const ns = policy.object.metadata.namespace ?? '';
      if (ctx.index.selectPodTemplates(ns, selector).length > 0) ctx.pass(policy);
      else noMatch(ctx, policy, ns, `NetworkPolicy ${policy.object.metadata.name} podSelector matches no pod template in ${namespacePhrase(ns)}`, '/spec/podSelector');
    }
  },
};

/** A StatefulSet's serviceName names a headless Service in its namespace. */
export const statefulSetHeadlessService: CrossResourceRule = {
  name: 'statefulset-headless-service',
  evaluate(ctx) {
    for (const sts of ctx.index.ofKind('StatefulSet')) {
      const serviceName = specOf(sts).serviceName;
      const ns = sts.object.metadata.namespace;
      if (typeof serviceName !== 'string' || serviceName === '') {
        ctx.fail(sts, `StatefulSet ${sts.object.metadata.name} has no spec.serviceName: its pods get no stable DNS names`, '/spec');
        continue;
      }
      const service = ctx.index.get('Service', ns, serviceName);
      if (!service) ctx.fail(sts, `StatefulSet ${sts.object.metadata.name} names Service '${serviceName}', which is not in ${namespacePhrase(ns)}`, '/spec/serviceName');
      else if (specOf(service).clusterIP !== 'None') ctx.fail(sts, `StatefulSet ${sts.object.metadata.name} names Service '${serviceName}', which is not headless (clusterIP: None)`, '/spec/serviceName');
      else ctx.pass(sts);
    }
  },
};
