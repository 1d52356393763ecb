import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  DEVICE_PLUGIN_CONFIG_LABEL, GpuTimeSlicingConfig, WHOLE_GPU_PROFILE, renderDevicePluginConfig,
} from '../../src/gpu/index.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';
import { validateManifest } from '../../src/schema/validator.js';

function configs() {
  const app = Testing.app();
  return { app, dir: new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' }) };
}

test('renders one ConfigMap key per profile holding the device-plugin time-slicing config', () => {
  const { app, dir } = configs();
  new GpuTimeSlicingConfig(dir, 'TimeSlicing', { profiles: [{ name: 'a10-shared-4', replicas: 4 }, { name: 'a10-shared-2', replicas: 2 }] });
  const [placed] = synthesizeObjects(app).filter((o) => o.manifest.kind === 'ConfigMap');
  expect(placed.directory).toBe('infrastructure/configs');
  const manifest = placed.manifest as any;
  expect(manifest.metadata).toMatchObject({ name: 'nvidia-device-plugin-config', namespace: 'nvidia-device-plugin' });
  expect(Object.keys(manifest.data).sort()).toEqual(['a10-shared-2', 'a10-shared-4', WHOLE_GPU_PROFILE]);
  expect(parse(manifest.data['a10-shared-4'])).toEqual({
    version: 'v1',
    flags: { migStrategy: 'none' },
    sharing: {
      timeSlicing: {
        renameByDefault: false,
        failRequestsGreaterThanOne: true,
        resources: [{ name: 'nvidia.com/gpu', replicas: 4 }],
      },
    },
  });
  expect(parse(manifest.data['a10-shared-2']).sharing.timeSlicing.resources).toEqual([{ name: 'nvidia.com/gpu', replicas: 2 }]);
  // the whole-GPU profile shares nothing
  expect(parse(manifest.data[WHOLE_GPU_PROFILE])).toEqual({ version: 'v1', flags: { migStrategy: 'none' } });
});

test('exposes node labels, Helm values and per-profile replicas as plain data', () => {
  const { dir } = configs();
  const slicing = new GpuTimeSlicingConfig(dir, 'TimeSlicing', {
    name: 'time-slicing-config', namespace: 'gpu-operator',
    profiles: [{ name: 'a10-shared-4', replicas: 4 }, { name: 'renamed', replicas: 3, renameByDefault: true, failRequestsGreaterThanOne: false }],
    defaultProfile: 'a10-shared-4',
  });
  expect(slicing.timeSlicingReplicas).toEqual({ [WHOLE_GPU_PROFILE]: 1, 'a10-shared-4': 4, renamed: 3 });
  expect(slicing.nodeLabels('a10-shared-4')).toEqual({ [DEVICE_PLUGIN_CONFIG_LABEL]: 'a10-shared-4' });
  expect(slicing.helmValues).toEqual({ config: { name: 'time-slicing-config', default: 'a10-shared-4' } });
  expect(slicing.profiles.map((p) => [p.name, p.resourceName, p.productLabelSuffix])).toEqual([
    [WHOLE_GPU_PROFILE, 'nvidia.com/gpu', ''], ['a10-shared-4', 'nvidia.com/gpu', '-SHARED'], ['renamed', 'nvidia.com/gpu.shared', ''],
  ]);
  const renamed = parse((slicing.resource.toJson() as any).data.renamed);
  expect(renamed.sharing.timeSlicing).toMatchObject({ renameByDefault: true, failRequestsGreaterThanOne: false });
  expect(() => slicing.nodeLabels('a100')).toThrow(/TimeSlicing: invalid 'profile' \("a100"\): must be one of the profiles: whole-gpu, a10-shared-4, renamed/);
});

test('output does not depend on the order of the profiles', () => {
  const render = (reverse: boolean) => {
    const { app, dir } = configs();
    const profiles = [{ name: 'b', replicas: 2 }, { name: 'a', replicas: 8 }];
    new GpuTimeSlicingConfig(dir, 'TimeSlicing', { profiles: reverse ? profiles.reverse() : profiles });
    return JSON.stringify(synthesizeObjects(app).map((o) => o.manifest));
  };
  expect(render(false)).toBe(render(true));
  expect(renderDevicePluginConfig({ replicas: 4, renameByDefault: false, failRequestsGreaterThanOne: true })).toBe([
    'version: v1', 'flags:', '  migStrategy: none', 'sharing:', '  timeSlicing:', '    renameByDefault: false',
    '    failRequestsGreaterThanOne: true', '    resources:', '      - name: nvidia.com/gpu', '        replicas: 4', '',
  ].join('\n'));
});

test('invalid profiles are rejected with the prop and the allowed values', () => {
  const { dir } = configs();
  expect(() => new GpuTimeSlicingConfig(dir, 'A', { profiles: [{ name: 'a10', replicas: 1 }] }))
    .toThrow(/configs\/A: invalid 'profiles\[0\].replicas' \(1\): must be a whole number from 2 to 64/);
  expect(() => new GpuTimeSlicingConfig(dir, 'B', { profiles: [{ name: 'a10', replicas: 2.5 }] })).toThrow(/invalid 'profiles\[0\].replicas' \(2.5\)/);
  expect(() => new GpuTimeSlicingConfig(dir, 'C', { profiles: [{ name: 'a10', replicas: 65 }] })).toThrow(/invalid 'profiles\[0\].replicas' \(65\)/);
  expect(() => new GpuTimeSlicingConfig(dir, 'D', { profiles: [] })).toThrow(/invalid 'profiles' \(\[\]\): must list at least one sharing profile/);
  expect(() => new GpuTimeSlicingConfig(dir, 'E', { profiles: [{ name: 'a10 shared', replicas: 2 }] })).toThrow(/invalid 'profiles\[0\].name' \("a10 shared"\): must be usable as a ConfigMap key and a label value/);
  expect(() => new GpuTimeSlicingConfig(dir, 'F', { profiles: [{ name: 'x', replicas: 2 }, { name: 'x', replicas: 3 }] })).toThrow(/invalid 'profiles\[1\].name' \("x"\): must be unique/);
  expect(() => new GpuTimeSlicingConfig(dir, 'G', { profiles: [{ name: WHOLE_GPU_PROFILE, replicas: 2 }] })).toThrow(/'whole-gpu' is reserved/);
  expect(() => new GpuTimeSlicingConfig(dir, 'H', { profiles: [{ name: 'x', replicas: 2 }], defaultProfile: 'y' })).toThrow(/invalid 'defaultProfile' \("y"\): must be one of the profiles: whole-gpu, x/);
  expect(() => new GpuTimeSlicingConfig(dir, 'I', { profiles: [{ name: 'x', replicas: 2 }], namespace: 'GPU' })).toThrow(/invalid 'namespace' \("GPU"\)/);
});

test('the ConfigMap validates strictly against the Kubernetes 1.28 schema', () => {
  const { app, dir } = configs();
  new GpuTimeSlicingConfig(dir, 'TimeSlicing', { profiles: [{ name: 'a10-shared-4', replicas: 4 }] });
  const [manifest] = synthesizeObjects(app).map((o) => o.manifest);
  expect(validateManifest(manifest)).toEqual([]);
});
