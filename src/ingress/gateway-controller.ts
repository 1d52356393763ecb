import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import { exemptFromPolicy } from '../core/policy-exemption.js';
import { InvalidPropError } from '../core/errors.js';
import { HelmRelease, HelmRepository } from '../flux/helm-release.js';
import { NetworkPeer } from '../network/network-peer.js';
import { OPERATOR_PRIORITY_CLASS } from '../flux/platform-operators.js';

/** Props of {@link GatewayController}. */
export interface GatewayControllerProps {
  /**
   * `traefik` chart version (exact), from https://traefik.github.io/charts.
   * @default '41.3.0' (Traefik Proxy v3.7.11; chart kubeVersion '>=1.25.0-0'; vendored for the cluster tests)
   */
  readonly version?: string;
  /**
   * Namespace of the controller (its pods are the data plane) and of the Gateways it serves.
   * @default 'traefik'
   */
  readonly namespace?: string;
  /**
   * Name of the GatewayClass the chart creates (controller `traefik.io/gateway-controller`).
   * @default 'traefik'
   */
  readonly gatewayClassName?: string;
  /**
   * Proxy replicas (the chart's PodDisruptionBudget allows one unavailable).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Type of the proxy's Service (ports 80 and 443). `LoadBalancer` needs a load-balancer
   * implementation on the cluster (e.g. MetalLB on bare nodes); `NodePort` exposes the node ports.
   * @default 'LoadBalancer'
   */
  readonly serviceType?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  /**
   * PriorityClass of the proxy pods: the single way in must not be preempted by workloads.
   * @default 'system-cluster-critical'
   */
  readonly priorityClassName?: string;
  /**
   * Extra chart values, merged over the defaults at the top level.
   * @default - none
   */
  readonly values?: Record<string, unknown>;
}

/** The HelmRelease name of the controller (its pods' `app.kubernetes.io/instance` is `<release>-<namespace>`). */
export const GATEWAY_CONTROLLER_RELEASE = 'traefik';

/**
 * Container ports of the proxy's entry points (chart values `ports.web.port` and
 * `ports.websecure.port`, 8000 and 8443 in traefik 41.3.0). Traefik binds a Gateway listener to
 * the entry point whose port equals the listener's port, so listeners use these numbers; the
 * Service exposes them as 80 and 443.
 */
export const GatewayControllerPorts = { http: 8000, https: 8443 } as const;

/**
 * A maintained Gateway API controller: Traefik Proxy through its Helm chart (pinned), with the
 * Kubernetes Gateway provider on and the Ingress and Traefik-CRD providers off, the GatewayClass
 * from the chart and no chart-made Gateway (Gateways are {@link IngressGateway} constructs).
 * Place it in `infrastructure/controllers` beside {@link GatewayApiCrds}. The proxy pods are the
 * data plane: {@link GatewayController.dataPlanePeer} is what backends admit.
 */
export class GatewayController extends Construct {
  /** Namespace of the proxy pods and the Gateways. */
  public readonly namespace: string;
  /** The GatewayClass name. */
  public readonly gatewayClassName: string;
  /** The HelmRelease. */
  public readonly release: HelmRelease;
  /** The proxy pods, for network rules (namespace + the chart's selector labels). */
  public readonly dataPlanePeer: NetworkPeer;

  constructor(scope: Construct, id: string, props: GatewayControllerProps = {}) {
    super(scope, id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'traefik');
    this.gatewayClassName = validateDnsSubdomain(this, 'gatewayClassName', props.gatewayClassName ?? 'traefik');
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) throw new InvalidPropError(this, 'replicas', replicas, 'must be a whole number of at least 1');
    const serviceType = props.serviceType ?? 'LoadBalancer';
    if (!['LoadBalancer', 'NodePort', 'ClusterIP'].includes(serviceType)) throw new InvalidPropError(this, 'serviceType', serviceType, "must be 'LoadBalancer', 'NodePort' or 'ClusterIP'");
    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        // the proxy runs as UID 65532 without privileges (chart securityContext); so do cert-manager's ACME solver pods
        labels: { [LabelKeys.managedBy]: MANAGED_BY, 'pod-security.kubernetes.io/enforce': 'restricted', 'lambda-gitops.dev/role': 'operator' },
      },
    });
    exemptFromPolicy(ns, 'namespace-default-deny',
      'gateway controller namespace: the proxy takes traffic from the internet and the API server, and reaches every routed backend and the ACME solver pods cert-manager creates here');
    const repository = new HelmRepository(this, 'Repo', { name: 'traefik', url: 'https://traefik.github.io/charts' });
    // Value names checked in traefik 41.3.0 values.yaml and templates (gatewayclass.yaml renders
    // only with providers.kubernetesGateway.enabled and gatewayClass.enabled).
    this.release = new HelmRelease(this, 'Release', {
      name: GATEWAY_CONTROLLER_RELEASE,
      namespace: this.namespace,
      repository,
      chart: 'traefik',
      version: props.version ?? '41.3.0',
      values: {
        deployment: { replicas },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        providers: {
          kubernetesGateway: { enabled: true },
          kubernetesCRD: { enabled: false },
          kubernetesIngress: { enabled: false },
        },
        gateway: { enabled: false },
        gatewayClass: { enabled: true, name: this.gatewayClassName },
        ports: { web: { port: GatewayControllerPorts.http }, websecure: { port: GatewayControllerPorts.https } },
        service: { type: serviceType },
        priorityClassName: props.priorityClassName ?? OPERATOR_PRIORITY_CLASS,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        ...(props.values ?? {}),
      },
    });
    this.dataPlanePeer = NetworkPeer.namespace(this.namespace, {
      'app.kubernetes.io/name': 'traefik',
      'app.kubernetes.io/instance': `${GATEWAY_CONTROLLER_RELEASE}-${this.namespace}`,
    });
  }
}
