// Random fleets and workloads for the property tests that compare the grouped scheduler, drain and
// rollout simulations with their node-by-node references (fixed seed: test/support/fast-check-seed.ts).
import fc from 'fast-check';
import type { ClusterModelDocument } from '../../src/cluster/cluster-model-document.js';
import type { KubeObject } from '../../src/policy/types.js';
import { cluster, daemonSet, deployment, GPU_TOLERATION } from './fixtures.js';

const INSTANCE_TYPES = ['cpu_4x_general', 'gpu_1x_a10', 'gpu_8x_h100_sxm5'];
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const APPS = ['web', 'db', 'cache', 'batch'];
const TOPOLOGY_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

export const pool = fc.record({
  type: fc.constantFrom(...INSTANCE_TYPES),
  nodes: fc.integer({ min: 1, max: 6 }),
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  tainted: fc.boolean(),
});

const term = fc.record({ app: fc.constantFrom(...APPS), topologyKey: fc.constantFrom(...TOPOLOGY_KEYS), expression: fc.boolean() });
type Term = { app: string; topologyKey: string; expression: boolean };
const podTerm = (t: Term) => ({
  labelSelector: t.expression ? { matchExpressions: [{ key: 'app', operator: 'In', values: [t.app, 'none'] }] } : { matchLabels: { app: t.app } },
  topologyKey: t.topologyKey,
});

export const workload = fc.record({
  app: fc.constantFrom(...APPS),
  replicas: fc.integer({ min: 0, max: 7 }),
  cpu: fc.constantFrom('100m', '500m', '2', '8', '30'),
  memory: fc.constantFrom('128Mi', '1Gi', '16Gi', '200Gi'),
  gpu: fc.constantFrom(0, 0, 1, 4),
  namespace: fc.constantFrom('a', 'b'),
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  anti: fc.option(term, { nil: undefined }),
  affinity: fc.option(term, { nil: undefined }),
  hostnameAffinity: fc.boolean(),
  spread: fc.boolean(),
  daemon: fc.integer({ min: 0, max: 9 }),
  priority: fc.constantFrom(undefined, 'system-cluster-critical'),
});
export type Workload = typeof workload extends fc.Arbitrary<infer T> ? T : never;

/** The workload as a Deployment (or, for `daemon: 0`, a DaemonSet) named `w<i>`. */
export function manifest(w: Workload, i: number): KubeObject {
  const name = `w${i}`;
  const affinity: Record<string, unknown> = {};
  if (w.anti) affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [podTerm(w.anti)] };
  if (w.affinity) affinity.podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [podTerm(w.affinity)] };
  // node affinity on the hostname makes the verdict per node: the node-by-node path must take it
  if (w.hostnameAffinity) affinity.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['cpu-0'] }] }] } };
  const options = {
    requests: { cpu: w.cpu, memory: w.memory },
    ...(w.gpu > 0 ? { limits: { 'nvidia.com/gpu': String(w.gpu) } } : {}),
    tolerations: [GPU_TOLERATION],
    labels: { app: w.app },
    ...(w.zone ? { nodeSelector: { 'topology.kubernetes.io/zone': w.zone } } : {}),
    ...(Object.keys(affinity).length > 0 ? { affinity } : {}),
    ...(w.priority ? { priorityClassName: w.priority } : {}),
    ...(w.spread ? { extraSpec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: w.app } } }] } } : {}),
  };
  return w.daemon === 0 ? daemonSet(name, w.namespace, options) : deployment(name, w.namespace, w.replicas, options);
}

export type Pool = typeof pool extends fc.Arbitrary<infer T> ? T : never;

/** A cluster model of the generated pools (the first is named `cpu`), with `extra` model fields. */
export function randomCluster(pools: readonly Pool[], extra: Record<string, unknown> = {}): ClusterModelDocument {
  return cluster(pools.map((p, i) => ({
    name: i === 0 ? 'cpu' : `pool${i}`, instanceType: p.type, nodes: p.nodes,
    ...(p.zone ? { labels: { 'topology.kubernetes.io/zone': p.zone } } : {}),
    ...(p.tainted ? { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] } : {}),
  })), extra);
}
