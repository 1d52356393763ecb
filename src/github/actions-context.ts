import { readFileSync } from 'node:fs';
import { isRecord } from '../diff/paths.js';
import { RunStamp } from './sticky-comment.js';

/** Bad or missing GitHub Actions input; the message names the variable or file. */
export class ActionsContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionsContextError';
  }
}

/** The pull request a run is about, and where to reach the API. */
export interface PullRequestContext {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** The PR head commit (from the event, never the merge commit). */
  readonly headSha: string;
  /** Identifies the run that rendered the result (the `pull_request` run for `workflow_run`). */
  readonly stamp: RunStamp;
  readonly apiUrl: string;
  /** Link to the run for the comment and check run. */
  readonly runUrl?: string;
  /** Whether the PR number came from a hand-over file (must be verified against the API). */
  readonly fromHandover: boolean;
}

/** What the read-only `pull_request` job writes for the posting job: `{"number": 12, "headSha": "..."}`. */
export interface Handover {
  readonly number: number;
  readonly headSha: string;
}

const SHA = /^[0-9a-f]{40}$/;

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ActionsContextError(`${what} ${path}: ${(error as Error).message}`);
  }
}

/** Reads and checks a hand-over file. */
export function readHandover(path: string): Handover {
  const data = readJson(path, 'hand-over file');
  if (!isRecord(data) || !Number.isInteger(data.number) || (data.number as number) <= 0) throw new ActionsContextError(`hand-over file ${path}: 'number' must be a positive integer`);
  if (typeof data.headSha !== 'string' || !SHA.test(data.headSha)) throw new ActionsContextError(`hand-over file ${path}: 'headSha' must be a 40-character commit SHA`);
  return { number: data.number as number, headSha: data.headSha };
}

/**
 * The PR context from the Actions environment: `GITHUB_REPOSITORY`, `GITHUB_EVENT_PATH`,
 * `GITHUB_API_URL`, `GITHUB_RUN_ID`/`GITHUB_RUN_ATTEMPT`. On `pull_request` events the number and
 * head SHA come from the event; on `workflow_run` events from the hand-over file, whose head SHA
 * must equal the triggering run's `head_sha` (which GitHub sets, the PR cannot).
 */
export function readPullRequestContext(env: NodeJS.ProcessEnv, handoverPath?: string): PullRequestContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, extra] = repository.split('/');
  if (!owner || !repo || extra !== undefined) throw new ActionsContextError(`GITHUB_REPOSITORY must be OWNER/NAME, got '${repository}'`);
  if (!env.GITHUB_EVENT_PATH) throw new ActionsContextError('GITHUB_EVENT_PATH is not set (run inside GitHub Actions, or set it to an event JSON file)');
  const event = readJson(env.GITHUB_EVENT_PATH, 'event file');
  if (!isRecord(event)) throw new ActionsContextError(`event file ${env.GITHUB_EVENT_PATH}: not a JSON object`);
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com';
  const runId = Number(env.GITHUB_RUN_ID ?? 0);
  const runAttempt = Number(env.GITHUB_RUN_ATTEMPT ?? 1);
  const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const pr = event.pull_request;
  if (isRecord(pr)) {
    const head = isRecord(pr.head) ? pr.head.sha : undefined;
    if (!Number.isInteger(pr.number) || typeof head !== 'string') throw new ActionsContextError(`event file ${env.GITHUB_EVENT_PATH}: pull_request.number or pull_request.head.sha is missing`);
    return { owner, repo, number: pr.number as number, headSha: head, stamp: { headSha: head, runId, runAttempt }, apiUrl, runUrl, fromHandover: false };
  }
  const run = event.workflow_run;
  if (isRecord(run)) {
    if (!handoverPath) throw new ActionsContextError('a workflow_run event needs --handover FILE (written by the pull_request job)');
    const handover = readHandover(handoverPath);
    if (handover.headSha !== run.head_sha) {
      throw new ActionsContextError(`hand-over file ${handoverPath}: headSha ${handover.headSha} is not the head_sha ${String(run.head_sha)} of the workflow run that produced it`);
    }
    const sourceRun = { headSha: handover.headSha, runId: Number(run.id ?? runId), runAttempt: Number(run.run_attempt ?? 1) };
    const sourceUrl = typeof run.html_url === 'string' ? run.html_url : runUrl;
    return { owner, repo, number: handover.number, headSha: handover.headSha, stamp: sourceRun, apiUrl, runUrl: sourceUrl, fromHandover: true };
  }
  throw new ActionsContextError(`event file ${env.GITHUB_EVENT_PATH}: neither a pull_request nor a workflow_run event`);
}
