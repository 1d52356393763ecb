import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CHART_SERVICES_ANNOTATION, ChartService, chartServiceProblem, formatChartServices } from '../core/chart-services.js';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import { validateDuration } from './durations.js';

/** Props of {@link HelmRepository}. */
export interface HelmRepositoryProps {
  /** `metadata.name`. */
  readonly name: string;
  /** Chart repository URL (`https://` or `oci://`). */
  readonly url: string;
  /**
   * Namespace.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Refresh period.
   * @default '24h'
   */
  readonly interval?: string;
}

/** A Flux `source.toolkit.fluxcd.io/v1` HelmRepository. */
export class HelmRepository extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** Namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: HelmRepositoryProps) {
    super(scope, id);
    this.name = validateDnsSubdomain(this, 'name', props.name);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'flux-system');
    const oci = props.url?.startsWith('oci://');
    if (!/^(https|oci):\/\/\S+$/.test(props.url ?? '')) {
      throw new InvalidPropError(this, 'url', props.url, 'must be an https:// or oci:// chart repository URL');
    }
    new ApiObject(this, 'Resource', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: this.name, namespace: this.namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
      spec: {
        interval: validateDuration(this, 'interval', props.interval ?? '24h'),
        url: props.url,
        ...(oci ? { type: 'oci' } : {}),
      },
    });
  }
}

/** Props of {@link HelmRelease}. */
export interface HelmReleaseProps {
  /** `metadata.name` (and the release name). */
  readonly name: string;
  /** Namespace the release (and its HelmRelease object) lives in. */
  readonly namespace: string;
  /** The chart repository. */
  readonly repository: HelmRepository;
  /** Chart name. */
  readonly chart: string;
  /** Exact chart version (pinned; ranges are rejected so upgrades are reviewed in a PR). */
  readonly version: string;
  /**
   * Chart values.
   * @default {}
   */
  readonly values?: Record<string, unknown>;
  /**
   * Reconcile period.
   * @default '1h'
   */
  readonly interval?: string;
  /**
   * Install CRDs on install and upgrade (`CreateReplace`).
   * @default true
   */
  readonly manageCrds?: boolean;
  /**
   * HelmReleases helm-controller must have installed (Ready) before this one, e.g. the release
   * whose chart installs CRDs this chart uses. Releases in one Kustomization otherwise install
   * concurrently.
   * @default - none
   */
  readonly dependsOn?: HelmRelease[];
  /**
   * Services the chart renders that objects of the tree address (e.g. a KEDA trigger's Prometheus
   * URL). Declared as the `lambda-gitops.dev/chart-services` annotation so the gate's
   * `service-reference-resolves` rule can resolve those addresses offline; the cluster tests render
   * the chart and fail when a declared Service or port is not in its output.
   * @default - none
   */
  readonly providesServices?: ChartService[];
}

/** A Flux `helm.toolkit.fluxcd.io/v2` HelmRelease for a platform operator. */
export class HelmRelease extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** Namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: HelmReleaseProps) {
    super(scope, id);
    this.name = validateDnsSubdomain(this, 'name', props.name);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace);
    if (!/^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/.test(props.version ?? '')) {
      throw new InvalidPropError(this, 'version', props.version, "must pin an exact chart version such as '0.17.0' (no ranges)");
    }
    const crds = props.manageCrds ?? true ? 'CreateReplace' : 'Skip';
    const provided = props.providesServices ?? [];
    for (const [i, service] of provided.entries()) {
      const problem = chartServiceProblem(service);
      if (problem) throw new InvalidPropError(this, `providesServices[${i}]`, service.name, problem);
    }
    new ApiObject(this, 'Resource', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [LabelKeys.managedBy]: MANAGED_BY },
        ...(provided.length > 0 ? { annotations: { [CHART_SERVICES_ANNOTATION]: formatChartServices(provided) } } : {}),
      },
      spec: {
        interval: validateDuration(this, 'interval', props.interval ?? '1h'),
        chart: {
          spec: {
            chart: props.chart,
            version: props.version,
            sourceRef: { kind: 'HelmRepository', name: props.repository.name, namespace: props.repository.namespace },
          },
        },
        ...(props.dependsOn?.length ? { dependsOn: props.dependsOn.map((d) => ({ name: d.name, namespace: d.namespace })) } : {}),
        install: { crds, remediation: { retries: 3 } },
        upgrade: { crds, remediation: { retries: 3 } },
        ...(props.values && Object.keys(props.values).length > 0 ? { values: props.values } : {}),
      },
    });
  }
}
