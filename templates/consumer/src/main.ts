import { App } from 'cdk8s';
import {
  FluxCluster, PlatformOperators, PulumiEscSecretStore, EscExternalSecret, ClusterModel, Tenant,
  GpuInferenceService, ModelServer, ModelCache, KedaScaledObject, KedaTrigger, PortkeyGateway,
  NetworkPeer, NetworkPort, allowIngress, allowTraffic, allowEgress,
} from 'lambda-gitops';

/** The platform: `npm run synth` renders it into dist/ (validated, atomically). */
export function buildApp(app: App): void {
  const cluster = new FluxCluster(app, 'Prod', { clusterName: 'prod', repositoryUrl: 'https://github.com/acme/platform.git' });
  new PlatformOperators(cluster.controllers, 'Operators');
  const esc = new PulumiEscSecretStore(cluster.configs, 'Esc', { organization: 'acme', project: 'ai', environment: 'prod' });
  const fleet = new ClusterModel(cluster.configs, 'Fleet', { name: 'prod' });
  fleet.addNodePool('a10', { instanceType: 'gpu_1x_a10', nodes: 3 });          // tainted nvidia.com/gpu
  fleet.addNodePool('cpu', { instanceType: 'cpu_4x_general', nodes: 2 });      // for the gateway

  const ml = new Tenant(app, 'inference', { team: 'ml', quota: { requestsCpu: '24', requestsMemory: '96Gi', gpus: 3 } });
  const hf = new EscExternalSecret(ml, 'Hf', { store: esc, name: 'huggingface', data: { HF_TOKEN: 'huggingface.token' } });
  const llm = new GpuInferenceService(ml, 'Llm', {
    name: 'llama',
    server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }),
    gpuProduct: 'NVIDIA-A10',
    modelCache: ModelCache.ephemeral({ sizeLimit: '60Gi' }),
    secretEnv: [hf.envVar('HF_TOKEN')],
  });
  new KedaScaledObject(ml, 'LlmScaling', { target: llm, minReplicas: 2, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength()] });

  const gw = new Tenant(app, 'gateway', { team: 'platform', quota: { requestsCpu: '4', requestsMemory: '4Gi' } });
  const portkey = new PortkeyGateway(gw, 'Portkey', { name: 'portkey-gateway' });
  allowIngress(portkey, NetworkPeer.namespace('ingress-nginx'));
  allowTraffic(portkey, llm);
  allowEgress(llm, NetworkPeer.internet(), [NetworkPort.tcp(443)]);
}
