import { Testing } from 'cdk8s';
import { GpuPriorityClasses, PriorityClassNames } from '../../src/gpu/index.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';
import { validateManifest } from '../../src/schema/validator.js';
import { Tenant } from '../../src/tenancy/tenant.js';

function controllers() {
  const app = Testing.app();
  return { app, dir: new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' }) };
}

test('renders four cluster-scoped PriorityClasses: serving outranks batch, training is preemptible and never preempts', () => {
  const { app, dir } = controllers();
  new GpuPriorityClasses(dir, 'Priorities');
  const placed = synthesizeObjects(app).filter((o) => o.manifest.kind === 'PriorityClass');
  expect(placed.every((o) => o.directory === 'infrastructure/controllers')).toBe(true);
  const classes = placed.map((o) => o.manifest as any);
  expect(classes.map((c) => [c.apiVersion, c.metadata.name, c.value, c.preemptionPolicy, c.globalDefault])).toEqual([
    ['scheduling.k8s.io/v1', 'lambda-serving-critical', 1000000, 'PreemptLowerPriority', false],
    ['scheduling.k8s.io/v1', 'lambda-serving', 100000, 'PreemptLowerPriority', false],
    ['scheduling.k8s.io/v1', 'lambda-batch', 10000, 'PreemptLowerPriority', false],
    ['scheduling.k8s.io/v1', 'lambda-training-preemptible', 1000, 'Never', false],
  ]);
  expect(classes.every((c) => c.metadata.namespace === undefined && c.description.length > 20)).toBe(true);
  const value = (name: string) => classes.find((c) => c.metadata.name === name).value;
  expect(value(PriorityClassNames.SERVING_CRITICAL)).toBeGreaterThan(value(PriorityClassNames.SERVING));
  expect(value(PriorityClassNames.SERVING)).toBeGreaterThan(value(PriorityClassNames.BATCH));
  expect(value(PriorityClassNames.BATCH)).toBeGreaterThan(value(PriorityClassNames.TRAINING_PREEMPTIBLE));
  expect(value(PriorityClassNames.TRAINING_PREEMPTIBLE)).toBeGreaterThan(0);
});

test('tiers are plain data for the capacity model', () => {
  const { dir } = controllers();
  const priorities = new GpuPriorityClasses(dir, 'Priorities', { servingCriticalValue: 2_000_000 });
  expect(priorities.tiers.map((t) => [t.name, t.value, t.preemptible])).toEqual([
    ['lambda-serving-critical', 2000000, false],
    ['lambda-serving', 100000, true],
    ['lambda-batch', 10000, true],
    ['lambda-training-preemptible', 1000, true],
  ]);
  expect(priorities.priorityOf(PriorityClassNames.BATCH)).toBe(10000);
  expect(() => priorities.priorityOf('system-node-critical')).toThrow(/Priorities: invalid 'name' \("system-node-critical"\): must be one of: lambda-serving-critical/);
});

test('values must stay strictly ordered and within the user range; the chart must be cluster-scoped', () => {
  const { app, dir } = controllers();
  expect(() => new GpuPriorityClasses(dir, 'A', { batchValue: 100000 }))
    .toThrow(/controllers\/A: invalid 'batchValue' \(100000\): must be lower than servingValue \(100000\): serving outranks batch/);
  expect(() => new GpuPriorityClasses(dir, 'B', { servingCriticalValue: 2_000_000_000 })).toThrow(/invalid 'servingCriticalValue' \(2000000000\): must be a whole number from -1000000000 to 1000000000/);
  expect(() => new GpuPriorityClasses(dir, 'C', { trainingValue: 0.5 })).toThrow(/invalid 'trainingValue' \(0.5\)/);
  const tenant = new Tenant(app, 'ml', { team: 'ml', quota: { requestsCpu: '1', requestsMemory: '1Gi' } });
  expect(() => new GpuPriorityClasses(tenant, 'D')).toThrow(/ml\/D: invalid 'scope' \("ml"\): is a namespaced chart \(namespace 'ml'\); a PriorityClass is cluster-scoped: create it in the infrastructure\/controllers ManifestDirectory/);
});

test('every PriorityClass validates strictly against the Kubernetes 1.28 schema', () => {
  const { app, dir } = controllers();
  new GpuPriorityClasses(dir, 'Priorities');
  const manifests = synthesizeObjects(app).map((o) => o.manifest);
  expect(manifests).toHaveLength(4);
  for (const manifest of manifests) expect(validateManifest(manifest)).toEqual([]);
});
