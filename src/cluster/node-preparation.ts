/**
 * Node preparation: what every node of each pool of the cluster model needs before Flux's
 * workloads can land on it (labels, taints, the container runtime), derived from the model alone
 * and printed as ready-to-run `kubectl label` / `kubectl taint` commands.
 */
import { GPU_RESOURCE } from '../core/labels.js';
import type { ClusterModelDocument, NodePoolModel, NodeTaint } from './cluster-model-document.js';

/** Who puts a node label on the node. */
export type NodeLabelSource = 'kubelet' | 'gpu-feature-discovery' | 'administrator';

/** Labels the kubelet sets on its own Node object. */
const KUBELET_LABELS: ReadonlySet<string> = new Set(['kubernetes.io/os', 'kubernetes.io/arch', 'kubernetes.io/hostname']);

/**
 * Labels NVIDIA GPU Feature Discovery (deployed with the device plugin chart, `gfd.enabled`)
 * writes itself (k8s-device-plugin docs/gpu-feature-discovery "Generated Labels"). It does not
 * write `nvidia.com/gpu.present`, so that one is the administrator's.
 */
const GFD_LABELS: ReadonlySet<string> = new Set([
  'nvidia.com/gpu.product', 'nvidia.com/gpu.count', 'nvidia.com/gpu.replicas', 'nvidia.com/gpu.sharing-strategy',
  'nvidia.com/gpu.memory', 'nvidia.com/gpu.family', 'nvidia.com/gpu.compute.major', 'nvidia.com/gpu.compute.minor',
  'nvidia.com/gpu.machine', 'nvidia.com/gpu.mode', 'nvidia.com/mig.capable', 'nvidia.com/mig.strategy', 'nvidia.com/mps.capable',
]);

/**
 * Who sets a node label: the kubelet, GPU Feature Discovery (with node-feature-discovery, which the
 * device plugin chart deploys alongside it and which writes `feature.node.kubernetes.io/*`, e.g.
 * `pci-10de.present` on NVIDIA nodes), or the administrator (everything else).
 */
export function nodeLabelSource(key: string): NodeLabelSource {
  if (KUBELET_LABELS.has(key)) return 'kubelet';
  if (GFD_LABELS.has(key) || key.startsWith('nvidia.com/cuda.') || key.startsWith('feature.node.kubernetes.io/')) return 'gpu-feature-discovery';
  return 'administrator';
}

/** How GPU containers get the NVIDIA container runtime. */
export interface ContainerRuntimeSetting {
  /**
   * `default-runtime`: the NVIDIA runtime is containerd's default on GPU nodes (what the device
   * plugin chart expects when its `runtimeClassName` is null, the chart 0.17.4 default);
   * `runtime-class`: the NVIDIA runtime is registered as a handler and pods select it by RuntimeClass.
   */
  readonly mode: 'default-runtime' | 'runtime-class';
  /** The RuntimeClass the device plugin pods use (mode `runtime-class` only). */
  readonly runtimeClassName?: string;
  /** Where the decision comes from (file and object, or the chart default). */
  readonly basis: string;
  /** Whether the input tree already holds the RuntimeClass (mode `runtime-class` only). */
  readonly runtimeClassInTree?: boolean;
}

/** Options of {@link prepareNodes}. */
export interface NodePreparationOptions {
  /**
   * Node names per pool (`pool -> names`); a list must have exactly the pool's node count.
   * @default - names from `nodeNamePattern`
   */
  readonly nodeNames?: Readonly<Record<string, readonly string[]>>;
  /**
   * Pattern of node names for pools without explicit names: `{pool}` is the pool name, `{index}`
   * the node's index from 0.
   * @default '{pool}-{index}'
   */
  readonly nodeNamePattern?: string;
  /**
   * The runtime setting (see {@link runtimeSettingOfTree}).
   * @default - NVIDIA runtime as containerd's default (device plugin chart default runtimeClassName null)
   */
  readonly runtime?: ContainerRuntimeSetting;
}

/** What one pool's nodes need. */
export interface PoolPreparation {
  readonly pool: string;
  readonly instanceType: string;
  readonly nodes: number;
  readonly nodeNames: readonly string[];
  /** Whether the pool's instance type has GPUs. */
  readonly gpu: boolean;
  /** Labels the administrator applies (`kubectl label`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels GPU Feature Discovery writes once the device plugin runs: to verify, not to apply. */
  readonly labelsFromGpuFeatureDiscovery: Readonly<Record<string, string>>;
  /** Labels the kubelet writes. */
  readonly labelsFromKubelet: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  /** Steps to run as root on every node of the pool (container runtime). */
  readonly hostCommands: readonly string[];
  /** kubectl commands to run once against the cluster. */
  readonly kubectlCommands: readonly string[];
}

/** The whole node preparation of a cluster. */
export interface NodePreparation {
  readonly cluster: string;
  /** Where the model was read. */
  readonly source: string;
  readonly runtime: ContainerRuntimeSetting;
  /** Cluster objects to create before the GPU pools (the RuntimeClass when the tree lacks it), as YAML. */
  readonly clusterObjects: readonly string[];
  readonly pools: readonly PoolPreparation[];
}

/** A node-preparation request that cannot be met (e.g. wrong number of node names). */
export class NodePreparationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodePreparationError';
  }
}

/** The runtime when nothing in the input says otherwise: the device plugin chart's own default. */
export const DEFAULT_RUNTIME_SETTING: ContainerRuntimeSetting = {
  mode: 'default-runtime',
  basis: 'no nvidia-device-plugin HelmRelease in the input; the chart (0.17.4) defaults runtimeClassName to null, so its pods and GPU workloads use the node\'s default runtime',
};

interface TreeObject {
  readonly object: { readonly kind?: unknown; readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown }; readonly spec?: unknown };
  readonly source: { readonly file: string };
}

/**
 * Reads the runtime setting from a rendered tree: the `runtimeClassName` value of the HelmRelease
 * of the `nvidia-device-plugin` chart, and whether a RuntimeClass of that name is in the tree.
 */
export function runtimeSettingOfTree(objects: readonly TreeObject[]): ContainerRuntimeSetting {
  const release = objects.find((o) => {
    const spec = o.object.spec as { chart?: { spec?: { chart?: unknown } } } | undefined;
    return o.object.kind === 'HelmRelease' && spec?.chart?.spec?.chart === 'nvidia-device-plugin';
  });
  if (!release) return DEFAULT_RUNTIME_SETTING;
  const where = `${release.source.file} (HelmRelease ${String(release.object.metadata?.namespace ?? '')}/${String(release.object.metadata?.name ?? '')})`;
  const values = (release.object.spec as { values?: Record<string, unknown> }).values ?? {};
  const name = values.runtimeClassName;
  if (typeof name !== 'string' || name === '') {
    return { mode: 'default-runtime', basis: `${where} leaves values.runtimeClassName unset (chart default null): the device plugin and GPU pods use the node's default runtime` };
  }
  const inTree = objects.some((o) => o.object.kind === 'RuntimeClass' && o.object.metadata?.name === name);
  return { mode: 'runtime-class', runtimeClassName: name, basis: `${where} sets values.runtimeClassName: ${name}`, runtimeClassInTree: inTree };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function nodeNamesOf(pool: NodePoolModel, options: NodePreparationOptions): string[] {
  const given = options.nodeNames?.[pool.name];
  const pattern = options.nodeNamePattern ?? '{pool}-{index}';
  const names = given ? [...given] : Array.from({ length: pool.nodes }, (_, i) => pattern.replaceAll('{pool}', pool.name).replaceAll('{index}', String(i)));
  if (given && given.length !== pool.nodes) {
    throw new NodePreparationError(`pool '${pool.name}' has ${pool.nodes} node(s) in the model but ${given.length} node name(s) were given: ${given.join(', ')}`);
  }
  const bad = names.find((n) => !DNS_SUBDOMAIN.test(n) || n.length > 253);
  if (bad !== undefined) throw new NodePreparationError(`node name '${bad}' of pool '${pool.name}' is not a valid Node name (a lowercase DNS subdomain)`);
  if (new Set(names).size !== names.length) {
    throw new NodePreparationError(`node names of pool '${pool.name}' repeat (${names.join(', ')}); put {index} in the node name pattern or list the names`);
  }
  return names;
}

function taintArgument(t: NodeTaint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

function sortedEntries(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The containerd step for GPU nodes under a runtime setting. */
export function nvidiaRuntimeHostCommand(runtime: ContainerRuntimeSetting): string {
  const asDefault = runtime.mode === 'default-runtime' ? ' --set-as-default' : '';
  return `nvidia-ctk runtime configure --runtime=containerd${asDefault} && systemctl restart containerd`;
}

/** The RuntimeClass (handler `nvidia`) the device plugin needs in `runtime-class` mode, as YAML. */
export function runtimeClassYaml(name: string): string {
  return `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: ${name}\nhandler: nvidia\n`;
}

/**
 * Derives the node preparation of every pool of a cluster model: the labels the administrator
 * applies (everything in the model the kubelet and GPU Feature Discovery do not set themselves),
 * the taints, and on GPU pools the NVIDIA container runtime step.
 * @throws NodePreparationError when given node names do not fit the model
 */
export function prepareNodes(model: ClusterModelDocument, source: string, options: NodePreparationOptions = {}): NodePreparation {
  const runtime = options.runtime ?? DEFAULT_RUNTIME_SETTING;
  for (const pool of Object.keys(options.nodeNames ?? {})) {
    if (!model.pools.some((p) => p.name === pool)) {
      throw new NodePreparationError(`node names were given for pool '${pool}', which the model does not have (pools: ${model.pools.map((p) => p.name).join(', ')})`);
    }
  }
  const anyGpu = model.pools.some((p) => Number(p.capacity[GPU_RESOURCE]) > 0);
  const clusterObjects = anyGpu && runtime.mode === 'runtime-class' && runtime.runtimeClassName && !runtime.runtimeClassInTree ? [runtimeClassYaml(runtime.runtimeClassName)] : [];
  const pools = model.pools.map((pool): PoolPreparation => {
    const nodeNames = nodeNamesOf(pool, options);
    const gpu = pool.gpu.physicalPerNode > 0;
    const bySource: Record<NodeLabelSource, Record<string, string>> = { kubelet: {}, 'gpu-feature-discovery': {}, administrator: {} };
    for (const [key, value] of sortedEntries(pool.labels)) bySource[nodeLabelSource(key)][key] = value;
    const kubectlCommands: string[] = [];
    const targets = nodeNames.join(' ');
    const labelArgs = sortedEntries(bySource.administrator).map(([k, v]) => `${k}=${v}`);
    if (nodeNames.length > 0 && labelArgs.length > 0) kubectlCommands.push(`kubectl label node ${targets} --overwrite ${labelArgs.join(' ')}`);
    if (nodeNames.length > 0 && pool.taints.length > 0) kubectlCommands.push(`kubectl taint node ${targets} --overwrite ${pool.taints.map(taintArgument).join(' ')}`);
    return {
      pool: pool.name,
      instanceType: pool.instanceType,
      nodes: pool.nodes,
      nodeNames,
      gpu,
      labels: bySource.administrator,
      labelsFromGpuFeatureDiscovery: bySource['gpu-feature-discovery'],
      labelsFromKubelet: bySource.kubelet,
      taints: pool.taints,
      hostCommands: gpu ? [nvidiaRuntimeHostCommand(runtime)] : [],
      kubectlCommands,
    };
  });
  return { cluster: model.name, source, runtime, clusterObjects, pools };
}

/** Renders the preparation as a shell script: kubectl commands to run, everything else as comments. */
export function renderNodePreparationText(prep: NodePreparation): string {
  const lines: string[] = [
    `# Node preparation for cluster '${prep.cluster}' (model: ${prep.source})`,
    `# Container runtime on GPU nodes: ${prep.runtime.mode === 'default-runtime' ? 'the NVIDIA container runtime as containerd\'s default runtime' : `RuntimeClass '${prep.runtime.runtimeClassName}' (handler nvidia)`}`,
    `#   because ${prep.runtime.basis}`,
  ];
  if (prep.clusterObjects.length > 0) {
    lines.push('', '# The RuntimeClass the device plugin names (not in the tree):');
    for (const yaml of prep.clusterObjects) lines.push(`kubectl apply -f - <<'EOF'`, yaml.trimEnd(), 'EOF');
  }
  for (const pool of prep.pools) {
    lines.push('', `# pool ${pool.pool}: ${pool.nodes} x ${pool.instanceType}${pool.nodeNames.length > 0 ? ` (nodes ${pool.nodeNames.join(', ')})` : ''}`);
    for (const command of pool.hostCommands) lines.push(`# on each node of the pool, as root, before it joins (or drain it first): ${command}`);
    lines.push(...pool.kubectlCommands);
    if (pool.taints.length === 0) lines.push('# no taints');
    const gfd = sortedEntries(pool.labelsFromGpuFeatureDiscovery).map(([k, v]) => `${k}=${v}`);
    if (gfd.length > 0) lines.push(`# GPU Feature Discovery sets these once the device plugin runs (verify, do not apply): ${gfd.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
