// Cost of the network rules (lazy per-workload aggregation, peer/port resolution, sorting) against
// writing the same NetworkPolicies by hand as L1 objects, measured in the same process on the same
// app shape: N tenants x W workloads, each admitted from a gateway namespace and Prometheus, each
// calling the next workload, each with egress to the internet on 443 (4 rule calls per workload).
import { App } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { performance } from 'node:perf_hooks';
import { ManifestDirectory } from '../lib/layout/manifest-directory.js';
import { NetworkPeer, NetworkPort, allowEgress, allowIngress, allowTraffic } from '../lib/network/index.js';
import { synthesizeObjects } from '../lib/render/synthesize.js';

const EXCEPT = ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];

function endpoints(app, tenants, perTenant) {
  const all = [];
  for (let t = 0; t < tenants; t++) {
    const ns = `team${t}`;
    const dir = new ManifestDirectory(app, ns, { directory: `apps/${ns}`, namespace: ns });
    for (let w = 0; w < perTenant; w++) {
      const name = `svc${w}`;
      all.push(Object.assign(new Construct(dir, name), {
        workloadName: name, namespace: ns, exposedPorts: [{ name: 'http', containerPort: 8000 }, { name: 'metrics', containerPort: 9400 }],
        selector: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': `${name}-${ns}` },
      }));
    }
  }
  return all;
}

function withRules(tenants, perTenant) {
  const app = new App();
  const all = endpoints(app, tenants, perTenant);
  all.forEach((w, i) => {
    allowIngress(w, NetworkPeer.namespace('gateway'), ['http']);
    allowIngress(w, NetworkPeer.prometheus(), ['metrics']);
    allowEgress(w, NetworkPeer.internet(), [NetworkPort.tcp(443)]);
    if (i + 1 < all.length) allowTraffic(w, all[i + 1], ['http']);
  });
  return app;
}

function byHand(tenants, perTenant) {
  const app = new App();
  const all = endpoints(app, tenants, perTenant);
  const peerOf = (w, ns) => (w.namespace === ns ? { podSelector: { matchLabels: w.selector } }
    : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': w.namespace } }, podSelector: { matchLabels: w.selector } });
  const tcp = (port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
  all.forEach((w, i) => {
    const ingress = [
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [tcp(8000)] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }], ports: [tcp(9400)] },
    ];
    if (i > 0) ingress.push({ from: [peerOf(all[i - 1], w.namespace)], ports: [tcp(8000)] });
    const egress = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: EXCEPT } }], ports: [tcp(443)] }];
    if (i + 1 < all.length) egress.push({ to: [peerOf(all[i + 1], w.namespace)], ports: [tcp(8000)] });
    new k8s.KubeNetworkPolicy(w, 'IngressPolicy', { metadata: { name: `${w.workloadName}-ingress`, namespace: w.namespace }, spec: { podSelector: { matchLabels: w.selector }, policyTypes: ['Ingress'], ingress } });
    new k8s.KubeNetworkPolicy(w, 'EgressPolicy', { metadata: { name: `${w.workloadName}-egress`, namespace: w.namespace }, spec: { podSelector: { matchLabels: w.selector }, policyTypes: ['Egress'], egress } });
  });
  return app;
}

function median(fn, runs = 5) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export default function () {
  for (const [tenants, perTenant] of [[10, 20], [50, 20]]) {
    const workloads = tenants * perTenant;
    const ours = median(() => synthesizeObjects(withRules(tenants, perTenant)));
    const hand = median(() => synthesizeObjects(byHand(tenants, perTenant)));
    console.log(`${workloads} workloads, ${workloads * 2} policies: network rules ${ours.toFixed(0)} ms, hand-written L1 policies ${hand.toFixed(0)} ms, overhead ratio ${(ours / hand).toFixed(2)}x`);
  }
}
