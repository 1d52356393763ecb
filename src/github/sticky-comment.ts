import { callGitHub, GitHubClient } from './client.js';

/** Which pull request, in which repository. */
export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

/** What the comment was rendered from: compared so an older run never overwrites a newer one. */
export interface RunStamp {
  /** The PR head commit the comment describes. */
  readonly headSha: string;
  /** The workflow run that rendered it (run ids grow over time). */
  readonly runId: number;
  /** Re-runs of the same run have a higher attempt. @default 1 */
  readonly runAttempt?: number;
}

/** Options of {@link upsertStickyComment}. */
export interface StickyCommentOptions {
  /** Distinguishes several sticky comments on one PR (e.g. per environment). @default 'diff' */
  readonly id?: string;
  /** Only comments by this login are considered ours. @default 'github-actions[bot]' */
  readonly botLogin?: string;
}

/** What {@link upsertStickyComment} did. */
export type StickyOutcome =
  | { readonly action: 'created'; readonly commentId: number }
  | { readonly action: 'updated'; readonly commentId: number }
  | { readonly action: 'unchanged'; readonly commentId: number }
  | { readonly action: 'skipped-older'; readonly commentId: number; readonly newer: RunStamp };

const MARKER_PREFIX = '<!-- lambda-gitops:pr-review id=';
const STAMP = /^<!-- lambda-gitops:stamp head=([0-9a-f]{7,64}) run=(\d+) attempt=(\d+) -->$/m;

/** The hidden first line that identifies our comment. */
export function markerLine(id = 'diff'): string {
  return `${MARKER_PREFIX}${id.replace(/[^A-Za-z0-9_.-]/g, '_')} -->`;
}

/** The hidden second line: head SHA, run id and attempt. */
export function stampLine(stamp: RunStamp): string {
  return `<!-- lambda-gitops:stamp head=${stamp.headSha} run=${stamp.runId} attempt=${stamp.runAttempt ?? 1} -->`;
}

/** Reads the stamp of a comment body. */
export function parseStamp(body: string): RunStamp | undefined {
  const match = STAMP.exec(body);
  return match ? { headSha: match[1], runId: Number(match[2]), runAttempt: Number(match[3]) } : undefined;
}

/** Whether `a` comes from a later run than `b`. */
export function isNewerRun(a: RunStamp, b: RunStamp): boolean {
  return a.runId > b.runId || (a.runId === b.runId && (a.runAttempt ?? 1) > (b.runAttempt ?? 1));
}

/** The full comment body: marker, stamp, content. */
export function stickyBody(content: string, stamp: RunStamp, id?: string): string {
  return `${markerLine(id)}\n${stampLine(stamp)}\n${content}`;
}

function contentOf(body: string): string {
  return body.split('\n').slice(2).join('\n');
}

/**
 * Creates or updates the one sticky comment of a PR. Ours is the latest comment whose body starts
 * with the marker and whose author is the bot (others may quote the marker). It is left alone when
 * its content is the same, or when it was written by a newer run (so a slow, older run never
 * overwrites a newer result).
 */
export async function upsertStickyComment(client: GitHubClient, pr: PullRequestRef, content: string, stamp: RunStamp, options: StickyCommentOptions = {}): Promise<StickyOutcome> {
  const marker = markerLine(options.id);
  const bot = options.botLogin ?? 'github-actions[bot]';
  const { owner, repo, number } = pr;
  const comments = await callGitHub(client, `listing comments of ${owner}/${repo}#${number}`, 'pull-requests: read', () =>
    client.paginate(client.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 }));
  const ours = comments.filter((c) => c.user?.login === bot && (c.body ?? '').startsWith(`${marker}\n`)).at(-1);
  const body = stickyBody(content, stamp, options.id);
  if (!ours) {
    const created = await callGitHub(client, `commenting on ${owner}/${repo}#${number}`, 'pull-requests: write', () =>
      client.rest.issues.createComment({ owner, repo, issue_number: number, body }));
    return { action: 'created', commentId: created.data.id };
  }
  const previous = parseStamp(ours.body ?? '');
  if (previous && isNewerRun(previous, stamp)) return { action: 'skipped-older', commentId: ours.id, newer: previous };
  if (contentOf(ours.body ?? '') === content) return { action: 'unchanged', commentId: ours.id };
  await callGitHub(client, `updating comment ${ours.id} on ${owner}/${repo}#${number}`, 'pull-requests: write', () =>
    client.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body }));
  return { action: 'updated', commentId: ours.id };
}
