/**
 * The Services a Helm chart renders, declared on its HelmRelease so that references to them can be
 * resolved offline. The gate cannot render charts; the cluster tests do (`helm template` of the
 * vendored chart) and fail when a declared Service or port is missing from the chart's output.
 *
 * Annotation `lambda-gitops.dev/chart-services` on the HelmRelease, value
 * `name:port[:port...][,name:port...]`, e.g.
 * `kube-prometheus-stack-prometheus:9090,kube-prometheus-stack-alertmanager:9093`. The Services live
 * in the release's namespace (`spec.targetNamespace`, else the HelmRelease's own).
 */

/** Annotation key on a HelmRelease listing the Services its chart renders. */
export const CHART_SERVICES_ANNOTATION = 'lambda-gitops.dev/chart-services';

/** One Service a chart renders, with the ports it serves. */
export interface ChartService {
  /** `metadata.name` of the rendered Service. */
  readonly name: string;
  /** Ports (`spec.ports[].port`) the Service serves. */
  readonly ports: readonly number[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why a declared Service is malformed, or undefined when it is valid. */
export function chartServiceProblem(service: ChartService): string | undefined {
  if (!DNS_LABEL.test(service.name) || service.name.length > 63) return `Service name '${service.name}' is not a DNS label (lowercase letters, digits and '-', at most 63 characters)`;
  if (service.ports.length === 0) return `Service '${service.name}' lists no port`;
  const bad = service.ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (bad !== undefined) return `Service '${service.name}' port ${bad} is not an integer from 1 to 65535`;
  return undefined;
}

/** The annotation value for `services` (sorted by name, so the rendering is deterministic). */
export function formatChartServices(services: readonly ChartService[]): string {
  return [...services].sort((a, b) => a.name.localeCompare(b.name)).map((s) => [s.name, ...s.ports].join(':')).join(',');
}

/** Parses the annotation value; throws an Error naming the bad entry. */
export function parseChartServices(value: string): ChartService[] {
  const services: ChartService[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const [name, ...ports] = entry.split(':');
    const service = { name, ports: ports.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN)) };
    const problem = chartServiceProblem(service);
    if (problem) throw new Error(`entry '${entry}': ${problem} (expected name:port[:port...])`);
    services.push(service);
  }
  return services;
}
