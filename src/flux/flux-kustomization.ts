import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsSubdomain } from '../core/names.js';
import { validateDuration } from './durations.js';
import { GitRepository } from './git-repository.js';

/** Props of {@link FluxKustomization}. */
export interface FluxKustomizationProps {
  /** `metadata.name`, e.g. `infra-controllers`. */
  readonly name: string;
  /** The source it applies from. */
  readonly source: GitRepository;
  /** Directory in the source, e.g. `./dist/apps`. */
  readonly path: string;
  /**
   * Kustomizations that must be Ready first.
   * @default []
   */
  readonly dependsOn?: FluxKustomization[];
  /**
   * Reconcile period.
   * @default '10m'
   */
  readonly interval?: string;
  /**
   * Retry period after a failure.
   * @default '2m'
   */
  readonly retryInterval?: string;
  /**
   * Timeout for build, apply and health checks.
   * @default '5m'
   */
  readonly timeout?: string;
  /**
   * Garbage-collect objects removed from the source.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Wait for every applied object to become healthy.
   * @default true
   */
  readonly wait?: boolean;
}

/** A Flux `kustomize.toolkit.fluxcd.io/v1` Kustomization. Ordering is expressed with `dependsOn`, never chart dependencies. */
export class FluxKustomization extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** Namespace (the source's). */
  public readonly namespace: string;
  /** The path in the source. */
  public readonly path: string;
  /** Names of the Kustomizations it depends on. */
  public readonly dependsOn: string[];

  constructor(scope: Construct, id: string, props: FluxKustomizationProps) {
    super(scope, id);
    this.name = validateDnsSubdomain(this, 'name', props.name);
    this.namespace = props.source.namespace;
    if (!/^\.\/[A-Za-z0-9._/-]*$/.test(props.path) || props.path.split('/').includes('..')) {
      throw new InvalidPropError(this, 'path', props.path, "must be a relative path inside the source starting with './', without '..'");
    }
    this.path = props.path;
    this.dependsOn = (props.dependsOn ?? []).map((d) => d.name);
    new ApiObject(this, 'Resource', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: this.name, namespace: this.namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
      spec: {
        ...(this.dependsOn.length > 0 ? { dependsOn: this.dependsOn.map((name) => ({ name })) } : {}),
        interval: validateDuration(this, 'interval', props.interval ?? '10m'),
        retryInterval: validateDuration(this, 'retryInterval', props.retryInterval ?? '2m'),
        timeout: validateDuration(this, 'timeout', props.timeout ?? '5m'),
        sourceRef: { kind: 'GitRepository', name: props.source.name },
        path: this.path,
        prune: props.prune ?? true,
        wait: props.wait ?? true,
      },
    });
  }
}
