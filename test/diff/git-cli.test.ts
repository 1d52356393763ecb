import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { run } from '../../src/cli/commands/diff.js';
import { DiffReport, Manifest, readTreeFromGit } from '../../src/diff/index.js';
import { assertBalanced, deployment, GitFixture } from './fixtures.js';

const configMap = (i: number, value: string): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: `team-${i % 9}` }, data: { value, padding: 'x'.repeat(200) } });

describe('lambda-gitops diff against a git ref (real repositories)', () => {
  let repo: GitFixture;
  let outDir: string;
  const N = 3000;

  beforeAll(() => {
    repo = new GitFixture();
    outDir = mkdtempSync(join(tmpdir(), 'lambda-gitops-diff-out-'));
    const base = [...Array.from({ length: N }, (_, i) => configMap(i, 'v1')), deployment('api', 'apps', { replicas: 3 }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } } as Manifest];
    repo.writeTree('dist', base);
    repo.write('README.md', 'base\n');
    repo.commitAll('base tree');
    repo.git('checkout', '-q', '-b', 'pr');
    // PR: change every other ConfigMap, drop the legacy namespace, add a Deployment, scale api down, and move one file
    const head = [...Array.from({ length: N }, (_, i) => configMap(i, i % 2 === 0 ? 'v2' : 'v1')), deployment('api', 'apps', { replicas: 1 }), deployment('worker', 'apps')];
    repo.writeTree('dist', head);
    mkdirSync(join(repo.dir, 'dist/moved'), { recursive: true });
    renameSync(join(repo.dir, 'dist/team-1/configmap-cm-1.yaml'), join(repo.dir, 'dist/moved/cm-1.yaml'));
    repo.commitAll('pr changes');
  });
  afterAll(() => {
    repo.remove();
    rmSync(outDir, { recursive: true, force: true });
  });

  test('reads the base tree at the ref without touching the work tree', () => {
    const tree = readTreeFromGit(repo.dir, 'main', 'dist');
    expect(tree.size).toBe(N + 2);
    expect(tree.get('/Namespace//legacy')?.ref.file).toBe('cluster/namespace-legacy.yaml');
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('pr');
  });

  test('JSON: objects matched by identity across a file move, with counts and risks first', async () => {
    const out = join(outDir, 'diff.json');
    expect(await run(['--base', 'main', '--head', join(repo.dir, 'dist'), '--repo', repo.dir, '--format', 'json', '--output', out])).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as DiffReport;
    expect(report.summary).toEqual({ added: 1, removed: 1, changed: N / 2 + 1 });
    expect(report.risks.map((r) => r.code)).toEqual(['prune', 'replicas-decrease']);
    expect(report.changes.find((c) => c.resource.name === 'cm-1')).toBeUndefined();
    expect(report.changes.find((c) => c.resource.name === 'cm-2')?.fields).toEqual([{ path: 'data.value', before: 'v1', after: 'v2' }]);
  });

  test('Markdown of several thousand objects is cut to 60,000 characters; the full diff goes to a file', async () => {
    const out = join(outDir, 'diff.md');
    const full = join(outDir, 'full.md');
    expect(await run(['--base', 'main', '--head', join(repo.dir, 'dist'), '--repo', repo.dir, '--format', 'markdown', '--output', out, '--full', full])).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md.length).toBeLessThanOrEqual(60_000);
    assertBalanced(md);
    const shown = (md.match(/<details>/g) ?? []).length;
    expect(Number(/\*\*Not shown \((\d+) objects/.exec(md)?.[1])).toBe(N / 2 + 3 - shown);
    // the riskiest objects come first
    expect(md.indexOf('Namespace legacy')).toBeLessThan(md.indexOf('<b>ConfigMap'));
    expect(md.indexOf('Deployment apps/api')).toBeLessThan(md.indexOf('<b>ConfigMap'));
    const fullText = readFileSync(full, 'utf8');
    expect((fullText.match(/<details>/g) ?? []).length).toBe(N / 2 + 3);
    assertBalanced(fullText);
  });

  test('--budget sets the Markdown limit (e.g. for a job summary) and refuses nonsense', async () => {
    const out = join(outDir, 'summary.md');
    expect(await run(['--base', 'main', '--head', join(repo.dir, 'dist'), '--repo', repo.dir, '--format', 'markdown', '--budget', '150000', '--output', out])).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md.length).toBeGreaterThan(60_000);
    expect(md.length).toBeLessThanOrEqual(150_000);
    assertBalanced(md);
    await expect(run(['--base', 'main', '--head', 'dist', '--budget', '10'])).rejects.toThrow("--budget must be a whole number of at least 4000, got '10'");
  });

  test('the base can be a directory; the tree path inside the repo defaults to the head directory path', async () => {
    const out = join(outDir, 'same.json');
    expect(await run(['--base', join(repo.dir, 'dist'), '--head', join(repo.dir, 'dist'), '--format', 'json', '--output', out])).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary).toEqual({ added: 0, removed: 0, changed: 0 });
    const cwd = process.cwd();
    process.chdir(repo.dir);
    try {
      expect(await run(['--base', 'pr', '--head', 'dist', '--format', 'json', '--output', out])).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(JSON.parse(readFileSync(out, 'utf8')).summary).toEqual({ added: 0, removed: 0, changed: 0 });
  });

  test('an unknown ref ends with a clear message and exit code 2', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await run(['--base', 'no-such-branch', '--head', join(repo.dir, 'dist'), '--repo', repo.dir])).toBe(2);
      expect(String(stderr.mock.calls[0][0])).toBe(`lambda-gitops diff: no-such-branch: not a commit in the git repository at ${repo.dir}\n`);
    } finally {
      stderr.mockRestore();
    }
  });
});
