import { describeResource, DiffReport, ResourceChange } from './model.js';
import { fieldDiffLines } from './format-value.js';

const SIGN: Record<ResourceChange['action'], string> = { added: '+', removed: '-', changed: '~' };

/** A plain-text report for terminals: counts, risks, then every changed object with its field diffs. */
export function renderText(report: DiffReport): string {
  const { added, changed, removed } = report.summary;
  const lines = [`${added} added, ${changed} changed, ${removed} removed`];
  if (report.risks.length > 0) {
    lines.push('', `Risks (${report.risks.length}):`);
    for (const risk of report.risks) lines.push(`  [${risk.level}] ${risk.code}: ${risk.message}`);
  }
  for (const change of report.changes) {
    lines.push('', `${SIGN[change.action]} ${describeResource(change.resource)} (${change.action}, ${change.resource.file})`);
    if (change.action !== 'changed') continue;
    for (const field of change.fields) lines.push(...fieldDiffLines(field).map((line) => `    ${line}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON format: exactly the report. */
export function renderJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
