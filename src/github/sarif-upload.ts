import { gzipSync } from 'node:zlib';
import { GitHubClient } from './client.js';
import { createOnce } from './create-once.js';

/** GitHub refuses SARIF uploads above 10 MB after gzip. */
export const SARIF_MAX_GZIP_BYTES = 10 * 1024 * 1024;

/** Options of {@link uploadSarif}. */
export interface SarifUploadOptions {
  readonly owner: string;
  readonly repo: string;
  readonly commitSha: string;
  /** `refs/pull/<n>/head` shows results on the PR; a branch ref feeds the Security tab. */
  readonly ref: string;
  /** The SARIF log as JSON text. */
  readonly sarif: string;
  /** @default 'lambda-gitops' */
  readonly toolName?: string;
}

/** gzip, then base64: the encoding the code-scanning API expects. */
export function encodeSarif(sarif: string): string {
  const gz = gzipSync(Buffer.from(sarif, 'utf8'));
  if (gz.length > SARIF_MAX_GZIP_BYTES) throw new Error(`SARIF is ${gz.length} bytes after gzip, over GitHub's limit of ${SARIF_MAX_GZIP_BYTES}`);
  return gz.toString('base64');
}

/**
 * Uploads SARIF for code scanning; resolves to the upload id (processing is asynchronous). An
 * upload that fails with a 5xx is not sent again: it may have been accepted, and an accepted
 * upload cannot be looked up until it is processed; the error says so.
 */
export async function uploadSarif(client: GitHubClient, options: SarifUploadOptions): Promise<string> {
  const { owner, repo } = options;
  JSON.parse(options.sarif);
  const sarif = encodeSarif(options.sarif);
  const response = await createOnce(client, {
    action: `uploading SARIF for ${options.commitSha.slice(0, 12)} to ${owner}/${repo}`,
    permission: 'security-events: write',
    create: () => client.rest.codeScanning.uploadSarif({ owner, repo, commit_sha: options.commitSha, ref: options.ref, sarif, tool_name: options.toolName ?? 'lambda-gitops' }),
  });
  return String(response.data.id ?? '');
}
