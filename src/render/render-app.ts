import { App } from 'cdk8s';
import { ManifestDirectory } from '../layout/manifest-directory.js';
import { resolve } from 'node:path';
import { replaceDirectoryAtomically, writeFiles } from './atomic-write.js';
import { SynthesisError, synthesizeObjects } from './synthesize.js';
import { TreeFile, layoutTree } from './tree-layout.js';
import { SecretScrubber } from '../masking/secret-scrubber.js';

/**
 * Checks a laid-out tree before it is written; returns problems (empty when valid). Each problem
 * should name the file, the object and the field.
 */
export type TreeValidator = (files: TreeFile[]) => string[] | Promise<string[]>;

/** Options of {@link renderApp}. */
export interface RenderOptions {
  /**
   * Directory that receives the Flux tree; replaced atomically.
   * @default 'dist'
   */
  readonly outdir?: string;
  /**
   * Validators run on the complete tree before anything is written (schema validation, the
   * policy gate). Any problem aborts the render and leaves `outdir` untouched.
   * @default []
   */
  readonly validators?: TreeValidator[];
  /**
   * A second directory that receives a copy of the tree, e.g. the `cdk8s synth` output directory
   * its validation plugins read.
   * @default - `$CDK8S_OUTDIR` when set and different from `outdir`
   */
  readonly mirrorTo?: string;
}

/** What {@link renderApp} wrote. */
export interface RenderResult {
  /** Files written, relative to `outdir`. */
  readonly files: TreeFile[];
  /** Absolute path of `outdir`. */
  readonly outdir: string;
  /** Absolute path of the directory that received a copy (see {@link RenderOptions.mirrorTo}), if any. */
  readonly mirror?: string;
}

/** Directories (relative to the output root) that ManifestDirectories of the app keep across renders. */
export function keptDirectories(app: App): string[] {
  const dirs = app.node.findAll().filter(ManifestDirectory.isManifestDirectory).flatMap((d) => d.keptDirectories);
  return [...new Set(dirs)].sort();
}

/**
 * Renders an app into a Flux tree: one linear synthesis pass, layout, validators, then a journaled
 * swap into `outdir` ({@link replaceDirectoryAtomically}: a failure before it leaves the previous
 * tree as it was; a crash during it leaves complete files and a journal the next render finishes).
 */
export async function renderApp(app: App, options: RenderOptions = {}): Promise<RenderResult> {
  const outdir = resolve(options.outdir ?? 'dist');
  const objects = synthesizeObjects(app);
  const files = layoutTree(objects);
  const kept = keptDirectories(app);
  const problems: string[] = [];
  for (const file of files) {
    const dir = kept.find((k) => file.path.startsWith(`${k}/`));
    if (dir) problems.push(`${file.constructPath ?? file.path}: renders ${file.path} into ${dir}/, a directory another tool owns (kept across renders); use another directory`);
  }
  for (const validate of options.validators ?? []) problems.push(...(await validate(files)));
  if (problems.length > 0) {
    // the output boundary of synth: no problem text may carry a secret value of the rendered objects
    const scrubber = SecretScrubber.of(objects.map((o) => o.manifest));
    throw new SynthesisError(problems.map((problem) => scrubber.scrubText(problem)));
  }
  replaceDirectoryAtomically(outdir, files, kept);
  const mirrorTo = options.mirrorTo ?? process.env.CDK8S_OUTDIR;
  const mirror = mirrorTo && resolve(mirrorTo) !== outdir ? resolve(mirrorTo) : undefined;
  if (mirror) writeFiles(mirror, files);
  return { files, outdir, ...(mirror ? { mirror } : {}) };
}
