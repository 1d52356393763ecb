// Node pools of the cluster model -> kwok Nodes.
// The tree carries the model as a ConfigMap labelled lambda-gitops.dev/cluster-model=true whose data
// holds a JSON or YAML document with `pools`. The reader accepts the shapes below and says what it used.
import yaml from 'js-yaml';

export const MODEL_LABEL = 'lambda-gitops.dev/cluster-model';

/** Built-in sample, used only when the tree has no cluster model (logged loudly). */
export const SAMPLE_POOLS = [{
  name: 'gpu-a10',
  instanceType: 'gpu_1x_a10',
  count: 2,
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-A10', 'nvidia.com/gpu.present': 'true' },
  taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
  allocatable: { 'nvidia.com/gpu': '1', cpu: '30', memory: '200Gi' },
}, {
  name: 'cpu',
  instanceType: 'cpu_4x_general',
  count: 2,
  labels: {},
  taints: [],
  allocatable: { cpu: '4', memory: '16Gi' },
}];

export function findModel(objects) {
  return objects.find((o) => o.kind === 'ConfigMap' && String(o.metadata?.labels?.[MODEL_LABEL]) === 'true');
}

/** Pools from the model ConfigMap (first data value that parses to something with `pools`). */
export function poolsFromModel(cm) {
  for (const [key, text] of Object.entries(cm.data ?? {})) {
    let doc;
    try { doc = yaml.load(text); } catch { continue; }
    const pools = doc?.pools ?? doc?.nodePools ?? (Array.isArray(doc) ? doc : null);
    if (Array.isArray(pools) && pools.length) return { key, pools: pools.map(normalizePool), doc };
  }
  throw new Error(`ConfigMap ${cm.metadata.namespace}/${cm.metadata.name} has no data value with a non-empty "pools" list`);
}

function normalizePool(p) {
  const alloc = { ...(p.allocatable ?? p.resources ?? {}) };
  // Accept {gpu, cpu, memory} as well as resource names; numbers become quantities.
  const out = {};
  for (const [k, v] of Object.entries(alloc)) {
    const name = k === 'gpu' || k === 'gpus' ? 'nvidia.com/gpu' : k === 'memoryGiB' ? 'memory' : k;
    out[name] = k === 'memoryGiB' ? `${v}Gi` : String(v);
  }
  return {
    name: p.name,
    instanceType: p.instanceType ?? p.instance_type ?? p.labels?.['node.kubernetes.io/instance-type'],
    count: Number(p.count ?? p.nodes ?? p.replicas ?? 1),
    labels: p.labels ?? {},
    taints: p.taints ?? [],
    allocatable: out,
  };
}

/**
 * A real kubelet always reports ephemeral-storage (its root filesystem). The model omits it when the
 * instance type's disk size is unknown, and plan then does not check it; the kwok nodes of such a
 * pool get this value so the scheduler does not limit on it either (logged by the caller).
 */
export const UNKNOWN_DISK_EPHEMERAL_STORAGE = '1Ti';

export function nodesForPools(pools, onNote = () => {}) {
  const nodes = [];
  for (const p of pools) {
    if (!p.allocatable['ephemeral-storage']) {
      onNote(`pool ${p.name}: no ephemeral-storage in the model (disk size unknown); its kwok nodes get ${UNKNOWN_DISK_EPHEMERAL_STORAGE}`);
      p.allocatable = { ...p.allocatable, 'ephemeral-storage': UNKNOWN_DISK_EPHEMERAL_STORAGE };
    }
    for (let i = 0; i < p.count; i++) {
      const name = `${p.name}-${i}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
      const alloc = { pods: '110', ...p.allocatable };
      nodes.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'lambda-gitops.dev/pool': p.name,
            type: 'kwok',
            ...(p.instanceType ? { 'node.kubernetes.io/instance-type': p.instanceType } : {}),
            ...p.labels,
          },
        },
        spec: { taints: p.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: String(t.value) } : {}), effect: t.effect ?? 'NoSchedule' })) },
        status: { allocatable: alloc, capacity: alloc },
      });
    }
  }
  return nodes;
}
