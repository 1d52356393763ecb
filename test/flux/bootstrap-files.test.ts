import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFluxBootstrapFile } from '../../src/core/flux-bootstrap-files.js';
import { readTreeFromDirectory, readTreeFromGit } from '../../src/diff/load-tree.js';
import { loadManifests } from '../../src/policy/loader.js';

const REPO = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://github.com/org/platform.git\n  ref:\n    branch: main\n';

/** A rendered cluster directory after `flux bootstrap` committed its files under it. */
function bootstrappedTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const cluster = join(root, 'dist/clusters/prod');
  mkdirSync(join(cluster, 'flux-system'), { recursive: true });
  writeFileSync(join(cluster, 'git-repository-flux-system.yaml'), REPO);
  writeFileSync(join(cluster, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - git-repository-flux-system.yaml\n');
  // bootstrap's gotk-sync.yaml defines the same GitRepository; gotk-components.yaml the controllers
  writeFileSync(join(cluster, 'flux-system/gotk-sync.yaml'), `---\n${REPO}`);
  writeFileSync(join(cluster, 'flux-system/gotk-components.yaml'), '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: source-controller\n  namespace: flux-system\nspec: {}\n');
  writeFileSync(join(cluster, 'flux-system/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n');
  return root;
}

test('isFluxBootstrapFile matches only the gotk manifests in a flux-system directory', () => {
  expect(isFluxBootstrapFile('dist/clusters/prod/flux-system/gotk-components.yaml')).toBe(true);
  expect(isFluxBootstrapFile('flux-system/gotk-sync.yaml')).toBe(true);
  expect(isFluxBootstrapFile('C:\\tree\\flux-system\\gotk-sync.yaml')).toBe(true);
  expect(isFluxBootstrapFile('dist/clusters/prod/gotk-sync.yaml')).toBe(false);
  expect(isFluxBootstrapFile('dist/clusters/prod/flux-system/git-repository.yaml')).toBe(false);
});

test('the gate and plan loader leave bootstrap files out of a tree', () => {
  const root = bootstrappedTree();
  const loaded = loadManifests([join(root, 'dist')]);
  expect(loaded.objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`)).toEqual(['GitRepository/flux-system']);
  expect(loaded.problems).toEqual([]);
});

test('the diff reads a bootstrapped tree from a directory and from git without a duplicate-object error', () => {
  const root = bootstrappedTree();
  expect([...readTreeFromDirectory(join(root, 'dist')).values()].map((o) => o.ref.kind)).toEqual(['GitRepository']);
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'bootstrap');
  expect([...readTreeFromGit(root, 'HEAD', 'dist').values()].map((o) => o.ref.kind)).toEqual(['GitRepository']);
});
