// Rewrites test/corpus/<tree>.expected.txt from the gate's current results (after `npx tsc`).
// Review the diff before committing: every added line is a finding on a tree nobody here wrote.
import { writeFileSync } from 'node:fs';
import { runCheck } from '../lib/policy/engine.js';

const TREES = ['flux2-kustomize-helm-example', 'microservices-demo', 'vllm-production-stack', 'kubernetes-examples'];
for (const tree of TREES) {
  const report = await runCheck({ paths: [`test/corpus/${tree}`], collectLoadErrors: true });
  const lines = report.results
    .filter((r) => r.result !== 'pass')
    .map((r) => `${r.result} ${r.policy} ${r.file.replace(`test/corpus/${tree}/`, '')} ${r.resource.kind || '-'} ${r.resource.namespace ?? ''}/${r.resource.name}`);
  writeFileSync(`test/corpus/${tree}.expected.txt`, `# Reviewed non-passing results of the gate on ${tree}/ (see README.md); one per line:\n# result policy file kind namespace/name\n${lines.join('\n')}\n`);
  process.stdout.write(`${tree}: ${lines.length} results\n`);
}
