import { PolicyFinding } from '../diff/findings.js';
import { randomUUID } from 'node:crypto';
import { callGitHub, GitHubClient } from './client.js';
import { neutraliseMentions } from '../masking/mentions.js';
import { createOnce } from './create-once.js';

/** At most this many annotations per create/update call (GitHub's limit). */
export const ANNOTATIONS_PER_REQUEST = 50;
const SUMMARY_MAX = 65_535;
const TITLE_MAX = 255;
const MESSAGE_MAX = 60_000;

/** One check-run annotation. */
export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly message: string;
  readonly title?: string;
}

/** Options of {@link publishCheckRun}. */
export interface CheckRunOptions {
  readonly owner: string;
  readonly repo: string;
  /** The PR head commit (not the merge commit of `pull_request` events). */
  readonly headSha: string;
  /** @default 'lambda-gitops / review' */
  readonly name?: string;
  readonly conclusion: 'success' | 'failure' | 'neutral';
  readonly title: string;
  /** Markdown, cut to 65,535 characters. */
  readonly summary: string;
  readonly annotations: readonly CheckAnnotation[];
  /** Link to the workflow run. @default none */
  readonly detailsUrl?: string;
  /**
   * Identifies this check run among those on the commit, so a create that failed with a 5xx can be
   * looked up before it is sent again. @default a random UUID prefixed with 'lambda-gitops:'
   */
  readonly externalId?: string;
}

/**
 * Annotations for findings that name a file (others stay in the summary); line 1 when unknown.
 * Mentions in the message and title are neutralised (the text comes from the pull request).
 */
export function annotationsFor(findings: readonly PolicyFinding[], pathPrefix = ''): CheckAnnotation[] {
  const level = { error: 'failure', warning: 'warning', note: 'notice' } as const;
  return findings.filter((f) => f.file).map((f) => ({
    path: `${pathPrefix}${f.file}`.replace(/^\.\//, ''),
    start_line: f.line ?? 1,
    end_line: f.line ?? 1,
    annotation_level: level[f.level],
    message: neutraliseMentions(f.message.length > MESSAGE_MAX ? `${f.message.slice(0, MESSAGE_MAX - 1)}…` : f.message),
    title: neutraliseMentions(`${f.rule}${f.resource ? `: ${f.resource}` : ''}`).slice(0, TITLE_MAX),
  }));
}

/**
 * Creates a completed check run on the head commit with the first 50 annotations, then appends the
 * rest 50 at a time with updates (GitHub keeps annotations from every update). A create that fails
 * with a 5xx is looked up by its `external_id` before it is sent again, so it never lands twice.
 * @returns the check run id and its web URL
 */
export async function publishCheckRun(client: GitHubClient, options: CheckRunOptions): Promise<{ id: number; url: string }> {
  const { owner, repo } = options;
  const output = (batch: readonly CheckAnnotation[]) => ({
    title: options.title.slice(0, TITLE_MAX),
    summary: options.summary.length > SUMMARY_MAX ? `${options.summary.slice(0, SUMMARY_MAX - 40)}\n\n… (cut at the check-run limit)` : options.summary,
    annotations: [...batch],
  });
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < options.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(options.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const name = options.name ?? 'lambda-gitops / review';
  const externalId = options.externalId ?? `lambda-gitops:${randomUUID()}`;
  const created = await createOnce<{ id: number; html_url?: string | null; external_id?: string | null }>(client, {
    action: `creating check run on ${options.headSha.slice(0, 12)} in ${owner}/${repo}`,
    permission: 'checks: write',
    create: async () => (await client.rest.checks.create({
      owner, repo, name, head_sha: options.headSha, status: 'completed', conclusion: options.conclusion, external_id: externalId,
      ...(options.detailsUrl ? { details_url: options.detailsUrl } : {}),
      output: output(batches[0] ?? []),
    })).data,
    lookUp: async () => {
      const runs = await callGitHub(client, `looking up check runs on ${options.headSha.slice(0, 12)} in ${owner}/${repo}`, 'checks: read', () =>
        client.paginate(client.rest.checks.listForRef, { owner, repo, ref: options.headSha, check_name: name, filter: 'all', per_page: 100 }));
      const landed = runs.find((run) => run.external_id === externalId);
      return landed ? { landed: true, value: landed } : { landed: false };
    },
  });
  for (const batch of batches.slice(1)) {
    await callGitHub(client, `adding annotations to check run ${created.id} in ${owner}/${repo}`, 'checks: write', () =>
      client.rest.checks.update({ owner, repo, check_run_id: created.id, output: output(batch) }));
  }
  return { id: created.id, url: created.html_url ?? '' };
}
