/**
 * A local HTTP server that plays Lambda Cloud's `GET /api/v1/instance-types` as its published
 * OpenAPI description (schemas/lambda/openapi-instance-types.json, Lambda Cloud API 1.8.3) states
 * it: it checks every request it receives (method, path, `Authorization` Bearer or Basic with a
 * trailing colon per `securitySchemes`), answers 429 to a request less than `minIntervalMs` after
 * the previous one (the documented "one request per second"), and validates every response it
 * sends against the schema of its status: 200, 401 and 403 against the description's own schemas;
 * 429 and 5xx, which the description does not list for this path, against the general error
 * format its `info.description` documents. A response a test scripts as deliberately malformed is
 * checked to FAIL the schema, so the test proves the client meets a body the API must not send.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { LAMBDA_INSTANCE_TYPES } from '../../src/cluster/instance-types.js';

const OPENAPI_PATH = new URL('../../schemas/lambda/openapi-instance-types.json', import.meta.url);
const OPERATION = '#/paths/~1api~1v1~1instance-types/get/responses';

/** The vendored OpenAPI excerpt. */
export const LAMBDA_OPENAPI = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(LAMBDA_OPENAPI, 'lambda-openapi');
const responseSchema = (status: number): ValidateFunction => ajv.getSchema(`lambda-openapi${OPERATION}/${status}/content/application~1json/schema`)!;
/** The general error format of the description's `info.description` (used for statuses the path does not list). */
const generalError = ajv.compile({
  type: 'object', additionalProperties: false, required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, suggestion: { type: 'string' } } } },
});

/** Validates a body against the schema the description gives for `status` (general error format for 429/5xx). */
export function validateResponse(status: number, body: unknown): string[] {
  const validate = status === 200 || status === 401 || status === 403 ? responseSchema(status) : generalError;
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** One scripted answer. */
export interface ScriptedResponse {
  readonly status: number;
  /** JSON body, or a raw string sent as is. */
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  /** The body is deliberately not what the description allows; the emulator checks it fails the schema. */
  readonly malformed?: boolean;
}

/** What the emulator saw of one request (the key itself is not kept). */
export interface SeenRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly auth: 'bearer' | 'basic' | 'none' | 'invalid';
  readonly keyMatched: boolean;
  readonly status: number;
}

/** A 200 body from the built-in catalog, as the API would describe it, with capacity in `regions`. */
export function instanceTypesBody(regions: Record<string, string[]> = {}): unknown {
  const data: Record<string, unknown> = {};
  for (const t of Object.values(LAMBDA_INSTANCE_TYPES)) {
    data[t.name] = {
      instance_type: {
        name: t.name, description: t.description, gpu_description: t.gpuModel ? `${t.gpuModel} (${t.gpuMemoryGiB} GB)` : 'CPU only',
        price_cents_per_hour: Math.round(t.price.hourlyUsd * 100),
        specs: { vcpus: t.vcpus, memory_gib: t.memoryGiB, storage_gib: t.localDiskGiB ?? 0, gpus: t.gpus },
      },
      regions_with_capacity_available: (regions[t.name] ?? []).map((name) => ({ name, description: `Region ${name}` })),
    };
  }
  return { data };
}

export const errorBody = (code: string, message: string, suggestion?: string): unknown => ({ error: { code, message, ...(suggestion ? { suggestion } : {}) } });
export const UNAUTHORIZED = errorBody('global/invalid-api-key', 'API key was invalid, expired, or deleted.', 'Check your API key or create a new one, then try again.');
export const ACCOUNT_INACTIVE = errorBody('global/account-inactive', 'Your account is inactive.', 'Make sure you have verified your email address and have a valid payment method. Contact Support if problems continue.');

/** The emulator. */
export class LambdaApiEmulator {
  /** Requests in arrival order. */
  readonly requests: SeenRequest[] = [];
  /** Every way a request or a response broke the description (a passing test expects none). */
  readonly violations: string[] = [];
  private readonly script: ScriptedResponse[] = [];
  private server?: Server;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly apiKey: string,
    /** The body of a 200 when nothing is scripted. */
    private readonly okBody: unknown = instanceTypesBody(),
    /** Least gap between requests before the emulator answers 429, like the API's 1 request/s. */
    private readonly minIntervalMs = 1000,
  ) {}

  /** Queues answers for the next requests (after them, 200 with `okBody`). */
  then(...responses: ScriptedResponse[]): this {
    this.script.push(...responses);
    return this;
  }

  /** Starts listening on 127.0.0.1 and resolves to the base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const at = Date.now();
    const { auth, keyMatched } = this.authOf(req.headers.authorization);
    const path = (req.url ?? '').split('?')[0];
    let answer: ScriptedResponse;
    if (req.method !== 'GET' || path !== '/api/v1/instance-types') {
      this.violations.push(`request ${req.method} ${req.url}: the description has only GET /api/v1/instance-types here`);
      answer = { status: 404, body: errorBody('global/object-does-not-exist', 'Not found') };
    } else if (at - this.lastAt < this.minIntervalMs) {
      this.violations.push(`request ${this.requests.length + 1} came ${at - this.lastAt} ms after the previous one (limit: 1 per ${this.minIntervalMs} ms)`);
      answer = { status: 429, body: errorBody('global/rate-limit-exceeded', 'Too many requests'), headers: { 'Retry-After': '1' } };
    } else if (auth === 'none' || auth === 'invalid' || !keyMatched) {
      if (auth === 'invalid') this.violations.push('request with an Authorization header that matches neither securityScheme');
      answer = { status: 401, body: UNAUTHORIZED };
    } else {
      answer = this.script.shift() ?? { status: 200, body: this.okBody };
    }
    this.lastAt = at;
    if (typeof answer.body !== 'string') {
      const problems = validateResponse(answer.status, answer.body);
      if (answer.malformed && problems.length === 0) this.violations.push(`response ${answer.status} was scripted as malformed but passes the schema`);
      if (!answer.malformed && problems.length > 0) this.violations.push(`response ${answer.status} breaks the schema: ${problems.join('; ')}`);
    }
    this.requests.push({ at, method: req.method ?? '', path, auth, keyMatched, status: answer.status });
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...(answer.headers ?? {}) });
    res.end(text);
  }

  /** `Authorization: Bearer <key>`, `Basic base64(<key>:)` or `Basic <key>` (the description's securitySchemes). */
  private authOf(header: string | undefined): { auth: SeenRequest['auth']; keyMatched: boolean } {
    if (!header) return { auth: 'none', keyMatched: false };
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (bearer) return { auth: 'bearer', keyMatched: bearer[1] === this.apiKey };
    const basic = /^Basic (\S+)$/.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      return { auth: 'basic', keyMatched: decoded === `${this.apiKey}:` || basic[1] === this.apiKey };
    }
    return { auth: 'invalid', keyMatched: false };
  }
}
