/**
 * Kustomization files in a diff (src/diff/build-config.ts): a change to one changes what Flux
 * applies without changing any object the diff compares, so it must be a risk in every format, the
 * same from a directory base and a git base, quoting nothing of the file. And a kustomization.yaml
 * without apiVersion and kind (kustomize allows it) is configuration for diff and plan, as for check.
 */
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfigOfDirectory, buildConfigOfGit, buildConfigRisks, gitBlobId } from '../../src/diff/build-config.js';
import { GitFixture } from './fixtures.js';

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'lg-build-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
jest.setTimeout(120_000);

const SECRET = 'Hunter2-kustomize-literal-5f3a9c';
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {k: v}\n';
const kustomization = (literal: string, resources = ['cm.yaml']): string => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [${resources.join(', ')}]
secretGenerator:
- name: db
  namespace: n
  literals:
  - password=${literal}
`;

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('buildConfigRisks', () => {
  test('one medium risk per kustomization file added, removed or changed, none for an equal one', () => {
    const base = new Map([['apps/kustomization.yaml', 'a'], ['infra/kustomization.yaml', 'b'], ['old/kustomization.yaml', 'c']]);
    const head = new Map([['apps/kustomization.yaml', 'a'], ['infra/kustomization.yaml', 'B'], ['kustomization.yaml', 'd']]);
    const risks = buildConfigRisks(base, head);
    expect(risks.map((r) => [r.level, r.code, r.resource.file, r.resource.kind, r.resource.name])).toEqual([
      ['medium', 'build-config', 'infra/kustomization.yaml', 'Kustomization', 'infra'],
      ['medium', 'build-config', 'kustomization.yaml', 'Kustomization', '(tree root)'],
      ['medium', 'build-config', 'old/kustomization.yaml', 'Kustomization', 'old'],
    ]);
    expect(risks.map((r) => r.message.split(':')[0])).toEqual(['infra/kustomization.yaml changed', 'kustomization.yaml added', 'old/kustomization.yaml removed']);
    expect(buildConfigRisks(base, base)).toEqual([]);
  });

  test('a directory and a git commit of the same files give the same ids (the git blob id), so a git base raises no false risk', async () => {
    const repo = new GitFixture();
    try {
      repo.write('dist/kustomization.yaml', kustomization(SECRET));
      repo.write('dist/apps/Kustomization', 'resources: [cm.yaml]\n');
      repo.write('dist/apps/cm.yaml', CM);
      repo.write('dist/.hidden/kustomization.yaml', 'resources: []\n');
      repo.commitAll('tree');
      const fromGit = await buildConfigOfGit(repo.dir, 'main', 'dist');
      expect(await buildConfigOfGit(repo.dir, 'main', '.')).toEqual(new Map([...fromGit].map(([path, id]) => [`dist/${path}`, id])));
      await expect(buildConfigOfGit(repo.dir, 'no-such-ref', 'dist')).rejects.toThrow(/^no-such-ref:dist: git ls-tree failed: fatal: Not a valid object name no-such-ref/);
      const fromDirectory = buildConfigOfDirectory(join(repo.dir, 'dist'));
      expect([...fromDirectory.keys()].sort()).toEqual(['apps/Kustomization', 'kustomization.yaml']);
      expect(fromGit).toEqual(fromDirectory);
      expect(fromDirectory.get('kustomization.yaml')).toBe(repo.git('rev-parse', 'main:dist/kustomization.yaml').trim());
      expect(gitBlobId(Buffer.from('resources: [cm.yaml]\n'))).toBe(repo.git('rev-parse', 'main:dist/apps/Kustomization').trim());
    } finally {
      repo.remove();
    }
  });
});

describe('lambda-gitops diff with kustomization files (real processes)', () => {
  test('a changed secretGenerator literal: the build-config risk in text, JSON and Markdown, no object change, the value in no output', () => {
    const base = tree('literal-base', { 'cm.yaml': CM, 'kustomization.yaml': kustomization(`${SECRET}-old`) });
    const head = tree('literal-head', { 'cm.yaml': CM, 'kustomization.yaml': kustomization(SECRET) });
    const outputs: string[] = [];
    for (const format of ['text', 'json', 'markdown']) {
      const result = run(['diff', '--base', base, '--head', head, '--format', format]);
      expect({ format, status: result.status, stderr: result.stderr }).toEqual({ format, status: 0, stderr: '' });
      expect(result.stdout).toMatch(/build-config/);
      expect(result.stdout).toMatch(/kustomization\.yaml changed/);
      outputs.push(result.stdout);
    }
    const json = JSON.parse(outputs[1]);
    expect(json.summary).toEqual({ added: 0, changed: 0, removed: 0 });
    expect(json.risks).toHaveLength(1);
    expect(outputs[2]).toMatch(/\[!WARNING\][\s\S]*build-config[\s\S]*No rendered changes/);
    for (const output of outputs) expect(output).not.toContain('Hunter2');
  });

  test('a resources entry removed: the objects are the same but the risk names the file; an equal tree has none', () => {
    const base = tree('res-base', { 'cm.yaml': CM, 'other.yaml': CM.replace('name: a', 'name: b'), 'kustomization.yaml': kustomization(SECRET, ['cm.yaml', 'other.yaml']) });
    const head = tree('res-head', { 'cm.yaml': CM, 'other.yaml': CM.replace('name: a', 'name: b'), 'kustomization.yaml': kustomization(SECRET, ['cm.yaml']) });
    const changed = JSON.parse(run(['diff', '--base', base, '--head', head, '--format', 'json']).stdout);
    expect(changed.risks.map((r: { code: string; resource: { file: string } }) => [r.code, r.resource.file])).toEqual([['build-config', 'kustomization.yaml']]);
    const same = JSON.parse(run(['diff', '--base', base, '--head', base, '--format', 'json']).stdout);
    expect(same.risks).toEqual([]);
  });

  test('a git base: an unchanged kustomization raises nothing, a changed one the risk', () => {
    const repo = new GitFixture();
    try {
      repo.write('dist/cm.yaml', CM);
      repo.write('dist/kustomization.yaml', kustomization(SECRET));
      repo.commitAll('base');
      const same = spawnSync(process.execPath, [cli, 'diff', '--base', 'main', '--head', 'dist', '--format', 'json'], { cwd: repo.dir, encoding: 'utf8' });
      expect(same.status).toBe(0);
      expect(JSON.parse(same.stdout).risks).toEqual([]);
      repo.write('dist/kustomization.yaml', kustomization(`${SECRET}-new`));
      const changed = spawnSync(process.execPath, [cli, 'diff', '--base', 'main', '--head', 'dist', '--format', 'json'], { cwd: repo.dir, encoding: 'utf8' });
      expect(JSON.parse(changed.stdout).risks.map((r: { code: string }) => r.code)).toEqual(['build-config']);
      expect(changed.stdout).not.toContain('Hunter2');
    } finally {
      repo.remove();
    }
  });

  test('a kustomization.yaml without apiVersion and kind is configuration for diff and plan, as for check (was exit 2: "not a Kubernetes object")', () => {
    const dir = tree('plain-kustomization', { 'cm.yaml': CM, 'kustomization.yaml': 'resources: [cm.yaml]\n' });
    const empty = tree('plain-empty', {});
    expect(run(['check', dir]).status).toBe(0);
    const diff = run(['diff', '--base', empty, '--head', dir, '--format', 'json']);
    expect(diff.stderr).toBe('');
    expect(diff.status).toBe(0);
    expect(JSON.parse(diff.stdout).summary).toEqual({ added: 1, changed: 0, removed: 0 });
    const plan = run(['plan', dir]);
    // the tree has no cluster model: plan's own message, not a refusal of the kustomization
    expect(plan.stderr).not.toMatch(/not a Kubernetes object/);
    expect(plan.stderr).toMatch(/cluster model/);
  });
});
