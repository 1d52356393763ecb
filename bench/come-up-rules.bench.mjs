// What the "will it come up" rules (issue 10) cost `check`: the same generated tree checked with
// every rule, then with crd-before-use, service-reference-resolves, storage-class-exists,
// drain-safe and rollout-fits disabled (`--disable`), each run in a fresh process, at about 1,000
// and 10,000 objects. The tree is the check benchmark's green platform (bench/workers/tree.mjs)
// plus what makes the rules work: a cluster model ConfigMap with enough CPU nodes for every pod at
// maximum scale plus rollout and drain headroom (so drain-safe drains every node and rollout-fits
// re-places every Deployment), a default StorageClass and a PersistentVolumeClaim per namespace.
// Printed: both times (wall and CPU), their ratios, and each one's wall-time ratio to plain js-yaml
// parsing of the same files (the check benchmark's baseline); then the five rules' own CPU timed
// inside one check (workers/come-up-rule-cpu.mjs, median of three processes) as a share of the
// rest of it: on a loaded machine whole runs swing more than the 5% the target allows, this does not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { machineLoad, runWorker } from './support.mjs';
import { platformObjects } from './workers/tree.mjs';

const COME_UP_RULES = ['crd-before-use', 'service-reference-resolves', 'storage-class-exists', 'drain-safe', 'rollout-fits'];
const SIZES = [1000, 10000];
const PODS_PER_NODE = 6; // cpu_4x_general: 500m/1Gi pods, cpu-bound at 7, one slot of headroom

export function comeUpObjects(size) {
  const objects = platformObjects(size);
  const pods = objects.filter((o) => o.kind === 'Deployment').reduce((n, d) => n + d.spec.replicas, 0);
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  const model = { apiVersion: 'lambda-gitops.dev/v1alpha1', kind: 'ClusterModel', name: 'bench', pools: [{ name: 'cpu', instanceType: 'cpu_4x_general', nodes: Math.ceil(pods / PODS_PER_NODE) }] };
  objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-model', namespace: 'flux-system', labels: { 'lambda-gitops.dev/cluster-model': 'true' } }, data: { 'cluster.yaml': jsYaml.dump(model) } });
  objects.push({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/disk' });
  for (const ns of namespaces) {
    objects.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: ns }, spec: { storageClassName: 'standard', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } });
  }
  return { objects, pods, nodes: model.pools[0].nodes };
}

export default function main() {
  console.log(machineLoad());
  for (const size of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'lg-come-up-'));
    try {
      const { objects, pods, nodes } = comeUpObjects(size);
      for (const [i, o] of objects.entries()) {
        const sub = join(dir, o.metadata.namespace ?? 'cluster');
        mkdirSync(sub, { recursive: true });
        writeFileSync(join(sub, `${i}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), jsYaml.dump(o, { noRefs: true }));
      }
      const parse = runWorker('check', [dir, 'parse']);
      const all = runWorker('come-up-check', [dir, 'all']);
      const without = runWorker('come-up-check', [dir, `without:${COME_UP_RULES.join(',')}`]);
      const own = [1, 2, 3].map(() => runWorker('come-up-rule-cpu', [dir, ...COME_UP_RULES])).sort((a, b) => a.share - b.share)[1];
      if (all.fail > 0 || without.fail > 0) throw new Error(`the benchmark tree must be green: ${all.fail} and ${without.fail} results failed`);
      console.log(`${objects.length} objects (${pods} pods at maximum scale on ${nodes} nodes): check with the come-up rules ${all.checkMs.toFixed(0)} ms wall, ${all.cpuMs.toFixed(0)} CPU-ms (${all.pass} results), `
        + `without them ${without.checkMs.toFixed(0)} ms wall, ${without.cpuMs.toFixed(0)} CPU-ms (${without.pass} results); with/without ratio ${(all.checkMs / without.checkMs).toFixed(2)}x wall, ${(all.cpuMs / without.cpuMs).toFixed(2)}x CPU; `
        + `check/parse ratio ${(all.checkMs / parse.parseMs).toFixed(2)}x with, ${(without.checkMs / parse.parseMs).toFixed(2)}x without (plain js-yaml parse ${parse.parseMs.toFixed(0)} ms); `
        + `the rules' own CPU inside one check (median of 3): ${own.rulesMs.toFixed(0)} ms, ${(own.share * 100).toFixed(1)}% of the rest (${Object.entries(own.perRule).map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}): target <= 5% at 10,000 objects: ${size < 10000 ? 'n/a' : own.share <= 0.05 ? 'met' : 'NOT met'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(machineLoad());
}
