/**
 * Issue 9 findings 2, 4, 5, 6, 9, 10, 11, 12 on the default platform, each asserted on the
 * rendered objects (each of these failed on the tree before the construct fixes), plus the
 * construct-level guards that keep them from coming back.
 */
import { describe, expect, test } from '@jest/globals';
import { App } from 'cdk8s';
import jsYaml from 'js-yaml';
import { clusterModelFromConfigMap, isClusterModelConfigMap } from '../../src/cluster/cluster-model-file.js';
import { ClusterModel } from '../../src/cluster/cluster-model.js';
import { buildDefaultPlatform } from '../../src/main.js';
import { synthesizeObjects } from '../../src/render/synthesize.js';
import { Tenant } from '../../src/tenancy/tenant.js';
import { GpuInferenceService } from '../../src/workloads/gpu-inference-service.js';
import { GpuTrainingJob } from '../../src/workloads/gpu-training-job.js';
import { ModelServer } from '../../src/workloads/model-server-presets.js';
import { ModelCache } from '../../src/workloads/model-cache.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { readTree } from '../../src/capacity/workloads.js';
import { NetworkPeer } from '../../src/network/network-peer.js';
import { allowIngress } from '../../src/network/network-rules.js';
import { simulateDrains } from '../../src/capacity/drain.js';
import { simulateRollouts } from '../../src/capacity/rollout.js';

function render(build: (app: App) => void): any[] {
  const app = new App();
  build(app);
  return synthesizeObjects(app).map((o) => o.manifest);
}

const manifests = render(buildDefaultPlatform);
const find = (kind: string, name: string, namespace?: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (!found) throw new Error(`${kind} ${namespace ?? ''}/${name} not rendered`);
  return found;
};
const modelConfigMap = manifests.find((m) => isClusterModelConfigMap(m));
const model = clusterModelFromConfigMap(modelConfigMap, 'cluster-model');

describe('default platform: findings of issue 9', () => {
  test('2: dcgm-exporter selects a label every GPU node of the model carries (NFD pci-10de), not nvidia.com/gpu.present', () => {
    const selector = find('HelmRelease', 'dcgm-exporter').spec.values.nodeSelector as Record<string, string>;
    expect(selector).not.toHaveProperty(['nvidia.com/gpu.present']);
    const gpuPools = model.pools.filter((p) => p.gpu.physicalPerNode > 0);
    expect(gpuPools.length).toBeGreaterThan(0);
    for (const pool of gpuPools) for (const [k, v] of Object.entries(selector)) expect(`${pool.name} ${k}=${pool.labels[k]}`).toBe(`${pool.name} ${k}=${v}`);
  });

  test('4: github-mcp-server is pinned at v0.31.0 or later (first version with the http subcommand)', () => {
    const container = find('Deployment', 'github-mcp', 'mcp').spec.template.spec.containers[0];
    const [major, minor] = /:v(\d+)\.(\d+)\./.exec(container.image)!.slice(1).map(Number);
    expect(major > 0 || minor >= 31).toBe(true);
    expect(container.args.slice(0, 1)).toEqual(['http']);
  });

  test('5: docs-search URLs reach a port their Service serves', () => {
    const env = find('Deployment', 'docs-search', 'mcp').spec.template.spec.containers[0].env as { name: string; value?: string }[];
    for (const name of ['EMBEDDINGS_URL', 'QDRANT_URL']) {
      const url = new URL(env.find((e) => e.name === name)!.value!);
      const [service, namespace] = url.hostname.split('.');
      const port = Number(url.port || 80);
      expect(find('Service', service, namespace).spec.ports.map((p: { port: number }) => p.port)).toContain(port);
    }
  });

  test('6: the model declares a default StorageClass, it is rendered, and every claim resolves', () => {
    const defaults = (model.storageClasses ?? []).filter((c) => c.default);
    expect(defaults.map((c) => c.name)).toEqual(['local-nvme']);
    const rendered = find('StorageClass', 'local-nvme');
    expect(rendered.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(rendered.volumeBindingMode).toBe('WaitForFirstConsumer');
    // its provisioner is deployed in infra-controllers, answering for the class's provisioner name
    const provisioner = find('HelmRelease', 'local-path-provisioner', 'local-path-storage');
    expect(provisioner.spec.values.storageClass).toEqual({ create: false, provisionerName: rendered.provisioner });
    expect(provisioner.spec.values.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  test('storage: vLLM keeps its model cache on a node-local claim across restarts, deleted with its replica', () => {
    const llm = find('StatefulSet', 'llama-3-1-8b', 'inference');
    expect(llm.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.storageClassName])).toEqual([['model-cache', 'local-nvme']]);
    expect(llm.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
    expect(llm.spec.template.spec.volumes.some((v: any) => v.name === 'model-cache' && v.emptyDir)).toBe(false);
    // a drained A10 node's vLLM replica waits for the node (node-local claim) and the drain finishes
    const a10 = simulateDrains(readTree(manifests), model).filter((d) => d.pool === 'a10');
    const waiting = a10.flatMap((d) => d.stranded).filter((s) => s.resource === 'StatefulSet/inference/llama-3-1-8b');
    expect(waiting.length).toBeGreaterThan(0);
    for (const s of waiting) expect({ evicted: s.evicted, hangs: s.hangs, claims: s.nodeLocalClaims }).toEqual({ evicted: 1, hangs: false, claims: ['claim model-cache (StorageClass local-nvme)'] });
  });

  test('3 (metrics-server): the resource metrics API the CPU HPAs read is installed in infra-controllers, which apps waits for', () => {
    const hpas = manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler');
    expect(hpas.length).toBeGreaterThan(0);
    const release = find('HelmRelease', 'metrics-server', 'metrics-server');
    expect(release.spec.chart.spec).toMatchObject({ chart: 'metrics-server', version: '3.13.1' });
    expect(JSON.stringify(release.spec.values)).not.toMatch(/kubelet-insecure-tls/);
    const apps = find('Kustomization', 'apps', 'flux-system');
    const configs = find('Kustomization', 'infra-configs', 'flux-system');
    expect(apps.spec.dependsOn).toContainEqual({ name: 'infra-configs' });
    expect(configs.spec.dependsOn).toContainEqual({ name: 'infra-controllers' });
    expect(find('Kustomization', 'infra-controllers', 'flux-system').spec.wait).toBe(true);
  });

  test('9: vLLM gets USER and TORCHINDUCTOR_CACHE_DIR (getpass.getuser() fails for a UID without passwd entry)', () => {
    const env = find('StatefulSet', 'llama-3-1-8b', 'inference').spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'USER')?.value).toBeTruthy();
    expect(env.find((e) => e.name === 'TORCHINDUCTOR_CACHE_DIR')?.value).toMatch(/^\/model-cache\//);
  });

  test('10: every rollout at maximum scale fits the quotas and nodes (inference GPU quota = max scale + surge)', () => {
    const facts = readTree(manifests);
    expect(simulateRollouts(facts, model).filter((c) => c.problems.length > 0).map((c) => c.problems)).toEqual([]);
    // vLLM 3 (StatefulSet: replaced in place, no surge) + embeddings 2 + 1 surge
    expect(find('ResourceQuota', 'compute', 'inference').spec.hard['requests.nvidia.com/gpu']).toBe('6');
  });

  test('11: draining any node leaves a place for every PDB-protected pod', () => {
    const drains = simulateDrains(readTree(manifests), model);
    expect(drains.length).toBe(model.pools.reduce((s, p) => s + p.nodes, 0));
    expect(drains.filter((d) => d.hangs).map((d) => d.node)).toEqual([]);
  });

  test('12: operators run at system priority; the fine-tune is preemptible and preemption does not burn backoffLimit', () => {
    expect(find('HelmRelease', 'external-secrets').spec.values.priorityClassName).toBe('system-cluster-critical');
    expect(find('HelmRelease', 'keda').spec.values.priorityClassName).toBe('system-cluster-critical');
    expect(find('HelmRelease', 'nvidia-device-plugin').spec.values.priorityClassName).toBe('system-node-critical');
    expect(find('HelmRelease', 'dcgm-exporter').spec.values.priorityClassName).toBe('system-node-critical');
    const job = find('CronJob', 'nightly-lora-finetune', 'training').spec.jobTemplate.spec;
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.podFailurePolicy.rules).toContainEqual({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  });
});

describe('construct guards', () => {
  const llm = (tenant: Tenant, maxReplicas: number) => {
    const service = new GpuInferenceService(tenant, 'Llm', {
      name: 'llm', server: ModelServer.vllm({ model: 'm/x' }), gpus: 1, replicas: maxReplicas, gpuProduct: 'NVIDIA-A10', modelCache: ModelCache.ephemeral({ sizeLimit: '10Gi' }),
    });
    allowIngress(service, NetworkPeer.namespace('gateway'));
    return service;
  };

  test('Tenant derives its GPU quota from maximum scale plus surge', () => {
    const objects = render((app) => llm(new Tenant(app, 'inference', { team: 't', quota: { requestsCpu: '8', requestsMemory: '8Gi' } }), 2));
    expect(objects.find((m) => m.kind === 'ResourceQuota').spec.hard['requests.nvidia.com/gpu']).toBe('3');
  });

  test('an explicit GPU quota below the peak need fails synth naming the workload', () => {
    expect(() => render((app) => llm(new Tenant(app, 'inference', { team: 't', quota: { requestsCpu: '8', requestsMemory: '8Gi', gpus: 2 } }), 2)))
      .toThrow(/quota.gpus is 2 but its GPU workloads request 3 at their peak \(inference\/Llm: 1 GPU x \(2 replica\(s\) at maximum scale \+ 1 surge pod\(s\)\)\)/);
  });

  test('GpuTrainingJob defaults to the preemptible class; OnFailure gets no podFailurePolicy', () => {
    const objects = render((app) => {
      const t = new Tenant(app, 'training', { team: 't', quota: { requestsCpu: '8', requestsMemory: '64Gi' } });
      new GpuTrainingJob(t, 'A', { name: 'a', image: 'x/y:1' });
      new GpuTrainingJob(t, 'B', { name: 'b', image: 'x/y:1', restartPolicy: 'OnFailure', priorityClassName: 'lambda-batch' });
    });
    const a = objects.find((m) => m.kind === 'Job' && m.metadata.name === 'a');
    const b = objects.find((m) => m.kind === 'Job' && m.metadata.name === 'b');
    expect(a.spec.template.spec.priorityClassName).toBe('lambda-training-preemptible');
    expect(a.spec.podFailurePolicy).toBeDefined();
    expect(b.spec.template.spec.priorityClassName).toBe('lambda-batch');
    expect(b.spec.podFailurePolicy).toBeUndefined();
  });

  test('ClusterModel renders its storage classes and rejects two defaults', () => {
    const objects = render((app) => {
      const configs = new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' });
      const fleet = new ClusterModel(configs, 'Fleet', { name: 'x' });
      fleet.addNodePool('cpu', { instanceType: 'cpu_4x_general', nodes: 1 });
      fleet.addStorageClass('local-nvme', { provisioner: 'rancher.io/local-path', default: true });
      fleet.addStorageClass('shared', { provisioner: 'nfs.csi.k8s.io', preinstalled: true });
      expect(() => fleet.addStorageClass('other', { provisioner: 'x.io/y', default: true })).toThrow(/more than one default storage class \(local-nvme, other\)/);
    });
    expect(objects.filter((m) => m.kind === 'StorageClass').map((m) => m.metadata.name)).toEqual(['local-nvme']);
    const doc = jsYaml.load(objects.find((m) => m.kind === 'ConfigMap').data['cluster.yaml']) as { storageClasses: { name: string }[] };
    expect(doc.storageClasses.map((c) => c.name)).toEqual(['local-nvme', 'shared']);
  });
});
