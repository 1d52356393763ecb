/**
 * `service-reference-resolves`: in-cluster addresses written into env values, args, commands,
 * ConfigMap data and KEDA trigger metadata name a Service of the tree that serves that port, and
 * the NetworkPolicies of both namespaces admit the traffic from the calling pods.
 *
 * Recognized spellings: `scheme://name.namespace.svc[.cluster.local][:port][/path]`,
 * `name.namespace.svc[.cluster.local][:port]` without a scheme, and `name.namespace:port` where
 * `namespace` is a namespace of the tree (so `example.com:443` is never taken for one).
 */
import { CHART_SERVICES_ANNOTATION, parseChartServices, type ChartService } from '../../core/chart-services.js';
import type { ManifestObject } from '../loader.js';
import { mapSelector, specOf, type PodTemplate } from '../object-index.js';
import type { CrossResourceRule, RuleContext } from '../registry.js';
import { policyTypes } from '../rules/network-rules.js';
import { isEmptySelector, selectorMatches, type LabelSelector } from '../selectors.js';

/** Default port of a URL scheme when the address gives none. */
export const SCHEME_DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80, https: 443, ws: 80, wss: 443, grpc: 80, grpcs: 443, postgres: 5432, postgresql: 5432, redis: 6379, amqp: 5672, nats: 4222,
};

/** One in-cluster address found in a string. */
export interface ServiceAddress {
  readonly text: string;
  readonly scheme?: string;
  readonly service: string;
  readonly namespace: string;
  /** Explicit port, or the scheme's default; undefined when neither is known. */
  readonly port?: number;
  readonly explicitPort: boolean;
}

const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const SVC_ADDRESS = new RegExp(`(?:\\b([a-z][a-z0-9+.-]*)://)?\\b(${LABEL})\\.(${LABEL})\\.svc(?:\\.cluster\\.local)?\\.?(?::(\\d{1,5}))?(?![-a-z0-9.])`, 'g');
const SHORT_ADDRESS = new RegExp(`(?:\\b([a-z][a-z0-9+.-]*)://)?\\b(${LABEL})\\.(${LABEL}):(\\d{1,5})\\b`, 'g');

/** The in-cluster addresses in `text`; `namespaces` decides which `name.namespace:port` forms count. */
export function serviceAddressesIn(text: string, namespaces: ReadonlySet<string>): ServiceAddress[] {
  const out: ServiceAddress[] = [];
  // both forms hold a dot between the service and its namespace; the short one a colon too
  if (!text.includes('.')) return out;
  const make = (m: RegExpExecArray): ServiceAddress => {
    const scheme = m[1];
    const explicit = m[4] !== undefined;
    return { text: m[0], scheme, service: m[2], namespace: m[3], port: explicit ? Number(m[4]) : scheme ? SCHEME_DEFAULT_PORTS[scheme] : undefined, explicitPort: explicit };
  };
  if (text.includes('.svc')) for (const m of text.matchAll(SVC_ADDRESS)) out.push(make(m as RegExpExecArray));
  if (text.includes(':')) for (const m of text.matchAll(SHORT_ADDRESS)) {
    if (namespaces.has(m[3]) && !out.some((a) => a.text.includes(m[0]))) out.push(make(m as RegExpExecArray));
  }
  return out;
}

interface Reference {
  readonly address: ServiceAddress;
  readonly holder: ManifestObject;
  readonly field: string;
  /** Pods that make the call (undefined: the caller is not in the tree, e.g. an operator). */
  readonly callers?: readonly PodTemplate[];
}

function stringsOf(value: unknown, path: string, out: { text: string; path: string }[]): void {
  if (typeof value === 'string') out.push({ text: value, path });
  else if (Array.isArray(value)) value.forEach((v, i) => stringsOf(v, `${path}/${i}`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringsOf(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
}

function configMapsUsedBy(t: PodTemplate): Set<string> {
  const names = new Set<string>();
  const containers = [...((t.spec.containers ?? []) as unknown[]), ...((t.spec.initContainers ?? []) as unknown[])] as Record<string, any>[];
  for (const c of containers) {
    for (const e of c?.envFrom ?? []) if (e?.configMapRef?.name) names.add(e.configMapRef.name);
    for (const e of c?.env ?? []) if (e?.valueFrom?.configMapKeyRef?.name) names.add(e.valueFrom.configMapKeyRef.name);
  }
  for (const v of (t.spec.volumes ?? []) as Record<string, any>[]) {
    if (v?.configMap?.name) names.add(v.configMap.name);
    for (const s of v?.projected?.sources ?? []) if (s?.configMap?.name) names.add(s.configMap.name);
  }
  return names;
}

function references(ctx: RuleContext, namespaces: ReadonlySet<string>): Reference[] {
  const refs: Reference[] = [];
  const collect = (holder: ManifestObject, value: unknown, path: string, callers?: readonly PodTemplate[]) => {
    const strings: { text: string; path: string }[] = [];
    stringsOf(value, path, strings);
    for (const s of strings) for (const address of serviceAddressesIn(s.text, namespaces)) refs.push({ address, holder, field: s.path, callers });
  };
  for (const t of ctx.index.podTemplates()) {
    for (const type of ['initContainers', 'containers']) {
      ((t.spec[type] ?? []) as Record<string, unknown>[]).forEach((c, i) => {
        const base = `${t.specPath}/${type}/${i}`;
        collect(t.owner, c?.command, `${base}/command`, [t]);
        collect(t.owner, c?.args, `${base}/args`, [t]);
        ((c?.env ?? []) as { value?: unknown }[]).forEach((e, j) => collect(t.owner, e?.value, `${base}/env/${j}/value`, [t]));
      });
    }
  }
  // which pod templates read each ConfigMap, computed once (not once per ConfigMap)
  const usersOf = new Map<string, PodTemplate[]>();
  for (const t of ctx.index.podTemplates()) {
    for (const name of configMapsUsedBy(t)) {
      const key = `${t.namespace}/${name}`;
      const list = usersOf.get(key);
      if (list) list.push(t);
      else usersOf.set(key, [t]);
    }
  }
  for (const cm of ctx.index.ofKind('ConfigMap')) {
    collect(cm, cm.object.data, '/data', usersOf.get(`${cm.object.metadata.namespace ?? ''}/${cm.object.metadata.name}`) ?? []);
  }
  for (const so of ctx.index.ofKind('ScaledObject')) {
    ((specOf(so).triggers ?? []) as { metadata?: unknown }[]).forEach((trigger, i) => collect(so, trigger?.metadata, `/spec/triggers/${i}/metadata`));
  }
  return refs;
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface PolicyRule {
  ports?: { port?: number | string; endPort?: number; protocol?: string }[];
  to?: PolicyPeer[];
  from?: PolicyPeer[];
}

function peerAdmits(peers: PolicyPeer[] | undefined, policyNamespace: string, pod: PodTemplate, namespaceLabels: ReadonlyMap<string, Record<string, string>>): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock) return false; // ipBlock is meant for cluster-external addresses
    const nsOk = peer.namespaceSelector
      ? selectorMatches(peer.namespaceSelector, namespaceLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace })
      : pod.namespace === policyNamespace;
    return nsOk && (!peer.podSelector || selectorMatches(peer.podSelector, pod.labels));
  });
}

function portAdmits(ports: PolicyRule['ports'], port: { number: number; name?: string }): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.name;
    return p.endPort !== undefined ? port.number >= p.port && port.number <= p.endPort : p.port === port.number;
  });
}

/** The first reason traffic from `caller` to `target` on `port` is dropped, or undefined when it is admitted. */
function blockedBy(ctx: RuleContext, caller: PodTemplate, target: PodTemplate, port: { number: number; name?: string }, namespaceLabels: ReadonlyMap<string, Record<string, string>>): string | undefined {
  const applies = (policy: ManifestObject, pod: PodTemplate, type: string) => (policy.object.metadata.namespace ?? '') === pod.namespace
    && policyTypes(policy).includes(type)
    && (isEmptySelector(specOf(policy).podSelector as LabelSelector | undefined) || selectorMatches(specOf(policy).podSelector as LabelSelector, pod.labels));
  const egress = ctx.index.ofKindIn('NetworkPolicy', caller.namespace).filter((p) => applies(p, caller, 'Egress'));
  if (egress.length > 0 && !egress.some((p) => ((specOf(p).egress ?? []) as PolicyRule[]).some((r) => peerAdmits(r.to, caller.namespace, target, namespaceLabels) && portAdmits(r.ports, port)))) {
    return `no egress rule of the NetworkPolicies selecting ${caller.owner.object.kind} ${caller.namespace}/${caller.owner.object.metadata.name} (${egress.map((p) => p.object.metadata.name).join(', ')}) admits ${target.owner.object.kind} ${target.namespace}/${target.owner.object.metadata.name} on port ${port.number}`;
  }
  const ingress = ctx.index.ofKindIn('NetworkPolicy', target.namespace).filter((p) => applies(p, target, 'Ingress'));
  if (ingress.length > 0 && !ingress.some((p) => ((specOf(p).ingress ?? []) as PolicyRule[]).some((r) => peerAdmits(r.from, target.namespace, caller, namespaceLabels) && portAdmits(r.ports, port)))) {
    return `no ingress rule of the NetworkPolicies selecting ${target.owner.object.kind} ${target.namespace}/${target.owner.object.metadata.name} (${ingress.map((p) => p.object.metadata.name).join(', ')}) admits ${caller.owner.object.kind} ${caller.namespace}/${caller.owner.object.metadata.name} on port ${port.number}`;
  }
  return undefined;
}

/** A Service a HelmRelease declares its chart renders (`lambda-gitops.dev/chart-services`). */
interface DeclaredChartService {
  readonly release: ManifestObject;
  readonly service: ChartService;
}

/** Services declared by HelmReleases, keyed `namespace/name`; malformed annotations fail their HelmRelease. */
function chartServices(ctx: RuleContext): Map<string, DeclaredChartService> {
  const declared = new Map<string, DeclaredChartService>();
  for (const release of ctx.index.ofKind('HelmRelease')) {
    const value = release.object.metadata.annotations?.[CHART_SERVICES_ANNOTATION];
    if (value === undefined) continue;
    const namespace = (specOf(release).targetNamespace as string | undefined) ?? release.object.metadata.namespace ?? '';
    let services: ChartService[];
    try {
      services = parseChartServices(String(value));
    } catch (e) {
      ctx.fail(release, `HelmRelease ${release.object.metadata.namespace}/${release.object.metadata.name}: annotation ${CHART_SERVICES_ANNOTATION}: ${(e as Error).message}`, `/metadata/annotations/${CHART_SERVICES_ANNOTATION.replace(/\//g, '~1')}`);
      continue;
    }
    for (const service of services) declared.set(`${namespace}/${service.name}`, { release, service });
  }
  return declared;
}

/** The container port a Service port's targetPort reaches on a pod template. */
function containerPortOf(t: PodTemplate, targetPort: unknown, fallback: number): { number: number; name?: string } {
  for (const c of (t.spec.containers ?? []) as { ports?: { containerPort?: number; name?: string }[] }[]) {
    for (const p of c?.ports ?? []) {
      if ((typeof targetPort === 'string' && p.name === targetPort) || (typeof targetPort === 'number' && p.containerPort === targetPort)) return { number: p.containerPort as number, name: p.name };
    }
  }
  return { number: typeof targetPort === 'number' ? targetPort : fallback };
}

/** The rule object (registered by name `service-reference-resolves`). */
export const serviceReferenceResolves: CrossResourceRule = {
  name: 'service-reference-resolves',
  evaluate(ctx) {
    const namespaceLabels = new Map<string, Record<string, string>>();
    for (const ns of ctx.index.ofKind('Namespace')) namespaceLabels.set(ns.object.metadata.name, { ...(ns.object.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.object.metadata.name });
    const namespaces = new Set<string>(namespaceLabels.keys());
    for (const o of ctx.index.objects) if (o.object.metadata.namespace) namespaces.add(o.object.metadata.namespace); // no list of 10^6 namespaces
    const verdicts = new Map<ManifestObject, boolean>();
    const declared = chartServices(ctx);
    for (const ref of references(ctx, namespaces)) {
      const { address, holder } = ref;
      const self = `${holder.object.kind} ${holder.object.metadata.namespace ? `${holder.object.metadata.namespace}/` : ''}${holder.object.metadata.name}`;
      const fail = (message: string) => {
        verdicts.set(holder, false);
        ctx.fail(holder, `${self}: '${address.text}' ${message}`, ref.field);
      };
      const service = ctx.index.get('Service', address.namespace, address.service);
      if (!service) {
        const fromChart = declared.get(`${address.namespace}/${address.service}`);
        if (!fromChart) {
          fail(`names Service ${address.namespace}/${address.service}, which is not in the tree and no HelmRelease declares it (annotation ${CHART_SERVICES_ANNOTATION})`);
          continue;
        }
        const releaseName = `HelmRelease ${fromChart.release.object.metadata.namespace}/${fromChart.release.object.metadata.name}`;
        if (address.port === undefined || !fromChart.service.ports.includes(address.port)) {
          fail(`reaches port ${address.port ?? '(none)'}${address.explicitPort || address.port === undefined ? '' : ` (the ${address.scheme} default)`}, but ${releaseName} declares Service ${address.namespace}/${address.service} with port(s) ${fromChart.service.ports.join(', ')} only`);
          continue;
        }
        // The chart's pods and their labels are not in the tree: the address resolves to a declared
        // Service; whether the chart renders it is checked where charts are rendered (cluster tests).
        if (!verdicts.has(holder)) verdicts.set(holder, true);
        continue;
      }
      const ports = ((specOf(service).ports ?? []) as { port?: number; name?: string; targetPort?: unknown }[]);
      if (address.port === undefined) {
        fail(`gives no port and scheme '${address.scheme ?? '(none)'}' has no default; Service ${address.namespace}/${address.service} serves ${ports.map((p) => p.port).join(', ')}`);
        continue;
      }
      const servicePort = ports.find((p) => p.port === address.port);
      if (!servicePort) {
        fail(`reaches port ${address.port}${address.explicitPort ? '' : ` (the ${address.scheme} default)`}, but Service ${address.namespace}/${address.service} serves only ${ports.map((p) => `${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ')}`);
        continue;
      }
      const selector = mapSelector(specOf(service).selector);
      const targets = selector && !isEmptySelector(selector) ? ctx.index.selectPodTemplates(address.namespace, selector) : [];
      let blocked: string | undefined;
      for (const caller of ref.callers ?? []) {
        for (const target of targets) {
          blocked ??= blockedBy(ctx, caller, target, containerPortOf(target, servicePort.targetPort ?? servicePort.port, servicePort.port as number), namespaceLabels);
        }
      }
      if (blocked) {
        fail(`resolves to Service ${address.namespace}/${address.service}:${address.port}, but ${blocked}`);
        continue;
      }
      if (!verdicts.has(holder)) verdicts.set(holder, true);
    }
    for (const [holder, ok] of verdicts) if (ok) ctx.pass(holder);
  },
};
