import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { PlanInputError } from '../capacity/workloads.js';
import { buildConfigOfGit, buildConfigRisks, withRisks } from '../diff/build-config.js';
import { diffTrees } from '../diff/compute.js';
import { CapacityDeltaTable, PolicyFinding } from '../diff/findings.js';
import { SecretScrubber } from '../masking/secret-scrubber.js';
import { isGitRef, parseManifestFiles, readManifestFilesFromGit, TreeLoadError } from '../diff/load-tree.js';
import { DiffReport } from '../diff/model.js';
import { planDeltaOfTrees } from '../diff/plan-delta.js';
import { findingOf } from '../diff/policy-findings.js';
import { runCheck } from '../policy/engine.js';
import { manifestsFromText } from '../policy/loader.js';
import { toSarif } from '../policy/report/sarif.js';

/** Inputs of {@link trustedReview}. */
export interface TrustedReviewInputs {
  /** The git repository holding both commits (the default branch's checkout). */
  readonly repo: string;
  /** The PR head commit (fetched into `repo`; only its git objects are read). */
  readonly headRef: string;
  /** The PR's base branch tip, e.g. `origin/main`; the diff starts at its merge base with the head. */
  readonly baseRef: string;
  /** The rendered tree inside the repository. @default 'dist' */
  readonly treePath?: string;
  /** The policy folders to check with. @default the installed tool's policies/ (the default branch's) */
  readonly policiesDir?: string;
}

/** What {@link trustedReview} computed. */
export interface TrustedReview {
  readonly report: DiffReport;
  /** Findings of the gate over the head tree; file paths are repository paths (`dist/...`). */
  readonly findings: PolicyFinding[];
  /** The same findings as SARIF, for code scanning. */
  readonly sarif: string;
  /** Capacity plan delta, when the head tree has a cluster model. */
  readonly plan?: CapacityDeltaTable;
  /** The commit the diff starts from (merge base of head and base). */
  readonly baseCommit: string;
  /** The secrets of both trees (every object), for the output boundary of what is posted. */
  readonly scrubber: SecretScrubber;
}

function mergeBase(repo: string, a: string, b: string): string {
  try {
    return execFileSync('git', ['-C', repo, 'merge-base', a, b], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new TreeLoadError(`${a} and ${b} have no common commit in the git repository at ${repo} (fetch the whole history: fetch-depth: 0)`);
  }
}

/**
 * The review verdict computed by trusted code: this installation's policies and diff, run over the
 * PR's rendered tree read as data from git objects (no checkout, nothing from the PR is executed or
 * followed). The diff compares the head's tree with the tree at the merge base of head and base, so
 * it shows the PR's own changes. Nothing here comes from the PR's workflow or artifact.
 */
export async function trustedReview(inputs: TrustedReviewInputs): Promise<TrustedReview> {
  const treePath = (inputs.treePath ?? 'dist').replace(/^\.?\/+|\/+$/g, '');
  for (const ref of [inputs.headRef, inputs.baseRef]) {
    if (!isGitRef(inputs.repo, ref)) throw new TreeLoadError(`${ref}: not a commit in the git repository at ${inputs.repo} (fetch it first)`);
  }
  const baseCommit = mergeBase(inputs.repo, inputs.baseRef, inputs.headRef);
  const headFiles = readManifestFilesFromGit(inputs.repo, inputs.headRef, treePath, 'skip');
  const head = parseManifestFiles(headFiles);
  const base = parseManifestFiles(readManifestFilesFromGit(inputs.repo, baseCommit, treePath, 'skip'));
  const check = await runCheck({
    manifests: manifestsFromText(headFiles.map((f) => ({ file: treePath === '' ? f.path : `${treePath}/${f.path}`, text: f.text }))),
    ...(inputs.policiesDir ? { policiesDir: inputs.policiesDir } : {}),
  });
  const findings = check.results.map(findingOf).filter((f): f is PolicyFinding => f !== undefined);
  const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  let plan: CapacityDeltaTable | undefined;
  try {
    plan = planDeltaOfTrees(base, head);
  } catch (error) {
    // no (valid) cluster model in the tree: the comment has no plan section
    if (!(error instanceof PlanInputError)) throw error;
  }
  const scrubber = new SecretScrubber();
  for (const tree of [base, head]) for (const { manifest } of tree.values()) scrubber.addObject(manifest);
  // a kustomization file that differs changes what Flux applies without changing an object: a risk
  const buildConfig = buildConfigRisks(await buildConfigOfGit(inputs.repo, baseCommit, treePath), await buildConfigOfGit(inputs.repo, inputs.headRef, treePath));
  return { report: withRisks(diffTrees(base, head), buildConfig), findings, sarif: JSON.stringify(toSarif(check.results, check.policies, version)), plan, baseCommit, scrubber };
}
