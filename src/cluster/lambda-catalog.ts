/**
 * The live Lambda catalog: what `GET /api/v1/instance-types` returned at one moment (prices,
 * specs, the regions with capacity then), written by `lambda-gitops catalog refresh` as a dated
 * JSON file and read by `plan --catalog FILE`. The built-in catalog (instance-types.ts) stays the
 * offline default.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fsErrorReason } from '../core/fs-errors.js';
import type { PriceReading } from './instance-types.js';

/** `apiVersion` of a catalog file. */
export const LIVE_CATALOG_API_VERSION = 'lambda-gitops.dev/v1';
/** `kind` of a catalog file. */
export const LIVE_CATALOG_KIND = 'LambdaInstanceCatalog';

/** One instance type as the API described it. */
export interface LiveInstanceType {
  /** Lambda's description, e.g. `1x A10 (24 GB PCIe)`. */
  readonly description: string;
  /** Lambda's GPU description, e.g. `A10 (24 GB PCIe)`. */
  readonly gpuDescription: string;
  /** On-demand USD per instance-hour (`price_cents_per_hour / 100`). */
  readonly hourlyUsd: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly storageGiB: number;
  readonly gpus: number;
  /** Region codes that had capacity for this type when the catalog was fetched. */
  readonly regionsWithCapacity: readonly string[];
}

/** A catalog file. */
export interface LiveCatalog {
  readonly apiVersion: typeof LIVE_CATALOG_API_VERSION;
  readonly kind: typeof LIVE_CATALOG_KIND;
  /** When the API answered (ISO 8601 timestamp, UTC). */
  readonly fetchedAt: string;
  /** The URL that was read. */
  readonly source: string;
  /** Instance types by name. */
  readonly instanceTypes: Readonly<Record<string, LiveInstanceType>>;
}

/** Thrown for a catalog file or API body that does not have the expected shape; names the file (or URL) and field. */
export class LiveCatalogError extends Error {
  constructor(public readonly source: string, public readonly field: string, public readonly detail: string) {
    super(`${source}: ${field}: ${detail}`);
    this.name = 'LiveCatalogError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 80) ?? String(v));

function field<T>(source: string, obj: Record<string, unknown>, path: string, key: string, check: (v: unknown) => v is T, expected: string): T {
  const value = obj[key];
  if (!check(value)) throw new LiveCatalogError(source, `${path}.${key}`, `expected ${expected}, got ${describe(value)}`);
  return value;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isPrice = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Converts the body of `GET /api/v1/instance-types` (`{data: {<name>: {instance_type,
 * regions_with_capacity_available}}}`, Lambda OpenAPI 1.8.3) into a catalog.
 * @throws LiveCatalogError naming the field that does not match the published schema
 */
export function liveCatalogFromApiBody(body: unknown, fetchedAt: Date, source: string): LiveCatalog {
  if (!isRecord(body) || !isRecord(body.data)) throw new LiveCatalogError(source, 'data', `expected an object of instance types, got ${describe(isRecord(body) ? body.data : body)}`);
  const instanceTypes: Record<string, LiveInstanceType> = {};
  for (const [name, item] of Object.entries(body.data)) {
    const at = `data.${name}`;
    if (!isRecord(item)) throw new LiveCatalogError(source, at, `expected an object, got ${describe(item)}`);
    const type = field(source, item, at, 'instance_type', isRecord, 'an object');
    const typeAt = `${at}.instance_type`;
    const specs = field(source, type, typeAt, 'specs', isRecord, 'an object');
    const regions = field(source, item, at, 'regions_with_capacity_available', Array.isArray, 'a list of regions');
    const typeName = field(source, type, typeAt, 'name', isString, 'a string');
    if (typeName !== name) throw new LiveCatalogError(source, `${typeAt}.name`, `is ${describe(typeName)} but the entry is keyed ${describe(name)}`);
    instanceTypes[name] = {
      description: field(source, type, typeAt, 'description', isString, 'a string'),
      gpuDescription: field(source, type, typeAt, 'gpu_description', isString, 'a string'),
      hourlyUsd: field(source, type, typeAt, 'price_cents_per_hour', isCount, 'a whole number of US cents') / 100,
      vcpus: field(source, specs, `${typeAt}.specs`, 'vcpus', isCount, 'a whole number'),
      memoryGiB: field(source, specs, `${typeAt}.specs`, 'memory_gib', isCount, 'a whole number'),
      storageGiB: field(source, specs, `${typeAt}.specs`, 'storage_gib', isCount, 'a whole number'),
      gpus: field(source, specs, `${typeAt}.specs`, 'gpus', isCount, 'a whole number'),
      regionsWithCapacity: regions.map((r, i) => {
        if (!isRecord(r)) throw new LiveCatalogError(source, `${at}.regions_with_capacity_available[${i}]`, `expected {name, description}, got ${describe(r)}`);
        return field(source, r, `${at}.regions_with_capacity_available[${i}]`, 'name', isString, 'a region code');
      }),
    };
  }
  return { apiVersion: LIVE_CATALOG_API_VERSION, kind: LIVE_CATALOG_KIND, fetchedAt: fetchedAt.toISOString(), source, instanceTypes };
}

/**
 * Parses a catalog file's text.
 * @throws LiveCatalogError naming the file and field
 */
export function parseLiveCatalog(text: string, file: string): LiveCatalog {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new LiveCatalogError(file, '(document)', `not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) throw new LiveCatalogError(file, '(document)', `expected a ${LIVE_CATALOG_KIND} object, got ${describe(doc)}`);
  if (doc.apiVersion !== LIVE_CATALOG_API_VERSION) throw new LiveCatalogError(file, 'apiVersion', `expected ${LIVE_CATALOG_API_VERSION}, got ${describe(doc.apiVersion)}`);
  if (doc.kind !== LIVE_CATALOG_KIND) throw new LiveCatalogError(file, 'kind', `expected ${LIVE_CATALOG_KIND}, got ${describe(doc.kind)}`);
  const fetchedAt = field(file, doc, '', 'fetchedAt', isString, 'an ISO 8601 timestamp');
  if (!/^\d{4}-\d{2}-\d{2}T/.test(fetchedAt) || Number.isNaN(Date.parse(fetchedAt))) throw new LiveCatalogError(file, 'fetchedAt', `expected an ISO 8601 timestamp, got ${describe(fetchedAt)}`);
  const source = field(file, doc, '', 'source', isString, 'a URL');
  const types = field(file, doc, '', 'instanceTypes', isRecord, 'an object of instance types');
  const instanceTypes: Record<string, LiveInstanceType> = {};
  for (const [name, t] of Object.entries(types)) {
    const at = `instanceTypes.${name}`;
    if (!isRecord(t)) throw new LiveCatalogError(file, at, `expected an object, got ${describe(t)}`);
    const regions = field(file, t, at, 'regionsWithCapacity', Array.isArray, 'a list of region codes');
    regions.forEach((r, i) => {
      if (typeof r !== 'string') throw new LiveCatalogError(file, `${at}.regionsWithCapacity[${i}]`, `expected a region code, got ${describe(r)}`);
    });
    instanceTypes[name] = {
      description: field(file, t, at, 'description', isString, 'a string'),
      gpuDescription: field(file, t, at, 'gpuDescription', isString, 'a string'),
      hourlyUsd: field(file, t, at, 'hourlyUsd', isPrice, 'a non-negative number of USD per hour'),
      vcpus: field(file, t, at, 'vcpus', isCount, 'a whole number'),
      memoryGiB: field(file, t, at, 'memoryGiB', isCount, 'a whole number'),
      storageGiB: field(file, t, at, 'storageGiB', isCount, 'a whole number'),
      gpus: field(file, t, at, 'gpus', isCount, 'a whole number'),
      regionsWithCapacity: regions as string[],
    };
  }
  return { apiVersion: LIVE_CATALOG_API_VERSION, kind: LIVE_CATALOG_KIND, fetchedAt, source, instanceTypes };
}

/**
 * Reads a catalog file.
 * @throws LiveCatalogError when it cannot be read or is invalid
 */
export function loadLiveCatalogFile(path: string): LiveCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LiveCatalogError(path, '(file)', `cannot read: ${fsErrorReason(error)}`);
  }
  return parseLiveCatalog(text, path);
}

/** Writes a catalog file (pretty JSON, instance types sorted by name). */
export function writeLiveCatalogFile(path: string, catalog: LiveCatalog): void {
  const sorted = Object.fromEntries(Object.keys(catalog.instanceTypes).sort().map((k) => [k, catalog.instanceTypes[k]]));
  writeFileSync(path, `${JSON.stringify({ ...catalog, instanceTypes: sorted }, null, 2)}\n`);
}

/** The price of an instance type in a live catalog, dated with the day it was fetched (undefined when the type is not offered). */
export function livePrice(catalog: LiveCatalog, instanceType: string): PriceReading | undefined {
  const type = Object.prototype.hasOwnProperty.call(catalog.instanceTypes, instanceType) ? catalog.instanceTypes[instanceType] : undefined;
  if (!type) return undefined;
  return { hourlyUsd: type.hourlyUsd, readOn: catalog.fetchedAt.slice(0, 10), source: `Lambda GET /api/v1/instance-types (${catalog.source}), fetched ${catalog.fetchedAt}` };
}
