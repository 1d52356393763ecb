/**
 * On-demand cloud GPU offers to compare Lambda node pools against. AWS and GCP figures come from
 * third-party copies of the official price pages (the official pages could not be read from
 * here); every figure carries the date the source gives for it and the source.
 *
 * The conclusion, by the numbers (Lambda prices of 2026-09-20, per GPU-hour):
 * - A10 class: Lambda gpu_1x_a10 $1.29 is 28.2% dearer than AWS g5.xlarge ($1.006, A10G) and 82.5%
 *   dearer than GCP g2-standard-4 ($0.7068, L4). The older claim that Lambda's A10 is the cheaper
 *   24 GB GPU held at $0.75 and no longer does. (It still brings 30 vCPU and 200 GiB against 4 and 16.)
 * - A100 40GB: Lambda $1.99 is 27.5% cheaper than AWS p4d.24xlarge ($2.7447).
 * - H100 SXM: Lambda $3.99 (8x) is 42.0% cheaper than AWS p5.48xlarge ($6.88 after AWS's June 2025
 *   cut); against the pre-cut $12.29 some 2026 third-party articles still quote, 67.5% cheaper.
 */

/** A cloud offer, priced per GPU-hour. */
export interface CloudGpuOffer {
  readonly provider: 'AWS' | 'GCP';
  /** Instance type. */
  readonly offer: string;
  readonly region: string;
  /** GPU model and memory of the offer. */
  readonly gpu: string;
  readonly gpusPerInstance: number;
  /** On-demand USD per GPU-hour (instance price / GPUs). */
  readonly usdPerGpuHour: number;
  /** ISO date the source gives for the price (or, where it gives none, the day it was read). */
  readonly readOn: string;
  readonly source: string;
}

/** The offers compared against. */
export const CLOUD_GPU_OFFERS: Readonly<Record<string, CloudGpuOffer>> = Object.freeze({
  'g5.xlarge': {
    provider: 'AWS', offer: 'g5.xlarge', region: 'us-east-1', gpu: 'A10G 24 GB', gpusPerInstance: 1, usdPerGpuHour: 1.006, readOn: '2026-06-17',
    source: '"Amazon EC2 On-Demand Pricing ... (2026)": "In us-east-1 (June 2026) ... a GPU g5.xlarge is $1.006/hr" (3p); the same $1.006 in several other public documents',
  },
  'g2-standard-4': {
    provider: 'GCP', offer: 'g2-standard-4', region: 'us-central1', gpu: 'L4 24 GB', gpusPerInstance: 1, usdPerGpuHour: 0.70683228, readOn: '2026-11-26',
    source: 'third-party price table quoting cloud.google.com/compute/all-pricing (3p); the table gives no date, read 2026-11-26',
  },
  'p4d.24xlarge': {
    provider: 'AWS', offer: 'p4d.24xlarge', region: 'us-east-1', gpu: 'A100 40 GB', gpusPerInstance: 8, usdPerGpuHour: 2.7447, readOn: '2026-06-30',
    source: 'datareceipts/data-receipts 109-gpu-pricing/hyperscalers.json ($21.96/h) (3p), after the June 2025 AWS P4/P5 price cut described by usage.ai "LLM Cost Optimization on AWS" (updated 2026-06-30)',
  },
  'p5.48xlarge': {
    provider: 'AWS', offer: 'p5.48xlarge', region: 'us-east-1', gpu: 'H100 80 GB', gpusPerInstance: 8, usdPerGpuHour: 6.88, readOn: '2026-06-30',
    source: 'datareceipts/data-receipts 109-gpu-pricing/hyperscalers.json ($55.04/h) (3p), after the June 2025 AWS cut of up to 45% on P5 (usage.ai, updated 2026-06-30); some 2026 articles still quote the pre-cut $98.32/h',
  },
});

/** Which offers compare with a Lambda GPU model (same class of GPU); models without a listed peer have none. */
const PEERS: Readonly<Record<string, readonly string[]>> = {
  'A10': ['g5.xlarge', 'g2-standard-4'],
  'Quadro RTX 6000': ['g5.xlarge', 'g2-standard-4'],
  'A100 40GB': ['p4d.24xlarge'],
  'A100 80GB': ['p4d.24xlarge'],
  'H100 PCIe': ['p5.48xlarge'],
  'H100 SXM': ['p5.48xlarge'],
  'GH200': ['p5.48xlarge'],
};

/** The cloud offers comparable to a Lambda GPU model. */
export function cloudPeersOf(gpuModel: string | undefined): CloudGpuOffer[] {
  return (gpuModel ? PEERS[gpuModel] ?? [] : []).map((name) => CLOUD_GPU_OFFERS[name]);
}
