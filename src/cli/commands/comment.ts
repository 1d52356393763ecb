import { readFileSync } from 'node:fs';
import { findingsFromSarif, CapacityDeltaTable, PolicyFinding, SarifFormatError } from '../../diff/findings.js';
import { TreeLoadError } from '../../diff/load-tree.js';
import { parseDiffReport } from '../../diff/parse-report.js';
import { isRecord } from '../../diff/paths.js';
import { ActionsContextError, readPullRequestContext } from '../../github/actions-context.js';
import { createGitHubClient, GitHubApiError } from '../../github/client.js';
import { postReview } from '../../github/review.js';
import { trustedReview } from '../../github/trusted-review.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { ScrubbedOutput } from '../scrubbed-output.js';

export const summary = 'post the diff as a sticky PR comment, a check run and a SARIF upload (GitHub Actions)';

const HELP = `Usage: lambda-gitops comment --report DIFF.json [options]
       lambda-gitops comment --recompute [--repo DIR] [--tree-path dist] --handover PR.json [options]

Runs in GitHub Actions (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL).
On a pull_request event the PR comes from the event; on a workflow_run event from --handover,
whose head SHA must match the triggering run. Nothing is posted when the PR head has moved on.

With --recompute the diff, the policy findings, the SARIF and the plan are computed here, by this
installation (the default branch's tool and policies), over the PR head's rendered tree read from
git objects in --repo (fetch the head commit first; nothing from it is executed), against its merge
base with origin/<base branch>. The check run is then 'verified'. Without it the result comes from
the files given, which the pull request's own workflow produced: the check run is named
'... (unverified)' and its conclusion is never success.

Options:
  --recompute          compute the result with trusted code (see above) instead of --report
  --repo DIR           git repository holding the PR head and base commits (default: .)
  --tree-path PATH     the rendered tree inside the repository (default: dist)
  --report FILE        the JSON of 'lambda-gitops diff --format json' (required without --recompute)
  --sarif FILE         policy findings (SARIF from 'lambda-gitops check'): shown in the comment,
                       annotated on the check run, uploaded to code scanning
  --plan FILE          capacity plan delta: {"rows":[{"label","before","after"}],"note"?}
  --handover FILE      {"number": N, "headSha": "..."} written by the pull_request job
  --id NAME            sticky comment id, one comment per id (default: diff)
  --bot-login LOGIN    author of our comments (default: github-actions[bot])
  --check-name NAME    check run name (default: lambda-gitops / review)
  --no-check           do not create a check run
  --no-upload-sarif    do not upload the SARIF file to code scanning
  --annotation-prefix  prefix for finding paths in annotations (e.g. dist/)
  --max-wait SECONDS   longest single wait for a GitHub rate limit (default 120); a longer
                       retry-after or reset fails at once with the time to retry after
  --wait-budget SECONDS  all rate-limit waits together (default 300, the job timeout is 15 min)
`;

function seconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${option} must be a whole number of seconds, got '${value}'`);
  return Number(value);
}

function readJson(file: string, option: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
  }
}

/** Reads a plan delta file: `{"rows": [{"label", "before", "after"}], "note"?}`. */
export function parsePlanDelta(value: unknown, source: string): CapacityDeltaTable {
  const rows = isRecord(value) ? value.rows : undefined;
  if (!Array.isArray(rows) || !rows.every((r) => isRecord(r) && ['label', 'before', 'after'].every((k) => typeof r[k] === 'string'))) {
    throw new UsageError(`--plan ${source}: expected {"rows": [{"label": string, "before": string, "after": string}], "note"?: string}`);
  }
  const note = isRecord(value) && typeof value.note === 'string' ? value.note : undefined;
  return { rows: rows as CapacityDeltaTable['rows'], ...(note ? { note } : {}) };
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions({
      args,
      options: {
        report: { type: 'string' }, sarif: { type: 'string' }, plan: { type: 'string' }, handover: { type: 'string' }, id: { type: 'string' },
        'bot-login': { type: 'string' }, 'check-name': { type: 'string' }, 'no-check': { type: 'boolean' }, 'no-upload-sarif': { type: 'boolean' },
        'annotation-prefix': { type: 'string' }, recompute: { type: 'boolean' }, repo: { type: 'string' }, 'tree-path': { type: 'string' },
        'max-wait': { type: 'string' }, 'wait-budget': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const maxRateLimitWait = seconds(values['max-wait'], '--max-wait');
  const rateLimitWaitBudget = seconds(values['wait-budget'], '--wait-budget');
  if (values.recompute) {
    const given = (['report', 'sarif', 'plan', 'annotation-prefix'] as const).filter((name) => values[name] !== undefined);
    if (given.length) throw new UsageError(`--recompute computes the report, findings and plan itself; drop ${given.map((n) => `--${n}`).join(', ')}`);
  } else if (!values.report) {
    throw new UsageError('--report is required (see --help), or --recompute');
  }
  const out = new ScrubbedOutput();
  try {
    const common = {
      commentId: values.id, botLogin: values['bot-login'],
      checkName: values['no-check'] ? false as const : values['check-name'],
    };
    let inputs: Parameters<typeof postReview>[2];
    const context = readPullRequestContext(process.env, values.handover);
    if (values.recompute) {
      const repo = values.repo ?? '.';
      inputs = async (pull) => {
        const trusted = await trustedReview({ repo, headRef: context.headSha, baseRef: `origin/${pull.baseRef}`, treePath: values['tree-path'] });
        return {
          ...common, verified: true, report: trusted.report, findings: trusted.findings, plan: trusted.plan, scrubber: trusted.scrubber,
          sarif: values['no-upload-sarif'] ? undefined : trusted.sarif,
        };
      };
    } else {
      const report = parseDiffReport(readJson(values.report!, '--report'), values.report!);
      const sarifText = values.sarif ? readFileSync(values.sarif, 'utf8') : undefined;
      const findings: PolicyFinding[] | undefined = sarifText !== undefined ? findingsFromSarif(readJson(values.sarif!, '--sarif'), values.sarif) : undefined;
      const plan = values.plan ? parsePlanDelta(readJson(values.plan, '--plan'), values.plan) : undefined;
      inputs = {
        ...common, verified: false, report, findings, plan,
        sarif: values['no-upload-sarif'] ? undefined : sarifText,
        annotationPathPrefix: values['annotation-prefix'],
      };
    }
    const client = createGitHubClient({ token: process.env.GITHUB_TOKEN ?? '', baseUrl: context.apiUrl, maxRateLimitWait, rateLimitWaitBudget });
    const outcome = await postReview(client, context, inputs);
    const pr = `${context.owner}/${context.repo}#${context.number}`;
    if (outcome.status === 'stale') {
      process.stdout.write(`${pr}: head is now ${outcome.currentHeadSha}, this result is for ${context.headSha}; nothing posted\n`);
      return 0;
    }
    const comment = outcome.comment!;
    const said = comment.action === 'skipped-older' ? `left alone (written by newer run ${comment.newer.runId})` : comment.action;
    process.stdout.write(`${pr}: comment ${comment.commentId} ${said}\n`);
    if (outcome.checkRun) process.stdout.write(`${pr}: check run ${outcome.checkRun.id} ${outcome.checkRun.url}\n`);
    if (outcome.sarifId) process.stdout.write(`${pr}: SARIF upload ${outcome.sarifId}\n`);
    return 0;
  } catch (error) {
    if (error instanceof GitHubApiError) {
      out.error(`lambda-gitops comment: ${error.message}`);
      return 1;
    }
    if (error instanceof ActionsContextError || error instanceof TreeLoadError || error instanceof SarifFormatError) {
      out.error(`lambda-gitops comment: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
