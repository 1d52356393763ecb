import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import jsYaml from 'js-yaml';
import { InvalidPropError } from '../core/errors.js';
import { GPU_RESOURCE, LabelKeys, MANAGED_BY } from '../core/labels.js';
import { ManifestDirectory } from '../layout/manifest-directory.js';
import type { TimeSlicingProfileData } from '../gpu/time-slicing-config.js';
import { clusterScopedDirectory } from '../secrets/cluster-scoped.js';
import { DEFAULT_STORAGE_CLASS_ANNOTATION, readStorageClasses, type ReclaimPolicy, type StorageClassModel, type VolumeBindingMode } from './storage-classes.js';
import {
  CLUSTER_MODEL_API_VERSION, CLUSTER_MODEL_DATA_KEY, CLUSTER_MODEL_KIND, ClusterModelDocument, DEFAULT_HOURS_PER_MONTH, NodePoolModel, NodeTaint, resolveClusterModel,
} from './cluster-model-document.js';

/** Name of the ConfigMap that carries the cluster model. */
export const CLUSTER_MODEL_CONFIGMAP_NAME = 'cluster-model';
/** Default namespace of the cluster model ConfigMap (exists wherever Flux runs). */
export const CLUSTER_MODEL_NAMESPACE = 'flux-system';
export { CLUSTER_MODEL_DATA_KEY };

/** Props of {@link NodePool}. */
export interface NodePoolProps {
  /** Lambda instance type of every node, e.g. `gpu_1x_a10` (see `LAMBDA_INSTANCE_TYPES`). */
  readonly instanceType: string;
  /** Number of nodes in the pool (Lambda on-demand has no cluster autoscaler: this is the fleet). */
  readonly nodes: number;
  /**
   * Extra node labels, merged over the derived ones (`node.kubernetes.io/instance-type`,
   * `lambda-gitops.dev/node-pool`, `kubernetes.io/os`/`arch` and, on GPU pools, the GPU Feature
   * Discovery labels `nvidia.com/gpu.product`/`count`/`replicas`/`sharing-strategy` and
   * NFD's `feature.node.kubernetes.io/pci-10de.present`).
   * @default - only the derived labels
   */
  readonly labels?: Record<string, string>;
  /**
   * Node taints. Pass `[]` for an untainted GPU pool.
   * @default - GPU pools: `nvidia.com/gpu=present:NoSchedule`; CPU pools: none
   */
  readonly taints?: NodeTaint[];
  /**
   * Time-slicing replicas per physical GPU; the device plugin then advertises
   * GPUs x replicas as `nvidia.com/gpu` and GFD appends `-SHARED` to the product label.
   * Keep it equal to the replicas of the device plugin's time-slicing config.
   * @default 1 (no time-slicing)
   */
  readonly timeSlicingReplicas?: number;
  /**
   * A profile of the device plugin's time-slicing config (`GpuTimeSlicingConfig.profiles`): sets
   * `timeSlicingReplicas` and adds the profile's node labels (`nvidia.com/device-plugin.config`),
   * so the model and the device plugin cannot disagree. Profiles that rename the resource to
   * `nvidia.com/gpu.shared` are not modelled.
   * @default - no profile label; `timeSlicingReplicas` alone decides
   */
  readonly timeSlicingProfile?: TimeSlicingProfileData;
  /**
   * Per-node system reservation (kube-reserved + system-reserved + hard eviction).
   * @default - 80m + 1% CPU; 330Mi + 5% memory + 100Mi eviction; 10% of the local disk
   */
  readonly reserved?: { readonly cpu?: string; readonly memory?: string; readonly ephemeralStorage?: string };
  /**
   * Overrides of the catalog's node capacity, for when the real nodes differ from the catalog
   * (e.g. an A10 node reporting 226Gi of memory).
   * @default - the catalog figures, 110 pods
   */
  readonly capacity?: { readonly cpu?: string; readonly memory?: string; readonly ephemeralStorage?: string; readonly pods?: number };
  /**
   * On-demand price per instance-hour in USD.
   * @default - the catalog price of the instance type
   */
  readonly hourlyPriceUsd?: number;
  /**
   * ISO date (YYYY-MM-DD) the `hourlyPriceUsd` override was read.
   * @default 'unknown'
   */
  readonly priceReadOn?: string;
  /**
   * Where the `hourlyPriceUsd` override was read.
   * @default 'override in the cluster model'
   */
  readonly priceSource?: string;
}

/** The document fields of a pool's props. */
function poolInput(name: string, props: NodePoolProps): Record<string, unknown> {
  const input: Record<string, unknown> = { name, instanceType: props.instanceType, nodes: props.nodes };
  const profile = props.timeSlicingProfile;
  if (props.labels !== undefined || profile !== undefined) input.labels = { ...(profile?.nodeLabels ?? {}), ...(props.labels ?? {}) };
  if (props.taints !== undefined) input.taints = props.taints;
  const replicas = props.timeSlicingReplicas ?? profile?.replicas;
  if (replicas !== undefined) input.timeSlicingReplicas = replicas;
  if (props.reserved !== undefined) {
    input.reserved = dropUndefined({ cpu: props.reserved.cpu, memory: props.reserved.memory, 'ephemeral-storage': props.reserved.ephemeralStorage });
  }
  if (props.capacity !== undefined) {
    input.capacity = dropUndefined({ cpu: props.capacity.cpu, memory: props.capacity.memory, 'ephemeral-storage': props.capacity.ephemeralStorage, pods: props.capacity.pods });
  }
  if (props.hourlyPriceUsd !== undefined || props.priceReadOn !== undefined || props.priceSource !== undefined) {
    input.price = dropUndefined({ hourlyUsd: props.hourlyPriceUsd, readOn: props.priceReadOn, source: props.priceSource });
  }
  return input;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Document field names back to prop names, for error messages. */
function propName(field: string): string {
  return field.replace(/^pools\[0\]\./, '')
    .replace(/^price\.hourlyUsd$/, 'hourlyPriceUsd').replace(/^price\.readOn$/, 'priceReadOn').replace(/^price\.source$/, 'priceSource').replace(/^price$/, 'hourlyPriceUsd')
    .replace(/\.ephemeral-storage$/, '.ephemeralStorage');
}

/** One node pool of the cluster: `count` nodes of one Lambda instance type. */
export class NodePool extends Construct {
  /** The resolved pool (labels, taints, capacity, allocatable, price). */
  public readonly model: NodePoolModel;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    const profile = props.timeSlicingProfile;
    if (profile && profile.resourceName !== GPU_RESOURCE) {
      throw new InvalidPropError(this, 'timeSlicingProfile', profile.name, `profile advertises ${profile.resourceName}; only profiles that keep ${GPU_RESOURCE} (renameByDefault: false) are modelled`);
    }
    if (profile && props.timeSlicingReplicas !== undefined && props.timeSlicingReplicas !== profile.replicas) {
      throw new InvalidPropError(this, 'timeSlicingReplicas', props.timeSlicingReplicas, `must equal the replicas of timeSlicingProfile '${profile.name}' (${profile.replicas}), or be left out`);
    }
    const result = resolveClusterModel({ pools: [poolInput(id, props)] });
    if (!result.model) {
      const problem = result.problems[0];
      const prop = propName(problem.field);
      throw new InvalidPropError(this, prop, valueAt(props, prop), problem.message);
    }
    this.model = result.model.pools[0];
  }
}

function valueAt(props: NodePoolProps, prop: string): unknown {
  if (prop === 'name') return undefined;
  let value: unknown = props;
  for (const part of prop.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part.replace(/\[\d+\]$/, '')] : undefined;
  }
  return value;
}

/** Props of {@link ClusterModel}. */
export interface ClusterModelProps {
  /**
   * Name of the cluster in the model.
   * @default 'cluster'
   */
  readonly name?: string;
  /**
   * Hours per month for the cost report.
   * @default 730
   */
  readonly hoursPerMonth?: number;
  /**
   * The Lambda region the nodes run in (a `PublicRegionCode` such as `us-east-1`). With a live
   * catalog (`lambda-gitops catalog refresh`, then `plan --catalog FILE`) the plan reports whether
   * this region has capacity now for each pool's instance type.
   * @default - none; the plan says the region is not declared and checks no capacity
   */
  readonly region?: string;
  /**
   * Namespace of the ConfigMap that carries the model.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Node pools by name (more can be added with `addNodePool`).
   * @default - none; at least one pool must be added before synth
   */
  readonly pools?: Record<string, NodePoolProps>;
  /**
   * StorageClasses of the cluster by name (more with `addStorageClass`). Each is recorded in the
   * model and, unless `preinstalled`, rendered as a StorageClass next to the model ConfigMap.
   * @default - none: claims must name a class the cluster has, and the gate fails those that do not
   */
  readonly storageClasses?: Record<string, StorageClassProps>;
}

/** Props of one StorageClass of the cluster model (see {@link ClusterModel.addStorageClass}). */
export interface StorageClassProps {
  /** Provisioner (CSI driver), e.g. `rancher.io/local-path` for node-local NVMe through local-path-provisioner. */
  readonly provisioner: string;
  /**
   * Whether claims without `storageClassName` get this class (annotation `storageclass.kubernetes.io/is-default-class`).
   * @default false
   */
  readonly default?: boolean;
  /**
   * @default 'WaitForFirstConsumer' (node-local volumes are created where the pod is scheduled)
   */
  readonly volumeBindingMode?: VolumeBindingMode;
  /** @default 'Delete' */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * Provisioner parameters.
   * @default {}
   */
  readonly parameters?: Record<string, string>;
  /**
   * The cluster already has this class (e.g. installed with its provisioner): record it in the
   * model without rendering it.
   * @default false
   */
  readonly preinstalled?: boolean;
  /**
   * Volumes of this class live on one node's disk, so a pod with such a claim can only return to
   * that node (the planner's drain simulation keeps it there).
   * @default - true for `rancher.io/local-path` and `kubernetes.io/no-provisioner`, else false
   */
  readonly nodeLocal?: boolean;
}

/**
 * The cluster's node pools, rendered as a ConfigMap (`cluster-model` in `flux-system`, labelled
 * `lambda-gitops.dev/cluster-model: "true"`, data key `cluster.yaml`) in the ManifestDirectory it
 * is created in, so `lambda-gitops plan` and the policy gate can work on the rendered tree alone.
 * Applying the ConfigMap to a cluster is harmless: nothing reads it there.
 */
export class ClusterModel extends Construct {
  /** Name of the cluster. */
  public readonly clusterName: string;
  /** Hours per month for cost figures. */
  public readonly hoursPerMonth: number;
  /** The Lambda region, when declared. */
  public readonly region?: string;
  /** The ConfigMap carrying the model. */
  public readonly configMap: k8s.KubeConfigMap;
  private readonly pools: NodePool[] = [];
  private readonly storage: StorageClassModel[] = [];

  constructor(scope: Construct, id: string, props: ClusterModelProps = {}) {
    super(scope, id);
    ManifestDirectory.of(this);
    this.clusterName = props.name ?? 'cluster';
    this.hoursPerMonth = props.hoursPerMonth ?? DEFAULT_HOURS_PER_MONTH;
    this.region = props.region;
    const check = resolveClusterModel({ name: this.clusterName, hoursPerMonth: this.hoursPerMonth, region: this.region, pools: [{ name: 'probe', instanceType: 'cpu_4x_general', nodes: 1 }] });
    if (!check.model) {
      const problem = check.problems[0];
      const given: Record<string, unknown> = { name: props.name, hoursPerMonth: props.hoursPerMonth, region: props.region };
      throw new InvalidPropError(this, problem.field, given[problem.field], problem.message);
    }
    const namespace = props.namespace ?? CLUSTER_MODEL_NAMESPACE;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new InvalidPropError(this, 'namespace', namespace, 'must be a DNS-1123 label');
    for (const [name, pool] of Object.entries(props.pools ?? {})) this.addNodePool(name, pool);
    for (const [name, storageClass] of Object.entries(props.storageClasses ?? {})) this.addStorageClass(name, storageClass);

    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: {
        name: CLUSTER_MODEL_CONFIGMAP_NAME,
        namespace,
        labels: { [LabelKeys.clusterModel]: 'true', [LabelKeys.managedBy]: MANAGED_BY },
      },
      data: { [CLUSTER_MODEL_DATA_KEY]: Lazy.any({ produce: () => jsYaml.dump(this.document, { noRefs: true, lineWidth: -1, sortKeys: false }) }) as unknown as string },
    });
    this.node.addValidation({ validate: () => (this.pools.length === 0 ? ['ClusterModel has no node pools: add at least one with addNodePool() or the pools prop'] : []) });
  }

  /** Adds a node pool; its name must be a DNS label unique in the cluster. */
  public addNodePool(name: string, props: NodePoolProps): NodePool {
    if (this.pools.some((p) => p.model.name === name)) throw new InvalidPropError(this, `pools.${name}`, name, 'a node pool with this name already exists');
    const pool = new NodePool(this, name, props);
    this.pools.push(pool);
    return pool;
  }

  /**
   * Adds a StorageClass to the model and (unless `preinstalled`) renders it. Cluster-scoped, so
   * the ClusterModel must be in a directory chart without a namespace (e.g. infrastructure/configs).
   */
  public addStorageClass(name: string, props: StorageClassProps): StorageClassModel {
    const { classes, problems } = readStorageClasses([...this.storage, { name, ...props }]);
    if (problems.length > 0) {
      const problem = problems[problems.length - 1];
      const prop = problem.field.replace(/^storageClasses(\[\d+\])?\.?/, '') || 'default';
      throw new InvalidPropError(this, `storageClasses.${name}${prop === 'name' ? '' : `.${prop}`}`, prop === 'name' ? name : (props as unknown as Record<string, unknown>)[prop], problem.message);
    }
    const model = classes[classes.length - 1];
    this.storage.push(model);
    if (!model.preinstalled) {
      clusterScopedDirectory(this, 'StorageClass', 'infrastructure/configs');
      new k8s.KubeStorageClass(this, `StorageClass-${name}`, {
        metadata: {
          name,
          labels: { [LabelKeys.managedBy]: MANAGED_BY },
          ...(model.default ? { annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: 'true' } } : {}),
        },
        provisioner: model.provisioner,
        volumeBindingMode: model.volumeBindingMode,
        reclaimPolicy: model.reclaimPolicy,
        ...(Object.keys(model.parameters).length > 0 ? { parameters: { ...model.parameters } } : {}),
      });
    }
    return model;
  }

  /** The storage classes, in the order they were added. */
  public get storageClasses(): readonly StorageClassModel[] {
    return [...this.storage];
  }

  /** The node pools, in the order they were added. */
  public get nodePools(): readonly NodePool[] {
    return [...this.pools];
  }

  /** The complete model document. */
  public get document(): ClusterModelDocument {
    return {
      apiVersion: CLUSTER_MODEL_API_VERSION,
      kind: CLUSTER_MODEL_KIND,
      name: this.clusterName,
      hoursPerMonth: this.hoursPerMonth,
      ...(this.region !== undefined ? { region: this.region } : {}),
      pools: this.pools.map((p) => p.model),
      ...(this.storage.length > 0 ? { storageClasses: [...this.storage] } : {}),
    };
  }
}
