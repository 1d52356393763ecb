import type { CheckReport } from '../engine.js';
import type { PolicyResult } from '../types.js';

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;

/** Renders a report for a terminal: grouped by file and resource; ANSI colour only when `colour`. */
export function toText(report: CheckReport, colour: boolean): string {
  const paint = (code: keyof typeof CODES, text: string) => (colour ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const byFile = new Map<string, Map<string, PolicyResult[]>>();
  for (const r of report.results) {
    const resource = `${r.resource.kind || '(document)'} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`.trim();
    const files = byFile.get(r.file) ?? new Map<string, PolicyResult[]>();
    byFile.set(r.file, files);
    const list = files.get(resource) ?? [];
    list.push(r);
    files.set(resource, list);
  }
  for (const [file, resources] of byFile) {
    lines.push(paint('bold', file));
    for (const [resource, results] of resources) {
      lines.push(`  ${paint('cyan', resource)}`);
      for (const r of results) {
        const mark = r.result === 'fail' ? paint('red', 'FAIL') : r.result === 'warn' ? paint('yellow', 'WARN') : r.result === 'skip' ? paint('dim', 'SKIP') : paint('green', 'PASS');
        // location first, then rule and message: `FAIL line 19 /spec/replicas: served-replicas: ...`
        const where = paint('dim', `line ${r.line}${r.field ? ` ${r.field}` : ''}`);
        lines.push(`    ${mark} ${where}: ${r.policy}: ${r.message}`);
        if (r.exemption) lines.push(`         ${paint('dim', `exempted: ${r.exemption.reason}`)}`);
      }
    }
    lines.push('');
  }
  const s = report.summary;
  const verdict = report.failed ? paint('red', 'FAILED') : paint('green', 'PASSED');
  lines.push(`${verdict}: ${s.fail} failed, ${s.warn} warnings, ${s.skip} exempted, ${s.pass} passed (${report.policies.length} rules, target Kubernetes ${report.targetVersion})`);
  return `${lines.join('\n')}\n`;
}
