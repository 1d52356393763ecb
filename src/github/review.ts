import { CapacityDeltaTable, PolicyFinding } from '../diff/findings.js';
import { DiffReport } from '../diff/model.js';
import { COMMENT_BUDGET, renderMarkdown } from '../diff/render-markdown.js';
import { annotationsFor, publishCheckRun } from './check-run.js';
import { callGitHub, GitHubClient } from './client.js';
import { PullRequestContext } from './actions-context.js';
import { markerLine, stampLine, StickyOutcome, upsertStickyComment } from './sticky-comment.js';
import { uploadSarif } from './sarif-upload.js';
import { SecretScrubber } from '../masking/secret-scrubber.js';
import { remaskReport } from '../diff/remask-report.js';

/** Inputs of {@link postReview}. */
export interface ReviewInputs {
  readonly report: DiffReport;
  /** Policy findings for the head tree. @default none (the section is omitted) */
  readonly findings?: readonly PolicyFinding[];
  /** The SARIF text to upload for code scanning. @default none (no upload) */
  readonly sarif?: string;
  /** Capacity plan delta. @default none */
  readonly plan?: CapacityDeltaTable;
  /** Sticky comment id (one comment per id). @default 'diff' */
  readonly commentId?: string;
  /** @default 'github-actions[bot]' */
  readonly botLogin?: string;
  /** Check run name; `false` skips the check run. @default 'lambda-gitops / review' */
  readonly checkName?: string | false;
  /** Prepended to finding file paths so annotations point at repository files. @default '' */
  readonly annotationPathPrefix?: string;
  /** Named in the "not shown" note. @default 'the workflow artifact' */
  readonly fullDiffHint?: string;
  /**
   * The output boundary: every string of the report, findings and plan, the comment body and the
   * annotations pass through it before anything is posted. The secrets of the objects rebuilt
   * from the report (see `remaskReport`) are added to it.
   * @default a scrubber with only those secrets (and the credential shapes: URL passwords, tokens)
   */
  readonly scrubber?: SecretScrubber;
  /**
   * Whether the result was computed by trusted code (the default branch's tool and policies over
   * the PR's tree read as data). When false, the check run is named '<name> (unverified)', its
   * title says so and its conclusion is never `success` (at most `neutral`), so a PR that
   * controls the result cannot turn a required check green. @default false
   */
  readonly verified?: boolean;
}

/** What {@link postReview} knows of the pull request before the inputs are computed. */
export interface PullRequestState {
  /** The PR's base branch, e.g. `main`. */
  readonly baseRef: string;
  /** The PR's current head commit. */
  readonly headSha: string;
}

/** What {@link postReview} did. */
export interface ReviewOutcome {
  /** `stale` when the PR head moved on since the result was rendered: nothing was posted. */
  readonly status: 'posted' | 'stale';
  readonly currentHeadSha?: string;
  readonly comment?: StickyOutcome;
  readonly checkRun?: { id: number; url: string };
  readonly sarifId?: string;
}

/** success, or failure when the policy gate failed, or neutral when only high risks are found. */
export function reviewConclusion(report: DiffReport, findings: readonly PolicyFinding[]): 'success' | 'failure' | 'neutral' {
  if (findings.some((f) => f.level === 'error')) return 'failure';
  return report.risks.some((r) => r.level === 'high') ? 'neutral' : 'success';
}

/** The check run's name: `name` for verified results, else `name (unverified)`. */
export function checkRunName(name: string | undefined, verified: boolean): string {
  const base = name ?? 'lambda-gitops / review';
  return verified ? base : `${base} (unverified)`;
}

/**
 * Posts a review result to a PR: checks first that the PR head is still the commit the result was
 * rendered for (else posts nothing), then the sticky comment, a check run with the findings as
 * annotations, and the SARIF upload. `inputs` may be computed from the PR's state (its base
 * branch), only once the PR is known not to have moved on.
 */
export async function postReview(client: GitHubClient, context: PullRequestContext, given: ReviewInputs | ((pull: PullRequestState) => Promise<ReviewInputs>)): Promise<ReviewOutcome> {
  const { owner, repo, number, headSha } = context;
  const pull = await callGitHub(client, `reading pull request ${owner}/${repo}#${number}`, 'pull-requests: read', () => client.rest.pulls.get({ owner, repo, pull_number: number }));
  if (pull.data.head.sha !== headSha) return { status: 'stale', currentHeadSha: pull.data.head.sha };
  const inputs = typeof given === 'function' ? await given({ baseRef: pull.data.base.ref, headSha: pull.data.head.sha }) : given;
  const verified = inputs.verified ?? false;
  // the report may come from an artifact: mask it again with the masking policy before anything else
  const remasked = remaskReport(inputs.report);
  const scrubber = inputs.scrubber ?? new SecretScrubber();
  for (const object of remasked.objects) scrubber.addObject(object);
  const report = scrubber.scrubDeep(remasked.report);
  const findings = scrubber.scrubDeep(inputs.findings ?? []);
  const overhead = markerLine(inputs.commentId).length + stampLine(context.stamp).length + 2;
  const body = scrubber.scrubText(renderMarkdown(report, {
    budget: COMMENT_BUDGET - overhead,
    title: `Manifest diff for ${headSha.slice(0, 7)}`,
    policy: inputs.findings === undefined ? undefined : findings,
    plan: scrubber.scrubDeep(inputs.plan),
    fullDiffHint: inputs.fullDiffHint ?? 'the workflow artifact',
    // no run link here: the content must stay the same across runs for the unchanged check (the check run links the run)
    footer: `lambda-gitops · updated for ${headSha.slice(0, 7)}`,
  }));
  const comment = await upsertStickyComment(client, { owner, repo, number }, body, context.stamp, { id: inputs.commentId, botLogin: inputs.botLogin });
  let checkRun: ReviewOutcome['checkRun'];
  if (inputs.checkName !== false && comment.action !== 'skipped-older') {
    const errors = findings.filter((f) => f.level === 'error').length;
    const high = report.risks.filter((r) => r.level === 'high').length;
    const conclusion = reviewConclusion(report, findings);
    const title = `${errors} policy failure${errors === 1 ? '' : 's'} · ${high} high risk${high === 1 ? '' : 's'} · ${report.changes.length} objects changed`;
    checkRun = await publishCheckRun(client, {
      owner, repo, headSha, name: checkRunName(inputs.checkName, verified), detailsUrl: context.runUrl,
      conclusion: verified || conclusion === 'failure' ? conclusion : 'neutral',
      title: verified ? title : `Unverified (computed by the pull request's own workflow): ${title}`,
      summary: body,
      annotations: annotationsFor(findings, inputs.annotationPathPrefix),
    });
  }
  const sarifId = inputs.sarif && comment.action !== 'skipped-older'
    ? await uploadSarif(client, { owner, repo, commitSha: headSha, ref: `refs/pull/${number}/head`, sarif: scrubber.scrubText(inputs.sarif) })
    : undefined;
  return { status: 'posted', comment, checkRun, sarifId };
}
