import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import type { NetworkPeer } from '../network/network-peer.js';
import type { AcmeClusterIssuer } from './acme-cluster-issuer.js';
import { GatewayControllerPorts, type GatewayController } from './gateway-controller.js';
import { validateHostname } from './hostname.js';

/** Props of {@link IngressGateway}. */
export interface IngressGatewayProps {
  /** The controller that serves the Gateway (its GatewayClass and namespace). */
  readonly controller: GatewayController;
  /** The public hostname (DNS must point it at the controller's Service); routes attach under it. */
  readonly hostname: string;
  /** The issuer of the listener's certificate (through cert-manager's gateway-shim). */
  readonly issuer: AcmeClusterIssuer;
  /**
   * `metadata.name`.
   * @default 'platform'
   */
  readonly name?: string;
  /**
   * Redirect plain HTTP to HTTPS (301) for every path but the ACME challenges (cert-manager's
   * challenge route matches its exact path, which wins over the redirect's prefix).
   * @default true
   */
  readonly redirectHttpToHttps?: boolean;
}

/** Listener names of an {@link IngressGateway}. */
export const GatewayListeners = { http: 'http', https: 'https' } as const;

/**
 * A Gateway API `Gateway` with an HTTPS listener for one hostname whose certificate cert-manager
 * issues (the `cert-manager.io/cluster-issuer` annotation: cert-manager's gateway-shim creates
 * the Certificate for the listener's `certificateRefs` Secret), and a plain-HTTP listener that
 * answers ACME HTTP-01 challenges and redirects everything else to HTTPS. Routes attach with
 * {@link exposeHttp}, which also admits their namespace on the HTTPS listener (no other namespace
 * may attach) and the controller's pods to the backend. Place it in `infrastructure/configs`.
 */
export class IngressGateway extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** Namespace (the controller's). */
  public readonly namespace: string;
  /** The hostname of the HTTPS listener. */
  public readonly hostname: string;
  /** The Secret holding the listener's certificate (written by cert-manager). */
  public readonly tlsSecretName: string;
  /** The controller's proxy pods, which carry the routed traffic to backends. */
  public readonly dataPlanePeer: NetworkPeer;
  private readonly routeNamespaces = new Set<string>();

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    this.name = validateDnsSubdomain(this, 'name', props.name ?? 'platform');
    this.namespace = props.controller.namespace;
    this.hostname = validateHostname(this, 'hostname', props.hostname);
    this.tlsSecretName = `${this.name}-tls`;
    this.dataPlanePeer = props.controller.dataPlanePeer;
    const labels = { [LabelKeys.managedBy]: MANAGED_BY };
    new ApiObject(this, 'Resource', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels,
        annotations: { 'cert-manager.io/cluster-issuer': props.issuer.name },
      },
      spec: {
        gatewayClassName: props.controller.gatewayClassName,
        listeners: [
          {
            name: GatewayListeners.http, protocol: 'HTTP', port: GatewayControllerPorts.http, hostname: this.hostname,
            // the redirect and cert-manager's challenge routes live in the Gateway's namespace
            allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] },
          },
          {
            name: GatewayListeners.https, protocol: 'HTTPS', port: GatewayControllerPorts.https, hostname: this.hostname,
            tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: this.tlsSecretName }] },
            allowedRoutes: {
              namespaces: Lazy.any({ produce: () => this.allowedNamespaces() }),
              kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
            },
          },
        ],
      },
    });
    props.issuer.solveHttp01Through({ gatewayName: this.name, gatewayNamespace: this.namespace, listenerName: GatewayListeners.http, dnsNames: [this.hostname] });
    if (props.redirectHttpToHttps ?? true) {
      new ApiObject(this, 'HttpsRedirect', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: `${this.name}-https-redirect`, namespace: this.namespace, labels },
        spec: {
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.name, sectionName: GatewayListeners.http }],
          hostnames: [this.hostname],
          rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
        },
      });
    }
  }

  /** Lets HTTPRoutes of `namespace` attach to the HTTPS listener (called by {@link exposeHttp}). */
  public admitRoutesFrom(namespace: string): void {
    this.routeNamespaces.add(validateDnsLabel(this, 'namespace', namespace));
  }

  /** The namespaces whose routes may attach to the HTTPS listener. */
  public get routeNamespaceNames(): readonly string[] {
    return [...this.routeNamespaces].sort();
  }

  private allowedNamespaces(): Record<string, unknown> {
    const names = this.routeNamespaceNames;
    if (names.length === 0) return { from: 'Same' };
    return { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...names] }] } };
  }
}
