/** The change in a capacity plan between a base and a head tree (for the PR comment). */
import type { PlanReport, PoolReport } from './plan.js';

/** A number before and after. `change` is head - base (undefined when one side is missing). */
export interface ValueChange {
  readonly base?: number;
  readonly head?: number;
  readonly change?: number;
}

/** Per-pool utilization change (fractions 0..1). */
export interface PoolCapacityDelta {
  readonly name: string;
  readonly gpuRequested: ValueChange;
  readonly gpuUtilization: ValueChange;
  readonly cpuUtilization: ValueChange;
  readonly memoryUtilization: ValueChange;
}

/** The plan delta. */
export interface CapacityPlanDelta {
  readonly fits: { readonly base: boolean; readonly head: boolean };
  /** GPUs (nvidia.com/gpu, slots under time-slicing) requested at maximum scale, all pools. */
  readonly gpusRequested: ValueChange;
  readonly monthlyUsd: ValueChange;
  readonly pools: readonly PoolCapacityDelta[];
  /** Workloads unschedulable on head but not on base, and the reverse. */
  readonly newlyUnschedulable: readonly string[];
  readonly resolved: readonly string[];
  /** True when nothing in the delta changed. */
  readonly unchanged: boolean;
}

const round = (value: number, places: number): number => Math.round(value * 10 ** places) / 10 ** places;

function change(base: number | undefined, head: number | undefined, places: number): ValueChange {
  return {
    ...(base !== undefined ? { base } : {}),
    ...(head !== undefined ? { head } : {}),
    ...(base !== undefined && head !== undefined ? { change: round(head - base, places) } : {}),
  };
}

/** Compares two plans. */
export function planDelta(base: PlanReport, head: PlanReport): CapacityPlanDelta {
  const gpus = (r: PlanReport): number => r.pools.reduce((s, p) => s + p.gpu.requested, 0);
  const names = [...new Set([...base.pools.map((p) => p.name), ...head.pools.map((p) => p.name)])];
  const find = (r: PlanReport, name: string): PoolReport | undefined => r.pools.find((p) => p.name === name);
  const pools = names.map((name) => {
    const b = find(base, name);
    const h = find(head, name);
    return {
      name,
      gpuRequested: change(b?.gpu.requested, h?.gpu.requested, 2),
      gpuUtilization: change(b?.gpu.utilization, h?.gpu.utilization, 4),
      cpuUtilization: change(b?.cpu.utilization, h?.cpu.utilization, 4),
      memoryUtilization: change(b?.memory.utilization, h?.memory.utilization, 4),
    };
  });
  const baseFailing = new Set(base.unschedulable.map((u) => u.resource));
  const headFailing = new Set(head.unschedulable.map((u) => u.resource));
  const delta = {
    fits: { base: base.fits, head: head.fits },
    gpusRequested: change(gpus(base), gpus(head), 2),
    monthlyUsd: change(base.cost.monthlyUsd, head.cost.monthlyUsd, 2),
    pools,
    newlyUnschedulable: [...headFailing].filter((r) => !baseFailing.has(r)),
    resolved: [...baseFailing].filter((r) => !headFailing.has(r)),
  };
  const unchanged = delta.fits.base === delta.fits.head && delta.gpusRequested.change === 0 && delta.monthlyUsd.change === 0
    && delta.newlyUnschedulable.length === 0 && delta.resolved.length === 0
    && pools.every((p) => [p.gpuRequested, p.gpuUtilization, p.cpuUtilization, p.memoryUtilization].every((c) => c.change === 0));
  return { ...delta, unchanged };
}

const signed = (value: number | undefined, format: (v: number) => string): string => (value === undefined ? 'n/a' : `${value > 0 ? '+' : value < 0 ? '−' : '±'}${format(Math.abs(value))}`);
const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;
const money = (v: number): string => `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const side = (value: number | undefined, format: (v: number) => string): string => (value === undefined ? '—' : format(value));

/** Markdown section for the PR comment: verdict, GPUs, monthly cost and per-pool utilization, base vs head. */
export function renderPlanDeltaMarkdown(delta: CapacityPlanDelta): string {
  const verdict = (fits: boolean): string => (fits ? '✅ fits' : '❌ does not fit');
  const out = [
    '| | Base | Head | ValueChange |',
    '|---|---|---|---|',
    `| Verdict | ${verdict(delta.fits.base)} | ${verdict(delta.fits.head)} | ${delta.fits.base === delta.fits.head ? '' : '**changed**'} |`,
    `| GPUs requested (max scale) | ${side(delta.gpusRequested.base, String)} | ${side(delta.gpusRequested.head, String)} | ${signed(delta.gpusRequested.change, String)} |`,
    `| Monthly cost | ${side(delta.monthlyUsd.base, money)} | ${side(delta.monthlyUsd.head, money)} | ${signed(delta.monthlyUsd.change, money)} |`,
  ];
  for (const p of delta.pools) {
    out.push(`| \`${p.name}\` GPU utilization | ${side(p.gpuUtilization.base, pct)} | ${side(p.gpuUtilization.head, pct)} | ${signed(p.gpuUtilization.change, pct)} |`);
    out.push(`| \`${p.name}\` CPU / memory utilization | ${side(p.cpuUtilization.base, pct)} / ${side(p.memoryUtilization.base, pct)} | ${side(p.cpuUtilization.head, pct)} / ${side(p.memoryUtilization.head, pct)} | ${signed(p.cpuUtilization.change, pct)} / ${signed(p.memoryUtilization.change, pct)} |`);
  }
  if (delta.newlyUnschedulable.length > 0) out.push('', `Newly unschedulable: ${delta.newlyUnschedulable.map((r) => `\`${r}\``).join(', ')}`);
  if (delta.resolved.length > 0) out.push('', `Now schedulable: ${delta.resolved.map((r) => `\`${r}\``).join(', ')}`);
  return `${out.join('\n')}\n`;
}
