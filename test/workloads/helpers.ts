import { App, Testing } from 'cdk8s';
import { KubeManifest, manifestsOf } from '../../src/render/synthesize.js';
import { Tenant } from '../../src/tenancy/tenant.js';
import { NetworkPeer, allowIngress } from '../../src/network/index.js';
import type { IWorkload } from '../../src/workloads/workload.js';

/** A fresh app with one tenant namespace (`ml`) to put workloads in. */
export function tenantApp(namespace = 'ml'): { app: App; tenant: Tenant } {
  const app = Testing.app();
  const tenant = new Tenant(app, namespace, { team: 'ml-platform', quota: { requestsCpu: '64', requestsMemory: '256Gi', gpus: 8 } });
  return { app, tenant };
}

/** Admits the `gateway` namespace to every exposed port, so the workload passes validation. */
export function admitGateway(...workloads: IWorkload[]): void {
  for (const workload of workloads) allowIngress(workload, NetworkPeer.namespace('gateway'));
}

/** Rendered manifests below `scope`, keyed `Kind/name`. */
export function renderedByKind(app: App, scope?: IWorkload): Record<string, any> {
  return Object.fromEntries(manifestsOf(app, scope).map((m: KubeManifest) => [`${m.kind}/${m.metadata.name}`, m]));
}

/** The single container of a controller's (or Job's) pod template. */
export function mainContainer(controller: any): any {
  const spec = controller.spec.template?.spec ?? controller.spec.jobTemplate.spec.template.spec;
  expect(spec.containers).toHaveLength(1);
  return spec.containers[0];
}
