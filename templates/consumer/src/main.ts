import { App } from 'cdk8s';
import {
  FluxCluster, PlatformOperators, MonitoringStack, PulumiEscSecretStore, EscExternalSecret, ClusterModel, Tenant,
  GpuInferenceService, ModelServer, ModelCache, KedaScaledObject, KedaTrigger, PortkeyGateway,
  GatewayApiCrds, GatewayController, CertManager, AcmeClusterIssuer, IngressGateway, exposeHttp,
  NetworkPeer, NetworkPort, allowTraffic, allowEgress, scrapeMetrics,
} from 'lambda-gitops';

/** The platform: `npm run synth` renders it into dist/ (validated, atomically). */
export function buildApp(app: App): void {
  const cluster = new FluxCluster(app, 'Prod', { clusterName: 'prod', repositoryUrl: 'https://github.com/acme/platform.git' });
  const monitoring = new MonitoringStack(cluster.controllers, 'Monitoring');   // Prometheus Operator + CRDs, Grafana
  new PlatformOperators(cluster.controllers, 'Operators', { monitoring });
  new GatewayApiCrds(cluster.controllers, 'GatewayApi');                          // Gateway API CRDs (standard channel)
  const traefik = new GatewayController(cluster.controllers, 'Traefik');          // the Gateway API controller
  new CertManager(cluster.controllers, 'CertManager');                            // certificates for the Gateway
  const letsEncrypt = new AcmeClusterIssuer(cluster.configs, 'LetsEncrypt', { email: 'platform@acme.example' });
  const publicGateway = new IngressGateway(cluster.configs, 'Public', { controller: traefik, hostname: 'ai.acme.example', issuer: letsEncrypt });
  const esc = new PulumiEscSecretStore(cluster.configs, 'Esc', { organization: 'acme', project: 'ai', environment: 'prod' });
  const fleet = new ClusterModel(cluster.configs, 'Fleet', { name: 'prod' });
  fleet.addNodePool('a10', { instanceType: 'gpu_1x_a10', nodes: 4 });          // tainted nvidia.com/gpu; 3 + 1 rolling-update surge
  fleet.addNodePool('cpu', { instanceType: 'cpu_4x_general', nodes: 2 });      // for the gateway

  // GPU quota left out: derived from maximum scale + rolling-update surge (4 here)
  const ml = new Tenant(app, 'inference', { team: 'ml', quota: { requestsCpu: '32', requestsMemory: '160Gi' } });
  const hf = new EscExternalSecret(ml, 'Hf', { store: esc, name: 'huggingface', data: { HF_TOKEN: 'huggingface.token' } });
  const llm = new GpuInferenceService(ml, 'Llm', {
    name: 'llama',
    server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }),
    gpuProduct: 'NVIDIA-A10',
    modelCache: ModelCache.ephemeral({ sizeLimit: '60Gi' }),
    secretEnv: [hf.envVar('HF_TOKEN')],
  });
  scrapeMetrics(llm, { prometheus: monitoring.prometheus, port: 'http' });    // PodMonitor + network rule
  // the trigger's Prometheus comes from MonitoringStack (a construct reference, never a typed URL)
  new KedaScaledObject(ml, 'LlmScaling', {
    target: llm, prometheus: monitoring.prometheus, minReplicas: 2, maxReplicas: 3, triggers: [KedaTrigger.vllmQueueLength()],
  });

  const gw = new Tenant(app, 'gateway', { team: 'platform', quota: { requestsCpu: '4', requestsMemory: '4Gi', limitsCpu: '5', limitsMemory: '5Gi' } });
  const portkey = new PortkeyGateway(gw, 'Portkey', { name: 'portkey-gateway' });
  exposeHttp(portkey, { gateway: publicGateway });                             // HTTPRoute + the rule admitting Traefik
  allowTraffic(portkey, llm);
  allowEgress(llm, NetworkPeer.internet(), [NetworkPort.tcp(443)]);
}
