/**
 * Measured GPU utilization for the cost per utilized GPU-hour: a fraction given on the command
 * line (`plan --utilization 0.87`) or the result of a Prometheus instant query (`/api/v1/query`,
 * result type `vector`), e.g. `avg(DCGM_FI_DEV_GPU_UTIL) / 100` over the fleet's GPUs.
 */
import { readFileSync } from 'node:fs';
import { fsErrorReason } from '../core/fs-errors.js';

/** A measured utilization and where it came from. */
export interface GpuUtilization {
  /** Busy share of the GPU pools' physical GPUs, 0 < fraction <= 1. */
  readonly fraction: number;
  /** Where the figure came from (the option, or the file and how many series it averaged). */
  readonly source: string;
}

/** Thrown for a utilization value or file that cannot be used; names the file and field. */
export class UtilizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UtilizationError';
  }
}

function checkFraction(value: number, where: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new UtilizationError(`${where}: utilization must be a number in (0, 1], got ${value}`);
  if (value > 1) {
    throw new UtilizationError(`${where}: utilization must be a fraction in (0, 1], got ${value}${value <= 100 ? ' (a percentage? DCGM_FI_DEV_GPU_UTIL is 0-100: divide by 100 in the query)' : ''}`);
  }
  return value;
}

/** Reads `--utilization VALUE` (a fraction such as 0.87). */
export function utilizationFromOption(text: string): GpuUtilization {
  if (!/^\s*\d*\.?\d+(e-?\d+)?\s*$/i.test(text)) throw new UtilizationError(`--utilization: expected a fraction such as 0.87, got ${JSON.stringify(text)}`);
  return { fraction: checkFraction(Number(text), '--utilization'), source: '--utilization' };
}

/**
 * Reads a Prometheus `/api/v1/query` response (`{status: "success", data: {resultType: "vector",
 * result: [{metric, value: [time, "0.87"]}]}}`). Several series are averaged (unweighted) and the
 * source says so.
 * @throws UtilizationError naming the file and field
 */
export function utilizationFromPrometheus(text: string, file: string): GpuUtilization {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UtilizationError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const d = doc as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } };
  if (typeof d !== 'object' || d === null) throw new UtilizationError(`${file}: expected a Prometheus /api/v1/query response object`);
  if (d.status !== 'success') throw new UtilizationError(`${file}: status: expected "success", got ${JSON.stringify(d.status)}${typeof d.error === 'string' ? ` (${d.error})` : ''}`);
  if (d.data?.resultType !== 'vector') throw new UtilizationError(`${file}: data.resultType: expected "vector" (an instant query), got ${JSON.stringify(d.data?.resultType)}`);
  const result = d.data.result;
  if (!Array.isArray(result) || result.length === 0) throw new UtilizationError(`${file}: data.result: the query returned no series; check that DCGM metrics are scraped`);
  const values = result.map((series, i) => {
    const value = (series as { value?: unknown })?.value;
    if (!Array.isArray(value) || value.length !== 2 || typeof value[1] !== 'string') throw new UtilizationError(`${file}: data.result[${i}].value: expected [time, "number"], got ${JSON.stringify(value)}`);
    return checkFraction(Number(value[1]), `${file}: data.result[${i}].value`);
  });
  const fraction = values.reduce((s, v) => s + v, 0) / values.length;
  return { fraction, source: `${file} (${values.length === 1 ? '1 series' : `mean of ${values.length} series`})` };
}

/** Reads `--utilization-file FILE`. */
export function loadUtilizationFile(path: string): GpuUtilization {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UtilizationError(`${path}: cannot read: ${fsErrorReason(error)}`);
  }
  return utilizationFromPrometheus(text, path);
}
