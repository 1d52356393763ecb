import { simulateDrains } from '../../src/capacity/drain.js';
import { disruptionsAllowed, nodeLocalClaims } from '../../src/capacity/node-local-claims.js';
import { readTree } from '../../src/capacity/workloads.js';
import { planCapacity } from '../../src/capacity/plan.js';
import { renderPlanMarkdown, renderPlanText } from '../../src/capacity/report.js';
import { readStorageClasses } from '../../src/cluster/storage-classes.js';
import type { KubeObject } from '../../src/policy/types.js';
import { cluster, deployment, statefulSet } from './fixtures.js';

const localNvme = { name: 'local-nvme', provisioner: 'rancher.io/local-path', default: true };
const network = { name: 'nfs', provisioner: 'nfs.csi.k8s.io' };

function withClaim(set: KubeObject, storageClassName?: string): KubeObject {
  const spec = set.spec as Record<string, unknown>;
  return { ...set, spec: { ...spec, volumeClaimTemplates: [{ metadata: { name: 'cache' }, spec: { accessModes: ['ReadWriteOnce'], ...(storageClassName ? { storageClassName } : {}), resources: { requests: { storage: '10Gi' } } } }] } };
}

function pdb(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': name } }, ...spec } };
}

const model = (nodes: number) => cluster([{ name: 'cpu', instanceType: 'cpu_4x_general', nodes }], { storageClasses: [localNvme, network] });

describe('storage classes: nodeLocal', () => {
  test('defaults to true for local-path-provisioner and static local volumes, false otherwise; a non-boolean is refused', () => {
    const { classes } = readStorageClasses([localNvme, network, { name: 'static', provisioner: 'kubernetes.io/no-provisioner' }, { name: 'x', provisioner: 'rancher.io/local-path', nodeLocal: false }]);
    expect(classes.map((c) => [c.name, c.nodeLocal])).toEqual([['local-nvme', true], ['nfs', false], ['static', true], ['x', false]]);
    expect(readStorageClasses([{ ...network, nodeLocal: 'yes' }]).problems).toEqual([{ field: 'storageClasses[0].nodeLocal', message: 'must be true or false, got "yes"' }]);
  });
});

describe('node-local claims in the drain simulation', () => {
  test('claims on a node-local class (named or by default) pin the group; a network class and standalone claims elsewhere do not', () => {
    const facts = readTree([
      withClaim(statefulSet('cache-default', 'a', 1, { requests: { cpu: '100m' } })),
      withClaim(statefulSet('cache-named', 'a', 1, { requests: { cpu: '100m' } }), 'local-nvme'),
      withClaim(statefulSet('on-nfs', 'a', 1, { requests: { cpu: '100m' } }), 'nfs'),
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'a' }, spec: { resources: { requests: { storage: '1Gi' } } } },
      deployment('uses-pvc', 'a', 1, { requests: { cpu: '100m' }, extraSpec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } }),
    ]);
    const pinned = nodeLocalClaims(facts, model(2));
    expect([...pinned].map(([g, claims]) => [g.name, claims])).toEqual([
      ['cache-default', ['claim cache (StorageClass local-nvme)']],
      ['cache-named', ['claim cache (StorageClass local-nvme)']],
      ['uses-pvc', ['claim data (StorageClass local-nvme)']],
    ]);
  });

  test('a drained node\'s pinned pod waits for the node: the drain finishes when the budget lets it go', () => {
    const facts = readTree([withClaim(statefulSet('svc', 'a', 2, { requests: { cpu: '1' } })), pdb('svc', 'a', { maxUnavailable: 1 })]);
    const drains = simulateDrains(facts, model(3));
    const stranded = drains.flatMap((d) => d.stranded);
    expect(stranded.length).toBe(2); // the two nodes holding a replica; the third node holds none
    for (const s of stranded) expect(s).toMatchObject({ evicted: 1, unplaced: 1, hangs: false, pdb: 'a/svc', nodeLocalClaims: ['claim cache (StorageClass local-nvme)'] });
    expect(stranded[0].reason).toMatch(/^bound to cpu-\d by node-local claim cache \(StorageClass local-nvme\); it waits for the node to return/);
    expect(drains.some((d) => d.hangs)).toBe(false);
  });

  test('more pinned pods on one node than the budget allows: the drain hangs (the same pods without the claim would move)', () => {
    const objects = [withClaim(statefulSet('svc', 'a', 2, { requests: { cpu: '1' } })), pdb('svc', 'a', { maxUnavailable: 1 })];
    const drains = simulateDrains(readTree(objects), model(1));
    expect(drains[0].hangs).toBe(true);
    expect(drains[0].stranded[0]).toMatchObject({ evicted: 2, hangs: true });
  });

  test('plan reports pinned pods as waiting for the node, in text and Markdown, and the drain as safe', () => {
    const report = planCapacity([withClaim(statefulSet('svc', 'a', 2, { requests: { cpu: '1' } })), pdb('svc', 'a', { maxUnavailable: 1 })], model(3));
    const cpu = report.drains.find((d) => d.pool === 'cpu')!;
    expect(cpu.hangs).toBe(false);
    expect(cpu.stranded.every((s) => s.waitsForNode === true && s.pdb === undefined)).toBe(true);
    expect(renderPlanText(report)).toMatch(/cpu-\d: StatefulSet\/a\/svc 1 pod\(s\) wait for the node: bound to cpu-\d by node-local claim cache/);
    expect(renderPlanMarkdown(report)).toMatch(/`StatefulSet\/a\/svc` 1 \(waits for the node: node-local volume\)/);
  });

  test('disruptionsAllowed reads maxUnavailable, else minAvailable; percentages rounded up', () => {
    const of = (spec: Record<string, unknown>) => ({ object: pdb('x', 'a', spec), source: { file: 'f', absolutePath: '', index: 0, line: 1, text: '', textLine: 1 } });
    expect(disruptionsAllowed(of({ maxUnavailable: 1 }) as never, 3)).toBe(1);
    expect(disruptionsAllowed(of({ maxUnavailable: '50%' }) as never, 3)).toBe(2);
    expect(disruptionsAllowed(of({ minAvailable: 2 }) as never, 3)).toBe(1);
    expect(disruptionsAllowed(of({ minAvailable: '100%' }) as never, 3)).toBe(0);
  });
});
