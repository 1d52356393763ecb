import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { allowIngress } from '../network/network-rules.js';
import type { WorkloadNetworkPolicy } from '../network/workload-network-policy.js';
import type { IWorkload } from '../workloads/workload.js';
import type { IngressGateway } from './ingress-gateway.js';

/** Options of {@link exposeHttp}. */
export interface ExposeHttpOptions {
  /** The Gateway whose HTTPS listener carries the route. */
  readonly gateway: IngressGateway;
  /**
   * Name of the workload's exposed port the route sends traffic to.
   * @default - the workload's only exposed port (an error when it has several)
   */
  readonly port?: string;
  /**
   * The hostname the route serves: one of the Gateway's (its HTTPS listener for that name carries the route).
   * @default - the Gateway's primary hostname
   */
  readonly hostname?: string;
  /**
   * Path prefix the route matches.
   * @default '/'
   */
  readonly path?: string;
  /**
   * `metadata.name` of the HTTPRoute.
   * @default - the workload's name
   */
  readonly name?: string;
}

/** What {@link exposeHttp} made. */
export interface HttpExposure {
  /** The `gateway.networking.k8s.io/v1` HTTPRoute (in the workload's namespace). */
  readonly route: ApiObject;
  /** The workload's ingress policy, now admitting the gateway controller's pods to the port. */
  readonly networkPolicy: WorkloadNetworkPolicy;
}

/**
 * Publishes a workload through a Gateway: an HTTPRoute in the workload's namespace attached to the
 * Gateway's HTTPS listener of the hostname (a path prefix, the workload's Service on the chosen
 * port), that listener admitting routes from the namespace, and the network rule
 * that lets the controller's proxy pods reach that port. One call, so the route and the network
 * rule cannot drift apart.
 */
export function exposeHttp(workload: IWorkload, options: ExposeHttpOptions): HttpExposure {
  const ctx = `${workload.node.path}/exposeHttp`;
  const exposed = workload.exposedPorts.filter((p) => p.exposed !== false);
  const names = exposed.map((p) => p.name).join(', ') || 'it exposes none';
  let port = exposed.find((p) => p.name === options.port);
  if (options.port === undefined) {
    if (exposed.length !== 1) throw new InvalidPropError(ctx, 'port', options.port, `must name the port to route to: ${workload.workloadName} exposes ${names}`);
    port = exposed[0];
  }
  if (!port) throw new InvalidPropError(ctx, 'port', options.port, `must name an exposed port of ${workload.workloadName} (${names})`);
  const path = options.path ?? '/';
  if (typeof path !== 'string' || !/^\/[^\s?#]*$/.test(path)) throw new InvalidPropError(ctx, 'path', path, "must be an absolute path prefix without query or fragment, such as '/v1'");
  const gateway = options.gateway;
  if (!gateway || typeof gateway.admitRoutesFrom !== 'function') throw new InvalidPropError(ctx, 'gateway', String(gateway), 'must be an IngressGateway');
  const listener = gateway.httpsListenerFor(ctx, options.hostname);
  gateway.admitRoutesFrom(workload.namespace, listener.name);
  const route = new ApiObject(workload as unknown as Construct, 'HttpRoute', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: options.name ?? workload.workloadName, namespace: workload.namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: listener.name }],
      hostnames: [listener.hostname],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ group: '', kind: 'Service', name: workload.workloadName, port: port.servicePort ?? port.containerPort }],
      }],
    },
  });
  const networkPolicy = allowIngress(workload, gateway.dataPlanePeer, [port.name]);
  return { route, networkPolicy };
}
