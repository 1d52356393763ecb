/** Text and Markdown renderings of a {@link PlanReport}. */
import type { GpuHourCost, PlanReport, PoolReport, ResourceUsage } from './plan.js';
import { describeAge } from './price-age.js';

const usd = (value: number): string => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;
const num = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, ''));

const usd4 = (value: number): string => `$${value.toFixed(value < 10 ? 3 : 2)}`;

/** One line on the cost of a GPU-hour: list, per allocated GPU-hour, per utilized GPU-hour. */
function gpuHourText(g: GpuHourCost): string {
  const parts = [`${usd4(g.usdPerGpuHour)} at list price (${g.gpus} GPU${g.gpus === 1 ? '' : 's'})`];
  parts.push(g.usdPerAllocatedGpuHour !== undefined
    ? `${usd4(g.usdPerAllocatedGpuHour)} per allocated GPU-hour (${num(g.allocatedGpus)} of ${g.gpus} requested at maximum scale)`
    : 'no GPU requested at maximum scale');
  parts.push(g.usdPerUtilizedGpuHour !== undefined
    ? `${usd4(g.usdPerUtilizedGpuHour)} per utilized GPU-hour at ${percent(g.utilization ?? 0)} measured utilization (${g.utilizationSource})`
    : 'per utilized GPU-hour: give --utilization or --utilization-file');
  return parts.join('; ');
}

function usageText(u: ResourceUsage, unit: string): string {
  return `${num(u.requested)}/${num(u.allocatable)}${unit} (${percent(u.utilization)})`;
}

/** GPU column: `none` for CPU pools; time-sliced pools in slots, with the physical GPUs behind them. */
function gpuText(p: PoolReport): string {
  if (p.gpu.allocatable === 0 && p.gpu.physical === 0) return 'none';
  const usage = `${num(p.gpu.requested)}/${num(p.gpu.allocatable)}`;
  if (p.gpu.timeSlicingReplicas <= 1) return `${usage} (${percent(p.gpu.utilization)})`;
  const gpus = `${p.gpu.physical} physical GPU${p.gpu.physical === 1 ? '' : 's'}`;
  return `${usage} slots (${percent(p.gpu.utilization)}) on ${gpus} shared ${p.gpu.timeSlicingReplicas} ways, ${num(p.gpu.physicalRequested)} GPU requested`;
}

/** Plain-text report for terminals and CI logs. */
export function renderPlanText(report: PlanReport): string {
  const lines: string[] = [];
  lines.push(`Capacity plan for cluster '${report.cluster}': ${report.fits ? 'FITS' : 'DOES NOT FIT'}`);
  lines.push('', 'Node pools (requested/allocatable at maximum scale):');
  for (const p of report.pools) {
    lines.push(`  ${p.name} (${p.nodes} x ${p.instanceType}, ${p.pods} pods)`);
    lines.push(`    GPU     ${gpuText(p)}`);
    lines.push(`    CPU     ${usageText(p.cpu, ' cores')}`);
    lines.push(`    memory  ${usageText(p.memory, ' GiB')}`);
  }
  if (report.unschedulable.length > 0) {
    lines.push('', 'Unschedulable:');
    for (const u of report.unschedulable) lines.push(`  ${u.resource} (${u.replicas} pod${u.replicas === 1 ? '' : 's'}): ${u.reason}`);
  }
  const exceeded = report.quotas.filter((q) => q.exceeded);
  lines.push('', `Quotas: ${report.quotas.length} limit(s) checked, ${exceeded.length} exceeded`);
  for (const q of exceeded) lines.push(`  ${q.namespace}/${q.quota} ${q.resource}: ${q.used} > ${q.hard}: ${q.reason}`);
  lines.push('', 'Drain simulation (each node drained in turn, workloads at maximum scale):');
  for (const d of report.drains) {
    lines.push(`  ${d.pool} (${d.nodes} node${d.nodes === 1 ? '' : 's'}): ${d.hangs ? 'HANGS' : 'safe'}, up to ${d.maxEvicted} pod(s) evicted per node`);
    for (const s of d.stranded) lines.push(`    ${s.node}: ${s.resource} ${s.unplaced} pod(s) ${s.waitsForNode ? 'wait for the node' : 'without a place'}${s.pdb ? ` behind PodDisruptionBudget ${s.pdb} (the drain waits forever)` : s.waitsForNode ? '' : ' (Pending until capacity returns)'}: ${s.reason}`);
  }
  lines.push('', `Cost (${report.cost.hoursPerMonth} h/month): ${usd(report.cost.monthlyUsd)} per month (price ages as of ${report.cost.pricesAgedOn}; warned past ${report.cost.maxPriceAgeDays} days)`);
  for (const c of report.cost.pools) {
    lines.push(`  ${c.pool}: ${c.nodes} x ${c.instanceType} at ${usd(c.hourlyUsd)}/h (price of ${c.priceReadOn}, ${describeAge(c.priceAgeDays)}; ${c.priceSource}) = ${usd(c.monthlyUsd)}`);
  }
  if (report.cost.gpuHour) lines.push(`  GPU-hour: ${gpuHourText(report.cost.gpuHour)}`);
  const namespaces = Object.entries(report.cost.perNamespace).filter(([, n]) => n.gpusAtMax > 0 || n.gpusAtMin > 0);
  if (namespaces.length > 0) {
    lines.push('  GPU-hours per month by namespace (max / min scale):');
    for (const [ns, n] of namespaces) lines.push(`    ${ns}: ${num(n.gpuHoursAtMax)} / ${num(n.gpuHoursAtMin)} (${usd(n.usdAtMax)} / ${usd(n.usdAtMin)})`);
  }
  if (report.cost.alternatives.length > 0) {
    lines.push('  Same GPUs elsewhere (on-demand, GPU count only):');
    for (const a of report.cost.alternatives) {
      lines.push(`    ${a.pool}: ${a.provider} ${a.offer} (${a.gpu}, ${a.region}) ${usd(a.monthlyUsd)} vs Lambda ${usd(a.lambdaMonthlyUsd)} (${a.lambdaDifferencePercent > 0 ? '+' : ''}${a.lambdaDifferencePercent}%, price of ${a.readOn}, ${describeAge(a.priceAgeDays)})`);
    }
  }
  if (report.capacityNow) {
    const c = report.capacityNow;
    lines.push('', `Capacity now${c.region ? ` in ${c.region}` : ' (no region in the cluster model)'} (Lambda catalog fetched ${c.fetchedAt}):`);
    for (const p of c.pools) lines.push(`  ${p.pool} (${p.instanceType}): ${capacityText(p)}`);
  }
  if (report.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const w of report.warnings) lines.push(`  - ${w}`);
  }
  return `${lines.join('\n')}\n`;
}

function capacityText(p: NonNullable<PlanReport['capacityNow']>['pools'][number]): string {
  if (!p.offered) return 'not in the live catalog';
  const elsewhere = p.regionsWithCapacity.length > 0 ? `capacity in ${p.regionsWithCapacity.join(', ')}` : 'no capacity in any region';
  if (p.available === undefined) return elsewhere;
  return p.available ? 'available' : `NOT available (${elsewhere})`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A Mermaid `xychart-beta` bar chart of GPU, CPU and memory utilization per pool (GitHub renders
 * Mermaid in Markdown code fences).
 */
export function utilizationChart(report: PlanReport): string {
  const labels: string[] = [];
  const values: number[] = [];
  for (const p of report.pools) {
    if (p.gpu.allocatable > 0) {
      labels.push(`${p.name} GPU`);
      values.push(Math.round(p.gpu.utilization * 1000) / 10);
    }
    labels.push(`${p.name} CPU`, `${p.name} mem`);
    values.push(Math.round(p.cpu.utilization * 1000) / 10, Math.round(p.memory.utilization * 1000) / 10);
  }
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Requested share of allocatable at maximum scale (%)"',
    `  x-axis [${labels.map((l) => `"${l.replace(/"/g, "'")}"`).join(', ')}]`,
    '  y-axis "Utilization (%)" 0 --> 100',
    `  bar [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

/** Markdown report: verdict, utilization chart, pool table, unschedulable pods, quotas, cost tables. */
export function renderPlanMarkdown(report: PlanReport): string {
  const out: string[] = [];
  out.push(`### Capacity plan: ${report.fits ? '✅ fits' : '❌ does not fit'} (cluster \`${report.cluster}\`)`, '');
  out.push(utilizationChart(report), '');
  out.push('| Pool | Nodes | GPU | CPU (cores) | Memory (GiB) | Pods |', '|---|---|---|---|---|---|');
  for (const p of report.pools) {
    out.push(`| ${cell(p.name)} | ${p.nodes} x \`${p.instanceType}\` | ${cell(gpuText(p))} | ${usageText(p.cpu, '')} | ${usageText(p.memory, '')} | ${p.pods} |`);
  }
  if (report.unschedulable.length > 0) {
    out.push('', '**Unschedulable pods**', '', '| Workload | Pods | Reason |', '|---|---|---|');
    for (const u of report.unschedulable) out.push(`| \`${cell(u.resource)}\` | ${u.replicas} | ${cell(u.reason)} |`);
  }
  const exceeded = report.quotas.filter((q) => q.exceeded);
  if (exceeded.length > 0) {
    out.push('', '**Quotas exceeded at maximum scale**', '', '| Namespace | Quota | Resource | Used | Hard | Reason |', '|---|---|---|---|---|---|');
    for (const q of exceeded) out.push(`| ${q.namespace} | ${q.quota} | \`${q.resource}\` | ${q.used} | ${q.hard} | ${cell(q.reason ?? '')} |`);
  } else if (report.quotas.length > 0) {
    out.push('', `All ${report.quotas.length} quota limit(s) hold at maximum scale.`);
  }
  if (report.drains.length > 0) {
    out.push('', '**Drain simulation** (each node drained in turn, workloads at maximum scale)', '', '| Pool | Nodes | Drain | Pods evicted per node (max) | Stranded |', '|---|---|---|---|---|');
    for (const d of report.drains) {
      const stranded = d.stranded.map((s) => `${s.node}: \`${s.resource}\` ${s.unplaced}${s.waitsForNode ? ' (waits for the node: node-local volume)' : ''}${s.pdb ? ` (PDB ${s.pdb})` : ''}`).join('<br>') || '-';
      out.push(`| ${cell(d.pool)} | ${d.nodes} | ${d.hangs ? '❌ hangs' : '✅ safe'} | ${d.maxEvicted} | ${cell(stranded)} |`);
    }
  }
  out.push('', `**Cost** (${report.cost.hoursPerMonth} h/month, on-demand list prices; ages as of ${report.cost.pricesAgedOn})`, '', '| Pool | Instances | $/h | Price of | Age | Source | Monthly |', '|---|---|---|---|---|---|---|');
  for (const c of report.cost.pools) out.push(`| ${c.pool} | ${c.nodes} x \`${c.instanceType}\` | ${usd(c.hourlyUsd)} | ${c.priceReadOn} | ${describeAge(c.priceAgeDays)} | ${cell(c.priceSource)} | ${usd(c.monthlyUsd)} |`);
  out.push(`| **Total** | | | | | | **${usd(report.cost.monthlyUsd)}** |`);
  if (report.cost.gpuHour) out.push('', `GPU-hour: ${cell(gpuHourText(report.cost.gpuHour))}`);
  const namespaces = Object.entries(report.cost.perNamespace).filter(([, n]) => n.gpusAtMax > 0 || n.gpusAtMin > 0);
  if (namespaces.length > 0) {
    out.push('', '| Namespace | GPUs max / min | GPU-hours/month max / min | GPU cost max / min |', '|---|---|---|---|');
    for (const [ns, n] of namespaces) out.push(`| ${ns} | ${n.gpusAtMax} / ${n.gpusAtMin} | ${num(n.gpuHoursAtMax)} / ${num(n.gpuHoursAtMin)} | ${usd(n.usdAtMax)} / ${usd(n.usdAtMin)} |`);
  }
  if (report.cost.alternatives.length > 0) {
    out.push('', '| Pool | Cloud alternative | GPUs | $/GPU-h | Monthly | Lambda | Difference | Price of |', '|---|---|---|---|---|---|---|---|');
    for (const a of report.cost.alternatives) {
      out.push(`| ${a.pool} | ${a.provider} \`${a.offer}\` (${a.gpu}, ${a.region}) | ${a.gpus} | ${usd(a.usdPerGpuHour)} | ${usd(a.monthlyUsd)} | ${usd(a.lambdaMonthlyUsd)} | ${a.lambdaDifferencePercent > 0 ? '+' : ''}${a.lambdaDifferencePercent}% | ${a.readOn} (${describeAge(a.priceAgeDays)}) |`);
    }
    out.push('', 'Alternatives compare GPU count only; cloud prices are third-party copies of list prices.');
  }
  if (report.capacityNow) {
    const c = report.capacityNow;
    out.push('', `**Capacity now**${c.region ? ` in \`${c.region}\`` : ' (no region in the cluster model)'} (Lambda catalog fetched ${c.fetchedAt})`, '', '| Pool | Instance type | Capacity |', '|---|---|---|');
    for (const p of c.pools) out.push(`| ${p.pool} | \`${p.instanceType}\` | ${capacityText(p)} |`);
  }
  if (report.warnings.length > 0) {
    out.push('', '<details><summary>Warnings</summary>', '');
    for (const w of report.warnings) out.push(`- ${cell(w)}`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
