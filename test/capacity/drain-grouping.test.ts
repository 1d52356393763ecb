// The drain and rollout simulations re-place pods on one shared copy of the placement, per node
// class, undoing each run (what-if.ts); `grouped: false` is the per-node reference: fresh copies of
// every node for each drain or rollout, scheduled node by node. On random fleets and workloads
// (with PodDisruptionBudgets and two priorities) both must give the same verdict for every node
// and every workload, with the same words. Runs the room proof (room-proof.ts) covers are not
// simulated at all: on the same fleets, whenever the proof says a run places every pod, the
// reference run of the same pods must place every pod.
import fc from 'fast-check';
import { nodesKeeping, simulateDrains } from '../../src/capacity/drain.js';
import { nodeLocalClaims } from '../../src/capacity/node-local-claims.js';
import { RoomProof } from '../../src/capacity/room-proof.js';
import { rolloutSurge, simulateRollouts } from '../../src/capacity/rollout.js';
import { nodesOf, resourceNamesOf, schedule } from '../../src/capacity/scheduler.js';
import { readTree, type PodGroup } from '../../src/capacity/workloads.js';
import type { KubeObject } from '../../src/policy/types.js';
import { manifest, pool, randomCluster, workload, type Pool, type Workload } from './random-fleets.js';

const LOCAL_NVME = { name: 'local-nvme', provisioner: 'rancher.io/local-path' };

/**
 * Workloads the room proof can cover more often: most lose their pod affinity, spreading and
 * hostname node affinity, and their anti-affinity moves to the hostname or goes.
 */
const coverable = fc.record({ w: workload, keep: fc.integer({ min: 0, max: 7 }) }).map(({ w, keep }): Workload => (keep === 0 ? w : {
  ...w, affinity: undefined, spread: false, hostnameAffinity: false, anti: w.anti && keep < 4 ? { ...w.anti, topologyKey: 'kubernetes.io/hostname' } : undefined,
}));

/** The workload's manifests: with `pinned`, a claim on node-local storage mounted by its pods. */
function workloadObjects(w: Workload, i: number, pinned: boolean): KubeObject[] {
  const object = manifest(w, i);
  if (!pinned) return [object];
  const template = (object.spec as { template: { spec: Record<string, unknown> } }).template;
  template.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: `data-w${i}` } }];
  const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-w${i}`, namespace: w.namespace }, spec: { storageClassName: LOCAL_NVME.name, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  return [object, claim];
}

const pdb = (i: number, namespace: string): KubeObject => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `w${i}`, namespace },
  spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': `w${i}` } } },
});

const fleetPools = fc.array(pool, { minLength: 1, maxLength: 4 });
/** True one time in four (a workload with a node-local claim). */
const sometimes = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);

/** The fleet's model (with the node-local class), the tree's facts and their maximum-scale placement. */
function placed(pools: readonly Pool[], tree: readonly KubeObject[]) {
  const model = randomCluster(pools, { storageClasses: [LOCAL_NVME] });
  const facts = readTree(tree);
  return { model, facts, base: schedule(facts.groups, nodesOf(model), facts.namespaceLabels) };
}

describe('grouped drain and rollout simulations agree with the per-node reference', () => {
  test('random fleets: same drain verdict for every node, same rollout verdict for every workload', () => {
    let stranded = 0;
    let hanging = 0;
    let stalled = 0;
    let pinnedDrains = 0;
    fc.assert(fc.property(
      fleetPools,
      fc.array(fc.record({ w: fc.oneof(workload, coverable), pdb: fc.boolean(), pinned: sometimes }), { minLength: 1, maxLength: 8 }),
      (pools, entries) => {
        const { model, facts, base } = placed(pools, entries.flatMap(({ w, pdb: protect, pinned }, i) => [...workloadObjects(w, i, pinned), ...(protect ? [pdb(i, w.namespace)] : [])]));
        const drains = simulateDrains(facts, model, base);
        expect(drains).toEqual(simulateDrains(facts, model, base, { grouped: false }));
        const rollouts = simulateRollouts(facts, model, base);
        expect(rollouts).toEqual(simulateRollouts(facts, model, base, { grouped: false }));
        // the base placement is left as it was
        expect(simulateDrains(facts, model, base)).toEqual(drains);
        if (drains.some((d) => d.stranded.some((x) => x.nodeLocalClaims))) pinnedDrains++;
        if (drains.some((d) => d.stranded.length > 0)) stranded++;
        if (drains.some((d) => d.hangs)) hanging++;
        if (rollouts.some((r) => r.problems.length > 0)) stalled++;
      },
    ), { numRuns: 200 });
    // the generator must reach drains that strand pods, drains that hang and rollouts that stall
    expect(stranded).toBeGreaterThan(10);
    expect(hanging).toBeGreaterThan(5);
    expect(stalled).toBeGreaterThan(5);
    expect(pinnedDrains).toBeGreaterThan(5);
  });
});

describe('room proof: a run it covers places every pod', () => {
  // The runs of the drain and rollout simulations (and random sets of workloads), on random
  // fleets: where the proof holds, the per-node reference run of the same pods on the same
  // nodes (drained node and preempted pods taken off) must have no failure.
  test('random fleets: no covered run fails; both covered and uncovered runs occur', () => {
    let covered = 0;
    let uncovered = 0;
    let coveredWithAntiAffinity = 0;
    let coveredNearlyFull = 0;
    let coveredMorePodsThanNodes = 0;
    fc.assert(fc.property(
      fleetPools,
      fc.array(fc.record({ w: coverable, pinned: sometimes }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.array(fc.nat(7), { maxLength: 4 }), { maxLength: 4 }),
      (pools, entries, subsets) => {
        const { model, facts, base } = placed(pools, entries.flatMap(({ w, pinned }, i) => workloadObjects(w, i, pinned)));
        const proof = new RoomProof(base, resourceNamesOf(facts.groups));
        const pinned = nodeLocalClaims(facts, model);
        const runs: { groups: PodGroup[]; moving: Set<PodGroup>; victimsBelow: number; drained?: (typeof base.nodes)[number] }[] = [];
        for (const node of base.nodes) {
          const moving = new Set(node.pods.map((p) => p.group).filter((g) => !g.daemon && !pinned.has(g)));
          if (moving.size > 0) runs.push({ groups: [...moving], moving, victimsBelow: Math.min(...[...moving].map((g) => g.priority)), drained: node });
        }
        for (const g of facts.groups) {
          const surge = rolloutSurge(g);
          if (surge > 0) runs.push({ groups: [{ ...g, maxReplicas: g.maxReplicas + surge }], moving: new Set([g]), victimsBelow: g.priority });
        }
        const movable = facts.groups.filter((g) => !g.daemon);
        for (const picks of subsets) {
          const groups = [...new Set(picks.filter((i) => i < movable.length).map((i) => movable[i]))];
          if (groups.length > 0) runs.push({ groups, moving: new Set(groups), victimsBelow: Math.min(...groups.map((g) => g.priority)), drained: base.nodes[picks[0] % base.nodes.length] });
        }
        for (const run of runs) {
          if (!proof.placesAll(run.groups, run.drained)) {
            uncovered++;
            continue;
          }
          covered++;
          if (run.groups.some((g) => (g.spec as { affinity?: { podAntiAffinity?: unknown } }).affinity?.podAntiAffinity)) coveredWithAntiAffinity++;
          const pods = run.groups.reduce((n, g) => n + g.maxReplicas, 0);
          if (pods * 2 > base.nodes.length) coveredNearlyFull++;
          if (pods > base.nodes.length) coveredMorePodsThanNodes++;
          const reference = schedule(run.groups, nodesKeeping(base, run.drained, run.moving, run.victimsBelow), facts.namespaceLabels, { grouped: false });
          expect(reference.failures).toEqual([]);
        }
      },
    ), { numRuns: 500 });
    // the generator must reach both sides of the proof, and covered runs that are not trivial
    expect(covered).toBeGreaterThan(300);
    expect(uncovered).toBeGreaterThan(1000);
    expect(coveredWithAntiAffinity).toBeGreaterThan(80);
    expect(coveredNearlyFull).toBeGreaterThan(50);
    expect(coveredMorePodsThanNodes).toBeGreaterThan(5);
  });

  test('nodes sharing a hostname, pod affinity and DoNotSchedule spreading are never covered', () => {
    const model = randomCluster([{ type: 'cpu_4x_general', nodes: 6, zone: undefined, tainted: false }]);
    const plain = { app: 'web', replicas: 1, cpu: '100m', memory: '128Mi', gpu: 0, namespace: 'a', zone: undefined, anti: undefined, affinity: undefined, hostnameAffinity: false, spread: false, daemon: 1, priority: undefined } as const;
    const facts = readTree([
      manifest(plain, 0),
      manifest({ ...plain, affinity: { app: 'web', topologyKey: 'kubernetes.io/hostname', expression: false } }, 1),
      manifest({ ...plain, spread: true }, 2),
      manifest({ ...plain, anti: { app: 'web', topologyKey: 'topology.kubernetes.io/zone', expression: false } }, 3),
      manifest({ ...plain, anti: { app: 'web', topologyKey: 'kubernetes.io/hostname', expression: false } }, 4),
      manifest({ ...plain, hostnameAffinity: true }, 5),
    ]);
    const base = schedule(facts.groups, nodesOf(model), facts.namespaceLabels);
    const proof = new RoomProof(base, resourceNamesOf(facts.groups));
    expect(facts.groups.map((g) => proof.placesAll([g]))).toEqual([true, false, false, false, true, false]);
    // the same placement where two nodes carry one hostname: nothing is covered
    const shared = { ...base, nodes: base.nodes.map((n, i) => (i === 1 ? { ...n, labels: { ...n.labels, 'kubernetes.io/hostname': base.nodes[0].labels['kubernetes.io/hostname'] } } : n)) };
    expect(new RoomProof(shared, resourceNamesOf(facts.groups)).placesAll([facts.groups[0]])).toBe(false);
    // with anti-affinity, one pod per node with room counts (the drained node does not)
    const anti = facts.groups[4];
    expect(proof.placesAll([{ ...anti, maxReplicas: 6 }])).toBe(true);
    expect(proof.placesAll([{ ...anti, maxReplicas: 6 }], base.nodes[0])).toBe(false);
    expect(proof.placesAll([{ ...anti, maxReplicas: 7 }])).toBe(false);
    // without, every pod a node admits counts: 100m pods fit by the dozen on each node, not by the thousand
    expect(proof.placesAll([{ ...facts.groups[0], maxReplicas: 30 }], base.nodes[0])).toBe(true);
    expect(proof.placesAll([{ ...facts.groups[0], maxReplicas: 3000 }])).toBe(false);
    // two groups together: one pod per node each, even without anti-affinity
    expect(proof.placesAll([{ ...facts.groups[0], maxReplicas: 3 }, { ...anti, maxReplicas: 3 }])).toBe(true);
    expect(proof.placesAll([{ ...facts.groups[0], maxReplicas: 4 }, { ...anti, maxReplicas: 3 }])).toBe(false);
  });
});
