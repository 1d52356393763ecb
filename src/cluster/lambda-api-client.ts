/**
 * A small client for Lambda Cloud's `GET /api/v1/instance-types` (Lambda OpenAPI 1.8.3,
 * schemas/lambda/openapi-instance-types.json). It keeps to the API's documented limit of one
 * request per second, retries 429 (honouring `Retry-After`) and 5xx answers with backoff, and
 * never lets the API key appear in an error: the key is sent only in the `Authorization` header and
 * is removed from any text the server sends back.
 */
import { LiveCatalogError, liveCatalogFromApiBody, type LiveCatalog } from './lambda-catalog.js';

/** Lambda Cloud's API base URL. */
export const LAMBDA_API_BASE_URL = 'https://cloud.lambda.ai';
/** The path of the instance-types endpoint. */
export const INSTANCE_TYPES_PATH = '/api/v1/instance-types';

/** Options of {@link LambdaApiClient}. */
export interface LambdaApiClientOptions {
  /** The API key (from `LAMBDA_API_KEY`; never printed). */
  readonly apiKey: string;
  /**
   * Base URL of the API (an emulator in tests).
   * @default 'https://cloud.lambda.ai'
   */
  readonly baseUrl?: string;
  /**
   * Least time between two requests, in ms (Lambda: "generally limited to one request per second";
   * the 50 ms margin keeps network jitter from bringing two requests closer than a second).
   * @default 1050
   */
  readonly minIntervalMs?: number;
  /**
   * Attempts per call, counting the first, for 429 and 5xx answers and network errors.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Time limit of one request, in ms.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Longest wait a `Retry-After` header may impose, in ms (a longer one fails the call).
   * @default 60000
   */
  readonly maxRetryAfterMs?: number;
}

/** Why a call to the Lambda API failed. The message never contains the API key. */
export class LambdaApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    public readonly status?: number,
    /** Lambda's error code (`global/invalid-api-key`, ...), when the body had one. */
    public readonly code?: string,
  ) {
    super(message);
    this.name = 'LambdaApiError';
  }

  /** True for answers that retrying with the same key cannot fix (401, 403). */
  get isAuthError(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * When the last request to each base URL was sent, shared by every client in the process: the
 * API's limit applies to the account, not to one client object.
 */
const lastRequestAt = new Map<string, number>();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Client for the instance-types endpoint; all clients of one base URL in a process share the pacing. */
export class LambdaApiClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly minIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(options: LambdaApiClientOptions) {
    if (!options.apiKey) throw new LambdaApiError('no API key: set LAMBDA_API_KEY');
    this.apiKey = options.apiKey;
    const base = options.baseUrl ?? LAMBDA_API_BASE_URL;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new LambdaApiError(`invalid base URL ${JSON.stringify(base)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new LambdaApiError(`invalid base URL ${JSON.stringify(base)}: must be http(s)`);
    // credentials in the URL would end up in the catalog file's source and in messages
    if (url.username || url.password) throw new LambdaApiError('invalid base URL: it must not contain credentials; the key goes in LAMBDA_API_KEY');
    this.baseUrl = base.replace(/\/+$/, '');
    this.minIntervalMs = options.minIntervalMs ?? 1050;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  }

  /** The URL of the instance-types endpoint. */
  get instanceTypesUrl(): string {
    return `${this.baseUrl}${INSTANCE_TYPES_PATH}`;
  }

  /**
   * Reads the instance types and the regions with capacity now.
   * @throws LambdaApiError for refused keys (401/403), exhausted retries (429, 5xx, network) and
   *   bodies that do not match the published schema
   */
  async instanceTypes(now: () => Date = () => new Date()): Promise<LiveCatalog> {
    const url = this.instanceTypesUrl;
    let lastFailure: LambdaApiError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      await this.pace();
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { Authorization: `Bearer ${this.apiKey}`, Accept: 'application/json' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        lastFailure = new LambdaApiError(`GET ${url} failed: ${this.redact(describeNetworkError(error))}`);
        await sleep(this.backoffMs(attempt));
        continue;
      }
      const text = await response.text();
      if (response.ok) return this.catalogOf(text, now(), url);
      const failure = this.failureOf(response.status, text, url);
      if (failure.isAuthError || (response.status !== 429 && response.status < 500)) throw failure;
      lastFailure = failure;
      if (attempt === this.maxAttempts) break;
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > this.maxRetryAfterMs) {
        throw new LambdaApiError(`${failure.message}; the server asks to wait ${Math.ceil(retryAfter / 1000)} s, more than ${this.maxRetryAfterMs / 1000} s`, failure.status, failure.code);
      }
      await sleep(Math.max(retryAfter ?? 0, this.backoffMs(attempt)));
    }
    throw new LambdaApiError(`${lastFailure?.message ?? `GET ${url} failed`} (gave up after ${this.maxAttempts} attempts)`, lastFailure?.status, lastFailure?.code);
  }

  /** Waits until `minIntervalMs` has passed since the previous request, then marks this one. */
  private async pace(): Promise<void> {
    for (;;) {
      const wait = (lastRequestAt.get(this.baseUrl) ?? Number.NEGATIVE_INFINITY) + this.minIntervalMs - Date.now();
      if (wait <= 0) break;
      await sleep(wait);
    }
    lastRequestAt.set(this.baseUrl, Date.now());
  }

  private backoffMs(attempt: number): number {
    return this.minIntervalMs * 2 ** (attempt - 1);
  }

  private catalogOf(text: string, fetchedAt: Date, url: string): LiveCatalog {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new LambdaApiError(`GET ${url}: the response body is not JSON (${this.redact(text.slice(0, 60))}${text.length > 60 ? '...' : ''})`, 200);
    }
    try {
      return liveCatalogFromApiBody(body, fetchedAt, url);
    } catch (error) {
      if (error instanceof LiveCatalogError) throw new LambdaApiError(`GET ${url}: the response does not match Lambda's published schema: ${this.redact(`${error.field}: ${error.detail}`)}`, 200);
      throw error;
    }
  }

  private failureOf(status: number, text: string, url: string): LambdaApiError {
    let code: string | undefined;
    let detail = '';
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; suggestion?: unknown } };
      if (body && typeof body.error === 'object' && body.error) {
        code = typeof body.error.code === 'string' ? body.error.code : undefined;
        const parts = [body.error.message, body.error.suggestion].filter((p): p is string => typeof p === 'string');
        detail = parts.join(' ');
      }
    } catch {
      detail = text.length > 0 ? `body not JSON: ${text.slice(0, 60)}` : 'empty body';
    }
    const hint = status === 401 ? ' (check LAMBDA_API_KEY)' : status === 403 ? ' (the account behind LAMBDA_API_KEY is inactive or may not use this endpoint)' : status === 429 ? ' (rate limited: about 1 request per second)' : '';
    const message = `GET ${url} answered ${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}${hint}`;
    return new LambdaApiError(this.redact(message), status, code);
  }

  /** Removes the API key (and its Basic-auth encodings) from text that may have come from the server. */
  private redact(text: string): string {
    let out = text;
    for (const secret of [this.apiKey, Buffer.from(`${this.apiKey}:`).toString('base64'), Buffer.from(this.apiKey).toString('base64')]) {
      if (secret.length > 0) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

/** `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
