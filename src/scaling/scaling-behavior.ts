import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import type { IScalableWorkload } from '../workloads/workload.js';

/** How fast an autoscaler adds replicas. */
export interface ScaleUpOptions {
  /**
   * Seconds of recommendations the autoscaler looks back over before scaling up (0 reacts at once).
   * @default 0
   */
  readonly stabilizationWindowSeconds?: number;
  /**
   * Pods added at most per minute (GPU replicas take minutes to load, so bursts gain nothing).
   * @default 2
   */
  readonly maxPodsPerMinute?: number;
}

/** How fast an autoscaler removes replicas. */
export interface ScaleDownOptions {
  /**
   * Seconds the load must stay low before scaling down; long, because a removed model server
   * takes minutes to come back.
   * @default 600
   */
  readonly stabilizationWindowSeconds?: number;
  /**
   * Pods removed at most per `periodSeconds`.
   * @default 1
   */
  readonly maxPodsPerPeriod?: number;
  /**
   * The period of `maxPodsPerPeriod`.
   * @default 120
   */
  readonly periodSeconds?: number;
}

/** Scaling behaviour (autoscaling/v2 `behavior`) tuned for slow-starting servers. */
export interface ScalingBehaviorOptions {
  /**
   * Scale-up rules.
   * @default - no stabilization, at most 2 pods per minute
   */
  readonly scaleUp?: ScaleUpOptions;
  /**
   * Scale-down rules.
   * @default - 600 s stabilization, at most 1 pod per 120 s
   */
  readonly scaleDown?: ScaleDownOptions;
}

/** Renders and validates an autoscaling/v2 `HorizontalPodAutoscalerBehavior`. */
export function renderScalingBehavior(scope: IConstruct, options: ScalingBehaviorOptions = {}): k8s.HorizontalPodAutoscalerBehaviorV2 {
  const up = options.scaleUp ?? {};
  const down = options.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: ranged(scope, 'behavior.scaleUp.stabilizationWindowSeconds', up.stabilizationWindowSeconds ?? 0, 0, 3600),
      selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: ranged(scope, 'behavior.scaleUp.maxPodsPerMinute', up.maxPodsPerMinute ?? 2, 1, 1000), periodSeconds: 60 }],
    },
    scaleDown: {
      stabilizationWindowSeconds: ranged(scope, 'behavior.scaleDown.stabilizationWindowSeconds', down.stabilizationWindowSeconds ?? 600, 0, 3600),
      selectPolicy: 'Max',
      policies: [{
        type: 'Pods',
        value: ranged(scope, 'behavior.scaleDown.maxPodsPerPeriod', down.maxPodsPerPeriod ?? 1, 1, 1000),
        periodSeconds: ranged(scope, 'behavior.scaleDown.periodSeconds', down.periodSeconds ?? 120, 1, 1800),
      }],
    },
  };
}

/** The replica range and target of an autoscaler, validated and bound to the target workload. */
export interface ScaleTargetBinding {
  /** The autoscaler construct. */
  readonly autoscaler: IConstruct;
  /** `HorizontalPodAutoscaler` or `ScaledObject`. */
  readonly kind: string;
  /** The workload. */
  readonly target: IScalableWorkload;
  /** Minimum replicas. */
  readonly minReplicas: number;
  /** Maximum replicas. */
  readonly maxReplicas: number;
  /** Whether a minimum of 0 is allowed (KEDA scale-to-zero). */
  readonly allowZero: boolean;
}

/**
 * Validates the replica range (min <= max, min >= 1 unless scale-to-zero is allowed), checks the
 * autoscaler sits in the target's namespace, and binds it to the target (which refuses a second
 * autoscaler and stops rendering fixed replicas).
 */
export function bindScaleTarget(binding: ScaleTargetBinding): void {
  const { autoscaler, target, minReplicas, maxReplicas } = binding;
  if (!target || typeof target.bindAutoscaler !== 'function') {
    throw new InvalidPropError(autoscaler, 'target', target?.node?.path, 'must be a scalable workload (GpuInferenceService, ServiceWorkload, McpServer, PortkeyGateway, ...)');
  }
  const namespace = Chart.of(autoscaler).namespace;
  if (namespace !== target.namespace) {
    throw new InvalidPropError(autoscaler, 'target', target.node.path,
      `must be in the autoscaler's namespace (${namespace ?? 'none'}); the workload is in ${target.namespace}. Create the autoscaler inside the workload's Tenant`);
  }
  ranged(autoscaler, 'maxReplicas', maxReplicas, 1, 1000);
  const lowest = binding.allowZero ? 0 : 1;
  if (!Number.isInteger(minReplicas) || minReplicas < lowest || minReplicas > maxReplicas) {
    throw new InvalidPropError(autoscaler, 'minReplicas', minReplicas,
      `must be a whole number from ${lowest} to maxReplicas (${maxReplicas})${minReplicas === 0 && binding.kind === 'ScaledObject' ? '; set allowScaleToZero to use 0' : ''}`);
  }
  target.bindAutoscaler({ autoscalerPath: autoscaler.node.path, kind: binding.kind, minReplicas, maxReplicas });
}

/** Throws unless `value` is a whole number in [min, max]; returns it. */
export function ranged(scope: IConstruct, prop: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPropError(scope, prop, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}
