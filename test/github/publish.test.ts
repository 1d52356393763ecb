import { gitBlobSha, publishTree } from '../../src/github/index.js';
import { GitFixture } from '../diff/fixtures.js';
import { FakeGitHub } from './fake-github.js';
import { clientFor } from './client-support.js';

let server: FakeGitHub;
beforeEach(async () => {
  server = new FakeGitHub();
  await server.start();
});
afterEach(async () => {
  await server.stop();
  expect(server.rejections).toEqual([]);
  expect(server.responseProblems).toEqual([]);
});

const target = { owner: 'acme', repo: 'fleet', branch: 'render/platform', base: 'main', path: 'clusters', message: 'Render platform', title: 'Rendered manifests', body: 'from lambda-gitops' };

describe('publishTree (Git Data API)', () => {
  test('first publish: blobs, a tree on the base tree, a commit, a new ref and a new PR; other files are kept', async () => {
    server.seedBranch('main', { 'README.md': 'fleet\n', 'clusters/old.yaml': 'a: 1\n', 'clusters/keep.yaml': 'b: 2\n' });
    const files = new Map([['keep.yaml', 'b: 2\n'], ['new/app.yaml', 'c: 3\n']]);
    const result = await publishTree(clientFor(server), { ...target, files });
    expect(result).toMatchObject({ added: ['clusters/new/app.yaml'], changed: [], deleted: ['clusters/old.yaml'], pullRequest: { number: 1, created: true } });
    expect(server.filesOf('render/platform')).toEqual({ 'README.md': 'fleet\n', 'clusters/keep.yaml': 'b: 2\n', 'clusters/new/app.yaml': 'c: 3\n' });
    const tree = server.callsTo('git/create-tree')[0].body;
    expect(tree.base_tree).toBeDefined();
    expect(tree.tree).toEqual([
      { path: 'clusters/new/app.yaml', mode: '100644', type: 'blob', sha: gitBlobSha('c: 3\n') },
      { path: 'clusters/old.yaml', mode: '100644', type: 'blob', sha: null },
    ]);
    expect(server.callsTo('git/create-blob')).toHaveLength(1);
    expect(server.callsTo('git/create-ref')[0].body.ref).toBe('refs/heads/render/platform');
    expect(server.pulls[0]).toMatchObject({ title: 'Rendered manifests', body: 'from lambda-gitops', head: { ref: 'render/platform' }, base: { ref: 'main' } });
  });

  test('publishing the same files again makes no commit and opens no second PR', async () => {
    server.seedBranch('main', {});
    const files = new Map([['a.yaml', 'a: 1\n']]);
    const client = clientFor(server);
    const first = await publishTree(client, { ...target, files });
    const second = await publishTree(client, { ...target, files });
    expect(second).toEqual({ commitSha: undefined, added: [], changed: [], deleted: [], pullRequest: { number: first.pullRequest!.number, url: first.pullRequest!.url, created: false } });
    expect(server.callsTo('git/create-commit')).toHaveLength(1);
    expect(server.callsTo('pulls/create')).toHaveLength(1);
  });

  test('a later change moves the existing branch (updateRef without refs/) and updates the PR text', async () => {
    server.seedBranch('main', {});
    const client = clientFor(server);
    await publishTree(client, { ...target, files: new Map([['a.yaml', 'a: 1\n'], ['b.yaml', 'b: 1\n']]) });
    const result = await publishTree(client, { ...target, title: 'Rendered manifests (2)', files: new Map([['a.yaml', 'a: 2\n']]) });
    expect(result).toMatchObject({ changed: ['clusters/a.yaml'], deleted: ['clusters/b.yaml'], pullRequest: { number: 1, created: false } });
    expect(server.requests.filter((r) => r.operationId === 'git/update-ref').map((r) => decodeURIComponent(r.path))).toEqual(['/repos/acme/fleet/git/refs/heads/render/platform']);
    expect(server.filesOf('render/platform')).toEqual({ 'clusters/a.yaml': 'a: 2\n' });
    expect(server.pulls[0].title).toBe('Rendered manifests (2)');
  });

  test('nothing to publish and no branch: no commit, no branch, no PR', async () => {
    server.seedBranch('main', { 'clusters/a.yaml': 'a: 1\n' });
    const result = await publishTree(clientFor(server), { ...target, files: new Map([['a.yaml', 'a: 1\n']]) });
    expect(result).toEqual({ commitSha: undefined, added: [], changed: [], deleted: [] });
    expect(server.refs.has('heads/render/platform')).toBe(false);
  });

  test('a missing base branch is a clear 404', async () => {
    await expect(publishTree(clientFor(server), { ...target, files: new Map() })).rejects.toThrow(/^reading branch main of acme\/fleet: not found \(404 Not Found\)/);
  });

  test('gitBlobSha equals git hash-object', () => {
    const repo = new GitFixture();
    try {
      repo.write('f.yaml', 'kind: ConfigMap\nü: 1\n');
      expect(gitBlobSha('kind: ConfigMap\nü: 1\n')).toBe(repo.git('hash-object', 'f.yaml').trim());
    } finally {
      repo.remove();
    }
  });
});
