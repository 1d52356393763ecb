import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { clusterScopedDirectory } from '../secrets/cluster-scoped.js';

/** Names of the platform's PriorityClasses, for `scheduling.priorityClassName` of workloads. */
export const PriorityClassNames = {
  /** Model servers whose outage is user-visible (the primary LLM endpoint, the gateway). */
  SERVING_CRITICAL: 'lambda-serving-critical',
  /** Other online services (embeddings, vector database, MCP servers). */
  SERVING: 'lambda-serving',
  /** Batch inference and other offline work that can wait. */
  BATCH: 'lambda-batch',
  /** Training and fine-tuning jobs: the first to be preempted, and they never preempt anything. */
  TRAINING_PREEMPTIBLE: 'lambda-training-preemptible',
} as const;

/** One of {@link PriorityClassNames}. */
export type PriorityClassName = typeof PriorityClassNames[keyof typeof PriorityClassNames];

/** What a pod of a class may do to lower-priority pods when it cannot be scheduled. */
export type PreemptionPolicy = 'PreemptLowerPriority' | 'Never';

/** A PriorityClass as plain data (for workloads and the capacity model). */
export interface PriorityTier {
  /** `metadata.name`. */
  readonly name: PriorityClassName;
  /** The priority value (higher schedules first and may preempt lower). */
  readonly value: number;
  /** Whether pods of this class evict lower-priority pods to make room. */
  readonly preemptionPolicy: PreemptionPolicy;
  /** Whether a higher class may preempt pods of this class. */
  readonly preemptible: boolean;
  /** When to use the class. */
  readonly description: string;
}

/** Props of {@link GpuPriorityClasses}: the priority values, which must stay strictly decreasing. */
export interface GpuPriorityClassesProps {
  /**
   * Value of `lambda-serving-critical`.
   * @default 1000000
   */
  readonly servingCriticalValue?: number;
  /**
   * Value of `lambda-serving`.
   * @default 100000
   */
  readonly servingValue?: number;
  /**
   * Value of `lambda-batch`.
   * @default 10000
   */
  readonly batchValue?: number;
  /**
   * Value of `lambda-training-preemptible`.
   * @default 1000
   */
  readonly trainingValue?: number;
}

/** The highest value a user PriorityClass may have (higher values are reserved for system classes). */
export const MAX_USER_PRIORITY = 1_000_000_000;

const TIERS: ReadonlyArray<{ name: PriorityClassName; prop: keyof GpuPriorityClassesProps; value: number; preemptionPolicy: PreemptionPolicy; description: string }> = [
  {
    name: PriorityClassNames.SERVING_CRITICAL, prop: 'servingCriticalValue', value: 1_000_000, preemptionPolicy: 'PreemptLowerPriority',
    description: 'User-facing model serving and the AI gateway: schedules first and preempts every lower class.',
  },
  {
    name: PriorityClassNames.SERVING, prop: 'servingValue', value: 100_000, preemptionPolicy: 'PreemptLowerPriority',
    description: 'Other online services (embeddings, vector databases, MCP servers): preempts batch and training.',
  },
  {
    name: PriorityClassNames.BATCH, prop: 'batchValue', value: 10_000, preemptionPolicy: 'PreemptLowerPriority',
    description: 'Offline batch work: yields to serving, may preempt training.',
  },
  {
    name: PriorityClassNames.TRAINING_PREEMPTIBLE, prop: 'trainingValue', value: 1_000, preemptionPolicy: 'Never',
    description: 'Training and fine-tuning jobs: preempted by every other class and never preempts; checkpoint often.',
  },
];

/**
 * The platform's PriorityClasses (`scheduling.k8s.io/v1`), so serving outranks batch and training
 * can be preempted. None is the global default, so pods without a class keep priority 0 (below
 * all of these). Create it in the `infrastructure/controllers` ManifestDirectory: workloads
 * referring to a class must not reach the cluster before it.
 */
export class GpuPriorityClasses extends Construct {
  /** The classes, highest first, as plain data. */
  public readonly tiers: readonly PriorityTier[];
  /** The rendered PriorityClasses by name. */
  public readonly resources: Readonly<Record<PriorityClassName, k8s.KubePriorityClass>>;

  constructor(scope: Construct, id: string, props: GpuPriorityClassesProps = {}) {
    super(scope, id);
    clusterScopedDirectory(this, 'PriorityClass', 'infrastructure/controllers');
    let above: { prop: string; value: number } | undefined;
    const tiers: PriorityTier[] = [];
    for (const tier of TIERS) {
      const value = props[tier.prop] ?? tier.value;
      if (!Number.isInteger(value) || value < -MAX_USER_PRIORITY || value > MAX_USER_PRIORITY) {
        throw new InvalidPropError(this, tier.prop, value, `must be a whole number from -${MAX_USER_PRIORITY} to ${MAX_USER_PRIORITY}`);
      }
      if (above && value >= above.value) {
        throw new InvalidPropError(this, tier.prop, value, `must be lower than ${above.prop} (${above.value}): serving outranks batch, batch outranks training`);
      }
      tiers.push({
        name: tier.name,
        value,
        preemptionPolicy: tier.preemptionPolicy,
        preemptible: tiers.some((t) => t.preemptionPolicy === 'PreemptLowerPriority'),
        description: tier.description,
      });
      above = { prop: tier.prop, value };
    }
    this.tiers = tiers;
    const resources: Partial<Record<PriorityClassName, k8s.KubePriorityClass>> = {};
    for (const tier of tiers) {
      resources[tier.name] = new k8s.KubePriorityClass(this, tier.name, {
        metadata: { name: tier.name, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
        value: tier.value,
        globalDefault: false,
        preemptionPolicy: tier.preemptionPolicy,
        description: tier.description,
      });
    }
    this.resources = resources as Record<PriorityClassName, k8s.KubePriorityClass>;
  }

  /** The value of a class. */
  public priorityOf(name: string): number {
    const tier = this.tiers.find((t) => t.name === name);
    if (!tier) throw new InvalidPropError(this, 'name', name, `must be one of: ${this.tiers.map((t) => t.name).join(', ')}`);
    return tier.value;
  }
}
