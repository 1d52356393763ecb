/**
 * On-demand cloud GPU offers to compare Lambda node pools against (reference notes, lambda.md
 * section 6). AWS and GCP figures were taken from third-party copies of the official price pages,
 * not from the pages themselves; every figure carries the date it was recorded and its source.
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
  /** ISO date the price was recorded. */
  readonly readOn: string;
  readonly source: string;
}

const RECORDED_ON = '2026-11-26';

/** The offers of the reference notes. */
export const CLOUD_GPU_OFFERS: Readonly<Record<string, CloudGpuOffer>> = Object.freeze({
  'g5.xlarge': {
    provider: 'AWS', offer: 'g5.xlarge', region: 'us-east-1', gpu: 'A10G 24 GB', gpusPerInstance: 1, usdPerGpuHour: 1.006,
    readOn: RECORDED_ON, source: 'AWS g5.xlarge $1.006/h us-east-1 in several independent public documents (3p)',
  },
  'g2-standard-4': {
    provider: 'GCP', offer: 'g2-standard-4', region: 'us-central1', gpu: 'L4 24 GB', gpusPerInstance: 1, usdPerGpuHour: 0.70683228,
    readOn: RECORDED_ON, source: 'third-party price table quoting cloud.google.com/compute/all-pricing (3p)',
  },
  'p4d.24xlarge': {
    provider: 'AWS', offer: 'p4d.24xlarge', region: 'us-east-1', gpu: 'A100 40 GB', gpusPerInstance: 8, usdPerGpuHour: 2.7447,
    readOn: RECORDED_ON, source: 'datareceipts/data-receipts 109-gpu-pricing/hyperscalers.json (3p)',
  },
  'p5.48xlarge': {
    provider: 'AWS', offer: 'p5.48xlarge', region: 'us-east-1', gpu: 'H100 80 GB', gpusPerInstance: 8, usdPerGpuHour: 6.88,
    readOn: RECORDED_ON, source: 'datareceipts/data-receipts 109-gpu-pricing/hyperscalers.json (3p)',
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
