/**
 * `planCapacity`: does everything in a rendered tree fit on the cluster at maximum scale, how full
 * is each node pool, and what does it cost.
 */
import { GPU_RESOURCE } from '../core/labels.js';
import { formatBytes, formatCpu, type ClusterModelDocument, type NodePoolModel } from '../cluster/cluster-model-document.js';
import { clusterModelFromConfigMap, isClusterModelConfigMap } from '../cluster/cluster-model-file.js';
import type { LiveCatalog } from '../cluster/lambda-catalog.js';
import { cloudPeersOf } from './cloud-prices.js';
import { applyLiveCatalog, type CapacityNow } from './live-prices.js';
import { CLOUD_REMEDY, DEFAULT_MAX_PRICE_AGE_DAYS, priceAgeDays, priceAgeWarning } from './price-age.js';
import type { GpuUtilization } from './utilization.js';
import { simulateDrains, type NodeDrain } from './drain.js';
import { nodesOf, schedule, type Simulation, type SimNode } from './scheduler.js';
import { amountOf, gpusOf } from './resources.js';
import { timeSlicingWarnings } from './time-slicing-check.js';
import { asManifestObjects, PlanInputError, readTree, type PlanInput, type PodGroup, type TreeFacts } from './workloads.js';

/** Requested vs allocatable of one resource in a pool. */
export interface ResourceUsage {
  readonly requested: number;
  readonly allocatable: number;
  /** requested / allocatable, 0..1 (4 decimals); 0 when nothing is allocatable. */
  readonly utilization: number;
}

/** GPU usage of a pool; with time-slicing the counts are shared slots. */
export interface GpuUsage extends ResourceUsage {
  /** Physical GPUs in the pool. */
  readonly physical: number;
  /** Time-slicing replicas per physical GPU (1 = whole GPUs). */
  readonly timeSlicingReplicas: number;
  /** Requested slots expressed in physical GPUs (requested / replicas). */
  readonly physicalRequested: number;
}

/** One node pool in the report. CPU in cores, memory in GiB. */
export interface PoolReport {
  readonly name: string;
  readonly instanceType: string;
  readonly nodes: number;
  readonly gpu: GpuUsage;
  readonly cpu: ResourceUsage;
  readonly memory: ResourceUsage;
  /** Pods placed on the pool. */
  readonly pods: number;
}

/** Pods of one workload that cannot be placed. */
export interface UnschedulableWorkload {
  /** `Kind/namespace/name`. */
  readonly resource: string;
  readonly replicas: number;
  /** kube-scheduler's message for the first such pod. */
  readonly reason: string;
}

/** One hard limit of a ResourceQuota against the namespace's workloads at maximum scale. */
export interface QuotaCheck {
  readonly namespace: string;
  readonly quota: string;
  readonly resource: string;
  readonly hard: string;
  /** What the namespace's pods request (or limit) at maximum scale, same units as `hard`. */
  readonly used: string;
  readonly exceeded: boolean;
  /** Why the quota rejects pods (admission's words), when it does. */
  readonly reason?: string;
}

/** Monthly cost of a pool. */
export interface PoolCost {
  readonly pool: string;
  readonly instanceType: string;
  readonly nodes: number;
  readonly hourlyUsd: number;
  readonly priceReadOn: string;
  readonly priceSource: string;
  /** Whole days from `priceReadOn` to the day the plan was made; absent when the price has no date. */
  readonly priceAgeDays?: number;
  readonly monthlyUsd: number;
}

/**
 * What one GPU-hour costs: at list price, per GPU-hour allocated to pods at maximum scale, and,
 * given a measured utilization, per GPU-hour the GPUs were actually busy.
 */
export interface GpuHourCost {
  /** Physical GPUs in the GPU pools. */
  readonly gpus: number;
  /** Physical GPUs requested by pods at maximum scale (time-sliced slots / replicas). */
  readonly allocatedGpus: number;
  /** Monthly cost of the GPU pools. */
  readonly gpuPoolsMonthlyUsd: number;
  /** GPU pools' cost / (GPUs x hours). */
  readonly usdPerGpuHour: number;
  /** GPU pools' cost / (allocated GPUs x hours); absent when nothing requests a GPU. */
  readonly usdPerAllocatedGpuHour?: number;
  /** Measured busy share of the GPU pools' GPUs (0..1), when given. */
  readonly utilization?: number;
  readonly utilizationSource?: string;
  /** GPU pools' cost / (utilization x GPUs x hours), when a utilization is given. */
  readonly usdPerUtilizedGpuHour?: number;
}

/** GPU use of a namespace; GPU-hours are physical GPU-hours per month (a time-sliced slot is 1/replicas). */
export interface NamespaceGpuCost {
  readonly gpusAtMax: number;
  readonly gpusAtMin: number;
  readonly gpuHoursAtMax: number;
  readonly gpuHoursAtMin: number;
  /** Share of the GPU nodes' price those GPU-hours represent. */
  readonly usdAtMax: number;
  readonly usdAtMin: number;
}

/** A GPU pool's price against a comparable cloud offer for the same number of GPUs. */
export interface CloudAlternative {
  readonly pool: string;
  readonly provider: string;
  readonly offer: string;
  readonly region: string;
  readonly gpu: string;
  readonly gpus: number;
  readonly usdPerGpuHour: number;
  readonly monthlyUsd: number;
  readonly lambdaMonthlyUsd: number;
  /** (lambda - alternative) / alternative in percent: negative means Lambda is cheaper. */
  readonly lambdaDifferencePercent: number;
  readonly readOn: string;
  /** Whole days from `readOn` to the day the plan was made. */
  readonly priceAgeDays?: number;
  readonly source: string;
}

/** A workload stranded when one node of a pool is drained. */
export interface DrainStranded {
  /** The drained node. */
  readonly node: string;
  /** `Kind/namespace/name`. */
  readonly resource: string;
  /** Pods with no place after the drain. */
  readonly unplaced: number;
  /** `namespace/name` of the PodDisruptionBudget that makes the drain hang, if any. */
  readonly pdb?: string;
  readonly reason: string;
  /** True when the pods wait for the drained node because node-local volumes bind them to it. */
  readonly waitsForNode?: boolean;
}

/** The drain simulation of one pool: each of its nodes drained in turn. */
export interface PoolDrain {
  readonly pool: string;
  readonly nodes: number;
  /** Most pods one drain of this pool's nodes evicts (DaemonSet pods excluded). */
  readonly maxEvicted: number;
  /** True when draining some node of the pool never finishes (a PDB-protected workload has nowhere to go). */
  readonly hangs: boolean;
  /** Workloads left without a place (with a PDB: the drain hangs; without: pods stay Pending). */
  readonly stranded: readonly DrainStranded[];
}

/** The plan. */
export interface PlanReport {
  /** Per pool, what draining one of its nodes does (simulated for every node). */
  readonly drains: readonly PoolDrain[];
  readonly fits: boolean;
  readonly pools: readonly PoolReport[];
  readonly unschedulable: readonly UnschedulableWorkload[];
  readonly quotas: readonly QuotaCheck[];
  readonly cost: {
    readonly monthlyUsd: number;
    readonly hoursPerMonth: number;
    readonly pools: readonly PoolCost[];
    readonly perNamespace: Readonly<Record<string, NamespaceGpuCost>>;
    readonly alternatives: readonly CloudAlternative[];
    /** GPU-hour costs (absent when the cluster has no GPU pools). */
    readonly gpuHour?: GpuHourCost;
    /** The day price ages are counted to (YYYY-MM-DD). */
    readonly pricesAgedOn: string;
    /** Age in days past which a price is warned about. */
    readonly maxPriceAgeDays: number;
  };
  /** Capacity now per pool, with a live catalog (`plan --catalog`). */
  readonly capacityNow?: CapacityNow;
  readonly cluster: string;
  readonly warnings: readonly string[];
}

/** Options of {@link planCapacity} and {@link simulatePlan}. */
export interface PlanOptions {
  /**
   * A live catalog (`lambda-gitops catalog refresh`): pools on the built-in price take its price,
   * and each pool is checked for capacity now in the cluster model's region.
   * @default - none: built-in (or pool) prices, capacity not checked
   */
  readonly catalog?: LiveCatalog;
  /**
   * The day price ages are counted to.
   * @default - the current date
   */
  readonly now?: Date;
  /**
   * Age in days past which a price gets a warning.
   * @default 60
   */
  readonly maxPriceAgeDays?: number;
  /**
   * Measured GPU utilization, for the cost per utilized GPU-hour.
   * @default - none: only the list and allocation-based GPU-hour costs
   */
  readonly utilization?: GpuUtilization;
}

/** The plan plus the simulation behind it (placements), for tests and tools. */
export interface PlanResult {
  readonly report: PlanReport;
  readonly simulation: Simulation;
  readonly facts: TreeFacts;
  /** The drain of every node of the placement (the report shows them per pool). */
  readonly nodeDrains: readonly NodeDrain[];
}

const round = (value: number, places: number): number => {
  const f = 10 ** places;
  return Math.round(value * f) / f;
};
const GIB = 2 ** 30;

function usage(requested: number, allocatable: number, unit: number, places: number): ResourceUsage {
  return {
    requested: round(requested / unit, places),
    allocatable: round(allocatable / unit, places),
    utilization: allocatable > 0 ? round(requested / allocatable, 4) : 0,
  };
}

/**
 * Finds the cluster model ConfigMap in a tree.
 * @throws PlanInputError when there is none or more than one
 * @throws ClusterModelError when it is invalid
 */
export function clusterModelOfTree(inputs: readonly PlanInput[]): ClusterModelDocument {
  const found = asManifestObjects(inputs).filter((e) => isClusterModelConfigMap(e.object));
  if (found.length === 0) {
    throw new PlanInputError('(tree)', 'cluster model', 'ConfigMap', "no ConfigMap labelled lambda-gitops.dev/cluster-model: \"true\" in the tree; declare a ClusterModel in the app or pass --cluster FILE");
  }
  if (found.length > 1) {
    throw new PlanInputError(found[1].source.file, 'cluster model', 'ConfigMap', `more than one cluster model ConfigMap (also ${found[0].source.file}); keep one or pass --cluster FILE`);
  }
  return clusterModelFromConfigMap(found[0].object, found[0].source.file);
}

/** Runs the simulation and returns the plan with its placements. */
export function simulatePlan(manifests: readonly PlanInput[], cluster?: ClusterModelDocument, options: PlanOptions = {}): PlanResult {
  const declared = cluster ?? clusterModelOfTree(manifests);
  const live = options.catalog ? applyLiveCatalog(declared, options.catalog) : undefined;
  const model = live?.model ?? declared;
  const facts = readTree(manifests);
  const simulation = schedule(facts.groups, nodesOf(model), facts.namespaceLabels);
  return planOf(facts, model, simulation, simulateDrains(facts, model, simulation), options, live);
}

/**
 * The plan of a tree's facts from its maximum-scale placement on `model` and the drains of that
 * placement (computed once per tree and shared with the gate rules, see tree-capacity.ts).
 * @throws PlanInputError for a malformed ResourceQuota
 */
export function planOf(
  facts: TreeFacts, model: ClusterModelDocument, simulation: Simulation, nodeDrains: readonly NodeDrain[], options: PlanOptions = {},
  live?: ReturnType<typeof applyLiveCatalog>,
): PlanResult {
  const nodes = simulation.nodes;
  const warnings = [...facts.warnings, ...timeSlicingWarnings(model, facts.objects), ...(live?.warnings ?? [])];
  for (const pool of model.pools) {
    if (pool.allocatable['ephemeral-storage'] === undefined) warnings.push(`pool ${pool.name}: local disk of ${pool.instanceType} is unknown, ephemeral-storage requests are not checked (set capacity.ephemeral-storage)`);
  }

  const pools = model.pools.map((pool) => poolReport(pool, nodes.filter((n) => n.pool === pool.name)));
  const { unschedulable, quotas } = fitOf(facts, simulation);
  const now = options.now ?? new Date();
  const maxAge = options.maxPriceAgeDays ?? DEFAULT_MAX_PRICE_AGE_DAYS;
  const cost = costOf(model, facts.groups, simulation, pools, now, maxAge, options.utilization);
  for (const c of cost.pools) {
    const w = priceAgeWarning(`pool ${c.pool} (${c.instanceType} at $${c.hourlyUsd}/h)`, c.priceReadOn, c.priceAgeDays, maxAge);
    if (w) warnings.push(w);
  }
  for (const offer of new Map(cost.alternatives.map((a) => [a.offer, a])).values()) {
    const w = priceAgeWarning(`cloud comparison ${offer.provider} ${offer.offer}`, offer.readOn, offer.priceAgeDays, maxAge, CLOUD_REMEDY);
    if (w) warnings.push(w);
  }
  const fits = unschedulable.length === 0 && quotas.every((q) => !q.exceeded);
  const drains = drainsByPool(model, nodeDrains);
  const report: PlanReport = { fits, pools, unschedulable, quotas, drains, cost, ...(live ? { capacityNow: live.capacity } : {}), cluster: model.name, warnings };
  return { report, simulation, facts, nodeDrains };
}

/**
 * Plans capacity for a rendered tree: places every pod at maximum scale on the cluster model (the
 * tree's cluster model ConfigMap unless `cluster` is given), checks quotas, and prices the pools.
 * @throws PlanInputError / ClusterModelError for bad input (CLI exit 2)
 */
export function planCapacity(manifests: readonly PlanInput[], cluster?: ClusterModelDocument, options: PlanOptions = {}): PlanReport {
  return simulatePlan(manifests, cluster, options).report;
}

/**
 * What the placement leaves unscheduled and how the namespaces' workloads stand against their
 * quotas at maximum scale (the `capacity-fit` rule's verdicts; the plan reports them too).
 * @throws PlanInputError for a malformed ResourceQuota
 */
export function fitOf(facts: TreeFacts, simulation: Simulation): { unschedulable: UnschedulableWorkload[]; quotas: QuotaCheck[] } {
  return { unschedulable: unschedulableOf(simulation), quotas: quotaChecks(facts, simulation) };
}

function drainsByPool(model: ClusterModelDocument, drains: readonly NodeDrain[]): PoolDrain[] {
  return model.pools.map((pool) => {
    const mine = drains.filter((d) => d.pool === pool.name);
    return {
      pool: pool.name,
      nodes: pool.nodes,
      maxEvicted: mine.reduce((m, d) => Math.max(m, d.evicted), 0),
      hangs: mine.some((d) => d.hangs),
      stranded: mine.flatMap((d) => d.stranded.map((s) => ({ node: d.node, resource: s.resource, unplaced: s.unplaced, ...(s.hangs && s.pdb ? { pdb: s.pdb } : {}), reason: s.reason, ...(s.nodeLocalClaims ? { waitsForNode: true } : {}) }))),
    };
  });
}

function poolReport(pool: NodePoolModel, nodes: readonly SimNode[]): PoolReport {
  const sum = (pick: (n: SimNode) => number): number => nodes.reduce((s, n) => s + pick(n), 0);
  const gpuRequested = sum((n) => n.requested[GPU_RESOURCE] ?? 0);
  const gpuAllocatable = sum((n) => n.allocatable[GPU_RESOURCE] ?? 0);
  const replicas = pool.gpu.timeSlicingReplicas;
  return {
    name: pool.name,
    instanceType: pool.instanceType,
    nodes: pool.nodes,
    gpu: {
      ...usage(gpuRequested, gpuAllocatable, 1, 0),
      physical: pool.gpu.physicalPerNode * pool.nodes,
      timeSlicingReplicas: replicas,
      physicalRequested: round(gpuRequested / replicas, 2),
    },
    cpu: usage(sum((n) => n.requested.cpu ?? 0), sum((n) => n.allocatable.cpu ?? 0), 1000, 3),
    memory: usage(sum((n) => n.requested.memory ?? 0), sum((n) => n.allocatable.memory ?? 0), GIB, 2),
    pods: sum((n) => n.pods.length),
  };
}

function unschedulableOf(simulation: Simulation): UnschedulableWorkload[] {
  const byGroup = new Map<string, { replicas: number; reason: string }>();
  for (const f of simulation.failures) {
    const entry = byGroup.get(f.pod.group.id);
    if (entry) entry.replicas += 1;
    else byGroup.set(f.pod.group.id, { replicas: 1, reason: f.message });
  }
  return [...byGroup].map(([resource, e]) => ({ resource, replicas: e.replicas, reason: e.reason }));
}

/** How many pods of each group exist at maximum scale (DaemonSets: one per admitted node). */
export function podCounts(simulation: Simulation): Map<PodGroup, number> {
  const counts = new Map<PodGroup, number>();
  for (const p of [...simulation.placed.map((x) => x.pod), ...simulation.failures.map((f) => f.pod)]) counts.set(p.group, (counts.get(p.group) ?? 0) + 1);
  return counts;
}

const QUOTA_RESOURCES: Readonly<Record<string, { pick: 'requests' | 'limits'; resource: string }>> = {
  cpu: { pick: 'requests', resource: 'cpu' },
  memory: { pick: 'requests', resource: 'memory' },
  'ephemeral-storage': { pick: 'requests', resource: 'ephemeral-storage' },
};

/** A resource amount in the units a ResourceQuota is written in (cores, bytes as Gi/Mi, counts). */
export function formatAmount(resource: string, amount: number): string {
  if (resource === 'cpu') return formatCpu(amount);
  if (resource === 'memory' || resource === 'ephemeral-storage') return formatBytes(amount);
  return String(amount);
}

function quotaChecks(facts: TreeFacts, simulation: Simulation): QuotaCheck[] {
  const counts = podCounts(simulation);
  const checks: QuotaCheck[] = [];
  for (const quota of facts.quotas) {
    const groups = facts.groups.filter((g) => g.namespace === quota.namespace);
    for (const [key, hardValue] of Object.entries(quota.hard)) {
      let pick: 'requests' | 'limits' | 'pods';
      let resource: string;
      if (key === 'pods') {
        pick = 'pods';
        resource = 'pods';
      } else if (QUOTA_RESOURCES[key]) {
        ({ pick, resource } = QUOTA_RESOURCES[key]);
      } else if (key === 'requests.storage' || key.includes('.storageclass.storage.k8s.io/')) {
        continue; // PersistentVolumeClaim storage, not pod capacity
      } else if (key.startsWith('requests.') || key.startsWith('limits.')) {
        pick = key.startsWith('requests.') ? 'requests' : 'limits';
        resource = key.slice(pick.length + 1);
      } else {
        continue; // object counts (count/*, services, ...) are not capacity
      }
      let hard: number;
      try {
        hard = amountOf(resource, hardValue, `spec.hard.${key}`);
        if (!Number.isFinite(hard)) throw new Error('not a number');
      } catch {
        throw new PlanInputError(quota.file, `ResourceQuota ${quota.namespace}/${quota.name}`, `spec.hard.${key}`, `${JSON.stringify(hardValue)} is not a valid quantity`, quota.object);
      }
      let used = 0;
      const missingLimits: string[] = [];
      for (const g of groups) {
        const n = counts.get(g) ?? 0;
        if (n === 0) continue;
        if (pick === 'pods') used += n;
        else used += (g[pick][resource] ?? 0) * n;
        if (pick === 'limits' && g.unlimited.includes(resource)) missingLimits.push(g.id);
      }
      const over = used > hard;
      let reason: string | undefined;
      if (missingLimits.length > 0) {
        reason = `failed quota: ${quota.name}: must specify ${key} (${missingLimits.join(', ')})`;
      } else if (over) {
        reason = `exceeded quota: ${quota.name}, requested: ${key}=${formatAmount(resource, used)}, used: ${key}=0, limited: ${key}=${String(hardValue)}`;
      }
      checks.push({
        namespace: quota.namespace, quota: quota.name, resource: key, hard: String(hardValue), used: formatAmount(resource, used),
        exceeded: over || missingLimits.length > 0, ...(reason ? { reason } : {}),
      });
    }
  }
  return checks;
}


function costOf(
  model: ClusterModelDocument, groups: readonly PodGroup[], simulation: Simulation, poolReports: readonly PoolReport[],
  now: Date, maxPriceAgeDays: number, utilization: GpuUtilization | undefined,
): PlanReport['cost'] {
  const hours = model.hoursPerMonth;
  const ageOf = (readOn: string) => {
    const age = priceAgeDays(readOn, now);
    return age === undefined ? {} : { priceAgeDays: age };
  };
  const pools: PoolCost[] = model.pools.map((p) => ({
    pool: p.name, instanceType: p.instanceType, nodes: p.nodes, hourlyUsd: p.price.hourlyUsd, priceReadOn: p.price.readOn, priceSource: p.price.source,
    ...ageOf(p.price.readOn), monthlyUsd: round(p.nodes * p.price.hourlyUsd * hours, 2),
  }));
  const poolByName = new Map(model.pools.map((p) => [p.name, p]));
  /** Physical GPUs and USD/hour of one pod's GPU slots on a pool. */
  const gpuShare = (slots: number, pool: NodePoolModel | undefined): { physical: number; usdPerHour: number } => {
    if (!pool || pool.gpu.physicalPerNode === 0) return { physical: slots, usdPerHour: 0 };
    const physical = slots / pool.gpu.timeSlicingReplicas;
    return { physical, usdPerHour: (physical * pool.price.hourlyUsd) / pool.gpu.physicalPerNode };
  };
  const perNamespace: Record<string, { gpusAtMax: number; gpusAtMin: number; gpuHoursAtMax: number; gpuHoursAtMin: number; usdAtMax: number; usdAtMin: number }> = {};
  const ensure = (ns: string) => (perNamespace[ns] ??= { gpusAtMax: 0, gpusAtMin: 0, gpuHoursAtMax: 0, gpuHoursAtMin: 0, usdAtMax: 0, usdAtMin: 0 });
  /**
   * Every pod of a group at maximum scale, placed ones first (in placement order), then the
   * unschedulable ones (no pool: their GPU-hours count as demand, but nothing pays for them).
   * Minimum scale is the first `minReplicas` of these pods, so it can never cost more than the
   * maximum: it used to price `minReplicas` pods at the first pool's price even when the
   * simulation had placed fewer of them (10 replicas, 1 placed: $547.50 at max, $5,475.00 at min).
   */
  const podsOf = new Map<PodGroup, (NodePoolModel | undefined)[]>();
  const podsOfGroup = (g: PodGroup) => podsOf.get(g) ?? podsOf.set(g, []).get(g)!;
  for (const { pod, node } of simulation.placed) podsOfGroup(pod.group).push(poolByName.get(node.pool));
  for (const f of simulation.failures) podsOfGroup(f.pod.group).push(undefined);
  for (const g of groups) {
    const e = ensure(g.namespace);
    const slots = gpusOf(g.requests);
    const pods = podsOf.get(g) ?? [];
    const atMin = g.daemon ? pods.length : Math.min(g.minReplicas, pods.length);
    pods.forEach((pool, i) => {
      const share = gpuShare(slots, pool);
      const usdPerHour = pool ? share.usdPerHour : 0;
      e.gpusAtMax += slots;
      e.gpuHoursAtMax += share.physical * hours;
      e.usdAtMax += usdPerHour * hours;
      if (i >= atMin) return;
      e.gpusAtMin += slots;
      e.gpuHoursAtMin += share.physical * hours;
      e.usdAtMin += usdPerHour * hours;
    });
  }
  const sortedNamespaces: Record<string, NamespaceGpuCost> = {};
  for (const ns of Object.keys(perNamespace).sort()) {
    const e = perNamespace[ns];
    sortedNamespaces[ns] = {
      gpusAtMax: e.gpusAtMax, gpusAtMin: e.gpusAtMin,
      gpuHoursAtMax: round(e.gpuHoursAtMax, 1), gpuHoursAtMin: round(e.gpuHoursAtMin, 1),
      usdAtMax: round(e.usdAtMax, 2), usdAtMin: round(e.usdAtMin, 2),
    };
  }
  const alternatives: CloudAlternative[] = [];
  for (const p of model.pools) {
    const gpus = p.gpu.physicalPerNode * p.nodes;
    if (gpus === 0) continue;
    const lambdaMonthly = p.nodes * p.price.hourlyUsd * hours;
    for (const offer of cloudPeersOf(p.gpu.model)) {
      const monthly = gpus * offer.usdPerGpuHour * hours;
      alternatives.push({
        pool: p.name, provider: offer.provider, offer: offer.offer, region: offer.region, gpu: offer.gpu, gpus,
        usdPerGpuHour: offer.usdPerGpuHour, monthlyUsd: round(monthly, 2), lambdaMonthlyUsd: round(lambdaMonthly, 2),
        lambdaDifferencePercent: round(((lambdaMonthly - monthly) / monthly) * 100, 1), readOn: offer.readOn, ...ageOf(offer.readOn), source: offer.source,
      });
    }
  }
  const gpuHour = gpuHourCost(model, poolReports, utilization);
  return {
    monthlyUsd: round(pools.reduce((s, p) => s + p.nodes * p.hourlyUsd * hours, 0), 2),
    hoursPerMonth: hours,
    pools,
    perNamespace: sortedNamespaces,
    alternatives,
    ...(gpuHour ? { gpuHour } : {}),
    pricesAgedOn: now.toISOString().slice(0, 10),
    maxPriceAgeDays,
  };
}


/** List, allocation-based and (with a measured utilization) utilization-based cost of a GPU-hour. */
function gpuHourCost(model: ClusterModelDocument, poolReports: readonly PoolReport[], utilization: GpuUtilization | undefined): GpuHourCost | undefined {
  const hours = model.hoursPerMonth;
  const gpuPools = model.pools.filter((p) => p.gpu.physicalPerNode > 0 && p.nodes > 0);
  const gpus = gpuPools.reduce((s, p) => s + p.gpu.physicalPerNode * p.nodes, 0);
  if (gpus === 0) return undefined;
  const monthly = gpuPools.reduce((s, p) => s + p.nodes * p.price.hourlyUsd * hours, 0);
  const gpuPoolNames = new Set(gpuPools.map((p) => p.name));
  const allocated = round(poolReports.filter((r) => gpuPoolNames.has(r.name)).reduce((s, r) => s + r.gpu.physicalRequested, 0), 2);
  return {
    gpus,
    allocatedGpus: allocated,
    gpuPoolsMonthlyUsd: round(monthly, 2),
    usdPerGpuHour: round(monthly / (gpus * hours), 4),
    ...(allocated > 0 ? { usdPerAllocatedGpuHour: round(monthly / (allocated * hours), 4) } : {}),
    ...(utilization
      ? { utilization: round(utilization.fraction, 4), utilizationSource: utilization.source, usdPerUtilizedGpuHour: round(monthly / (utilization.fraction * gpus * hours), 4) }
      : {}),
  };
}
