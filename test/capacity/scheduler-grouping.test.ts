// The scheduler evaluates interchangeable nodes once per class and finds (anti-)affinity targets
// through a label index; `grouped: false` is the node-by-node reference. On random fleets and
// workloads both must place every pod on the same node and fail the same pods with the same words.
import fc from 'fast-check';
import { nodesOf, schedule, type Simulation } from '../../src/capacity/scheduler.js';
import { readTree } from '../../src/capacity/workloads.js';
import { NodeClasses } from '../../src/capacity/node-classes.js';
import { GroupLabelIndex } from '../../src/capacity/group-label-index.js';
import { antiAffinityOnHostname, cluster, deployment } from './fixtures.js';
import { manifest, pool, randomCluster, workload } from './random-fleets.js';

/** Pod name to node name, and pod name to failure message. */
function outcome(simulation: Simulation): { placed: Record<string, string>; failed: Record<string, string> } {
  return {
    placed: Object.fromEntries(simulation.placed.map((p) => [`${p.pod.group.id}/${p.pod.name}`, p.node.name])),
    failed: Object.fromEntries(simulation.failures.map((f) => [`${f.pod.group.id}/${f.pod.name}`, f.message])),
  };
}

describe('grouped scheduling agrees with the node-by-node reference', () => {
  test('random fleets and workloads: same node for every pod, same failures and messages', () => {
    let nonTrivial = 0;
    fc.assert(fc.property(fc.array(pool, { minLength: 1, maxLength: 4 }), fc.array(workload, { minLength: 1, maxLength: 8 }), (pools, workloads) => {
      const model = randomCluster(pools);
      const groups = readTree(workloads.map((w, i) => manifest(w, i))).groups;
      const grouped = outcome(schedule(groups, nodesOf(model), new Map()));
      const reference = outcome(schedule(groups, nodesOf(model), new Map(), { grouped: false }));
      expect(grouped).toEqual(reference);
      if (Object.keys(reference.placed).length > 0 && Object.keys(reference.failed).length > 0) nonTrivial++;
    }), { seed: 20261202, numRuns: 300 });
    // the generator must reach fleets where some pods fit and others do not
    expect(nonTrivial).toBeGreaterThan(20);
  });

  test('the one-replica required anti-affinity fleet: identical placements on 40 nodes', () => {
    const tree = Array.from({ length: 120 }, (_, i) => deployment(`svc${i}`, 'ns', 1 + (i % 3), { requests: { cpu: '250m', memory: '256Mi' }, affinity: antiAffinityOnHostname(`svc${i}`) }));
    const model = cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 40 }]);
    const groups = readTree(tree).groups;
    const grouped = outcome(schedule(groups, nodesOf(model)));
    expect(grouped).toEqual(outcome(schedule(groups, nodesOf(model), new Map(), { grouped: false })));
    expect(Object.keys(grouped.placed)).toHaveLength(240);
  });
});

describe('failure messages', () => {
  test('a class whose every node is an exception adds no "0 node(s)" reason', () => {
    // the second pod's affinity is met on the only node (an exception of its class), its anti-affinity is not
    const self = { matchLabels: { 'app.kubernetes.io/name': 'cache' } };
    const term = { labelSelector: self, topologyKey: 'kubernetes.io/hostname' };
    const tree = [deployment('cache', 'ns', 2, { requests: { cpu: '100m' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] }, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } })];
    const model = cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 1 }]);
    const groups = readTree(tree).groups;
    const grouped = outcome(schedule(groups, nodesOf(model)));
    expect(Object.values(grouped.failed)).toEqual(["0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules."]);
    expect(grouped).toEqual(outcome(schedule(groups, nodesOf(model), new Map(), { grouped: false })));
  });
});

describe('node classes', () => {
  test('nodes of a pool share a class until a pod lands on one; classes keep node order', () => {
    const nodes = nodesOf(cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 3 }, { name: 'a10', instanceType: 'gpu_1x_a10', nodes: 2 }]));
    const classes = new NodeClasses(nodes, ['cpu']);
    expect([...classes.all()].map((c) => c.nodes.map((n) => n.name))).toEqual([['cpu-0', 'cpu-1', 'cpu-2'], ['a10-0', 'a10-1']]);
    nodes[1].requested = { cpu: 500 };
    classes.update(nodes[1]);
    expect(classes.classOf(nodes[0]).nodes.map((n) => n.name)).toEqual(['cpu-0', 'cpu-2']);
    expect(classes.classOf(nodes[1]).nodes.map((n) => n.name)).toEqual(['cpu-1']);
    nodes[1].requested = {};
    classes.update(nodes[1]);
    expect(classes.classOf(nodes[2]).nodes.map((n) => n.name)).toEqual(['cpu-0', 'cpu-1', 'cpu-2']);
    expect([...classes.all()]).toHaveLength(2);
    // the stand-in keeps the class's labels but no node's hostname
    expect(classes.classOf(nodes[0]).generic.labels['kubernetes.io/hostname']).toBe('\u0000');
    expect(classes.classOf(nodes[0]).generic.labels['node.kubernetes.io/instance-type']).toBe('cpu_4x_general');
  });
});

describe('group label index', () => {
  const groups = readTree([
    deployment('a', 'ns', 1, { labels: { app: 'web', tier: 'front' } }),
    deployment('b', 'ns', 1, { labels: { app: 'web' } }),
    deployment('c', 'ns', 1, { labels: { app: 'db', tier: 'back' } }),
  ]).groups;
  const index = new GroupLabelIndex(groups);
  const names = (selector: Parameters<GroupLabelIndex['candidates']>[0]) => index.candidates(selector).map((g) => g.name).sort();

  test('narrows to the smallest posting list of matchLabels, In and Exists', () => {
    expect(names({ matchLabels: { app: 'web', tier: 'front' } })).toEqual(['a']);
    expect(names({ matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web', 'db'] }] })).toEqual(['a', 'b', 'c']);
    expect(names({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] })).toEqual(['a', 'c']);
    expect(names({ matchLabels: { app: 'nothing' } })).toEqual([]);
  });

  test('selectors without a positive requirement consider every group', () => {
    expect(names({})).toEqual(['a', 'b', 'c']);
    expect(names({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] })).toEqual(['a', 'b', 'c']);
  });
});
