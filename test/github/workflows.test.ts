import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The workflows' security properties: least privilege, pinned actions, and no PR code with a write token. */
const dir = new URL('../../.github/workflows/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const WORKFLOWS = ['ci.yml', 'pr.yml', 'pr-comment.yml'];
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { permissions?: Record<string, string> | string; steps: Step[]; if?: string };
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; concurrency?: { group: string; 'cancel-in-progress'?: boolean }; jobs: Record<string, Job> };
const load = (name: string) => parse(read(name)) as Workflow;
const writes = (job: Job) => Object.entries(typeof job.permissions === 'object' ? job.permissions : {}).filter(([, v]) => v === 'write').map(([k]) => k).sort();

describe('GitHub workflows', () => {
  test.each(WORKFLOWS)('%s pins every action to a full commit SHA with a version comment', (name) => {
    const uses = read(name).split('\n').filter((line) => /^\s*-?\s*uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test.each(WORKFLOWS)('%s never uses pull_request_target, declares top-level permissions, and keeps untrusted expressions out of scripts', (name) => {
    const workflow = load(name);
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect(workflow.permissions).toBeDefined();
    for (const job of Object.values(workflow.jobs)) {
      expect(job.permissions).toBeDefined();
      for (const step of job.steps) {
        // ${{ }} inside run: is a script-injection risk; values reach scripts through env only
        if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
        if (step.run) expect(step.run).not.toMatch(/secrets\./);
        if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
      }
    }
  });

  test('ci.yml: install, test, render, drift check and policy gate run read-only; only the push-only SARIF job writes security events', () => {
    const ci = load('ci.yml');
    expect(ci.permissions).toEqual({ contents: 'read' });
    const build = ci.jobs.build;
    expect(writes(build)).toEqual([]);
    const scripts = build.steps.map((s) => s.run ?? '').join('\n');
    for (const command of ['npm ci', 'compile-schema-validators.mjs --check', 'npm test', 'npx cdk8s synth', 'git diff --exit-code', 'check dist --format sarif']) expect(scripts).toContain(command);
    const upload = ci.jobs['code-scanning'];
    expect(writes(upload)).toEqual(['security-events']);
    expect(upload.if).toContain("github.event_name == 'push'");
    expect(upload.steps.filter((s) => s.run)).toEqual([]);
    expect(upload.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
  });

  test('pr.yml: a pull_request job with contents: read renders, checks and diffs, and uploads the result as an artifact', () => {
    const pr = load('pr.yml');
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    expect(pr.permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(pr.jobs)) {
      expect(job.permissions).toEqual({ contents: 'read' });
      const scripts = job.steps.map((s) => s.run ?? '').join('\n');
      for (const command of ['cdk8s synth', 'check dist --format sarif', 'diff --base', '--format json', '--plan-output review/plan.json', 'pr.json']) expect(scripts).toContain(command);
      expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'pr-review')).toBe(true);
    }
  });

  test('pr-comment.yml: runs on workflow_run with the write scopes it needs and executes no code from the pull request', () => {
    const post = load('pr-comment.yml');
    expect(Object.keys(post.on)).toEqual(['workflow_run']);
    expect(post.on.workflow_run).toEqual({ workflows: ['pr-review'], types: ['completed'] });
    expect(post.permissions).toEqual({});
    const [job] = Object.values(post.jobs);
    expect(writes(job)).toEqual(['checks', 'pull-requests', 'security-events']);
    // the only checkout is the default branch (with history, for the merge base), never the PR head
    const checkouts = job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.map((s) => [s.with?.ref, s.with?.['fetch-depth']])).toEqual([['${{ github.event.repository.default_branch }}', 0]]);
    expect(read('pr-comment.yml')).not.toMatch(/head_sha\s*}}[^\n]*\n?[^\n]*ref:|ref:\s*\$\{\{\s*github\.event\.(workflow_run\.head|pull_request)/);
    // the artifact is data: downloaded outside the workspace, and only its hand-over file is read
    const download = job.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with?.path).toMatch(/^\$\{\{ runner\.temp \}\}\//);
    expect(download.with?.['run-id']).toBe('${{ github.event.workflow_run.id }}');
    const runs = job.steps.filter((s) => s.run).map((s) => s.run!.trim());
    expect(runs[0]).toBe('npm ci');
    expect(runs.at(-1)).toBe('node lib/cli/main.js comment --recompute --repo . --tree-path dist --handover "$REVIEW_DIR/pr.json"');
    expect(job.steps.indexOf(download)).toBeGreaterThan(job.steps.findIndex((s) => s.run === 'npm ci'));
  });

  test('pr-comment.yml: the verdict is recomputed by default-branch code; the PR head is fetched as git objects only, the token never on a command line', () => {
    const [job] = Object.values(load('pr-comment.yml').jobs);
    const fetch = job.steps.find((s) => s.run?.includes('git fetch'))!;
    expect(fetch.env?.HEAD_SHA).toBe('${{ github.event.workflow_run.head_sha }}');
    // objects into a ref, no checkout of them
    expect(fetch.run).toMatch(/git fetch --no-tags origin "\+\$HEAD_SHA:refs\/remotes\/pull-request\/head"/);
    expect(fetch.run).not.toMatch(/checkout|switch|worktree|reset/);
    expect(fetch.run).toContain('GIT_CONFIG_VALUE_0');
    expect(fetch.run).not.toMatch(/git [^\n]*-c [^\n]*extraheader/);
    // nothing runs after the fetch but the trusted comment command (no npm, no scripts from the PR)
    const after = job.steps.slice(job.steps.indexOf(fetch) + 1).filter((s) => s.run).map((s) => s.run!.trim());
    expect(after).toEqual(['node lib/cli/main.js comment --recompute --repo . --tree-path dist --handover "$REVIEW_DIR/pr.json"']);
    // the result files of the artifact (written by the PR's own workflow) are not passed
    expect(after[0]).not.toMatch(/--report|--sarif|--plan/);
  });

  test('pr-comment.yml: one concurrency group per pull request (head repository and branch), not per head SHA', () => {
    const { concurrency } = load('pr-comment.yml');
    expect(concurrency).toEqual({
      group: 'pr-review-comment-${{ github.event.workflow_run.head_repository.full_name }}-${{ github.event.workflow_run.head_branch }}',
      'cancel-in-progress': false,
    });
    expect(concurrency!.group).not.toContain('head_sha');
    expect(load('pr.yml').concurrency?.group).toBe('pr-review-${{ github.event.pull_request.number }}');
  });
});
