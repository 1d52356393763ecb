import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { validateDnsLabel } from '../core/names.js';
import type { IScalableWorkload } from '../workloads/workload.js';
import { ScalingBehaviorOptions, bindScaleTarget, ranged, renderScalingBehavior } from './scaling-behavior.js';

/** Props of {@link HorizontalAutoscaler}. */
export interface HorizontalAutoscalerProps {
  /** The Deployment or StatefulSet workload to scale (in the same namespace). */
  readonly target: IScalableWorkload;
  /**
   * `metadata.name`.
   * @default - the target's workload name
   */
  readonly name?: string;
  /**
   * Minimum replicas (at least 1; scale-to-zero needs KEDA).
   * @default 1
   */
  readonly minReplicas?: number;
  /** Maximum replicas (on single-GPU nodes, at most the number of GPU nodes). */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization in percent of the CPU request.
   * @default 70 when `memoryUtilization` is not set either
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilization in percent of the memory request.
   * @default - not used
   */
  readonly memoryUtilization?: number;
  /**
   * Scale-up and scale-down behaviour.
   * @default - see {@link ScalingBehaviorOptions}: react at once upward (2 pods/min), 600 s stabilization downward
   */
  readonly behavior?: ScalingBehaviorOptions;
}

/**
 * An autoscaling/v2 HorizontalPodAutoscaler on CPU and/or memory utilization, with scale-down
 * stabilization suited to slow-starting servers. It binds to its target, so the target renders
 * no fixed `replicas`, keeps a PodDisruptionBudget when max > 1, and refuses a second autoscaler
 * (such as a KEDA ScaledObject).
 */
export class HorizontalAutoscaler extends Construct {
  /** `metadata.name`. */
  public readonly autoscalerName: string;
  /** The L1 object. */
  public readonly resource: k8s.KubeHorizontalPodAutoscalerV2;

  constructor(scope: Construct, id: string, props: HorizontalAutoscalerProps) {
    super(scope, id);
    this.autoscalerName = validateDnsLabel(this, 'name', props.name ?? props.target?.workloadName);
    const minReplicas = props.minReplicas ?? 1;
    const metrics: k8s.MetricSpecV2[] = [];
    const utilization = (resource: 'cpu' | 'memory', prop: string, value: number | undefined) => {
      if (value === undefined) return;
      metrics.push({ type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization: ranged(this, prop, value, 1, 1000) } } });
    };
    utilization('cpu', 'cpuUtilization', props.cpuUtilization ?? (props.memoryUtilization === undefined ? 70 : undefined));
    utilization('memory', 'memoryUtilization', props.memoryUtilization);
    if (metrics.length === 0) throw new InvalidPropError(this, 'cpuUtilization', undefined, 'set cpuUtilization and/or memoryUtilization');
    const behavior = renderScalingBehavior(this, props.behavior);
    bindScaleTarget({ autoscaler: this, kind: 'HorizontalPodAutoscaler', target: props.target, minReplicas, maxReplicas: props.maxReplicas, allowZero: false });
    this.resource = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: this.autoscalerName },
      spec: {
        scaleTargetRef: { apiVersion: props.target.apiVersion, kind: props.target.kind, name: props.target.workloadName },
        minReplicas,
        maxReplicas: props.maxReplicas,
        metrics,
        behavior,
      },
    });
  }
}
