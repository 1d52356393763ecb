import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { CheckReport } from './engine.js';
import type { PolicyResult, ResultSummary, Severity } from './types.js';

/**
 * What a gate run was asked for, normalized so two runs compare equal exactly when they evaluate
 * the same rules the same way.
 */
export interface GateRunOptions {
  readonly severity: Severity;
  /** undefined: the engine's default. */
  readonly targetVersion: string | null;
  readonly exemptions: boolean;
  readonly enable: readonly string[];
  readonly disable: readonly string[];
}

/**
 * The policy gate's result for one rendered tree, written beside the tree `synth` mirrors for
 * `cdk8s synth`'s validation plugins, so the plugin can report it instead of evaluating the same
 * tree again. It is bound to the tree by a SHA-256 over every file's path and bytes.
 */
export interface GateReceipt {
  readonly format: typeof RECEIPT_FORMAT;
  /** {@link treeDigest} of the tree the gate evaluated. */
  readonly treeSha256: string;
  /** Paths of the tree's files, relative to its root, sorted. */
  readonly files: readonly string[];
  readonly options: GateRunOptions;
  /** True when every object was also validated against its schema (the gate then skipped `schema-valid`). */
  readonly schemaValidated: boolean;
  readonly summary: ResultSummary;
  readonly failed: boolean;
  /** Non-passing results; `file` names where the object was written (e.g. under dist/). */
  readonly results: readonly PolicyResult[];
  /** Title, rationale and remediation of each rule in `results`. */
  readonly rules: readonly { id: string; title: string; rationale: string; remediation: string }[];
  /** Where the render wrote the tree (relative to the working directory, e.g. `dist/`) and how many objects it holds, when a render wrote it. */
  readonly rendered?: RenderedTree;
}

/** The directory a render replaced with the tree a receipt covers. */
export interface RenderedTree {
  /** The directory as the user named it, relative to the working directory, with a trailing `/`. */
  readonly outdir: string;
  /** Kubernetes objects in the tree. */
  readonly objects: number;
}

export const RECEIPT_FORMAT = 'lambda-gitops.gate-receipt/v1';

/** Where a receipt lives inside a tree (a dot directory, so no manifest loader reads it). */
export const RECEIPT_PATH = '.lambda-gitops/gate-receipt.json';

/** SHA-256 over the files' paths and contents (sorted by path, each field NUL-terminated). */
export function treeDigest(files: readonly { path: string; content: string | Buffer }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(file.path).update('\0').update(file.content).update('\0');
  }
  return hash.digest('hex');
}

/** {@link GateRunOptions} from the options a gate run received. */
export function normalizeGateOptions(options: {
  severity?: Severity; targetVersion?: string; exemptions?: boolean; enable?: readonly string[]; disable?: readonly string[];
}): GateRunOptions {
  return {
    severity: options.severity ?? 'error',
    targetVersion: options.targetVersion ?? null,
    exemptions: options.exemptions ?? true,
    enable: [...new Set(options.enable ?? [])].sort(),
    disable: [...new Set(options.disable ?? [])].sort(),
  };
}

/** Builds the receipt for `report`, computed by a gate run with `options` over `files`. */
export function createGateReceipt(
  files: readonly { path: string; content: string }[], options: GateRunOptions, report: CheckReport, schemaValidated: boolean,
  rendered?: RenderedTree,
): GateReceipt {
  const used = new Set(report.results.map((r) => r.policy));
  return {
    format: RECEIPT_FORMAT,
    treeSha256: treeDigest(files),
    files: files.map((f) => f.path).sort(),
    options,
    schemaValidated,
    summary: report.summary,
    failed: report.failed,
    results: report.results.filter((r) => r.result !== 'pass'),
    rules: report.policies.filter((p) => used.has(p.id)).map((p) => ({ id: p.id, title: p.title, rationale: p.rationale, remediation: p.remediation })),
    ...(rendered ? { rendered } : {}),
  };
}

/** Writes `receipt` into the tree at `root`. */
export function writeGateReceipt(root: string, receipt: GateReceipt): void {
  const path = join(root, RECEIPT_PATH);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(receipt)}\n`);
}

/**
 * The receipt that covers exactly `manifestPaths` with `options`, or a reason why none does. The
 * receipt is looked for in the manifests' directories and their parents; it covers them only when
 * the set of files is the same and the SHA-256 of their current bytes equals the receipt's. The
 * options must be equal, except that `schema-valid` may be enabled when the render validated every
 * schema itself (a receipt exists only for a render that passed, so that rule passed too).
 */
export function findGateReceipt(manifestPaths: readonly string[], options: GateRunOptions): { receipt?: GateReceipt; reason: string } {
  if (manifestPaths.length === 0) return { reason: 'no manifests' };
  let root: string | undefined;
  for (let dir = dirname(manifestPaths[0]); ; dir = dirname(dir)) {
    if (existsSync(join(dir, RECEIPT_PATH))) {
      root = dir;
      break;
    }
    if (dirname(dir) === dir || dir === '.') break;
  }
  if (!root) return { reason: `no ${RECEIPT_PATH} beside the manifests` };
  let receipt: GateReceipt;
  try {
    receipt = JSON.parse(readFileSync(join(root, RECEIPT_PATH), 'utf8')) as GateReceipt;
  } catch {
    return { reason: `${join(root, RECEIPT_PATH)} is unreadable` };
  }
  if (receipt.format !== RECEIPT_FORMAT) return { reason: `${RECEIPT_PATH} has another format` };
  const files = manifestPaths.map((p) => ({ path: relative(root, p).split(sep).join('/'), content: readFileSync(p) }));
  const paths = files.map((f) => f.path).sort();
  if (paths.length !== receipt.files.length || paths.some((p, i) => p !== receipt.files[i])) {
    return { reason: 'the manifests are not the files the gate evaluated' };
  }
  if (treeDigest(files) !== receipt.treeSha256) return { reason: 'the manifests changed after the gate evaluated them' };
  const withoutSchema = (o: GateRunOptions) => ({ ...o, disable: o.disable.filter((id) => !(receipt.schemaValidated && id === 'schema-valid')) });
  if (JSON.stringify(withoutSchema(receipt.options)) !== JSON.stringify(withoutSchema(options))) {
    return { reason: 'the gate ran with other options' };
  }
  return { receipt, reason: `result of the render's gate for this tree, sha256 ${receipt.treeSha256.slice(0, 12)}` };
}
