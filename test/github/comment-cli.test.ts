import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { dump } from 'js-yaml';
import { run } from '../../src/cli/commands/comment.js';
import { diffTrees, renderJson } from '../../src/diff/index.js';
import { ActionsContextError, readPullRequestContext } from '../../src/github/index.js';
import { UsageError } from '../../src/cli/main.js';
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
    expect(server.checkRuns).toEqual([expect.objectContaining({ name: 'lambda-gitops / review (unverified)', head_sha: HEAD, conclusion: 'failure', annotations: [expect.objectContaining({ path: 'dist/apps/apps/deployment-api.yaml', start_line: 12, annotation_level: 'failure' })] })]);
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

describe('lambda-gitops comment: the verdict of the check run', () => {
  /** A repository whose main has a clean Deployment and a PR head that makes it privileged (and edits policies/). */
  function repository(): { repo: string; head: string; baseTip: string } {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
    const write = (path: string, value: unknown) => {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), typeof value === 'string' ? value : dump(value, { noRefs: true }));
    };
    git('init', '-q', '-b', 'main');
    write('dist/apps/deployment-api.yaml', deployment('api', 'apps', { replicas: 3 }));
    write('dist/apps/kustomization.yaml', 'resources: [deployment-api.yaml]\n');
    git('add', '-A');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'feature');
    const privileged = deployment('api', 'apps', { replicas: 3 }) as any;
    privileged.spec.template.spec.containers[0].securityContext.privileged = true;
    write('dist/apps/deployment-api.yaml', privileged);
    // and changes what kustomize builds without changing an object
    write('dist/apps/kustomization.yaml', 'resources: [deployment-api.yaml]\nnamePrefix: team-\n');
    // the PR weakens the policy in its own tree: the trusted check must not read it
    write('policies/pss-privileged/policy.yaml', 'id: pss-privileged\nseverity: info\n');
    // a link out of the tree is not followed (it would be read by a checkout-based reader)
    symlinkSync('/proc/self/environ', join(repo, 'dist/apps/leak.yaml'));
    git('add', '-A');
    git('commit', '-qm', 'feature');
    const head = git('rev-parse', 'HEAD');
    // main moves on after the PR branched: that change is not the PR's
    git('checkout', '-q', 'main');
    write('dist/apps/deployment-web.yaml', deployment('web', 'apps'));
    git('add', '-A');
    git('commit', '-qm', 'main moves on');
    const baseTip = git('rev-parse', 'HEAD');
    git('update-ref', 'refs/remotes/origin/main', baseTip);
    return { repo, head, baseTip };
  }

  /** The clean-looking artifact a fork PR can upload by editing pr.yml. */
  const cleanArtifact = () => ({ summary: { added: 0, removed: 0, changed: 0 }, risks: [], changes: [] });

  test('--recompute: the default branch\'s tool and policies judge the PR head\'s tree read from git; the artifact is not used', async () => {
    const { repo, head } = repository();
    server.addPull(7, head);
    process.env.GITHUB_EVENT_PATH = file('event.json', { workflow_run: { id: 499, head_sha: head, run_attempt: 1 } });
    const code = await run(['--recompute', '--repo', repo, '--handover', file('pr.json', { number: 7, headSha: head })]);
    expect({ code, err: err.join('') }).toEqual({ code: 0, err: '' });
    expect(server.checkRuns).toEqual([expect.objectContaining({
      name: 'lambda-gitops / review', head_sha: head, conclusion: 'failure',
      annotations: expect.arrayContaining([expect.objectContaining({ path: 'dist/apps/deployment-api.yaml', annotation_level: 'failure', title: expect.stringContaining('pss-privileged') })]),
    })]);
    const [comment] = server.comments.get(7)!;
    expect(comment.body).toContain('pss-privileged');
    // the diff is the PR's own change (against the merge base): main's later Deployment web is not shown as removed
    expect(comment.body).toContain('privilege-widening');
    // the kustomization the PR edited is a risk of the trusted diff too
    expect(comment.body).toMatch(/build-config.*apps\/kustomization\.yaml changed/);
    expect(comment.body).not.toContain('apps/web');
    expect(comment.body).not.toContain('leak.yaml');
    expect(comment.body).not.toContain('environ');
    expect(server.sarifUploads).toEqual([expect.objectContaining({ commit_sha: head, ref: 'refs/pull/7/head' })]);
    expect(JSON.stringify(server.sarifUploads[0].sarif)).toContain('pss-privileged');
  });

  test('--recompute refuses result files: they come from the pull request', async () => {
    await expect(run(['--recompute', '--report', file('diff.json', cleanArtifact()), '--sarif', 'x.sarif'])).rejects.toThrow(new UsageError('--recompute computes the report, findings and plan itself; drop --report, --sarif'));
  });

  test('--recompute with a head commit that was not fetched exits 2 naming it', async () => {
    const { repo } = repository();
    const missing = 'f'.repeat(40);
    server.addPull(7, missing);
    process.env.GITHUB_EVENT_PATH = file('event.json', { workflow_run: { id: 499, head_sha: missing, run_attempt: 1 } });
    expect(await run(['--recompute', '--repo', repo, '--handover', file('pr.json', { number: 7, headSha: missing })])).toBe(2);
    expect(err.join('')).toContain(`${missing}: not a commit in the git repository at ${repo} (fetch it first)`);
    expect(server.checkRuns).toEqual([]);
  });

  test('without --recompute the check run is named unverified and never succeeds, whatever the artifact says', async () => {
    server.addPull(7, HEAD);
    process.env.GITHUB_EVENT_PATH = file('event.json', { workflow_run: { id: 499, head_sha: HEAD, run_attempt: 1 } });
    expect(await run(['--report', file('diff.json', cleanArtifact()), '--handover', file('pr.json', { number: 7, headSha: HEAD })])).toBe(0);
    expect(server.checkRuns).toEqual([expect.objectContaining({ name: 'lambda-gitops / review (unverified)', conclusion: 'neutral', output: expect.objectContaining({ title: expect.stringMatching(/^Unverified \(computed by the pull request's own workflow\): 0 policy failures/) }) })]);
  });
});

describe('lambda-gitops comment: bounded waits', () => {
  test('a secondary rate limit asking for an hour fails at once with exit 1 and the time to retry after; --max-wait sets the limit', async () => {
    server.addPull(7, HEAD);
    server.script('issues/create-comment', { status: 403, headers: { 'retry-after': '3600' }, body: { message: 'You have exceeded a secondary rate limit.' } });
    process.env.GITHUB_EVENT_PATH = file('event.json', { pull_request: { number: 7, head: { sha: HEAD } } });
    expect(await run(['--report', file('diff.json', report()), '--no-check', '--max-wait', '60'])).toBe(1);
    expect(err.join('')).toMatch(/lambda-gitops comment: commenting on acme\/platform#7: GitHub secondary rate limit \(403: You have exceeded a secondary rate limit\.\); GitHub asks to wait 3600s, longer than the 60s this client waits at most \(maxRateLimitWait\); not waiting, try again after \d{4}-/);
    expect(server.callsTo('issues/create-comment')).toHaveLength(1);
  });

  test('--max-wait and --wait-budget take whole seconds', async () => {
    await expect(run(['--report', 'x.json', '--max-wait', '2m'])).rejects.toThrow(new UsageError("--max-wait must be a whole number of seconds, got '2m'"));
    await expect(run(['--report', 'x.json', '--wait-budget=1.5'])).rejects.toThrow(new UsageError("--wait-budget must be a whole number of seconds, got '1.5'"));
  });
});

describe('readPullRequestContext', () => {
  test('explains missing variables', () => {
    expect(() => readPullRequestContext({ GITHUB_REPOSITORY: 'x' })).toThrow(new ActionsContextError("GITHUB_REPOSITORY must be OWNER/NAME, got 'x'"));
    expect(() => readPullRequestContext({ GITHUB_REPOSITORY: 'a/b' })).toThrow(/GITHUB_EVENT_PATH is not set/);
  });
});
