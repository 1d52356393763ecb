/**
 * Precision on real trees nobody here wrote (test/corpus, provenance in its README): the gate's
 * non-passing results on each tree must be exactly the reviewed expectation in
 * `test/corpus/<tree>.expected.txt`, and the false positives of issue 15 must stay gone.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { runCheck, type CheckReport } from '../../src/policy/engine.js';

const TREES = ['flux2-kustomize-helm-example', 'microservices-demo', 'vllm-production-stack', 'kubernetes-examples'];
const reports = new Map<string, CheckReport>();

async function reportOf(tree: string): Promise<CheckReport> {
  let report = reports.get(tree);
  if (!report) reports.set(tree, (report = await runCheck({ paths: [`test/corpus/${tree}`], severity: 'error', collectLoadErrors: true })));
  return report;
}

/** One line per non-passing result: `result policy file kind namespace/name`. */
export function resultLines(report: CheckReport, tree: string): string[] {
  return report.results
    .filter((r) => r.result !== 'pass')
    .map((r) => `${r.result} ${r.policy} ${r.file.replace(`test/corpus/${tree}/`, '')} ${r.resource.kind || '-'} ${r.resource.namespace ?? ''}/${r.resource.name}`);
}

describe.each(TREES)('corpus %s', (tree) => {
  test('the gate reports exactly the reviewed findings', async () => {
    const expected = readFileSync(`test/corpus/${tree}.expected.txt`, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(resultLines(await reportOf(tree), tree)).toEqual(expected);
  });

  test('no false positive of issue 15 comes back', async () => {
    const report = await reportOf(tree);
    const failures = report.results.filter((r) => r.result === 'fail');
    // 1: custom resources without schema are warnings, never schema/api failures
    expect(failures.filter((r) => (r.policy === 'schema-valid' || r.policy === 'stable-api-version') && !r.resource.apiVersion.match(/^(v1|[a-z]+\/v\d)$|\.k8s\.io\//))).toEqual([]);
    // 2: ExternalArtifact paths are not failures
    expect(failures.filter((r) => r.policy === 'flux-path-exists')).toEqual([]);
    // 3: kustomize patch files are not checked as objects
    expect(report.results.filter((r) => /_patch\.yaml$|-values\.yaml$/.test(r.file) && r.policy !== 'manifest-structure')).toEqual([]);
    // 4: no pod-ports-allowed where no NetworkPolicy selects the pod (no tree has an isolating policy)
    expect(failures.filter((r) => r.policy === 'pod-ports-allowed')).toEqual([]);
    // 5: no message names namespace ''
    expect(report.results.filter((r) => r.message.includes("namespace ''"))).toEqual([]);
    expect(report.loadErrors).toEqual([]);
  });
});

test('a CRD in the tree validates its custom resources (vLLM operator samples)', async () => {
  const report = await reportOf('vllm-production-stack');
  const runtimes = report.results.filter((r) => r.resource.kind === 'VLLMRuntime');
  expect(runtimes.filter((r) => r.policy === 'schema-valid')).toEqual([]);
  const all = await runCheck({ paths: ['test/corpus/vllm-production-stack'], includePasses: true, only: ['schema-valid'] });
  expect(all.results.filter((r) => r.resource.kind === 'VLLMRuntime' && r.result === 'pass').length).toBeGreaterThan(0);
});
