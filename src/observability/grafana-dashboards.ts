import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';

/** One time-series panel of a dashboard. */
export interface DashboardPanel {
  /** Panel title. */
  readonly title: string;
  /** PromQL queries, one series set each. */
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string }>;
  /**
   * Grafana unit id (`percent`, `percentunit`, `s`, `currencyUSD`, `short`...).
   * @default 'short'
   */
  readonly unit?: string;
}

/** Props of {@link GrafanaDashboard}. */
export interface GrafanaDashboardProps {
  /** Dashboard uid and ConfigMap name (DNS label). */
  readonly uid: string;
  /** Dashboard title. */
  readonly title: string;
  /** Namespace of the ConfigMap (Grafana's sidecar searches all namespaces in MonitoringStack). */
  readonly namespace: string;
  /** The label the Grafana sidecar loads dashboards by (from {@link MonitoringStack.dashboardLabel}). */
  readonly label: Readonly<Record<string, string>>;
  /** Panels, laid out two per row. */
  readonly panels: readonly DashboardPanel[];
}

/**
 * A Grafana dashboard provisioned as a ConfigMap that Grafana's dashboard sidecar loads: the
 * dashboard JSON model (schemaVersion 39, a Prometheus datasource variable, time-series panels).
 */
export class GrafanaDashboard extends Construct {
  /** The dashboard JSON model, as rendered into the ConfigMap. */
  public readonly model: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    const uid = validateDnsLabel(this, 'uid', props.uid);
    validateDnsLabel(this, 'namespace', props.namespace);
    if (!props.panels?.length) throw new InvalidPropError(this, 'panels', props.panels, 'must list at least one panel');
    props.panels.forEach((p, i) => {
      if (!p.queries?.length) throw new InvalidPropError(this, `panels[${i}].queries`, p.queries, 'must list at least one query');
    });
    this.model = {
      uid,
      title: props.title,
      schemaVersion: 39,
      editable: false,
      time: { from: 'now-24h', to: 'now' },
      templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }] },
      panels: props.panels.map((p, i) => ({
        id: i + 1,
        type: 'timeseries',
        title: p.title,
        gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
        datasource: { type: 'prometheus', uid: '${datasource}' },
        fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
        targets: p.queries.map((q, qi) => ({
          refId: String.fromCharCode(65 + qi),
          expr: q.expr,
          ...(q.legend ? { legendFormat: q.legend } : {}),
          datasource: { type: 'prometheus', uid: '${datasource}' },
        })),
      })),
    };
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: validateDnsSubdomain(this, 'uid', `dashboard-${uid}`),
        namespace: props.namespace,
        labels: { [LabelKeys.managedBy]: MANAGED_BY, ...props.label },
      },
      data: { [`${uid}.json`]: JSON.stringify(this.model, null, 2) },
    });
  }
}

/** Props of {@link GpuPlatformDashboards}. */
export interface GpuPlatformDashboardsProps {
  /** Namespace of the ConfigMaps. */
  readonly namespace: string;
  /** Grafana sidecar label ({@link MonitoringStack.dashboardLabel}). */
  readonly label: Readonly<Record<string, string>>;
  /** On-demand price of one GPU-hour in USD, for the cost dashboard (e.g. the catalog price of the GPU pool's instance type divided by its GPUs). */
  readonly gpuHourlyPriceUsd: number;
}

/**
 * The platform's three dashboards: GPU utilization (per GPU and per namespace, against the waste
 * threshold), cost per namespace (GPUs requested x the GPU-hour price, and cost per utilized GPU-hour)
 * and serving latency (vLLM time to first token, end-to-end p50/p95/p99, queue, KV cache).
 */
export class GpuPlatformDashboards extends Construct {
  constructor(scope: Construct, id: string, props: GpuPlatformDashboardsProps) {
    super(scope, id);
    const price = props.gpuHourlyPriceUsd;
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) throw new InvalidPropError(this, 'gpuHourlyPriceUsd', price, 'must be a positive price in USD');
    const common = { namespace: props.namespace, label: props.label };
    const gpuRequests = 'sum by (namespace) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"})';
    new GrafanaDashboard(this, 'GpuUtilization', {
      ...common, uid: 'gpu-utilization', title: 'GPU utilization',
      panels: [
        { title: 'GPU utilization per GPU', unit: 'percent', queries: [{ expr: 'DCGM_FI_DEV_GPU_UTIL', legend: '{{Hostname}} gpu {{gpu}} {{exported_namespace}}/{{exported_pod}}' }] },
        { title: 'Average GPU utilization per namespace (1h)', unit: 'percentunit', queries: [{ expr: 'namespace:gpu_utilization:avg1h', legend: '{{exported_namespace}}' }] },
        { title: 'GPU memory used', unit: 'decmbytes', queries: [{ expr: 'DCGM_FI_DEV_FB_USED', legend: '{{Hostname}} gpu {{gpu}}' }] },
        { title: 'GPU temperature', unit: 'celsius', queries: [{ expr: 'DCGM_FI_DEV_GPU_TEMP', legend: '{{Hostname}} gpu {{gpu}}' }] },
      ],
    });
    new GrafanaDashboard(this, 'GpuCost', {
      ...common, uid: 'gpu-cost', title: 'GPU cost per namespace',
      panels: [
        { title: 'GPUs requested per namespace', queries: [{ expr: gpuRequests, legend: '{{namespace}}' }] },
        { title: 'GPU cost per namespace (USD per month at the current allocation)', unit: 'currencyUSD', queries: [{ expr: `${gpuRequests} * ${price} * 730`, legend: '{{namespace}}' }] },
        { title: 'Cost per utilized GPU-hour (USD)', unit: 'currencyUSD', queries: [{ expr: `${price} / clamp_min(namespace:gpu_utilization:avg1h, 0.01)`, legend: '{{exported_namespace}}' }] },
      ],
    });
    new GrafanaDashboard(this, 'ServingLatency', {
      ...common, uid: 'serving-latency', title: 'Serving latency (vLLM)',
      panels: [
        { title: 'End-to-end latency', unit: 's', queries: [0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (namespace, le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))`, legend: `p${Math.round(q * 100)} {{namespace}}` })) },
        { title: 'Time to first token', unit: 's', queries: [0.5, 0.95].map((q) => ({ expr: `histogram_quantile(${q}, sum by (namespace, le) (rate(vllm:time_to_first_token_seconds_bucket[5m])))`, legend: `p${Math.round(q * 100)} {{namespace}}` })) },
        { title: 'Requests waiting', queries: [{ expr: 'sum by (namespace, pod) (vllm:num_requests_waiting)', legend: '{{namespace}}/{{pod}}' }] },
        { title: 'KV cache usage', unit: 'percentunit', queries: [{ expr: 'max by (namespace, pod) (vllm:kv_cache_usage_perc)', legend: '{{namespace}}/{{pod}}' }] },
      ],
    });
  }
}
