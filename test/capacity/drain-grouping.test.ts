// The drain and rollout simulations re-place pods on one shared copy of the placement, per node
// class, undoing each run (what-if.ts); `grouped: false` is the per-node reference: fresh copies of
// every node for each drain or rollout, scheduled node by node. On random fleets and workloads
// (with PodDisruptionBudgets and two priorities) both must give the same verdict for every node
// and every workload, with the same words.
import fc from 'fast-check';
import { simulateDrains } from '../../src/capacity/drain.js';
import { simulateRollouts } from '../../src/capacity/rollout.js';
import { nodesOf, schedule } from '../../src/capacity/scheduler.js';
import { readTree } from '../../src/capacity/workloads.js';
import type { KubeObject } from '../../src/policy/types.js';
import { manifest, pool, randomCluster, workload } from './random-fleets.js';

const pdb = (i: number, namespace: string): KubeObject => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `w${i}`, namespace },
  spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': `w${i}` } } },
});

describe('grouped drain and rollout simulations agree with the per-node reference', () => {
  test('random fleets: same drain verdict for every node, same rollout verdict for every workload', () => {
    let stranded = 0;
    let hanging = 0;
    let stalled = 0;
    fc.assert(fc.property(
      fc.array(pool, { minLength: 1, maxLength: 4 }),
      fc.array(fc.record({ w: workload, pdb: fc.boolean() }), { minLength: 1, maxLength: 8 }),
      (pools, entries) => {
        const model = randomCluster(pools);
        const tree = entries.flatMap(({ w, pdb: protect }, i) => [manifest(w, i), ...(protect ? [pdb(i, w.namespace)] : [])]);
        const facts = readTree(tree);
        const base = schedule(facts.groups, nodesOf(model), facts.namespaceLabels);
        const drains = simulateDrains(facts, model, base);
        expect(drains).toEqual(simulateDrains(facts, model, base, { grouped: false }));
        const rollouts = simulateRollouts(facts, model, base);
        expect(rollouts).toEqual(simulateRollouts(facts, model, base, { grouped: false }));
        // the base placement is left as it was
        expect(simulateDrains(facts, model, base)).toEqual(drains);
        if (drains.some((d) => d.stranded.length > 0)) stranded++;
        if (drains.some((d) => d.hangs)) hanging++;
        if (rollouts.some((r) => r.problems.length > 0)) stalled++;
      },
    ), { numRuns: 200 });
    // the generator must reach drains that strand pods, drains that hang and rollouts that stall
    expect(stranded).toBeGreaterThan(10);
    expect(hanging).toBeGreaterThan(5);
    expect(stalled).toBeGreaterThan(5);
  });
});
