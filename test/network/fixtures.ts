import { App, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { KubeManifest, manifestsOf } from '../../src/render/synthesize.js';
import { Tenant } from '../../src/tenancy/tenant.js';
import { Workload, WorkloadPort } from '../../src/workloads/workload.js';

/** A fresh app. */
export function newApp(): App {
  return Testing.app();
}

/** A tenant namespace for network-rule tests. */
export function tenant(app: App, namespace: string): Tenant {
  return new Tenant(app, namespace, { team: 'platform', quota: { requestsCpu: '8', requestsMemory: '16Gi' } });
}

/** A plain CPU workload serving `ports` (default: `http` on container port 8080, Service port 80). */
export function workload(scope: Tenant, name: string, ports: WorkloadPort[] = [{ name: 'http', containerPort: 8080, servicePort: 80 }]): Workload {
  return new Workload(scope, name, {
    image: 'ghcr.io/example/app:1.2.3',
    component: 'service',
    ports,
    resources: { cpu: { request: '500m' }, memory: { request: '512Mi' } },
    readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(ports[0]?.containerPort ?? 8080) } },
  });
}

/** The rendered NetworkPolicies of an app, by `<namespace>/<name>`. */
export function policies(app: App): Record<string, KubeManifest & { spec: any }> {
  return Object.fromEntries(manifestsOf(app).filter((m) => m.kind === 'NetworkPolicy')
    .map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m as KubeManifest & { spec: any }]));
}
