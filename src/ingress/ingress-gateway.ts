import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
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
  /** The public hostname (DNS must point it at the controller's Service); routes attach under it by default. */
  readonly hostname: string;
  /**
   * More hostnames, each with its own HTTPS listener (`https-1`, `https-2`, ...) and certificate
   * (`<name>-tls-1`, ...); a route picks one with {@link ExposeHttpOptions.hostname}.
   * @default []
   */
  readonly additionalHostnames?: readonly string[];
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

/** Listener names of an {@link IngressGateway}: `http`, and `https` for the primary hostname (`https-<n>` for the n-th additional one). */
export const GatewayListeners = { http: 'http', https: 'https' } as const;

/** One HTTPS listener of an {@link IngressGateway}. */
export interface HttpsListener {
  /** Listener (section) name. */
  readonly name: string;
  /** Its hostname. */
  readonly hostname: string;
  /** The Secret holding its certificate (written by cert-manager). */
  readonly tlsSecretName: string;
}

/**
 * A Gateway API `Gateway` with an HTTPS listener per hostname whose certificate cert-manager
 * issues (the `cert-manager.io/cluster-issuer` annotation: cert-manager's gateway-shim creates
 * a Certificate for each listener's `certificateRefs` Secret), and one plain-HTTP listener that
 * answers ACME HTTP-01 challenges and redirects everything else to HTTPS. Routes attach with
 * {@link exposeHttp}, which also admits their namespace on that HTTPS listener (no other
 * namespace may attach) and the controller's pods to the backend. Place it in
 * `infrastructure/configs`.
 */
export class IngressGateway extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** Namespace (the controller's). */
  public readonly namespace: string;
  /** The primary hostname (of listener `https`). */
  public readonly hostname: string;
  /** The Secret holding the primary listener's certificate (written by cert-manager). */
  public readonly tlsSecretName: string;
  /** The HTTPS listeners, the primary hostname's first. */
  public readonly httpsListeners: readonly HttpsListener[];
  /** The controller's proxy pods, which carry the routed traffic to backends. */
  public readonly dataPlanePeer: NetworkPeer;
  private readonly routeNamespaces = new Map<string, Set<string>>();

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    this.name = validateDnsSubdomain(this, 'name', props.name ?? 'platform');
    this.namespace = props.controller.namespace;
    this.hostname = validateHostname(this, 'hostname', props.hostname);
    const more = (props.additionalHostnames ?? []).map((h, i) => validateHostname(this, `additionalHostnames[${i}]`, h));
    const hostnames = [this.hostname, ...more];
    const duplicate = hostnames.find((h, i) => hostnames.indexOf(h) !== i);
    if (duplicate) throw new InvalidPropError(this, 'additionalHostnames', props.additionalHostnames, `must not repeat a hostname ('${duplicate}')`);
    this.httpsListeners = hostnames.map((hostname, i) => ({
      name: i === 0 ? GatewayListeners.https : `${GatewayListeners.https}-${i}`,
      hostname,
      tlsSecretName: i === 0 ? `${this.name}-tls` : `${this.name}-tls-${i}`,
    }));
    for (const l of this.httpsListeners) this.routeNamespaces.set(l.name, new Set());
    this.tlsSecretName = this.httpsListeners[0].tlsSecretName;
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
            // one listener for every hostname: the redirect and cert-manager's challenge routes
            // (both in the Gateway's namespace) carry the hostnames
            name: GatewayListeners.http, protocol: 'HTTP', port: GatewayControllerPorts.http,
            allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] },
          },
          ...this.httpsListeners.map((l) => ({
            name: l.name, protocol: 'HTTPS', port: GatewayControllerPorts.https, hostname: l.hostname,
            tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: l.tlsSecretName }] },
            allowedRoutes: {
              namespaces: Lazy.any({ produce: () => this.allowedNamespaces(l.name) }),
              kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
            },
          })),
        ],
      },
    });
    props.issuer.solveHttp01Through({ gatewayName: this.name, gatewayNamespace: this.namespace, listenerName: GatewayListeners.http, dnsNames: hostnames });
    if (props.redirectHttpToHttps ?? true) {
      new ApiObject(this, 'HttpsRedirect', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: `${this.name}-https-redirect`, namespace: this.namespace, labels },
        spec: {
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.name, sectionName: GatewayListeners.http }],
          hostnames,
          rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
        },
      });
    }
  }

  /**
   * The HTTPS listener of `hostname` (the primary one when omitted).
   * @throws InvalidPropError naming `context` when the Gateway has no listener for it
   */
  public httpsListenerFor(context: string, hostname?: string): HttpsListener {
    if (hostname === undefined) return this.httpsListeners[0];
    const found = this.httpsListeners.find((l) => l.hostname === hostname);
    if (!found) {
      throw new InvalidPropError(context, 'hostname', hostname,
        `must be a hostname of Gateway ${this.namespace}/${this.name}, which has HTTPS listeners for ${this.httpsListeners.map((l) => l.hostname).join(', ')} (add it to the Gateway's additionalHostnames)`);
    }
    return found;
  }

  /** Lets HTTPRoutes of `namespace` attach to the HTTPS listener `listener` (called by {@link exposeHttp}). */
  public admitRoutesFrom(namespace: string, listener: string = GatewayListeners.https): void {
    const set = this.routeNamespaces.get(listener);
    if (!set) throw new InvalidPropError(this, 'listener', listener, `must be an HTTPS listener of the Gateway (${[...this.routeNamespaces.keys()].join(', ')})`);
    set.add(validateDnsLabel(this, 'namespace', namespace));
  }

  /** The namespaces whose routes may attach to an HTTPS listener (`https` by default). */
  public routeNamespaceNames(listener: string = GatewayListeners.https): readonly string[] {
    return [...(this.routeNamespaces.get(listener) ?? [])].sort();
  }

  private allowedNamespaces(listener: string): Record<string, unknown> {
    const names = this.routeNamespaceNames(listener);
    if (names.length === 0) return { from: 'Same' };
    return { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...names] }] } };
  }
}
