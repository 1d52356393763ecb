import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { allowMetricsScrape } from '../network/network-rules.js';
import type { WorkloadNetworkPolicy } from '../network/workload-network-policy.js';
import type { IWorkload } from '../workloads/workload.js';
import type { PrometheusEndpoint } from './monitoring-stack.js';

/** Options of {@link scrapeMetrics}. */
export interface ScrapeMetricsOptions {
  /** The Prometheus that scrapes (its selector labels go on the PodMonitor, its pods get the network rule). */
  readonly prometheus: PrometheusEndpoint;
  /**
   * Name of the container port that serves metrics.
   * @default 'metrics'
   */
  readonly port?: string;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Scrape interval.
   * @default '30s'
   */
  readonly interval?: string;
}

/** What {@link scrapeMetrics} made. */
export interface MetricsScrape {
  /** The `monitoring.coreos.com/v1` PodMonitor. */
  readonly podMonitor: ApiObject;
  /** The ingress rule admitting the Prometheus pods to the port. */
  readonly networkPolicy: WorkloadNetworkPolicy;
}

/**
 * Has Prometheus scrape a workload: a PodMonitor selecting exactly the workload's pods on the named
 * port (the Prometheus Operator ignores `prometheus.io/*` annotations), carrying the labels the
 * Prometheus selects, and the network rule that admits the Prometheus pods to that port. One call,
 * so the scrape object and the network rule cannot drift apart.
 */
export function scrapeMetrics(workload: IWorkload, options: ScrapeMetricsOptions): MetricsScrape {
  const port = options.port ?? 'metrics';
  const path = options.path ?? '/metrics';
  const interval = options.interval ?? '30s';
  const ctx = `${workload.node.path}/scrapeMetrics`;
  if (!workload.exposedPorts.some((p) => p.name === port)) {
    throw new InvalidPropError(ctx, 'port', port, `must name a port of ${workload.workloadName} (${workload.exposedPorts.map((p) => p.name).join(', ') || 'it serves none'})`);
  }
  if (!path.startsWith('/')) throw new InvalidPropError(ctx, 'path', path, "must start with '/'");
  if (!/^[0-9]+(ms|s|m|h)$/.test(interval)) throw new InvalidPropError(ctx, 'interval', interval, "must be a Prometheus duration such as '30s'");
  const scope = workload as unknown as Construct;
  const podMonitor = new ApiObject(scope, 'PodMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: {
      name: workload.workloadName,
      namespace: workload.namespace,
      labels: { [LabelKeys.managedBy]: MANAGED_BY, ...options.prometheus.selectorLabels },
    },
    spec: {
      selector: { matchLabels: { ...workload.selector } },
      namespaceSelector: { matchNames: [workload.namespace] },
      podMetricsEndpoints: [{ port, path, interval }],
    },
  });
  const networkPolicy = allowMetricsScrape(workload, { port, from: options.prometheus.peer });
  return { podMonitor, networkPolicy };
}
