import { Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';

/** Props of {@link ManifestDirectory}. */
export interface ManifestDirectoryProps extends ChartProps {
  /**
   * The directory, relative to the output root, that this chart's objects are written to
   * (e.g. `infrastructure/controllers`, `apps/inference`).
   */
  readonly directory: string;
  /**
   * Subdirectories of `directory` that another tool writes (e.g. `flux-system`, which
   * `flux bootstrap` writes under its `--path`): a render carries them over from the previous
   * tree unchanged instead of deleting them, and no object may render into them.
   * @default []
   */
  readonly keptSubdirectories?: string[];
}

const SEGMENT = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;

/**
 * A cdk8s Chart that owns one directory of the rendered Flux tree. Every object in it is written
 * to `<directory>/<kind>-<name>.yaml` (namespace-prefixed when the directory mixes namespaces),
 * and the directory gets a generated `kustomization.yaml`.
 */
export class ManifestDirectory extends Chart {
  /** Returns true when `x` is a ManifestDirectory. */
  public static isManifestDirectory(x: unknown): x is ManifestDirectory {
    return typeof x === 'object' && x !== null && MANIFEST_DIRECTORY in x;
  }

  /** The nearest ManifestDirectory containing `scope`. */
  public static of(scope: IConstruct): ManifestDirectory {
    const chart = Chart.of(scope);
    if (!ManifestDirectory.isManifestDirectory(chart)) {
      throw new InvalidPropError(scope, 'scope', chart.node.path, 'objects must live in a ManifestDirectory (Tenant, FluxCluster, PlatformInfrastructure)');
    }
    return chart;
  }

  /** The output directory, relative to the root. */
  public readonly directory: string;
  /** Paths (relative to the output root) of the subdirectories a render keeps; see `keptSubdirectories`. */
  public readonly keptDirectories: readonly string[];

  constructor(scope: Construct, id: string, props: ManifestDirectoryProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    Object.defineProperty(this, MANIFEST_DIRECTORY, { value: true });
    const segments = props.directory.split('/');
    if (props.directory.startsWith('/') || segments.some((s) => !SEGMENT.test(s))) {
      throw new InvalidPropError(this, 'directory', props.directory,
        "must be a relative path of lowercase segments such as 'apps/inference' (no '..', no leading '/')");
    }
    this.directory = props.directory;
    const kept = props.keptSubdirectories ?? [];
    for (const sub of kept) {
      if (!SEGMENT.test(sub)) throw new InvalidPropError(this, 'keptSubdirectories', sub, 'each must be one lowercase path segment such as flux-system');
    }
    this.keptDirectories = kept.map((sub) => `${props.directory}/${sub}`);
  }
}

const MANIFEST_DIRECTORY = Symbol.for('lambda-gitops.ManifestDirectory');
