import { McpServer } from '../../src/workloads/mcp-server.js';
import { PortkeyGateway } from '../../src/workloads/portkey-gateway.js';
import { QdrantVectorDatabase } from '../../src/workloads/qdrant-vector-database.js';
import { ServiceWorkload } from '../../src/workloads/service-workload.js';
import { findNulls } from '../../src/render/synthesize.js';
import { admitGateway, mainContainer, renderedByKind, tenantApp } from './helpers.js';

test('a generic CPU service: Deployment + Service, HTTP probes, 2 replicas, PDB, spread across nodes', () => {
  const { app, tenant } = tenantApp();
  const api = new ServiceWorkload(tenant, 'api', { image: 'ghcr.io/example/api:2.1.0', healthPath: '/healthz', priorityClassName: 'serving' });
  admitGateway(api);
  const objects = renderedByKind(app, api);
  expect(Object.keys(objects).sort()).toEqual(['Deployment/api', 'NetworkPolicy/api-ingress', 'PodDisruptionBudget/api', 'Service/api']);
  for (const m of Object.values(objects)) expect(findNulls(m)).toEqual([]);
  const deploy = objects['Deployment/api'];
  expect(deploy.spec.replicas).toBe(2);
  expect(deploy.spec.template.spec.priorityClassName).toBe('serving');
  expect(deploy.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' });
  const c = mainContainer(deploy);
  expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(c.startupProbe).toMatchObject({ periodSeconds: 5, failureThreshold: 24 });
  expect(c.resources).toEqual({
    requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
    limits: { cpu: '1', memory: '256Mi', 'ephemeral-storage': '4Gi' },
  });
  expect(c.resources.requests['nvidia.com/gpu']).toBeUndefined();
  expect(objects['Service/api'].spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  expect(api.endpoint).toBe('http://api.ml.svc.cluster.local:8080');
});

test('an MCP server serves streamable HTTP on :8000/mcp with TCP probes; stateless by default', () => {
  const { app, tenant } = tenantApp('agents');
  const mcp = new McpServer(tenant, 'search-mcp', { image: 'ghcr.io/example/search-mcp:0.3.1' });
  admitGateway(mcp);
  const objects = renderedByKind(app, mcp);
  const c = mainContainer(objects['Deployment/search-mcp']);
  expect(c.ports).toEqual([{ name: 'mcp', containerPort: 8000, protocol: 'TCP' }]);
  expect(c.readinessProbe.tcpSocket).toEqual({ port: 'mcp' });
  expect(c.livenessProbe.tcpSocket).toEqual({ port: 'mcp' });
  expect(c.readinessProbe.httpGet).toBeUndefined();
  expect(objects['Service/search-mcp'].spec.sessionAffinity).toBeUndefined();
  expect(objects['Deployment/search-mcp'].spec.template.metadata.labels['app.kubernetes.io/component']).toBe('mcp-server');
  expect(objects['PodDisruptionBudget/search-mcp']).toBeDefined();
  expect(mcp.mcpUrl).toBe('http://search-mcp.agents.svc.cluster.local:8000/mcp');
});

test('a stateful MCP server pins clients with ClientIP affinity', () => {
  const { app, tenant } = tenantApp('agents');
  const mcp = new McpServer(tenant, 'notes-mcp', { image: 'ghcr.io/example/notes-mcp:1.0.0', stateful: true, path: '/v1/mcp', port: 3000 });
  admitGateway(mcp);
  expect(renderedByKind(app, mcp)['Service/notes-mcp'].spec.sessionAffinity).toBe('ClientIP');
  expect(mcp.mcpUrl).toBe('http://notes-mcp.agents.svc.cluster.local:3000/v1/mcp');
});

test('the Portkey gateway: pinned image, :8787, GET / probes, production mode, 2 replicas', () => {
  const { app, tenant } = tenantApp('gateway');
  const gw = new PortkeyGateway(tenant, 'portkey');
  admitGateway(gw);
  const deploy = renderedByKind(app, gw)['Deployment/portkey'];
  const c = mainContainer(deploy);
  expect(c.image).toBe('portkeyai/gateway:1.15.2');
  expect(c.ports).toEqual([{ name: 'http', containerPort: 8787, protocol: 'TCP' }]);
  expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 'http' });
  expect(c.env).toContainEqual({ name: 'NODE_ENV', value: 'production' });
  expect(c.volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/app' });
  expect(deploy.spec.replicas).toBe(2);
  expect(gw.openAiBaseUrl).toBe('http://portkey.gateway.svc.cluster.local:8787/v1');
});

test('Qdrant: single-replica StatefulSet with storage and snapshot claims, /readyz, uid 1000, no PDB', () => {
  const { app, tenant } = tenantApp('search');
  const db = new QdrantVectorDatabase(tenant, 'qdrant', { storageSize: '50Gi', apiKey: { secretName: 'qdrant', key: 'api-key' } });
  admitGateway(db);
  const objects = renderedByKind(app, db);
  expect(Object.keys(objects).sort()).toEqual(['NetworkPolicy/qdrant-ingress', 'Service/qdrant', 'Service/qdrant-headless', 'StatefulSet/qdrant']);
  const sts = objects['StatefulSet/qdrant'];
  expect(sts.spec.replicas).toBe(1);
  expect(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.resources.requests.storage])).toEqual([['storage', '50Gi'], ['snapshots', '10Gi']]);
  const c = mainContainer(sts);
  expect(c.ports.map((p: any) => p.containerPort)).toEqual([6333, 6334]);
  expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'storage', mountPath: '/qdrant/storage' }, { name: 'snapshots', mountPath: '/qdrant/snapshots' }]));
  expect(c.securityContext.runAsUser).toBe(1000);
  expect(c.env).toContainEqual({ name: 'QDRANT__SERVICE__API_KEY', valueFrom: { secretKeyRef: { name: 'qdrant', key: 'api-key' } } });
  expect(sts.spec.template.spec.securityContext.fsGroup).toBe(1000);
  expect(db.restUrl).toBe('http://qdrant.search.svc.cluster.local:6333');
});

test('invalid CPU service props fail with the construct path and allowed values', () => {
  const { tenant } = tenantApp();
  expect(() => new ServiceWorkload(tenant, 'a', { image: 'x/y:1', healthPath: 'healthz' })).toThrow(/ml\/a: invalid 'healthPath' \("healthz"\)/);
  expect(() => new ServiceWorkload(tenant, 'b', { image: 'x/y:1', ports: [] })).toThrow(/ml\/b: invalid 'ports'/);
  expect(() => new ServiceWorkload(tenant, 'c', { image: 'x/y:1', resources: { gpus: 1 } as any })).toThrow(/invalid 'resources.gpus' \(1\): is not available on CPU services/);
  expect(() => new ServiceWorkload(tenant, 'd', { image: 'x/y:1', replicas: 0 })).toThrow(/ml\/d: invalid 'replicas' \(0\)/);
  expect(() => new McpServer(tenant, 'e', { image: 'x/y:1', path: 'mcp' })).toThrow(/ml\/e: invalid 'path' \("mcp"\)/);
  expect(() => new PortkeyGateway(tenant, 'f', { image: 'portkeyai/gateway' })).toThrow(/ml\/f: invalid 'image'.*pin a tag/);
  expect(() => new QdrantVectorDatabase(tenant, 'g', { replicas: 3 } as any)).toThrow(/ml\/g: invalid 'replicas' \(3\): must be 1/);
  expect(() => new QdrantVectorDatabase(tenant, 'h', { storageSize: 'ten' })).toThrow(/ml\/h: invalid 'storageSize' \("ten"\)/);
  expect(() => new ServiceWorkload(tenant, 'Bad', { image: 'x/y:1' })).toThrow(/invalid 'name' \("Bad"\): must be a DNS-1123 label/);
});
