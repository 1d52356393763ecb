import { aggregate, podContainers } from '../../src/capacity/resources.js';
import { simulatePlan } from '../../src/capacity/plan.js';
import { cluster, deployment } from './fixtures.js';

const c = (name: string, requests: Record<string, string>, extra: Record<string, unknown> = {}) => ({ name, image: 'x', resources: { requests }, ...extra });

test('pod requests: containers summed, max with each init container, sidecars added, overhead added', () => {
  const spec = {
    containers: [c('a', { cpu: '500m', memory: '1Gi' }), c('b', { cpu: '250m', memory: '512Mi' })],
    initContainers: [
      c('migrate', { cpu: '2', memory: '256Mi' }),
      c('proxy', { cpu: '100m', memory: '128Mi' }, { restartPolicy: 'Always' }),
      c('warmup', { cpu: '1', memory: '4Gi' }),
    ],
  };
  const pod = podContainers(spec, 'spec');
  // containers 750m/1.5Gi + sidecar 100m/128Mi = 850m/1664Mi; init max: migrate 2/256Mi, warmup+proxy 1100m/4224Mi
  expect(aggregate(pod, 'requests')).toEqual({ cpu: 2000, memory: 4224 * 2 ** 20 });
  expect(aggregate(pod, 'requests', { cpu: 250 })).toEqual({ cpu: 2250, memory: 4224 * 2 ** 20 });
});

test('a limit without a request becomes the request; scoring uses the non-zero defaults', () => {
  const pod = podContainers({ containers: [{ name: 'gpu', image: 'x', resources: { limits: { 'nvidia.com/gpu': '1', cpu: '2' } } }] }, 'spec');
  expect(aggregate(pod, 'requests')).toEqual({ 'nvidia.com/gpu': 1, cpu: 2000 });
  expect(aggregate(pod, 'requests', {}, true)).toEqual({ 'nvidia.com/gpu': 1, cpu: 2000, memory: 200 * 2 ** 20 });
});

test('LimitRange defaults and RuntimeClass overhead are applied as admission would', () => {
  const tree = [
    { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'ns' }, spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '250m' } }] } },
    { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'kata' }, handler: 'kata', overhead: { podFixed: { cpu: '100m', memory: '64Mi' } } },
    deployment('plain', 'ns', 1),
    deployment('sandboxed', 'other', 1, { requests: { cpu: '1' }, extraSpec: { runtimeClassName: 'kata' } }),
  ];
  const { facts } = simulatePlan(tree as any, cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]));
  const [plain, sandboxed] = facts.groups;
  // defaultRequest 250m for cpu; memory request defaults to the default limit 1Gi
  expect(plain.requests).toEqual({ cpu: 250, memory: 2 ** 30 });
  expect(plain.limits).toEqual({ cpu: 1000, memory: 2 ** 30 });
  expect(plain.unlimited).toEqual([]);
  expect(sandboxed.requests).toEqual({ cpu: 1100, memory: 64 * 2 ** 20 });
  expect(sandboxed.unlimited).toEqual(['cpu', 'memory']);
});

test('malformed quantities and counts name the file, object and field', () => {
  const model = cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]);
  expect(() => simulatePlan([deployment('bad', 'ns', 1, { requests: { cpu: 'lots' } })], model))
    .toThrow('(input): Deployment ns/bad: spec.template.spec.containers[0].resources.requests.cpu: "lots" is not a valid Kubernetes quantity');
  const source = { file: 'dist/apps/ns/deployment-bad.yaml', absolutePath: '', index: 0, line: 1, text: '', textLine: 1 };
  expect(() => simulatePlan([{ object: deployment('bad', 'ns', -1), source }], model))
    .toThrow('dist/apps/ns/deployment-bad.yaml: Deployment ns/bad: spec.replicas: must be a whole number >= 0, got -1');
});
