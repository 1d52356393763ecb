/**
 * Applies a live Lambda catalog (`lambda-gitops catalog refresh`) to a cluster model: pools on the
 * built-in catalog's price take the live price (a price set on the pool is kept), and each pool is
 * checked for capacity now in the region the model names.
 */
import type { ClusterModelDocument, NodePoolModel } from '../cluster/cluster-model-document.js';
import { isLambdaInstanceType, lambdaInstanceType } from '../cluster/instance-types.js';
import { livePrice, type LiveCatalog } from '../cluster/lambda-catalog.js';

/** Whether a pool's instance type can be launched now in the model's region. */
export interface PoolCapacityNow {
  readonly pool: string;
  readonly instanceType: string;
  /** The region checked (the cluster model's); undefined when the model names none. */
  readonly region?: string;
  /** True/false when the region is known and the type is offered; undefined otherwise. */
  readonly available?: boolean;
  /** False when the live catalog does not list the instance type at all. */
  readonly offered: boolean;
  /** Every region with capacity for the type now. */
  readonly regionsWithCapacity: readonly string[];
}

/** Capacity now, per pool, from a live catalog. */
export interface CapacityNow {
  readonly fetchedAt: string;
  readonly source: string;
  readonly region?: string;
  readonly pools: readonly PoolCapacityNow[];
}

/** The model repriced from the live catalog, the capacity per pool, and what the reader should know. */
export interface LiveCatalogResult {
  readonly model: ClusterModelDocument;
  readonly capacity: CapacityNow;
  readonly warnings: readonly string[];
}

function onBuiltInPrice(pool: NodePoolModel): boolean {
  if (!isLambdaInstanceType(pool.instanceType)) return false;
  const builtIn = lambdaInstanceType(pool.instanceType).price;
  return pool.price.hourlyUsd === builtIn.hourlyUsd && pool.price.readOn === builtIn.readOn && pool.price.source === builtIn.source;
}

/** Reprices a model from a live catalog and reports capacity now in the model's region. */
export function applyLiveCatalog(model: ClusterModelDocument, catalog: LiveCatalog): LiveCatalogResult {
  const warnings: string[] = [];
  const capacity: PoolCapacityNow[] = [];
  const pools = model.pools.map((pool) => {
    const live = Object.prototype.hasOwnProperty.call(catalog.instanceTypes, pool.instanceType) ? catalog.instanceTypes[pool.instanceType] : undefined;
    const regions = live?.regionsWithCapacity ?? [];
    capacity.push({
      pool: pool.name, instanceType: pool.instanceType, ...(model.region ? { region: model.region } : {}),
      ...(model.region && live ? { available: regions.includes(model.region) } : {}), offered: live !== undefined, regionsWithCapacity: regions,
    });
    if (!live) {
      warnings.push(`pool ${pool.name}: ${pool.instanceType} is not in the live catalog fetched ${catalog.fetchedAt} (Lambda no longer offers it?); the price stays ${pool.price.readOn}'s`);
      return pool;
    }
    if (model.region && !regions.includes(model.region)) {
      warnings.push(`pool ${pool.name}: no capacity for ${pool.instanceType} in ${model.region} at ${catalog.fetchedAt}${regions.length > 0 ? ` (capacity in ${regions.join(', ')})` : ' (none in any region)'}; new nodes cannot be launched there now`);
    }
    const builtIn = lambdaInstanceType(pool.instanceType);
    if (live.vcpus !== builtIn.vcpus || live.memoryGiB !== builtIn.memoryGiB || live.gpus !== builtIn.gpus) {
      warnings.push(`pool ${pool.name}: the live catalog gives ${pool.instanceType} ${live.vcpus} vCPU, ${live.memoryGiB} GiB, ${live.gpus} GPU(s); the built-in catalog has ${builtIn.vcpus} vCPU, ${builtIn.memoryGiB} GiB, ${builtIn.gpus}: set the pool's capacity if the nodes differ`);
    }
    if (!onBuiltInPrice(pool)) return pool; // a price set on the pool wins
    return { ...pool, price: livePrice(catalog, pool.instanceType)! };
  });
  if (!model.region) warnings.push(`the cluster model names no region: capacity now is not checked (set ClusterModel region, e.g. 'us-east-1')`);
  return {
    model: { ...model, pools },
    capacity: { fetchedAt: catalog.fetchedAt, source: catalog.source, ...(model.region ? { region: model.region } : {}), pools: capacity },
    warnings,
  };
}
