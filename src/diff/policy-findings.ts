import { runCheck } from '../policy/engine.js';
import type { PolicyResult } from '../policy/types.js';
import { PolicyFinding } from './findings.js';

/** A policy-gate result as a finding for the PR comment (`skip`/`pass` results are not findings). */
export function findingOf(result: PolicyResult): PolicyFinding | undefined {
  if (result.result !== 'fail' && result.result !== 'warn') return undefined;
  const { resource } = result;
  return {
    level: result.result === 'fail' ? 'error' : result.severity === 'info' ? 'note' : 'warning',
    rule: result.policy,
    message: result.message,
    resource: resource.namespace ? `${resource.kind} ${resource.namespace}/${resource.name}` : `${resource.kind} ${resource.name}`,
    file: result.file,
    line: result.line,
  };
}

/** Runs the policy gate over the head tree and returns its findings. */
export async function policyFindingsFor(headDir: string): Promise<PolicyFinding[]> {
  const report = await runCheck({ paths: [headDir] });
  return report.results.map(findingOf).filter((f): f is PolicyFinding => f !== undefined);
}
