import { callGitHub, GitHubApiError, GitHubClient } from './client.js';
import { createOnce } from './create-once.js';

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

/**
 * What {@link upsertStickyComment} did. `removedDuplicates` lists the ids of other copies of the
 * sticky comment it deleted (left by runs that raced, or by older versions).
 */
export type StickyOutcome = (
  | { readonly action: 'created'; readonly commentId: number }
  | { readonly action: 'updated'; readonly commentId: number }
  | { readonly action: 'unchanged'; readonly commentId: number }
  | { readonly action: 'skipped-older'; readonly commentId: number; readonly newer: RunStamp }
) & { readonly removedDuplicates?: readonly number[] };

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

interface IssueComment {
  readonly id: number;
  readonly body?: string | null;
  readonly user?: { readonly login?: string } | null;
}

/**
 * Creates or updates the one sticky comment of a PR. Ours are the comments whose body starts with
 * the marker and whose author is the bot (others may quote the marker). The oldest of them (lowest
 * id) is the one kept: every run picks the same one, so runs that race converge. It receives the
 * body of the newest run seen (ours, or a newer one already posted; an older run never overwrites
 * a newer result) and is left alone when that is already its content; every other copy is deleted.
 * When there is none, the comment is created and the comments are listed again (find after create):
 * a run that created its copy at the same time as another run keeps only the oldest.
 * A create that fails with a 5xx is looked up (by its exact body) before it is sent again.
 */
export async function upsertStickyComment(client: GitHubClient, pr: PullRequestRef, content: string, stamp: RunStamp, options: StickyCommentOptions = {}): Promise<StickyOutcome> {
  const marker = markerLine(options.id);
  const bot = options.botLogin ?? 'github-actions[bot]';
  const { owner, repo, number } = pr;
  const body = stickyBody(content, stamp, options.id);
  const listOurs = async (): Promise<IssueComment[]> => {
    const comments = await callGitHub(client, `listing comments of ${owner}/${repo}#${number}`, 'pull-requests: read', () =>
      client.paginate(client.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 }));
    return comments.filter((c) => c.user?.login === bot && (c.body ?? '').startsWith(`${marker}\n`)).sort((a, b) => a.id - b.id);
  };
  let ours = await listOurs();
  let createdId: number | undefined;
  if (ours.length === 0) {
    const created = await createOnce<IssueComment>(client, {
      action: `commenting on ${owner}/${repo}#${number}`,
      permission: 'pull-requests: write',
      create: async () => (await client.rest.issues.createComment({ owner, repo, issue_number: number, body })).data,
      lookUp: async () => {
        const landed = (await listOurs()).find((c) => c.body === body);
        return landed ? { landed: true, value: landed } : { landed: false };
      },
    });
    createdId = created.id;
    ours = await listOurs();
    if (!ours.some((c) => c.id === created.id)) ours = [...ours, created].sort((a, b) => a.id - b.id);
  }
  return settle(client, pr, ours, { body, content, stamp, createdId });
}

/** Keeps the oldest copy with the newest run's body and deletes the others. */
async function settle(client: GitHubClient, pr: PullRequestRef, ours: readonly IssueComment[], mine: { body: string; content: string; stamp: RunStamp; createdId?: number }): Promise<StickyOutcome> {
  const { owner, repo } = pr;
  const [kept, ...duplicates] = ours;
  // the newest run's body among ours and every copy (a copy with the same stamp is our own)
  let target = { body: mine.body, stamp: mine.stamp };
  for (const comment of ours) {
    const stamp = parseStamp(comment.body ?? '');
    if (stamp && isNewerRun(stamp, target.stamp)) target = { body: comment.body ?? '', stamp };
  }
  const keptBody = kept.body ?? '';
  const isMine = target.body === mine.body;
  let action: 'created' | 'updated' | 'unchanged' | 'skipped-older';
  if (keptBody === target.body || (isMine && contentOf(keptBody) === mine.content)) {
    action = !isMine ? 'skipped-older' : kept.id === mine.createdId ? 'created' : 'unchanged';
  } else {
    // written before the duplicates are deleted, so the newest result is never out of sight
    await callGitHub(client, `updating comment ${kept.id} on ${owner}/${repo}#${pr.number}`, 'pull-requests: write', () =>
      client.rest.issues.updateComment({ owner, repo, comment_id: kept.id, body: target.body }));
    action = isMine ? 'updated' : 'skipped-older';
  }
  const removed: number[] = [];
  for (const duplicate of duplicates) {
    try {
      await callGitHub(client, `deleting duplicate comment ${duplicate.id} on ${owner}/${repo}#${pr.number}`, 'pull-requests: write', () =>
        client.rest.issues.deleteComment({ owner, repo, comment_id: duplicate.id }));
      removed.push(duplicate.id);
    } catch (error) {
      // another run deleted it first
      if (!(error instanceof GitHubApiError && error.status === 404)) throw error;
    }
  }
  const extra = removed.length > 0 ? { removedDuplicates: removed } : {};
  return action === 'skipped-older'
    ? { action, commentId: kept.id, newer: target.stamp, ...extra }
    : { action, commentId: kept.id, ...extra };
}
