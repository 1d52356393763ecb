import { describe, expect, test } from '@jest/globals';
import { followKustomizations, kustomizeFindingsOf, patchProblem } from '../../src/policy/kustomize-build.js';
import { manifestsFromText } from '../../src/policy/loader.js';
import { runCheck } from '../../src/policy/engine.js';

const deployment = (name: string, namespace?: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: "r/i:1"}]
`;

describe('followKustomizations', () => {
  const tree = manifestsFromText([
    { file: 'base/kustomization.yaml', text: 'resources: [app.yaml, namespace.yaml, role.yaml]\nnamespace: inner\n' },
    { file: 'base/app.yaml', text: deployment('app') },
    { file: 'base/namespace.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: system}\n' },
    { file: 'base/role.yaml', text: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n' },
    { file: 'base/unused.yaml', text: deployment('unused', 'x') },
    { file: 'overlay/kustomization.yaml', text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: outer\nresources: [../base]\npatches:\n  - path: patch.yaml\n    target: {kind: Deployment}\n  - path: ops.yaml\n    target: {kind: Deployment}\n  - target: {kind: Deployment}\n    patch: |\n      - op: add\n        path: /spec/replicas\n' },
    { file: 'overlay/patch.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {replicas: 2}\n' },
    { file: 'overlay/ops.yaml', text: '- op: replace\n  path: /spec/replicas\n  value: 3\n- op: frobnicate\n  path: /x\n' },
  ]);
  const built = followKustomizations(tree);

  test('the outermost namespace applies to namespaced objects only', () => {
    const byName = new Map(built.objects.map((o) => [o.object.metadata.name, o.object]));
    expect(byName.get('app')?.metadata.namespace).toBe('outer');
    expect(byName.get('r')?.metadata.namespace).toBeUndefined();
    expect(byName.has('system')).toBe(false); // kustomize renames Namespace objects to its namespace
    expect(byName.get('outer')?.kind).toBe('Namespace');
    expect(tree.objects.find((o) => o.object.metadata.name === 'app')?.object.metadata.namespace).toBeUndefined(); // input untouched
  });

  test('patch files are patches, unreferenced files are not built', () => {
    expect(built.objects.map((o) => `${o.source.file} ${o.object.metadata.name}`).sort()).toEqual(['base/app.yaml app', 'base/namespace.yaml outer', 'base/role.yaml r']);
    const findings = kustomizeFindingsOf(built);
    expect(findings?.unbuilt.map((u) => `${u.source.file} <- ${u.kustomization}`)).toEqual(['base/unused.yaml <- base/kustomization.yaml']);
    const problems = (findings?.patches ?? []).map((p) => `${p.source.file}: ${patchProblem(p) ?? 'ok'}`);
    expect(problems.sort()).toEqual([
      'overlay/kustomization.yaml: operation 1 (add /spec/replicas) has no value',
      'overlay/ops.yaml: operation 2: op must be one of add, remove, replace, move, copy, test, got "frobnicate"',
      'overlay/patch.yaml: ok',
    ]);
    expect(built.problems).toEqual([]); // base/kustomization.yaml without apiVersion is build configuration
  });

  test('trees without kustomization files are returned as they are', () => {
    const flat = manifestsFromText([{ file: 'a.yaml', text: deployment('a', 'n') }]);
    expect(followKustomizations(flat)).toBe(flat);
  });

  test('a strategic-merge patch without target must name its object', () => {
    const source = tree.objects[0].source;
    expect(patchProblem({ source, value: { spec: {} }, kustomization: 'k', targeted: false })).toMatch(/must name its object/);
    expect(patchProblem({ source, value: [{ op: 'remove', path: '/a' }], kustomization: 'k', targeted: false })).toMatch(/needs a target/);
  });

  test('the gate reports bad patches and unbuilt files under manifest-structure', async () => {
    const report = await runCheck({ manifests: tree, only: ['manifest-structure'] });
    expect(report.results.map((r) => `${r.result} ${r.file}: ${r.message}`)).toEqual([
      'warn base/unused.yaml: base/unused.yaml is not included by base/kustomization.yaml (resources, components, patches): kustomize and Flux do not apply it, so it is not checked',
      'fail overlay/kustomization.yaml: kustomize patch (named by overlay/kustomization.yaml): operation 1 (add /spec/replicas) has no value',
      'fail overlay/ops.yaml: kustomize patch (named by overlay/kustomization.yaml): operation 2: op must be one of add, remove, replace, move, copy, test, got "frobnicate"',
    ]);
    expect(report.results.find((r) => r.file === 'base/unused.yaml')?.severity).toBe('info');
  });
});

describe('CRDs in the tree are schema sources', () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: runtimes.example.ai}
spec:
  group: example.ai
  scope: Namespaced
  names: {kind: Runtime, plural: runtimes, singular: runtime, listKind: RuntimeList}
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                gpus: {type: integer}
    - name: v1alpha0
      served: false
      storage: false
`;
  const cr = (version: string, spec: string, name = 'r') => `apiVersion: example.ai/${version}\nkind: Runtime\nmetadata: {name: ${name}, namespace: ml}\nspec: ${spec}\n`;

  test('a custom resource is validated by its CRD in the tree; an unserved version fails stable-api-version once', async () => {
    const report = await runCheck({
      manifests: manifestsFromText([{ file: 'crd.yaml', text: crd }, { file: 'ok.yaml', text: cr('v1alpha1', '{gpus: 1}') }, { file: 'bad.yaml', text: cr('v1alpha1', '{gpus: one, extra: 1}') }, { file: 'old.yaml', text: cr('v1alpha0', '{}') }]),
      only: ['schema-valid', 'stable-api-version'],
    });
    expect(report.results.map((r) => `${r.file} ${r.policy}: ${r.message}`)).toEqual([
      'bad.yaml schema-valid: /spec/extra: unknown field "extra"',
      'bad.yaml schema-valid: /spec/gpus: must be integer, got "one"',
      'old.yaml stable-api-version: example.ai/v1alpha0 Runtime is not served by Kubernetes 1.28 or by the known CRDs (removed, misspelled or unknown API); served: example.ai/v1alpha1',
    ]);
  });

  test('kinds without any schema are one warning per group/version/kind, not errors', async () => {
    const report = await runCheck({
      manifests: manifestsFromText([{ file: 'a.yaml', text: cr('v1alpha1', '{}', 'a') }, { file: 'b.yaml', text: cr('v1alpha1', '{}', 'b') }, { file: 'c.yaml', text: 'apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: d, namespace: ml}\n' }]),
      only: ['schema-valid', 'stable-api-version'],
    });
    expect(report.results.map((r) => `${r.file} ${r.policy} ${r.result}: ${r.message.split(':')[0]}`)).toEqual([
      'a.yaml schema-valid warn: no schema for example.ai/v1alpha1/Runtime',
      'c.yaml stable-api-version fail: apps/v1beta1 Deployment is not served by Kubernetes 1.28 or by the known CRDs (removed, misspelled or unknown API); served',
    ]);
    expect(report.failed).toBe(true);
  });
});

describe('duplicate-object follows builds', () => {
  const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;
  test('objects only different overlays build are not duplicates; the same build, or clusters/<same>/, are', async () => {
    const report = await runCheck({
      manifests: manifestsFromText([
        { file: 'apps/staging/kustomization.yaml', text: 'resources: [ns.yaml]\n' },
        { file: 'apps/staging/ns.yaml', text: ns('podinfo') },
        { file: 'apps/production/kustomization.yaml', text: 'resources: [ns.yaml, again.yaml]\n' },
        { file: 'apps/production/ns.yaml', text: ns('podinfo') },
        { file: 'apps/production/again.yaml', text: ns('podinfo') },
        { file: 'clusters/a/ns.yaml', text: ns('flux-system') },
        { file: 'clusters/b/ns.yaml', text: ns('flux-system') },
        { file: 'clusters/b/copy.yaml', text: ns('flux-system') },
      ]),
      only: ['duplicate-object'],
    });
    expect(report.results.map((r) => `${r.file}: ${r.message}`)).toEqual([
      'apps/production/again.yaml: Namespace podinfo is already defined in apps/production/ns.yaml:1',
      'clusters/b/copy.yaml: Namespace flux-system is already defined in clusters/b/ns.yaml:1',
    ]);
  });
});
