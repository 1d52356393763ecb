import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import { validateDuration } from './durations.js';

/** Props of {@link GitRepository}. */
export interface GitRepositoryProps {
  /**
   * `metadata.name`.
   * @default 'flux-system'
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /** Repository URL: `https://`, `http://` or `ssh://` (Flux rejects scp-like `git@host:repo` and `file://`). */
  readonly url: string;
  /** Branch to track; always explicit because Flux defaults to `master`. */
  readonly branch: string;
  /**
   * How often to fetch.
   * @default '1m'
   */
  readonly interval?: string;
  /**
   * Secret with Git credentials (`username`/`password`, `bearerToken` or SSH `identity`/`known_hosts`).
   * @default - none (public repository)
   */
  readonly secretName?: string;
  /**
   * `.gitignore`-style patterns of what to exclude from the artifact.
   * @default - Flux's default exclusions
   */
  readonly ignore?: string;
  /**
   * Clone timeout.
   * @default '60s'
   */
  readonly timeout?: string;
}

/** A Flux `source.toolkit.fluxcd.io/v1` GitRepository. */
export class GitRepository extends Construct {
  /** `metadata.name`. */
  public readonly name: string;
  /** Namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: GitRepositoryProps) {
    super(scope, id);
    this.name = validateDnsSubdomain(this, 'name', props.name ?? 'flux-system');
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'flux-system');
    if (!/^(https?|ssh):\/\/\S+$/.test(props.url ?? '')) {
      throw new InvalidPropError(this, 'url', props.url,
        'must be an http://, https:// or ssh:// URL (Flux rejects scp-like git@host:repo, git:// and file://); write ssh://git@host/org/repo.git');
    }
    if (!props.branch || /\s|\.\.|^-/.test(props.branch)) {
      throw new InvalidPropError(this, 'branch', props.branch, 'must name a branch explicitly (Flux defaults to master), e.g. main');
    }
    new ApiObject(this, 'Resource', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: this.name, namespace: this.namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
      spec: {
        interval: validateDuration(this, 'interval', props.interval ?? '1m'),
        timeout: validateDuration(this, 'timeout', props.timeout ?? '60s'),
        url: props.url,
        ref: { branch: props.branch },
        ...(props.secretName ? { secretRef: { name: validateDnsSubdomain(this, 'secretName', props.secretName) } } : {}),
        ...(props.ignore ? { ignore: props.ignore } : {}),
      },
    });
  }
}
