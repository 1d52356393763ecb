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
  /**
   * The longest single wait (seconds) for a rate limit, primary (`x-ratelimit-reset`) or secondary
   * (`retry-after`); a longer one is not waited out: the call fails with the time to retry after.
   * @default 120
   */
  readonly maxRateLimitWait?: number;
  /**
   * All rate-limit waits of this client together (seconds). A wait that would go past it is not
   * made, so a run never outlives its job (the comment job's timeout is 15 minutes). @default 300
   */
  readonly rateLimitWaitBudget?: number;
  /**
   * How often a create (comment, check run) that failed with a 5xx is sent again after a look-up
   * showed that it did not land. @default 2
   */
  readonly createRetries?: number;
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

/** The wait accounting of one client (see {@link GitHubClientOptions.rateLimitWaitBudget}). */
interface WaitState {
  readonly maxWait: number;
  readonly budget: number;
  waited: number;
  /** Why the last rate-limit wait was refused, by route; read when the call's error is explained. */
  readonly refused: Map<string, string>;
  readonly createRetries: number;
  /** Milliseconds per second of waiting (1000; tests scale it down). */
  readonly msPerSecond: number;
}

const waitStates = new WeakMap<object, WaitState>();

/**
 * Writes that create something new each time they are sent: after a 5xx (or a lost connection) the
 * request may have landed, so they are never re-sent blindly. Callers look first ({@link createOnce}).
 * Git blobs, trees and commits are content-addressed (a repeat is harmless) and are not listed.
 */
const NON_IDEMPOTENT_WRITES: readonly RegExp[] = [
  /\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/comments$/,
  /\/repos\/[^/]+\/[^/]+\/check-runs$/,
  /\/repos\/[^/]+\/[^/]+\/code-scanning\/sarifs$/,
  /\/repos\/[^/]+\/[^/]+\/pulls$/,
  /\/repos\/[^/]+\/[^/]+\/git\/refs$/,
];

/** Whether a request creates something each time it is sent (so a 5xx is never retried blindly). */
export function isNonIdempotentWrite(method: string | undefined, url: string | undefined): boolean {
  if ((method ?? 'GET').toUpperCase() !== 'POST') return false;
  const path = new URL(url ?? '/', 'http://github.test').pathname.replace(/%7B/gi, '{').replace(/%7D/gi, '}');
  return NON_IDEMPOTENT_WRITES.some((pattern) => pattern.test(path));
}

/**
 * A client with retries (5xx, up to 3 times with growing waits; 4xx are not retried, and neither
 * are {@link isNonIdempotentWrite non-idempotent writes}) and GitHub's pacing rules (serialized
 * writes, waits on `retry-after` for secondary limits and on `x-ratelimit-reset` for primary ones,
 * at most {@link GitHubClientOptions.rateLimitRetries} times, each at most
 * {@link GitHubClientOptions.maxRateLimitWait} seconds and all within
 * {@link GitHubClientOptions.rateLimitWaitBudget}).
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) throw new GitHubApiError('no GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})', 0, 'authenticating');
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const retries = options.rateLimitRetries ?? 2;
  const retryBase = Number((options.retry as { retryAfterBaseValue?: unknown } | undefined)?.retryAfterBaseValue ?? 1000);
  const state: WaitState = {
    maxWait: options.maxRateLimitWait ?? 120,
    budget: options.rateLimitWaitBudget ?? 300,
    waited: 0,
    refused: new Map(),
    createRetries: options.createRetries ?? 2,
    msPerSecond: Number.isFinite(retryBase) && retryBase >= 0 ? retryBase : 1000,
  };
  const route = (o: { method?: string; url?: string }) => `${o.method ?? ''} ${o.url ?? ''}`.trim();
  /** Whether to wait `seconds` for a rate limit; logs the decision and records a refusal. */
  const mayWait = (kind: string, seconds: number, o: { method?: string; url?: string }, count: number): boolean => {
    let refusal: string | undefined;
    if (count >= retries) refusal = `retried ${count} time${count === 1 ? '' : 's'} already`;
    else if (seconds > state.maxWait) refusal = `GitHub asks to wait ${seconds}s, longer than the ${state.maxWait}s this client waits at most (maxRateLimitWait)`;
    else if (state.waited + seconds > state.budget) refusal = `waiting ${seconds}s more would pass the ${state.budget}s this client may wait in all (rateLimitWaitBudget; ${state.waited}s used)`;
    if (refusal) {
      const retryAt = new Date(Date.now() + seconds * 1000).toISOString();
      state.refused.set(route(o), `${refusal}; not waiting, try again after ${retryAt}`);
      log(`GitHub ${kind} on ${route(o)}; resets in ${seconds}s (not waiting: ${refusal})`);
      return false;
    }
    state.waited += seconds;
    log(`GitHub ${kind} on ${route(o)}; retrying in ${seconds}s`);
    return true;
  };
  const client: Octokit = new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'lambda-gitops',
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(redactToken(String(m), options.token)), error: (m: string) => log(redactToken(String(m), options.token)) },
    throttle: {
      onRateLimit: (retryAfter: number, o: { method?: string; url?: string }, _k: unknown, count: number) => mayWait('API rate limit reached', retryAfter, o, count),
      onSecondaryRateLimit: (retryAfter: number, o: { method?: string; url?: string }, _k: unknown, count: number) => mayWait('secondary rate limit', retryAfter, o, count),
      ...options.throttle,
    },
    // 429 is a rate limit: the throttling plugin decides about it, within the wait limits above
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451], ...options.retry },
  });
  client.hook.before('request', (request) => {
    if (isNonIdempotentWrite(request.method, request.url)) request.request = { ...request.request, retries: 0 };
  });
  waitStates.set(client, state);
  return client;
}

/** How often {@link createOnce} re-sends a create that did not land, and its wait unit (ms per second). */
export function createRetryPolicy(client: GitHubClient): { retries: number; msPerSecond: number } {
  const state = waitStates.get(client);
  return { retries: state?.createRetries ?? 2, msPerSecond: state?.msPerSecond ?? 1000 };
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
export function explainGitHubError(error: unknown, action: string, permission: string, token?: string, waitRefusal?: string): GitHubApiError {
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
    text = waitRefusal
      ? `${action}: GitHub secondary rate limit (${error.status}: ${message}); ${waitRefusal}`
      : `${action}: GitHub secondary rate limit (${error.status}: ${message}); retries were used up, try again in a few minutes`;
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
    throw explainGitHubError(error, action, permission, auth?.token, waitRefusalOf(client, error));
  }
}

/** Why the rate-limit wait for the failed request was refused (see {@link GitHubClientOptions.maxRateLimitWait}). */
function waitRefusalOf(client: GitHubClient, error: unknown): string | undefined {
  const request = (error as { request?: { method?: string; url?: string } } | undefined)?.request;
  const refused = waitStates.get(client)?.refused;
  if (!request || !refused) return undefined;
  for (const [route, why] of refused) {
    const [method, url] = route.split(' ');
    if (method === request.method && url && request.url && sameRoute(url, request.url)) return why;
  }
  return undefined;
}

/** Whether a route template (`/repos/{owner}/...`) and a requested URL name the same path. */
function sameRoute(template: string, url: string): boolean {
  const path = new URL(url, 'http://github.test').pathname;
  const pattern = new RegExp(`${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
  return pattern.test(path) || path === template;
}
