import { dump } from 'js-yaml';
import { diffTrees, TreeLoadError, parseManifestFiles, Risk } from '../../src/diff/index.js';
import { deployment, treeOf } from './fixtures.js';

const codes = (risks: readonly Risk[]) => risks.map((r) => `${r.level}:${r.code}:${r.resource.kind}/${r.resource.name}`);

describe('diffTrees: identity', () => {
  test('an object moved to another file is no change', () => {
    const d = deployment('api', 'apps');
    const base = parseManifestFiles([{ path: 'apps/deployment-api.yaml', text: dump(d, { noRefs: true }) }]);
    const head = parseManifestFiles([{ path: 'moved/all.yaml', text: `---\n${dump(d, { noRefs: true })}` }]);
    expect(diffTrees(base, head)).toEqual({ summary: { added: 0, removed: 0, changed: 0 }, risks: [], changes: [] });
  });

  test('an apiVersion change is a field change of the same object, not remove + add', () => {
    const hpa = (apiVersion: string) => ({ apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: 'apps' }, spec: { minReplicas: 2 } });
    const report = diffTrees(treeOf(hpa('autoscaling/v2')), treeOf(hpa('autoscaling/v2beta2')));
    expect(report.summary).toEqual({ added: 0, removed: 0, changed: 1 });
    expect(report.changes[0].fields).toEqual([{ path: 'apiVersion', before: 'autoscaling/v2', after: 'autoscaling/v2beta2' }]);
  });

  test('a stray metadata.namespace on a cluster-scoped object does not change its identity', () => {
    const ns = (extra: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml', ...extra } });
    const report = diffTrees(treeOf(ns({ namespace: 'ml' })), treeOf(ns({})));
    expect(report.summary).toEqual({ added: 0, removed: 0, changed: 1 });
    expect(report.changes[0]).toMatchObject({ resource: { kind: 'Namespace', namespace: '', name: 'ml' }, fields: [{ path: 'metadata.namespace', before: 'ml', after: null }] });
  });

  test('the same name in another namespace or group is another object', () => {
    const report = diffTrees(treeOf(deployment('api', 'a')), treeOf(deployment('api', 'b')));
    expect(report.summary).toEqual({ added: 1, removed: 1, changed: 0 });
    expect(report.changes.map((c) => `${c.action} ${c.resource.namespace}`)).toEqual(['removed a', 'added b']);
  });

  test('JSON shape: summary, risks with level/code/message/resource, changes with action/resource/fields', () => {
    const report = diffTrees(treeOf(deployment('api', 'apps', { replicas: 3 })), treeOf(deployment('api', 'apps', { replicas: 2 })));
    expect(report).toEqual({
      summary: { added: 0, removed: 0, changed: 1 },
      risks: [{ level: 'medium', code: 'replicas-decrease', message: 'Deployment apps/api: spec.replicas goes down 3→2', resource: { group: 'apps', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'api', file: 'apps/deployment-api.yaml' } }],
      changes: [{ action: 'changed', resource: { group: 'apps', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'api', file: 'apps/deployment-api.yaml' }, fields: [{ path: 'spec.replicas', before: 3, after: 2 }] }],
    });
  });
});

describe('loading', () => {
  test('an object defined twice names both files', () => {
    const text = dump(deployment('api', 'apps'), { noRefs: true });
    expect(() => parseManifestFiles([{ path: 'a.yaml', text }, { path: 'b.yaml', text }])).toThrow(new TreeLoadError("b.yaml:1: Deployment 'api' in namespace 'apps' is also defined in a.yaml"));
  });

  test('bad documents are named by file, line and field; kustomization and empty files are skipped', () => {
    expect(() => parseManifestFiles([{ path: 'x.yaml', text: 'apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: b}\n' }]))
      .toThrow('x.yaml:5: not a Kubernetes object: apiVersion missing or not a string');
    expect(() => parseManifestFiles([{ path: 'x.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' }])).toThrow('x.yaml:1: ConfigMap has no metadata.name');
    expect(() => parseManifestFiles([{ path: 'x.yaml', text: 'a: [' }])).toThrow(/^x.yaml:\d+: malformed YAML/);
    expect(parseManifestFiles([{ path: 'empty.yaml', text: '' }]).size).toBe(0);
    const tree = parseManifestFiles([{ path: 'kustomization.yaml', text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n' }]);
    expect(tree.size).toBe(0);
  });
});

describe('risks', () => {
  test('immutable fields: Deployment selector, StatefulSet serviceName and volumeClaimTemplates, Job template, Service clusterIP', () => {
    const sts = (serviceName: string, storage: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'data' }, spec: { serviceName, replicas: 1, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage } } } }] } });
    const job = (image: string) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'train', namespace: 'ml' }, spec: { template: { spec: { containers: [{ name: 'c', image }] } } } });
    const svc = (clusterIP: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'apps' }, spec: { clusterIP } });
    const report = diffTrees(
      treeOf(deployment('api', 'apps', { selector: { app: 'a' } }), sts('db', '1Gi'), job('t:1'), svc('10.0.0.1')),
      treeOf(deployment('api', 'apps', { selector: { app: 'b' } }), sts('db-headless', '2Gi'), job('t:2'), svc('10.0.0.2')),
    );
    const immutable = report.risks.filter((r) => r.code === 'immutable-field').map((r) => r.message);
    expect(immutable).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Deployment apps\/api: spec.selector is immutable/),
      expect.stringMatching(/^StatefulSet data\/db: spec.volumeClaimTemplates is immutable/),
      expect.stringMatching(/^StatefulSet data\/db: spec.serviceName is immutable/),
      expect.stringMatching(/^Job ml\/train: spec.template is immutable/),
      expect.stringMatching(/^Service apps\/api: spec.clusterIP is immutable/),
    ]));
    expect(immutable).toHaveLength(5);
    expect(report.risks.every((r) => r.code !== 'immutable-field' || r.level === 'high')).toBe(true);
  });

  test('pruned objects: namespaces, CRDs and PVCs are listed first and high; NetworkPolicy and PDB removal have their own codes', () => {
    const obj = (apiVersion: string, kind: string, name: string, namespace?: string) => ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    const base = treeOf(
      obj('v1', 'ConfigMap', 'cfg', 'apps'), obj('v1', 'PersistentVolumeClaim', 'data', 'apps'), obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'x.example.com'),
      obj('v1', 'Namespace', 'old'), obj('networking.k8s.io/v1', 'NetworkPolicy', 'deny', 'apps'), obj('policy/v1', 'PodDisruptionBudget', 'api', 'apps'),
    );
    expect(codes(diffTrees(base, treeOf()).risks)).toEqual([
      'high:prune:Namespace/old', 'high:prune:CustomResourceDefinition/x.example.com', 'high:prune:PersistentVolumeClaim/data',
      'high:networkpolicy-removed:NetworkPolicy/deny', 'medium:prune:ConfigMap/cfg', 'medium:pdb-removed:PodDisruptionBudget/api',
    ]);
  });

  test('a removed object names the Flux Kustomization that prunes it; with prune: false it is only orphaned', () => {
    const ks = (name: string, path: string, prune: boolean) => ({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: 'flux-system' }, spec: { path, prune, interval: '10m' } });
    const cm = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
    const file = (path: string, m: object) => ({ path, text: dump(m, { noRefs: true }) });
    const flux = [file('clusters/prod/kustomization-apps.yaml', ks('apps', './dist/apps', true)), file('clusters/prod/kustomization-legacy.yaml', ks('legacy', './dist/legacy', false))];
    const base = parseManifestFiles([...flux, file('apps/ml/configmap-a.yaml', cm('a', 'ml')), file('legacy/configmap-b.yaml', cm('b', 'old'))]);
    const report = diffTrees(base, parseManifestFiles(flux));
    expect(report.risks.map((r) => `${r.level} ${r.code} ${r.message}`)).toEqual([
      'medium prune ConfigMap ml/a: Flux will delete this object (prune) (Kustomization flux-system/apps, prune: true)',
      'low orphan ConfigMap old/b: removed from the tree, but Kustomization flux-system/legacy has prune: false: the object stays in the cluster until deleted by hand',
    ]);
  });

  test('replicas and HPA minReplicas going down; to zero or by half is high', () => {
    const hpa = (minReplicas: number) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: 'apps' }, spec: { minReplicas } });
    expect(codes(diffTrees(treeOf(deployment('a', 'x', { replicas: 3 }), hpa(4)), treeOf(deployment('a', 'x', { replicas: 0 }), hpa(3))).risks))
      .toEqual(['high:replicas-decrease:Deployment/a', 'medium:replicas-decrease:HorizontalPodAutoscaler/api']);
    expect(diffTrees(treeOf(deployment('a', 'x', { replicas: 2 })), treeOf(deployment('a', 'x', { replicas: 3 }))).risks).toEqual([]);
  });

  test('GPU and memory request changes, counted per pod and in total', () => {
    const report = diffTrees(treeOf(deployment('llm', 'ml', { gpus: 1, replicas: 2 })), treeOf(deployment('llm', 'ml', { gpus: 2, replicas: 2, memory: '2Gi' })));
    expect(report.risks.map((r) => r.message)).toEqual([
      'Deployment ml/llm: nvidia.com/gpu per pod 1→2, total 2→4 (+2)',
      'Deployment ml/llm: memory request per pod 1Gi→2Gi',
    ]);
    const added = diffTrees(treeOf(), treeOf(deployment('llm', 'ml', { gpus: 4, replicas: 1 })));
    expect(added.risks.map((r) => r.message)).toEqual(['Deployment ml/llm: nvidia.com/gpu per pod 0→4, total 0→4 (+4)']);
  });

  test('a HelmRelease chart major version bump is a medium risk; a minor one is not', () => {
    const hr = (version: string) => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'eso', namespace: 'external-secrets' }, spec: { chart: { spec: { chart: 'external-secrets', version } } } });
    expect(codes(diffTrees(treeOf(hr('0.20.4')), treeOf(hr('2.9.0'))).risks)).toEqual(['medium:chart-major-bump:HelmRelease/eso']);
    expect(diffTrees(treeOf(hr('2.8.0')), treeOf(hr('2.9.0'))).risks).toEqual([]);
  });

  test('image changes: tag to tag, tag to digest, floating tags are medium', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    const report = diffTrees(
      treeOf(deployment('a', 'x', { image: 'ghcr.io/acme/a:1.4.2' }), deployment('b', 'x', { image: 'ghcr.io/acme/b:1.0' }), deployment('c', 'x', { image: 'reg:5000/c:1' })),
      treeOf(deployment('a', 'x', { image: 'ghcr.io/acme/a:1.5.0' }), deployment('b', 'x', { image: `ghcr.io/acme/b@${digest}` }), deployment('c', 'x', { image: 'reg:5000/c:latest' })),
    );
    expect(report.risks.map((r) => `${r.level} ${r.message}`)).toEqual([
      'medium Deployment x/c: container main image reg:5000/c 1→latest (tag to tag, floating tag)',
      'low Deployment x/a: container main image ghcr.io/acme/a 1.4.2→1.5.0 (tag to tag)',
      `low Deployment x/b: container main image ghcr.io/acme/b 1.0→@${digest} (tag to digest)`,
    ]);
  });

  test('privilege widening: privileged, escalation, root, capabilities, host namespaces, wildcard RBAC', () => {
    const widened = deployment('a', 'x');
    const pod = (widened.spec as any).template.spec;
    pod.hostNetwork = true;
    pod.containers[0].securityContext = { privileged: true, capabilities: { add: ['NET_ADMIN'] } };
    const role = (verbs: string[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs }] });
    const report = diffTrees(treeOf(deployment('a', 'x'), role(['get'])), treeOf(widened, role(['*'])));
    expect(report.risks.filter((r) => r.code === 'privilege-widening').map((r) => r.message).sort()).toEqual([
      'ClusterRole r: grants a wildcard (*) rule',
      'Deployment x/a: container main adds capabilities NET_ADMIN',
      'Deployment x/a: container main allows privilege escalation',
      'Deployment x/a: container main becomes privileged',
      'Deployment x/a: container main may run as root (runAsNonRoot no longer true)',
      'Deployment x/a: hostNetwork enabled',
    ]);
  });
});
