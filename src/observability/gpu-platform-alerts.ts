import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import type { PrometheusEndpoint } from './monitoring-stack.js';
import { PrometheusAlerts, RuleGroup } from './prometheus-alerts.js';

/** Thresholds of {@link GpuPlatformAlerts}; every one has a default a GPU platform team would keep. */
export interface GpuPlatformAlertsProps {
  /** The Prometheus that evaluates the rules. */
  readonly prometheus: PrometheusEndpoint;
  /**
   * Namespace of the PrometheusRule.
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * GPU temperature (°C) that warns when held for 10 minutes.
   * @default 85
   */
  readonly gpuTemperatureCelsius?: number;
  /**
   * A GPU allocated to a pod whose average utilization over `gpuWasteWindow` stays below this (%)
   * is waste.
   * @default 20
   */
  readonly gpuWastePercent?: number;
  /**
   * Window of the GPU waste average.
   * @default '2h'
   */
  readonly gpuWasteWindow?: string;
  /**
   * vLLM requests waiting per pod that warn when held for 5 minutes.
   * @default 10
   */
  readonly vllmWaitingRequests?: number;
  /**
   * vLLM KV-cache usage (0-1) that warns when held for 10 minutes (requests get preempted beyond it).
   * @default 0.95
   */
  readonly vllmKvCacheUsage?: number;
  /**
   * Serving availability objective (share of HTTP requests not answered 5xx) over 30 days.
   * @default 0.995
   */
  readonly availabilityObjective?: number;
  /**
   * Serving latency objective: share of requests that complete within `latencySeconds`.
   * @default 0.99
   */
  readonly latencyObjective?: number;
  /**
   * End-to-end request latency bound of the latency objective, in seconds; must be a bucket
   * boundary of vLLM's `vllm:e2e_request_latency_seconds` histogram.
   * @default 10
   */
  readonly latencySeconds?: number;
  /**
   * Used / hard ratio of a namespace's GPU quota that warns.
   * @default 0.9
   */
  readonly quotaUsedRatio?: number;
}

/** Bucket boundaries of `vllm:e2e_request_latency_seconds` (vLLM v0.10 `vllm/v1/metrics/loggers.py`). */
export const VLLM_E2E_LATENCY_BUCKETS: readonly number[] = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

/**
 * The DCGM exporter counters the GPU health alerts read, beyond the exporter's defaults (the
 * violation and ECC counters are commented out in its default list): pass them to the exporter
 * (PlatformOperators does) or those alerts can never fire.
 */
export const DCGM_ALERT_COUNTERS: readonly string[] = [
  'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_POWER_VIOLATION',
  'DCGM_FI_DEV_THERMAL_VIOLATION', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
];

/** Bucket label value as the Prometheus Python client writes it (`10.0`). */
const le = (seconds: number) => (Number.isInteger(seconds) ? `${seconds}.0` : String(seconds));

/**
 * Alerts a GPU platform team keeps, as one PrometheusRule: GPU health (XID errors, thermal and
 * power throttling, double-bit ECC errors, failed row remapping, temperature), GPU waste (GPUs
 * allocated to pods but idle; a recording rule `namespace:gpu_utilization:avg1h` makes utilization
 * a measured number), vLLM saturation (waiting queue, KV cache), serving SLO burn rates
 * (availability from HTTP status, latency from vLLM's end-to-end histogram; multiwindow, 14.4x page /
 * 6x ticket as in the Google SRE workbook), GPU quota near exhaustion, Flux objects not Ready and
 * ExternalSecrets failing to sync. Each alert has a promtool unit test that fires it and one that
 * does not (test/alerts/).
 */
export class GpuPlatformAlerts extends Construct {
  /** The PrometheusRule. */
  public readonly rules: PrometheusAlerts;

  constructor(scope: Construct, id: string, props: GpuPlatformAlertsProps) {
    super(scope, id);
    const num = (prop: string, value: number, min: number, max: number) => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw new InvalidPropError(this, prop, value, `must be a number from ${min} to ${max}`);
      return value;
    };
    const temp = num('gpuTemperatureCelsius', props.gpuTemperatureCelsius ?? 85, 40, 110);
    const waste = num('gpuWastePercent', props.gpuWastePercent ?? 20, 1, 99);
    const wasteWindow = props.gpuWasteWindow ?? '2h';
    if (!/^[0-9]+(m|h|d)$/.test(wasteWindow)) throw new InvalidPropError(this, 'gpuWasteWindow', wasteWindow, "must be a duration such as '2h'");
    const waiting = num('vllmWaitingRequests', props.vllmWaitingRequests ?? 10, 1, 100000);
    const kv = num('vllmKvCacheUsage', props.vllmKvCacheUsage ?? 0.95, 0.1, 1);
    const avail = num('availabilityObjective', props.availabilityObjective ?? 0.995, 0.5, 0.99999);
    const latObj = num('latencyObjective', props.latencyObjective ?? 0.99, 0.5, 0.99999);
    const latSec = props.latencySeconds ?? 10;
    if (!VLLM_E2E_LATENCY_BUCKETS.includes(latSec)) {
      throw new InvalidPropError(this, 'latencySeconds', latSec, `must be a bucket boundary of vllm:e2e_request_latency_seconds (${VLLM_E2E_LATENCY_BUCKETS.join(', ')})`);
    }
    const quota = num('quotaUsedRatio', props.quotaUsedRatio ?? 0.9, 0.1, 1);
    const errBudget = +(1 - avail).toPrecision(6);
    const latBudget = +(1 - latObj).toPrecision(6);

    // Ratios over a window, per namespace (the namespace label of the scraped pod).
    const errorRatio = (w: string) => `sum by (namespace) (rate(http_requests_total{status="5xx"}[${w}])) / sum by (namespace) (rate(http_requests_total[${w}]))`;
    const slowRatio = (w: string) => `1 - (sum by (namespace) (rate(vllm:e2e_request_latency_seconds_bucket{le="${le(latSec)}"}[${w}])) / sum by (namespace) (rate(vllm:e2e_request_latency_seconds_count[${w}])))`;
    const burn = (ratio: (w: string) => string, budget: number, factor: number, long: string, short: string) =>
      `(${ratio(long)}) > (${factor} * ${budget}) and (${ratio(short)}) > (${factor} * ${budget})`;

    const groups: RuleGroup[] = [
      {
        name: 'gpu-health',
        rules: [
          { alert: 'GpuXidError', expr: 'DCGM_FI_DEV_XID_ERRORS > 0', severity: 'critical',
            summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }}',
            description: 'The driver reported an XID error (the value is the last XID). XIDs 48, 63, 64, 74, 79, 94, 95 mean hardware or driver faults: drain the node and check `nvidia-smi -q`.' },
          { alert: 'GpuThermalThrottling', expr: 'rate(DCGM_FI_DEV_THERMAL_VIOLATION[5m]) > 0', for: '10m', severity: 'warning',
            summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is throttled for temperature',
            description: 'Clocks are reduced to stay within thermal limits; throughput drops. Check cooling and the datacenter ticket queue.' },
          { alert: 'GpuPowerThrottling', expr: 'rate(DCGM_FI_DEV_POWER_VIOLATION[5m]) / 1e6 > 0.1', for: '15m', severity: 'warning',
            summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} spends {{ $value | humanizePercentage }} of the time power-capped',
            description: 'The GPU runs at its power limit more than 10% of the time.' },
          { alert: 'GpuEccDoubleBitErrors', expr: 'increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[10m]) > 0', severity: 'critical',
            summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} had uncorrectable ECC errors',
            description: 'Double-bit ECC errors corrupt results. Drain the node; a reset retires the rows or the GPU needs replacing.' },
          { alert: 'GpuRowRemapFailure', expr: 'DCGM_FI_DEV_ROW_REMAP_FAILURE > 0', severity: 'critical',
            summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} failed to remap memory rows',
            description: 'Row remapping failed: the GPU must be replaced. Cordon and drain the node.' },
          { alert: 'GpuTemperatureHigh', expr: `DCGM_FI_DEV_GPU_TEMP > ${temp}`, for: '10m', severity: 'warning',
            summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} at {{ $value }}°C',
            description: `GPU temperature above ${temp}°C for 10 minutes.` },
        ],
      },
      {
        name: 'gpu-waste',
        rules: [
          { record: 'namespace:gpu_utilization:avg1h',
            expr: 'avg by (exported_namespace) (avg_over_time(DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}[1h])) / 100' },
          { alert: 'GpuAllocatedButIdle',
            expr: `avg by (exported_namespace, exported_pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}[${wasteWindow}])) < ${waste}`,
            for: '15m', severity: 'warning',
            summary: 'Pod {{ $labels.exported_namespace }}/{{ $labels.exported_pod }} holds GPUs at {{ $value | humanize }}% utilization',
            description: `GPUs allocated to this pod averaged below ${waste}% utilization over ${wasteWindow}: scale it down, share the GPU (time-slicing) or free it.` },
        ],
      },
      {
        name: 'vllm-saturation',
        rules: [
          { alert: 'VllmRequestsQueued', expr: `sum by (namespace, pod) (vllm:num_requests_waiting) > ${waiting}`, for: '5m', severity: 'warning',
            summary: '{{ $value }} requests waiting on {{ $labels.namespace }}/{{ $labels.pod }}',
            description: 'vLLM cannot schedule requests as fast as they arrive; the autoscaler is at its maximum or GPUs are missing.' },
          { alert: 'VllmKvCacheNearlyFull',
            expr: `(max by (namespace, pod) (vllm:kv_cache_usage_perc) or max by (namespace, pod) (vllm:gpu_cache_usage_perc)) > ${kv}`,
            for: '10m', severity: 'warning',
            summary: 'KV cache of {{ $labels.namespace }}/{{ $labels.pod }} at {{ $value | humanizePercentage }}',
            description: 'The KV cache is nearly full: vLLM preempts running requests and latency rises. Lower max-model-len or max-num-seqs, or add replicas. (vLLM >= 0.10 exports vllm:kv_cache_usage_perc, older versions vllm:gpu_cache_usage_perc.)' },
        ],
      },
      {
        name: 'serving-slo',
        rules: [
          { alert: 'ServingErrorBudgetBurnFast', expr: burn(errorRatio, errBudget, 14.4, '1h', '5m'), for: '2m', severity: 'critical',
            summary: 'Namespace {{ $labels.namespace }} burns its availability error budget 14x too fast',
            description: `5xx ratio above 14.4 x ${errBudget} over 1h and 5m: at this rate the 30-day ${avail} objective is spent in about 2 days.` },
          { alert: 'ServingErrorBudgetBurnSlow', expr: burn(errorRatio, errBudget, 6, '6h', '30m'), for: '15m', severity: 'warning',
            summary: 'Namespace {{ $labels.namespace }} burns its availability error budget 6x too fast',
            description: `5xx ratio above 6 x ${errBudget} over 6h and 30m.` },
          { alert: 'ServingLatencyBudgetBurnFast', expr: burn(slowRatio, latBudget, 14.4, '1h', '5m'), for: '2m', severity: 'critical',
            summary: 'Namespace {{ $labels.namespace }}: requests slower than ' + `${latSec}s burn the latency budget 14x too fast`,
            description: `Share of requests slower than ${latSec}s above 14.4 x ${latBudget} over 1h and 5m (objective ${latObj}).` },
          { alert: 'ServingLatencyBudgetBurnSlow', expr: burn(slowRatio, latBudget, 6, '6h', '30m'), for: '15m', severity: 'warning',
            summary: 'Namespace {{ $labels.namespace }}: requests slower than ' + `${latSec}s burn the latency budget 6x too fast`,
            description: `Share of requests slower than ${latSec}s above 6 x ${latBudget} over 6h and 30m (objective ${latObj}).` },
        ],
      },
      {
        name: 'platform',
        rules: [
          { alert: 'GpuQuotaNearlyExhausted',
            expr: `kube_resourcequota{resource="requests.nvidia.com/gpu", type="used"} / ignoring(type) kube_resourcequota{resource="requests.nvidia.com/gpu", type="hard"} > ${quota}`,
            for: '15m', severity: 'warning',
            summary: 'Namespace {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of its GPU quota',
            description: 'The next rollout or scale-up may be refused by the quota.' },
          { alert: 'FluxResourceNotReady', expr: 'gotk_resource_info{ready="False", suspended!="true"} == 1', for: '15m', severity: 'warning',
            summary: '{{ $labels.customresource_kind }} {{ $labels.exported_namespace }}/{{ $labels.name }} is not Ready',
            description: 'Flux cannot reconcile this object: `flux get all -A` and its events say why. Dependent Kustomizations wait.' },
          { alert: 'ExternalSecretSyncFailing', expr: 'externalsecret_status_condition{condition="Ready", status="False"} == 1', for: '15m', severity: 'warning',
            summary: 'ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} does not sync',
            description: 'The External Secrets Operator cannot read this secret from Pulumi ESC: check the ClusterSecretStore token and the ESC path. Pods that need the Secret do not start.' },
        ],
      },
    ];
    this.rules = new PrometheusAlerts(this, 'Rules', {
      name: 'gpu-platform', namespace: props.namespace ?? 'monitoring', prometheus: props.prometheus, groups,
    });
  }
}
