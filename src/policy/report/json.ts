import type { CheckReport } from '../engine.js';
import type { PolicyResult, ResultSummary } from '../types.js';

/** The `--format json` document (schemas/check-result.schema.json). */
export interface CheckJson {
  readonly summary: ResultSummary;
  readonly results: readonly PolicyResult[];
}

/** The JSON document for a report (field order fixed for readable diffs). */
export function toJson(report: CheckReport): CheckJson {
  return {
    summary: report.summary,
    results: report.results.map((r) => ({
      policy: r.policy,
      severity: r.severity,
      result: r.result,
      message: r.message,
      resource: r.resource,
      file: r.file,
      line: r.line,
      ...(r.field ? { field: r.field } : {}),
      ...(r.exemption ? { exemption: r.exemption } : {}),
    })),
  };
}
