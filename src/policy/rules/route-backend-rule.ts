import type { ManifestObject } from '../loader.js';
import { namespacePhrase } from '../namespace-phrase.js';
import type { CrossResourceRule, RuleContext } from '../registry.js';

interface Backend {
  readonly name: unknown;
  readonly namespace: string | undefined;
  /** A port number or name; undefined when the backend names none. */
  readonly port: unknown;
  readonly field: string;
}

function ingressBackends(ingress: ManifestObject): Backend[] {
  const spec = (ingress.object.spec ?? {}) as { defaultBackend?: unknown; rules?: unknown };
  const ns = ingress.object.metadata.namespace;
  const out: Backend[] = [];
  const add = (backend: unknown, field: string) => {
    const service = (backend as { service?: { name?: unknown; port?: { number?: unknown; name?: unknown } } } | undefined)?.service;
    if (service) out.push({ name: service.name, namespace: ns, port: service.port?.number ?? service.port?.name, field: `${field}/service` });
  };
  add(spec.defaultBackend, '/spec/defaultBackend');
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule: { http?: { paths?: unknown } }, i: number) => {
    (Array.isArray(rule?.http?.paths) ? rule.http.paths : []).forEach((path: { backend?: unknown }, j: number) => add(path?.backend, `/spec/rules/${i}/http/paths/${j}/backend`));
  });
  return out;
}

function httpRouteBackends(route: ManifestObject): Backend[] {
  const rules = (route.object.spec as { rules?: unknown } | undefined)?.rules;
  const out: Backend[] = [];
  (Array.isArray(rules) ? rules : []).forEach((rule: { backendRefs?: unknown }, i: number) => {
    (Array.isArray(rule?.backendRefs) ? rule.backendRefs : []).forEach((ref: { group?: string; kind?: string; name?: unknown; namespace?: string; port?: unknown }, j: number) => {
      if ((ref?.group ?? '') !== '' || (ref?.kind ?? 'Service') !== 'Service') return; // another backend kind
      out.push({ name: ref.name, namespace: ref.namespace ?? route.object.metadata.namespace, port: ref.port, field: `/spec/rules/${i}/backendRefs/${j}` });
    });
  });
  return out;
}

function servicePortProblem(service: ManifestObject, port: unknown): string | undefined {
  if (port === undefined) return undefined;
  const ports = ((service.object.spec as { ports?: unknown } | undefined)?.ports ?? []) as { port?: unknown; name?: unknown }[];
  if (!Array.isArray(ports)) return undefined;
  const found = ports.some((p) => (typeof port === 'number' ? p?.port === port : p?.name === port));
  return found ? undefined : `has no port ${typeof port === 'number' ? port : `named '${String(port)}'`} (ports: ${ports.map((p) => (p?.name ? `${String(p.name)}/${String(p.port)}` : String(p?.port))).join(', ') || 'none'})`;
}

function checkRoutes(ctx: RuleContext, routes: readonly ManifestObject[], backendsOf: (route: ManifestObject) => Backend[]): void {
  for (const route of routes) {
    let ok = true;
    for (const b of backendsOf(route)) {
      const name = typeof b.name === 'string' ? b.name : '';
      const service = ctx.index.get('Service', b.namespace, name);
      const problem = !service ? `Service '${name}' is not in ${namespacePhrase(b.namespace)}` : servicePortProblem(service, b.port) && `Service '${name}' ${servicePortProblem(service, b.port) as string}`;
      if (!problem) continue;
      ok = false;
      ctx.fail(route, `${route.object.kind} ${route.object.metadata.name} routes to ${problem}: requests get 503`, b.field);
    }
    if (ok) ctx.pass(route);
  }
}

/** Ingress and Gateway API HTTPRoute backends name a Service of the tree and one of its ports. */
export const routeBackendExists: CrossResourceRule = {
  name: 'route-backend-exists',
  evaluate(ctx) {
    checkRoutes(ctx, ctx.index.ofKind('Ingress').filter((i) => i.object.apiVersion.startsWith('networking.k8s.io/')), ingressBackends);
    checkRoutes(ctx, ctx.index.ofKind('HTTPRoute').filter((r) => r.object.apiVersion.startsWith('gateway.networking.k8s.io/')), httpRouteBackends);
  },
};
