import { expect, test } from '@jest/globals';
import { join } from 'node:path';
import { runCheck } from '../../src/policy/engine.js';
import { manifestsFromText } from '../../src/policy/loader.js';

const kustomization = (name: string, path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 1h
  prune: true
  sourceRef: {kind: GitRepository, name: src}
  path: ${path}
`;

test('flux-path-exists: a path is found when a checked file lies below it (files not on disk), at a directory boundary only', async () => {
  // the tree is in memory under a root that does not exist on disk: only the loaded files can make a path exist
  const root = 'no-such-render-root';
  const loaded = manifestsFromText([
    { file: `${root}/clusters/x/flux.yaml`, text: [kustomization('apps', './apps'), kustomization('deep', './apps/team/'), kustomization('parent', '.'), kustomization('prefix', './ap'), kustomization('file', './apps/team/cm.yaml'), kustomization('missing', './infra')].join('---\n') },
    { file: `${root}/apps/team/cm.yaml`, text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: team}\n' },
  ]);
  const report = await runCheck({ manifests: { ...loaded, roots: [join(process.cwd(), root)] }, only: ['flux-path-exists'], includePasses: true });
  const verdicts = Object.fromEntries(report.results.map((r) => [r.resource.name, r.result]));
  expect(verdicts).toEqual({ apps: 'pass', deep: 'pass', parent: 'pass', prefix: 'fail', file: 'fail', missing: 'fail' });
  expect(report.results.find((r) => r.resource.name === 'prefix')?.message).toMatch(/^Kustomization prefix path '\.\/ap' does not exist under /);
});
