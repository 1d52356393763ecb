import { App } from 'cdk8s';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import jsYaml from 'js-yaml';
import { buildDefaultPlatform } from '../../src/main.js';
import { renderApp } from '../../src/render/render-app.js';
import { KubeManifest, findNulls, synthesizeObjects } from '../../src/render/synthesize.js';
import { validateManifest } from '../../src/schema/index.js';

const repoRoot = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

function platformObjects() {
  const app = new App();
  buildDefaultPlatform(app);
  return synthesizeObjects(app);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const objects = platformObjects();
const manifests = objects.map((o) => o.manifest);
const podSpecs = manifests.flatMap((m: any) => {
  if (m.kind === 'CronJob') return [{ m, spec: m.spec.jobTemplate.spec.template.spec }];
  if (m.spec?.template?.spec?.containers) return [{ m, spec: m.spec.template.spec }];
  return [];
});

test('every rendered object validates strictly against the Kubernetes 1.28 or its CRD schema', () => {
  const problems = manifests.flatMap((m) => validateManifest(m).map((i) => `${m.kind}/${m.metadata.name} ${i.path}: ${i.message}`));
  expect(problems).toEqual([]);
  const kinds = new Set(manifests.map((m) => `${m.apiVersion} ${m.kind}`));
  for (const crd of ['kustomize.toolkit.fluxcd.io/v1 Kustomization', 'source.toolkit.fluxcd.io/v1 GitRepository', 'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'external-secrets.io/v1 ClusterSecretStore', 'external-secrets.io/v1 ExternalSecret', 'keda.sh/v1alpha1 ScaledObject']) {
    expect(kinds).toContain(crd);
  }
});

test('no rendered value is null and GPU containers request whole GPUs equal to their limits as integer strings', () => {
  expect(manifests.flatMap((m) => findNulls(m))).toEqual([]);
  const gpuContainers = podSpecs.flatMap(({ m, spec }) => spec.containers.filter((c: any) => c.resources?.limits?.['nvidia.com/gpu'] !== undefined).map((c: any) => ({ m, c, spec })));
  expect(gpuContainers.map(({ m }) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
    'inference/bge-embeddings', 'inference/llama-3-1-8b', 'training/nightly-lora-finetune',
  ]);
  for (const { c, spec } of gpuContainers) {
    expect(c.resources.requests['nvidia.com/gpu']).toBe(c.resources.limits['nvidia.com/gpu']);
    expect(c.resources.limits['nvidia.com/gpu']).toMatch(/^[1-8]$/);
    expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.nodeSelector['nvidia.com/gpu.product']).toMatch(/^NVIDIA-A10/);
    expect(spec.volumes.find((v: any) => v.name === 'dshm')?.emptyDir).toMatchObject({ medium: 'Memory' });
  }
});

test('every namespaced object carries its namespace and every name is human, never a construct hash', () => {
  const clusterScoped = new Set(['Namespace', 'PriorityClass', 'ClusterSecretStore', 'StorageClass', 'CustomResourceDefinition', 'ClusterIssuer']);
  for (const m of manifests) {
    if (!clusterScoped.has(m.kind)) expect(`${m.kind}/${m.metadata.name}: ${m.metadata.namespace}`).not.toMatch(/: undefined$/);
    expect(m.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$|[0-9a-f]{8}$/);
  }
  for (const { m, spec } of podSpecs) {
    void spec;
    const selector = m.kind === 'CronJob' ? undefined : m.spec.selector?.matchLabels;
    if (selector) expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
  }
});

test('no Secret object is ever rendered; secrets come from ESC through ExternalSecrets', () => {
  expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  for (const { spec } of podSpecs) {
    for (const c of spec.containers) {
      for (const e of c.env ?? []) {
        if (/TOKEN|KEY|SECRET|PASSWORD/.test(e.name)) expect(e.valueFrom?.secretKeyRef).toBeDefined();
      }
    }
  }
});

test('every workload with more than one replica has a PodDisruptionBudget that allows an eviction', () => {
  const scaled = new Map<string, number>();
  for (const m of manifests as any[]) {
    if (m.kind === 'HorizontalPodAutoscaler') scaled.set(`${m.metadata.namespace}/${m.spec.scaleTargetRef.name}`, m.spec.maxReplicas);
    if (m.kind === 'ScaledObject') scaled.set(`${m.metadata.namespace}/${m.spec.scaleTargetRef.name}`, m.spec.maxReplicaCount);
  }
  for (const m of manifests as any[]) {
    if (m.kind !== 'Deployment' && m.kind !== 'StatefulSet') continue;
    const key = `${m.metadata.namespace}/${m.metadata.name}`;
    if (scaled.has(key)) expect(m.spec.replicas).toBeUndefined();
    const max = scaled.get(key) ?? m.spec.replicas;
    const pdb = manifests.find((p: any) => p.kind === 'PodDisruptionBudget' && p.metadata.namespace === m.metadata.namespace && p.metadata.name === m.metadata.name) as any;
    if (max > 1) {
      expect(pdb).toBeDefined();
      expect(pdb.spec.selector.matchLabels).toEqual(m.spec.selector.matchLabels);
      expect(pdb.spec.maxUnavailable ?? 0).toBeGreaterThanOrEqual(1);
    }
  }
});

test('the committed dist/ is exactly what a fresh render produces', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'platform-')), 'dist');
  const app = new App();
  buildDefaultPlatform(app);
  await renderApp(app, { outdir: out, mirrorTo: out });
  const fresh = walk(out).map((f) => relative(out, f)).sort();
  const committed = walk(join(repoRoot, 'dist')).map((f) => relative(join(repoRoot, 'dist'), f)).sort();
  expect(committed).toEqual(fresh);
  for (const file of fresh) expect(readFileSync(join(repoRoot, 'dist', file), 'utf8')).toBe(readFileSync(join(out, file), 'utf8'));
});

test('kubectl kustomize builds every directory a Flux Kustomization points at', () => {
  const kustomizations = walk(join(repoRoot, 'dist')).filter((f) => !f.endsWith('/kustomization.yaml'))
    .map((f) => jsYaml.load(readFileSync(f, 'utf8')) as KubeManifest)
    .filter((m) => m.kind === 'Kustomization' && m.apiVersion.startsWith('kustomize.toolkit.fluxcd.io'));
  expect(kustomizations.map((k) => k.metadata.name).sort()).toEqual(['apps', 'flux-system', 'infra-configs', 'infra-controllers']);
  for (const k of kustomizations) {
    const dir = join(repoRoot, (k as any).spec.path);
    let output: string;
    try {
      output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      throw new Error(`kubectl kustomize ${dir} failed (Kustomization ${k.metadata.name}): ${(error as any).stderr ?? error}`);
    }
    const built = jsYaml.loadAll(output) as KubeManifest[];
    const files = walk(dir).filter((f) => !f.endsWith('/kustomization.yaml'));
    expect(built.length).toBe(files.length);
  }
});

test('the nightly fine-tune may reach model hubs over HTTPS and nothing else (default deny stays in force)', () => {
  const egress = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'training' && m.metadata.name === 'nightly-lora-finetune-egress') as any;
  expect(egress).toBeDefined();
  const job = manifests.find((m) => m.kind === 'CronJob') as any;
  const podLabels = job.spec.jobTemplate.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(egress.spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
  expect(egress.spec.policyTypes).toEqual(['Egress']);
  expect(egress.spec.egress.flatMap((r: any) => r.ports)).toEqual([{ protocol: 'TCP', port: 443 }]);
});

test('the gateway is published through the Gateway API: an HTTPRoute to its Service port on the TLS listener, admitted from Traefik\'s pods only (no ingress-nginx)', () => {
  const find = (kind: string, namespace: string | undefined, name: string) => manifests.find((m: any) => m.kind === kind && m.metadata.namespace === namespace && m.metadata.name === name) as any;
  const route = find('HTTPRoute', 'gateway', 'portkey-gateway');
  expect(route).toBeDefined();
  expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform', namespace: 'traefik', sectionName: 'https' }]);
  const service = find('Service', 'gateway', 'portkey-gateway');
  const backend = route.spec.rules[0].backendRefs[0];
  expect(service.spec.ports.map((p: any) => p.port)).toContain(backend.port);
  const gateway = find('Gateway', 'traefik', 'platform');
  const https = gateway.spec.listeners.find((l: any) => l.name === 'https');
  expect(https.tls.certificateRefs[0].name).toBe('platform-tls');
  expect(gateway.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
  expect(https.allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual(['gateway']);
  expect(find('ClusterIssuer', undefined, 'letsencrypt').spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0]).toMatchObject({ name: 'platform', namespace: 'traefik', sectionName: 'http' });
  const policy = find('NetworkPolicy', 'gateway', 'portkey-gateway-ingress');
  expect(policy.spec.ingress).toHaveLength(1);
  expect(policy.spec.ingress[0].from).toEqual([{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': 'traefik-traefik' } },
  }]);
  expect(JSON.stringify(manifests)).not.toContain('ingress-nginx');
  // the controller and the CRDs are in infrastructure/controllers, before the Gateway and the routes
  const releases = manifests.filter((m: any) => m.kind === 'HelmRelease').map((m: any) => `${m.spec.chart.spec.chart}@${m.spec.chart.spec.version}`);
  expect(releases).toEqual(expect.arrayContaining(['traefik@41.3.0', 'cert-manager@v1.21.1']));
  const dirOf = (kind: string, name: string) => objects.find((o) => o.manifest.kind === kind && o.manifest.metadata.name === name)?.directory;
  expect(dirOf('CustomResourceDefinition', 'httproutes.gateway.networking.k8s.io')).toBe('infrastructure/controllers');
  expect(dirOf('Gateway', 'platform')).toBe('infrastructure/configs');
  expect(dirOf('HTTPRoute', 'portkey-gateway')).toBe('apps/gateway');
});
