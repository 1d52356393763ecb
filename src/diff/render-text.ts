import { describeResource, DiffReport, ResourceChange, StreamedDiffReport } from './model.js';
import { fieldDiffLines } from './format-value.js';

const SIGN: Record<ResourceChange['action'], string> = { added: '+', removed: '-', changed: '~' };

/** Applied to each change just before it is rendered (the CLI's output boundary scrubs it there). */
export type ChangeFilter = (change: ResourceChange) => ResourceChange;

const asIs: ChangeFilter = (change) => change;

/**
 * The text report in pieces, one per change after a first one with the counts and risks, so a
 * report of 10^6 changes is written as it is rendered, never built as one string. Joined, the
 * pieces are {@link renderText}'s output.
 */
export function* renderTextChunks(report: StreamedDiffReport, each: ChangeFilter = asIs): Generator<string> {
  const { added, changed, removed } = report.summary;
  let head = `${added} added, ${changed} changed, ${removed} removed`;
  if (report.risks.length > 0) {
    head += `\n\nRisks (${report.risks.length}):`;
    for (const risk of report.risks) head += `\n  [${risk.level}] ${risk.code}: ${risk.message}`;
  }
  yield head;
  for (const original of report.changes) {
    const change = each(original);
    let text = `\n\n${SIGN[change.action]} ${describeResource(change.resource)} (${change.action}, ${change.resource.file})`;
    if (change.action === 'changed') {
      for (const field of change.fields) for (const line of fieldDiffLines(field)) text += `\n    ${line}`;
    }
    yield text;
  }
  yield '\n';
}

/** A plain-text report for terminals: counts, risks, then every changed object with its field diffs. */
export function renderText(report: DiffReport): string {
  return [...renderTextChunks(report)].join('');
}

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels (2 spaces each) deep. */
function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/**
 * The JSON report in pieces, one per change: joined, exactly {@link renderJson}'s output
 * (`JSON.stringify(report, null, 2)`), without the string of the whole report, which for 10^6
 * changes is longer than JavaScript's longest string.
 */
export function* renderJsonChunks(report: StreamedDiffReport, each: ChangeFilter = asIs): Generator<string> {
  yield `{\n  "summary": ${nestedJson(report.summary, 1)},\n  "risks": ${nestedJson(report.risks, 1)},\n  "changes": `;
  let first = true;
  for (const change of report.changes) {
    yield `${first ? '[\n' : ',\n'}    ${nestedJson(each(change), 2)}`;
    first = false;
  }
  yield first ? '[]\n}\n' : '\n  ]\n}\n';
}

/** The JSON format: exactly the report. */
export function renderJson(report: DiffReport): string {
  return [...renderJsonChunks(report)].join('');
}
