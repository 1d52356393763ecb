import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { recommendedLabels, selectorLabels, workloadIdentity } from '../core/labels.js';
import type { INetworkEndpoint } from '../network/network-endpoint.js';
import type { GpuQuotaNeed, IGpuQuotaConsumer } from '../tenancy/gpu-quota-need.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import { GpuPlacementProps, gpuScheduling, sharedMemoryVolume, validateGpuCount } from './gpu-scheduling.js';
import { PriorityClassNames } from '../gpu/priority-classes.js';
import { HOME_MOUNT_PATH } from './model-server-presets.js';
import { PersistentVolume, SecretEnvVar, WorkloadPort, buildPodTemplate } from './pod-template.js';
import { ResourceRange } from './resources.js';
import { Workload, validateImage } from './workload.js';

/** The persistent volume a training job writes checkpoints to. */
export interface CheckpointVolumeOptions {
  /**
   * Claim size.
   * @default '100Gi'
   */
  readonly size?: string;
  /**
   * Storage class (a Lambda persistent filesystem survives node termination; local NVMe does not).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Where the checkpoints are mounted.
   * @default '/checkpoints'
   */
  readonly mountPath?: string;
  /**
   * Access mode; parallel pods on several nodes need `ReadWriteMany`.
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** A CronJob schedule for a recurring run (e.g. a nightly fine-tune). */
export interface TrainingSchedule {
  /** Cron expression (5 fields) or a macro such as `@daily`, e.g. `'0 2 * * *'`. */
  readonly cron: string;
  /**
   * IANA time zone of the schedule.
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;
  /**
   * Seconds after the scheduled time a missed run may still start.
   * @default 600
   */
  readonly startingDeadlineSeconds?: number;
  /**
   * Finished Jobs kept for inspection (successful and failed each).
   * @default 3
   */
  readonly historyLimit?: number;
}

/** Props of {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends GpuPlacementProps {
  /**
   * `metadata.name` of the Job or CronJob (at most 52 characters: Kubernetes appends a suffix to
   * the Jobs a CronJob creates).
   * @default - the construct id
   */
  readonly name?: string;
  /** Training image with a pinned tag or digest. */
  readonly image: string;
  /**
   * Command.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default []
   */
  readonly args?: string[];
  /**
   * Literal environment variables.
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from Secret keys (e.g. `HF_TOKEN`, `WANDB_API_KEY`).
   * @default []
   */
  readonly secretEnv?: SecretEnvVar[];
  /**
   * PriorityClass of the pods. Training is preemptible by default: serving displaces it, and
   * the Job's podFailurePolicy keeps such preemptions from counting as failures.
   * @default 'lambda-training-preemptible' ({@link PriorityClassNames.TRAINING_PREEMPTIBLE}; render {@link GpuPriorityClasses} so it exists)
   */
  readonly priorityClassName?: string;
  /**
   * Whole GPUs per pod (request = limit).
   * @default 1
   */
  readonly gpus?: number;
  /**
   * CPU, memory and ephemeral storage per pod.
   * @default - cpu 6 and memory 24Gi per GPU (request = limit), ephemeral 1Gi/4Gi
   */
  readonly resources?: { readonly cpu?: ResourceRange; readonly memory?: ResourceRange; readonly ephemeralStorage?: ResourceRange };
  /**
   * Size of the RAM-backed `/dev/shm` (dataloader workers and NCCL use it).
   * @default - 4Gi per GPU
   */
  readonly shmSize?: string;
  /**
   * The checkpoint volume (a standalone PersistentVolumeClaim `<name>-checkpoints`).
   * @default - 100Gi ReadWriteOnce at /checkpoints
   */
  readonly checkpoint?: CheckpointVolumeOptions;
  /**
   * Retries before the Job is marked failed.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Wall-clock limit of the whole Job in seconds.
   * @default 86400 (24 hours)
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Seconds a finished Job (and its pods) is kept before deletion.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Pod restart policy: `Never` replaces a failed pod and lets the Job's `podFailurePolicy`
   * ignore pods that were disrupted (preempted, evicted by a drain): such pods do not count
   * against `backoffLimit`. `OnFailure` restarts the container in place (keeps the node and
   * GPU) but Kubernetes allows no `podFailurePolicy` with it, so every preemption burns a retry.
   * @default 'Never'
   */
  readonly restartPolicy?: 'OnFailure' | 'Never';
  /**
   * Pods that run at once.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Successful pods needed to finish.
   * @default - equal to parallelism
   */
  readonly completions?: number;
  /**
   * Run on a schedule as a CronJob (`concurrencyPolicy: Forbid`) instead of once.
   * @default - a one-off Job
   */
  readonly schedule?: TrainingSchedule;
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - the namespace
   */
  readonly partOf?: string;
}

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CRON_FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

/**
 * A GPU training or fine-tuning run: a batch/v1 Job (or a CronJob with `concurrencyPolicy:
 * Forbid` when `schedule` is set) with whole GPUs requested and limited equally, the GPU taint
 * tolerated, GPU node selection, a RAM-backed `/dev/shm`, a checkpoint PersistentVolumeClaim,
 * backoff, deadline and TTL, on the hardened pod template. Meant to run under a preemptible batch
 * PriorityClass so serving can displace it.
 */
export class GpuTrainingJob extends Construct implements INetworkEndpoint, IGpuQuotaConsumer {
  /** `metadata.name` of the Job or CronJob. */
  public readonly jobName: string;
  /** Same as {@link jobName}; lets network rules (e.g. egress to model hubs) target the job's pods. */
  public readonly workloadName: string;
  /** Pod selector labels of the job's pods (name + instance). */
  public readonly selector: Record<string, string>;
  /** A training job serves nothing. */
  public readonly exposedPorts: readonly WorkloadPort[] = [];
  /** Namespace. */
  public readonly namespace: string;
  /** `Job` or `CronJob`. */
  public readonly kind: 'Job' | 'CronJob';
  /** GPUs per pod. */
  public readonly gpusPerPod: number;
  /** The most pods that run at once (parallelism; a CronJob never overlaps runs). */
  public readonly maxPods: number;
  /** The most GPUs the job holds at once. */
  public readonly maxGpus: number;
  /** The checkpoint claim. */
  public readonly checkpointClaim: k8s.KubePersistentVolumeClaim;
  /** The Job or CronJob. */
  public readonly resource: k8s.KubeJob | k8s.KubeCronJob;

  constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id);
    this.jobName = validateDnsLabel(this, 'name', props.name ?? id, 52);
    this.workloadName = this.jobName;
    this.namespace = Workload.namespaceOf(this);
    validateImage(this, props.image);
    const gpus = props.gpus ?? 1;
    validateGpuCount(this, gpus);
    this.gpusPerPod = gpus;
    const parallelism = wholeNumber(this, 'parallelism', props.parallelism ?? 1, 1, 64);
    const completions = wholeNumber(this, 'completions', props.completions ?? parallelism, 1, 10000);
    const backoffLimit = wholeNumber(this, 'backoffLimit', props.backoffLimit ?? 3, 0, 100);
    const activeDeadlineSeconds = wholeNumber(this, 'activeDeadlineSeconds', props.activeDeadlineSeconds ?? 86400, 1, 30 * 86400);
    const ttl = wholeNumber(this, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished ?? 86400, 0, 30 * 86400);
    const restartPolicy = props.restartPolicy ?? 'Never';
    if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
      throw new InvalidPropError(this, 'restartPolicy', restartPolicy, "must be 'OnFailure' or 'Never' (Jobs cannot use Always)");
    }
    this.maxPods = parallelism;
    this.maxGpus = parallelism * gpus;

    const checkpoint = props.checkpoint ?? {};
    const accessMode = checkpoint.accessMode ?? 'ReadWriteOnce';
    if (accessMode !== 'ReadWriteOnce' && accessMode !== 'ReadWriteMany') {
      throw new InvalidPropError(this, 'checkpoint.accessMode', accessMode, "must be 'ReadWriteOnce' or 'ReadWriteMany'");
    }
    if (parallelism > 1 && accessMode !== 'ReadWriteMany') {
      throw new InvalidPropError(this, 'checkpoint.accessMode', accessMode,
        `must be 'ReadWriteMany' when parallelism is ${parallelism}: pods on several nodes cannot share a ReadWriteOnce claim`);
    }
    const checkpointVolume: PersistentVolume = {
      name: 'checkpoints',
      mountPath: checkpoint.mountPath ?? '/checkpoints',
      size: checkpoint.size ?? '100Gi',
      storageClassName: checkpoint.storageClassName,
      accessMode,
    };
    if (checkpoint.storageClassName !== undefined) validateDnsSubdomain(this, 'checkpoint.storageClassName', checkpoint.storageClassName);

    const identity = workloadIdentity(this.jobName, this.namespace, 'training', props.partOf);
    const labels = recommendedLabels(identity);
    this.selector = selectorLabels(identity);
    const memory = props.resources?.memory ?? { request: `${24 * gpus}Gi` };
    const template = buildPodTemplate(this, {
      name: this.jobName,
      image: props.image,
      command: props.command,
      args: props.args,
      env: { HOME: HOME_MOUNT_PATH, HF_HOME: `${checkpointVolume.mountPath}/huggingface`, ...(props.env ?? {}) },
      secretEnv: props.secretEnv,
      resources: {
        cpu: props.resources?.cpu ?? { request: String(6 * gpus) },
        memory,
        ...(props.resources?.ephemeralStorage ? { ephemeralStorage: props.resources.ephemeralStorage } : {}),
        gpus,
      },
      scratchVolumes: [
        { name: 'home', mountPath: HOME_MOUNT_PATH, sizeLimit: '2Gi' },
        sharedMemoryVolume(this, props.shmSize ?? `${4 * gpus}Gi`, memory.limit ?? memory.request),
      ],
      persistentVolumes: [checkpointVolume],
      scheduling: gpuScheduling(this, gpus, { ...props, priorityClassName: props.priorityClassName ?? PriorityClassNames.TRAINING_PREEMPTIBLE }),
      restartPolicy,
    }, labels);

    this.checkpointClaim = new k8s.KubePersistentVolumeClaim(this, 'Checkpoints', {
      metadata: { name: `${this.jobName}-checkpoints`, labels },
      spec: {
        accessModes: [accessMode],
        ...(checkpoint.storageClassName ? { storageClassName: checkpoint.storageClassName } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(checkpointVolume.size) } },
      },
    });
    const jobSpec: k8s.JobSpec = {
      backoffLimit,
      activeDeadlineSeconds,
      ttlSecondsAfterFinished: ttl,
      parallelism,
      completions,
      template,
      // A pod that failed because it was preempted or evicted (condition DisruptionTarget) is not
      // the job's fault: it does not count towards backoffLimit (batch/v1 podFailurePolicy,
      // beta and on by default since Kubernetes 1.26; needs restartPolicy Never).
      ...(restartPolicy === 'Never' ? { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } } : {}),
    };
    if (props.schedule) {
      const schedule = props.schedule;
      validateCron(this, schedule.cron);
      const timeZone = schedule.timeZone ?? 'Etc/UTC';
      if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(timeZone)) {
        throw new InvalidPropError(this, 'schedule.timeZone', timeZone, "must be an IANA time zone such as 'Etc/UTC' or 'America/Los_Angeles'");
      }
      const history = wholeNumber(this, 'schedule.historyLimit', schedule.historyLimit ?? 3, 0, 20);
      this.kind = 'CronJob';
      this.resource = new k8s.KubeCronJob(this, 'Resource', {
        metadata: { name: this.jobName, labels },
        spec: {
          schedule: schedule.cron,
          timeZone,
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: wholeNumber(this, 'schedule.startingDeadlineSeconds', schedule.startingDeadlineSeconds ?? 600, 10, 86400),
          successfulJobsHistoryLimit: history,
          failedJobsHistoryLimit: history,
          jobTemplate: { metadata: { labels }, spec: jobSpec },
        },
      });
    } else {
      this.kind = 'Job';
      this.resource = new k8s.KubeJob(this, 'Resource', { metadata: { name: this.jobName, labels }, spec: jobSpec });
    }
  }

  /** Parallel pods x GPUs per pod (a CronJob never overlaps runs: concurrencyPolicy Forbid). */
  public gpuQuotaNeed(): GpuQuotaNeed {
    return { gpus: this.maxGpus, reason: `${this.gpusPerPod} GPU x ${this.maxPods} parallel pod(s)` };
  }
}

function wholeNumber(scope: Construct, prop: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPropError(scope, prop, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function validateCron(scope: Construct, cron: string): void {
  if (typeof cron === 'string' && CRON_MACROS.includes(cron)) return;
  const fields = typeof cron === 'string' ? cron.trim().split(/\s+/) : [];
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f)) || /TZ=/.test(cron)) {
    throw new InvalidPropError(scope, 'schedule.cron', cron,
      `must be a 5-field cron expression such as '0 2 * * *' or one of ${CRON_MACROS.join(', ')} (set the zone with schedule.timeZone, not TZ=)`);
  }
}
