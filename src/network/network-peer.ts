import { k8s } from 'cdk8s-plus-28';
import { CidrError, isStrictSubnet, parseCidr } from './cidr.js';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import type { INetworkEndpoint } from './network-endpoint.js';

/** The namespace Prometheus runs in by default (kube-prometheus-stack convention). */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';

/** Pod labels of the Prometheus server pods that prometheus-operator creates. */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = { [LabelKeys.name]: 'prometheus' };

/**
 * Private, link-local, carrier-grade NAT and loopback ranges that {@link NetworkPeer.internet}
 * excludes, so "the internet" never includes the cluster, the node network or the cloud
 * metadata endpoint (169.254.169.254).
 */
export const NON_PUBLIC_IPV4_RANGES: readonly string[] = [
  '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16',
];

type PeerShape =
  | { readonly type: 'workload'; readonly workload: INetworkEndpoint }
  | { readonly type: 'namespace'; readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> }
  | { readonly type: 'cidr'; readonly name: string; readonly cidr: string; readonly except: readonly string[] };

/** Peers are immutable, so the internet peer is parsed once per name. */
const INTERNET_PEERS = new Map<string, NetworkPeer>();

const PEER_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The other end of a network rule: a workload, a namespace (optionally narrowed to labelled
 * pods) or a named CIDR block. Peers render as NetworkPolicy peers with stable selectors: a
 * namespace is matched by its `kubernetes.io/metadata.name` label, and a workload in another
 * namespace by a namespaceSelector + podSelector pair (a podSelector alone would only match pods
 * in the policy's own namespace).
 */
export class NetworkPeer {
  /** The pods of a workload. */
  public static workload(workload: INetworkEndpoint): NetworkPeer {
    if (!workload || typeof workload.workloadName !== 'string' || !workload.selector) {
      throw new InvalidPropError('NetworkPeer.workload', 'workload', String(workload), 'must be a workload (any INetworkEndpoint: workloadName, namespace, selector, exposedPorts)');
    }
    return new NetworkPeer({ type: 'workload', workload });
  }

  /**
   * Every pod of a namespace, or only its pods carrying `podLabels` (e.g. an ingress controller
   * or gateway namespace).
   */
  public static namespace(name: string, podLabels?: Record<string, string>): NetworkPeer {
    validateDnsLabel('NetworkPeer.namespace', 'name', name);
    if (podLabels !== undefined && Object.keys(podLabels).length === 0) {
      throw new InvalidPropError(`NetworkPeer.namespace('${name}')`, 'podLabels', podLabels,
        'must name at least one label, or be omitted to admit the whole namespace');
    }
    return new NetworkPeer({ type: 'namespace', namespace: name, ...(podLabels ? { podLabels: { ...podLabels } } : {}) });
  }

  /**
   * The Prometheus server pods (label `app.kubernetes.io/name: prometheus`, as set by
   * prometheus-operator) in the monitoring namespace.
   * @param namespace @default 'monitoring'
   */
  public static prometheus(namespace: string = DEFAULT_MONITORING_NAMESPACE): NetworkPeer {
    return NetworkPeer.namespace(namespace, { ...PROMETHEUS_POD_LABELS });
  }

  /**
   * A named IP block, e.g. `NetworkPeer.cidr('pulumi-cloud', '203.0.113.0/24')`. The name shows
   * up in the policy's `lambda-gitops.dev/peers` annotation so reviewers see what the block is.
   * `except` blocks must lie strictly inside `cidr`, as the Kubernetes API requires.
   */
  public static cidr(name: string, cidr: string, except: string[] = []): NetworkPeer {
    const where = `NetworkPeer.cidr('${name}')`;
    if (typeof name !== 'string' || !PEER_NAME.test(name) || name.length > 63) {
      throw new InvalidPropError('NetworkPeer.cidr', 'name', name, "must be a short lowercase name such as 'huggingface-hub' (letters, digits, '-', '.')");
    }
    const block = parseOrThrow(where, 'cidr', cidr);
    const excepts = except.map((text, i) => {
      const inner = parseOrThrow(where, `except[${i}]`, text);
      if (!isStrictSubnet(inner, block)) {
        throw new InvalidPropError(where, `except[${i}]`, text, `must be a block strictly inside ${block.text} (same IP family, longer prefix)`);
      }
      return inner.text;
    });
    if (new Set(excepts).size !== excepts.length) {
      throw new InvalidPropError(where, 'except', except, 'must not list a block twice');
    }
    return new NetworkPeer({ type: 'cidr', name, cidr: block.text, except: [...excepts].sort() });
  }

  /**
   * Every public IPv4 address: `0.0.0.0/0` except {@link NON_PUBLIC_IPV4_RANGES}. Use it for
   * services behind CDNs whose addresses are not stable (the Hugging Face Hub, container
   * registries, the Pulumi Cloud API), always together with a port (normally `NetworkPort.tcp(443)`).
   * @param name @default 'internet'
   */
  public static internet(name = 'internet'): NetworkPeer {
    let peer = INTERNET_PEERS.get(name);
    if (!peer) {
      peer = NetworkPeer.cidr(name, '0.0.0.0/0', [...NON_PUBLIC_IPV4_RANGES]);
      INTERNET_PEERS.set(name, peer);
    }
    return peer;
  }

  private cachedKey?: string;

  private constructor(private readonly shape: PeerShape) {}

  /** The workload, when this peer is one. */
  public get workload(): INetworkEndpoint | undefined {
    return this.shape.type === 'workload' ? this.shape.workload : undefined;
  }

  /**
   * A stable identity of the peer: rules to the same peer merge, and rules are ordered by it.
   * E.g. `workload:inference/vllm`, `namespace:monitoring{app.kubernetes.io/name=prometheus}`,
   * `cidr:internet=0.0.0.0/0`.
   */
  public get key(): string {
    this.cachedKey ??= this.computeKey();
    return this.cachedKey;
  }

  private computeKey(): string {
    const s = this.shape;
    switch (s.type) {
      case 'workload': return `workload:${s.workload.namespace}/${s.workload.workloadName}`;
      case 'namespace': return `namespace:${s.namespace}${s.podLabels ? `{${labelsText(s.podLabels)}}` : ''}`;
      case 'cidr': return `cidr:${s.name}=${s.cidr}${s.except.length > 0 ? ` except ${s.except.join(',')}` : ''}`;
    }
  }

  /** A short human description for the `lambda-gitops.dev/peers` annotation. */
  public get description(): string {
    const s = this.shape;
    switch (s.type) {
      case 'workload': return `workload ${s.workload.namespace}/${s.workload.workloadName}`;
      case 'namespace': return `namespace ${s.namespace}${s.podLabels ? ` pods ${labelsText(s.podLabels)}` : ''}`;
      case 'cidr': return `${s.name} ${s.cidr}`;
    }
  }

  /**
   * The NetworkPolicy peer for a policy living in `policyNamespace`: same-namespace workloads by
   * podSelector, other namespaces by namespaceSelector (+ podSelector), CIDRs by ipBlock.
   */
  public toPolicyPeer(policyNamespace: string): k8s.NetworkPolicyPeer {
    const s = this.shape;
    switch (s.type) {
      case 'workload':
        return s.workload.namespace === policyNamespace
          ? { podSelector: { matchLabels: sortedLabels(s.workload.selector) } }
          : {
            namespaceSelector: { matchLabels: { [LabelKeys.namespaceName]: s.workload.namespace } },
            podSelector: { matchLabels: sortedLabels(s.workload.selector) },
          };
      case 'namespace':
        return {
          namespaceSelector: { matchLabels: { [LabelKeys.namespaceName]: s.namespace } },
          ...(s.podLabels ? { podSelector: { matchLabels: sortedLabels(s.podLabels) } } : {}),
        };
      case 'cidr':
        return { ipBlock: { cidr: s.cidr, ...(s.except.length > 0 ? { except: [...s.except] } : {}) } };
    }
  }
}

function parseOrThrow(where: string, prop: string, text: string): ReturnType<typeof parseCidr> {
  try {
    return parseCidr(text);
  } catch (error) {
    if (error instanceof CidrError) {
      throw new InvalidPropError(where, prop, text, `must be a CIDR block such as 10.0.0.0/8 or 2001:db8::/32: ${error.message}`);
    }
    throw error;
  }
}

function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(sortedLabels(labels)).map(([k, v]) => `${k}=${v}`).join(',');
}
