import { readFileSync } from 'node:fs';
import { findingsFromSarif, CapacityDeltaTable, PolicyFinding, SarifFormatError } from '../../diff/findings.js';
import { TreeLoadError } from '../../diff/load-tree.js';
import { parseDiffReport } from '../../diff/parse-report.js';
import { isRecord } from '../../diff/paths.js';
import { ActionsContextError, readPullRequestContext } from '../../github/actions-context.js';
import { createGitHubClient, GitHubApiError } from '../../github/client.js';
import { postReview } from '../../github/review.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { ScrubbedOutput } from '../scrubbed-output.js';

export const summary = 'post the diff as a sticky PR comment, a check run and a SARIF upload (GitHub Actions)';

const HELP = `Usage: lambda-gitops comment --report DIFF.json [options]

Runs in GitHub Actions (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL).
On a pull_request event the PR comes from the event; on a workflow_run event from --handover,
whose head SHA must match the triggering run. Nothing is posted when the PR head has moved on.

Options:
  --report FILE        the JSON of 'lambda-gitops diff --format json' (required)
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
`;

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
        'annotation-prefix': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.report) throw new UsageError('--report is required (see --help)');
  const out = new ScrubbedOutput();
  try {
    const report = parseDiffReport(readJson(values.report, '--report'), values.report);
    const sarifText = values.sarif ? readFileSync(values.sarif, 'utf8') : undefined;
    const findings: PolicyFinding[] | undefined = sarifText !== undefined ? findingsFromSarif(readJson(values.sarif!, '--sarif'), values.sarif) : undefined;
    const plan = values.plan ? parsePlanDelta(readJson(values.plan, '--plan'), values.plan) : undefined;
    const context = readPullRequestContext(process.env, values.handover);
    const client = createGitHubClient({ token: process.env.GITHUB_TOKEN ?? '', baseUrl: context.apiUrl });
    const outcome = await postReview(client, context, {
      report, findings, plan,
      sarif: values['no-upload-sarif'] ? undefined : sarifText,
      commentId: values.id, botLogin: values['bot-login'],
      checkName: values['no-check'] ? false : values['check-name'],
      annotationPathPrefix: values['annotation-prefix'],
    });
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
