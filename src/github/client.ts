import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

/** The Octokit class lambda-gitops uses: REST methods with the retry and throttling plugins. */
const GitHubOctokit = Octokit.plugin(retry, throttling);
/** An authenticated client (@octokit/rest with the retry and throttling plugins installed). */
export type GitHubClient = Octokit;

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** The token (GITHUB_TOKEN or an App token). Never printed. */
  readonly token: string;
  /** REST API root, `GITHUB_API_URL` on GHES. @default 'https://api.github.com' */
  readonly baseUrl?: string;
  /** How often a rate-limited request is retried (primary and secondary limits). @default 2 */
  readonly rateLimitRetries?: number;
  /** The longest wait (seconds) for a primary rate limit reset before giving up. @default 120 */
  readonly maxRateLimitWait?: number;
  /** Where warnings go (retries, waits). @default stderr */
  readonly log?: (message: string) => void;
  /**
   * Extra options for the throttling plugin, e.g. `retryAfterBaseValue` or Bottleneck groups with
   * other pacing (tests use them to avoid the 1-3 s spacing of writes). @default none
   */
  readonly throttle?: Record<string, unknown>;
  /** Extra options for the retry plugin (`retries`, `retryAfterBaseValue`). @default none */
  readonly retry?: Record<string, unknown>;
}

/**
 * A client with retries (5xx, up to 3 times with growing waits; 4xx are not retried) and GitHub's
 * pacing rules (serialized writes, waits on `retry-after` for secondary limits and on
 * `x-ratelimit-reset` for primary ones, at most {@link GitHubClientOptions.rateLimitRetries} times).
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) throw new GitHubApiError('no GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})', 0, 'authenticating');
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const retries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRateLimitWait ?? 120;
  const route = (o: { method?: string; url?: string }) => `${o.method ?? ''} ${o.url ?? ''}`.trim();
  const client: Octokit = new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'lambda-gitops',
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(redactToken(String(m), options.token)), error: (m: string) => log(redactToken(String(m), options.token)) },
    throttle: {
      onRateLimit: (retryAfter: number, o: { method?: string; url?: string }, _k: unknown, count: number) => {
        if (count >= retries || retryAfter > maxWait) {
          log(`GitHub API rate limit reached on ${route(o)}; resets in ${retryAfter}s (not waiting)`);
          return false;
        }
        log(`GitHub API rate limit reached on ${route(o)}; retrying in ${retryAfter}s`);
        return true;
      },
      onSecondaryRateLimit: (retryAfter: number, o: { method?: string; url?: string }, _k: unknown, count: number) => {
        if (count >= retries) return false;
        log(`GitHub secondary rate limit on ${route(o)}; retrying in ${retryAfter}s`);
        return true;
      },
      ...options.throttle,
    },
    retry: { ...options.retry },
  });
  return client;
}

/** A GitHub API call that failed; the message says what was being done and what to check. */
export class GitHubApiError extends Error {
  constructor(message: string, public readonly status: number, public readonly action: string) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/** Replaces every occurrence of the token (and bearer/token headers) in a text. */
export function redactToken(text: string, token: string | undefined): string {
  let out = text;
  if (token && token.length >= 4) out = out.split(token).join('***');
  return out.replace(/((?:authorization|token|bearer)[\s:"=]+)(?:token |bearer )?[A-Za-z0-9_.-]{20,}/gi, '$1***');
}

interface HttpErrorLike {
  status: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isHttpError(error: unknown): error is HttpErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

function apiMessage(error: HttpErrorLike): string {
  const data = error.response?.data as { message?: string; errors?: unknown[] } | undefined;
  const base = typeof data?.message === 'string' ? data.message : (error.message ?? '').split(' - ')[0];
  const details = Array.isArray(data?.errors)
    ? data!.errors.map((e) => (typeof e === 'string' ? e : (e as { message?: string; field?: string; code?: string }).message ?? [(e as { field?: string }).field, (e as { code?: string }).code].filter(Boolean).join(' '))).filter(Boolean)
    : [];
  return details.length ? `${base}: ${details.join('; ')}` : base;
}

/**
 * Explains a failed call: rate limits with the reset time, 401/403 with the permission to grant,
 * 404 with what to check, 422 with GitHub's validation errors. The token never appears.
 */
export function explainGitHubError(error: unknown, action: string, permission: string, token?: string): GitHubApiError {
  if (!isHttpError(error)) {
    return new GitHubApiError(redactToken(`${action} failed: ${(error as Error)?.message ?? String(error)}`, token), 0, action);
  }
  const headers = error.response?.headers ?? {};
  const message = apiMessage(error);
  let text: string;
  if ((error.status === 403 || error.status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    text = `${action}: GitHub API rate limit exhausted${Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : ''} (${error.status}); try again after the reset`;
  } else if ((error.status === 403 || error.status === 429) && /secondary rate limit/i.test(message)) {
    text = `${action}: GitHub secondary rate limit (${error.status}: ${message}); retries were used up, try again in a few minutes`;
  } else if (error.status === 401) {
    text = `${action}: GitHub rejected the token (401 ${message}); check that GITHUB_TOKEN is set and not expired`;
  } else if (error.status === 403) {
    text = `${action}: forbidden (403 ${message}); the token needs '${permission}' (workflow 'permissions:'), and fork pull requests only get read access`;
  } else if (error.status === 404) {
    text = `${action}: not found (404 ${message}); check the repository, number or ref, and that the token can access the repository ('${permission}')`;
  } else if (error.status === 422) {
    text = `${action}: GitHub rejected the request (422 ${message})`;
  } else {
    text = `${action}: GitHub answered ${error.status} (${message})`;
  }
  return new GitHubApiError(redactToken(text, token), error.status, action);
}

/** Runs one API call and turns its failure into a {@link GitHubApiError}. */
export async function callGitHub<T>(client: GitHubClient, action: string, permission: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const auth = (await client.auth().catch(() => undefined)) as { token?: string } | undefined;
    throw explainGitHubError(error, action, permission, auth?.token);
  }
}
