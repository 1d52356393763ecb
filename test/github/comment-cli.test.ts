import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { run } from '../../src/cli/commands/comment.js';
import { diffTrees, renderJson } from '../../src/diff/index.js';
import { ActionsContextError, readPullRequestContext } from '../../src/github/index.js';
import { deployment, treeOf } from '../diff/fixtures.js';
import { FakeGitHub } from './fake-github.js';

const HEAD = 'c'.repeat(40);
const sarif = {
  version: '2.1.0',
  runs: [{
    tool: { driver: { name: 'lambda-gitops', rules: [] } },
    results: [
      { ruleId: 'require-limits', level: 'error', message: { text: 'container main has no memory limit' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'dist/apps/apps/deployment-api.yaml' }, region: { startLine: 12 } }, logicalLocations: [{ fullyQualifiedName: 'Deployment apps/api' }] }] },
      { ruleId: 'no-latest-tag', level: 'warning', message: { text: 'image uses :latest' } },
    ],
  }],
};

let server: FakeGitHub;
let dir: string;
let out: string[];
let err: string[];
const saved = { ...process.env };

function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

beforeEach(async () => {
  server = new FakeGitHub();
  await server.start();
  dir = mkdtempSync(join(tmpdir(), 'lambda-gitops-comment-'));
  out = [];
  err = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  jest.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  Object.assign(process.env, { GITHUB_TOKEN: server.token, GITHUB_REPOSITORY: 'acme/platform', GITHUB_API_URL: server.url, GITHUB_RUN_ID: '500', GITHUB_RUN_ATTEMPT: '1', GITHUB_SERVER_URL: 'https://github.test' });
});
afterEach(async () => {
  jest.restoreAllMocks();
  process.env = { ...saved };
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(server.rejections).toEqual([]);
  expect(server.responseProblems).toEqual([]);
  for (const text of [...out, ...err]) expect(text).not.toContain(server.token);
});

const report = () => renderJson(diffTrees(treeOf(deployment('api', 'apps', { replicas: 3 })), treeOf(deployment('api', 'apps', { replicas: 1 }))));

describe('lambda-gitops comment', () => {
  test('on pull_request: sticky comment with policy findings, failing check run with annotations, SARIF on refs/pull/N/head', async () => {
    server.addPull(7, HEAD);
    process.env.GITHUB_EVENT_PATH = file('event.json', { pull_request: { number: 7, head: { sha: HEAD } } });
    const args = ['--report', file('diff.json', report()), '--sarif', file('policy.sarif', sarif)];
    expect(await run(args)).toBe(0);
    const [comment] = server.comments.get(7)!;
    expect(comment.body).toMatch(/^<!-- lambda-gitops:pr-review id=diff -->\n<!-- lambda-gitops:stamp head=c{40} run=500 attempt=1 -->\n### Manifest diff for ccccccc/);
    expect(comment.body).toContain('**Policy (head tree):** ❌ 1 failing · ⚠️ 1 warnings');
    expect(comment.body).toContain('replicas-decrease');
    expect(server.checkRuns).toEqual([expect.objectContaining({ head_sha: HEAD, conclusion: 'failure', annotations: [expect.objectContaining({ path: 'dist/apps/apps/deployment-api.yaml', start_line: 12, annotation_level: 'failure' })] })]);
    expect(server.sarifUploads).toEqual([expect.objectContaining({ commit_sha: HEAD, ref: 'refs/pull/7/head', sarif })]);
    expect(out.join('')).toMatch(/acme\/platform#7: comment \d+ created/);
    // a second run with the same result leaves the comment alone
    process.env.GITHUB_RUN_ID = '501';
    expect(await run([...args, '--no-check', '--no-upload-sarif'])).toBe(0);
    expect(out.join('')).toMatch(/comment \d+ unchanged/);
    expect(server.callsTo('issues/update-comment')).toHaveLength(0);
  });

  test('on workflow_run: the hand-over head SHA must be the triggering run head_sha', async () => {
    process.env.GITHUB_EVENT_PATH = file('event.json', { workflow_run: { id: 499, head_sha: HEAD, run_attempt: 1 } });
    expect(await run(['--report', file('diff.json', report()), '--handover', file('pr.json', { number: 7, headSha: 'd'.repeat(40) })])).toBe(2);
    expect(err.join('')).toContain(`headSha ${'d'.repeat(40)} is not the head_sha ${HEAD} of the workflow run that produced it`);
    expect(server.requests).toEqual([]);
  });

  test('on workflow_run: nothing is posted when the PR head moved on', async () => {
    server.addPull(7, 'e'.repeat(40));
    process.env.GITHUB_EVENT_PATH = file('event.json', { workflow_run: { id: 499, head_sha: HEAD, run_attempt: 1, html_url: 'https://github.test/runs/499' } });
    expect(await run(['--report', file('diff.json', report()), '--handover', file('pr.json', { number: 7, headSha: HEAD })])).toBe(0);
    expect(out.join('')).toContain(`head is now ${'e'.repeat(40)}, this result is for ${HEAD}; nothing posted`);
    expect(server.callsTo('issues/create-comment')).toHaveLength(0);
  });

  test('a report that is not a diff report is refused with the field named', async () => {
    process.env.GITHUB_EVENT_PATH = file('event.json', { pull_request: { number: 7, head: { sha: HEAD } } });
    expect(await run(['--report', file('diff.json', { summary: { added: 1, removed: 0, changed: 0 }, risks: [], changes: [{ action: 'moved' }] })])).toBe(2);
    expect(err.join('')).toContain('not a diff report: changes[0].action must be one of added, removed, changed');
  });

  test('an API failure exits 1 with the explanation', async () => {
    server.addPull(7, HEAD);
    server.script('issues/create-comment', { status: 403, body: { message: 'Resource not accessible by integration' } });
    process.env.GITHUB_EVENT_PATH = file('event.json', { pull_request: { number: 7, head: { sha: HEAD } } });
    expect(await run(['--report', file('diff.json', report()), '--no-check'])).toBe(1);
    expect(err.join('')).toContain("forbidden (403 Resource not accessible by integration); the token needs 'pull-requests: write'");
  });
});

describe('readPullRequestContext', () => {
  test('explains missing variables', () => {
    expect(() => readPullRequestContext({ GITHUB_REPOSITORY: 'x' })).toThrow(new ActionsContextError("GITHUB_REPOSITORY must be OWNER/NAME, got 'x'"));
    expect(() => readPullRequestContext({ GITHUB_REPOSITORY: 'a/b' })).toThrow(/GITHUB_EVENT_PATH is not set/);
  });
});
