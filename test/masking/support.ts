import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { escapeMarkdown, Manifest } from '../../src/diff/index.js';
import { GitHubClient } from '../../src/github/client.js';
import { PullRequestContext } from '../../src/github/actions-context.js';

export { capture } from '../support/run-cli.js';
export type { CliRun as CommandOutput } from '../support/run-cli.js';

/** A temporary tree: one file per object, plus the cluster model of the committed dist/ (for plan). */
export function writeTree(objects: readonly Manifest[], withClusterModel = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'lg-mask-'));
  objects.forEach((object, i) => {
    const file = join(dir, object.metadata.namespace ?? 'cluster', `${i}-${String(object.kind).toLowerCase()}-${object.metadata.name}.yaml`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, dump(object, { noRefs: true, lineWidth: -1 }));
  });
  if (withClusterModel) cpSync('dist/infrastructure/configs/flux-system.config-map-cluster-model.yaml', join(dir, 'cluster-model.yaml'));
  return dir;
}

/** Every form of a secret searched for in outputs: as is, base64, URL-encoded, JSON-escaped, Markdown-escaped. */
export function leakForms(value: string): string[] {
  return [...new Set([
    value,
    Buffer.from(value, 'utf8').toString('base64'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    escapeMarkdown(value, Infinity),
  ])];
}

/** Fails naming the output and the value when any form of any value occurs in any output. */
export function expectNoLeak(outputs: Record<string, string>, values: readonly string[]): void {
  for (const [name, text] of Object.entries(outputs)) {
    for (const value of values) {
      for (const form of leakForms(value)) {
        if (text.includes(form)) throw new Error(`${name} leaks ${JSON.stringify(value)} as ${JSON.stringify(form)}:\n${text.slice(Math.max(0, text.indexOf(form) - 300), text.indexOf(form) + 200)}`);
      }
    }
  }
}

/** What the stub GitHub client was asked to post. */
export interface Posted {
  comments: string[];
  checkRuns: { summary: string; title: string; annotations: { message: string; title?: string }[] }[];
  sarif: string[];
}

/** A GitHub client stub for postReview: an open PR at `headSha`, no comments yet; records every body. */
export function stubGitHub(headSha: string): { client: GitHubClient; posted: Posted } {
  const posted: Posted = { comments: [], checkRuns: [], sarif: [] };
  const client = {
    auth: async () => ({ token: 'x' }),
    paginate: async () => [],
    rest: {
      pulls: { get: async () => ({ data: { head: { sha: headSha } } }) },
      issues: {
        listComments: async () => ({ data: [] }),
        createComment: async (p: { body: string }) => { posted.comments.push(p.body); return { data: { id: 1 } }; },
        updateComment: async (p: { body: string }) => { posted.comments.push(p.body); return { data: { id: 1 } }; },
      },
      checks: {
        create: async (p: { output: Posted['checkRuns'][number] }) => { posted.checkRuns.push(p.output); return { data: { id: 2, html_url: 'https://example.test/run' } }; },
        update: async (p: { output: Posted['checkRuns'][number] }) => { posted.checkRuns.push(p.output); return { data: { id: 2 } }; },
      },
      codeScanning: {
        uploadSarif: async (p: { sarif: string }) => { posted.sarif.push(p.sarif); return { data: { id: 'sarif-1' } }; },
      },
    },
  } as unknown as GitHubClient;
  return { client, posted };
}

/** A pull_request context for the stub. */
export function prContext(headSha: string): PullRequestContext {
  return { owner: 'acme', repo: 'platform', number: 7, headSha, stamp: { headSha, runId: 100, runAttempt: 1 }, apiUrl: 'https://api.github.com', fromHandover: false };
}

/** Everything posted, as one string per kind (SARIF uploads decoded). */
export async function postedOutputs(posted: Posted): Promise<Record<string, string>> {
  const { gunzipSync } = await import('node:zlib');
  return {
    comment: posted.comments.join('\n'),
    checkRunSummary: posted.checkRuns.map((c) => `${c.title}\n${c.summary}`).join('\n'),
    annotations: JSON.stringify(posted.checkRuns.flatMap((c) => c.annotations)),
    sarifUpload: posted.sarif.map((s) => gunzipSync(Buffer.from(s, 'base64')).toString('utf8')).join('\n'),
  };
}
