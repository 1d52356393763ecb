import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { validateDnsLabel } from '../core/names.js';
import { HelmRelease, HelmRepository } from '../flux/helm-release.js';
import { operatorNamespace } from '../flux/operator-namespace.js';

/** Props of {@link MetricsServer}. */
export interface MetricsServerProps {
  /**
   * metrics-server chart version (exact), from https://kubernetes-sigs.github.io/metrics-server/.
   * @default '3.13.1' (metrics-server v0.8.1; vendored for the cluster tests)
   */
  readonly version?: string;
  /**
   * Namespace (Pod Security `restricted`: the chart's pod is non-root, read-only, no capabilities).
   * @default 'metrics-server'
   */
  readonly namespace?: string;
  /**
   * Replicas; with 2 or more, a PodDisruptionBudget (`maxUnavailable: 1`) and a preference for
   * distinct nodes keep the resource metrics API up through a node drain.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Node address types metrics-server tries, in order, to reach each kubelet
   * (`--kubelet-preferred-address-types`). Lambda instances register their private address as
   * `InternalIP` with kubeadm and k3s alike.
   * @default ['InternalIP', 'ExternalIP', 'Hostname'] (the chart's default)
   */
  readonly kubeletAddressTypes?: ReadonlyArray<'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS'>;
  /**
   * Extra chart values, merged over the defaults at the top level.
   * @default - none
   */
  readonly values?: Record<string, unknown>;
}

/** The release name, and the name of the chart's Deployment and Service. */
export const METRICS_SERVER_RELEASE = 'metrics-server';

/**
 * metrics-server (the resource metrics API `metrics.k8s.io`, which CPU and memory
 * HorizontalPodAutoscalers read) as a Flux HelmRelease with a pinned chart, which registers the
 * `v1beta1.metrics.k8s.io` APIService. Place it in `infrastructure/controllers`: the `apps`
 * layer, where the autoscalers live, waits for that layer to be Ready.
 *
 * Kubelet TLS is verified (no `--kubelet-insecure-tls`): the kubelets' serving certificates must
 * be signed by the cluster CA (k3s does that; on kubeadm set `serverTLSBootstrap: true` in the
 * KubeletConfiguration and approve the `kubelet-serving` CSRs). The APIService keeps the chart's
 * `insecureSkipTLSVerify: true` for the API server -> metrics-server hop (metrics-server signs
 * its own serving certificate at start); the chart's `tls.type` switches that to cert-manager.
 */
export class MetricsServer extends Construct {
  /** Namespace. */
  public readonly namespace: string;
  /** The HelmRelease. */
  public readonly release: HelmRelease;
  /** The aggregated API it serves. */
  public readonly apiService = 'v1beta1.metrics.k8s.io';

  constructor(scope: Construct, id: string, props: MetricsServerProps = {}) {
    super(scope, id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'metrics-server');
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) throw new InvalidPropError(this, 'replicas', props.replicas, 'must be a whole number from 1 to 10');
    const addressTypes = props.kubeletAddressTypes ?? ['InternalIP', 'ExternalIP', 'Hostname'];
    const allowed = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];
    if (!Array.isArray(addressTypes) || addressTypes.length === 0 || addressTypes.some((t) => !allowed.includes(t)) || new Set(addressTypes).size !== addressTypes.length) {
      throw new InvalidPropError(this, 'kubeletAddressTypes', props.kubeletAddressTypes, `must be a non-empty list of distinct node address types from ${allowed.join(', ')}`);
    }
    operatorNamespace(this, 'Namespace', this.namespace, 'restricted',
      'metrics-server namespace: the API server calls it (aggregated API) and it calls every kubelet, whose addresses are not known to the tree');
    const repository = new HelmRepository(this, 'Repo', { name: 'metrics-server', url: 'https://kubernetes-sigs.github.io/metrics-server/' });
    const selector = { 'app.kubernetes.io/name': 'metrics-server', 'app.kubernetes.io/instance': METRICS_SERVER_RELEASE };
    // Value names checked in the chart at metrics-server-helm-chart-3.13.1 (values.yaml).
    this.release = new HelmRelease(this, 'Release', {
      name: METRICS_SERVER_RELEASE,
      namespace: this.namespace,
      repository,
      chart: 'metrics-server',
      version: props.version ?? '3.13.1',
      values: {
        replicas,
        // the chart's defaultArgs with the address types made explicit
        defaultArgs: ['--cert-dir=/tmp', `--kubelet-preferred-address-types=${addressTypes.join(',')}`, '--kubelet-use-node-status-port', '--metric-resolution=15s'],
        ...(replicas > 1 ? {
          podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } }] } },
        } : {}),
        ...(props.values ?? {}),
      },
    });
  }
}
