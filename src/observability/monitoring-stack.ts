import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { exemptFromPolicy } from '../core/policy-exemption.js';
import { HelmRelease, HelmRepository } from '../flux/helm-release.js';
import { NetworkPeer, PROMETHEUS_POD_LABELS } from '../network/network-peer.js';

/**
 * A Prometheus server the platform's objects refer to: KEDA triggers query it, PodMonitors and
 * PrometheusRules carry the labels it selects, network rules admit its pods. Take it from
 * {@link MonitoringStack.prometheus} (or {@link PrometheusEndpoint.external} for a server outside
 * the tree), never from a typed URL.
 */
export class PrometheusEndpoint {
  /**
   * A Prometheus server the tree does not deploy, e.g. a shared one. The caller vouches for the URL;
   * the gate cannot resolve it.
   */
  public static external(url: string, options: { selectorLabels?: Record<string, string>; peer?: NetworkPeer } = {}): PrometheusEndpoint {
    if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
      throw new InvalidPropError('PrometheusEndpoint.external', 'url', url, "must be an http(s) URL such as 'http://prometheus.example.internal:9090'");
    }
    return new PrometheusEndpoint(url, options.selectorLabels ?? {}, options.peer ?? NetworkPeer.prometheus());
  }

  /**
   * @param url query URL, e.g. `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`
   * @param selectorLabels labels a PodMonitor / PrometheusRule needs to be picked up
   * @param peer the Prometheus pods, for network rules
   */
  constructor(
    public readonly url: string,
    public readonly selectorLabels: Readonly<Record<string, string>>,
    public readonly peer: NetworkPeer,
  ) {}
}

/** Props of {@link MonitoringStack}. */
export interface MonitoringStackProps {
  /**
   * kube-prometheus-stack chart version (exact).
   * @default '88.5.3' (Prometheus Operator v0.93.1; vendored for the cluster tests)
   */
  readonly version?: string;
  /**
   * Namespace of Prometheus, Alertmanager, Grafana and the exporters.
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * How long Prometheus keeps samples.
   * @default '15d'
   */
  readonly retention?: string;
  /**
   * Extra chart values, merged over the defaults at the top level.
   * @default - none
   */
  readonly values?: Record<string, unknown>;
}

/** Flux kinds whose Ready condition kube-state-metrics exports as `gotk_resource_info`. */
export const FLUX_STATE_KINDS: ReadonlyArray<{ group: string; version: string; kind: string; plural: string }> = [
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', plural: 'kustomizations' },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases' },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'GitRepository', plural: 'gitrepositories' },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'HelmRepository', plural: 'helmrepositories' },
];

/**
 * kube-state-metrics values that export every Flux object as `gotk_resource_info{customresource_kind,
 * exported_namespace, name, ready, suspended}` (Flux 2 no longer exports `gotk_reconcile_condition`;
 * its monitoring guide uses kube-state-metrics' custom resource state instead), with the RBAC to
 * list and watch those kinds.
 */
function fluxStateMetrics(): Record<string, unknown> {
  return {
    customResourceState: {
      enabled: true,
      config: {
        kind: 'CustomResourceStateMetrics',
        spec: {
          resources: FLUX_STATE_KINDS.map(({ group, version, kind }) => ({
            groupVersionKind: { group, version, kind },
            metricNamePrefix: 'gotk',
            metrics: [{
              name: 'resource_info',
              help: `The current state of a Flux ${kind}.`,
              each: { type: 'Info', info: { labelsFromPath: { name: ['metadata', 'name'] } } },
              labelsFromPath: {
                exported_namespace: ['metadata', 'namespace'],
                ready: ['status', 'conditions', '[type=Ready]', 'status'],
                suspended: ['spec', 'suspend'],
              },
            }],
          })),
        },
      },
    },
    rbac: {
      extraRules: [...new Set(FLUX_STATE_KINDS.map((k) => k.group))].map((group) => ({
        apiGroups: [group], resources: FLUX_STATE_KINDS.filter((k) => k.group === group).map((k) => k.plural), verbs: ['list', 'watch'],
      })),
    },
  };
}

/** The release name, and the prefix of every object the chart renders. */
export const MONITORING_RELEASE = 'kube-prometheus-stack';

/**
 * The Prometheus Operator stack (kube-prometheus-stack: Prometheus Operator with its CRDs,
 * Prometheus, Alertmanager, Grafana with the dashboard sidecar, kube-state-metrics, node-exporter)
 * as a Flux HelmRelease with a pinned chart. Place it in `infrastructure/controllers`, so the
 * monitoring CRDs (PodMonitor, ServiceMonitor, PrometheusRule) exist before any Kustomization that
 * depends on that layer uses them. Node-exporter tolerates every taint, so GPU nodes are covered.
 */
export class MonitoringStack extends Construct {
  /** The Prometheus server this stack runs. */
  public readonly prometheus: PrometheusEndpoint;
  /** The HelmRelease (for `dependsOn` of charts that render monitoring objects). */
  public readonly release: HelmRelease;
  /** Namespace. */
  public readonly namespace: string;
  /** Label Grafana's sidecar loads dashboard ConfigMaps by. */
  public readonly dashboardLabel: Readonly<Record<string, string>> = { grafana_dashboard: '1' };

  constructor(scope: Construct, id: string, props: MonitoringStackProps = {}) {
    super(scope, id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'monitoring');
    const retention = props.retention ?? '15d';
    if (!/^[0-9]+(ms|s|m|h|d|w|y)$/.test(retention)) throw new InvalidPropError(this, 'retention', retention, "must be a Prometheus duration such as '15d'");
    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        // node-exporter reads the host (hostNetwork, hostPID, hostPath /proc, /sys)
        labels: { [LabelKeys.managedBy]: MANAGED_BY, 'pod-security.kubernetes.io/enforce': 'privileged', 'lambda-gitops.dev/role': 'operator' },
      },
    });
    exemptFromPolicy(ns, 'namespace-default-deny',
      'monitoring namespace: Prometheus scrapes every namespace and the control plane, the operator serves admission webhooks to the API server, whose addresses are not known to the tree');
    const repository = new HelmRepository(this, 'Repo', { name: 'prometheus-community', url: 'https://prometheus-community.github.io/helm-charts' });
    const selectorLabels = { release: MONITORING_RELEASE };
    this.release = new HelmRelease(this, 'Release', {
      name: MONITORING_RELEASE,
      namespace: this.namespace,
      repository,
      chart: 'kube-prometheus-stack',
      version: props.version ?? '88.5.3',
      values: {
        prometheus: { prometheusSpec: { retention } },
        grafana: { sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } } },
        'prometheus-node-exporter': { tolerations: [{ operator: 'Exists' }] },
        'kube-state-metrics': fluxStateMetrics(),
        ...(props.values ?? {}),
      },
      // What the chart renders at this version (checked by the cluster tests' helm render).
      providesServices: [
        { name: `${MONITORING_RELEASE}-prometheus`, ports: [9090] },
        { name: `${MONITORING_RELEASE}-alertmanager`, ports: [9093] },
        { name: `${MONITORING_RELEASE}-grafana`, ports: [80] },
      ],
    });
    this.prometheus = new PrometheusEndpoint(
      `http://${MONITORING_RELEASE}-prometheus.${this.namespace}.svc:9090`,
      selectorLabels,
      NetworkPeer.namespace(this.namespace, { ...PROMETHEUS_POD_LABELS }),
    );
  }
}
