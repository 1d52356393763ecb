import { InvalidPropError } from '../core/errors.js';
import type { IWorkload } from '../workloads/workload.js';

/** KEDA metric types for the Prometheus scaler. */
export type KedaMetricType = 'AverageValue' | 'Value';

/** A resolved KEDA trigger: every metadata value is a string, as the CRD requires. */
export interface KedaTriggerSpec {
  /** Trigger type (`prometheus`). */
  readonly type: 'prometheus';
  /** Trigger name (shows in the HPA's metric names). */
  readonly name: string;
  /** `AverageValue` (desired = metric / threshold) or `Value` (desired = current x metric / threshold). */
  readonly metricType: KedaMetricType;
  /** Scaler metadata. */
  readonly metadata: Record<string, string>;
}

/** Which series labels identify the target's pods. */
export interface PodLabelNames {
  /**
   * The label holding the pod's namespace.
   * @default 'namespace' for application metrics, 'exported_namespace' for DCGM metrics
   */
  readonly namespaceLabel?: string;
  /**
   * The label holding the pod name.
   * @default 'pod' for application metrics, 'exported_pod' for DCGM metrics
   */
  readonly podLabel?: string;
}

/** Options of {@link KedaTrigger.vllmQueueLength}. */
export interface VllmQueueLengthOptions extends PodLabelNames {
  /**
   * Waiting requests per replica that trigger a scale-up.
   * @default 5
   */
  readonly threshold?: number;
  /**
   * Waiting requests above which a scaled-to-zero workload is activated.
   * @default 0
   */
  readonly activationThreshold?: number;
}

/** Options of {@link KedaTrigger.gpuUtilization}. */
export interface GpuUtilizationOptions extends PodLabelNames {
  /**
   * Target average GPU utilization (percent of time a kernel runs, `DCGM_FI_DEV_GPU_UTIL`).
   * @default 70
   */
  readonly targetPercent?: number;
}

/** Options of {@link KedaTrigger.prometheusQuery}. */
export interface PrometheusQueryOptions {
  /** Trigger name (lowercase letters, digits, '-'). */
  readonly name: string;
  /** A PromQL query aggregated to one series (`sum(...)`, `avg(...)`, `max(...)`, ...). */
  readonly query: string;
  /** Target value. */
  readonly threshold: number;
  /**
   * Metric type.
   * @default 'AverageValue'
   */
  readonly metricType?: KedaMetricType;
  /**
   * Activation threshold (scale from zero).
   * @default 0
   */
  readonly activationThreshold?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TRIGGER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A query whose outermost operation aggregates everything into one series. */
const SINGLE_SERIES = /^\s*(sum|avg|max|min|count|scalar)\s*\(/;
const GROUPED = /^\s*(sum|avg|max|min|count)\s*(by|without)\b|\)\s*(by|without)\s*\([^)]*\)\s*$/;

/**
 * A Prometheus trigger for a {@link KedaScaledObject}. Queries always aggregate to exactly one
 * series (KEDA fails on more) and select only the target's pods.
 */
export class KedaTrigger {
  /**
   * Scale on vLLM's waiting-request queue: `sum(vllm:num_requests_waiting{<target pods>})`,
   * `AverageValue` so desired replicas = total waiting / threshold.
   */
  public static vllmQueueLength(options: VllmQueueLengthOptions = {}): KedaTrigger {
    return new KedaTrigger((path, target) => {
      const threshold = positive(path, 'trigger.threshold', options.threshold ?? 5);
      const selector = podSelector(path, target, options.namespaceLabel ?? 'namespace', options.podLabel ?? 'pod');
      return {
        type: 'prometheus',
        name: 'vllm-queue-length',
        metricType: 'AverageValue',
        metadata: {
          query: `sum(vllm:num_requests_waiting{${selector}})`,
          threshold: String(threshold),
          activationThreshold: String(nonNegative(path, 'trigger.activationThreshold', options.activationThreshold ?? 0)),
        },
      };
    });
  }

  /**
   * Scale on DCGM GPU utilization of the target's pods:
   * `avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace=..., exported_pod=~...})`, `Value` so desired
   * replicas = current x average / target.
   */
  public static gpuUtilization(options: GpuUtilizationOptions = {}): KedaTrigger {
    return new KedaTrigger((path, target) => {
      const percent = options.targetPercent ?? 70;
      if (typeof percent !== 'number' || !(percent > 0 && percent <= 100)) {
        throw new InvalidPropError(path, 'trigger.targetPercent', options.targetPercent, 'must be a percentage above 0 and at most 100');
      }
      const selector = podSelector(path, target, options.namespaceLabel ?? 'exported_namespace', options.podLabel ?? 'exported_pod');
      return {
        type: 'prometheus',
        name: 'gpu-utilization',
        metricType: 'Value',
        metadata: { query: `avg(DCGM_FI_DEV_GPU_UTIL{${selector}})`, threshold: String(percent) },
      };
    });
  }

  /** Any Prometheus query that aggregates to one series. */
  public static prometheusQuery(options: PrometheusQueryOptions): KedaTrigger {
    return new KedaTrigger((path) => {
      if (typeof options.name !== 'string' || !TRIGGER_NAME.test(options.name)) {
        throw new InvalidPropError(path, 'trigger.name', options.name, "must be lowercase letters, digits and '-', e.g. 'queue-depth'");
      }
      if (typeof options.query !== 'string' || !SINGLE_SERIES.test(options.query) || GROUPED.test(options.query)) {
        throw new InvalidPropError(path, 'trigger.query', options.query,
          'must aggregate to exactly one series: wrap it in sum(...), avg(...), max(...), min(...), count(...) or scalar(...) without by/without');
      }
      const metricType = options.metricType ?? 'AverageValue';
      if (metricType !== 'AverageValue' && metricType !== 'Value') {
        throw new InvalidPropError(path, 'trigger.metricType', metricType, "must be 'AverageValue' or 'Value'");
      }
      return {
        type: 'prometheus',
        name: options.name,
        metricType,
        metadata: {
          query: options.query,
          threshold: String(positive(path, 'trigger.threshold', options.threshold)),
          ...(options.activationThreshold !== undefined
            ? { activationThreshold: String(nonNegative(path, 'trigger.activationThreshold', options.activationThreshold)) } : {}),
        },
      };
    });
  }

  private constructor(private readonly resolver: (path: string, target: IWorkload) => KedaTriggerSpec) {}

  /** Validates the options and renders the trigger for `target`. */
  public resolve(constructPath: string, target: IWorkload): KedaTriggerSpec {
    return this.resolver(constructPath, target);
  }
}

/**
 * PromQL matchers for the target's pods: the namespace, and pod names as the controller
 * generates them (`<name>-<hash>-<suffix>` for a Deployment, `<name>-<ordinal>` for a StatefulSet),
 * so a workload named `llm` never matches the pods of `llm-embed`.
 */
export function podSelector(path: string, target: IWorkload, namespaceLabel: string, podLabel: string): string {
  for (const [prop, label] of [['trigger.namespaceLabel', namespaceLabel], ['trigger.podLabel', podLabel]]) {
    if (!LABEL_NAME.test(label)) throw new InvalidPropError(path, prop, label, 'must be a Prometheus label name');
  }
  const pods = target.kind === 'StatefulSet' ? `${target.workloadName}-[0-9]+` : `${target.workloadName}-[a-z0-9]+-[a-z0-9]+`;
  return `${namespaceLabel}="${target.namespace}",${podLabel}=~"${pods}"`;
}

function positive(path: string, prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidPropError(path, prop, value, 'must be a number above 0');
  return value;
}

function nonNegative(path: string, prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidPropError(path, prop, value, 'must be a number, 0 or more');
  return value;
}
