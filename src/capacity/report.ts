/** Text and Markdown renderings of a {@link PlanReport}. */
import type { PlanReport, PoolReport, ResourceUsage } from './plan.js';

const usd = (value: number): string => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;
const num = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0$/, ''));

function usageText(u: ResourceUsage, unit: string): string {
  return `${num(u.requested)}/${num(u.allocatable)}${unit} (${percent(u.utilization)})`;
}

function gpuText(p: PoolReport): string {
  const base = `${num(p.gpu.requested)}/${num(p.gpu.allocatable)} (${percent(p.gpu.utilization)})`;
  if (p.gpu.timeSlicingReplicas <= 1) return base;
  return `${base} time-sliced slots = ${num(p.gpu.physicalRequested)} of ${p.gpu.physical} physical GPU(s) x${p.gpu.timeSlicingReplicas}`;
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
    lines.push('', 'UnschedulableWorkload:');
    for (const u of report.unschedulable) lines.push(`  ${u.resource} (${u.replicas} pod${u.replicas === 1 ? '' : 's'}): ${u.reason}`);
  }
  const exceeded = report.quotas.filter((q) => q.exceeded);
  lines.push('', `Quotas: ${report.quotas.length} limit(s) checked, ${exceeded.length} exceeded`);
  for (const q of exceeded) lines.push(`  ${q.namespace}/${q.quota} ${q.resource}: ${q.used} > ${q.hard}: ${q.reason}`);
  lines.push('', 'Drain simulation (each node drained in turn, workloads at maximum scale):');
  for (const d of report.drains) {
    lines.push(`  ${d.pool} (${d.nodes} node${d.nodes === 1 ? '' : 's'}): ${d.hangs ? 'HANGS' : 'safe'}, up to ${d.maxEvicted} pod(s) evicted per node`);
    for (const s of d.stranded) lines.push(`    ${s.node}: ${s.resource} ${s.unplaced} pod(s) without a place${s.pdb ? ` behind PodDisruptionBudget ${s.pdb} (the drain waits forever)` : ' (Pending until capacity returns)'}: ${s.reason}`);
  }
  lines.push('', `Cost (${report.cost.hoursPerMonth} h/month): ${usd(report.cost.monthlyUsd)} per month`);
  for (const c of report.cost.pools) {
    lines.push(`  ${c.pool}: ${c.nodes} x ${c.instanceType} at ${usd(c.hourlyUsd)}/h (read ${c.priceReadOn}) = ${usd(c.monthlyUsd)}`);
  }
  const namespaces = Object.entries(report.cost.perNamespace).filter(([, n]) => n.gpusAtMax > 0 || n.gpusAtMin > 0);
  if (namespaces.length > 0) {
    lines.push('  GPU-hours per month by namespace (max / min scale):');
    for (const [ns, n] of namespaces) lines.push(`    ${ns}: ${num(n.gpuHoursAtMax)} / ${num(n.gpuHoursAtMin)} (${usd(n.usdAtMax)} / ${usd(n.usdAtMin)})`);
  }
  if (report.cost.alternatives.length > 0) {
    lines.push('  Same GPUs elsewhere (on-demand, GPU count only):');
    for (const a of report.cost.alternatives) {
      lines.push(`    ${a.pool}: ${a.provider} ${a.offer} (${a.gpu}, ${a.region}) ${usd(a.monthlyUsd)} vs Lambda ${usd(a.lambdaMonthlyUsd)} (${a.lambdaDifferencePercent > 0 ? '+' : ''}${a.lambdaDifferencePercent}%, price read ${a.readOn})`);
    }
  }
  if (report.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const w of report.warnings) lines.push(`  - ${w}`);
  }
  return `${lines.join('\n')}\n`;
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
    out.push('', '**UnschedulableWorkload pods**', '', '| Workload | Pods | Reason |', '|---|---|---|');
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
      const stranded = d.stranded.map((s) => `${s.node}: \`${s.resource}\` ${s.unplaced}${s.pdb ? ` (PDB ${s.pdb})` : ''}`).join('<br>') || '-';
      out.push(`| ${cell(d.pool)} | ${d.nodes} | ${d.hangs ? '❌ hangs' : '✅ safe'} | ${d.maxEvicted} | ${cell(stranded)} |`);
    }
  }
  out.push('', `**Cost** (${report.cost.hoursPerMonth} h/month, on-demand list prices)`, '', '| Pool | Instances | $/h | Price read | Monthly |', '|---|---|---|---|---|');
  for (const c of report.cost.pools) out.push(`| ${c.pool} | ${c.nodes} x \`${c.instanceType}\` | ${usd(c.hourlyUsd)} | ${c.priceReadOn} | ${usd(c.monthlyUsd)} |`);
  out.push(`| **Total** | | | | **${usd(report.cost.monthlyUsd)}** |`);
  const namespaces = Object.entries(report.cost.perNamespace).filter(([, n]) => n.gpusAtMax > 0 || n.gpusAtMin > 0);
  if (namespaces.length > 0) {
    out.push('', '| Namespace | GPUs max / min | GPU-hours/month max / min | GPU cost max / min |', '|---|---|---|---|');
    for (const [ns, n] of namespaces) out.push(`| ${ns} | ${n.gpusAtMax} / ${n.gpusAtMin} | ${num(n.gpuHoursAtMax)} / ${num(n.gpuHoursAtMin)} | ${usd(n.usdAtMax)} / ${usd(n.usdAtMin)} |`);
  }
  if (report.cost.alternatives.length > 0) {
    out.push('', '| Pool | CloudAlternative | GPUs | $/GPU-h | Monthly | Lambda | Difference | Price read |', '|---|---|---|---|---|---|---|---|');
    for (const a of report.cost.alternatives) {
      out.push(`| ${a.pool} | ${a.provider} \`${a.offer}\` (${a.gpu}, ${a.region}) | ${a.gpus} | ${usd(a.usdPerGpuHour)} | ${usd(a.monthlyUsd)} | ${usd(a.lambdaMonthlyUsd)} | ${a.lambdaDifferencePercent > 0 ? '+' : ''}${a.lambdaDifferencePercent}% | ${a.readOn} |`);
    }
    out.push('', 'Alternatives compare GPU count only; cloud prices are third-party copies of list prices.');
  }
  if (report.warnings.length > 0) {
    out.push('', '<details><summary>Warnings</summary>', '');
    for (const w of report.warnings) out.push(`- ${cell(w)}`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
