import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { LAMBDA_INSTANCE_TYPE_NAMES, lambdaInstanceType } from '../cluster/instance-types.js';
import { InvalidPropError } from '../core/errors.js';
import { NodeLabels } from '../core/labels.js';
import { validateDnsSubdomain } from '../core/names.js';
import { isQuantity, parseQuantity } from '../core/quantity.js';
import { ScratchVolume, WorkloadScheduling } from './pod-template.js';

/** The toleration every GPU pod carries for the conventional GPU node taint. */
export const GPU_TOLERATION: k8s.Toleration = { key: NodeLabels.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' };

/** The most GPUs one pod can request (a Lambda node has at most 8). */
export const MAX_GPUS_PER_POD = 8;

/** Where GPU pods run and with which priority. */
export interface GpuPlacementProps {
  /**
   * Run only on nodes whose GPU Feature Discovery product label (`nvidia.com/gpu.product`)
   * has this value, e.g. `NVIDIA-A10`. Mutually exclusive with `instanceType`.
   * @default - any GPU node
   */
  readonly gpuProduct?: string;
  /**
   * Run only on nodes of this Lambda instance type (`node.kubernetes.io/instance-type`), e.g.
   * `gpu_1x_a10`. Mutually exclusive with `gpuProduct`.
   * @default - any GPU node
   */
  readonly instanceType?: string;
  /**
   * PriorityClass of the pods (e.g. a serving or preemptible-batch class from the platform).
   * @default - none (priority 0)
   */
  readonly priorityClassName?: string;
  /**
   * RuntimeClass, e.g. `nvidia` when containerd's default runtime is not the NVIDIA runtime.
   * @default - the node's default runtime
   */
  readonly runtimeClassName?: string;
  /**
   * Extra tolerations, added after the GPU taint toleration.
   * @default []
   */
  readonly tolerations?: k8s.Toleration[];
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/**
 * Validates a GPU count and placement and renders the pod scheduling: the GPU taint toleration,
 * a node selector on the GPU product or instance type, priority and runtime class.
 */
export function gpuScheduling(scope: IConstruct | string, gpus: number, props: GpuPlacementProps): WorkloadScheduling {
  validateGpuCount(scope, gpus);
  const nodeSelector: Record<string, string> = {};
  if (props.gpuProduct !== undefined && props.instanceType !== undefined) {
    throw new InvalidPropError(scope, 'instanceType', props.instanceType, 'set either gpuProduct or instanceType, not both');
  }
  if (props.gpuProduct !== undefined) {
    if (typeof props.gpuProduct !== 'string' || props.gpuProduct.length === 0 || props.gpuProduct.length > 63 || !LABEL_VALUE.test(props.gpuProduct)) {
      throw new InvalidPropError(scope, 'gpuProduct', props.gpuProduct,
        "must be a node label value as GPU Feature Discovery writes it, e.g. 'NVIDIA-A10' or 'NVIDIA-H100-80GB-HBM3'");
    }
    nodeSelector[NodeLabels.gpuProduct] = props.gpuProduct;
  }
  if (props.instanceType !== undefined) {
    const gpuTypes = LAMBDA_INSTANCE_TYPE_NAMES.filter((name) => lambdaInstanceType(name).gpus > 0);
    if (typeof props.instanceType !== 'string' || !gpuTypes.includes(props.instanceType)) {
      throw new InvalidPropError(scope, 'instanceType', props.instanceType, `must be a Lambda GPU instance type: ${gpuTypes.join(', ')}`);
    }
    const gpusOnNode = lambdaInstanceType(props.instanceType).gpus;
    if (gpus > gpusOnNode) {
      throw new InvalidPropError(scope, 'gpus', gpus, `must be at most ${gpusOnNode}, the GPUs of one ${props.instanceType} node`);
    }
    nodeSelector[NodeLabels.instanceType] = props.instanceType;
  }
  if (props.priorityClassName !== undefined) validateDnsSubdomain(scope, 'priorityClassName', props.priorityClassName);
  if (props.runtimeClassName !== undefined) validateDnsSubdomain(scope, 'runtimeClassName', props.runtimeClassName);
  return {
    nodeSelector,
    tolerations: [GPU_TOLERATION, ...(props.tolerations ?? [])],
    ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
    ...(props.runtimeClassName ? { runtimeClassName: props.runtimeClassName } : {}),
  };
}

/** Throws unless `gpus` is a whole number from 1 to {@link MAX_GPUS_PER_POD}. */
export function validateGpuCount(scope: IConstruct | string, gpus: number): void {
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > MAX_GPUS_PER_POD) {
    throw new InvalidPropError(scope, 'gpus', gpus, `must be a whole number of GPUs from 1 to ${MAX_GPUS_PER_POD}`);
  }
}

/**
 * The `/dev/shm` volume GPU frameworks need (NCCL and PyTorch dataloaders use shared memory):
 * a RAM-backed emptyDir. RAM-backed volumes count against the memory limit, so the size must be
 * below `memoryLimit`.
 */
export function sharedMemoryVolume(scope: IConstruct | string, size: string, memoryLimit: string): ScratchVolume {
  if (!isQuantity(size) || parseQuantity(size) <= 0) {
    throw new InvalidPropError(scope, 'shmSize', size, "must be a positive Kubernetes quantity such as '2Gi'");
  }
  if (isQuantity(memoryLimit) && parseQuantity(size) >= parseQuantity(memoryLimit)) {
    throw new InvalidPropError(scope, 'shmSize', size,
      `must be smaller than the container memory limit (${memoryLimit}): /dev/shm is RAM and counts against it`);
  }
  return { name: 'dshm', mountPath: '/dev/shm', memory: true, sizeLimit: size };
}
