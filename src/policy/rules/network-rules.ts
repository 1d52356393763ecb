import type { ManifestObject } from '../loader.js';
import { namespacePhrase } from '../namespace-phrase.js';
import { specOf, type PodTemplate } from '../object-index.js';
import type { CrossResourceRule } from '../registry.js';
import { isEmptySelector, type LabelSelector } from '../selectors.js';

interface PolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

/** The policy types of a NetworkPolicy, with the API's default when `policyTypes` is absent. */
export function policyTypes(policy: ManifestObject): string[] {
  const s = specOf(policy);
  if (Array.isArray(s.policyTypes)) return s.policyTypes as string[];
  return Array.isArray(s.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * Every namespace that has workloads or a Namespace object in the tree has a default deny for
 * both ingress and egress: a NetworkPolicy with an empty podSelector, the policy type, and no rules.
 * Workloads without a namespace count as the applier's default namespace.
 */
export const namespaceDefaultDeny: CrossResourceRule = {
  name: 'namespace-default-deny',
  evaluate(ctx) {
    const denies = new Map<string, Set<string>>();
    for (const policy of ctx.index.ofKind('NetworkPolicy')) {
      const s = specOf(policy);
      if (!isEmptySelector(s.podSelector as LabelSelector | undefined)) continue;
      const ns = policy.object.metadata.namespace ?? '';
      const set = denies.get(ns) ?? new Set<string>();
      const types = policyTypes(policy);
      if (types.includes('Ingress') && (!Array.isArray(s.ingress) || s.ingress.length === 0)) set.add('Ingress');
      if (types.includes('Egress') && (!Array.isArray(s.egress) || s.egress.length === 0)) set.add('Egress');
      denies.set(ns, set);
    }
    const subjects = new Map<string, ManifestObject>();
    for (const namespace of ctx.index.ofKind('Namespace')) subjects.set(namespace.object.metadata.name, namespace);
    for (const t of ctx.index.podTemplates()) if (!subjects.has(t.namespace)) subjects.set(t.namespace, t.owner);
    // Objects without metadata.namespace (manifest-structure reports each) all land in one namespace,
    // the applier's default: its pods need a deny like any other's (a namespace-less deny covers them).
    for (const [ns, subject] of subjects) {
      const have = denies.get(ns) ?? new Set<string>();
      const missing = ['Ingress', 'Egress'].filter((type) => !have.has(type));
      if (missing.length === 0) ctx.pass(subject);
      else ctx.fail(subject, `${namespacePhrase(ns)} has no default-deny NetworkPolicy for ${missing.join(' and ')} (empty podSelector, policyTypes ${missing.join(', ')}, no rules)`);
    }
  },
};

function containerPorts(t: PodTemplate): { port: number; name?: string; protocol: string }[] {
  const out: { port: number; name?: string; protocol: string }[] = [];
  for (const c of (Array.isArray(t.spec.containers) ? t.spec.containers : []) as { ports?: { containerPort?: number; name?: string; protocol?: string }[] }[]) {
    for (const p of c?.ports ?? []) {
      if (typeof p?.containerPort === 'number') out.push({ port: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' });
    }
  }
  return out;
}

function allows(rulePorts: PolicyPort[] | undefined, port: { port: number; name?: string; protocol: string }): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? 'TCP') !== port.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.name;
    return p.endPort !== undefined ? port.port >= p.port && port.port <= p.endPort : p.port === port.port;
  });
}

/** Every declared container port is allowed by an ingress rule of a NetworkPolicy that selects the pod. */
export const podPortsAllowed: CrossResourceRule = {
  name: 'pod-ports-allowed',
  evaluate(ctx) {
    const policiesFor = new Map<ManifestObject, ManifestObject[]>();
    for (const policy of ctx.index.ofKind('NetworkPolicy')) {
      if (!policyTypes(policy).includes('Ingress')) continue;
      const ns = policy.object.metadata.namespace ?? '';
      for (const t of ctx.index.selectPodTemplates(ns, specOf(policy).podSelector as LabelSelector | undefined)) {
        const list = policiesFor.get(t.owner) ?? [];
        list.push(policy);
        policiesFor.set(t.owner, list);
      }
    }
    for (const t of ctx.index.podTemplates()) {
      const ports = containerPorts(t);
      if (ports.length === 0) continue;
      // a pod no ingress NetworkPolicy selects is not isolated: every port is reachable
      // (namespace-default-deny is the rule that asks for isolation)
      if (!policiesFor.has(t.owner)) continue;
      const rules = (policiesFor.get(t.owner) ?? []).flatMap((p) => (Array.isArray(specOf(p).ingress) ? (specOf(p).ingress as { ports?: PolicyPort[] }[]) : []));
      const blocked = ports.filter((port) => !rules.some((rule) => allows(rule?.ports, port)));
      if (blocked.length === 0) ctx.pass(t.owner);
      else ctx.fail(t.owner, `${t.owner.object.kind} ${t.owner.object.metadata.name}: container port(s) ${blocked.map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ')} not allowed by any ingress rule of a NetworkPolicy selecting its pods (default deny drops that traffic)`, `${t.specPath}/containers`);
    }
  },
};
