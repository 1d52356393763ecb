import { existsSync, readFileSync } from 'node:fs';
import { diffTrees } from '../../diff/compute.js';
import { ClusterModelError } from '../../cluster/cluster-model-file.js';
import { PlanInputError } from '../../capacity/workloads.js';
import { findingsFromSarif, CapacityDeltaTable, PolicyFinding, SarifFormatError } from '../../diff/findings.js';
import { planDeltaOfTrees } from '../../diff/plan-delta.js';
import { buildConfigOfBase, loadBase, openBase } from '../../diff/load-side.js';
import { buildConfigOfDirectory, buildConfigRisks, withRisks } from '../../diff/build-config.js';
import { diffSourcesSpilled } from '../../diff/stream-diff.js';
import { ChangeSpill } from '../../diff/change-spill.js';
import { directorySource } from '../../diff/tree-source.js';
import { policyFindingsFor } from '../../diff/policy-findings.js';
import { TreeLoadError, readTreeFromDirectory } from '../../diff/load-tree.js';
import { MarkdownDraft } from '../../diff/render-markdown.js';
import { reviewable, ReviewableReport, scrubbedReview } from '../../diff/review-order.js';
import { renderJsonChunks, renderTextChunks } from '../../diff/render-text.js';
import { ManifestLoadError as PolicyLoadError } from '../../policy/loader.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { ScrubbedOutput } from '../scrubbed-output.js';
import { SecretScrubber } from '../../masking/secret-scrubber.js';
import { refusePendingSwap } from '../../render/swap-journal.js';
import { Manifest, ManifestTree } from '../../diff/model.js';

export const summary = 'semantic diff of two rendered trees (directory or git ref) with risks';

const HELP = `Usage: lambda-gitops diff --base DIR|GIT-REF --head DIR [options]

Compares the objects of two rendered trees, matched by group, kind, namespace and name (a file
move is no change), with field-level changes and risks listed first. Secret values are never shown.
Every format lists any number of objects (the masked changes wait in a private temporary file
under $TMPDIR that has no name on disk), and any number of objects may differ in content
(past 100,000 the head files are read again in batches).

Options:
  --base DIR|REF     base tree: a directory, or a git ref whose tree is read without a checkout
  --head DIR         head tree directory (e.g. dist)
  --base-path PATH   path of the tree inside the repository at REF (default: the head directory's
                     path in the repository, else dist)
  --repo DIR         git repository for REF (default: the one containing the current directory)
  --format FORMAT    text (default), markdown (PR comment, at most 60,000 characters) or json
  --output FILE      write the report to FILE instead of standard output
  --full FILE        also write the complete Markdown diff (no size limit) to FILE
  --budget N         maximum length of the Markdown (default 60000; e.g. 330000 for a job summary,
                     whose limit is 1 MiB)
  --policy SARIF     include the policy findings of this SARIF file (lambda-gitops check output)
  --check            run the policy gate over the head tree and include its findings (Markdown)
  --plan             include the capacity plan delta, base vs head (Markdown; needs the cluster
                     model ConfigMap in the head tree)
  --plan-output FILE with --plan: also write the delta as JSON for 'lambda-gitops comment --plan'
  --title TEXT       heading of the Markdown report (default: "Manifest diff · BASE → HEAD")

Environment:
  LAMBDA_GITOPS_HEAP_MB  heap limit in MiB the diff runs under (default 700: the command starts
                     itself again in a child node with --max-old-space-size, so a diff of 10^6
                     objects stays within 1 GB); 0 keeps Node's own limit, as does a
                     --max-old-space-size in NODE_OPTIONS. Reaching the limit is exit 2.
`;

const FORMATS = ['text', 'markdown', 'json'] as const;

function readFindings(file: string): PolicyFinding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--policy ${file}: ${(error as Error).message}`);
  }
  return findingsFromSarif(parsed, file);
}

/** The secrets of both trees, for the output boundary. */
function scrubberOf(...trees: ManifestTree[]): SecretScrubber {
  const scrubber = new SecretScrubber();
  for (const tree of trees) for (const { manifest } of tree.values()) scrubber.addObject(manifest);
  return scrubber;
}

export async function run(args: string[]): Promise<number> {
  // the report's listed changes spill to a private temporary file (see ChangeSpill), removed here
  // whatever happens (and on exit or a signal by the spill itself)
  const spill = { current: undefined as ChangeSpill | undefined };
  try {
    return await runDiff(args, spill);
  } finally {
    spill.current?.close();
  }
}

async function runDiff(args: string[], spill: { current: ChangeSpill | undefined }): Promise<number> {
  const { values } = parseOptions({
      args,
      options: {
        base: { type: 'string' }, head: { type: 'string' }, 'base-path': { type: 'string' }, repo: { type: 'string' },
        format: { type: 'string', default: 'text' }, output: { type: 'string' }, full: { type: 'string' }, budget: { type: 'string' },
        policy: { type: 'string' }, check: { type: 'boolean' }, plan: { type: 'boolean' }, 'plan-output': { type: 'string' }, title: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.base || !values.head) throw new UsageError('--base and --head are required (see --help)');
  const format = values.format as (typeof FORMATS)[number];
  const budget = values.budget === undefined ? undefined : Number(values.budget);
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 4_000)) throw new UsageError(`--budget must be a whole number of at least 4000, got '${values.budget}'`);
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
  let report: ReviewableReport;
  let baseName: string;
  let policy: PolicyFinding[] | undefined;
  let plan: CapacityDeltaTable | undefined;
  // a base given as a directory is read from disk like the head; a git ref's tree is not
  refusePendingSwap(existsSync(values.base) ? [values.base, values.head] : [values.head]);
  const out = new ScrubbedOutput();
  const baseSide = { base: values.base, headDir: values.head, path: values['base-path'], repo: values.repo };
  try {
    if (values.plan) {
      // the capacity planner needs every workload of both trees: both are held
      const base = loadBase(baseSide);
      baseName = base.description;
      const head = readTreeFromDirectory(values.head);
      out.scrubber = scrubberOf(base.tree, head);
      report = reviewable(diffTrees(base.tree, head));
      plan = planDeltaOfTrees(base.tree, head);
    } else {
      // streamed: a digest per base object, the head read file by file (the same report), the
      // listed changes spilled to a file; every format, Markdown too, reads them back from it
      const base = openBase(baseSide);
      baseName = base.description;
      const scrubber = new SecretScrubber();
      out.scrubber = scrubber;
      const head = directorySource(values.head);
      const onObject = (manifest: Manifest) => scrubber.addObject(manifest);
      report = diffSourcesSpilled(base, head, (spill.current = new ChangeSpill()), { onObject });
    }
    // a kustomization file that differs changes what Flux applies without changing an object: a risk
    report = withRisks(report, buildConfigRisks(await buildConfigOfBase(baseSide), buildConfigOfDirectory(values.head)));
    policy = values.policy ? readFindings(values.policy) : values.check ? await policyFindingsFor(values.head) : undefined;
  } catch (error) {
    if (error instanceof TreeLoadError || error instanceof SarifFormatError || error instanceof PolicyLoadError || error instanceof PlanInputError || error instanceof ClusterModelError) {
      out.error(`lambda-gitops diff: ${error.message}`);
      return 2;
    }
    throw error;
  }
  // scrubbed before rendering too, so no escaping (Markdown, YAML, JSON) hides a value from the
  // final pass: risks once, each change (and each identity the Markdown lists) as it is read
  // back; every piece written is scrubbed again, and no format builds the whole report as one string
  const scrubber = out.scrubber;
  const scrubbed = scrubbedReview(report, (value) => scrubber.scrubDeep(value));
  policy = scrubber.scrubDeep(policy);
  plan = scrubber.scrubDeep(plan);
  if (plan && values['plan-output']) out.write(values['plan-output'], `${JSON.stringify(plan, null, 2)}\n`, '--plan-output');
  if (format === 'markdown' || values.full) {
    // the fixed sections and the review order are computed once for the comment and --full, the
    // blocks once for both
    const draft = new MarkdownDraft(scrubbed, { title: scrubber.scrubText(values.title ?? `Manifest diff · ${baseName} → ${values.head}`), policy, plan });
    const layout = { budget, fullDiffHint: values.full ? `\`${values.full}\`` : undefined };
    // with both, the comment is packed from the blocks of the full diff as they are written
    const comment = format === 'markdown' && values.full ? draft.packing(layout) : undefined;
    if (values.full) out.writeChunks(values.full, draft.chunks({ budget: Infinity }, comment), '--full');
    if (comment) out.write(values.output, comment.body());
    else if (format === 'markdown') out.writeChunks(values.output, draft.chunks(layout));
  }
  if (format !== 'markdown') out.writeChunks(values.output, format === 'json' ? renderJsonChunks(scrubbed) : renderTextChunks(scrubbed));
  return 0;
}
