import { ApiObject, Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { DisruptionBudgetOptions, PodDisruptionBudget } from '../availability/pod-disruption-budget.js';
import { InvalidPropError } from '../core/errors.js';
import { recommendedLabels, selectorLabels, workloadIdentity } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { PodSpecProps, SecretEnvVar, WorkloadPort, buildPodTemplate } from './pod-template.js';
import { ComputeResources } from './resources.js';

export type {
  HostCacheVolume, PersistentVolume, PodSpecProps, PodTemplateProps, RestartPolicy, ScratchVolume, SecretEnvVar, WorkloadPort, WorkloadScheduling,
} from './pod-template.js';
export { buildPodTemplate, restrictedContainerSecurityContext } from './pod-template.js';

/** The kind of controller a {@link Workload} renders. */
export enum WorkloadKind {
  /** A stateless Deployment. */
  DEPLOYMENT = 'Deployment',
  /** A StatefulSet with a headless Service and volumeClaimTemplates. */
  STATEFUL_SET = 'StatefulSet',
}

/** Options every served workload construct (GPU or CPU) takes. */
export interface ServedWorkloadOptions {
  /**
   * `metadata.name` of the controller and Service.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Fixed replicas; ignored (and not rendered) once an autoscaler is bound.
   * @default - 2 for CPU services, 1 for GPU services
   */
  readonly replicas?: number;
  /**
   * Literal environment variables (never credentials: use `secretEnv`).
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from Secret keys (e.g. `HF_TOKEN` written by an ExternalSecret).
   * @default []
   */
  readonly secretEnv?: SecretEnvVar[];
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - the namespace
   */
  readonly partOf?: string;
  /**
   * PodDisruptionBudget settings (used while more than one replica can run).
   * @default { maxUnavailable: 1 }
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
}

/** Props of {@link Workload}, the shared base of every served workload. */
export interface WorkloadProps extends PodSpecProps {
  /**
   * `metadata.name` of the controller, Service and related objects, and the `app.kubernetes.io/name` label.
   * @default - the construct id
   */
  readonly name?: string;
  /** Container image with a pinned tag or digest, never `latest`. */
  readonly image: string;
  /** The component label, e.g. `inference`, `gateway`, `mcp-server`. */
  readonly component: string;
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - the namespace
   */
  readonly partOf?: string;
  /**
   * Controller kind.
   * @default WorkloadKind.DEPLOYMENT
   */
  readonly kind?: WorkloadKind;
  /**
   * StatefulSet only: what happens to a replica's claims when the replica is removed by a
   * scale-down (`whenScaled`) or the StatefulSet is deleted (`whenDeleted`). `Delete` suits
   * caches on node-local volumes, which would otherwise pin the next replica of that ordinal to
   * the node; `Retain` keeps data.
   * @default 'Retain'
   */
  readonly claimRetention?: 'Retain' | 'Delete';
  /**
   * Fixed replica count. Ignored (and not rendered) once an autoscaler targets the workload.
   * @default 2
   */
  readonly replicas?: number;
  /** Ports the container listens on. */
  readonly ports: WorkloadPort[];
  /** Readiness probe. */
  readonly readinessProbe: k8s.Probe;
  /**
   * Service session affinity; `ClientIP` pins each client to one pod (for servers that keep
   * per-session state in memory).
   * @default 'None'
   */
  readonly sessionAffinity?: 'None' | 'ClientIP';
  /**
   * The PodDisruptionBudget created while the workload can run more than one replica (fixed
   * replicas > 1, or an autoscaler with max > 1). It never blocks all evictions.
   * @default { maxUnavailable: 1 }
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * Spread replicas across nodes with a soft topology spread constraint.
   * @default true
   */
  readonly spreadAcrossNodes?: boolean;
}

/** What an autoscaler tells its target. */
export interface AutoscalingBinding {
  /** Construct path of the autoscaler, for error messages. */
  readonly autoscalerPath: string;
  /** Kind of autoscaler (`HorizontalPodAutoscaler` or `ScaledObject`). */
  readonly kind: string;
  /** Minimum replicas. */
  readonly minReplicas: number;
  /** Maximum replicas. */
  readonly maxReplicas: number;
}

/** Construct id of the PodDisruptionBudget child a {@link Workload} keeps while it can run more than one replica. */
export const DISRUPTION_BUDGET_ID = 'DisruptionBudget';

/** Anything network rules, disruption budgets and autoscalers can target. */
export interface IWorkload extends IConstruct {
  /** `metadata.name` of the controller. */
  readonly workloadName: string;
  /** Namespace. */
  readonly namespace: string;
  /** apiVersion of the controller. */
  readonly apiVersion: string;
  /** Kind of the controller. */
  readonly kind: string;
  /** The pod selector labels (stable, path-independent). */
  readonly selector: Record<string, string>;
  /** Ports that are exposed. */
  readonly exposedPorts: WorkloadPort[];
  /** The highest number of pods the workload may run. */
  readonly maxReplicas: number;
  /** The lowest number of pods the workload runs. */
  readonly minReplicas: number;
}

/** A workload an autoscaler can bind to (see {@link Workload.bindAutoscaler}). */
export interface IScalableWorkload extends IWorkload {
  /** Binds an autoscaler; throws when one is already bound. */
  bindAutoscaler(binding: AutoscalingBinding): void;
}

/**
 * Construct id of the child that holds a workload's ingress NetworkPolicy; the network rules
 * create it, and a workload with exposed ports fails validation without it.
 */
export const INGRESS_POLICY_ID = 'IngressPolicy';

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The shared base of served workloads: a Deployment or StatefulSet with a hardened pod template,
 * and a Service. Selector labels are `app.kubernetes.io/name` + `instance` only.
 */
export class Workload extends Construct implements IScalableWorkload {
  /** Returns the namespace of the Chart (normally a Tenant) that contains `scope`. */
  public static namespaceOf(scope: IConstruct): string {
    const namespace = Chart.of(scope).namespace;
    if (!namespace) {
      throw new InvalidPropError(scope, 'scope', Chart.of(scope).node.path,
        'workloads must be created inside a Tenant (or a Chart with a namespace)');
    }
    return namespace;
  }

  public readonly workloadName: string;
  public readonly namespace: string;
  public readonly apiVersion: string;
  public readonly kind: string;
  public readonly selector: Record<string, string>;
  public readonly labels: Record<string, string>;
  public readonly exposedPorts: WorkloadPort[];
  /** The controller (Deployment or StatefulSet). */
  public readonly controller: ApiObject;
  /** The ClusterIP Service in front of the pods (undefined when no port is exposed). */
  public readonly service?: k8s.KubeService;
  /** The headless Service that gives StatefulSet pods stable DNS names. */
  public readonly headlessService?: k8s.KubeService;
  /** Resources of the main container (for capacity planning). */
  public readonly computeResources: ComputeResources;
  private readonly fixedReplicas: number;
  private readonly disruptionBudgetOptions: DisruptionBudgetOptions;
  private autoscaling?: AutoscalingBinding;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    this.workloadName = validateDnsLabel(this, 'name', props.name ?? id, 52);
    this.namespace = Workload.namespaceOf(this);
    validateImage(this, props.image);
    const identity = workloadIdentity(this.workloadName, this.namespace, props.component, props.partOf);
    this.selector = selectorLabels(identity);
    this.labels = recommendedLabels(identity);
    this.fixedReplicas = props.replicas ?? 2;
    if (!Number.isInteger(this.fixedReplicas) || this.fixedReplicas < 1 || this.fixedReplicas > 1000) {
      throw new InvalidPropError(this, 'replicas', props.replicas, 'must be a whole number from 1 to 1000');
    }
    validatePorts(this, props.ports);
    this.exposedPorts = props.ports.filter((p) => p.exposed !== false);

    const kind = props.kind ?? WorkloadKind.DEPLOYMENT;
    this.kind = kind;
    this.apiVersion = 'apps/v1';
    this.computeResources = props.resources;
    const podTemplate = buildPodTemplate(this, {
      ...props,
      name: this.workloadName,
      claimsFromTemplates: kind === WorkloadKind.STATEFUL_SET,
      spreadAcrossNodes: props.spreadAcrossNodes ?? true,
    }, this.labels);
    const metadata = { name: this.workloadName, labels: this.labels };

    if (kind === WorkloadKind.STATEFUL_SET) {
      this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
        metadata: { name: `${this.workloadName}-headless`, labels: this.labels },
        spec: {
          clusterIp: 'None',
          selector: this.selector,
          publishNotReadyAddresses: true,
          ports: props.ports.map((p) => ({ name: p.name, port: p.containerPort, targetPort: k8s.IntOrString.fromString(p.name) })),
        },
      });
      this.controller = new k8s.KubeStatefulSet(this, 'Resource', {
        metadata,
        spec: {
          serviceName: `${this.workloadName}-headless`,
          replicas: Lazy.any({ produce: () => this.renderedReplicas() }) as unknown as number,
          selector: { matchLabels: this.selector },
          podManagementPolicy: 'Parallel',
          updateStrategy: { type: 'RollingUpdate' },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: props.claimRetention ?? 'Retain', whenScaled: props.claimRetention ?? 'Retain' },
          template: podTemplate,
          volumeClaimTemplates: (props.persistentVolumes ?? []).map((v) => ({
            metadata: { name: v.name, labels: this.labels },
            spec: {
              accessModes: [v.accessMode ?? 'ReadWriteOnce'],
              ...(v.storageClassName ? { storageClassName: v.storageClassName } : {}),
              resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
            },
          })),
        },
      });
    } else {
      for (const volume of props.persistentVolumes ?? []) {
        new k8s.KubePersistentVolumeClaim(this, `Claim-${volume.name}`, {
          metadata: { name: `${this.workloadName}-${volume.name}`, labels: this.labels },
          spec: {
            accessModes: [volume.accessMode ?? 'ReadWriteOnce'],
            ...(volume.storageClassName ? { storageClassName: volume.storageClassName } : {}),
            resources: { requests: { storage: k8s.Quantity.fromString(volume.size) } },
          },
        });
      }
      this.controller = new k8s.KubeDeployment(this, 'Resource', {
        metadata,
        spec: {
          replicas: Lazy.any({ produce: () => this.renderedReplicas() }) as unknown as number,
          revisionHistoryLimit: 5,
          selector: { matchLabels: this.selector },
          strategy: (props.persistentVolumes ?? []).length > 0
            ? { type: 'Recreate' }
            : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
          template: podTemplate,
        },
      });
    }
    if (this.exposedPorts.length > 0) {
      this.service = new k8s.KubeService(this, 'Service', {
        metadata: { name: this.workloadName, labels: this.labels },
        spec: {
          type: 'ClusterIP',
          selector: this.selector,
          ...(props.sessionAffinity === 'ClientIP' ? { sessionAffinity: 'ClientIP' } : {}),
          ports: this.exposedPorts.map((p) => ({
            name: p.name,
            port: p.servicePort ?? p.containerPort,
            targetPort: k8s.IntOrString.fromString(p.name),
            protocol: 'TCP',
          })),
        },
      });
    }
    if (props.sessionAffinity !== undefined && props.sessionAffinity !== 'None' && props.sessionAffinity !== 'ClientIP') {
      throw new InvalidPropError(this, 'sessionAffinity', props.sessionAffinity, "must be 'None' or 'ClientIP'");
    }
    this.disruptionBudgetOptions = props.disruptionBudget ?? {};
    this.syncDisruptionBudget();
    this.node.addValidation({
      validate: () => (this.exposedPorts.length > 0 && !this.node.tryFindChild(INGRESS_POLICY_ID)
        ? [`${this.kind} '${this.namespace}/${this.workloadName}' serves ports ${this.exposedPorts.map((p) => p.name).join(', ')} but no network rule admits traffic to it under the namespace's default deny; allow its clients with the network rules (e.g. allowIngress)`]
        : []),
    });
  }

  /** The highest number of pods (autoscaler max, else the fixed replicas). */
  public get maxReplicas(): number {
    return this.autoscaling?.maxReplicas ?? this.fixedReplicas;
  }

  /** The lowest number of pods (autoscaler min, else the fixed replicas). */
  public get minReplicas(): number {
    return this.autoscaling?.minReplicas ?? this.fixedReplicas;
  }

  /**
   * Extra pods a rolling update runs at once on top of the replicas: the Deployment's maxSurge
   * (1), or 0 for a StatefulSet (one pod at a time, replaced in place) and a Recreate Deployment.
   */
  public get rollingSurge(): number {
    const spec = (this.controller.toJson() as { spec?: { strategy?: { type?: string; rollingUpdate?: { maxSurge?: unknown } } } }).spec;
    if (this.kind !== 'Deployment' || spec?.strategy?.type !== 'RollingUpdate') return 0;
    const surge = spec.strategy.rollingUpdate?.maxSurge;
    return typeof surge === 'number' ? surge : 1;
  }

  /** The autoscaler bound to this workload, if any. */
  public get autoscaler(): AutoscalingBinding | undefined {
    return this.autoscaling;
  }

  /**
   * Binds an autoscaler. A workload takes at most one (an HPA and a KEDA ScaledObject on the
   * same target fight each other), and an autoscaled workload renders no fixed `replicas`.
   */
  public bindAutoscaler(binding: AutoscalingBinding): void {
    if (this.autoscaling) {
      throw new InvalidPropError(binding.autoscalerPath, 'target', this.node.path,
        `is already scaled by ${this.autoscaling.kind} ${this.autoscaling.autoscalerPath}; a workload takes one autoscaler (never an HPA and a ScaledObject together)`);
    }
    if (!Number.isInteger(binding.minReplicas) || !Number.isInteger(binding.maxReplicas) || binding.minReplicas < 0
      || binding.maxReplicas < 1 || binding.minReplicas > binding.maxReplicas) {
      throw new InvalidPropError(binding.autoscalerPath, 'minReplicas', binding.minReplicas,
        `must be a whole number from 0 to maxReplicas (${binding.maxReplicas}), and maxReplicas at least 1`);
    }
    this.autoscaling = binding;
    this.syncDisruptionBudget();
  }

  /** The PodDisruptionBudget, present while the workload can run more than one replica. */
  public get disruptionBudget(): PodDisruptionBudget | undefined {
    return this.node.tryFindChild(DISRUPTION_BUDGET_ID) as PodDisruptionBudget | undefined;
  }

  /** Keeps exactly one PodDisruptionBudget while more than one replica can run, none otherwise. */
  private syncDisruptionBudget(): void {
    const wanted = this.maxReplicas > 1;
    const existing = this.disruptionBudget;
    if (wanted && !existing) {
      new PodDisruptionBudget(this, DISRUPTION_BUDGET_ID, { target: this, labels: this.labels, ...this.disruptionBudgetOptions });
    } else if (!wanted && existing) {
      this.node.tryRemoveChild(DISRUPTION_BUDGET_ID);
    }
  }

  private renderedReplicas(): number | undefined {
    return this.autoscaling ? undefined : this.fixedReplicas;
  }
}

/** Rejects images without a pinned tag or digest, or tagged `latest`. */
export function validateImage(scope: IConstruct, image: string, prop = 'image'): void {
  if (typeof image !== 'string' || image.length === 0 || /\s/.test(image)) {
    throw new InvalidPropError(scope, prop, image, 'must be an image reference such as vllm/vllm-openai:v0.6.4');
  }
  if (image.includes('@sha256:')) return;
  const lastSegment = image.split('/').pop() ?? '';
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  if (!tag) throw new InvalidPropError(scope, prop, image, 'must pin a tag or digest (e.g. :v0.6.4 or @sha256:...)');
  if (tag === 'latest') throw new InvalidPropError(scope, prop, image, "must not use the mutable 'latest' tag; pin a version");
}

function validatePorts(scope: IConstruct, ports: WorkloadPort[]): void {
  const names = new Set<string>();
  ports.forEach((port, i) => {
    if (!PORT_NAME.test(port.name) || port.name.length > 15 || !/[a-z]/.test(port.name)) {
      throw new InvalidPropError(scope, `ports[${i}].name`, port.name, 'must be a lowercase IANA service name of at most 15 characters');
    }
    if (names.has(port.name)) throw new InvalidPropError(scope, `ports[${i}].name`, port.name, 'must be unique');
    names.add(port.name);
    for (const [field, value] of [['containerPort', port.containerPort], ['servicePort', port.servicePort]] as const) {
      if (value === undefined && field === 'servicePort') continue;
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) {
        throw new InvalidPropError(scope, `ports[${i}].${field}`, value, 'must be a port number from 1 to 65535');
      }
    }
  });
}
