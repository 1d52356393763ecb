import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, NodeLabels } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { isQuantity, parseQuantity } from '../core/quantity.js';
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
   * Back the emptyDir with RAM (`medium: Memory`), e.g. for `/dev/shm`. RAM-backed volumes count
   * against the container's memory limit.
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
  /**
   * Access mode of the claim. `ReadWriteMany` needs a shared filesystem (e.g. a Lambda persistent
   * filesystem through an NFS/CSI driver).
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod';
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
  /**
   * RuntimeClass of the pod (e.g. `nvidia` when containerd's default runtime is not the NVIDIA one).
   * @default - the node's default runtime
   */
  readonly runtimeClassName?: string;
}

/** The restart policy of a pod template. */
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** The container and pod settings every workload kind shares (served workloads, Jobs, CronJobs). */
export interface PodSpecProps {
  /** Container image with a pinned tag or digest, never `latest`. */
  readonly image: string;
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
  /**
   * Startup probe (sized for slow starts).
   * @default - none
   */
  readonly startupProbe?: k8s.Probe;
  /**
   * Readiness probe.
   * @default - none
   */
  readonly readinessProbe?: k8s.Probe;
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
   * Persistent volumes; a StatefulSet turns them into volumeClaimTemplates, other kinds get a
   * standalone PersistentVolumeClaim named `<name>-<volume>`.
   * @default []
   */
  readonly persistentVolumes?: PersistentVolume[];
  /**
   * Node-local cache directories (hostPath, type DirectoryOrCreate). Pod Security `baseline` and
   * `restricted` namespaces reject hostPath volumes.
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

/** What the hardened pod template is built from (shared by Deployments, StatefulSets, Jobs and CronJobs). */
export interface PodTemplateProps extends PodSpecProps {
  /** The workload's `metadata.name`; standalone claims are named `<name>-<volume>`. */
  readonly name: string;
  /**
   * Ports the container listens on.
   * @default []
   */
  readonly ports?: WorkloadPort[];
  /**
   * Whether persistent volumes come from StatefulSet volumeClaimTemplates (mounted by name, no
   * pod volume) rather than standalone claims named `<name>-<volume>`.
   * @default false
   */
  readonly claimsFromTemplates?: boolean;
  /**
   * Pod restart policy; Deployments and StatefulSets leave it unset (`Always`), Jobs need
   * `OnFailure` or `Never`.
   * @default - unset
   */
  readonly restartPolicy?: RestartPolicy;
  /**
   * Spread the pods across nodes (a soft `topologySpreadConstraint` on the hostname).
   * @default false
   */
  readonly spreadAcrossNodes?: boolean;
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

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Builds the hardened pod template shared by Deployments, StatefulSets, Jobs and CronJobs:
 * non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only
 * root filesystem with writable emptyDir scratch volumes (`/tmp` always), no service-account token.
 */
export function buildPodTemplate(scope: IConstruct, props: PodTemplateProps, labels: Record<string, string>): k8s.PodTemplateSpec {
  const uid = props.runAsUser ?? 1000;
  if (!Number.isInteger(uid) || uid < 1) throw new InvalidPropError(scope, 'runAsUser', uid, 'must be a non-zero UID (pods never run as root)');
  const grace = props.terminationGracePeriodSeconds ?? 30;
  if (!Number.isInteger(grace) || grace < 0) {
    throw new InvalidPropError(scope, 'terminationGracePeriodSeconds', grace, 'must be a whole number of seconds, 0 or more');
  }
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  const names = new Set<string>();
  const paths = new Set<string>();
  const addVolume = (prop: string, name: string, mountPath: string, volume: Omit<k8s.Volume, 'name'> | undefined, readOnly = false) => {
    validateDnsLabel(scope, `${prop}.name`, name);
    if (names.has(name)) throw new InvalidPropError(scope, `${prop}.name`, name, 'volume names must be unique (tmp is reserved)');
    if (typeof mountPath !== 'string' || !mountPath.startsWith('/')) {
      throw new InvalidPropError(scope, `${prop}.mountPath`, mountPath, 'must be an absolute path');
    }
    if (paths.has(mountPath)) throw new InvalidPropError(scope, `${prop}.mountPath`, mountPath, 'each volume needs its own mount path');
    names.add(name);
    paths.add(mountPath);
    if (volume) volumes.push({ name, ...volume });
    mounts.push({ name, mountPath, ...(readOnly ? { readOnly: true } : {}) });
  };
  const scratch: ScratchVolume[] = [{ name: 'tmp', mountPath: '/tmp', sizeLimit: '1Gi' }, ...(props.scratchVolumes ?? [])];
  scratch.forEach((v, i) => {
    const prop = i === 0 ? 'tmp' : `scratchVolumes[${i - 1}]`;
    const sizeLimit = v.sizeLimit ?? '1Gi';
    requireQuantity(scope, `${prop}.sizeLimit`, sizeLimit);
    addVolume(prop, v.name, v.mountPath, {
      emptyDir: { ...(v.memory ? { medium: 'Memory' } : {}), sizeLimit: k8s.Quantity.fromString(sizeLimit) },
    });
  });
  (props.persistentVolumes ?? []).forEach((v, i) => {
    const prop = `persistentVolumes[${i}]`;
    requireQuantity(scope, `${prop}.size`, v.size);
    const readOnly = v.readOnly ?? false;
    addVolume(prop, v.name, v.mountPath, props.claimsFromTemplates ? undefined
      : { persistentVolumeClaim: { claimName: `${props.name}-${v.name}`, ...(readOnly ? { readOnly: true } : {}) } }, readOnly);
  });
  (props.hostCacheVolumes ?? []).forEach((v, i) => {
    const prop = `hostCacheVolumes[${i}]`;
    if (typeof v.hostPath !== 'string' || !v.hostPath.startsWith('/')) throw new InvalidPropError(scope, `${prop}.hostPath`, v.hostPath, 'must be an absolute path');
    addVolume(prop, v.name, v.mountPath, { hostPath: { path: v.hostPath, type: 'DirectoryOrCreate' } });
  });

  const env: k8s.EnvVar[] = Object.entries(props.env ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value }));
  for (const secret of props.secretEnv ?? []) {
    env.push({ name: secret.name, valueFrom: { secretKeyRef: { name: secret.secretName, key: secret.key } } });
  }
  const envNames = new Set<string>();
  for (const variable of env) {
    if (!ENV_NAME.test(variable.name)) throw new InvalidPropError(scope, 'env', variable.name, 'environment variable names are letters, digits, _, - and . and do not start with a digit');
    if (envNames.has(variable.name)) throw new InvalidPropError(scope, 'env', variable.name, 'is set twice (in env and secretEnv); set it once');
    envNames.add(variable.name);
  }

  const scheduling = props.scheduling ?? {};
  const ports = props.ports ?? [];
  const container: k8s.Container = {
    name: 'main',
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    ...(props.command ? { command: props.command } : {}),
    ...(props.args && props.args.length > 0 ? { args: props.args } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(ports.length > 0 ? { ports: ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })) } : {}),
    resources: renderResources(scope, 'resources', props.resources),
    ...(props.startupProbe ? { startupProbe: props.startupProbe } : {}),
    ...(props.readinessProbe ? { readinessProbe: props.readinessProbe } : {}),
    ...(props.livenessProbe ? { livenessProbe: props.livenessProbe } : {}),
    securityContext: restrictedContainerSecurityContext(uid),
    volumeMounts: mounts,
  };
  const annotations = props.podAnnotations ?? {};
  return {
    metadata: { labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: {
      ...(props.restartPolicy ? { restartPolicy: props.restartPolicy } : {}),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: grace,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(scheduling.priorityClassName ? { priorityClassName: scheduling.priorityClassName } : {}),
      ...(scheduling.runtimeClassName ? { runtimeClassName: scheduling.runtimeClassName } : {}),
      ...(scheduling.nodeSelector && Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: scheduling.nodeSelector } : {}),
      ...(scheduling.tolerations && scheduling.tolerations.length > 0 ? { tolerations: scheduling.tolerations } : {}),
      ...(props.spreadAcrossNodes ? {
        topologySpreadConstraints: [{
          maxSkew: 1,
          topologyKey: NodeLabels.hostname,
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { [LabelKeys.name]: labels[LabelKeys.name], [LabelKeys.instance]: labels[LabelKeys.instance] } },
        }],
      } : {}),
      containers: [container],
      volumes,
    },
  };
}

/** Throws unless `value` is a positive Kubernetes quantity. */
export function requireQuantity(scope: IConstruct | string, prop: string, value: string): void {
  if (!isQuantity(value) || parseQuantity(value) <= 0) {
    throw new InvalidPropError(scope, prop, value, "must be a positive Kubernetes quantity such as '2Gi' or '500Mi'");
  }
}
