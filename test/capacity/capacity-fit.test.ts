import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SIMULATED_PODS } from '../../src/capacity/workloads.js';
import { runCheck } from '../../src/policy/engine.js';

const DIR = 'policies/capacity-fit/fixtures';

async function check(fixture: string) {
  return runCheck({ paths: [`${DIR}/common/cluster-model.yaml`, `${DIR}/${fixture}`], only: ['capacity-fit'], includePasses: true });
}

test('capacity-fit passes a tree whose workloads and quotas fit at maximum scale', async () => {
  const report = await check('pass/fits-at-max-scale.yaml');
  expect(report.failed).toBe(false);
  expect(report.results.map((r) => [r.result, `${r.resource.kind}/${r.resource.name}`]).sort()).toEqual([
    ['pass', 'Deployment/vllm'], ['pass', 'ResourceQuota/compute'],
  ]);
});

test('capacity-fit fails unschedulable replicas and exceeded quotas with the scheduler\'s reasons', async () => {
  const report = await check('fail/gpu-short-quota-exceeded.yaml');
  expect(report.failed).toBe(true);
  const fails = report.results.filter((r) => r.result === 'fail').map((r) => ({ resource: `${r.resource.kind}/${r.resource.name}`, message: r.message, file: r.file }));
  expect(fails).toEqual(expect.arrayContaining([
    { resource: 'Deployment/vllm', file: `${DIR}/fail/gpu-short-quota-exceeded.yaml`, message: expect.stringContaining('1 pod(s) of Deployment/inference/vllm cannot be placed at maximum scale: 0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 3 Insufficient nvidia.com/gpu.') },
    { resource: 'Job/finetune', file: `${DIR}/fail/gpu-short-quota-exceeded.yaml`, message: expect.stringContaining('0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint {nvidia.com/gpu: present}.') },
    { resource: 'ResourceQuota/compute', file: `${DIR}/fail/gpu-short-quota-exceeded.yaml`, message: expect.stringContaining('exceeded quota: compute, requested: requests.nvidia.com/gpu=3') },
  ]));
  expect(fails).toHaveLength(3);
});

test.each([
  ['fail/anti-affinity-needs-more-nodes.yaml', 'Deployment/gateway', "2 pod(s) of Deployment/gateway/gateway cannot be placed at maximum scale: 0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 node(s) had untolerated taint {nvidia.com/gpu: present}."],
  ['fail/selector-no-pool.yaml', 'Job/pretrain', "1 pod(s) of Job/training/pretrain cannot be placed at maximum scale: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."],
])('capacity-fit fixture %s fails %s with the scheduler message', async (fixture, resource, message) => {
  const report = await check(fixture);
  const fails = report.results.filter((r) => r.result === 'fail').map((r) => [`${r.resource.kind}/${r.resource.name}`, r.message]);
  expect(fails).toEqual([[resource, message]]);
});

describe('scale the planner refuses instead of exhausting memory (a typo such as replicas: 100000000)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-capacity-scale-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - {name: c, image: nginx:1.25, resources: {requests: {cpu: 10m, memory: 10Mi}, limits: {memory: 10Mi}}}
`;

  test(`pods at maximum scale over ${MAX_SIMULATED_PODS}: capacity-fit fails the largest workload at spec.replicas, at once`, async () => {
    writeFileSync(join(dir, 'big.yaml'), `${deployment('small', 500_000)}---\n${deployment('typo', 600_000)}`);
    const report = await runCheck({ paths: [`${DIR}/common/cluster-model.yaml`, join(dir, 'big.yaml')], only: ['capacity-fit'] });
    const fails = report.results.filter((r) => r.result === 'fail');
    expect(fails.map((r) => [r.resource.name, r.field, r.message])).toEqual([
      ['typo', '/spec/replicas', expect.stringContaining(`Deployment/web/typo: spec.replicas: 600000 pods at maximum scale, 1100000 in the tree: more than the ${MAX_SIMULATED_PODS} pods the planner simulates`)],
    ]);
  });

  test('lambda-gitops plan exits 2 with the same line', () => {
    writeFileSync(join(dir, 'typo.yaml'), deployment('typo', 100_000_000));
    const result = spawnSync(process.execPath, ['lib/cli/main.js', 'plan', join(dir, 'typo.yaml'), '--cluster', `${DIR}/common/cluster-model.yaml`], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/^lambda-gitops plan: .*typo\.yaml: Deployment\/web\/typo: spec\.replicas: 100000000 pods at maximum scale, 100000000 in the tree: more than the 1000000 pods the planner simulates .*\n$/) });
  });
});
