import { Testing } from 'cdk8s';
import { ClusterModel } from '../../src/cluster/cluster-model.js';
import { GpuTimeSlicingConfig } from '../../src/gpu/time-slicing-config.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { simulatePlan } from '../../src/capacity/plan.js';
import { manifestsOf } from '../../src/render/synthesize.js';

function setup() {
  const app = Testing.app();
  const controllers = new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' });
  const configs = new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' });
  const sharing = new GpuTimeSlicingConfig(controllers, 'TimeSlicing', { profiles: [{ name: 'a10-shared-4', replicas: 4 }, { name: 'renamed', replicas: 2, renameByDefault: true }] });
  const model = new ClusterModel(configs, 'Fleet', { name: 'lambda' });
  return { app, sharing, model };
}

test('a pool on a time-slicing profile takes its replicas and node labels from the device-plugin config', () => {
  const { sharing, model } = setup();
  const profile = sharing.profiles.find((p) => p.name === 'a10-shared-4')!;
  const pool = model.addNodePool('shared', { instanceType: 'gpu_1x_a10', nodes: 1, timeSlicingProfile: profile });
  expect(pool.model.timeSlicingReplicas).toBe(4);
  expect(pool.model.labels).toMatchObject({ 'nvidia.com/device-plugin.config': 'a10-shared-4', 'nvidia.com/gpu.product': 'NVIDIA-A10-SHARED' });
  expect(pool.model.allocatable['nvidia.com/gpu']).toBe('4');
});

test('profiles that rename the resource, or replicas that disagree with the profile, are rejected', () => {
  const { sharing, model } = setup();
  const renamed = sharing.profiles.find((p) => p.name === 'renamed')!;
  expect(() => model.addNodePool('r', { instanceType: 'gpu_1x_a10', nodes: 1, timeSlicingProfile: renamed }))
    .toThrow(/invalid 'timeSlicingProfile' \("renamed"\): profile advertises nvidia.com\/gpu.shared/);
  const shared = sharing.profiles.find((p) => p.name === 'a10-shared-4')!;
  expect(() => model.addNodePool('s', { instanceType: 'gpu_1x_a10', nodes: 1, timeSlicingProfile: shared, timeSlicingReplicas: 2 }))
    .toThrow(/invalid 'timeSlicingReplicas' \(2\): must equal the replicas of timeSlicingProfile 'a10-shared-4' \(4\)/);
});

test('the planner warns when a pool models other replicas than its device-plugin profile in the tree', () => {
  const { app, model } = setup();
  model.addNodePool('ok', { instanceType: 'gpu_1x_a10', nodes: 1, timeSlicingReplicas: 4, labels: { 'nvidia.com/device-plugin.config': 'a10-shared-4' } });
  model.addNodePool('drift', { instanceType: 'gpu_1x_a10', nodes: 1, timeSlicingReplicas: 8, labels: { 'nvidia.com/device-plugin.config': 'a10-shared-4' } });
  model.addNodePool('ghost', { instanceType: 'gpu_1x_a10', nodes: 1, labels: { 'nvidia.com/device-plugin.config': 'missing' } });
  const { report } = simulatePlan(manifestsOf(app), undefined, { now: new Date('2026-09-21T00:00:00Z') }); // prices fresh: no age warning
  expect(report.warnings.filter((w) => w.startsWith('pool '))).toEqual([
    "pool drift: models 8 time-slicing replica(s) per GPU but device-plugin profile 'a10-shared-4' in (input) gives 4",
    "pool ghost: device-plugin profile 'missing' (label nvidia.com/device-plugin.config) is not in any ConfigMap of the tree; the plan assumes 1 replica(s) per GPU",
  ]);
});
