import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { GpuInferenceService } from '../../src/workloads/gpu-inference-service.js';
import { ModelCache } from '../../src/workloads/model-cache.js';
import { ModelServer } from '../../src/workloads/model-server-presets.js';
import { findNulls } from '../../src/render/synthesize.js';
import { readStorageClasses } from '../../src/cluster/storage-classes.js';
import { admitGateway, mainContainer, renderedByKind, tenantApp } from './helpers.js';

const llama = () => ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192 });

test('a vLLM service renders GPU requests = limits as integer strings, toleration, product selector and shm', () => {
  const { app, tenant } = tenantApp();
  const vllm = new GpuInferenceService(tenant, 'llm', { server: llama(), gpuProduct: 'NVIDIA-A10', priorityClassName: 'serving-high' });
  admitGateway(vllm);
  const objects = renderedByKind(app, vllm);
  expect(Object.keys(objects).sort()).toEqual(['NetworkPolicy/llm-ingress', 'Service/llm', 'Service/llm-headless', 'StatefulSet/llm']);
  const sts = objects['StatefulSet/llm'];
  for (const m of Object.values(objects)) expect(findNulls(m)).toEqual([]);
  const c = mainContainer(sts);
  expect(c.image).toBe('vllm/vllm-openai:v0.10.2');
  expect(c.resources.requests['nvidia.com/gpu']).toBe('1');
  expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
  expect(c.resources.requests.cpu).toBe('6');
  expect(c.resources.limits.cpu).toBe('6');
  expect(c.resources.requests.memory).toBe('24Gi');
  expect(c.resources.limits.memory).toBe('24Gi');
  const pod = sts.spec.template.spec;
  expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A10' });
  expect(pod.priorityClassName).toBe('serving-high');
  expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } });
  expect(c.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  // one model-cache claim per replica
  expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
  expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('model-cache');
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
  expect(c.volumeMounts).toContainEqual({ name: 'model-cache', mountPath: '/model-cache' });
  expect(sts.spec.replicas).toBe(1);
});

test('vLLM args, probes sized for model loading, and writable HOME/HF_HOME', () => {
  const { app, tenant } = tenantApp();
  const vllm = new GpuInferenceService(tenant, 'llm', {
    server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-14B-Instruct', gpuMemoryUtilization: 0.95, servedModelName: 'qwen' }),
    gpus: 2, instanceType: 'gpu_2x_a6000',
  });
  admitGateway(vllm);
  const c = mainContainer(renderedByKind(app, vllm)['StatefulSet/llm']);
  expect(c.args).toEqual(['--model', 'Qwen/Qwen2.5-14B-Instruct', '--served-model-name', 'qwen', '--host', '0.0.0.0', '--port', '8000',
    '--tensor-parallel-size', '2', '--gpu-memory-utilization', '0.95']);
  expect(c.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
  expect(c.startupProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, failureThreshold: 60, timeoutSeconds: 5 });
  expect(c.readinessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 });
  expect(c.livenessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 });
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  expect(env).toMatchObject({ HOME: '/home/app', HF_HOME: '/model-cache/huggingface' });
  const mounted = c.volumeMounts.map((m: any) => m.mountPath);
  expect(mounted).toEqual(expect.arrayContaining(['/home/app', '/model-cache', '/tmp', '/dev/shm']));
  expect(c.resources.requests['nvidia.com/gpu']).toBe('2');
  expect(c.resources.limits['nvidia.com/gpu']).toBe('2');
  expect(c.resources.limits.cpu).toBe('12');
  expect(c.resources.limits.memory).toBe('48Gi');
  const pod = renderedByKind(app, vllm)['StatefulSet/llm'].spec.template;
  expect(pod.spec.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'gpu_2x_a6000' });
  expect(pod.spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '4Gi' } });
  expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8000', 'prometheus.io/path': '/metrics' });
  expect(vllm.endpoint).toBe('http://llm.ml.svc.cluster.local:8000');
});

test('the pod runs under the restricted security profile with a read-only root', () => {
  const { app, tenant } = tenantApp();
  const svc = new GpuInferenceService(tenant, 'llm', { server: llama() });
  admitGateway(svc);
  const sts = renderedByKind(app, svc)['StatefulSet/llm'];
  expect(mainContainer(sts).securityContext).toEqual({
    runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false, privileged: false,
    readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
});

test('Triton and TEI presets: ports, health paths, unprivileged TEI port', () => {
  const { app, tenant } = tenantApp();
  const triton = new GpuInferenceService(tenant, 'triton', { server: ModelServer.triton(), modelCache: ModelCache.ephemeral({ sizeLimit: '20Gi' }) });
  const tei = new GpuInferenceService(tenant, 'embed', { server: ModelServer.textEmbeddings({ model: 'BAAI/bge-large-en-v1.5' }), modelCache: ModelCache.ephemeral() });
  admitGateway(triton, tei);
  const tritonDeploy = renderedByKind(app, triton)['Deployment/triton'];
  const t = mainContainer(tritonDeploy);
  expect(t.command).toEqual(['tritonserver']);
  expect(t.ports.map((p: any) => p.containerPort)).toEqual([8000, 8001, 8002]);
  expect(t.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 'http' });
  expect(t.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 'http' });
  expect(t.volumeMounts).toContainEqual({ name: 'model-cache', mountPath: '/models' });
  // the ephemeral cache grows the ephemeral-storage budget by its size
  expect(t.resources.requests['ephemeral-storage']).toBe('21Gi');
  expect(t.resources.limits['ephemeral-storage']).toBe('24Gi');
  expect(tritonDeploy.spec.template.metadata.annotations['prometheus.io/port']).toBe('8002');
  const e = mainContainer(renderedByKind(app, tei)['Deployment/embed']);
  expect(e.image).toBe('ghcr.io/huggingface/text-embeddings-inference:86-1.8');
  expect(e.args.slice(0, 6)).toEqual(['--model-id', 'BAAI/bge-large-en-v1.5', '--hostname', '0.0.0.0', '--port', '8080']);
  expect(e.ports).toContainEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
  expect(e.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  expect(e.startupProbe.failureThreshold).toBe(30);
  const service = renderedByKind(app, tei)['Service/embed'];
  expect(service.spec.ports.map((p: any) => p.port)).toEqual([8080, 9000]);
});

test('a node-local cache is a local-path claim per replica', () => {
  const { app, tenant } = tenantApp();
  const svc = new GpuInferenceService(tenant, 'llm', { server: llama(), modelCache: ModelCache.nodeLocal(), replicas: 2 });
  admitGateway(svc);
  const objects = renderedByKind(app, svc);
  const template = objects['StatefulSet/llm'].spec.volumeClaimTemplates[0];
  expect(template.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '100Gi' } } });
  expect(objects['StatefulSet/llm'].spec.replicas).toBe(2);
  expect(objects['PodDisruptionBudget/llm'].spec.maxUnavailable).toBe(1);
  // a claim left behind by a scale-down would pin the next replica of that ordinal to its node
  expect(objects['StatefulSet/llm'].spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
});

test('a node-local cache takes its StorageClass from the cluster model; one that binds Immediate is refused', () => {
  const { app, tenant } = tenantApp();
  const localNvme = readStorageClasses([{ name: 'local-nvme', provisioner: 'rancher.io/local-path' }]).classes[0];
  const svc = new GpuInferenceService(tenant, 'llm', { server: llama(), modelCache: ModelCache.nodeLocal({ storageClass: localNvme, size: '60Gi' }), replicas: 2 });
  admitGateway(svc);
  const sts = renderedByKind(app, svc)['StatefulSet/llm'];
  expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'local-nvme', resources: { requests: { storage: '60Gi' } } });
  const immediate = readStorageClasses([{ name: 'local', provisioner: 'rancher.io/local-path', volumeBindingMode: 'Immediate' }]).classes[0];
  const other = tenantApp();
  expect(() => new GpuInferenceService(other.tenant, 'llm', { server: llama(), modelCache: ModelCache.nodeLocal({ storageClass: immediate }) }))
    .toThrow(/llm: invalid 'modelCache.storageClass' \("local"\): binds Immediate/);
});

test('a persistent (not node-local) cache keeps its claims when scaled down', () => {
  const { app, tenant } = tenantApp();
  const svc = new GpuInferenceService(tenant, 'llm', { server: llama(), modelCache: ModelCache.persistentClaim(), replicas: 2 });
  admitGateway(svc);
  expect(renderedByKind(app, svc)['StatefulSet/llm'].spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
});

test('a hostPath cache renders in a namespace without Pod Security enforcement and fails inside a restricted Tenant', () => {
  const app = Testing.app();
  const dir = new ManifestDirectory(app, 'legacy', { directory: 'apps/legacy', namespace: 'legacy' });
  const svc = new GpuInferenceService(dir, 'llm', { server: llama(), modelCache: ModelCache.hostPath({ hostPath: '/mnt/nvme/models' }), replicas: 2 });
  admitGateway(svc);
  const objects = renderedByKind(app, svc);
  const pod = objects['Deployment/llm'].spec.template.spec;
  expect(pod.volumes).toContainEqual({ name: 'model-cache', hostPath: { path: '/mnt/nvme/models', type: 'DirectoryOrCreate' } });
  expect(objects['Deployment/llm'].spec.replicas).toBe(2);
  const { tenant } = tenantApp();
  expect(() => new GpuInferenceService(tenant, 'llm', { server: llama(), modelCache: ModelCache.hostPath() }))
    .toThrow(/ml\/llm: invalid 'modelCache' \("hostPath"\): is rejected by the namespace's Pod Security level 'restricted'; use ModelCache.nodeLocal\(\)/);
});

test('selectors do not change when the service moves under another parent', () => {
  const first = tenantApp();
  const a = new GpuInferenceService(first.tenant, 'llm', { server: llama() });
  const second = tenantApp();
  const b = new GpuInferenceService(new Construct(new Construct(second.tenant, 'Serving'), 'Team'), 'Model', { name: 'llm', server: llama() });
  admitGateway(a, b);
  const selA = renderedByKind(first.app, a)['StatefulSet/llm'].spec.selector;
  const selB = renderedByKind(second.app, b)['StatefulSet/llm'].spec.selector;
  expect(selB).toEqual(selA);
  expect(selA).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'llm', 'app.kubernetes.io/instance': 'llm-ml' } });
});

test('invalid props name the construct path, the prop and what is allowed', () => {
  const { tenant } = tenantApp();
  expect(() => new GpuInferenceService(tenant, 'a', { server: llama(), gpus: 0 }))
    .toThrow(/ml\/a: invalid 'gpus' \(0\): must be a whole number of GPUs from 1 to 8/);
  expect(() => new GpuInferenceService(tenant, 'b', { server: llama(), gpus: 1.5 })).toThrow(/invalid 'gpus' \(1.5\)/);
  expect(() => new GpuInferenceService(tenant, 'c', { server: llama(), instanceType: 'gpu_1x_a10', gpus: 2 }))
    .toThrow(/ml\/c: invalid 'gpus' \(2\): must be at most 1, the GPUs of one gpu_1x_a10 node/);
  expect(() => new GpuInferenceService(tenant, 'd', { server: llama(), instanceType: 'gpu_1x_t4' }))
    .toThrow(/ml\/d: invalid 'instanceType' \("gpu_1x_t4"\): must be a Lambda GPU instance type: .*gpu_1x_a10/);
  expect(() => new GpuInferenceService(tenant, 'e', { server: llama(), instanceType: 'cpu_4x_general' })).toThrow(/invalid 'instanceType'/);
  expect(() => new GpuInferenceService(tenant, 'f', { server: llama(), instanceType: 'gpu_1x_a10', gpuProduct: 'NVIDIA-A10' }))
    .toThrow(/set either gpuProduct or instanceType, not both/);
  expect(() => new GpuInferenceService(tenant, 'g', { server: llama(), gpuProduct: 'NVIDIA A10' })).toThrow(/ml\/g: invalid 'gpuProduct'/);
  expect(() => new GpuInferenceService(tenant, 'h', { server: llama(), shmSize: '24Gi' }))
    .toThrow(/ml\/h: invalid 'shmSize' \("24Gi"\): must be smaller than the container memory limit \(24Gi\)/);
  expect(() => new GpuInferenceService(tenant, 'i', { server: ModelServer.vllm({ model: 'x/y', gpuMemoryUtilization: 1.2 }) }))
    .toThrow(/ml\/i: invalid 'server.gpuMemoryUtilization' \(1.2\): must be a fraction above 0 and at most 1/);
  expect(() => new GpuInferenceService(tenant, 'j', { server: ModelServer.vllm({ model: '' }) })).toThrow(/invalid 'server.model'/);
  expect(() => new GpuInferenceService(tenant, 'k', { server: ModelServer.vllm({ model: 'x/y', image: 'vllm/vllm-openai:latest' }) }))
    .toThrow(/ml\/k: invalid 'image'.*latest/);
  expect(() => new GpuInferenceService(tenant, 'l', { server: llama(), startupBudgetSeconds: 5 })).toThrow(/invalid 'startupBudgetSeconds'/);
  expect(() => new GpuInferenceService(tenant, 'm', { server: llama(), env: { HOME: '/root' } }))
    .toThrow(/ml\/m: invalid 'env.HOME' \("\/root"\): is set by the model server preset/);
  expect(() => new GpuInferenceService(tenant, 'n', { server: llama(), modelCache: ModelCache.persistentClaim({ size: 'big' }) }))
    .toThrow(/invalid 'modelCache.size' \("big"\)/);
  expect(() => new GpuInferenceService(tenant, 'o', { server: llama(), priorityClassName: 'Serving_High' })).toThrow(/invalid 'priorityClassName'/);
  expect(() => new GpuInferenceService(tenant, 'p', { server: llama(), resources: { memory: { request: '32Gi', limit: '16Gi' } } }))
    .toThrow(/ml\/p: invalid 'resources.memory.limit' \("16Gi"\): must be at least the request/);
});

test('an exposed service with no network rule fails validation', () => {
  const { app, tenant } = tenantApp();
  new GpuInferenceService(tenant, 'llm', { server: llama() });
  expect(() => renderedByKind(app)).toThrow(/serves ports http but no network rule admits traffic/);
});
