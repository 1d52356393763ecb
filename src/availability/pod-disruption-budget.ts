import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { validateDnsLabel } from '../core/names.js';
import type { IWorkload } from '../workloads/workload.js';

/** How many pods of a workload a voluntary disruption (node drain, eviction) may take down. */
export interface DisruptionBudgetOptions {
  /**
   * Pods that may be unavailable at once; at least 1, so a drain always makes progress.
   * Mutually exclusive with `minAvailable`.
   * @default 1 (when `minAvailable` is not set)
   */
  readonly maxUnavailable?: number;
  /**
   * Pods that must stay available; strictly fewer than the workload's minimum replicas, so at
   * least one pod can always be evicted. Mutually exclusive with `maxUnavailable`.
   * @default - not set (`maxUnavailable: 1` is used)
   */
  readonly minAvailable?: number;
}

/** Props of {@link PodDisruptionBudget}. */
export interface PodDisruptionBudgetProps extends DisruptionBudgetOptions {
  /** The workload whose pods the budget protects (its selector is used as is). */
  readonly target: IWorkload;
  /**
   * `metadata.name`.
   * @default - the target's workload name
   */
  readonly name?: string;
  /**
   * Labels of the budget object.
   * @default {}
   */
  readonly labels?: Record<string, string>;
}

/**
 * A policy/v1 PodDisruptionBudget for a workload, selecting the workload's stable selector
 * labels. It never blocks all evictions: `maxUnavailable` is at least 1, and `minAvailable` must
 * stay below the workload's minimum replicas (checked at synth time, after autoscalers are
 * bound). `unhealthyPodEvictionPolicy: AlwaysAllow` lets drains evict pods that are not ready, so
 * a crash-looping rollout cannot wedge a node drain either.
 *
 * Every {@link Workload} creates one automatically (child id `DisruptionBudget`) while it can run
 * more than one replica; create one yourself only for workloads built outside this library's base.
 */
export class PodDisruptionBudget extends Construct {
  /** Budgets by target, to refuse a second budget over the same pods. */
  private static readonly byTarget = new WeakMap<IWorkload, PodDisruptionBudget[]>();

  /** `metadata.name`. */
  public readonly budgetName: string;
  /** The L1 object. */
  public readonly resource: k8s.KubePodDisruptionBudget;
  private readonly target: IWorkload;
  private readonly minAvailable?: number;
  private readonly maxUnavailable?: number;

  constructor(scope: Construct, id: string, props: PodDisruptionBudgetProps) {
    super(scope, id);
    this.target = props.target;
    this.budgetName = validateDnsLabel(this, 'name', props.name ?? props.target.workloadName);
    const namespace = Chart.of(this).namespace;
    if (namespace !== props.target.namespace) {
      throw new InvalidPropError(this, 'target', props.target.node.path,
        `must be in the budget's namespace (${namespace ?? 'none'}); the workload is in ${props.target.namespace}`);
    }
    if (props.minAvailable !== undefined && props.maxUnavailable !== undefined) {
      throw new InvalidPropError(this, 'minAvailable', props.minAvailable, 'set either minAvailable or maxUnavailable, not both');
    }
    if (props.minAvailable !== undefined) {
      if (!Number.isInteger(props.minAvailable) || props.minAvailable < 0) {
        throw new InvalidPropError(this, 'minAvailable', props.minAvailable, 'must be a whole number of pods, 0 or more');
      }
      this.minAvailable = props.minAvailable;
    } else {
      const maxUnavailable = props.maxUnavailable ?? 1;
      if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) {
        throw new InvalidPropError(this, 'maxUnavailable', props.maxUnavailable,
          'must be a whole number of pods, at least 1 (0 would block every eviction and node drain)');
      }
      this.maxUnavailable = maxUnavailable;
    }
    this.resource = new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: this.budgetName, ...(props.labels && Object.keys(props.labels).length > 0 ? { labels: props.labels } : {}) },
      spec: {
        selector: { matchLabels: props.target.selector },
        ...(this.minAvailable !== undefined
          ? { minAvailable: k8s.IntOrString.fromNumber(this.minAvailable) }
          : { maxUnavailable: k8s.IntOrString.fromNumber(this.maxUnavailable!) }),
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    const siblings = PodDisruptionBudget.byTarget.get(props.target) ?? [];
    siblings.push(this);
    PodDisruptionBudget.byTarget.set(props.target, siblings);
    this.node.addValidation({ validate: () => this.validateAgainstTarget() });
  }

  /** Checked at synth time, when the target's autoscaler (if any) is known. */
  private validateAgainstTarget(): string[] {
    const others = (PodDisruptionBudget.byTarget.get(this.target) ?? [])
      .filter((b) => b !== this && b.node.scope?.node.tryFindChild(b.node.id) === b);
    if (others.length > 0) {
      return [new InvalidPropError(this, 'target', this.target.node.path,
        `is already covered by ${others.map((b) => b.node.path).join(', ')}; the eviction API refuses to evict a pod covered by two budgets, which blocks node drains. Set the workload's disruptionBudget prop instead`).message];
    }
    const min = this.target.minReplicas;
    if (this.minAvailable !== undefined && this.minAvailable >= min) {
      return [new InvalidPropError(this, 'minAvailable', this.minAvailable,
        `must be less than the workload's minimum replicas (${min}, ${this.target.node.path}), otherwise no pod can ever be evicted; use a smaller minAvailable or maxUnavailable: 1`).message];
    }
    return [];
  }
}
