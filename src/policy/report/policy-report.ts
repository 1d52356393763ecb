import type { PolicyDefinition } from '../definition.js';
import type { PolicyResult, ResultSummary, Severity } from '../types.js';

/** PolicyReport severities (wgpolicyk8s.io/v1alpha2: critical|high|medium|low|info). */
const REPORT_SEVERITY: Record<Severity, string> = { error: 'high', warning: 'medium', info: 'info' };

/**
 * One `wgpolicyk8s.io/v1alpha2` PolicyReport per namespace (and a ClusterPolicyReport for
 * cluster-scoped objects and documents without a namespace), the version Kyverno writes. Summaries
 * count every result, passes included; `results` lists what the caller passes in.
 */
export function toPolicyReports(all: readonly PolicyResult[], listed: readonly PolicyResult[], policies: readonly PolicyDefinition[], now: Date = new Date()): Record<string, unknown>[] {
  const byId = new Map(policies.map((p) => [p.id, p]));
  const namespaces = new Map<string, { summary: ResultSummary & { error: number }; results: unknown[] }>();
  const group = (ns: string) => {
    let g = namespaces.get(ns);
    if (!g) namespaces.set(ns, (g = { summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 }, results: [] }));
    return g;
  };
  for (const r of all) group(r.resource.namespace ?? '').summary[r.result]++;
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  for (const r of listed) {
    const properties: Record<string, string> = { file: r.file, line: String(r.line) };
    if (r.field) properties.field = r.field;
    if (r.exemption) properties.exemption = r.exemption.reason;
    group(r.resource.namespace ?? '').results.push({
      source: 'lambda-gitops',
      policy: r.policy,
      rule: r.policy,
      ...(byId.get(r.policy) ? { category: byId.get(r.policy)?.category } : {}),
      severity: REPORT_SEVERITY[r.severity],
      timestamp,
      result: r.result,
      scored: true,
      message: r.message || byId.get(r.policy)?.title || r.policy,
      resources: [{ apiVersion: r.resource.apiVersion, kind: r.resource.kind, ...(r.resource.namespace ? { namespace: r.resource.namespace } : {}), name: r.resource.name }],
      properties,
    });
  }
  return [...namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ns, g]) => ({
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: ns ? 'PolicyReport' : 'ClusterPolicyReport',
    metadata: { name: ns ? `lambda-gitops-${ns}` : 'lambda-gitops-cluster', ...(ns ? { namespace: ns } : {}), labels: { 'app.kubernetes.io/managed-by': 'lambda-gitops' } },
    summary: g.summary,
    results: g.results,
  }));
}
