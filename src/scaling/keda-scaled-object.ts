import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { validateDnsLabel } from '../core/names.js';
import type { PrometheusEndpoint } from '../observability/monitoring-stack.js';
import type { IScalableWorkload } from '../workloads/workload.js';
import { KedaTrigger, KedaTriggerSpec } from './keda-trigger.js';
import { ScalingBehaviorOptions, bindScaleTarget, ranged, renderScalingBehavior } from './scaling-behavior.js';


/** What KEDA does while the metric source fails. */
export interface KedaFallbackOptions {
  /**
   * Consecutive failed metric reads before the fallback applies.
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Replicas during the fallback (KEDA keeps more if more are running).
   * @default - the larger of minReplicas and 2, capped at maxReplicas
   */
  readonly replicas?: number;
}

/** Props of {@link KedaScaledObject}. */
export interface KedaScaledObjectProps {
  /** The Deployment or StatefulSet workload to scale (in the same namespace). */
  readonly target: IScalableWorkload;
  /**
   * `metadata.name` (KEDA names its HPA `keda-hpa-<name>`).
   * @default - the target's workload name
   */
  readonly name?: string;
  /** Triggers, e.g. `[KedaTrigger.vllmQueueLength()]`; KEDA scales to the highest demand. */
  readonly triggers: KedaTrigger[];
  /**
   * Minimum replicas; 0 only with `allowScaleToZero`.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Maximum replicas (on single-GPU nodes, at most the number of GPU nodes). */
  readonly maxReplicas: number;
  /**
   * Allow `minReplicas: 0` (the first request then waits for a cold start).
   * @default false
   */
  readonly allowScaleToZero?: boolean;
  /**
   * Seconds between metric reads.
   * @default 15
   */
  readonly pollingInterval?: number;
  /**
   * Seconds after the last active trigger before scaling to zero (only applies to scale-to-zero).
   * @default 360
   */
  readonly cooldownPeriod?: number;
  /**
   * Fallback while Prometheus cannot be read. KEDA supports it only for `AverageValue`
   * triggers, so it is left out when a trigger uses `Value` (e.g. GPU utilization).
   * @default - { failureThreshold: 3, replicas: max(minReplicas, 2) capped at maxReplicas, behavior currentReplicasIfHigher }
   */
  readonly fallback?: KedaFallbackOptions;
  /**
   * The Prometheus server the triggers query: `MonitoringStack.prometheus`, or
   * `PrometheusEndpoint.external(url)` for one the tree does not deploy. A construct reference, not a
   * typed URL, so the address always names a Prometheus that exists.
   */
  readonly prometheus: PrometheusEndpoint;
  /**
   * Behaviour of the HPA KEDA manages.
   * @default - see {@link ScalingBehaviorOptions}
   */
  readonly behavior?: ScalingBehaviorOptions;
}

/**
 * A KEDA ScaledObject (keda.sh/v1alpha1) with Prometheus triggers, such as vLLM's waiting-request
 * queue or DCGM GPU utilization. Every trigger metadata value is a string, queries aggregate to
 * one series, the managed HPA gets slow-server scale-down behaviour, and the target is bound so it
 * renders no fixed `replicas` and takes no second autoscaler.
 */
export class KedaScaledObject extends Construct {
  /** `metadata.name`. */
  public readonly scaledObjectName: string;
  /** The resolved triggers. */
  public readonly triggers: KedaTriggerSpec[];
  /** The ScaledObject. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: KedaScaledObjectProps) {
    super(scope, id);
    this.scaledObjectName = validateDnsLabel(this, 'name', props.name ?? props.target?.workloadName);
    const allowZero = props.allowScaleToZero ?? false;
    const minReplicas = props.minReplicas ?? 1;
    if (!props.prometheus || typeof props.prometheus.url !== 'string') {
      throw new InvalidPropError(this, 'prometheus', props.prometheus, 'must be the Prometheus the triggers query, e.g. monitoring.prometheus of a MonitoringStack (or PrometheusEndpoint.external(url))');
    }
    const serverAddress = props.prometheus.url;
    if (!Array.isArray(props.triggers) || props.triggers.length === 0) {
      throw new InvalidPropError(this, 'triggers', props.triggers, 'must list at least one trigger, e.g. KedaTrigger.vllmQueueLength()');
    }
    const pollingInterval = ranged(this, 'pollingInterval', props.pollingInterval ?? 15, 1, 3600);
    const cooldownPeriod = ranged(this, 'cooldownPeriod', props.cooldownPeriod ?? 360, 0, 86400);
    const behavior = renderScalingBehavior(this, props.behavior);
    bindScaleTarget({ autoscaler: this, kind: 'ScaledObject', target: props.target, minReplicas, maxReplicas: props.maxReplicas, allowZero });
    this.triggers = props.triggers.map((t) => t.resolve(this.node.path, props.target));
    const names = this.triggers.map((t) => t.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new InvalidPropError(this, 'triggers', duplicate, 'trigger names must be unique');

    const fallbackSupported = this.triggers.every((t) => t.metricType === 'AverageValue');
    if (props.fallback && !fallbackSupported) {
      throw new InvalidPropError(this, 'fallback', props.fallback,
        `is supported by KEDA only for AverageValue triggers; ${this.triggers.filter((t) => t.metricType !== 'AverageValue').map((t) => t.name).join(', ')} use Value`);
    }
    const fallbackReplicas = props.fallback?.replicas ?? Math.min(props.maxReplicas, Math.max(minReplicas, 2));
    const fallback = fallbackSupported ? {
      failureThreshold: ranged(this, 'fallback.failureThreshold', props.fallback?.failureThreshold ?? 3, 1, 100),
      replicas: ranged(this, 'fallback.replicas', fallbackReplicas, Math.max(1, minReplicas), props.maxReplicas),
      behavior: 'currentReplicasIfHigher',
    } : undefined;

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: this.scaledObjectName },
      spec: {
        scaleTargetRef: { apiVersion: props.target.apiVersion, kind: props.target.kind, name: props.target.workloadName },
        pollingInterval,
        cooldownPeriod,
        minReplicaCount: minReplicas,
        maxReplicaCount: props.maxReplicas,
        ...(fallback ? { fallback } : {}),
        advanced: { horizontalPodAutoscalerConfig: { behavior: behavior as unknown as Record<string, unknown> } },
        triggers: this.triggers.map((t) => ({
          type: t.type,
          name: t.name,
          metricType: t.metricType,
          metadata: { serverAddress, ...t.metadata },
        })),
      },
    });
  }
}
