/**
 * The cluster model document: node pools of Lambda instance types with their labels, taints,
 * reservations, time-slicing and prices. The same document is rendered into the tree (ConfigMap
 * data key `cluster.yaml`) and accepted by `lambda-gitops plan --cluster FILE`.
 *
 * Input fields an author writes: `name`, `hoursPerMonth`, and per pool `name`, `instanceType`,
 * `nodes`, `labels`, `taints`, `timeSlicingReplicas`, `reserved`, `capacity` (overrides of the
 * catalog figures) and `price`. Derived fields (`gpu`, `allocatable`) are written by the renderer;
 * when a document carries them they must match what the input fields give, so a hand-edited
 * document never silently disagrees with itself.
 */
import { isQuantity, parseQuantity } from '../core/quantity.js';
import { GPU_RESOURCE, NodeLabels } from '../core/labels.js';
import { isLambdaInstanceType, LAMBDA_INSTANCE_TYPE_NAMES, lambdaInstanceType, PriceReading } from './instance-types.js';
import { defaultReservation } from './reservations.js';
import { readStorageClasses, type StorageClassModel } from './storage-classes.js';

/** ConfigMap data key holding the model as YAML (here, not in cluster-model.ts, so reading a model never loads cdk8s). */
export const CLUSTER_MODEL_DATA_KEY = 'cluster.yaml';
/** apiVersion of the cluster model document. */
export const CLUSTER_MODEL_API_VERSION = 'lambda-gitops.dev/v1alpha1';
/** kind of the cluster model document. */
export const CLUSTER_MODEL_KIND = 'ClusterModel';
/** Default hours in a month for cost figures (365 * 24 / 12). */
export const DEFAULT_HOURS_PER_MONTH = 730;
/** The kubelet's default `--max-pods`. */
export const DEFAULT_MAX_PODS = 110;
/** Node label naming the pool a node belongs to. */
export const NODE_POOL_LABEL = 'lambda-gitops.dev/node-pool';
/** Default value of the GPU taint `nvidia.com/gpu` on GPU pools. */
export const GPU_TAINT_VALUE = 'present';

/** Taint effects. */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** A node taint. */
export interface NodeTaint {
  readonly key: string;
  /** @default '' */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** Resources of a node as Kubernetes quantity strings, keyed by resource name. */
export interface NodeResources {
  readonly cpu: string;
  readonly memory: string;
  /** Absent when the local disk size of the instance type is unknown (then it is not checked). */
  readonly 'ephemeral-storage'?: string;
  readonly 'nvidia.com/gpu': string;
  readonly pods: string;
}

/** System reservation per node. */
export interface NodeReservation {
  readonly cpu: string;
  readonly memory: string;
  readonly 'ephemeral-storage'?: string;
}

/** GPUs of a node of a pool. */
export interface NodePoolGpus {
  /** GPU model from the catalog (undefined for CPU pools). */
  readonly model?: string;
  /** Memory per GPU in GiB. */
  readonly memoryGiB?: number;
  /** Physical GPUs per node. */
  readonly physicalPerNode: number;
  /** Time-slicing replicas per physical GPU (1 = no time-slicing). */
  readonly timeSlicingReplicas: number;
  /** `nvidia.com/gpu` advertised per node: physical GPUs x replicas. */
  readonly advertisedPerNode: number;
}

/** A resolved node pool: every field filled in. */
export interface NodePoolModel {
  readonly name: string;
  readonly instanceType: string;
  readonly nodes: number;
  /** Time-slicing replicas per physical GPU (1 = none). */
  readonly timeSlicingReplicas: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly gpu: NodePoolGpus;
  readonly capacity: NodeResources;
  readonly reserved: NodeReservation;
  readonly allocatable: NodeResources;
  readonly price: PriceReading;
}

/** The resolved cluster model document. */
export interface ClusterModelDocument {
  readonly apiVersion: typeof CLUSTER_MODEL_API_VERSION;
  readonly kind: typeof CLUSTER_MODEL_KIND;
  readonly name: string;
  readonly hoursPerMonth: number;
  /**
   * The Lambda region the cluster's nodes run in (e.g. `us-east-1`); `plan --catalog` reports
   * whether that region has capacity now for each pool's instance type. Absent when not declared.
   * @default - none: capacity now is not checked
   */
  readonly region?: string;
  readonly pools: readonly NodePoolModel[];
  /** StorageClasses the cluster offers (rendered by the ClusterModel unless `preinstalled`); absent means none. */
  readonly storageClasses?: readonly StorageClassModel[];
}

/**
 * Lambda Cloud public region codes (`PublicRegionCode` in Lambda's OpenAPI description 1.8.3,
 * schemas/lambda/openapi-instance-types.json).
 */
export const LAMBDA_REGIONS: readonly string[] = Object.freeze([
  'us-east-1', 'us-east-2', 'us-east-3', 'us-west-1', 'us-west-2', 'us-west-3', 'us-south-1', 'us-south-2', 'us-south-3',
  'us-midwest-1', 'us-midwest-2', 'europe-central-1', 'asia-south-1', 'australia-east-1', 'me-west-1', 'asia-northeast-1', 'asia-northeast-2',
]);

/** One problem in a cluster model, with the dotted path of the field. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Result of {@link resolveClusterModel}: the model, or the problems that prevent it. */
export type ResolveResult = { readonly model: ClusterModelDocument; readonly problems: readonly [] } | { readonly model?: undefined; readonly problems: readonly FieldProblem[] };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Most nodes a cluster model may hold, over all pools: Kubernetes' documented limit for one cluster
 * (https://kubernetes.io/docs/setup/best-practices/cluster-large/). The planner builds every node,
 * so a typo such as `nodes: 100000000` would otherwise exhaust the memory of plan and check.
 */
export const MAX_CLUSTER_NODES = 5000;

const POOL_KEYS = ['name', 'instanceType', 'nodes', 'labels', 'taints', 'timeSlicingReplicas', 'reserved', 'capacity', 'price', 'gpu', 'allocatable'];
const TOP_KEYS = ['apiVersion', 'kind', 'name', 'hoursPerMonth', 'region', 'pools', 'storageClasses'];
const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** Formats millicores as a CPU quantity (`30`, `29620m`). */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Formats bytes as a binary quantity (`200Gi`, `194130Mi`, or plain bytes). */
export function formatBytes(bytes: number): string {
  if (bytes !== 0 && bytes % GIB === 0) return `${bytes / GIB}Gi`;
  if (bytes !== 0 && bytes % MIB === 0) return `${bytes / MIB}Mi`;
  if (bytes !== 0 && bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return String(bytes);
}

/** CPU quantity to millicores, rounded up like the API server does. */
export function cpuMillis(quantity: string | number): number {
  return Math.ceil(parseQuantity(quantity) * 1000 - 1e-9);
}

/** Memory/storage quantity to whole bytes (rounded up). */
export function bytesOf(quantity: string | number): number {
  return Math.ceil(parseQuantity(quantity) - 1e-9);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Collects problems while reading an untyped document. */
class Reader {
  public readonly problems: FieldProblem[] = [];

  public fail(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  public unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(path ? `${path}.${key}` : key, `unknown field; allowed fields: ${allowed.join(', ')}`);
    }
  }

  public integer(value: unknown, field: string, min: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.fail(field, `must be a whole number >= ${min}, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  public quantity(value: unknown, field: string): string | undefined {
    if (value === undefined) return undefined;
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !isQuantity(text) || parseQuantity(text) < 0) {
      this.fail(field, `must be a non-negative Kubernetes quantity such as "500m", "8Gi" or 2, got ${describe(value)}`);
      return undefined;
    }
    return text;
  }
}

function readLabels(reader: Reader, value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    reader.fail(field, `must be a map of label name to string value, got ${describe(value)}`);
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!LABEL_NAME.test(key) || key.length > 316) reader.fail(`${field}.${key}`, 'is not a valid label name ([prefix/]name)');
    else if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) reader.fail(`${field}.${key}`, `must be a label value string (<= 63 characters of [A-Za-z0-9-_.]), got ${describe(v)}`);
    else labels[key] = v;
  }
  return labels;
}

function readTaints(reader: Reader, value: unknown, field: string): NodeTaint[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    reader.fail(field, `must be a list of {key, value, effect}, got ${describe(value)}`);
    return [];
  }
  const taints: NodeTaint[] = [];
  value.forEach((t, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(t)) return reader.fail(at, `must be an object {key, value, effect}, got ${describe(t)}`);
    reader.unknownKeys(t, ['key', 'value', 'effect'], at);
    if (typeof t.key !== 'string' || !LABEL_NAME.test(t.key)) return reader.fail(`${at}.key`, `must be a label-style key, got ${describe(t.key)}`);
    if (t.value !== undefined && (typeof t.value !== 'string' || !LABEL_VALUE.test(t.value))) return reader.fail(`${at}.value`, `must be a label value string, got ${describe(t.value)}`);
    if (!TAINT_EFFECTS.includes(t.effect as TaintEffect)) return reader.fail(`${at}.effect`, `must be one of ${TAINT_EFFECTS.join(', ')}, got ${describe(t.effect)}`);
    taints.push({ key: t.key, value: (t.value as string | undefined) ?? '', effect: t.effect as TaintEffect });
  });
  return taints;
}

function readPrice(reader: Reader, value: unknown, field: string, catalog: PriceReading): PriceReading {
  if (value === undefined) return catalog;
  if (!isRecord(value)) {
    reader.fail(field, `must be {hourlyUsd, readOn, source}, got ${describe(value)}`);
    return catalog;
  }
  reader.unknownKeys(value, ['hourlyUsd', 'readOn', 'source'], field);
  const { hourlyUsd, readOn, source } = value;
  if (typeof hourlyUsd !== 'number' || !Number.isFinite(hourlyUsd) || hourlyUsd < 0) {
    reader.fail(`${field}.hourlyUsd`, `must be a non-negative number of USD per instance-hour, got ${describe(hourlyUsd)}`);
    return catalog;
  }
  if (readOn !== undefined && (typeof readOn !== 'string' || !DATE.test(readOn))) reader.fail(`${field}.readOn`, `must be an ISO date YYYY-MM-DD, got ${describe(readOn)}`);
  if (source !== undefined && typeof source !== 'string') reader.fail(`${field}.source`, `must be a string, got ${describe(source)}`);
  if (hourlyUsd === catalog.hourlyUsd && readOn === undefined && source === undefined) return catalog;
  return {
    hourlyUsd,
    readOn: typeof readOn === 'string' ? readOn : 'unknown',
    source: typeof source === 'string' ? source : 'override in the cluster model',
  };
}

function sameQuantity(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return isQuantity(a) && isQuantity(b) && Math.abs(parseQuantity(a) - parseQuantity(b)) < 1e-6;
}

/** Labels every node of a pool carries before the author's labels are applied. */
export function derivedPoolLabels(poolName: string, instanceTypeName: string, timeSlicingReplicas: number): Record<string, string> {
  const type = lambdaInstanceType(instanceTypeName);
  const labels: Record<string, string> = {
    [NodeLabels.instanceType]: type.name,
    [NODE_POOL_LABEL]: poolName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': type.architecture,
  };
  if (type.gpus > 0 && type.gpuProductLabel) {
    const shared = timeSlicingReplicas > 1;
    // GFD appends -SHARED to the product label under time-slicing without renameByDefault.
    labels[NodeLabels.gpuProduct] = shared ? `${type.gpuProductLabel}-SHARED` : type.gpuProductLabel;
    labels['nvidia.com/gpu.count'] = String(type.gpus);
    labels['nvidia.com/gpu.replicas'] = String(timeSlicingReplicas);
    labels['nvidia.com/gpu.sharing-strategy'] = shared ? 'time-slicing' : 'none';
    // Set by node-feature-discovery (deployed with GFD), not by GFD; GFD never sets nvidia.com/gpu.present.
    labels['feature.node.kubernetes.io/pci-10de.present'] = 'true';
  }
  return labels;
}

function readPool(reader: Reader, value: unknown, at: string, seen: Set<string>): NodePoolModel | undefined {
  if (!isRecord(value)) {
    reader.fail(at, `must be an object with name, instanceType and nodes, got ${describe(value)}`);
    return undefined;
  }
  reader.unknownKeys(value, POOL_KEYS, at);
  const before = reader.problems.length;
  const name = value.name;
  if (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > 40) {
    reader.fail(`${at}.name`, `must be a DNS label of at most 40 characters (lowercase letters, digits, '-'), got ${describe(name)}`);
  } else if (seen.has(name)) {
    reader.fail(`${at}.name`, `duplicate pool name ${describe(name)}`);
  } else {
    seen.add(name);
  }
  const typeName = value.instanceType;
  if (typeof typeName !== 'string' || !isLambdaInstanceType(typeName)) {
    reader.fail(`${at}.instanceType`, `unknown Lambda instance type ${describe(typeName)}; valid names: ${LAMBDA_INSTANCE_TYPE_NAMES.join(', ')}`);
    return undefined;
  }
  const type = lambdaInstanceType(typeName);
  const nodes = value.nodes === undefined ? (reader.fail(`${at}.nodes`, 'is required (a whole number >= 0)'), 0) : reader.integer(value.nodes, `${at}.nodes`, 0, 0);
  const replicas = reader.integer(value.timeSlicingReplicas, `${at}.timeSlicingReplicas`, 1, 1);
  if (replicas > 1 && type.gpus === 0) reader.fail(`${at}.timeSlicingReplicas`, `is ${replicas} but ${type.name} has no GPU to time-slice`);
  const labels = { ...derivedPoolLabels(typeof name === 'string' ? name : 'pool', type.name, replicas), ...readLabels(reader, value.labels, `${at}.labels`) };
  const taints = readTaints(reader, value.taints, `${at}.taints`)
    ?? (type.gpus > 0 ? [{ key: NodeLabels.gpuTaintKey, value: GPU_TAINT_VALUE, effect: 'NoSchedule' as const }] : []);

  const advertised = type.gpus * replicas;
  const diskBytes = type.localDiskGiB !== undefined ? type.localDiskGiB * GIB : undefined;
  const capacityInput = value.capacity === undefined ? {} : value.capacity;
  if (!isRecord(capacityInput)) reader.fail(`${at}.capacity`, `must be a map of resource name to quantity, got ${describe(capacityInput)}`);
  const cap = isRecord(capacityInput) ? capacityInput : {};
  if (isRecord(capacityInput)) reader.unknownKeys(cap, ['cpu', 'memory', 'ephemeral-storage', GPU_RESOURCE, 'pods'], `${at}.capacity`);
  const capCpu = reader.quantity(cap.cpu, `${at}.capacity.cpu`) ?? String(type.vcpus);
  const capMemory = reader.quantity(cap.memory, `${at}.capacity.memory`) ?? `${type.memoryGiB}Gi`;
  const capDisk = reader.quantity(cap['ephemeral-storage'], `${at}.capacity.ephemeral-storage`) ?? (diskBytes !== undefined ? formatBytes(diskBytes) : undefined);
  const capPods = reader.integer(typeof cap.pods === 'string' && /^\d+$/.test(cap.pods) ? Number(cap.pods) : cap.pods, `${at}.capacity.pods`, 1, DEFAULT_MAX_PODS);
  const capGpu = reader.quantity(cap[GPU_RESOURCE], `${at}.capacity.${GPU_RESOURCE}`);
  if (capGpu !== undefined && !sameQuantity(capGpu, String(advertised))) {
    reader.fail(`${at}.capacity.${GPU_RESOURCE}`, `is ${capGpu} but ${type.name} advertises ${type.gpus} GPU(s) x ${replicas} time-slicing replica(s) = ${advertised}; set timeSlicingReplicas instead`);
  }
  const reservedInput = value.reserved === undefined ? {} : value.reserved;
  if (!isRecord(reservedInput)) reader.fail(`${at}.reserved`, `must be {cpu, memory, ephemeral-storage}, got ${describe(reservedInput)}`);
  const res = isRecord(reservedInput) ? reservedInput : {};
  if (isRecord(reservedInput)) reader.unknownKeys(res, ['cpu', 'memory', 'ephemeral-storage'], `${at}.reserved`);
  const resCpu = reader.quantity(res.cpu, `${at}.reserved.cpu`);
  const resMemory = reader.quantity(res.memory, `${at}.reserved.memory`);
  const resDisk = reader.quantity(res['ephemeral-storage'], `${at}.reserved.ephemeral-storage`);
  const price = readPrice(reader, value.price, `${at}.price`, type.price);
  if (reader.problems.length > before) return undefined;

  const capacityCpu = cpuMillis(capCpu);
  const capacityMemory = bytesOf(capMemory);
  const capacityDisk = capDisk !== undefined ? bytesOf(capDisk) : undefined;
  const defaults = defaultReservation(capacityCpu, capacityMemory, capacityDisk ?? 0);
  const reservedCpu = resCpu !== undefined ? cpuMillis(resCpu) : defaults.cpuMillis;
  const reservedMemory = resMemory !== undefined ? bytesOf(resMemory) : defaults.memoryBytes;
  const reservedDisk = resDisk !== undefined ? bytesOf(resDisk) : defaults.ephemeralStorageBytes;
  if (reservedCpu > capacityCpu) reader.fail(`${at}.reserved.cpu`, `${formatCpu(reservedCpu)} exceeds the node's CPU capacity ${formatCpu(capacityCpu)}`);
  if (reservedMemory > capacityMemory) reader.fail(`${at}.reserved.memory`, `${formatBytes(reservedMemory)} exceeds the node's memory capacity ${formatBytes(capacityMemory)}`);
  if (capacityDisk !== undefined && reservedDisk > capacityDisk) reader.fail(`${at}.reserved.ephemeral-storage`, `${formatBytes(reservedDisk)} exceeds the node's local disk ${formatBytes(capacityDisk)}`);

  const capacity: NodeResources = {
    cpu: formatCpu(capacityCpu),
    memory: formatBytes(capacityMemory),
    ...(capacityDisk !== undefined ? { 'ephemeral-storage': formatBytes(capacityDisk) } : {}),
    [GPU_RESOURCE]: String(advertised),
    pods: String(capPods),
  } as NodeResources;
  const reserved: NodeReservation = {
    cpu: formatCpu(reservedCpu),
    memory: formatBytes(reservedMemory),
    ...(capacityDisk !== undefined ? { 'ephemeral-storage': formatBytes(reservedDisk) } : {}),
  };
  const allocatable: NodeResources = {
    cpu: formatCpu(capacityCpu - reservedCpu),
    memory: formatBytes(capacityMemory - reservedMemory),
    ...(capacityDisk !== undefined ? { 'ephemeral-storage': formatBytes(capacityDisk - reservedDisk) } : {}),
    [GPU_RESOURCE]: String(advertised),
    pods: String(capPods),
  } as NodeResources;
  const gpu: NodePoolGpus = {
    ...(type.gpuModel !== undefined ? { model: type.gpuModel, memoryGiB: type.gpuMemoryGiB } : {}),
    physicalPerNode: type.gpus,
    timeSlicingReplicas: replicas,
    advertisedPerNode: advertised,
  };
  checkDerived(reader, value.allocatable, allocatable as unknown as Record<string, string>, `${at}.allocatable`, 'capacity - reserved');
  checkDerived(reader, value.gpu, gpu as unknown as Record<string, unknown>, `${at}.gpu`, 'the instance type and timeSlicingReplicas');
  if (reader.problems.length > before) return undefined;
  return { name: name as string, instanceType: type.name, nodes, timeSlicingReplicas: replicas, labels, taints, gpu, capacity, reserved, allocatable, price };
}

/** A derived field present in the input must equal the computed one. */
function checkDerived(reader: Reader, given: unknown, computed: Record<string, unknown>, field: string, from: string): void {
  if (given === undefined) return;
  if (!isRecord(given)) {
    reader.fail(field, `must be an object (derived from ${from}); remove it to let it be computed`);
    return;
  }
  for (const key of Object.keys(given)) {
    const a = given[key];
    const b = computed[key];
    const same = a === b || ((typeof a === 'string' || typeof a === 'number') && typeof b === 'string' && sameQuantity(String(a), b));
    if (!same) {
      reader.fail(`${field}.${key}`, `is ${describe(a)} but ${from} gives ${describe(b)}; remove the field to let it be computed, or fix the inputs`);
    }
  }
}

/**
 * Validates a cluster model document (parsed YAML/JSON or built by the construct) and fills in
 * every derived field from the Lambda catalog. Never throws for bad input: it returns the
 * problems, each naming the dotted field path.
 */
export function resolveClusterModel(input: unknown): ResolveResult {
  const reader = new Reader();
  if (!isRecord(input)) return { problems: [{ field: '(document)', message: `must be a ClusterModel object with pools, got ${describe(input)}` }] };
  reader.unknownKeys(input, TOP_KEYS, '');
  if (input.apiVersion !== undefined && input.apiVersion !== CLUSTER_MODEL_API_VERSION) reader.fail('apiVersion', `must be ${CLUSTER_MODEL_API_VERSION}, got ${describe(input.apiVersion)}`);
  if (input.kind !== undefined && input.kind !== CLUSTER_MODEL_KIND) reader.fail('kind', `must be ${CLUSTER_MODEL_KIND}, got ${describe(input.kind)}`);
  const name = input.name ?? 'cluster';
  if (typeof name !== 'string' || !DNS_LABEL.test(name)) reader.fail('name', `must be a DNS label, got ${describe(name)}`);
  const hours = input.hoursPerMonth ?? DEFAULT_HOURS_PER_MONTH;
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 744) reader.fail('hoursPerMonth', `must be a number of hours in (0, 744], got ${describe(hours)}`);
  const region = input.region;
  if (region !== undefined && (typeof region !== 'string' || !LAMBDA_REGIONS.includes(region))) reader.fail('region', `must be a Lambda region code (${LAMBDA_REGIONS.join(', ')}), got ${describe(region)}`);
  const pools: NodePoolModel[] = [];
  if (!Array.isArray(input.pools) || input.pools.length === 0) {
    reader.fail('pools', `must be a non-empty list of node pools, got ${describe(input.pools)}`);
  } else {
    const seen = new Set<string>();
    input.pools.forEach((p, i) => {
      const pool = readPool(reader, p, `pools[${i}]`, seen);
      if (pool) pools.push(pool);
    });
  }
  const totalNodes = pools.reduce((sum, pool) => sum + pool.nodes, 0);
  if (totalNodes > MAX_CLUSTER_NODES) {
    const largest = pools.reduce((a, b) => (b.nodes > a.nodes ? b : a));
    reader.fail(`pools[${pools.indexOf(largest)}].nodes`, `is ${largest.nodes}, ${totalNodes} nodes in all pools: more than the ${MAX_CLUSTER_NODES} nodes Kubernetes supports in one cluster (and the planner simulates); is the number a typo?`);
  }
  const storage = readStorageClasses(input.storageClasses);
  for (const problem of storage.problems) reader.fail(problem.field, problem.message);
  if (reader.problems.length > 0) return { problems: reader.problems };
  return {
    model: {
      apiVersion: CLUSTER_MODEL_API_VERSION, kind: CLUSTER_MODEL_KIND, name: name as string, hoursPerMonth: hours as number,
      ...(region !== undefined ? { region: region as string } : {}), pools,
      ...(storage.classes.length > 0 ? { storageClasses: storage.classes } : {}),
    },
    problems: [],
  };
}
