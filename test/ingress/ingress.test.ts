import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { manifestsOf } from '../../src/render/synthesize.js';
import { AcmeClusterIssuer, LETS_ENCRYPT_PRODUCTION } from '../../src/ingress/acme-cluster-issuer.js';
import { CertManager } from '../../src/ingress/cert-manager.js';
import { exposeHttp } from '../../src/ingress/expose-http.js';
import { GATEWAY_API_STANDARD_CRDS, GatewayApiCrds } from '../../src/ingress/gateway-api-crds.js';
import { GatewayController } from '../../src/ingress/gateway-controller.js';
import { validateHostname } from '../../src/ingress/hostname.js';
import { IngressGateway } from '../../src/ingress/ingress-gateway.js';
import { QdrantVectorDatabase } from '../../src/workloads/qdrant-vector-database.js';
import { PortkeyGateway } from '../../src/workloads/portkey-gateway.js';
import { Tenant } from '../../src/tenancy/tenant.js';

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: any[], kind: string, name?: string) => {
  const found = byKind(objects, kind).filter((o) => name === undefined || o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

function platform(hostname = 'api.example.com') {
  const app = Testing.app();
  const controllers = new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' });
  const configs = new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' });
  const controller = new GatewayController(controllers, 'Gateway');
  const issuer = new AcmeClusterIssuer(configs, 'Issuer', { email: 'platform-team@example.com' });
  const gateway = new IngressGateway(configs, 'Public', { controller, hostname, issuer });
  const tenant = new Tenant(app, 'gateway', { team: 'ml-platform', quota: { requestsCpu: '4', requestsMemory: '4Gi' } });
  return { app, controllers, configs, controller, issuer, gateway, tenant };
}

describe('GatewayApiCrds', () => {
  test('the vendored files are the ones the provenance README lists, byte for byte (sha256)', () => {
    const dir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'vendor', 'gateway-api-v1.5.1');
    const listed = [...readFileSync(join(dir, 'README.md'), 'utf8').matchAll(/^\| (gateway\.networking\.k8s\.io_[a-z]+\.yaml) \| ([0-9a-f]{64}) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(listed.map(([f]) => f).sort()).toEqual(readdirSync(join(dir, 'standard')).sort());
    expect(listed.map(([f]) => f).sort()).toEqual(GATEWAY_API_STANDARD_CRDS.map((p) => `gateway.networking.k8s.io_${p}.yaml`).sort());
    for (const [file, sha] of listed) expect([file, createHash('sha256').update(readFileSync(join(dir, 'standard', file))).digest('hex')]).toEqual([file, sha]);
  });

  test('renders the vendored standard-channel CRDs unchanged, without TLSRoute (isIP needs Kubernetes 1.31)', () => {
    const app = Testing.app();
    new GatewayApiCrds(new ManifestDirectory(app, 'c', { directory: 'c' }), 'Crds');
    const crds = byKind(manifestsOf(app), 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(GATEWAY_API_STANDARD_CRDS.map((p) => `${p}.gateway.networking.k8s.io`).sort());
    expect(crds.map((c) => c.spec.names.kind)).not.toContain('TLSRoute');
    for (const crd of crds) {
      expect(crd.metadata.annotations['gateway.networking.k8s.io/bundle-version']).toBe('v1.5.1');
      expect(crd.metadata.annotations['gateway.networking.k8s.io/channel']).toBe('standard');
    }
    const httpRoutes = crds.find((c) => c.spec.names.kind === 'HTTPRoute');
    expect(httpRoutes.spec.versions.find((v: any) => v.name === 'v1')).toMatchObject({ served: true, storage: true });
  });
});

describe('GatewayController (Traefik)', () => {
  test('a pinned traefik HelmRelease with the Gateway provider on, its GatewayClass, no chart Gateway, sized and prioritised', () => {
    const { app, controller } = platform();
    const objects = manifestsOf(app);
    const hr = one(objects, 'HelmRelease', 'traefik');
    expect(hr.metadata.namespace).toBe('traefik');
    expect(hr.spec.chart.spec).toMatchObject({ chart: 'traefik', version: '41.3.0', sourceRef: { kind: 'HelmRepository', name: 'traefik' } });
    expect(one(objects, 'HelmRepository', 'traefik').spec.url).toBe('https://traefik.github.io/charts');
    expect(hr.spec.values.providers).toEqual({ kubernetesGateway: { enabled: true }, kubernetesCRD: { enabled: false }, kubernetesIngress: { enabled: false } });
    expect(hr.spec.values.gateway).toEqual({ enabled: false });
    expect(hr.spec.values.gatewayClass).toEqual({ enabled: true, name: 'traefik' });
    expect(hr.spec.values.ports).toEqual({ web: { port: 8000 }, websecure: { port: 8443 } });
    expect(hr.spec.values.priorityClassName).toBe('system-cluster-critical');
    expect(hr.spec.values.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(hr.spec.values.deployment.replicas).toBe(2);
    expect(one(objects, 'Namespace', 'traefik').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(controller.gatewayClassName).toBe('traefik');
  });

  test('bad replicas and service types are refused naming the prop', () => {
    const app = Testing.app();
    const dir = new ManifestDirectory(app, 'c', { directory: 'c' });
    expect(() => new GatewayController(dir, 'G', { replicas: 0 })).toThrow(/c\/G: invalid 'replicas'/);
    expect(() => new GatewayController(dir, 'H', { serviceType: 'External' as never })).toThrow(/c\/H: invalid 'serviceType'/);
  });
});

describe('CertManager', () => {
  test('a pinned cert-manager HelmRelease that installs its CRDs and turns on Gateway API support', () => {
    const app = Testing.app();
    new CertManager(new ManifestDirectory(app, 'c', { directory: 'c' }), 'CertManager');
    const objects = manifestsOf(app);
    const hr = one(objects, 'HelmRelease', 'cert-manager');
    expect(hr.metadata.namespace).toBe('cert-manager');
    expect(hr.spec.chart.spec).toMatchObject({ chart: 'cert-manager', version: 'v1.21.1', sourceRef: { name: 'jetstack' } });
    expect(one(objects, 'HelmRepository', 'jetstack').spec.url).toBe('https://charts.jetstack.io');
    expect(hr.spec.values.crds).toEqual({ enabled: true, keep: true });
    expect(hr.spec.values.config).toEqual({ apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true });
    expect(hr.spec.values.global.priorityClassName).toBe('system-cluster-critical');
    for (const resources of [hr.spec.values.resources, hr.spec.values.webhook.resources, hr.spec.values.cainjector.resources]) {
      expect(resources.requests.cpu).toMatch(/^[0-9]+m$/);
      expect(resources.limits.memory).toBe('256Mi');
    }
  });
});

describe('IngressGateway and AcmeClusterIssuer', () => {
  test('an HTTPS listener whose certificate the gateway-shim issues, an HTTP listener for challenges and the redirect', () => {
    const { app } = platform();
    const objects = manifestsOf(app);
    const gw = one(objects, 'Gateway', 'platform');
    expect(gw.metadata.namespace).toBe('traefik');
    expect(gw.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
    expect(gw.spec.gatewayClassName).toBe('traefik');
    const [http, https] = gw.spec.listeners;
    expect(http).toEqual({ name: 'http', protocol: 'HTTP', port: 8000, allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] } });
    expect(https).toMatchObject({ name: 'https', protocol: 'HTTPS', port: 8443, hostname: 'api.example.com' });
    expect(https.tls).toEqual({ mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'platform-tls' }] });
    // no route attached yet: only the Gateway's own namespace may attach
    expect(https.allowedRoutes.namespaces).toEqual({ from: 'Same' });
    const redirect = one(objects, 'HTTPRoute', 'platform-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', sectionName: 'http' }]);
    expect(redirect.spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
  });

  test('the ClusterIssuer solves HTTP-01 through the Gateway HTTP listener, and its account key is generated (no secret value)', () => {
    const { app } = platform();
    const issuer = one(manifestsOf(app), 'ClusterIssuer', 'letsencrypt');
    expect(issuer.spec.acme).toEqual({
      server: LETS_ENCRYPT_PRODUCTION,
      email: 'platform-team@example.com',
      privateKeySecretRef: { name: 'letsencrypt-account-key' },
      solvers: [{
        selector: { dnsNames: ['api.example.com'] },
        http01: { gatewayHTTPRoute: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'traefik', sectionName: 'http' }] } },
      }],
    });
  });

  test('an issuer no Gateway uses fails synth validation', () => {
    const app = Testing.app();
    new AcmeClusterIssuer(new ManifestDirectory(app, 'c', { directory: 'c' }), 'Unused', { email: 'a@example.com' });
    expect(() => app.synth()).toThrow(/ClusterIssuer 'letsencrypt' has no HTTP-01 solver/);
  });

  test('bad hostnames, emails and servers are refused with the reason', () => {
    const app = Testing.app();
    const dir = new ManifestDirectory(app, 'c', { directory: 'c' });
    const controller = new GatewayController(dir, 'G');
    const issuer = new AcmeClusterIssuer(dir, 'I', { email: 'a@example.com' });
    expect(() => new IngressGateway(dir, 'W', { controller, issuer, hostname: '*.example.com' })).toThrow(/c\/W: invalid 'hostname'.*HTTP-01.*wildcard/);
    expect(() => new IngressGateway(dir, 'X', { controller, issuer, hostname: 'API.example.com' })).toThrow(/c\/X: invalid 'hostname'/);
    expect(() => new AcmeClusterIssuer(dir, 'J', { email: 'not-an-address' })).toThrow(/c\/J: invalid 'email'/);
    expect(() => new AcmeClusterIssuer(dir, 'K', { email: 'a@example.com', server: 'http://acme.example.com/directory' })).toThrow(/c\/K: invalid 'server'/);
  });
});

describe('validateHostname', () => {
  test.each(['api.example.com', 'a.b', 'x-1.example.co.uk'])('accepts %s', (h) => expect(validateHostname('t', 'hostname', h)).toBe(h));
  test.each(['localhost', 'example.com.', '-a.example.com', '10.0.0.1', 'a_b.example.com', `${'a'.repeat(64)}.example.com`, ''])('refuses %j', (h) => {
    expect(() => validateHostname('t', 'hostname', h)).toThrow(/t: invalid 'hostname'/);
  });
  test('a wildcard only when allowed', () => {
    expect(validateHostname('t', 'hostname', '*.example.com', true)).toBe('*.example.com');
  });
});

describe('exposeHttp', () => {
  test('one call renders the HTTPRoute to the Service port, admits the namespace on the listener and Traefik pods to the port', () => {
    const { app, gateway, tenant } = platform();
    const portkey = new PortkeyGateway(tenant, 'Portkey', { name: 'portkey-gateway' });
    const { route } = exposeHttp(portkey, { gateway, path: '/v1' });
    const objects = manifestsOf(app);
    const httpRoute = one(objects, 'HTTPRoute', 'portkey-gateway');
    expect(route.metadata.namespace).toBe('gateway');
    expect(httpRoute.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'traefik', sectionName: 'https' }],
      hostnames: ['api.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [{ group: '', kind: 'Service', name: 'portkey-gateway', port: 8787 }] }],
    });
    const service = one(objects, 'Service', 'portkey-gateway');
    expect(service.spec.ports.map((p: any) => p.port)).toContain(8787);
    const policy = one(objects, 'NetworkPolicy', 'portkey-gateway-ingress');
    expect(policy.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': 'traefik-traefik' } } }],
      ports: [{ port: 8787, protocol: 'TCP' }],
    }]);
    const https = one(objects, 'Gateway', 'platform').spec.listeners[1];
    expect(https.allowedRoutes.namespaces).toEqual({ from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['gateway'] }] } });
  });

  test('a second hostname gets its own HTTPS listener and certificate; a route picks it by hostname, an unknown hostname is refused', () => {
    const app = Testing.app();
    const dir = new ManifestDirectory(app, 'c', { directory: 'c' });
    const controller = new GatewayController(dir, 'G');
    const issuer = new AcmeClusterIssuer(dir, 'I', { email: 'a@example.com' });
    const gateway = new IngressGateway(dir, 'W', { controller, issuer, hostname: 'api.example.com', additionalHostnames: ['mcp.example.com'] });
    const tenant = new Tenant(app, 'gateway', { team: 't', quota: { requestsCpu: '4', requestsMemory: '4Gi' } });
    const portkey = new PortkeyGateway(tenant, 'Portkey', { name: 'portkey-gateway' });
    exposeHttp(portkey, { gateway, hostname: 'mcp.example.com' });
    expect(() => exposeHttp(portkey, { gateway, hostname: 'www.example.com', name: 'other' }))
      .toThrow(/gateway\/Portkey\/exposeHttp: invalid 'hostname' \("www.example.com"\): must be a hostname of Gateway traefik\/platform, which has HTTPS listeners for api.example.com, mcp.example.com/);
    const objects = manifestsOf(app);
    const gw = one(objects, 'Gateway', 'platform');
    expect(gw.spec.listeners.map((l: any) => [l.name, l.hostname, l.tls?.certificateRefs[0].name])).toEqual([
      ['http', undefined, undefined], ['https', 'api.example.com', 'platform-tls'], ['https-1', 'mcp.example.com', 'platform-tls-1'],
    ]);
    // only the listener the route attached to admits the route's namespace
    expect(gw.spec.listeners[1].allowedRoutes.namespaces).toEqual({ from: 'Same' });
    expect(gw.spec.listeners[2].allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual(['gateway']);
    const route = one(objects, 'HTTPRoute', 'portkey-gateway');
    expect(route.spec.parentRefs[0].sectionName).toBe('https-1');
    expect(route.spec.hostnames).toEqual(['mcp.example.com']);
    expect(one(objects, 'HTTPRoute', 'platform-https-redirect').spec.hostnames).toEqual(['api.example.com', 'mcp.example.com']);
    expect(one(objects, 'ClusterIssuer', 'letsencrypt').spec.acme.solvers[0].selector).toEqual({ dnsNames: ['api.example.com', 'mcp.example.com'] });
    expect(() => new IngressGateway(dir, 'D', { controller, issuer, hostname: 'a.example.com', additionalHostnames: ['a.example.com'], name: 'd' }))
      .toThrow(/c\/D: invalid 'additionalHostnames'.*must not repeat a hostname \('a.example.com'\)/);
  });

  test('a port the workload does not expose, a missing choice among several ports and a bad path are refused', () => {
    const { gateway, tenant } = platform();
    const portkey = new PortkeyGateway(tenant, 'Portkey', { name: 'portkey-gateway' });
    expect(() => exposeHttp(portkey, { gateway, port: 'metrics' })).toThrow(/Portkey\/exposeHttp: invalid 'port' \("metrics"\): must name an exposed port of portkey-gateway \(http\)/);
    expect(() => exposeHttp(portkey, { gateway, path: 'v1' })).toThrow(/invalid 'path'/);
    const qdrant = new QdrantVectorDatabase(tenant, 'Qdrant', { name: 'qdrant' });
    expect(() => exposeHttp(qdrant, { gateway })).toThrow(/Qdrant\/exposeHttp: invalid 'port' \(undefined\): must name the port to route to: qdrant exposes http, grpc/);
    expect(exposeHttp(qdrant, { gateway, port: 'http' }).route.toJson().spec.rules[0].backendRefs[0].port).toBe(6333);
  });
});
