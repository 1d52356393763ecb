import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { KUSTOMIZATION_NAMES } from '../policy/kustomize-build.js';
import { isSkippedEntry } from '../policy/loader.js';
import { TreeLoadError } from './load-tree.js';
import { DiffResourceRef, Risk } from './model.js';
import { compareRisks } from './risks.js';

/**
 * Kustomize build configuration in a diff. Flux (and `kubectl apply -k`) applies what kustomize
 * builds from a directory's `kustomization.yaml`: its `resources` list says which files are applied,
 * and its patches, generators, image and name overrides change the objects. The diff compares the
 * objects in the files, not the build, so a change to a kustomization file can change what is
 * applied while every object compared is the same (a `resources` entry removed: Flux prunes the
 * file's objects; a patch added: the applied object differs). Such a change is therefore never
 * silent: each kustomization file added, removed or changed between the trees is a risk that names
 * the file and says what the diff does not show. No value of the file is quoted (a
 * `secretGenerator` may hold literals).
 */

/** Kustomization files of a tree: path relative to the tree root (forward slashes) → git blob id of the bytes. */
export type BuildConfigFiles = ReadonlyMap<string, string>;

/** The git blob id of `bytes` (what `git hash-object` prints), so a directory and a git tree compare alike. */
export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The kustomization files below `root`, walked as the tree reader walks (hidden directories and
 * node_modules skipped, symbolic links to directories not followed: a link to a kustomization file
 * is read).
 */
export function buildConfigOfDirectory(root: string): BuildConfigFiles {
  const found = new Map<string, string>();
  const walk = (dir: string, relative: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (isSkippedEntry(entry.name)) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && KUSTOMIZATION_NAMES.has(entry.name)) found.set(path, gitBlobId(readFileSync(join(dir, entry.name))));
    }
  };
  walk(root, '');
  return found;
}

/**
 * The kustomization files of the tree at `path` in commit `ref` (their blob ids from `git ls-tree`,
 * without a checkout), skipping what {@link buildConfigOfDirectory} skips. The listing is read as
 * it streams and only kustomization files are kept (`git ls-tree` takes no glob pathspecs), so a
 * tree of 10^6 files is never one string.
 */
export async function buildConfigOfGit(repo: string, ref: string, path: string): Promise<BuildConfigFiles> {
  const trimmed = path.replace(/^\.?\/+|\/+$/g, '');
  const prefix = trimmed === '.' ? '' : trimmed;
  const found = new Map<string, string>();
  const record = (line: string): void => {
    const tab = line.indexOf('\t');
    if (tab < 0) return;
    const [, type, sha] = line.slice(0, tab).split(/ +/);
    const file = line.slice(tab + 1);
    const relative = prefix === '' ? file : file.slice(prefix.length + 1);
    const parts = relative.split('/');
    if (type !== 'blob' || !KUSTOMIZATION_NAMES.has(parts[parts.length - 1])) return;
    if (parts.slice(0, -1).some(isSkippedEntry)) return;
    found.set(relative, sha);
  };
  const git = spawn('git', ['-C', repo, 'ls-tree', '-r', '-z', '--full-tree', ref, '--', prefix === '' ? '.' : prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  git.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  const ended = new Promise<number | null>((resolve, reject) => {
    git.on('error', reject);
    git.on('close', resolve);
  });
  let tail = '';
  for await (const chunk of git.stdout.setEncoding('utf8') as AsyncIterable<string>) {
    const text = tail + chunk;
    let start = 0;
    for (let end = text.indexOf('\0'); end >= 0; end = text.indexOf('\0', start)) {
      record(text.slice(start, end));
      start = end + 1;
    }
    tail = text.slice(start);
  }
  const code = await ended;
  if (code !== 0) throw new TreeLoadError(`${ref}:${prefix || '.'}: git ls-tree failed: ${stderr.trim().split('\n')[0] || `exit code ${code}`}`);
  return found;
}

/** The identity a kustomization file has in a risk: kind Kustomization, named by its directory. */
function refOf(file: string): DiffResourceRef {
  const dir = posix.dirname(file);
  return { group: 'kustomize.config.k8s.io', apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: '', name: dir === '.' ? '(tree root)' : dir, file };
}

const NOT_SHOWN = 'this diff compares files, not the build (resources list, patches, generators, overrides): review the file';

/** `report` with `risks` among its risks, in the report's risk order (the same object when there are none). */
export function withRisks<R extends { readonly risks: readonly Risk[] }>(report: R, risks: readonly Risk[]): R {
  return risks.length === 0 ? report : { ...report, risks: [...report.risks, ...risks].sort(compareRisks) };
}

/** One `build-config` risk (medium) per kustomization file added, removed or changed between the trees, by path. */
export function buildConfigRisks(base: BuildConfigFiles, head: BuildConfigFiles): Risk[] {
  const risks: Risk[] = [];
  for (const file of [...new Set([...base.keys(), ...head.keys()])].sort()) {
    const [before, after] = [base.get(file), head.get(file)];
    if (before === after) continue;
    const what = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    risks.push({
      level: 'medium',
      code: 'build-config',
      message: `${file} ${what}: Flux applies what kustomize builds from ${posix.dirname(file) === '.' ? 'the tree root' : `${posix.dirname(file)}/`}; ${NOT_SHOWN}`,
      resource: refOf(file),
    });
  }
  return risks;
}
