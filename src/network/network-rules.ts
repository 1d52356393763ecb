import { NetworkPeer } from './network-peer.js';
import { NetworkPort, ResolvedPort, exposedPortsOf } from './network-port.js';
import { TrafficDirection, WorkloadNetworkPolicy } from './workload-network-policy.js';
import { InvalidPropError } from '../core/errors.js';
import type { INetworkEndpoint } from './network-endpoint.js';

/** Ports for a rule: {@link NetworkPort}s or names of the destination workload's exposed ports. */
export type PortSelection = ReadonlyArray<NetworkPort | string>;

/**
 * Admits traffic from `from` into `target` (the target's ingress policy `<target>-ingress`).
 * Under the namespace's default deny, this is what makes a workload reachable.
 * @param ports @default - every exposed container port of `target`
 * @returns the target's ingress policy
 */
export function allowIngress(target: INetworkEndpoint, from: NetworkPeer, ports?: PortSelection): WorkloadNetworkPolicy {
  const resolved = resolvePorts(WorkloadNetworkPolicy.pathOf(target, TrafficDirection.INGRESS), target, ports);
  const policy = WorkloadNetworkPolicy.of(target, TrafficDirection.INGRESS);
  policy.addRule(from, resolved);
  return policy;
}

/**
 * Admits traffic from `source` out to `to` (the source's egress policy `<source>-egress`). When
 * `to` is a workload this opens only the client side; use {@link allowTraffic} to open both.
 * @param ports @default - the exposed ports of `to` when it is a workload; required otherwise
 * @returns the source's egress policy
 */
export function allowEgress(source: INetworkEndpoint, to: NetworkPeer, ports?: PortSelection): WorkloadNetworkPolicy {
  const context = WorkloadNetworkPolicy.pathOf(source, TrafficDirection.EGRESS);
  if (!to.workload && (ports === undefined || ports.length === 0)) {
    throw new InvalidPropError(context, 'ports', ports,
      `must list the ports to open towards ${to.description} (e.g. [NetworkPort.tcp(443)]); egress to namespaces and CIDRs never defaults to every port`);
  }
  const resolved = resolvePorts(context, to.workload, ports);
  const policy = WorkloadNetworkPolicy.of(source, TrafficDirection.EGRESS);
  policy.addRule(to, resolved);
  return policy;
}

/**
 * Admits `client` -> `server` traffic on both ends: egress on the client and ingress on the
 * server. Across namespaces the rules use namespaceSelector + podSelector pairs.
 * @param ports @default - every exposed container port of `server`
 */
export function allowTraffic(client: INetworkEndpoint, server: INetworkEndpoint, ports?: PortSelection): void {
  allowEgress(client, NetworkPeer.workload(server), ports);
  allowIngress(server, NetworkPeer.workload(client), ports);
}

/** Options of {@link allowMetricsScrape}. */
export interface MetricsScrapeOptions {
  /**
   * Name of the exposed port that serves `/metrics` (e.g. `http` for vLLM, which serves metrics
   * on its API port).
   * @default 'metrics'
   */
  readonly port?: string;
  /**
   * Who scrapes.
   * @default NetworkPeer.prometheus() (Prometheus pods in the `monitoring` namespace)
   */
  readonly from?: NetworkPeer;
}

/** Admits Prometheus to the metrics port of `target`. */
export function allowMetricsScrape(target: INetworkEndpoint, options: MetricsScrapeOptions = {}): WorkloadNetworkPolicy {
  return allowIngress(target, options.from ?? NetworkPeer.prometheus(), [options.port ?? 'metrics']);
}

function resolvePorts(context: string, destination: INetworkEndpoint | undefined, ports: PortSelection | undefined): ResolvedPort[] {
  if (ports === undefined || ports.length === 0) {
    if (!destination) throw new InvalidPropError(context, 'ports', ports, 'must list at least one port');
    return exposedPortsOf(context, destination);
  }
  return ports.map((p) => NetworkPort.of(p).resolve(context, destination));
}

