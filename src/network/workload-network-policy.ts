import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NetworkPeer } from './network-peer.js';
import { ResolvedPort, portKey } from './network-port.js';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import type { INetworkEndpoint } from './network-endpoint.js';
import { INGRESS_POLICY_ID } from '../workloads/workload.js';

/** Which way a NetworkPolicy admits traffic. */
export enum TrafficDirection {
  /** Traffic into the workload's pods. */
  INGRESS = 'Ingress',
  /** Traffic out of the workload's pods. */
  EGRESS = 'Egress',
}

/** Construct id of the child that holds a workload's egress NetworkPolicy. */
export const EGRESS_POLICY_ID = 'EgressPolicy';

/** Annotation listing, in rule order, the peers a policy admits (for reviewers). */
export const PEERS_ANNOTATION = 'lambda-gitops.dev/peers';

/** One rendered rule, as plain data: a peer and the ports admitted to or from it. */
export interface NetworkRuleData {
  /** The peer's stable key (see {@link NetworkPeer.key}). */
  readonly peer: string;
  /** The ports, sorted. */
  readonly ports: ResolvedPort[];
}

interface PendingRule {
  readonly peer: NetworkPeer;
  readonly ports: Map<string, ResolvedPort>;
}

/**
 * The single ingress (`<workload>-ingress`) or egress (`<workload>-egress`) NetworkPolicy of a
 * workload. It lives under the workload (ids {@link INGRESS_POLICY_ID} and
 * {@link EGRESS_POLICY_ID}), so it lands in the workload's namespace and directory, selects the
 * workload's pods with its stable selector, and collects every rule added by the network-rule
 * functions: rules to the same peer merge their ports, and rules and ports render sorted, so the
 * output does not depend on the order of the calls.
 */
export class WorkloadNetworkPolicy extends Construct {
  /** The construct path the workload's policy for `direction` has (or will have). */
  public static pathOf(workload: INetworkEndpoint, direction: TrafficDirection): string {
    return `${workload.node.path}/${direction === TrafficDirection.INGRESS ? INGRESS_POLICY_ID : EGRESS_POLICY_ID}`;
  }

  /** The workload's policy for `direction`, created on first use. */
  public static of(workload: INetworkEndpoint, direction: TrafficDirection): WorkloadNetworkPolicy {
    if (!Construct.isConstruct(workload)) {
      throw new InvalidPropError('WorkloadNetworkPolicy.of', 'workload', String(workload), 'must be a workload construct');
    }
    const id = direction === TrafficDirection.INGRESS ? INGRESS_POLICY_ID : EGRESS_POLICY_ID;
    const existing = workload.node.tryFindChild(id);
    if (existing === undefined) return new WorkloadNetworkPolicy(workload as unknown as Construct, id, workload, direction);
    if (!(existing instanceof WorkloadNetworkPolicy)) {
      throw new InvalidPropError(existing.node.path, 'id', id, `is reserved for the workload's ${direction.toLowerCase()} NetworkPolicy made by the network rules`);
    }
    return existing;
  }

  /** `metadata.name` of the policy. */
  public readonly policyName: string;
  /** The rendered NetworkPolicy. */
  public readonly resource: k8s.KubeNetworkPolicy;
  private readonly pending = new Map<string, PendingRule>();

  private constructor(scope: Construct, id: string, public readonly workload: INetworkEndpoint, public readonly direction: TrafficDirection) {
    super(scope, id);
    this.policyName = `${workload.workloadName}-${direction === TrafficDirection.INGRESS ? 'ingress' : 'egress'}`;
    const rules = Lazy.any({ produce: () => this.renderRules() }) as unknown as k8s.NetworkPolicyIngressRule[];
    this.resource = new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: {
        name: this.policyName,
        namespace: workload.namespace,
        labels: { ...workload.selector, [LabelKeys.managedBy]: MANAGED_BY },
        annotations: { [PEERS_ANNOTATION]: Lazy.any({ produce: () => this.peersText() }) as unknown as string },
      },
      spec: {
        podSelector: { matchLabels: { ...workload.selector } },
        policyTypes: [direction],
        ...(direction === TrafficDirection.INGRESS ? { ingress: rules } : { egress: rules as k8s.NetworkPolicyEgressRule[] }),
      },
    });
    this.node.addValidation({ validate: () => this.problems() });
  }

  /**
   * An empty policy is an error, and so is an exposed port that no ingress rule admits: every
   * port a workload serves must be reachable by someone (or be declared `exposed: false`).
   */
  private problems(): string[] {
    if (this.pending.size === 0) return [`NetworkPolicy '${this.policyName}' has no rules; add one with the network rules or do not create it`];
    if (this.direction !== TrafficDirection.INGRESS) return [];
    const admitted = [...this.pending.values()].flatMap((r) => [...r.ports.values()]);
    return this.workload.exposedPorts
      .filter((p) => !admitted.some((a) => a.protocol === 'TCP' && a.port <= p.containerPort && p.containerPort <= (a.endPort ?? a.port)))
      .map((p) => `NetworkPolicy '${this.workload.namespace}/${this.policyName}' admits no traffic to exposed port ${p.name} (${p.containerPort}) of ${this.workload.workloadName}; allow it with allowIngress/allowTraffic, or mark the port exposed: false`);
  }

  /** Admits traffic to or from `peer` on `ports` (merged with earlier rules for the same peer). */
  public addRule(peer: NetworkPeer, ports: ResolvedPort[]): void {
    if (ports.length === 0) {
      throw new InvalidPropError(this.node.path, 'ports', ports, 'must list at least one port (rules never open every port)');
    }
    const rule = this.pending.get(peer.key) ?? { peer, ports: new Map<string, ResolvedPort>() };
    for (const port of ports) rule.ports.set(portKey(port), port);
    this.pending.set(peer.key, rule);
  }

  /** The rules as plain data, sorted as rendered. */
  public get rules(): NetworkRuleData[] {
    return this.sortedRules().map((r) => ({ peer: r.peer.key, ports: sortedPorts(r) }));
  }

  private sortedRules(): PendingRule[] {
    return [...this.pending.values()].sort((a, b) => (a.peer.key < b.peer.key ? -1 : a.peer.key > b.peer.key ? 1 : 0));
  }

  private renderRules(): Array<k8s.NetworkPolicyIngressRule | k8s.NetworkPolicyEgressRule> {
    return this.sortedRules().map((rule) => {
      const peers = [rule.peer.toPolicyPeer(this.workload.namespace)];
      const ports = sortedPorts(rule).map((p): k8s.NetworkPolicyPort => ({
        protocol: p.protocol,
        port: k8s.IntOrString.fromNumber(p.port),
        ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
      }));
      return this.direction === TrafficDirection.INGRESS ? { from: peers, ports } : { to: peers, ports };
    });
  }

  private peersText(): string {
    return this.sortedRules().map((r) => r.peer.description).join('; ');
  }
}

function sortedPorts(rule: PendingRule): ResolvedPort[] {
  return [...rule.ports.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}
