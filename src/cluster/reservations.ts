/**
 * Default per-node reservations for the system (kube-reserved + system-reserved + the kubelet's
 * hard eviction threshold), subtracted from a node's capacity to give its allocatable resources.
 *
 * Lambda on-demand instances run self-managed Kubernetes (k3s or kubeadm), whose kubelets reserve
 * nothing by default; a node that gives every byte to pods starves the kubelet, containerd and the
 * NVIDIA driver daemons. The defaults follow Google Distributed Cloud's published formula
 * ("Resources available for your workloads", cloud.google.com/kubernetes-engine/distributed-cloud/vmware/docs/how-to/resources-available-pods):
 * - CPU: 80 millicores + 1% of the CPU capacity;
 * - memory: 330 MiB + 5% of the memory capacity, plus the 100 MiB hard eviction threshold
 *   (`memory.available<100Mi`, the kubelet default);
 * - ephemeral storage: 10% of the local disk (the kubelet default `nodefs.available<10%`).
 * Configure the kubelet the same way (`--kube-reserved`/`--system-reserved`/`--eviction-hard`), or
 * override `reserved` on the node pool so the model matches the nodes.
 */

/** Reservation in base units: millicores and bytes. */
export interface Reservation {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly ephemeralStorageBytes: number;
}

const MIB = 2 ** 20;
/** The kubelet's default hard eviction threshold for memory. */
export const EVICTION_HARD_MEMORY_BYTES = 100 * MIB;

/** The default reservation for a node of the given capacity. Memory is rounded up to whole MiB. */
export function defaultReservation(cpuMillis: number, memoryBytes: number, ephemeralStorageBytes: number): Reservation {
  const memory = 330 * MIB + memoryBytes * 0.05 + EVICTION_HARD_MEMORY_BYTES;
  return {
    cpuMillis: Math.ceil(80 + cpuMillis * 0.01),
    memoryBytes: Math.ceil(memory / MIB) * MIB,
    ephemeralStorageBytes: Math.ceil((ephemeralStorageBytes * 0.1) / MIB) * MIB,
  };
}
