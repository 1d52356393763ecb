import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel } from '../core/names.js';
import { exemptFromPolicy } from '../core/policy-exemption.js';
import { HelmRelease, HelmRepository } from '../flux/helm-release.js';
import { OPERATOR_PRIORITY_CLASS } from '../flux/platform-operators.js';

/** Props of {@link CertManager}. */
export interface CertManagerProps {
  /**
   * `cert-manager` chart version (exact), from https://charts.jetstack.io.
   * @default 'v1.21.1' (chart kubeVersion '>= 1.22.0-0'; vendored for the cluster tests)
   */
  readonly version?: string;
  /**
   * Namespace of the controller, webhook and cainjector; ClusterIssuers' ACME account keys are
   * stored here (cert-manager's cluster resource namespace is its own namespace).
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /**
   * PriorityClass of cert-manager's pods (certificate renewals must not stop under GPU pressure).
   * @default 'system-cluster-critical'
   */
  readonly priorityClassName?: string;
  /**
   * Extra chart values, merged over the defaults at the top level.
   * @default - none
   */
  readonly values?: Record<string, unknown>;
}

/**
 * cert-manager through its Helm chart (pinned), with its CRDs (`crds.enabled`, kept on uninstall)
 * and Gateway API support on (`config.enableGatewayAPI`): the gateway-shim issues the
 * certificate of every HTTPS listener of a Gateway annotated with an issuer, and ACME HTTP-01
 * challenges are answered through an HTTPRoute on the Gateway. Place it in
 * `infrastructure/controllers` beside {@link GatewayApiCrds} (cert-manager needs the Gateway API
 * CRDs when it starts with Gateway support).
 */
export class CertManager extends Construct {
  /** Namespace. */
  public readonly namespace: string;
  /** The HelmRelease. */
  public readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: CertManagerProps = {}) {
    super(scope, id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'cert-manager');
    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: { [LabelKeys.managedBy]: MANAGED_BY, 'pod-security.kubernetes.io/enforce': 'restricted', 'lambda-gitops.dev/role': 'operator' },
      },
    });
    exemptFromPolicy(ns, 'namespace-default-deny',
      'cert-manager namespace: the controller reaches ACME servers and the API server, the webhook serves the API server, whose addresses are not known to the tree');
    const repository = new HelmRepository(this, 'Repo', { name: 'jetstack', url: 'https://charts.jetstack.io' });
    const requests = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory: '256Mi' } });
    // Value names checked in cert-manager v1.21.1 values.yaml (crds.enabled/keep, config is the
    // ControllerConfiguration, global.priorityClassName) and pkg/apis/config/controller/v1alpha1
    // (enableGatewayAPI).
    this.release = new HelmRelease(this, 'Release', {
      name: 'cert-manager',
      namespace: this.namespace,
      repository,
      chart: 'cert-manager',
      version: props.version ?? 'v1.21.1',
      values: {
        crds: { enabled: true, keep: true },
        config: { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true },
        global: { priorityClassName: props.priorityClassName ?? OPERATOR_PRIORITY_CLASS },
        resources: requests('50m', '128Mi'),
        webhook: { resources: requests('20m', '64Mi') },
        cainjector: { resources: requests('20m', '128Mi') },
        startupapicheck: { resources: requests('10m', '64Mi') },
        ...(props.values ?? {}),
      },
    });
  }
}
