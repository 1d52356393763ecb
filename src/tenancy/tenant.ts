import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError, pathOfChild } from '../core/errors.js';
import { GPU_RESOURCE, LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { isQuantity } from '../core/quantity.js';
import { ManifestDirectory } from '../layout/manifest-directory.js';
import { isGpuQuotaConsumer } from './gpu-quota-need.js';

/** Aggregate limits of a tenant namespace (a ResourceQuota). */
export interface TenantQuota {
  /** Total CPU requests, e.g. `'32'`. */
  readonly requestsCpu: string;
  /** Total memory requests, e.g. `'128Gi'`. */
  readonly requestsMemory: string;
  /**
   * Total CPU limits.
   * @default - equal to `requestsCpu`
   */
  readonly limitsCpu?: string;
  /**
   * Total memory limits.
   * @default - equal to `requestsMemory`
   */
  readonly limitsMemory?: string;
  /**
   * GPUs the namespace may request (`requests.nvidia.com/gpu`). Always rendered, so a namespace
   * without GPUs is quota'd to zero. When given, synth fails if it is below what the tenant's GPU
   * workloads request at their peak (maximum scale plus the pods a rolling update adds), since
   * the quota would reject those pods and stall the rollout.
   * @default - derived: the sum over the tenant's GPU workloads of GPUs per pod x (maximum replicas + rolling-update surge); 0 without GPU workloads
   */
  readonly gpus?: number;
  /**
   * Total requested persistent storage.
   * @default '100Gi'
   */
  readonly requestsStorage?: string;
  /**
   * Maximum number of pods.
   * @default 50
   */
  readonly pods?: number;
}

/** Per-container defaults applied by the namespace's LimitRange. */
export interface ContainerDefaults {
  /** @default '100m' */
  readonly cpuRequest?: string;
  /** @default '500m' */
  readonly cpuLimit?: string;
  /** @default '128Mi' */
  readonly memoryRequest?: string;
  /** @default '512Mi' */
  readonly memoryLimit?: string;
}

/** Props of {@link Tenant}. */
export interface TenantProps {
  /**
   * Namespace name.
   * @default - the construct id
   */
  readonly namespace?: string;
  /** The team that owns the namespace (label `lambda-gitops.dev/team`). */
  readonly team: string;
  /** The namespace's ResourceQuota. */
  readonly quota: TenantQuota;
  /**
   * LimitRange defaults for containers that set no resources.
   * @default - see {@link ContainerDefaults}
   */
  readonly containerDefaults?: ContainerDefaults;
  /**
   * Pod Security Standards level enforced on the namespace.
   * @default 'restricted'
   */
  readonly podSecurity?: 'restricted' | 'baseline';
  /**
   * Extra namespace labels.
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /**
   * Output directory.
   * @default 'apps/<namespace>'
   */
  readonly directory?: string;
}

/**
 * A team namespace: Namespace (with Pod Security labels), ResourceQuota (GPUs included),
 * LimitRange defaults, and a default-deny NetworkPolicy for ingress and egress that still allows
 * DNS to kube-system. Workloads created inside a Tenant land in its namespace and directory.
 */
export class Tenant extends ManifestDirectory {
  /** The namespace name. */
  public readonly namespaceName: string;
  /** The owning team. */
  public readonly team: string;
  private readonly explicitGpuQuota?: number;

  /** The GPU quota: `quota.gpus`, or derived from the tenant's GPU workloads (read after they are added). */
  public get gpuQuota(): number {
    return this.explicitGpuQuota ?? this.gpuNeed().gpus;
  }

  /** The summed peak GPU need of the tenant's GPU workloads, with each workload's arithmetic. */
  public gpuNeed(): { gpus: number; needs: string[] } {
    let gpus = 0;
    const needs: string[] = [];
    for (const c of this.node.findAll()) {
      if (!isGpuQuotaConsumer(c)) continue;
      const need = c.gpuQuotaNeed();
      gpus += need.gpus;
      needs.push(`${c.node.path}: ${need.reason}`);
    }
    return { gpus, needs };
  }

  constructor(scope: Construct, id: string, props: TenantProps) {
    const namespace = validateDnsLabel(pathOfChild(scope, id), 'namespace', props.namespace ?? id);
    super(scope, id, { namespace, directory: props.directory ?? `apps/${namespace}` });
    this.namespaceName = namespace;
    this.team = validateDnsLabel(this, 'team', props.team);
    const quota = props.quota;
    if (quota.gpus !== undefined && (!Number.isInteger(quota.gpus) || quota.gpus < 0)) {
      throw new InvalidPropError(this, 'quota.gpus', quota.gpus, 'must be a whole number of GPUs, 0 or more');
    }
    this.explicitGpuQuota = quota.gpus;
    const quantities: Array<[string, string | undefined]> = [
      ['quota.requestsCpu', quota.requestsCpu], ['quota.requestsMemory', quota.requestsMemory],
      ['quota.limitsCpu', quota.limitsCpu], ['quota.limitsMemory', quota.limitsMemory], ['quota.requestsStorage', quota.requestsStorage],
    ];
    for (const [prop, value] of quantities) {
      if (value !== undefined && !isQuantity(value)) throw new InvalidPropError(this, prop, value, "must be a Kubernetes quantity such as '32' or '128Gi'");
    }
    const podSecurity = props.podSecurity ?? 'restricted';
    if (podSecurity !== 'restricted' && podSecurity !== 'baseline') {
      throw new InvalidPropError(this, 'podSecurity', podSecurity, "must be 'restricted' or 'baseline'");
    }
    const labels = { [LabelKeys.managedBy]: MANAGED_BY, 'lambda-gitops.dev/team': this.team };

    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespaceName,
        labels: {
          ...labels,
          ...(props.labels ?? {}),
          'pod-security.kubernetes.io/enforce': podSecurity,
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'compute', labels },
      spec: {
        hard: {
          'requests.cpu': q(quota.requestsCpu),
          'requests.memory': q(quota.requestsMemory),
          'limits.cpu': q(quota.limitsCpu ?? quota.requestsCpu),
          'limits.memory': q(quota.limitsMemory ?? quota.requestsMemory),
          [`requests.${GPU_RESOURCE}`]: Lazy.any({ produce: () => q(String(this.gpuQuota)) }) as unknown as k8s.Quantity,
          'requests.storage': q(quota.requestsStorage ?? '100Gi'),
          pods: q(String(quota.pods ?? 50)),
        },
      },
    });
    this.node.addValidation({
      validate: () => {
        if (this.explicitGpuQuota === undefined) return [];
        const { gpus, needs } = this.gpuNeed();
        return this.explicitGpuQuota < gpus
          ? [`Tenant '${this.namespaceName}': quota.gpus is ${this.explicitGpuQuota} but its GPU workloads request ${gpus} at their peak (${needs.join('; ')}); the quota would reject pods at maximum scale or during a rolling update. Raise quota.gpus to ${gpus} or leave it out to derive it`]
          : [];
      },
    });
    const d = props.containerDefaults ?? {};
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'container-defaults', labels },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: q(d.cpuRequest ?? '100m'), memory: q(d.memoryRequest ?? '128Mi') },
          default: { cpu: q(d.cpuLimit ?? '500m'), memory: q(d.memoryLimit ?? '512Mi') },
        }],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns', labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { [LabelKeys.namespaceName]: 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          }],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        }],
      },
    });
  }
}
