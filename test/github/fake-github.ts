/**
 * A local HTTP server that answers like GitHub's REST API for the operations lambda-gitops uses,
 * and rejects (400, recorded in `rejections`) every request whose method and path, path/query
 * parameters or JSON body do not match GitHub's OpenAPI description (the committed subset of
 * @octokit/openapi). It is stricter than the description in one way: request-body objects may not
 * carry properties the description does not list (catches misspelt parameters). Its own answers are
 * the model's state laid over the description's response examples, and are checked against the
 * response schemas (`responseProblems`), so the client is tested against GitHub-shaped data.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default as typeof import('ajv').default;
const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;

export const SUBSET_PATH = new URL('../../schemas/github/api.github.com.subset.json', import.meta.url);

type Json = Record<string, any>;

interface Operation {
  readonly id: string;
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly pathParams: string[];
  readonly parameters: Json[];
  readonly body?: ValidateFunction;
  readonly bodyRequired: boolean;
  /** Response schema validators by status code. */
  readonly responses: Map<number, ValidateFunction>;
  /** The description's first example of the success response. */
  readonly example?: unknown;
}

/** A scripted answer, used once per matching request (after validation). */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /**
   * Carry the request out first (the model's state changes), then answer with this response: a
   * 5xx from a gateway after the write landed. @default false
   */
  readonly landFirst?: boolean;
}

/** A request the server received (valid or not). */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly body?: any;
  readonly authorization?: string;
}

/** `value` with every field missing from it taken from `base`, recursively for objects. */
function overlay(base: unknown, value: unknown): unknown {
  if (value === undefined) return base;
  if (!base || typeof base !== 'object' || Array.isArray(base) || !value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Json = { ...(base as Json) };
  for (const [key, child] of Object.entries(value as Json)) out[key] = overlay((base as Json)[key], child);
  return out;
}

function strictObjects(schema: any): any {
  if (Array.isArray(schema) || schema === null || typeof schema !== 'object') return schema;
  const copy: Json = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([k, v]) => [k, strictObjects(v)]));
    if (copy.additionalProperties === undefined) copy.additionalProperties = false;
  }
  if (copy.items) copy.items = strictObjects(copy.items);
  return copy;
}

export class FakeGitHub {
  readonly spec: Json = JSON.parse(readFileSync(SUBSET_PATH, 'utf8'));
  readonly operations: Operation[] = [];
  readonly rejections: string[] = [];
  /** Answers of the model that do not match the description's response schema (should stay empty). */
  readonly responseProblems: string[] = [];
  readonly requests: ReceivedRequest[] = [];
  readonly token = 'ghs_testTOKENvalue0123456789abcdefghijklmn';
  readonly botLogin = 'github-actions[bot]';
  private readonly scripted: { operationId: string; response: ScriptedResponse }[] = [];
  private readonly barriers: { operationId: string; size: number; waiting: (() => void)[] }[] = [];
  private server?: Server;
  private nextId = 1000;

  // repository state
  readonly comments = new Map<number, Json[]>();
  readonly pulls: Json[] = [];
  readonly checkRuns: Json[] = [];
  readonly sarifUploads: Json[] = [];
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Json[]>();
  readonly commits = new Map<string, Json>();
  readonly refs = new Map<string, string>();

  constructor() {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('repo.nwo', /^[\w.-]+\/[\w.-]+$/);
    const components = this.spec.components;
    for (const [template, item] of Object.entries<Json>(this.spec.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (method === 'parameters') continue;
        const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)')}$`);
        const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => this.resolve(p));
        const schema = op.requestBody?.content?.['application/json']?.schema;
        const responses = new Map<number, ValidateFunction>();
        let example: unknown;
        for (const [code, raw] of Object.entries<Json>(op.responses ?? {})) {
          const content = this.resolve(raw).content?.['application/json'];
          if (!content?.schema || !/^\d+$/.test(code)) continue;
          responses.set(Number(code), ajv.compile({ ...this.resolve(content.schema), components }));
          const first = content.examples ? Object.values<Json>(content.examples)[0] : undefined;
          if (example === undefined && Number(code) < 300 && first) example = this.resolve(first).value;
        }
        this.operations.push({
          id: op.operationId, method: method.toUpperCase(), template, pattern, pathParams, parameters,
          body: schema ? ajv.compile({ ...strictObjects(this.resolve(schema)), components }) : undefined,
          bodyRequired: Boolean(op.requestBody?.required),
          responses, example,
        });
      }
    }
  }

  private resolve(value: Json): Json {
    if (!value?.$ref) return value;
    return value.$ref.slice(2).split('/').reduce((v: Json, k: string) => v[k], this.spec);
  }

  /** Starts listening on 127.0.0.1 with a random port; resolves to the base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((e) => (e ? reject(e) : resolve())));
  }

  /** The next `times` valid requests to `operationId` get this answer instead of the model's. */
  script(operationId: string, response: ScriptedResponse, times = 1): void {
    if (!this.operations.some((o) => o.id === operationId)) throw new Error(`unknown operation ${operationId}`);
    for (let i = 0; i < times; i++) this.scripted.push({ operationId, response });
  }

  /**
   * The next `size` valid requests to `operationId` are held until all `size` have arrived, then
   * carried out together: two runs that race both pass this point before either goes on (e.g. both
   * list the comments before either creates one).
   */
  barrier(operationId: string, size = 2): void {
    if (!this.operations.some((o) => o.id === operationId)) throw new Error(`unknown operation ${operationId}`);
    this.barriers.push({ operationId, size, waiting: [] });
  }

  private async passBarrier(operationId: string): Promise<void> {
    const barrier = this.barriers.find((b) => b.operationId === operationId && b.waiting.length < b.size);
    if (!barrier) return;
    const arrived = new Promise<void>((resolve) => barrier.waiting.push(resolve));
    if (barrier.waiting.length === barrier.size) {
      this.barriers.splice(this.barriers.indexOf(barrier), 1);
      for (const release of barrier.waiting) release();
    }
    await arrived;
  }

  callsTo(operationId: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  private reject(res: ServerResponse, request: ReceivedRequest, why: string): void {
    this.rejections.push(`${request.method} ${request.path}: ${why}`);
    this.send(res, 400, { message: `request does not match GitHub's OpenAPI description: ${why}` });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600), 'x-ratelimit-resource': 'core', ...headers });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const raw = Buffer.concat(chunks).toString('utf8');
    const request: ReceivedRequest = { method, path: url.pathname, authorization: req.headers.authorization };
    this.requests.push(request);
    let body: any;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.reject(res, request, 'body is not JSON');
      }
    }
    Object.assign(request, { body });
    if (req.headers.authorization !== `token ${this.token}`) {
      return this.send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const candidates = this.operations.filter((o) => o.pattern.test(url.pathname));
    const op = candidates.find((o) => o.method === method);
    if (!op) return this.reject(res, request, candidates.length ? `method ${method} not allowed (${candidates.map((o) => o.method).join(', ')})` : 'no such operation');
    Object.assign(request, { operationId: op.id });
    const values = op.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const params: Json = Object.fromEntries(op.pathParams.map((name, i) => [name, values[i]]));
    for (const [key, value] of url.searchParams) {
      const declared = op.parameters.find((p) => p.in === 'query' && p.name === key);
      if (!declared) return this.reject(res, request, `query parameter '${key}' is not in the description`);
      const type = declared.schema?.type;
      if (type === 'integer' && !/^\d+$/.test(value)) return this.reject(res, request, `query parameter '${key}' must be an integer`);
      if (declared.schema?.enum && !declared.schema.enum.includes(value)) return this.reject(res, request, `query parameter '${key}' must be one of ${declared.schema.enum.join(', ')}`);
      params[key] = value;
    }
    for (const p of op.parameters.filter((p) => p.in === 'path')) {
      if (p.schema?.type === 'integer' && !/^\d+$/.test(params[p.name])) return this.reject(res, request, `path parameter '${p.name}' must be an integer`);
    }
    if (op.body) {
      if (body === undefined && op.bodyRequired) return this.reject(res, request, 'request body is required');
      if (body !== undefined && !op.body(body)) return this.reject(res, request, `body: ${(op.body.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('; ')}`);
    } else if (body !== undefined && method !== 'GET') {
      return this.reject(res, request, 'operation takes no body');
    }
    await this.passBarrier(op.id);
    const scripted = this.scripted.findIndex((s) => s.operationId === op.id);
    if (scripted >= 0) {
      const [{ response }] = this.scripted.splice(scripted, 1);
      if (response.landFirst) this.answer(op.id, params, body, url);
      return this.send(res, response.status, response.body, response.headers);
    }
    const answer = this.answer(op.id, params, body, url);
    const shaped = answer.status < 300 ? this.likeTheExample(op, answer.body) : answer.body;
    const validate = op.responses.get(answer.status);
    if (validate && !validate(shaped)) {
      this.responseProblems.push(`${op.id} ${answer.status}: ${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
    }
    this.send(res, answer.status, shaped, answer.headers);
  }

  /** The model's answer laid over the description's example, so every documented field is present. */
  private likeTheExample(op: Operation, body: unknown): unknown {
    if (op.example === undefined || body === undefined) return body;
    if (Array.isArray(body)) return body.map((item) => overlay(Array.isArray(op.example) ? op.example[0] : op.example, item));
    return overlay(op.example, body);
  }

  private id(): number {
    return this.nextId++;
  }

  private sha(value: unknown): string {
    return createHash('sha1').update(JSON.stringify(value)).update(String(this.id())).digest('hex');
  }

  /** Adds a comment as if someone posted it. */
  addComment(issue: number, body: string, login = this.botLogin): Json {
    const comment = { id: this.id(), node_id: 'C', body, user: { login, id: 41898282, type: login.endsWith('[bot]') ? 'Bot' : 'User' }, html_url: `https://github.test/c/${this.nextId}`, created_at: new Date().toISOString(), updated_at: new Date().toISOString() };
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment]);
    return comment;
  }

  /** Adds an open pull request. */
  addPull(number: number, headSha: string, headRef = 'feature', baseRef = 'main'): Json {
    // requested_teams: GitHub's own example lacks the required 'type' of a team, so the model has none
    const pr = { number, id: this.id(), state: 'open', title: 'PR', body: '', requested_teams: [], html_url: `https://github.test/pull/${number}`, head: { ref: headRef, sha: headSha, label: `acme:${headRef}` }, base: { ref: baseRef } };
    this.pulls.push(pr);
    return pr;
  }

  /** Creates a commit holding `files` and points `heads/<branch>` at it. */
  seedBranch(branch: string, files: Record<string, string>): string {
    const entries = Object.entries(files).map(([path, content]) => ({ path, mode: '100644', type: 'blob', sha: this.storeBlob(content) }));
    const tree = this.storeTree(entries);
    const commit = this.sha({ tree });
    this.commits.set(commit, { sha: commit, tree: { sha: tree }, parents: [], message: 'seed' });
    this.refs.set(`heads/${branch}`, commit);
    return commit;
  }

  /** Files of a branch: path → content. */
  filesOf(branch: string): Record<string, string> {
    const commit = this.commits.get(this.refs.get(`heads/${branch}`)!)!;
    return Object.fromEntries(this.trees.get(commit.tree.sha)!.map((e) => [e.path, this.blobs.get(e.sha)!]));
  }

  private storeBlob(content: string): string {
    const bytes = Buffer.from(content, 'utf8');
    const sha = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    this.blobs.set(sha, content);
    return sha;
  }

  private storeTree(entries: Json[]): string {
    const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : 1));
    const sha = createHash('sha1').update(JSON.stringify(sorted)).digest('hex');
    this.trees.set(sha, sorted);
    return sha;
  }

  private answer(operationId: string, params: Json, body: any, url: URL): { status: number; body?: unknown; headers?: Record<string, string> } {
    const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    switch (operationId) {
      case 'issues/list-comments': {
        const all = this.comments.get(Number(params.issue_number)) ?? [];
        const perPage = Number(params.per_page ?? 30);
        const page = Number(params.page ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string) => `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const links = [page < last ? link(page + 1, 'next') : '', page < last ? link(last, 'last') : '', page > 1 ? link(1, 'first') : '', page > 1 ? link(page - 1, 'prev') : ''].filter(Boolean);
        return { status: 200, body: all.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(', ') } : {} };
      }
      case 'issues/create-comment':
        return { status: 201, body: this.addComment(Number(params.issue_number), body.body) };
      case 'issues/update-comment': {
        const comment = [...this.comments.values()].flat().find((c) => c.id === Number(params.comment_id));
        if (!comment) return notFound;
        comment.body = body.body;
        return { status: 200, body: comment };
      }
      case 'issues/delete-comment': {
        for (const [issue, list] of this.comments) {
          const index = list.findIndex((c) => c.id === Number(params.comment_id));
          if (index < 0) continue;
          this.comments.set(issue, list.filter((_, i) => i !== index));
          return { status: 204 };
        }
        return notFound;
      }
      case 'checks/list-for-ref': {
        const example = (this.operations.find((o) => o.id === operationId)!.example as Json).check_runs[0];
        const runs = this.checkRuns
          .filter((r) => r.head_sha === params.ref && (!params.check_name || r.name === params.check_name))
          .map((r) => overlay(example, { ...r, annotations: undefined }));
        return { status: 200, body: { total_count: runs.length, check_runs: runs } };
      }
      case 'checks/create': {
        const run = { id: this.id(), name: body.name, head_sha: body.head_sha, external_id: body.external_id ?? null, status: body.status, conclusion: body.conclusion, html_url: `https://github.test/runs/${this.nextId}`, output: { ...body.output, annotations: undefined }, annotations: [...(body.output?.annotations ?? [])] };
        this.checkRuns.push(run);
        return { status: 201, body: run };
      }
      case 'checks/update': {
        const run = this.checkRuns.find((r) => r.id === Number(params.check_run_id));
        if (!run) return notFound;
        run.annotations.push(...(body.output?.annotations ?? []));
        return { status: 200, body: run };
      }
      case 'code-scanning/upload-sarif': {
        const upload = { id: `sarif-${this.id()}`, commit_sha: body.commit_sha, ref: body.ref, sarif: JSON.parse(gunzipSync(Buffer.from(body.sarif, 'base64')).toString('utf8')) };
        this.sarifUploads.push(upload);
        return { status: 202, body: { id: upload.id, url: `${this.url}/sarifs/${upload.id}` } };
      }
      case 'pulls/get': {
        const pr = this.pulls.find((p) => p.number === Number(params.pull_number));
        return pr ? { status: 200, body: pr } : notFound;
      }
      case 'pulls/list': {
        const found = this.pulls.filter((p) => (!params.state || params.state === 'all' || p.state === params.state) && (!params.base || p.base.ref === params.base) && (!params.head || `${params.owner}:${p.head.ref}` === params.head));
        return { status: 200, body: found };
      }
      case 'pulls/create': {
        if (this.pulls.some((p) => p.state === 'open' && p.head.ref === body.head && p.base.ref === body.base)) {
          return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${params.owner}:${body.head}.` }] } };
        }
        const pr = this.addPull(this.pulls.length + 1, this.refs.get(`heads/${body.head}`) ?? '', body.head, body.base);
        Object.assign(pr, { title: body.title, body: body.body });
        return { status: 201, body: pr };
      }
      case 'pulls/update': {
        const pr = this.pulls.find((p) => p.number === Number(params.pull_number));
        if (!pr) return notFound;
        Object.assign(pr, body);
        return { status: 200, body: pr };
      }
      case 'git/get-ref': {
        const sha = this.refs.get(params.ref);
        return sha ? { status: 200, body: { ref: `refs/${params.ref}`, object: { sha, type: 'commit' } } } : notFound;
      }
      case 'git/create-ref': {
        const name = String(body.ref).replace(/^refs\//, '');
        if (!String(body.ref).startsWith('refs/')) return { status: 422, body: { message: 'Reference name must start with refs/' } };
        if (this.refs.has(name)) return { status: 422, body: { message: 'Reference already exists' } };
        this.refs.set(name, body.sha);
        return { status: 201, body: { ref: body.ref, object: { sha: body.sha, type: 'commit' } } };
      }
      case 'git/update-ref': {
        if (!this.refs.has(params.ref)) return { status: 422, body: { message: 'Reference does not exist' } };
        const current = this.refs.get(params.ref)!;
        if (!body.force && !this.commits.get(body.sha)?.parents.some((p: Json) => p.sha === current)) return { status: 422, body: { message: 'Update is not a fast forward' } };
        this.refs.set(params.ref, body.sha);
        return { status: 200, body: { ref: `refs/${params.ref}`, object: { sha: body.sha, type: 'commit' } } };
      }
      case 'git/get-commit': {
        const commit = this.commits.get(params.commit_sha);
        return commit ? { status: 200, body: commit } : notFound;
      }
      case 'git/get-tree': {
        const tree = this.trees.get(params.tree_sha);
        return tree ? { status: 200, body: { sha: params.tree_sha, tree, truncated: false } } : notFound;
      }
      case 'git/create-blob':
        return { status: 201, body: { sha: this.storeBlob(body.encoding === 'base64' ? Buffer.from(body.content, 'base64').toString('utf8') : body.content) } };
      case 'git/create-tree': {
        const entries = new Map<string, Json>(body.base_tree ? (this.trees.get(body.base_tree) ?? []).map((e) => [e.path, e]) : []);
        if (body.base_tree && !this.trees.has(body.base_tree)) return { status: 422, body: { message: 'Invalid tree info' } };
        for (const entry of body.tree) {
          if (entry.sha === null) {
            if (!entries.has(entry.path)) return { status: 422, body: { message: `GitRPC::BadObjectState: ${entry.path} does not exist` } };
            entries.delete(entry.path);
          } else if (entry.content !== undefined) entries.set(entry.path, { path: entry.path, mode: entry.mode, type: 'blob', sha: this.storeBlob(entry.content) });
          else if (!this.blobs.has(entry.sha)) return { status: 422, body: { message: 'Invalid tree info' } };
          else entries.set(entry.path, { path: entry.path, mode: entry.mode, type: 'blob', sha: entry.sha });
        }
        const sha = this.storeTree([...entries.values()]);
        return { status: 201, body: { sha, tree: this.trees.get(sha), truncated: false } };
      }
      case 'git/create-commit': {
        if (!this.trees.has(body.tree)) return { status: 422, body: { message: 'Tree SHA does not exist' } };
        const sha = this.sha(body);
        const parents = body.parents.map((p: string) => ({ sha: p, url: `${this.url}/repos/${params.owner}/${params.repo}/git/commits/${p}`, html_url: `https://github.test/${params.owner}/${params.repo}/commit/${p}` }));
        const commit = { sha, tree: { sha: body.tree }, parents, message: body.message };
        this.commits.set(sha, commit);
        return { status: 201, body: commit };
      }
      default:
        return { status: 501, body: { message: `fake GitHub does not model ${operationId}` } };
    }
  }
}
