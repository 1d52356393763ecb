import { Construct } from 'constructs';
import { InvalidPropError, pathOfChild } from '../core/errors.js';
import { FLUX_BOOTSTRAP_DIRECTORY } from '../core/flux-bootstrap-files.js';
import { validateDnsLabel } from '../core/names.js';
import { ManifestDirectory } from '../layout/manifest-directory.js';
import { FluxKustomization } from './flux-kustomization.js';
import { GitRepository } from './git-repository.js';

/** Props of {@link FluxCluster}. */
export interface FluxClusterProps {
  /** Cluster name; its Flux objects are written to `clusters/<clusterName>/`. */
  readonly clusterName: string;
  /** URL of the Git repository Flux pulls (`https://`, `http://` or `ssh://`). */
  readonly repositoryUrl: string;
  /**
   * Branch Flux tracks.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * Where the rendered tree sits inside that repository: `dist` when Flux reads this project's
   * own repository, `''` when the tree is published to the root of a separate GitOps repository.
   * @default 'dist'
   */
  readonly treePath?: string;
  /**
   * Secret in `flux-system` with the Git credentials.
   * @default 'flux-system' (the one `flux bootstrap` creates)
   */
  readonly secretName?: string;
  /**
   * Reconcile interval of the layered Kustomizations.
   * @default '10m'
   */
  readonly interval?: string;
  /**
   * Timeout of each layer's apply and health checks (GPU servers load models slowly).
   * @default '15m'
   */
  readonly timeout?: string;
}

/**
 * The Flux entry point of a cluster, laid out like fluxcd/flux2-kustomize-helm-example:
 * `clusters/<name>/` holds the GitRepository and three Kustomizations applied in order with
 * `dependsOn`: `infra-controllers` (operators and CRDs) -> `infra-configs` (custom resources
 * that need them) -> `apps` (tenant namespaces and workloads). All prune and wait.
 * Create the directories those layers read with {@link controllers}, {@link configs} and Tenants.
 * What `flux bootstrap --path=<treePath>/clusters/<name>` commits (`flux-system/`) is kept across
 * renders and not listed in the generated kustomization: its gotk-sync.yaml defines the same
 * GitRepository and Kustomization `flux-system` this construct renders.
 */
export class FluxCluster extends ManifestDirectory {
  /** The GitRepository. */
  public readonly source: GitRepository;
  /** Root Kustomization that applies `clusters/<name>` itself. */
  public readonly root: FluxKustomization;
  /** Layer 1: operators. */
  public readonly infraControllers: FluxKustomization;
  /** Layer 2: cluster configuration that needs the operators' CRDs. */
  public readonly infraConfigs: FluxKustomization;
  /** Layer 3: tenant namespaces and workloads. */
  public readonly apps: FluxKustomization;
  /** Output directory of layer 1. */
  public readonly controllers: ManifestDirectory;
  /** Output directory of layer 2. */
  public readonly configs: ManifestDirectory;

  constructor(scope: Construct, id: string, props: FluxClusterProps) {
    const clusterName = validateDnsLabel(pathOfChild(scope, id), 'clusterName', props.clusterName);
    super(scope, id, { directory: `clusters/${clusterName}`, keptSubdirectories: [FLUX_BOOTSTRAP_DIRECTORY] });
    const treePath = props.treePath ?? 'dist';
    if (treePath !== '' && !/^[a-z0-9][-a-z0-9_./]*$/.test(treePath)) {
      throw new InvalidPropError(this, 'treePath', treePath, "must be '' or a relative directory such as 'dist'");
    }
    const at = (dir: string) => `./${treePath ? `${treePath.replace(/\/$/, '')}/` : ''}${dir}`;
    const interval = props.interval ?? '10m';
    const timeout = props.timeout ?? '15m';
    this.source = new GitRepository(this, 'Source', {
      url: props.repositoryUrl,
      branch: props.branch ?? 'main',
      secretName: props.secretName ?? 'flux-system',
      ...(treePath ? { ignore: `/*\n!/${treePath}/\n` } : {}),
    });
    this.root = new FluxKustomization(this, 'Root', {
      name: 'flux-system', source: this.source, path: at(`clusters/${clusterName}`), interval, timeout: '5m', wait: false,
    });
    this.infraControllers = new FluxKustomization(this, 'InfraControllers', {
      name: 'infra-controllers', source: this.source, path: at('infrastructure/controllers'), interval, timeout,
    });
    this.infraConfigs = new FluxKustomization(this, 'InfraConfigs', {
      name: 'infra-configs', source: this.source, path: at('infrastructure/configs'), interval, timeout, dependsOn: [this.infraControllers],
    });
    this.apps = new FluxKustomization(this, 'Apps', {
      name: 'apps', source: this.source, path: at('apps'), interval, timeout, dependsOn: [this.infraConfigs],
    });
    this.controllers = new ManifestDirectory(scope, `${id}Controllers`, { directory: 'infrastructure/controllers' });
    this.configs = new ManifestDirectory(scope, `${id}Configs`, { directory: 'infrastructure/configs' });
  }
}
