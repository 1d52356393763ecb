/**
 * The Lambda Cloud on-demand instance catalog: hardware, the GPU product label GPU Feature
 * Discovery puts on such a node, and the hourly list price with the date Lambda charged it and
 * where it was read. This is the offline default; `lambda-gitops catalog refresh` reads the live
 * catalog from Lambda's API (src/cluster/lambda-catalog.ts) and `plan --catalog FILE` uses it.
 *
 * Sources (see docs/capacity.md for the full table):
 * - Prices: Lambda's instances page (lambda.ai/instances) as transcribed on **2026-09-20**
 *   (api-evangelist/lambda-labs `plans/lambda-labs-plans-pricing.yml` @1929382, third party), which
 *   agrees price for price with SkyPilot's catalog taken from Lambda's `GET /api/v1/instance-types`
 *   (skypilot-org/skypilot-catalog `catalogs/v8/lambda/vms.csv` @0f40703). Types the page does not
 *   list separately (1x/2x/4x A100 40GB, 1x/2x A6000: the page notes "repeated $1.99/$1.09
 *   configurations across tabs not listed separately") carry the v8 catalog's price, which is the
 *   page's per-GPU price times the GPUs. `cpu_4x_general(x)` and `gpu_8x_v100` appear only in the
 *   SkyPilot catalogs ($0.20 and $6.32 in v8; the CPU price was also $0.20 in v7 @11580132); the
 *   date of that catalog commit is not known here, so their `readOn` is the day it was read.
 * - vCPUs and RAM: Lambda's API (`specs.vcpus`, `specs.memory_gib`) as copied by the v8 catalog.
 *   The page gives more RAM for two types (gpu_1x_a10 226 GiB, gpu_1x_h100_pcie 225 GiB against the
 *   API's 200); the model keeps the API's lower figure (a node that reports more can say so with
 *   the pool's `capacity`), and the page's figure is in `ramOnPageGiB`.
 * - Local disk: the page's SSD sizes (TiB x 1024, rounded down) where it lists the type; otherwise
 *   Lambda's older docs FAQ "available configurations" (1x A100 512 GiB, 2x/4x A100 1 TiB,
 *   1x A6000 200 GiB, 8x V100 5.9 TiB) or third-party API mocks (gpu_1x_a100_sxm4 512 GiB).
 *   Unknown sizes are left undefined rather than guessed.
 * - GPU memory: the page ("180 GB VRAM/GPU" for B200, 96 GB GH200, 16 GB V100) and SkyPilot's
 *   table (B200 184320 MiB).
 * - GPU product labels: GFD's `nvidia.com/gpu.product` is the NVML device name with characters
 *   outside `[A-Za-z0-9-_. ]` removed and spaces turned into `-`. Only `NVIDIA-A10` has been seen
 *   on a real node (third party, OKE guide); every other value is inferred from the NVML name of
 *   that GPU model and is marked `gpuProductLabelInferred: true`. Read the real value from a node
 *   (`kubectl get node -L nvidia.com/gpu.product`) and override it in the node pool if it differs.
 *
 * Prices drift (the same gpu_1x_a10 was read at $0.60, $0.75, $0.86 and $1.29 between sources), so
 * every price carries its date and source, `plan` states its age, and a node pool can override it.
 */

/** Where a figure in the catalog came from. */
export interface PriceReading {
  /** On-demand price of the whole instance in USD per hour. */
  readonly hourlyUsd: number;
  /** ISO date the price was charged (or, where the source gives no date, read), YYYY-MM-DD. */
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
  /** vCPUs of the instance (Lambda API `specs.vcpus`). */
  readonly vcpus: number;
  /** RAM in GiB (Lambda API `specs.memory_gib`). */
  readonly memoryGiB: number;
  /** RAM the instances page states when it differs from the API's figure (undefined otherwise). */
  readonly ramOnPageGiB?: number;
  /** Local NVMe disk in GiB, when a source states it. */
  readonly localDiskGiB?: number;
  /** Where the local disk size comes from (undefined when unknown). */
  readonly localDiskSource?: string;
  /** The list price used by default. */
  readonly price: PriceReading;
  /** Older or other price readings, for the report; never used by default. */
  readonly otherPriceReadings: readonly PriceReading[];
}

const PRICE_DATE = '2026-09-20';
const PAGE = 'lambda.ai/instances, 2026-09-20 transcription (api-evangelist/lambda-labs @1929382, 3p)';
const SKYPILOT_V8 = 'SkyPilot catalog v8 lambda/vms.csv @0f40703 (from Lambda GET /api/v1/instance-types)';
const SKYPILOT_V7 = 'SkyPilot catalog v7 lambda/vms.csv @11580132 (read 2026-11-26; date charged unknown)';
const PAGE_AND_API = `${PAGE}; same in ${SKYPILOT_V8}`;
const V8_READ_ON = '2026-12-02';
const DOCS_FAQ = 'LambdaLabs/docsy-lambda-docs content/en/cloud/faq/available-configurations.md';
const MOCKS_3P = 'third-party mocks of Lambda GET /api/v1/instance-types (3p)';
const PAGE_DISK = 'lambda.ai/instances SSD size, 2026-09-20 transcription (3p)';

/** A price from the page (and the v8 catalog), with the older v7 catalog reading kept for the report. */
function pagePrice(hourlyUsd: number, v7HourlyUsd?: number): Pick<Row, 'price' | 'otherPriceReadings'> {
  return {
    price: { hourlyUsd, readOn: PRICE_DATE, source: PAGE_AND_API },
    otherPriceReadings: v7HourlyUsd === undefined ? [] : [{ hourlyUsd: v7HourlyUsd, readOn: '2026-11-26', source: SKYPILOT_V7 }],
  };
}

/** A price from the v8 catalog for a type the page covers only by its per-GPU price. */
function perGpuPagePrice(hourlyUsd: number, perGpu: number, v7HourlyUsd: number): Pick<Row, 'price' | 'otherPriceReadings'> {
  return {
    price: { hourlyUsd, readOn: PRICE_DATE, source: `${SKYPILOT_V8}; $${perGpu.toFixed(2)} per GPU as on ${PAGE}` },
    otherPriceReadings: [{ hourlyUsd: v7HourlyUsd, readOn: '2026-11-26', source: SKYPILOT_V7 }],
  };
}

/** A price only the SkyPilot catalogs carry; the day it was charged is unknown, `readOn` is the day it was read. */
function catalogOnlyPrice(hourlyUsd: number, v7HourlyUsd?: number): Pick<Row, 'price' | 'otherPriceReadings'> {
  return {
    price: { hourlyUsd, readOn: V8_READ_ON, source: `${SKYPILOT_V8}; date charged unknown, read ${V8_READ_ON}` },
    otherPriceReadings: v7HourlyUsd === undefined ? [] : [{ hourlyUsd: v7HourlyUsd, readOn: '2026-11-26', source: SKYPILOT_V7 }],
  };
}

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
  readonly ramOnPageGiB?: number;
  readonly localDiskGiB?: number;
  readonly localDiskSource?: string;
  readonly price: PriceReading;
  readonly otherPriceReadings: readonly PriceReading[];
}

const A100_40_PCIE = 'NVIDIA-A100-PCIE-40GB';
const A100_40_SXM4 = 'NVIDIA-A100-SXM4-40GB';
const H100_SXM5 = 'NVIDIA-H100-80GB-HBM3';
const A6000 = 'NVIDIA-RTX-A6000';
const B200 = 'NVIDIA-B200';
const V100 = 'Tesla-V100-SXM2-16GB';
const TIB = (tib: number): number => Math.floor(tib * 1024);

const ROWS: readonly Row[] = [
  {
    name: 'gpu_1x_a10', description: '1x A10 (24 GB PCIe)', gpus: 1, gpuModel: 'A10', gpuMemoryGiB: 24,
    gpuProductLabel: 'NVIDIA-A10', observedLabel: true, vcpus: 30, memoryGiB: 200, ramOnPageGiB: 226,
    localDiskGiB: TIB(1.3), localDiskSource: `${PAGE_DISK} (1.3 TiB; older API mocks: 1400)`,
    price: { hourlyUsd: 1.29, readOn: PRICE_DATE, source: PAGE_AND_API },
    otherPriceReadings: [
      { hourlyUsd: 0.60, readOn: '2026-11-26', source: 'older Lambda API examples and docs (3p), date charged unknown' },
      { hourlyUsd: 0.75, readOn: '2026-11-26', source: SKYPILOT_V7 },
      { hourlyUsd: 0.86, readOn: '2026-04-03', source: 'quoted from lambda.ai in "GPU Provider Pricing For The Fastest Krea-Like Stack" (3p)' },
    ],
  },
  {
    name: 'gpu_1x_rtx6000', description: '1x RTX 6000 (24 GB)', gpus: 1, gpuModel: 'Quadro RTX 6000', gpuMemoryGiB: 24,
    gpuProductLabel: 'Quadro-RTX-6000', vcpus: 14, memoryGiB: 46, localDiskGiB: 512, localDiskSource: `${PAGE_DISK}; ${DOCS_FAQ}`, ...pagePrice(0.69, 0.50),
  },
  {
    name: 'gpu_1x_a6000', description: '1x A6000 (48 GB)', gpus: 1, gpuModel: 'RTX A6000', gpuMemoryGiB: 48,
    gpuProductLabel: A6000, vcpus: 14, memoryGiB: 100, localDiskGiB: 200, localDiskSource: DOCS_FAQ, ...perGpuPagePrice(1.09, 1.09, 0.80),
  },
  { name: 'gpu_2x_a6000', description: '2x A6000 (48 GB)', gpus: 2, gpuModel: 'RTX A6000', gpuMemoryGiB: 48, gpuProductLabel: A6000, vcpus: 28, memoryGiB: 200, ...perGpuPagePrice(2.18, 1.09, 1.60) },
  {
    name: 'gpu_4x_a6000', description: '4x A6000 (48 GB)', gpus: 4, gpuModel: 'RTX A6000', gpuMemoryGiB: 48, gpuProductLabel: A6000, vcpus: 56, memoryGiB: 400,
    localDiskGiB: TIB(1), localDiskSource: PAGE_DISK, ...pagePrice(4.36, 3.20),
  },
  {
    name: 'gpu_1x_a100', description: '1x A100 (40 GB PCIe)', gpus: 1, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_PCIE, vcpus: 30, memoryGiB: 200, localDiskGiB: 512, localDiskSource: DOCS_FAQ, ...perGpuPagePrice(1.99, 1.99, 1.29),
  },
  {
    name: 'gpu_1x_a100_sxm4', description: '1x A100 (40 GB SXM4)', gpus: 1, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_SXM4, vcpus: 30, memoryGiB: 200, localDiskGiB: 512, localDiskSource: MOCKS_3P, ...perGpuPagePrice(1.99, 1.99, 1.29),
  },
  {
    name: 'gpu_2x_a100', description: '2x A100 (40 GB PCIe)', gpus: 2, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_PCIE, vcpus: 60, memoryGiB: 400, localDiskGiB: 1024, localDiskSource: DOCS_FAQ, ...perGpuPagePrice(3.98, 1.99, 2.58),
  },
  {
    name: 'gpu_4x_a100', description: '4x A100 (40 GB PCIe)', gpus: 4, gpuModel: 'A100 40GB', gpuMemoryGiB: 40,
    gpuProductLabel: A100_40_PCIE, vcpus: 120, memoryGiB: 800, localDiskGiB: 1024, localDiskSource: DOCS_FAQ, ...perGpuPagePrice(7.96, 1.99, 5.16),
  },
  {
    name: 'gpu_8x_a100', description: '8x A100 (40 GB SXM4)', gpus: 8, gpuModel: 'A100 40GB', gpuMemoryGiB: 40, gpuProductLabel: A100_40_SXM4, vcpus: 124, memoryGiB: 1800,
    localDiskGiB: TIB(5.8), localDiskSource: PAGE_DISK, ...pagePrice(15.92, 10.32),
  },
  {
    name: 'gpu_8x_a100_80gb_sxm4', description: '8x A100 (80 GB SXM4)', gpus: 8, gpuModel: 'A100 80GB', gpuMemoryGiB: 80,
    gpuProductLabel: 'NVIDIA-A100-SXM4-80GB', vcpus: 240, memoryGiB: 1800, localDiskGiB: TIB(19.5), localDiskSource: PAGE_DISK, ...pagePrice(22.32, 14.32),
  },
  {
    name: 'gpu_1x_h100_pcie', description: '1x H100 (80 GB PCIe)', gpus: 1, gpuModel: 'H100 PCIe', gpuMemoryGiB: 80,
    gpuProductLabel: 'NVIDIA-H100-PCIe', vcpus: 26, memoryGiB: 200, ramOnPageGiB: 225, localDiskGiB: TIB(1), localDiskSource: PAGE_DISK, ...pagePrice(3.29, 2.49),
  },
  {
    name: 'gpu_1x_h100_sxm5', description: '1x H100 (80 GB SXM5)', gpus: 1, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 26, memoryGiB: 225,
    localDiskGiB: TIB(2.75), localDiskSource: PAGE_DISK, ...pagePrice(4.29, 3.29),
  },
  {
    name: 'gpu_2x_h100_sxm5', description: '2x H100 (80 GB SXM5)', gpus: 2, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 52, memoryGiB: 450,
    localDiskGiB: TIB(5.5), localDiskSource: PAGE_DISK, ...pagePrice(8.38, 6.38),
  },
  {
    name: 'gpu_4x_h100_sxm5', description: '4x H100 (80 GB SXM5)', gpus: 4, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 104, memoryGiB: 900,
    localDiskGiB: TIB(11), localDiskSource: PAGE_DISK, ...pagePrice(16.36, 12.36),
  },
  {
    name: 'gpu_8x_h100_sxm5', description: '8x H100 (80 GB SXM5)', gpus: 8, gpuModel: 'H100 SXM', gpuMemoryGiB: 80, gpuProductLabel: H100_SXM5, vcpus: 208, memoryGiB: 1800,
    localDiskGiB: TIB(22), localDiskSource: `${PAGE_DISK} (22 TiB; older API mocks: 24780)`, ...pagePrice(31.92, 23.92),
  },
  {
    name: 'gpu_1x_b200_sxm6', description: '1x B200 (180 GB SXM6)', gpus: 1, gpuModel: 'B200', gpuMemoryGiB: 180, gpuProductLabel: B200, vcpus: 26, memoryGiB: 360,
    localDiskGiB: TIB(2.75), localDiskSource: PAGE_DISK, ...pagePrice(6.99),
  },
  {
    name: 'gpu_2x_b200_sxm6', description: '2x B200 (180 GB SXM6)', gpus: 2, gpuModel: 'B200', gpuMemoryGiB: 180, gpuProductLabel: B200, vcpus: 52, memoryGiB: 720,
    localDiskGiB: TIB(5.5), localDiskSource: PAGE_DISK, ...pagePrice(13.78),
  },
  {
    name: 'gpu_8x_b200_sxm6', description: '8x B200 (180 GB SXM6)', gpus: 8, gpuModel: 'B200', gpuMemoryGiB: 180, gpuProductLabel: B200, vcpus: 208, memoryGiB: 2900,
    localDiskGiB: TIB(22), localDiskSource: PAGE_DISK, ...pagePrice(53.52),
  },
  {
    name: 'gpu_1x_gh200', description: '1x GH200 (96 GB)', gpus: 1, gpuModel: 'GH200', gpuMemoryGiB: 96,
    gpuProductLabel: 'NVIDIA-GH200-480GB', architecture: 'arm64', vcpus: 64, memoryGiB: 432, localDiskGiB: TIB(4), localDiskSource: PAGE_DISK, ...pagePrice(2.29, 1.49),
  },
  {
    name: 'gpu_8x_v100', description: '8x V100 (16 GB)', gpus: 8, gpuModel: 'V100', gpuMemoryGiB: 16,
    gpuProductLabel: V100, vcpus: 92, memoryGiB: 448, localDiskGiB: 6042, localDiskSource: `${DOCS_FAQ} (5.9 TiB)`, ...catalogOnlyPrice(6.32, 4.40),
  },
  {
    name: 'gpu_8x_v100_n', description: '8x Tesla V100 (16 GB)', gpus: 8, gpuModel: 'V100', gpuMemoryGiB: 16,
    gpuProductLabel: V100, vcpus: 88, memoryGiB: 448, localDiskGiB: TIB(5.8), localDiskSource: PAGE_DISK, ...pagePrice(6.32),
  },
  { name: 'cpu_4x_general', description: '4 vCPU general purpose (no GPU)', gpus: 0, vcpus: 4, memoryGiB: 16, ...catalogOnlyPrice(0.20, 0.20) },
  { name: 'cpu_4x_generalx', description: '4 vCPU general purpose, newer generation (no GPU)', gpus: 0, vcpus: 4, memoryGiB: 16, ...catalogOnlyPrice(0.20) },
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
    ramOnPageGiB: row.ramOnPageGiB,
    localDiskGiB: row.localDiskGiB,
    localDiskSource: row.localDiskSource,
    price: Object.freeze({ ...row.price }),
    otherPriceReadings: Object.freeze(row.otherPriceReadings.map((r) => Object.freeze({ ...r }))),
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
