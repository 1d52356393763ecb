import { expect, test } from '@jest/globals';
import { runCheck } from '../../src/policy/engine.js';
import { manifestsFromText } from '../../src/policy/loader.js';

const kustomization = (name: string, sourceKind: string, path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 1h
  prune: true
  sourceRef: {kind: ${sourceKind}, name: src}
  path: ${path}
`;

test('flux-path-exists: ExternalArtifact (and OCI/Bucket) paths are info "not resolvable offline"; GitRepository paths are still checked', async () => {
  const report = await runCheck({
    manifests: manifestsFromText([
      { file: 'clusters/x/apps.yaml', text: kustomization('apps', 'ExternalArtifact', './production') },
      { file: 'clusters/x/oci.yaml', text: kustomization('oci', 'OCIRepository', './deploy') },
      { file: 'clusters/x/git.yaml', text: kustomization('git', 'GitRepository', './no/such/dir') },
    ]),
    only: ['flux-path-exists'],
  });
  expect(report.results.map((r) => `${r.resource.name} ${r.result} ${r.severity}`)).toEqual(['apps warn info', 'git fail error', 'oci warn info']);
  expect(report.results[0].message).toBe("Kustomization apps path './production' is relative to its ExternalArtifact source, which cannot be resolved offline: not checked");
});
