import { Construct } from 'constructs';
import { InvalidPropError, pathOfChild } from '../core/errors.js';
import { validateDnsSubdomain } from '../core/names.js';
import { ScratchVolume, WorkloadPort } from './pod-template.js';
import { renderProbe, startupProbe } from './probes.js';
import { ResourceRange } from './resources.js';
import { ServedWorkloadOptions, Workload } from './workload.js';

/** CPU, memory and ephemeral storage of a CPU service container (no GPUs). */
export interface CpuResources {
  /**
   * CPU.
   * @default - the service's default (see each construct)
   */
  readonly cpu?: ResourceRange;
  /**
   * Memory.
   * @default - the service's default (see each construct)
   */
  readonly memory?: ResourceRange;
  /**
   * Ephemeral storage.
   * @default { request: '1Gi', limit: '4Gi' }
   */
  readonly ephemeralStorage?: ResourceRange;
}

/** Props every CPU service shares. */
export interface CpuServiceOptions extends ServedWorkloadOptions {
  /**
   * Container resources.
   * @default - the service's default
   */
  readonly resources?: CpuResources;
  /**
   * PriorityClass of the pods.
   * @default - none (priority 0)
   */
  readonly priorityClassName?: string;
}

/** Props of {@link ServiceWorkload}. */
export interface ServiceWorkloadProps extends CpuServiceOptions {
  /** Image with a pinned tag or digest. */
  readonly image: string;
  /**
   * The `app.kubernetes.io/component` label.
   * @default 'service'
   */
  readonly component?: string;
  /**
   * Ports; the first one is probed.
   * @default [{ name: 'http', containerPort: 8080 }]
   */
  readonly ports?: WorkloadPort[];
  /**
   * HTTP path that answers 200 when the service is ready (and alive).
   * @default - a TCP connect probe on the first port
   */
  readonly healthPath?: string;
  /**
   * Seconds the startup probe allows before liveness checks begin.
   * @default 120
   */
  readonly startupBudgetSeconds?: number;
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
   * Extra writable emptyDir volumes (`/tmp` is always there).
   * @default []
   */
  readonly scratchVolumes?: ScratchVolume[];
  /**
   * UID/GID of the container.
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Pod annotations.
   * @default {}
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Service session affinity.
   * @default 'None'
   */
  readonly sessionAffinity?: 'None' | 'ClientIP';
}

/** Default CPU service resources: 250m CPU (burst to 1), 256Mi memory. */
export const DEFAULT_CPU_SERVICE_RESOURCES = { cpu: { request: '250m', limit: '1' }, memory: { request: '256Mi' } } as const;

/**
 * A generic CPU service: a Deployment (spread across nodes) and a ClusterIP Service, with
 * startup, readiness and liveness probes on the first port (HTTP when `healthPath` is set, TCP
 * otherwise), on the hardened pod template. GPUs are not available here: use
 * {@link GpuInferenceService}.
 */
export class ServiceWorkload extends Workload {
  /** The in-cluster base URL of the first port, e.g. `http://api.tools.svc.cluster.local:8080`. */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: ServiceWorkloadProps) {
    const path = pathOfChild(scope, id);
    const ports = props.ports ?? [{ name: 'http', containerPort: 8080 }];
    if (ports.length === 0) throw new InvalidPropError(path, 'ports', ports, 'must list at least one port (the first one is probed)');
    if (props.healthPath !== undefined && (typeof props.healthPath !== 'string' || !props.healthPath.startsWith('/'))) {
      throw new InvalidPropError(path, 'healthPath', props.healthPath, "must be an absolute HTTP path such as '/healthz'");
    }
    if ((props.resources as { gpus?: unknown } | undefined)?.gpus !== undefined) {
      throw new InvalidPropError(path, 'resources.gpus', (props.resources as { gpus?: unknown }).gpus, 'is not available on CPU services; use GpuInferenceService');
    }
    if (props.priorityClassName !== undefined) validateDnsSubdomain(path, 'priorityClassName', props.priorityClassName);
    const budget = props.startupBudgetSeconds ?? 120;
    if (!Number.isInteger(budget) || budget < 10 || budget > 3600) {
      throw new InvalidPropError(path, 'startupBudgetSeconds', budget, 'must be a whole number of seconds from 10 to 3600');
    }
    const check = { port: ports[0].name, ...(props.healthPath ? { path: props.healthPath } : {}) };
    super(scope, id, {
      name: props.name,
      image: props.image,
      component: props.component ?? 'service',
      partOf: props.partOf,
      replicas: props.replicas ?? 2,
      ports,
      resources: {
        cpu: props.resources?.cpu ?? DEFAULT_CPU_SERVICE_RESOURCES.cpu,
        memory: props.resources?.memory ?? DEFAULT_CPU_SERVICE_RESOURCES.memory,
        ...(props.resources?.ephemeralStorage ? { ephemeralStorage: props.resources.ephemeralStorage } : {}),
      },
      command: props.command,
      args: props.args,
      env: props.env,
      secretEnv: props.secretEnv,
      startupProbe: startupProbe(check, budget, 5),
      readinessProbe: renderProbe(check, { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 }),
      livenessProbe: renderProbe(check, { periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 5 }),
      scratchVolumes: props.scratchVolumes,
      runAsUser: props.runAsUser,
      podAnnotations: props.podAnnotations,
      sessionAffinity: props.sessionAffinity,
      scheduling: props.priorityClassName ? { priorityClassName: props.priorityClassName } : undefined,
      disruptionBudget: props.disruptionBudget,
    });
    this.endpoint = `http://${this.workloadName}.${this.namespace}.svc.cluster.local:${ports[0].servicePort ?? ports[0].containerPort}`;
  }
}
