import { ApiObject, Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, NodeLabels, WorkloadIdentity, recommendedLabels, selectorLabels } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { ComputeResources, renderResources } from './resources.js';

/** A port a workload serves. */
export interface WorkloadPort {
  /** Port name (IANA_SVC_NAME: at most 15 characters, lowercase). */
  readonly name: string;
  /** The container port. */
  readonly containerPort: number;
  /**
   * The Service port.
   * @default - same as the container port
   */
  readonly servicePort?: number;
  /**
   * Whether this port is exposed through the Service and admitted by network rules.
   * @default true
   */
  readonly exposed?: boolean;
}

/** An environment variable taken from a key of a Secret (typically written by an ExternalSecret). */
export interface SecretEnvVar {
  /** The environment variable name. */
  readonly name: string;
  /** The Secret's name. */
  readonly secretName: string;
  /** The key within the Secret. */
  readonly key: string;
}

/** A writable scratch directory backed by an emptyDir. */
export interface ScratchVolume {
  /** Volume name. */
  readonly name: string;
  /** Where it is mounted. */
  readonly mountPath: string;
  /**
   * Size limit of the emptyDir.
   * @default '1Gi'
   */
  readonly sizeLimit?: string;
  /**
   * Back the emptyDir with RAM (`medium: Memory`), e.g. for `/dev/shm`.
   * @default false
   */
  readonly memory?: boolean;
}

/** A PersistentVolumeClaim mounted into the pod (a StatefulSet volumeClaimTemplate, or a standalone claim). */
export interface PersistentVolume {
  /** Volume name. */
  readonly name: string;
  /** Where it is mounted. */
  readonly mountPath: string;
  /** Requested size, e.g. `50Gi`. */
  readonly size: string;
  /**
   * Storage class.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** A directory on the node's local NVMe disk (e.g. a model cache that survives pod restarts). */
export interface HostCacheVolume {
  /** Volume name. */
  readonly name: string;
  /** Where it is mounted in the container. */
  readonly mountPath: string;
  /** Absolute path on the node. */
  readonly hostPath: string;
}

/** Where a workload's pods may run. */
export interface WorkloadScheduling {
  /**
   * Node labels a node must carry.
   * @default {}
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Tolerations.
   * @default []
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * PriorityClass name.
   * @default - none (priority 0)
   */
  readonly priorityClassName?: string;
}

/** The kind of controller a {@link Workload} renders. */
export enum WorkloadKind {
  /** A stateless Deployment. */
  DEPLOYMENT = 'Deployment',
  /** A StatefulSet with a headless Service and volumeClaimTemplates. */
  STATEFUL_SET = 'StatefulSet',
}

/** Props of {@link Workload}, the shared base of every served workload. */
export interface WorkloadProps {
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
   * Fixed replica count. Ignored (and not rendered) once an autoscaler targets the workload.
   * @default 2
   */
  readonly replicas?: number;
  /** Ports the container listens on. */
  readonly ports: WorkloadPort[];
  /** CPU, memory, ephemeral storage and GPUs of the main container. */
  readonly resources: ComputeResources;
  /**
   * Container command (entrypoint).
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Container arguments.
   * @default []
   */
  readonly args?: string[];
  /**
   * Literal environment variables. Never put credentials here: use `secretEnv`.
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from Secret keys.
   * @default []
   */
  readonly secretEnv?: SecretEnvVar[];
  /** Startup probe (sized for slow starts). */
  readonly startupProbe?: k8s.Probe;
  /** Readiness probe. */
  readonly readinessProbe: k8s.Probe;
  /**
   * Liveness probe.
   * @default - none
   */
  readonly livenessProbe?: k8s.Probe;
  /**
   * Writable emptyDir volumes (the root filesystem is read-only). `/tmp` is always added.
   * @default []
   */
  readonly scratchVolumes?: ScratchVolume[];
  /**
   * Persistent volumes; for a StatefulSet they become volumeClaimTemplates.
   * @default []
   */
  readonly persistentVolumes?: PersistentVolume[];
  /**
   * Node-local cache directories (hostPath, type DirectoryOrCreate).
   * @default []
   */
  readonly hostCacheVolumes?: HostCacheVolume[];
  /**
   * Scheduling constraints.
   * @default - none
   */
  readonly scheduling?: WorkloadScheduling;
  /**
   * UID/GID the container runs as (the pod is always non-root).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Extra annotations on the pod template (e.g. Prometheus scrape hints).
   * @default {}
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Seconds a terminating pod gets to drain requests.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
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
export class Workload extends Construct implements IWorkload {
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
  private readonly fixedReplicas: number;
  private autoscaling?: AutoscalingBinding;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    this.workloadName = validateDnsLabel(this, 'name', props.name ?? id, 52);
    this.namespace = Workload.namespaceOf(this);
    validateImage(this, props.image);
    const identity: WorkloadIdentity = {
      name: this.workloadName,
      instance: `${this.workloadName}-${this.namespace}`.slice(0, 63).replace(/-+$/, ''),
      component: props.component,
      partOf: props.partOf ?? this.namespace,
    };
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
    const podTemplate = buildPodTemplate(this, { ...props, name: this.workloadName }, this.labels);
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
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: podTemplate,
          volumeClaimTemplates: (props.persistentVolumes ?? []).map((v) => ({
            metadata: { name: v.name, labels: this.labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
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
            accessModes: ['ReadWriteOnce'],
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
          ports: this.exposedPorts.map((p) => ({
            name: p.name,
            port: p.servicePort ?? p.containerPort,
            targetPort: k8s.IntOrString.fromString(p.name),
            protocol: 'TCP',
          })),
        },
      });
    }
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
    this.autoscaling = binding;
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

/** The hardened (Pod Security "restricted") container security context. */
export function restrictedContainerSecurityContext(uid: number): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Builds the hardened pod template shared by Deployments, StatefulSets and Jobs. */
export function buildPodTemplate(scope: IConstruct, props: WorkloadProps & { restartPolicy?: string }, labels: Record<string, string>): k8s.PodTemplateSpec {
  const uid = props.runAsUser ?? 1000;
  if (!Number.isInteger(uid) || uid < 1) throw new InvalidPropError(scope, 'runAsUser', uid, 'must be a non-zero UID (pods never run as root)');
  const scratch: ScratchVolume[] = [{ name: 'tmp', mountPath: '/tmp', sizeLimit: '1Gi' }, ...(props.scratchVolumes ?? [])];
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  const seen = new Set<string>();
  const addVolume = (name: string, volume: Omit<k8s.Volume, 'name'>, mount: Omit<k8s.VolumeMount, 'name'>, prop: string, persistent = false) => {
    if (seen.has(name)) throw new InvalidPropError(scope, prop, name, 'volume names must be unique (tmp is reserved)');
    seen.add(name);
    if (!persistent) volumes.push({ name, ...volume });
    mounts.push({ name, ...mount });
  };
  scratch.forEach((v, i) => addVolume(v.name, {
    emptyDir: { ...(v.memory ? { medium: 'Memory' } : {}), sizeLimit: k8s.Quantity.fromString(v.sizeLimit ?? '1Gi') },
  }, { mountPath: v.mountPath }, `scratchVolumes[${i}]`));
  const isStateful = props.kind === WorkloadKind.STATEFUL_SET;
  (props.persistentVolumes ?? []).forEach((v, i) => {
    const claimName = `${props.name}-${v.name}`;
    addVolume(v.name, { persistentVolumeClaim: { claimName, readOnly: v.readOnly ?? false } },
      { mountPath: v.mountPath, readOnly: v.readOnly ?? false }, `persistentVolumes[${i}]`, isStateful);
  });
  (props.hostCacheVolumes ?? []).forEach((v, i) => {
    if (!v.hostPath.startsWith('/')) throw new InvalidPropError(scope, `hostCacheVolumes[${i}].hostPath`, v.hostPath, 'must be an absolute path');
    addVolume(v.name, { hostPath: { path: v.hostPath, type: 'DirectoryOrCreate' } }, { mountPath: v.mountPath }, `hostCacheVolumes[${i}]`);
  });
  const env: k8s.EnvVar[] = Object.entries(props.env ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value }));
  for (const secret of props.secretEnv ?? []) {
    env.push({ name: secret.name, valueFrom: { secretKeyRef: { name: secret.secretName, key: secret.key } } });
  }
  const scheduling = props.scheduling ?? {};
  const container: k8s.Container = {
    name: 'main',
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    ...(props.command ? { command: props.command } : {}),
    ...(props.args && props.args.length > 0 ? { args: props.args } : {}),
    ...(env.length > 0 ? { env } : {}),
    ports: props.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
    resources: renderResources(scope, 'resources', props.resources),
    ...(props.startupProbe ? { startupProbe: props.startupProbe } : {}),
    readinessProbe: props.readinessProbe,
    ...(props.livenessProbe ? { livenessProbe: props.livenessProbe } : {}),
    securityContext: restrictedContainerSecurityContext(uid),
    volumeMounts: mounts,
  };
  const name = (labels[LabelKeys.name]);
  const multiReplica = (props.replicas ?? 2) > 1 || props.restartPolicy === undefined;
  return {
    metadata: { labels, ...(props.podAnnotations && Object.keys(props.podAnnotations).length > 0 ? { annotations: props.podAnnotations } : {}) },
    spec: {
      ...(props.restartPolicy ? { restartPolicy: props.restartPolicy } : {}),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(scheduling.priorityClassName ? { priorityClassName: scheduling.priorityClassName } : {}),
      ...(scheduling.nodeSelector && Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: scheduling.nodeSelector } : {}),
      ...(scheduling.tolerations && scheduling.tolerations.length > 0 ? { tolerations: scheduling.tolerations } : {}),
      ...(multiReplica && props.restartPolicy === undefined ? {
        topologySpreadConstraints: [{
          maxSkew: 1,
          topologyKey: NodeLabels.hostname,
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { [LabelKeys.name]: name, [LabelKeys.instance]: labels[LabelKeys.instance] } },
        }],
      } : {}),
      containers: [container],
      volumes,
    },
  };
}
