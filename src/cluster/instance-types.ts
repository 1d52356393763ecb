/**
 * The Lambda Cloud on-demand instance catalog: hardware, the GPU product label GPU Feature
 * Discovery puts on such a node, and the hourly list price with where and when it was read.
 *
 * Sources (see docs/capacity.md for the full list):
 * - Specs and prices: SkyPilot's Lambda catalog `skypilot-org/skypilot-catalog`
 *   `catalogs/v7/lambda/vms.csv` at commit 11580132, which copies `vcpus`, `memory_gib` and
 *   `price_cents_per_hour` from Lambda's `GET /api/v1/instance-types`. Read on 2026-11-26.
 * - Local disk: Lambda's API `specs.storage_gib` (gpu_1x_a10: 1400), Lambda's older docs FAQ
 *   "available configurations" (1x A100 512 GiB, 2x/4x A100 1 TiB, 1x A6000 200 GiB,
 *   1x RTX 6000 512 GiB, 8x V100 5.9 TiB), and third-party API mocks (gpu_1x_a100_sxm4 512 GiB,
 *   gpu_8x_h100_sxm5 24 780 GiB). Unknown sizes are left undefined rather than guessed.
 * - GPU product labels: GFD's `nvidia.com/gpu.product` is the NVML device name with characters
 *   outside `[A-Za-z0-9-_. ]` removed and spaces turned into `-`. Only `NVIDIA-A10` has been seen
 *   on a real node (third party, OKE guide); every other value is inferred from the NVML name of
 *   that GPU model and is marked `gpuProductLabelInferred: true`. Read the real value from a node
 *   (`kubectl get node -L nvidia.com/gpu.product`) and override it in the node pool if it differs.
 *
 * Prices drift (the same gpu_1x_a10 was read at $0.60, $0.75, $0.86 and $1.29 between sources), so
 * every price carries its date and source and a node pool can override it.
 */

/** Where a figure in the catalog came from. */
export interface PriceReading {
  /** On-demand price of the whole instance in USD per hour. */
  readonly hourlyUsd: number;
  /** ISO date the price was read (YYYY-MM-DD). */
  readonly readOn: string;
  /** Where it was read. */
  readonly source: string;
}

/** One Lambda Cloud instance type. */
export interface LambdaInstanceType {
  /** Lambda's instance type name, e.g. `gpu_1x_a10`; also the `node.kubernetes.io/instance-type` label value. */
  readonly name: string;
  /** Lambda's description of the GPUs. */
  readonly description: string;
  /** Number of physical GPUs (0 for CPU instances). */
  readonly gpus: number;
  /** GPU model, e.g. `A10`, `H100 SXM` (undefined for CPU instances). */
  readonly gpuModel?: string;
  /** Memory of one GPU in GiB (undefined for CPU instances). */
  readonly gpuMemoryGiB?: number;
  /** The `nvidia.com/gpu.product` node label value GPU Feature Discovery sets (undefined for CPU instances). */
  readonly gpuProductLabel?: string;
  /** True when `gpuProductLabel` was derived from the NVML device name rather than seen on a node. */
  readonly gpuProductLabelInferred: boolean;
  /** CPU architecture, the `kubernetes.io/arch` node label value (GH200 is an Arm Grace CPU). */
  readonly architecture: 'amd64' | 'arm64';
  /** vCPUs of the instance. */
  readonly vcpus: number;
  /** RAM in GiB. */
  readonly memoryGiB: number;
  /** Local NVMe disk in GiB, when a source states it. */
  readonly localDiskGiB?: number;
  /** Where the local disk size comes from (undefined when unknown). */
  readonly localDiskSource?: string;
  /** The list price used by default. */
  readonly price: PriceReading;
  /** Other (usually newer, third-party) price readings, for the report; never used by default. */
  readonly otherPriceReadings: readonly PriceReading[];
}

const CATALOG_SOURCE = 'skypilot-org/skypilot-catalog catalogs/v7/lambda/vms.csv @11580132 (copied from Lambda GET /api/v1/instance-types)';
const READ_ON = '2026-11-26';
const API_STORAGE = 'Lambda API specs.storage_gib';
const DOCS_FAQ = 'LambdaLabs/docsy-lambda-docs content/en/cloud/faq/available-configurations.md';
const MOCKS_3P = 'third-party mocks of Lambda GET /api/v1/instance-types (3p)';
const TRANSCRIPTION_3P = 'api-evangelist/lambda-labs plans/lambda-labs-plans-pricing.yml, lambda.ai/instances transcription (3p)';

interface Row {
  readonly name: string;
  readonly description: string;
  readonly gpus: number;
  readonly gpuModel?: string;
  readonly gpuMemoryGiB?: number;
  readonly gpuProductLabel?: string;
  readonly observedLabel?: boolean;
  readonly architecture?: 'arm64';
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly hourlyUsd: number;
  readonly localDiskGiB?: number;
  readonly localDiskSource?: string;
  readonly otherPriceReadings?: readonly PriceReading[];
}

const A100_40_PCIE = 'NVIDIA-A100-PCIE-40GB';
const A100_40_SXM4 = 'NVIDIA-A100-SXM4-40GB';
const H100_SXM5 = 'NVIDIA-H100-80GB-HBM3';
const A6000 = 'NVIDIA-RTX-A6000';

const ROWS: readonly Row[] = [
  {
    name: 'gpu_1x_a10', description: '1x A10 (24 GB PCIe)', gpus: 1, gpuModel: 'A10', gpuMemoryGiB: 24,
    gpuProductLabel: 'NVIDIA-A10', observedLabel: true, vcpus: 30, memoryGiB: 200, hourlyUsd: 0.75,
    localDiskGiB: 1400, localDiskSource: API_STORAGE,
    otherPriceReadings: [
      { hourlyUsd: 0.60, readOn: READ_ON, source: 'older Lambda API examples and docs (3p)' },
      { hourlyUsd: 0.86, readOn: '2026-04-03', source: 'quoted from lambda.ai in "GPU Provider Pricing For The Fastest Krea-Like Stack" (3p)' },
      { hourlyUsd: 1.29, readOn: '2026-09-20', source: TRANSCRIPTION_3P },
    ],
  },
  {
    name: 'gpu_1x_rtx6000', description: '1x RTX 6000 (24 GB)', gpus: 1, gpuModel: 'Quadro RTX 6000', gpuMemoryGiB: 24,
    gpuProductLabel: 'Quadro-RTX-6000', vcpus: 14, memoryGiB: 46, hourlyUsd: 0.50, localDiskGiB: 512, localDiskSource: DOCS_FAQ,
  },
  {
    name: 'gpu_1x_a6000', description: '1x A6000 (48 GB)', gpus: 1, gpuModel: 'RTX A6000', gpuMemoryGiB: 48,
    gpuProductLabel: A6000, vcpus: 14, memoryGiB: 100, hourlyUsd: 0.80, localDiskGiB: 200, localDiskSource: DOCS_FAQ,
  },
  { name: 'gpu_2x_a6000', description: '2x A6000 (48 GB)', gpus: 2, gpuModel: 'RTX A6000', gpuMemoryGiB: 48, gpuProductLabel: A6000, vcpus: 28, memoryGiB: 200, hourlyUsd: 1.60 },
  { name: 'gpu_4x_a6000', description: '4x A6000 (48 GB)', gpus: 4, gpuModel: 'RTX A6000', gpuMemoryGiB: 48, gpuProductLabel: A6000, vcpus: 56, memoryGiB: 400, hourlyUsd: 3.20 },
  {
    name: 'gpu_1x_a100', description: '1x A100 (40 GB PCIe)', gpus: 1, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_PCIE, vcpus: 30, memoryGiB: 200, hourlyUsd: 1.29, localDiskGiB: 512, localDiskSource: DOCS_FAQ,
  },
  {
    name: 'gpu_1x_a100_sxm4', description: '1x A100 (40 GB SXM4)', gpus: 1, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_SXM4, vcpus: 30, memoryGiB: 200, hourlyUsd: 1.29, localDiskGiB: 512, localDiskSource: MOCKS_3P,
  },
  {
    name: 'gpu_2x_a100', description: '2x A100 (40 GB PCIe)', gpus: 2, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_PCIE, vcpus: 60, memoryGiB: 400, hourlyUsd: 2.58, localDiskGiB: 1024, localDiskSource: DOCS_FAQ,
  },
  {
    name: 'gpu_4x_a100', description: '4x A100 (40 GB PCIe)', gpus: 4, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_PCIE, vcpus: 120, memoryGiB: 800, hourlyUsd: 5.16, localDiskGiB: 1024, localDiskSource: DOCS_FAQ,
  },
  { name: 'gpu_8x_a100', description: '8x A100 (40 GB SXM4)', gpus: 8, gpuModel: 'A100 40GB', gpuMemoryGiB: 40, gpuProductLabel: A100_40_SXM4, vcpus: 124, memoryGiB: 1800, hourlyUsd: 10.32 },
  {
    name: 'gpu_8x_a100_80gb_sxm4', description: '8x A100 (80 GB SXM4)', gpus: 8, gpuModel: 'A100 80GB', gpuMemoryGiB: 80,
    gpuProductLabel: 'NVIDIA-A100-SXM4-80GB', vcpus: 240, memoryGiB: 1800, hourlyUsd: 14.32,
  },
  {
    name: 'gpu_1x_h100_pcie', description: '1x H100 (80 GB PCIe)', gpus: 1, gpuModel: 'H100 PCIe', gpuMemoryGiB: 80,
    gpuProductLabel: 'NVIDIA-H100-PCIe', vcpus: 26, memoryGiB: 200, hourlyUsd: 2.49,
    otherPriceReadings: [{ hourlyUsd: 3.29, readOn: '2026-09-20', source: TRANSCRIPTION_3P }],
  },
  { name: 'gpu_1x_h100_sxm5', description: '1x H100 (80 GB SXM5)', gpus: 1, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 26, memoryGiB: 225, hourlyUsd: 3.29 },
  { name: 'gpu_2x_h100_sxm5', description: '2x H100 (80 GB SXM5)', gpus: 2, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 52, memoryGiB: 450, hourlyUsd: 6.38 },
  { name: 'gpu_4x_h100_sxm5', description: '4x H100 (80 GB SXM5)', gpus: 4, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 104, memoryGiB: 900, hourlyUsd: 12.36 },
  {
    name: 'gpu_8x_h100_sxm5', description: '8x H100 (80 GB SXM5)', gpus: 8, gpuModel: 'H100 SXM', gpuMemoryGiB: 80,
    gpuProductLabel: H100_SXM5, vcpus: 208, memoryGiB: 1800, hourlyUsd: 23.92, localDiskGiB: 24780, localDiskSource: MOCKS_3P,
    otherPriceReadings: [{ hourlyUsd: 31.92, readOn: '2026-09-20', source: `${TRANSCRIPTION_3P}: $3.99 per GPU` }],
  },
  {
    name: 'gpu_1x_gh200', description: '1x GH200 (96 GB)', gpus: 1, gpuModel: 'GH200', gpuMemoryGiB: 96,
    gpuProductLabel: 'NVIDIA-GH200-480GB', architecture: 'arm64', vcpus: 64, memoryGiB: 432, hourlyUsd: 1.49,
    otherPriceReadings: [{ hourlyUsd: 2.29, readOn: '2026-09-20', source: TRANSCRIPTION_3P }],
  },
  {
    name: 'gpu_8x_v100', description: '8x V100 (16 GB)', gpus: 8, gpuModel: 'V100', gpuMemoryGiB: 16,
    gpuProductLabel: 'Tesla-V100-SXM2-16GB', vcpus: 92, memoryGiB: 448, hourlyUsd: 4.40, localDiskGiB: 6042, localDiskSource: `${DOCS_FAQ} (5.9 TiB)`,
  },
  { name: 'cpu_4x_general', description: '4 vCPU general purpose (no GPU)', gpus: 0, vcpus: 4, memoryGiB: 16, hourlyUsd: 0.20 },
];

function toInstanceType(row: Row): LambdaInstanceType {
  return Object.freeze({
    name: row.name,
    description: row.description,
    gpus: row.gpus,
    gpuModel: row.gpuModel,
    gpuMemoryGiB: row.gpuMemoryGiB,
    gpuProductLabel: row.gpuProductLabel,
    gpuProductLabelInferred: row.gpuProductLabel !== undefined && !row.observedLabel,
    architecture: row.architecture ?? 'amd64',
    vcpus: row.vcpus,
    memoryGiB: row.memoryGiB,
    localDiskGiB: row.localDiskGiB,
    localDiskSource: row.localDiskSource,
    price: Object.freeze({ hourlyUsd: row.hourlyUsd, readOn: READ_ON, source: CATALOG_SOURCE }),
    otherPriceReadings: Object.freeze([...(row.otherPriceReadings ?? [])]),
  });
}

/** Every Lambda instance type in the catalog, keyed by name. */
export const LAMBDA_INSTANCE_TYPES: Readonly<Record<string, LambdaInstanceType>> = Object.freeze(
  Object.fromEntries(ROWS.map((row) => [row.name, toInstanceType(row)])),
);

/** The names of every catalog instance type, in catalog order. */
export const LAMBDA_INSTANCE_TYPE_NAMES: readonly string[] = Object.freeze(ROWS.map((row) => row.name));

/** Thrown for an instance type name that is not in the catalog. */
export class UnknownInstanceTypeError extends Error {
  constructor(public readonly instanceType: string) {
    super(`unknown Lambda instance type ${JSON.stringify(instanceType)}; valid names: ${LAMBDA_INSTANCE_TYPE_NAMES.join(', ')}`);
    this.name = 'UnknownInstanceTypeError';
  }
}

/**
 * Looks up a Lambda instance type by name.
 * @throws UnknownInstanceTypeError listing every valid name when `name` is not in the catalog.
 */
export function lambdaInstanceType(name: string): LambdaInstanceType {
  const found = Object.prototype.hasOwnProperty.call(LAMBDA_INSTANCE_TYPES, name) ? LAMBDA_INSTANCE_TYPES[name] : undefined;
  if (!found) throw new UnknownInstanceTypeError(name);
  return found;
}

/** Whether `name` is a catalog instance type. */
export function isLambdaInstanceType(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LAMBDA_INSTANCE_TYPES, name);
}

/** Cost of one physical GPU-hour on an instance type at its catalog price (undefined for CPU instances). */
export function pricePerGpuHour(type: LambdaInstanceType, hourlyUsd: number = type.price.hourlyUsd): number | undefined {
  return type.gpus > 0 ? hourlyUsd / type.gpus : undefined;
}
