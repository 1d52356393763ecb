// The gate rules capacity-fit, drain-safe and rollout-fits share one reading of the tree, one
// placement and one drain simulation per tree and cluster model (tree-capacity.ts).
import { jest } from '@jest/globals';
import { simulateDrains } from '../../src/capacity/drain.js';
import { simulatePlan } from '../../src/capacity/plan.js';
import { simulateRollouts } from '../../src/capacity/rollout.js';
import { treeCapacityFor } from '../../src/capacity/tree-capacity.js';
import { asManifestObjects, readTree } from '../../src/capacity/workloads.js';
import type { RuleContext } from '../../src/policy/registry.js';
import { antiAffinityOnHostname, deployment, quota } from './fixtures.js';

const POOLS = [{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: 3 }];
const objects = asManifestObjects([
  deployment('web', 'ns', 3, { requests: { cpu: '1', memory: '1Gi' }, affinity: antiAffinityOnHostname('web') }),
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ns' }, spec: { minAvailable: 2, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } } },
]);

function context(objs: typeof objects, cluster: unknown): RuleContext {
  return { parameters: { cluster }, loaded: { objects: objs }, policy: { id: 'test' }, fail: jest.fn() } as unknown as RuleContext;
}

test('rules of one check get the same capacity facts for the same tree and model, computed once', () => {
  const first = treeCapacityFor(context(objects, { name: 'c', pools: POOLS }));
  const second = treeCapacityFor(context(objects, { name: 'c', pools: POOLS }));
  if (!first || !('capacity' in first)) throw new Error('expected capacity facts');
  expect(second).toBe(first);
  const { capacity } = first;
  expect(capacity.plan().simulation).toBe(capacity.placement());
  expect(capacity.plan().nodeDrains).toBe(capacity.drains());
  expect(capacity.fit()).toEqual({ unschedulable: capacity.plan().report.unschedulable, quotas: capacity.plan().report.quotas });
  // the same verdicts as the stand-alone simulations
  const facts = readTree(objects);
  expect(capacity.drains()).toEqual(simulateDrains(facts, capacity.model));
  expect(capacity.rollouts()).toEqual(simulateRollouts(facts, capacity.model));
  expect(capacity.plan().report).toEqual({ ...simulatePlan(objects, capacity.model).report, cost: expect.anything() });
  // three pods on three nodes with required anti-affinity: a drain strands one, the budget hangs it
  expect(capacity.drains().every((d) => d.hangs)).toBe(true);
});

test('another model or another tree gets its own facts', () => {
  const base = treeCapacityFor(context(objects, { name: 'c', pools: POOLS }));
  expect(treeCapacityFor(context(objects, { name: 'c', pools: [{ ...POOLS[0], nodes: 4 }] }))).not.toBe(base);
  expect(treeCapacityFor(context([...objects], { name: 'c', pools: POOLS }))).not.toBe(base);
});

test('bad input is read once and reported as the error', () => {
  const bad = asManifestObjects([quota('ns', { 'requests.cpu': '1' }), deployment('x', 'ns', -1)]);
  const outcome = treeCapacityFor(context(bad, { name: 'c', pools: POOLS }));
  expect(outcome && 'error' in outcome && outcome.error.message).toMatch(/replicas/);
});
