import { expect, test } from '@jest/globals';
import { runCheck } from '../../src/policy/engine.js';
import { manifestsFromText } from '../../src/policy/loader.js';

const service = (name: string, namespace: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80}]
`;
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "r/i:1"}]}
`;

test('a selector in a namespace without any workload in the tree is info (pods from elsewhere), in one with workloads a failure', async () => {
  const report = await runCheck({
    manifests: manifestsFromText([{ file: 'd.yaml', text: deployment }, { file: 'typo.yaml', text: service('wbe', 'apps') }, { file: 'chart.yaml', text: service('dcgm-exporter', 'monitoring') }]),
    only: ['service-selects-pods'],
  });
  expect(report.results.map((r) => `${r.file} ${r.result} ${r.severity}`)).toEqual(['chart.yaml warn info', 'typo.yaml fail error']);
  expect(report.results[0].message).toMatch(/namespace 'monitoring', which has no workload in the tree .*: not checked$/);
  expect(report.failed).toBe(true);
});
