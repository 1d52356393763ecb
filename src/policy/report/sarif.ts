import { createHash } from 'node:crypto';
import type { PolicyDefinition } from '../definition.js';
import type { PolicyResult, Severity } from '../types.js';

/** SARIF 2.1.0 log, shaped for GitHub code scanning (see docs/policies.md). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: unknown[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub's security-severity scale (0.1-10): marks security rules and sets their alert severity. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };
const SECURITY_CATEGORIES = new Set(['Pod Security Baseline', 'Pod Security Restricted', 'Secrets', 'RBAC', 'Networking']);

/** A fingerprint that survives line moves: rule + object identity + field + message. */
export function fingerprint(result: PolicyResult): string {
  const r = result.resource;
  return createHash('sha256').update([result.policy, r.apiVersion, r.kind, r.namespace ?? '', r.name, result.field ?? '', result.message].join('\0')).digest('hex').slice(0, 32);
}

/**
 * Renders results as SARIF: one rule per evaluated policy (with help text), one result per
 * non-passing result at the real file and line, exempted results as suppressed (`inSource`,
 * with the exemption reason as justification), stable partial fingerprints.
 */
export function toSarif(results: readonly PolicyResult[], policies: readonly PolicyDefinition[], toolVersion: string): SarifLog {
  const index = new Map(policies.map((p, i) => [p.id, i]));
  const rules = policies.map((p) => ({
    id: p.id,
    name: p.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: p.title },
    fullDescription: { text: p.rationale },
    help: {
      text: `${p.rationale}\n\nRemediation: ${p.remediation}`,
      markdown: `**${p.title}**\n\n${p.rationale}\n\n**Remediation:** ${p.remediation}${p.references?.length ? `\n\n**References:** ${p.references.join('; ')}` : ''}`,
    },
    defaultConfiguration: { level: LEVEL[p.severity] },
    properties: {
      tags: ['kubernetes', p.category],
      precision: 'high',
      ...(SECURITY_CATEGORIES.has(p.category) ? { 'security-severity': SECURITY_SEVERITY[p.severity] } : {}),
    },
  }));
  const sarifResults = results.filter((r) => r.result !== 'pass').map((r) => {
    const where = `${r.resource.kind} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`;
    return {
      ruleId: r.policy,
      ...(index.has(r.policy) ? { ruleIndex: index.get(r.policy) } : {}),
      level: LEVEL[r.severity],
      message: { text: `${where}: ${r.message}${r.field ? ` (at ${r.field})` : ''}` },
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: encodeURI(r.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: Math.max(1, r.line), startColumn: 1 },
        },
        logicalLocations: [{ fullyQualifiedName: `${r.resource.apiVersion}/${r.resource.kind}/${r.resource.namespace ?? ''}/${r.resource.name}`, kind: 'resource' }],
      }],
      partialFingerprints: { 'lambdaGitopsResult/v1': fingerprint(r) },
      ...(r.exemption ? { suppressions: [{ kind: 'inSource', justification: r.exemption.reason }] } : {}),
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'lambda-gitops', semanticVersion: toolVersion, rules } },
      automationDetails: { id: 'lambda-gitops/check/' },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToUri(process.cwd()) } },
      invocations: [{ executionSuccessful: true }],
      results: sarifResults,
    }],
  };
}

function pathToUri(dir: string): string {
  return `file://${encodeURI(dir.endsWith('/') ? dir : `${dir}/`)}`;
}
