/**
 * The embedded default platform: a realistic Lambda Labs AI/ML cluster.
 *
 * - Fleet: 4 x gpu_1x_a10 with whole GPUs (vLLM and the nightly fine-tune), 2 x gpu_1x_a10
 *   time-sliced 4 ways (the embeddings server: two nodes, so draining one leaves room for its
 *   replicas), 3 x cpu_4x_general for CPU services; node-local NVMe as the default StorageClass.
 * - `inference`: vLLM serving Llama 3.1 8B Instruct on A10s, scaled by KEDA on queue length;
 *   text-embeddings-inference on shared A10 slots.
 * - `retrieval`: Qdrant (StatefulSet with a PVC).
 * - `mcp`: two MCP servers (document search over Qdrant, and GitHub).
 * - `gateway`: the Portkey AI gateway, the one entry point: published through a Gateway API
 *   Gateway (Traefik) with a cert-manager (Let's Encrypt) certificate.
 * - `training`: a nightly LoRA fine-tune (preemptible CronJob).
 * Secrets come from Pulumi ESC through the External Secrets Operator; nothing secret is in Git.
 *
 * `npx cdk8s synth` (or `lambda-gitops synth`) runs this file and renders the tree into `dist/`.
 */
import { App } from 'cdk8s';
import { isEntryPoint } from './cli/entry-point.js';
import { synthApp } from './cli/synth-app.js';
import { ClusterModel } from './cluster/cluster-model.js';
import { LAMBDA_INSTANCE_TYPES } from './cluster/instance-types.js';
import { LocalPathProvisioner } from './cluster/local-path-provisioner.js';
import { exemptFromPolicy } from './core/policy-exemption.js';
import { FluxCluster } from './flux/flux-cluster.js';
import { PlatformOperators } from './flux/platform-operators.js';
import { GpuPriorityClasses, PriorityClassNames } from './gpu/priority-classes.js';
import { GpuTimeSlicingConfig } from './gpu/time-slicing-config.js';
import { AcmeClusterIssuer } from './ingress/acme-cluster-issuer.js';
import { CertManager } from './ingress/cert-manager.js';
import { exposeHttp } from './ingress/expose-http.js';
import { GatewayApiCrds } from './ingress/gateway-api-crds.js';
import { GatewayController } from './ingress/gateway-controller.js';
import { IngressGateway } from './ingress/ingress-gateway.js';
import { NetworkPeer } from './network/network-peer.js';
import { NetworkPort } from './network/network-port.js';
import { allowEgress, allowTraffic } from './network/network-rules.js';
import { HorizontalAutoscaler } from './scaling/horizontal-autoscaler.js';
import { KedaScaledObject } from './scaling/keda-scaled-object.js';
import { KedaTrigger } from './scaling/keda-trigger.js';
import { GpuPlatformDashboards } from './observability/grafana-dashboards.js';
import { GpuPlatformAlerts } from './observability/gpu-platform-alerts.js';
import { MetricsServer } from './observability/metrics-server.js';
import { MonitoringStack } from './observability/monitoring-stack.js';
import { scrapeMetrics } from './observability/scrape-metrics.js';
import { EscExternalSecret } from './secrets/esc-external-secret.js';
import { PulumiEscSecretStore } from './secrets/pulumi-esc-secret-store.js';
import { Tenant } from './tenancy/tenant.js';
import { GpuInferenceService } from './workloads/gpu-inference-service.js';
import { GpuTrainingJob } from './workloads/gpu-training-job.js';
import { McpServer } from './workloads/mcp-server.js';
import { ModelCache } from './workloads/model-cache.js';
import { ModelServer } from './workloads/model-server-presets.js';
import { PortkeyGateway } from './workloads/portkey-gateway.js';
import { QdrantVectorDatabase } from './workloads/qdrant-vector-database.js';

/** The public hostname of the platform's API (DNS must point it at the Traefik Service; see the README's bootstrap section). */
export const PLATFORM_HOSTNAME = 'api.lambda-gitops.dev';
/** The ACME account's contact address (Let's Encrypt expiry notices). */
export const ACME_CONTACT_EMAIL = 'platform-team@lambda-gitops.dev';

/** Builds the embedded default platform into `app`. */
export function buildDefaultPlatform(app: App): void {
  const cluster = new FluxCluster(app, 'LambdaProd', {
    clusterName: 'lambda-prod',
    repositoryUrl: 'https://github.com/lambda-gitops/platform.git',
    branch: 'main',
  });

  // ---- infrastructure/controllers: operators and cluster-wide scheduling config
  const timeSlicing = new GpuTimeSlicingConfig(cluster.controllers, 'TimeSlicing', {
    profiles: [{ name: 'a10-shared-4', replicas: 4 }],
  });
  const monitoring = new MonitoringStack(cluster.controllers, 'Monitoring');
  new PlatformOperators(cluster.controllers, 'Operators', {
    monitoring,
    timeSlicingConfigMap: timeSlicing.configMapName,
    timeSlicingDefaultProfile: timeSlicing.defaultProfile,
  });
  new GpuPriorityClasses(cluster.controllers, 'Priorities');
  // Gateway API (CRDs in the tree, Traefik as the controller) and cert-manager for its certificates
  new GatewayApiCrds(cluster.controllers, 'GatewayApi');
  const gatewayController = new GatewayController(cluster.controllers, 'GatewayController');
  new CertManager(cluster.controllers, 'CertManager');
  // the resource metrics API the CPU HorizontalAutoscalers in apps read
  new MetricsServer(cluster.controllers, 'MetricsServer');

  // ---- infrastructure/configs: the secret store and the fleet model
  const esc = new PulumiEscSecretStore(cluster.configs, 'Esc', {
    organization: 'lambda-gitops',
    project: 'ai-platform',
    environment: 'production',
  });
  const fleet = new ClusterModel(cluster.configs, 'Fleet', { name: 'lambda-prod' });
  fleet.addNodePool('a10', { instanceType: 'gpu_1x_a10', nodes: 4 });
  // Two nodes: the embeddings replicas sit behind a PDB, and with a single shared node a drain
  // would evict one replica whose replacement has nowhere to go, then wait forever (drain-safe).
  fleet.addNodePool('a10-shared', {
    instanceType: 'gpu_1x_a10', nodes: 2, timeSlicingReplicas: 4, labels: timeSlicing.nodeLabels('a10-shared-4'),
  });
  fleet.addNodePool('cpu', { instanceType: 'cpu_4x_general', nodes: 3 });
  // The nodes' local NVMe through Rancher local-path-provisioner (in infra-controllers). On
  // on-demand Lambda instances the local NVMe is the root filesystem. Claims without a class get it.
  const localPath = new LocalPathProvisioner(cluster.controllers, 'LocalPath', { clusterModel: fleet, nodePath: '/opt/local-path-provisioner' });
  const localNvme = fleet.addStorageClass('local-nvme', { provisioner: localPath.provisionerName, default: true });
  // alerts and dashboards use the monitoring CRDs, which infra-controllers installs
  new GpuPlatformAlerts(cluster.configs, 'Alerts', { prometheus: monitoring.prometheus, namespace: monitoring.namespace });
  const a10 = LAMBDA_INSTANCE_TYPES.gpu_1x_a10;
  new GpuPlatformDashboards(cluster.configs, 'Dashboards', {
    namespace: monitoring.namespace, label: monitoring.dashboardLabel, gpuHourlyPriceUsd: a10.price.hourlyUsd / a10.gpus,
  });

  // the public Gateway and its certificate issuer (ACME HTTP-01 through the Gateway's HTTP listener)
  const letsEncrypt = new AcmeClusterIssuer(cluster.configs, 'LetsEncrypt', { email: ACME_CONTACT_EMAIL });
  const publicGateway = new IngressGateway(cluster.configs, 'PublicGateway', {
    controller: gatewayController, hostname: PLATFORM_HOSTNAME, issuer: letsEncrypt,
  });

  const internet = NetworkPeer.internet();

  // ---- inference: vLLM on whole A10s, embeddings on shared A10 slots
  const inference = new Tenant(app, 'inference', {
    team: 'ml-serving',
    // GPU quota derived from the workloads: vLLM 1 x 3 (a StatefulSet replaces pods in place, no
    // surge) + embeddings 1 x (2 + 1 surge); storage: 3 vLLM model-cache claims of 60Gi
    quota: { requestsCpu: '40', requestsMemory: '160Gi', limitsCpu: '48', limitsMemory: '160Gi', requestsStorage: '200Gi' },
  });
  const hf = new EscExternalSecret(inference, 'HuggingFace', { store: esc, name: 'huggingface', data: { HF_TOKEN: 'huggingface.readToken' } });
  const llm = new GpuInferenceService(inference, 'Llm', {
    name: 'llama-3-1-8b',
    server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', servedModelName: 'llama-3.1-8b', maxModelLen: 16384, gpuMemoryUtilization: 0.92 }),
    gpus: 1,
    gpuProduct: 'NVIDIA-A10',
    resources: { cpu: { request: '6' }, memory: { request: '32Gi' } },
    shmSize: '4Gi',
    // Weights on the node's NVMe, kept across restarts and rollouts (no download from the Hub, no
    // surge GPU: the StatefulSet replaces each replica in place). A replica stays on its node; a
    // drained node's replica waits for it (one per node, the drain finishes; see docs/capacity.md).
    modelCache: ModelCache.nodeLocal({ storageClass: localNvme, size: '60Gi' }),
    priorityClassName: PriorityClassNames.SERVING_CRITICAL,
    secretEnv: [hf.envVar('HF_TOKEN')],
  });
  new KedaScaledObject(inference, 'LlmScaling', {
    target: llm, prometheus: monitoring.prometheus, minReplicas: 2, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength({ threshold: 5 })],
  });
  const embeddings = new GpuInferenceService(inference, 'Embeddings', {
    name: 'bge-embeddings',
    server: ModelServer.textEmbeddings({ model: 'BAAI/bge-base-en-v1.5' }),
    gpus: 1,
    gpuProduct: 'NVIDIA-A10-SHARED',
    replicas: 2,
    resources: { cpu: { request: '2' }, memory: { request: '8Gi' } },
    shmSize: '1Gi',
    modelCache: ModelCache.ephemeral({ sizeLimit: '10Gi' }),
    priorityClassName: PriorityClassNames.SERVING,
    secretEnv: [hf.envVar('HF_TOKEN')],
  });
  allowEgress(llm, internet, [NetworkPort.tcp(443)]);
  allowEgress(embeddings, internet, [NetworkPort.tcp(443)]);
  scrapeMetrics(llm, { prometheus: monitoring.prometheus, port: 'http' });
  scrapeMetrics(embeddings, { prometheus: monitoring.prometheus });

  // ---- retrieval: Qdrant
  const retrieval = new Tenant(app, 'retrieval', {
    team: 'ml-platform',
    quota: { requestsCpu: '4', requestsMemory: '16Gi', requestsStorage: '100Gi' },
  });
  const qdrantKey = new EscExternalSecret(retrieval, 'QdrantKey', { store: esc, name: 'qdrant', data: { apiKey: 'qdrant.apiKey' } });
  const qdrant = new QdrantVectorDatabase(retrieval, 'Qdrant', {
    name: 'qdrant',
    storageSize: '50Gi',
    apiKey: { secretName: qdrantKey.secretName, key: 'apiKey' },
    priorityClassName: PriorityClassNames.SERVING,
  });
  scrapeMetrics(qdrant, { prometheus: monitoring.prometheus, port: 'http' });
  exemptFromPolicy(qdrant.controller, 'served-replicas',
    'single-node Qdrant: a second replica needs Qdrant distributed mode (sharding and replication config), planned separately; the PVC keeps data across restarts');

  // ---- mcp: two streamable-HTTP MCP servers
  const mcp = new Tenant(app, 'mcp', {
    team: 'agents',
    quota: { requestsCpu: '4', requestsMemory: '8Gi' },
  });
  const docsQdrantKey = new EscExternalSecret(mcp, 'DocsSearchKeys', { store: esc, name: 'docs-search', data: { QDRANT_API_KEY: 'qdrant.apiKey' } });
  const docsSearch = new McpServer(mcp, 'DocsSearch', {
    name: 'docs-search',
    image: 'ghcr.io/lambda-gitops/mcp-docs-search:1.4.0',
    // URLs from the target constructs' Services, never typed: the port is the one they serve
    env: { QDRANT_URL: qdrant.restUrl, EMBEDDINGS_URL: embeddings.endpoint },
    secretEnv: docsQdrantKey.envVars(),
    priorityClassName: PriorityClassNames.SERVING,
  });
  const githubToken = new EscExternalSecret(mcp, 'GithubToken', { store: esc, name: 'github-mcp', data: { GITHUB_PERSONAL_ACCESS_TOKEN: 'github.mcpToken' } });
  const githubMcp = new McpServer(mcp, 'Github', {
    name: 'github-mcp',
    // `http` (streamable HTTP, MCP mounted at /, token per request in the Authorization header)
    // first appears in v0.31.0 (cmd/github-mcp-server/main.go, pkg/http/handler.go at the tag)
    image: 'ghcr.io/github/github-mcp-server:v0.31.0',
    args: ['http', '--port', '8000'],
    path: '/',
    secretEnv: githubToken.envVars(),
    priorityClassName: PriorityClassNames.SERVING,
  });
  allowTraffic(docsSearch, qdrant);
  allowTraffic(docsSearch, embeddings);
  allowEgress(githubMcp, internet, [NetworkPort.tcp(443)]);
  new HorizontalAutoscaler(mcp, 'DocsSearchScaling', { target: docsSearch, minReplicas: 2, maxReplicas: 4, cpuUtilization: 70 });

  // ---- gateway: Portkey, the single entry point
  const gatewayTenant = new Tenant(app, 'gateway', {
    team: 'ml-platform',
    // CPU limits: 4 gateway pods at maximum scale + 1 rolling-update surge pod (rollout-fits)
    quota: { requestsCpu: '4', requestsMemory: '4Gi', limitsCpu: '5', limitsMemory: '5Gi' },
  });
  const providerKeys = new EscExternalSecret(gatewayTenant, 'ProviderKeys', {
    store: esc, name: 'portkey-providers', data: { OPENAI_API_KEY: 'providers.openai.apiKey' },
  });
  const gateway = new PortkeyGateway(gatewayTenant, 'Portkey', {
    name: 'portkey-gateway',
    secretEnv: providerKeys.envVars(),
    priorityClassName: PriorityClassNames.SERVING_CRITICAL,
  });
  // the HTTPRoute on the public Gateway and the rule admitting Traefik's pods, from one call
  exposeHttp(gateway, { gateway: publicGateway });
  allowTraffic(gateway, llm);
  allowTraffic(gateway, embeddings);
  allowTraffic(gateway, docsSearch);
  allowTraffic(gateway, githubMcp);
  allowEgress(gateway, internet, [NetworkPort.tcp(443)]);
  new HorizontalAutoscaler(gatewayTenant, 'PortkeyScaling', { target: gateway, minReplicas: 2, maxReplicas: 4, cpuUtilization: 70 });

  // ---- training: the nightly fine-tune, preemptible
  const training = new Tenant(app, 'training', {
    team: 'ml-research',
    quota: { requestsCpu: '16', requestsMemory: '96Gi', requestsStorage: '300Gi' },
  });
  const trainingHf = new EscExternalSecret(training, 'HuggingFace', { store: esc, name: 'huggingface', data: { HF_TOKEN: 'huggingface.readToken' } });
  const fineTune = new GpuTrainingJob(training, 'NightlyFineTune', {
    name: 'nightly-lora-finetune',
    image: 'ghcr.io/lambda-gitops/lora-trainer:2.3.1',
    args: ['--base-model', 'meta-llama/Llama-3.1-8B-Instruct', '--dataset', '/checkpoints/datasets/support-tickets', '--output', '/checkpoints/runs'],
    gpus: 1,
    gpuProduct: 'NVIDIA-A10',
    resources: { cpu: { request: '8' }, memory: { request: '64Gi' } },
    shmSize: '8Gi',
    checkpoint: { size: '200Gi' },
    activeDeadlineSeconds: 6 * 3600,
    schedule: { cron: '0 2 * * *', timeZone: 'Etc/UTC' },
    priorityClassName: PriorityClassNames.TRAINING_PREEMPTIBLE,
    secretEnv: [trainingHf.envVar('HF_TOKEN')],
  });
  allowEgress(fineTune, internet, [NetworkPort.tcp(443)]);
}

/** Renders the default platform into `outdir` (atomically, after validation); resolves to the exit code. */
export function synthDefaultPlatform(outdir = 'dist'): Promise<number> {
  return synthApp(buildDefaultPlatform, { outdir });
}

if (isEntryPoint(import.meta.url)) {
  synthDefaultPlatform().then((code) => {
    process.exitCode = code;
  }, (error: Error) => {
    process.stderr.write(`${process.argv.includes('--debug') ? error.stack ?? error.message : error.message}\n`);
    process.exitCode = 2;
  });
}
