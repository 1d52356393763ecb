import { manifestsOf } from '../../src/render/synthesize.js';
import { validateManifest } from '../../src/schema/index.js';
import { GpuInferenceService } from '../../src/workloads/gpu-inference-service.js';
import { GpuTrainingJob } from '../../src/workloads/gpu-training-job.js';
import { McpServer } from '../../src/workloads/mcp-server.js';
import { ModelCache } from '../../src/workloads/model-cache.js';
import { ModelServer } from '../../src/workloads/model-server-presets.js';
import { PortkeyGateway } from '../../src/workloads/portkey-gateway.js';
import { QdrantVectorDatabase } from '../../src/workloads/qdrant-vector-database.js';
import { ServiceWorkload } from '../../src/workloads/service-workload.js';
import { admitGateway, tenantApp } from './helpers.js';

test('every object the workload constructs render validates strictly against the Kubernetes 1.28 schema', () => {
  const { app, tenant } = tenantApp();
  admitGateway(
    new GpuInferenceService(tenant, 'llm', { server: ModelServer.vllm({ model: 'a/b', maxModelLen: 4096 }), gpuProduct: 'NVIDIA-A10', replicas: 2, runtimeClassName: 'nvidia' }),
    new GpuInferenceService(tenant, 'triton', { server: ModelServer.triton(), modelCache: ModelCache.ephemeral() }),
    new GpuInferenceService(tenant, 'embed', { server: ModelServer.textEmbeddings({ model: 'a/b', maxBatchTokens: 8192 }), instanceType: 'gpu_1x_a10' }),
    new ServiceWorkload(tenant, 'api', { image: 'x/api:1.0.0', healthPath: '/healthz' }),
    new McpServer(tenant, 'mcp', { image: 'x/mcp:1.0.0', stateful: true }),
    new PortkeyGateway(tenant, 'portkey'),
    new QdrantVectorDatabase(tenant, 'qdrant', { storageClassName: 'local-path' }),
  );
  new GpuTrainingJob(tenant, 'once', { image: 'x/train:1.0.0' });
  new GpuTrainingJob(tenant, 'nightly', { image: 'x/train:1.0.0', schedule: { cron: '0 3 * * *' } });
  const manifests = manifestsOf(app);
  expect(manifests.length).toBeGreaterThan(25);
  const problems = manifests.flatMap((m) => validateManifest(m).map((issue) => `${m.kind}/${m.metadata.name}: ${JSON.stringify(issue)}`));
  expect(problems).toEqual([]);
  const kinds = new Set(manifests.map((m) => m.kind));
  for (const kind of ['Deployment', 'StatefulSet', 'Service', 'PodDisruptionBudget', 'Job', 'CronJob', 'PersistentVolumeClaim']) expect(kinds).toContain(kind);
  const llm = manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'llm') as any;
  expect(llm.spec.template.spec.runtimeClassName).toBe('nvidia');
});
