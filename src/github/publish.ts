import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listYamlFiles } from '../diff/load-tree.js';
import { callGitHub, GitHubApiError, GitHubClient } from './client.js';

/** Options of {@link publishTree}. */
export interface PublishOptions {
  readonly owner: string;
  readonly repo: string;
  /** Branch to commit to (created from {@link base} when missing). */
  readonly branch: string;
  /** Branch the PR targets. @default 'main' */
  readonly base?: string;
  /** Files to publish: path (relative, forward slashes) → content. */
  readonly files: ReadonlyMap<string, string>;
  /** Directory in the target repository that mirrors {@link files}; paths below it that are not in files are deleted. @default '' (the root) */
  readonly path?: string;
  /** @default 'Update rendered manifests' */
  readonly message?: string;
  /** PR title. @default the commit message */
  readonly title?: string;
  /** PR body. @default '' */
  readonly body?: string;
}

/** What {@link publishTree} did. */
export interface PublishResult {
  /** The new commit, or undefined when nothing changed. */
  readonly commitSha?: string;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly deleted: readonly string[];
  /** The open PR from branch to base, when there is one. */
  readonly pullRequest?: { readonly number: number; readonly url: string; readonly created: boolean };
}

/** The git blob id of a text (what `git hash-object` prints), to compare without uploading. */
export function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The YAML files of a rendered directory as a path → content map. */
export function readPublishFiles(dir: string): Map<string, string> {
  return new Map(listYamlFiles(dir).map((path) => [path, readFileSync(join(dir, path), 'utf8')]));
}

function isNotFound(error: unknown): boolean {
  return error instanceof GitHubApiError && error.status === 404;
}

/**
 * Commits a rendered tree to a GitOps repository through the Git Data API and opens or updates
 * the pull request: blobs for new or changed files, one tree on the branch's tree (deleted paths
 * as `sha: null`), one commit, then the ref (`createRef` for a new branch, `updateRef` otherwise).
 * Nothing is committed when the branch already holds exactly these files.
 */
export async function publishTree(client: GitHubClient, options: PublishOptions): Promise<PublishResult> {
  const { owner, repo, branch } = options;
  const base = options.base ?? 'main';
  const prefix = (options.path ?? '').replace(/^\/+|\/+$/g, '');
  const where = `${owner}/${repo}`;
  const getRef = (name: string) => callGitHub(client, `reading branch ${name} of ${where}`, 'contents: read', () => client.rest.git.getRef({ owner, repo, ref: `heads/${name}` }));
  let branchSha: string | undefined;
  try {
    branchSha = (await getRef(branch)).data.object.sha;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const parentSha = branchSha ?? (await getRef(base)).data.object.sha;
  const parent = await callGitHub(client, `reading commit ${parentSha.slice(0, 12)} of ${where}`, 'contents: read', () => client.rest.git.getCommit({ owner, repo, commit_sha: parentSha }));
  const tree = await callGitHub(client, `reading tree of ${parentSha.slice(0, 12)} in ${where}`, 'contents: read', () => client.rest.git.getTree({ owner, repo, tree_sha: parent.data.tree.sha, recursive: 'true' }));
  if (tree.data.truncated) throw new GitHubApiError(`reading tree of ${where}: GitHub truncated the recursive listing (too many entries); publish to a smaller --path`, 0, 'reading tree');
  // only YAML files below the prefix are managed: other files (README, workflows) are never deleted
  const inPrefix = (path: string) => (prefix === '' || path.startsWith(`${prefix}/`)) && /\.ya?ml$/.test(path);
  const existing = new Map(tree.data.tree.filter((e) => e.type === 'blob' && e.path && inPrefix(e.path)).map((e) => [e.path!, e.sha!]));
  const target = (path: string) => (prefix === '' ? path : `${prefix}/${path}`);
  const added: string[] = [];
  const changed: string[] = [];
  const entries: { path: string; mode: '100644'; type: 'blob'; sha: string | null }[] = [];
  for (const [path, content] of [...options.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const full = target(path);
    const old = existing.get(full);
    if (old === gitBlobSha(content)) continue;
    (old === undefined ? added : changed).push(full);
    const blob = await callGitHub(client, `uploading ${full} to ${where}`, 'contents: write', () => client.rest.git.createBlob({ owner, repo, content, encoding: 'utf-8' }));
    entries.push({ path: full, mode: '100644', type: 'blob', sha: blob.data.sha });
  }
  const wanted = new Set([...options.files.keys()].map(target));
  const deleted = [...existing.keys()].filter((path) => !wanted.has(path)).sort();
  for (const path of deleted) entries.push({ path, mode: '100644', type: 'blob', sha: null });
  let commitSha: string | undefined;
  if (entries.length > 0) {
    const newTree = await callGitHub(client, `creating tree in ${where}`, 'contents: write', () => client.rest.git.createTree({ owner, repo, base_tree: parent.data.tree.sha, tree: entries }));
    const message = options.message ?? 'Update rendered manifests';
    const commit = await callGitHub(client, `creating commit in ${where}`, 'contents: write', () => client.rest.git.createCommit({ owner, repo, message, tree: newTree.data.sha, parents: [parentSha] }));
    commitSha = commit.data.sha;
    if (branchSha) {
      await callGitHub(client, `moving branch ${branch} of ${where}`, 'contents: write', () => client.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.data.sha, force: false }));
    } else {
      await callGitHub(client, `creating branch ${branch} in ${where}`, 'contents: write', () => client.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: commit.data.sha }));
    }
  }
  const result = { commitSha, added, changed, deleted };
  if (!commitSha && !branchSha) return result;
  const pullRequest = await ensurePullRequest(client, options, base);
  return { ...result, pullRequest };
}

async function ensurePullRequest(client: GitHubClient, options: PublishOptions, base: string): Promise<PublishResult['pullRequest']> {
  const { owner, repo, branch } = options;
  const title = options.title ?? options.message ?? 'Update rendered manifests';
  const body = options.body ?? '';
  const open = await callGitHub(client, `listing pull requests of ${owner}/${repo}`, 'pull-requests: read', () =>
    client.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, base, state: 'open', per_page: 10 }));
  const existing = open.data[0];
  if (existing) {
    if (existing.title !== title || (existing.body ?? '') !== body) {
      await callGitHub(client, `updating pull request #${existing.number} of ${owner}/${repo}`, 'pull-requests: write', () =>
        client.rest.pulls.update({ owner, repo, pull_number: existing.number, title, body }));
    }
    return { number: existing.number, url: existing.html_url, created: false };
  }
  const created = await callGitHub(client, `opening a pull request ${branch} → ${base} in ${owner}/${repo}`, 'pull-requests: write', () =>
    client.rest.pulls.create({ owner, repo, head: branch, base, title, body }));
  return { number: created.data.number, url: created.data.html_url, created: true };
}
