import { LAMBDA_INSTANCE_TYPES, LAMBDA_INSTANCE_TYPE_NAMES, lambdaInstanceType, pricePerGpuHour, UnknownInstanceTypeError } from '../../src/cluster/instance-types.js';

test('the catalog holds every on-demand type of the dated sources, with specs and prices of 2026-09-20', () => {
  expect(LAMBDA_INSTANCE_TYPE_NAMES).toEqual([
    'gpu_1x_a10', 'gpu_1x_rtx6000', 'gpu_1x_a6000', 'gpu_2x_a6000', 'gpu_4x_a6000', 'gpu_1x_a100', 'gpu_1x_a100_sxm4', 'gpu_2x_a100',
    'gpu_4x_a100', 'gpu_8x_a100', 'gpu_8x_a100_80gb_sxm4', 'gpu_1x_h100_pcie', 'gpu_1x_h100_sxm5', 'gpu_2x_h100_sxm5', 'gpu_4x_h100_sxm5',
    'gpu_8x_h100_sxm5', 'gpu_1x_b200_sxm6', 'gpu_2x_b200_sxm6', 'gpu_8x_b200_sxm6', 'gpu_1x_gh200', 'gpu_8x_v100', 'gpu_8x_v100_n',
    'cpu_4x_general', 'cpu_4x_generalx',
  ]);
  const a10 = lambdaInstanceType('gpu_1x_a10');
  expect(a10).toMatchObject({ gpus: 1, gpuModel: 'A10', gpuMemoryGiB: 24, vcpus: 30, memoryGiB: 200, ramOnPageGiB: 226, localDiskGiB: 1331, gpuProductLabel: 'NVIDIA-A10', gpuProductLabelInferred: false });
  expect(a10.price).toEqual({ hourlyUsd: 1.29, readOn: '2026-09-20', source: expect.stringMatching(/lambda\.ai\/instances.*SkyPilot catalog v8/) });
  expect(a10.otherPriceReadings.map((r) => [r.hourlyUsd, r.readOn])).toEqual([[0.60, '2026-11-26'], [0.75, '2026-11-26'], [0.86, '2026-04-03']]);
  // instance prices of the 2026-09-20 page (per GPU x GPUs), which the v8 SkyPilot catalog repeats
  const prices = Object.fromEntries(Object.values(LAMBDA_INSTANCE_TYPES).map((t) => [t.name, t.price.hourlyUsd]));
  expect(prices).toEqual({
    gpu_1x_a10: 1.29, gpu_1x_rtx6000: 0.69, gpu_1x_a6000: 1.09, gpu_2x_a6000: 2.18, gpu_4x_a6000: 4.36, gpu_1x_a100: 1.99, gpu_1x_a100_sxm4: 1.99,
    gpu_2x_a100: 3.98, gpu_4x_a100: 7.96, gpu_8x_a100: 15.92, gpu_8x_a100_80gb_sxm4: 22.32, gpu_1x_h100_pcie: 3.29, gpu_1x_h100_sxm5: 4.29,
    gpu_2x_h100_sxm5: 8.38, gpu_4x_h100_sxm5: 16.36, gpu_8x_h100_sxm5: 31.92, gpu_1x_b200_sxm6: 6.99, gpu_2x_b200_sxm6: 13.78, gpu_8x_b200_sxm6: 53.52,
    gpu_1x_gh200: 2.29, gpu_8x_v100: 6.32, gpu_8x_v100_n: 6.32, cpu_4x_general: 0.2, cpu_4x_generalx: 0.2,
  });
  expect(pricePerGpuHour(lambdaInstanceType('gpu_8x_h100_sxm5'))).toBeCloseTo(3.99, 5);
  expect(pricePerGpuHour(lambdaInstanceType('gpu_8x_b200_sxm6'))).toBeCloseTo(6.69, 5);
  expect(pricePerGpuHour(lambdaInstanceType('gpu_2x_b200_sxm6'))).toBeCloseTo(6.89, 5);
  expect(pricePerGpuHour(lambdaInstanceType('gpu_8x_a100'))).toBeCloseTo(1.99, 5);
  expect(pricePerGpuHour(lambdaInstanceType('gpu_8x_v100_n'))).toBeCloseTo(0.79, 5);
  expect(pricePerGpuHour(lambdaInstanceType('cpu_4x_generalx'))).toBeUndefined();
  // specs: Lambda API vCPU/RAM (SkyPilot v8), page GPU memory and SSD
  expect(lambdaInstanceType('gpu_8x_b200_sxm6')).toMatchObject({ gpus: 8, gpuModel: 'B200', gpuMemoryGiB: 180, vcpus: 208, memoryGiB: 2900, localDiskGiB: 22528, gpuProductLabel: 'NVIDIA-B200', gpuProductLabelInferred: true });
  expect(lambdaInstanceType('gpu_1x_b200_sxm6')).toMatchObject({ gpus: 1, vcpus: 26, memoryGiB: 360, localDiskGiB: 2816 });
  expect(lambdaInstanceType('gpu_2x_b200_sxm6')).toMatchObject({ gpus: 2, vcpus: 52, memoryGiB: 720, localDiskGiB: 5632 });
  expect(lambdaInstanceType('gpu_8x_v100_n')).toMatchObject({ gpus: 8, gpuMemoryGiB: 16, vcpus: 88, memoryGiB: 448 });
  expect(lambdaInstanceType('gpu_8x_v100')).toMatchObject({ vcpus: 92, memoryGiB: 448 });
  expect(lambdaInstanceType('cpu_4x_generalx')).toMatchObject({ gpus: 0, vcpus: 4, memoryGiB: 16 });
  expect(lambdaInstanceType('gpu_8x_h100_sxm5')).toMatchObject({ gpus: 8, vcpus: 208, memoryGiB: 1800, localDiskGiB: 22528, gpuProductLabelInferred: true });
  expect(lambdaInstanceType('gpu_1x_gh200')).toMatchObject({ vcpus: 64, memoryGiB: 432, gpuMemoryGiB: 96, localDiskGiB: 4096, architecture: 'arm64' });
  // prices only the SkyPilot catalogs carry say that the day they were charged is unknown
  expect(lambdaInstanceType('cpu_4x_general').price.source).toMatch(/date charged unknown/);
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
  expect(() => lambdaInstanceType('gpu_1x_a11')).toThrow(/unknown Lambda instance type "gpu_1x_a11"; valid names: gpu_1x_a10, gpu_1x_rtx6000, .*gpu_8x_b200_sxm6, .*cpu_4x_generalx/);
  expect(() => lambdaInstanceType('toString')).toThrow(UnknownInstanceTypeError);
});

test('the catalog cannot be mutated', () => {
  expect(Object.isFrozen(LAMBDA_INSTANCE_TYPES)).toBe(true);
  expect(Object.isFrozen(lambdaInstanceType('gpu_1x_a10').price)).toBe(true);
});
