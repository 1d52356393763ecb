import { LAMBDA_INSTANCE_TYPES, LAMBDA_INSTANCE_TYPE_NAMES, lambdaInstanceType, pricePerGpuHour, UnknownInstanceTypeError } from '../../src/cluster/instance-types.js';

test('the catalog holds the instance types of the reference notes with specs and dated prices', () => {
  expect(LAMBDA_INSTANCE_TYPE_NAMES).toEqual(expect.arrayContaining([
    'gpu_1x_a10', 'gpu_1x_a100', 'gpu_1x_a100_sxm4', 'gpu_8x_a100', 'gpu_8x_a100_80gb_sxm4', 'gpu_1x_h100_pcie',
    'gpu_1x_h100_sxm5', 'gpu_2x_h100_sxm5', 'gpu_4x_h100_sxm5', 'gpu_8x_h100_sxm5', 'gpu_1x_gh200',
    'gpu_1x_a6000', 'gpu_2x_a6000', 'gpu_4x_a6000', 'gpu_1x_rtx6000', 'gpu_8x_v100', 'cpu_4x_general',
  ]));
  const a10 = lambdaInstanceType('gpu_1x_a10');
  expect(a10).toMatchObject({ gpus: 1, gpuModel: 'A10', gpuMemoryGiB: 24, vcpus: 30, memoryGiB: 200, localDiskGiB: 1400, gpuProductLabel: 'NVIDIA-A10', gpuProductLabelInferred: false });
  expect(a10.price).toEqual({ hourlyUsd: 0.75, readOn: '2026-11-26', source: expect.stringContaining('skypilot-catalog') });
  expect(a10.otherPriceReadings.map((r) => r.hourlyUsd)).toEqual([0.60, 0.86, 1.29]);
  expect(lambdaInstanceType('gpu_8x_h100_sxm5')).toMatchObject({ gpus: 8, vcpus: 208, memoryGiB: 1800, gpuProductLabelInferred: true });
  expect(pricePerGpuHour(lambdaInstanceType('gpu_8x_h100_sxm5'))).toBeCloseTo(2.99, 5);
  expect(pricePerGpuHour(lambdaInstanceType('gpu_8x_a100'))).toBeCloseTo(1.29, 5);
  expect(pricePerGpuHour(lambdaInstanceType('cpu_4x_general'))).toBeUndefined();
});

test('every GPU instance type has a product label and positive figures; CPU types have none', () => {
  for (const type of Object.values(LAMBDA_INSTANCE_TYPES)) {
    expect(type.vcpus).toBeGreaterThan(0);
    expect(type.memoryGiB).toBeGreaterThan(0);
    expect(type.price.hourlyUsd).toBeGreaterThan(0);
    expect(type.price.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (type.gpus > 0) {
      expect(type.gpuProductLabel).toMatch(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/);
      expect(type.gpuMemoryGiB).toBeGreaterThan(0);
      expect(type.name).toMatch(new RegExp(`^gpu_${type.gpus}x_`));
    } else {
      expect(type.gpuProductLabel).toBeUndefined();
      expect(type.gpuProductLabelInferred).toBe(false);
    }
  }
});

test('an unknown name fails with every valid name listed', () => {
  expect(() => lambdaInstanceType('gpu_1x_a11')).toThrow(UnknownInstanceTypeError);
  expect(() => lambdaInstanceType('gpu_1x_a11')).toThrow(/unknown Lambda instance type "gpu_1x_a11"; valid names: gpu_1x_a10, gpu_1x_rtx6000, .*cpu_4x_general/);
  expect(() => lambdaInstanceType('toString')).toThrow(UnknownInstanceTypeError);
});

test('the catalog cannot be mutated', () => {
  expect(Object.isFrozen(LAMBDA_INSTANCE_TYPES)).toBe(true);
  expect(Object.isFrozen(lambdaInstanceType('gpu_1x_a10').price)).toBe(true);
});
