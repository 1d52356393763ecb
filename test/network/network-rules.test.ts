import { Construct } from 'constructs';
import { SynthesisError, synthesizeObjects } from '../../src/render/synthesize.js';
import {
  NetworkPeer, NetworkPort, PEERS_ANNOTATION, TrafficDirection, WorkloadNetworkPolicy,
  allowEgress, allowIngress, allowMetricsScrape, allowTraffic,
} from '../../src/network/index.js';
import { validateManifest } from '../../src/schema/validator.js';
import { INGRESS_POLICY_ID } from '../../src/workloads/workload.js';
import { newApp, policies, tenant, workload } from './fixtures.js';

const NS = 'kubernetes.io/metadata.name';

test('ingress from a gateway namespace renders one policy named <workload>-ingress on the container ports', () => {
  const app = newApp();
  const api = workload(tenant(app, 'inference'), 'vllm', [
    { name: 'http', containerPort: 8000, servicePort: 80 },
    { name: 'grpc', containerPort: 9000 },
    { name: 'debug', containerPort: 6060, exposed: false },
  ]);
  allowIngress(api, NetworkPeer.namespace('gateway'));
  const policy = policies(app)['inference/vllm-ingress'];
  expect(policy.metadata.namespace).toBe('inference');
  expect(policy.spec.podSelector).toEqual({ matchLabels: api.selector });
  expect(policy.spec.policyTypes).toEqual(['Ingress']);
  expect(policy.spec.egress).toBeUndefined();
  expect(policy.spec.ingress).toEqual([{
    from: [{ namespaceSelector: { matchLabels: { [NS]: 'gateway' } } }],
    // container ports (8000, not the Service port 80), sorted; the unexposed debug port is not opened
    ports: [{ protocol: 'TCP', port: 8000 }, { protocol: 'TCP', port: 9000 }],
  }]);
  expect(policy.metadata.annotations![PEERS_ANNOTATION]).toBe('namespace gateway');
});

test('the policies land in the workload namespace directory', () => {
  const app = newApp();
  const api = workload(tenant(app, 'tools'), 'mcp');
  allowIngress(api, NetworkPeer.namespace('gateway'));
  allowEgress(api, NetworkPeer.internet(), [NetworkPort.tcp(443)]);
  const placed = synthesizeObjects(app).filter((o) => o.manifest.kind === 'NetworkPolicy' && o.manifest.metadata.name.startsWith('mcp-'));
  expect(placed.map((o) => [o.directory, o.manifest.metadata.name]).sort()).toEqual([['apps/tools', 'mcp-egress'], ['apps/tools', 'mcp-ingress']]);
});

test('several calls merge into one policy per direction, with rules and ports sorted regardless of call order', () => {
  const render = (order: 'forward' | 'reverse') => {
    const app = newApp();
    const ns = tenant(app, 'search');
    const qdrant = workload(ns, 'qdrant', [{ name: 'http', containerPort: 6333 }, { name: 'grpc', containerPort: 6334 }]);
    const calls = [
      () => allowIngress(qdrant, NetworkPeer.namespace('gateway'), ['http']),
      () => allowIngress(qdrant, NetworkPeer.prometheus(), ['http']),
      () => allowIngress(qdrant, NetworkPeer.namespace('gateway'), ['grpc', 'http']),
    ];
    (order === 'forward' ? calls : [...calls].reverse()).forEach((call) => call());
    return policies(app);
  };
  const forward = render('forward');
  expect(JSON.stringify(forward)).toBe(JSON.stringify(render('reverse')));
  expect(Object.keys(forward).filter((k) => k.startsWith('search/qdrant'))).toEqual(['search/qdrant-ingress']);
  expect(forward['search/qdrant-ingress'].spec.ingress).toEqual([
    { from: [{ namespaceSelector: { matchLabels: { [NS]: 'gateway' } } }], ports: [{ protocol: 'TCP', port: 6333 }, { protocol: 'TCP', port: 6334 }] },
    {
      from: [{ namespaceSelector: { matchLabels: { [NS]: 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
      ports: [{ protocol: 'TCP', port: 6333 }],
    },
  ]);
});

test('allowTraffic across namespaces opens egress on the client and ingress on the server with namespaceSelector+podSelector pairs', () => {
  const app = newApp();
  const gateway = workload(tenant(app, 'gateway'), 'portkey', [{ name: 'http', containerPort: 8787 }]);
  const vllm = workload(tenant(app, 'inference'), 'vllm', [{ name: 'http', containerPort: 8000, servicePort: 80 }]);
  allowIngress(gateway, NetworkPeer.namespace('ingress-nginx'));
  allowTraffic(gateway, vllm);
  const rendered = policies(app);
  expect(rendered['gateway/portkey-egress'].spec).toEqual({
    podSelector: { matchLabels: gateway.selector },
    policyTypes: ['Egress'],
    egress: [{
      to: [{ namespaceSelector: { matchLabels: { [NS]: 'inference' } }, podSelector: { matchLabels: vllm.selector } }],
      ports: [{ protocol: 'TCP', port: 8000 }],
    }],
  });
  expect(rendered['inference/vllm-ingress'].spec.ingress).toEqual([{
    from: [{ namespaceSelector: { matchLabels: { [NS]: 'gateway' } }, podSelector: { matchLabels: gateway.selector } }],
    ports: [{ protocol: 'TCP', port: 8000 }],
  }]);
  // one peer element holding both selectors (AND), never two elements (which would be OR)
  expect(rendered['inference/vllm-ingress'].spec.ingress[0].from).toHaveLength(1);
});

test('allowTraffic within one namespace uses a podSelector alone', () => {
  const app = newApp();
  const ns = tenant(app, 'rag');
  const app1 = workload(ns, 'retriever');
  const db = workload(ns, 'qdrant', [{ name: 'http', containerPort: 6333 }, { name: 'grpc', containerPort: 6334 }]);
  allowIngress(app1, NetworkPeer.namespace('gateway'));
  allowTraffic(app1, db, ['grpc']);
  allowMetricsScrape(db, { port: 'http' });
  const rendered = policies(app);
  expect(rendered['rag/qdrant-ingress'].spec.ingress).toEqual([
    { from: [{ namespaceSelector: { matchLabels: { [NS]: 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }], ports: [{ protocol: 'TCP', port: 6333 }] },
    { from: [{ podSelector: { matchLabels: app1.selector } }], ports: [{ protocol: 'TCP', port: 6334 }] },
  ]);
  expect(rendered['rag/retriever-egress'].spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: db.selector } }], ports: [{ protocol: 'TCP', port: 6334 }] }]);
});

test('a workload with exposed ports and no ingress rule fails synthesis; one rule fixes it', () => {
  const app = newApp();
  const api = workload(tenant(app, 'inference'), 'vllm');
  expect(() => synthesizeObjects(app)).toThrow(SynthesisError);
  expect(() => synthesizeObjects(app)).toThrow(/vllm' serves ports http but no network rule admits traffic/);
  allowIngress(api, NetworkPeer.namespace('gateway'));
  expect(() => synthesizeObjects(app)).not.toThrow();
  expect(api.node.findChild(INGRESS_POLICY_ID)).toBeInstanceOf(WorkloadNetworkPolicy);
});

test('egress to a named CIDR renders an ipBlock with sorted excepts and explicit ports', () => {
  const app = newApp();
  const job = workload(tenant(app, 'training'), 'finetune');
  allowIngress(job, NetworkPeer.namespace('gateway'));
  allowEgress(job, NetworkPeer.internet('huggingface-hub'), [NetworkPort.tcp(443)]);
  allowEgress(job, NetworkPeer.cidr('object-store', '10.20.0.0/16', ['10.20.9.0/24', '10.20.1.0/24']), [NetworkPort.tcp(9000, 9010)]);
  const policy = policies(app)['training/finetune-egress'];
  expect(policy.spec.egress).toEqual([
    { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
    { to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.1.0/24', '10.20.9.0/24'] } }], ports: [{ protocol: 'TCP', port: 9000, endPort: 9010 }] },
  ]);
  expect(policy.metadata.annotations![PEERS_ANNOTATION]).toBe('huggingface-hub 0.0.0.0/0; object-store 10.20.0.0/16');
});

test('rules are exposed as plain data for the policy gate', () => {
  const app = newApp();
  const api = workload(tenant(app, 'inference'), 'vllm', [{ name: 'http', containerPort: 8000 }, { name: 'metrics', containerPort: 9400 }]);
  allowMetricsScrape(api);
  const policy = allowIngress(api, NetworkPeer.namespace('gateway'), ['http']);
  expect(policy.direction).toBe(TrafficDirection.INGRESS);
  expect(policy.rules).toEqual([
    { peer: 'namespace:gateway', ports: [{ protocol: 'TCP', port: 8000 }] },
    { peer: 'namespace:monitoring{app.kubernetes.io/name=prometheus}', ports: [{ protocol: 'TCP', port: 9400 }] },
  ]);
});

describe('errors name the place, the prop and what is allowed', () => {
  test('an unknown port name lists the exposed ports', () => {
    const app = newApp();
    const api = workload(tenant(app, 'inference'), 'vllm', [{ name: 'http', containerPort: 8000 }]);
    expect(() => allowIngress(api, NetworkPeer.namespace('gateway'), ['grpc']))
      .toThrow(/inference\/vllm\/IngressPolicy: invalid 'ports' \("grpc"\): must name an exposed port of inference\/vllm: http/);
    expect(() => allowMetricsScrape(api)).toThrow(/invalid 'ports' \("metrics"\): must name an exposed port of inference\/vllm: http/);
  });

  test('egress to a namespace or CIDR needs explicit numeric ports', () => {
    const app = newApp();
    const api = workload(tenant(app, 'inference'), 'vllm');
    expect(() => allowEgress(api, NetworkPeer.internet(), undefined)).toThrow(/vllm\/EgressPolicy: invalid 'ports' \(undefined\): must list the ports to open towards internet 0.0.0.0\/0/);
    expect(() => allowEgress(api, NetworkPeer.namespace('monitoring'), ['http'])).toThrow(/a port name can only be resolved when the destination is a workload/);
  });

  test('ingress to a workload without exposed ports needs ports', () => {
    const app = newApp();
    const worker = workload(tenant(app, 'batch'), 'worker', [{ name: 'metrics', containerPort: 9090, exposed: false }]);
    expect(() => allowIngress(worker, NetworkPeer.namespace('gateway'))).toThrow(/batch\/worker exposes no ports/);
  });

  test('invalid ports and peers', () => {
    expect(() => NetworkPort.tcp(0)).toThrow(/invalid 'port' \(0\): must be a port number from 1 to 65535/);
    expect(() => NetworkPort.tcp(9000, 8000)).toThrow(/invalid 'endPort' \(8000\): must be a port number above 9000/);
    expect(() => NetworkPeer.namespace('Gateway')).toThrow(/NetworkPeer.namespace: invalid 'name' \("Gateway"\): must be a DNS-1123 label/);
    expect(() => NetworkPeer.namespace('gateway', {})).toThrow(/invalid 'podLabels' \(\{\}\): must name at least one label/);
    expect(() => NetworkPeer.cidr('Hugging Face', '0.0.0.0/0')).toThrow(/invalid 'name' \("Hugging Face"\)/);
  });

  test('the reserved construct ids cannot be taken by anything else', () => {
    const app = newApp();
    const api = workload(tenant(app, 'inference'), 'vllm');
    new Construct(api, INGRESS_POLICY_ID);
    expect(() => allowIngress(api, NetworkPeer.namespace('gateway'))).toThrow(/vllm\/IngressPolicy: invalid 'id' \("IngressPolicy"\): is reserved/);
  });
});

test('every rendered policy validates strictly against the Kubernetes 1.28 schema', () => {
  const app = newApp();
  const gateway = workload(tenant(app, 'gateway'), 'portkey', [{ name: 'http', containerPort: 8787 }]);
  const vllm = workload(tenant(app, 'inference'), 'vllm', [{ name: 'http', containerPort: 8000 }, { name: 'metrics', containerPort: 9400 }]);
  allowIngress(gateway, NetworkPeer.namespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }));
  allowTraffic(gateway, vllm, ['http']);
  allowMetricsScrape(vllm);
  allowEgress(vllm, NetworkPeer.internet('huggingface-hub'), [NetworkPort.tcp(443), NetworkPort.udp(4000, 4010)]);
  const rendered = Object.values(policies(app));
  expect(rendered.length).toBe(4 + 4); // ours plus the tenants' default-deny and allow-dns
  for (const manifest of rendered) expect({ name: manifest.metadata.name, issues: validateManifest(manifest) }).toEqual({ name: manifest.metadata.name, issues: [] });
});

test('any construct with pods (e.g. a training Job) can be an endpoint: it gets an egress policy in its namespace', () => {
  const app = newApp();
  const ns = tenant(app, 'training');
  const job = Object.assign(new Construct(ns, 'finetune'), {
    workloadName: 'finetune', namespace: 'training', exposedPorts: [],
    selector: { 'app.kubernetes.io/name': 'finetune', 'app.kubernetes.io/instance': 'finetune-training' },
  });
  allowEgress(job, NetworkPeer.internet('huggingface-hub'), [NetworkPort.tcp(443)]);
  const placed = synthesizeObjects(app).find((o) => o.manifest.metadata.name === 'finetune-egress')!;
  expect(placed.directory).toBe('apps/training');
  expect((placed.manifest as any).spec.podSelector).toEqual({ matchLabels: job.selector });
  expect(() => allowIngress(job, NetworkPeer.namespace('gateway'))).toThrow(/training\/finetune exposes no ports/);
  // a rejected rule leaves no empty policy behind
  expect(job.node.tryFindChild('IngressPolicy')).toBeUndefined();
  expect(() => synthesizeObjects(app)).not.toThrow();
});

test('every exposed port must be admitted by some ingress rule (ranges count)', () => {
  const app = newApp();
  const ns = tenant(app, 'search');
  const qdrant = workload(ns, 'qdrant', [{ name: 'http', containerPort: 6333 }, { name: 'grpc', containerPort: 6334 }]);
  allowIngress(qdrant, NetworkPeer.namespace('rag'), ['grpc']);
  expect(() => synthesizeObjects(app)).toThrow(/NetworkPolicy 'search\/qdrant-ingress' admits no traffic to exposed port http \(6333\) of qdrant; allow it with allowIngress\/allowTraffic, or mark the port exposed: false/);
  allowIngress(qdrant, NetworkPeer.prometheus(), [NetworkPort.tcp(6330, 6339)]);
  expect(() => synthesizeObjects(app)).not.toThrow();
});
