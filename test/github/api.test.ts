import { gunzipSync } from 'node:zlib';
import { annotationsFor, markerLine, publishCheckRun, upsertStickyComment, uploadSarif, GitHubApiError, encodeSarif, isNonIdempotentWrite, stickyBody } from '../../src/github/index.js';
import { FakeGitHub } from './fake-github.js';
import { clientFor } from './client-support.js';

const pr = { owner: 'acme', repo: 'platform', number: 7 };
const HEAD = 'a'.repeat(40);

let server: FakeGitHub;
let logs: string[];
beforeEach(async () => {
  server = new FakeGitHub();
  await server.start();
  logs = [];
});
afterEach(async () => {
  await server.stop();
  expect(server.rejections).toEqual([]);
  expect(server.responseProblems).toEqual([]);
  for (const line of logs) expect(line).not.toContain(server.token);
});

describe('the fake server enforces the OpenAPI description', () => {
  test('a misspelt body field, a wrong enum value and an unknown route are rejected', async () => {
    const client = clientFor(server, logs);
    await expect(client.request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'p', name: 'x', head_sha: HEAD, conclusio: 'success' })).rejects.toMatchObject({ status: 400 });
    await expect(client.request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'p', name: 'x', head_sha: HEAD, status: 'done' as 'completed' })).rejects.toMatchObject({ status: 400 });
    await expect(client.request('PUT /repos/{owner}/{repo}/issues/comments/{id}', { owner: 'acme', repo: 'p', id: 1 })).rejects.toMatchObject({ status: 400 });
    expect(server.rejections).toEqual([
      expect.stringContaining("must NOT have additional properties {\"additionalProperty\":\"conclusio\"}"),
      expect.stringContaining('/status must be equal to one of the allowed values'),
      expect.stringMatching(/method PUT not allowed \((PATCH, DELETE|DELETE, PATCH)\)/),
    ]);
    server.rejections.length = 0;
  });
});

describe('sticky comment', () => {
  const stamp = (runId: number) => ({ headSha: HEAD, runId });

  test('created once, then updated in place, skipped when unchanged', async () => {
    const client = clientFor(server, logs);
    expect(await upsertStickyComment(client, pr, 'first', stamp(1))).toMatchObject({ action: 'created' });
    const [{ id }] = server.comments.get(7)!;
    expect(await upsertStickyComment(client, pr, 'second', stamp(2))).toEqual({ action: 'updated', commentId: id });
    expect(server.comments.get(7)).toHaveLength(1);
    expect(server.comments.get(7)![0].body).toBe(`${markerLine()}\n<!-- lambda-gitops:stamp head=${HEAD} run=2 attempt=1 -->\nsecond`);
    expect(await upsertStickyComment(client, pr, 'second', stamp(3))).toEqual({ action: 'unchanged', commentId: id });
    expect(server.callsTo('issues/update-comment')).toHaveLength(1);
  });

  test('an older run never overwrites a newer one', async () => {
    const client = clientFor(server, logs);
    await upsertStickyComment(client, pr, 'from run 20', stamp(20));
    expect(await upsertStickyComment(client, pr, 'from run 19', { headSha: 'b'.repeat(40), runId: 19 })).toMatchObject({ action: 'skipped-older', newer: { runId: 20 } });
    expect(await upsertStickyComment(client, pr, 'run 20 attempt 2', { ...stamp(20), runAttempt: 2 })).toMatchObject({ action: 'updated' });
    expect(server.comments.get(7)![0].body).toContain('run 20 attempt 2');
  });

  test('found across pages (Link headers) by marker and bot author; a quoted marker from a person is ignored', async () => {
    for (let i = 0; i < 230; i++) server.addComment(7, `chatter ${i}`, 'someone');
    server.addComment(7, `${markerLine()}\nquoted by a human`, 'mallory');
    const ours = server.addComment(7, `${markerLine()}\n<!-- lambda-gitops:stamp head=${HEAD} run=5 attempt=1 -->\nold`);
    server.addComment(7, 'later chatter', 'someone');
    const client = clientFor(server, logs);
    expect(await upsertStickyComment(client, pr, 'new', stamp(6))).toEqual({ action: 'updated', commentId: ours.id });
    expect(server.callsTo('issues/list-comments')).toHaveLength(3);
    expect(server.comments.get(7)!.find((c) => c.user.login === 'mallory')!.body).toContain('quoted by a human');
  });
});

describe('check run and SARIF', () => {
  test('annotations are sent 50 per request: one create, then updates that append', async () => {
    const findings = Array.from({ length: 120 }, (_, i) => ({ level: i % 2 ? 'error' as const : 'warning' as const, rule: 'r', message: `m${i}`, file: `dist/apps/x/f${i}.yaml`, line: 3 }));
    const result = await publishCheckRun(clientFor(server, logs), { owner: 'acme', repo: 'p', headSha: HEAD, conclusion: 'failure', title: '60 failing', summary: 'body', annotations: annotationsFor(findings) });
    expect(server.callsTo('checks/create')).toHaveLength(1);
    expect(server.callsTo('checks/update')).toHaveLength(2);
    expect([...server.callsTo('checks/create'), ...server.callsTo('checks/update')].map((r) => r.body.output.annotations.length)).toEqual([50, 50, 20]);
    const run = server.checkRuns[0];
    expect(run.id).toBe(result.id);
    expect(run.annotations.map((a: { message: string }) => a.message)).toEqual(findings.map((f) => f.message));
    expect(run.annotations[1]).toEqual({ path: 'dist/apps/x/f1.yaml', start_line: 3, end_line: 3, annotation_level: 'failure', message: 'm1', title: 'r' });
  });

  test('SARIF is uploaded gzip-compressed and base64-encoded', async () => {
    const sarif = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'lambda-gitops' } }, results: [] }] });
    await uploadSarif(clientFor(server, logs), { owner: 'acme', repo: 'p', commitSha: HEAD, ref: 'refs/pull/7/head', sarif });
    expect(server.sarifUploads).toEqual([expect.objectContaining({ commit_sha: HEAD, ref: 'refs/pull/7/head', sarif: JSON.parse(sarif) })]);
    expect(gunzipSync(Buffer.from(encodeSarif('{"a":1}'), 'base64')).toString()).toBe('{"a":1}');
  });
});

describe('failures end with a clear message, never the token', () => {
  const call = () => upsertStickyComment(clientFor(server, logs), pr, 'x', { headSha: HEAD, runId: 1 });

  test('403 without permission names the permission to grant', async () => {
    server.script('issues/create-comment', { status: 403, body: { message: 'Resource not accessible by integration' } });
    await expect(call()).rejects.toThrow(new GitHubApiError("commenting on acme/platform#7: forbidden (403 Resource not accessible by integration); the token needs 'pull-requests: write' (workflow 'permissions:'), and fork pull requests only get read access", 403, ''));
  });

  test('404 says what to check', async () => {
    server.script('issues/list-comments', { status: 404, body: { message: 'Not Found' } });
    await expect(call()).rejects.toThrow(/^listing comments of acme\/platform#7: not found \(404 Not Found\); check the repository/);
  });

  test("422 carries GitHub's validation errors and is not retried", async () => {
    server.script('issues/create-comment', { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'Body is too long (maximum is 65536 characters)' }] } });
    await expect(call()).rejects.toThrow('commenting on acme/platform#7: GitHub rejected the request (422 Validation Failed: Body is too long (maximum is 65536 characters))');
    expect(server.callsTo('issues/create-comment')).toHaveLength(1);
  });

  test('5xx answers to reads are retried', async () => {
    server.script('issues/list-comments', { status: 502, body: { message: 'Bad Gateway' } }, 2);
    await expect(call()).resolves.toMatchObject({ action: 'created' });
    expect(server.callsTo('issues/list-comments')).toHaveLength(4);
    expect(server.comments.get(7)).toHaveLength(1);
  });

  test('a secondary rate limit is waited out (retry-after) and retried', async () => {
    server.script('issues/create-comment', { status: 403, headers: { 'retry-after': '2' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } });
    await expect(call()).resolves.toMatchObject({ action: 'created' });
    expect(server.callsTo('issues/create-comment')).toHaveLength(2);
    expect(logs).toContainEqual(expect.stringMatching(/^GitHub secondary rate limit on POST .*; retrying in 2s$/));
  });

  test('an exhausted primary rate limit with a distant reset fails with the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3000;
    server.script('issues/list-comments', { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: { message: 'API rate limit exceeded for installation ID 1.' } });
    await expect(call()).rejects.toThrow(`listing comments of acme/platform#7: GitHub API rate limit exhausted until ${new Date(reset * 1000).toISOString()} (403); try again after the reset`);
    expect(logs.join('\n')).toMatch(/rate limit reached on GET .*; resets in \d+s \(not waiting: GitHub asks to wait \d+s, longer than the 120s/);
  });

  test('a short primary rate-limit wait is retried', async () => {
    server.script('issues/list-comments', { status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) }, body: { message: 'API rate limit exceeded' } });
    await expect(call()).resolves.toMatchObject({ action: 'created' });
    // the limited call, its retry, and the look after creating
    expect(server.callsTo('issues/list-comments')).toHaveLength(3);
  });

  test('a bad token gives 401 and the message does not contain it', async () => {
    const client = clientFor(server, logs, { token: 'ghs_wrongTOKEN0123456789abcdefghijklmnop' });
    const error = await upsertStickyComment(client, pr, 'x', { headSha: HEAD, runId: 1 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/GitHub rejected the token \(401 Bad credentials\)/);
    expect((error as Error).message).not.toContain('ghs_wrongTOKEN');
    expect(server.requests.every((r) => r.authorization === 'token ghs_wrongTOKEN0123456789abcdefghijklmnop')).toBe(true);
  });
});

describe('two runs racing on one PR leave one sticky comment', () => {
  const bodies = () => (server.comments.get(7) ?? []).filter((c) => c.body.startsWith(`${markerLine()}\n`));
  const race = (first: number, second: number) => Promise.all([
    upsertStickyComment(clientFor(server, logs), pr, `from run ${first}`, { headSha: HEAD, runId: first }),
    upsertStickyComment(clientFor(server, logs), pr, `from run ${second}`, { headSha: 'b'.repeat(40), runId: second }),
  ]);

  test.each([[1, 2], [2, 1]])('both list before either creates (runs %i and %i): the oldest copy stays with the newer run\'s content', async (first, second) => {
    server.barrier('issues/list-comments');
    const outcomes = await race(first, second);
    expect(server.callsTo('issues/create-comment')).toHaveLength(2);
    const left = bodies();
    expect(left).toHaveLength(1);
    expect(left[0].body).toContain('from run 2');
    expect(left[0].id).toBe(Math.min(...outcomes.map((o) => o.commentId)));
    expect(outcomes.flatMap((o) => o.removedDuplicates ?? [])).toHaveLength(1);
  });

  test.each([[1, 2], [2, 1]])('both create before either looks again (runs %i and %i): each finds the other copy, one is deleted', async (first, second) => {
    server.barrier('issues/list-comments');
    server.barrier('issues/create-comment');
    // both look again after both created, so both try to delete the same duplicate: one gets 404
    await race(first, second);
    const left = bodies();
    expect(left).toHaveLength(1);
    expect(left[0].body).toContain('from run 2');
    expect(server.callsTo('issues/delete-comment').length).toBeGreaterThanOrEqual(1);
    const created = server.requests.filter((r) => r.operationId === 'issues/create-comment');
    expect(created).toHaveLength(2);
  });

  test('copies left by an earlier race are removed on the next run; the oldest one is kept and updated', async () => {
    const oldest = server.addComment(7, stickyBody('run 3', { headSha: HEAD, runId: 3 }));
    server.addComment(7, 'chatter', 'someone');
    const stale = server.addComment(7, stickyBody('run 4', { headSha: HEAD, runId: 4 }));
    const outcome = await upsertStickyComment(clientFor(server, logs), pr, 'run 5', { headSha: HEAD, runId: 5 });
    expect(outcome).toEqual({ action: 'updated', commentId: oldest.id, removedDuplicates: [stale.id] });
    expect(bodies().map((c) => c.body)).toEqual([stickyBody('run 5', { headSha: HEAD, runId: 5 })]);
  });

  test('an older run that finds a newer copy puts the newer content on the kept one and deletes the newer copy', async () => {
    const oldest = server.addComment(7, stickyBody('run 3', { headSha: HEAD, runId: 3 }));
    const newer = server.addComment(7, stickyBody('run 9', { headSha: HEAD, runId: 9 }));
    const outcome = await upsertStickyComment(clientFor(server, logs), pr, 'run 5', { headSha: HEAD, runId: 5 });
    expect(outcome).toEqual({ action: 'skipped-older', commentId: oldest.id, newer: { headSha: HEAD, runId: 9, runAttempt: 1 }, removedDuplicates: [newer.id] });
    expect(bodies().map((c) => c.body)).toEqual([newer.body]);
  });
});

describe('creates are never sent twice after a 5xx unless a look-up shows they did not land', () => {
  const call = () => upsertStickyComment(clientFor(server, logs), pr, 'x', { headSha: HEAD, runId: 1 });

  test('only POSTs that create something each time are non-idempotent', () => {
    expect(isNonIdempotentWrite('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(true);
    expect(isNonIdempotentWrite('POST', 'https://ghe.test/api/v3/repos/a/b/check-runs')).toBe(true);
    expect(isNonIdempotentWrite('POST', '/repos/{owner}/{repo}/code-scanning/sarifs')).toBe(true);
    expect(isNonIdempotentWrite('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}')).toBe(false);
    expect(isNonIdempotentWrite('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(false);
    expect(isNonIdempotentWrite('POST', '/repos/{owner}/{repo}/git/blobs')).toBe(false);
  });

  test('a comment that landed although GitHub answered 502 is found, not posted again', async () => {
    server.script('issues/create-comment', { status: 502, body: { message: 'Bad Gateway' }, landFirst: true });
    await expect(call()).resolves.toMatchObject({ action: 'created' });
    expect(server.callsTo('issues/create-comment')).toHaveLength(1);
    expect(server.comments.get(7)).toHaveLength(1);
  });

  test('a comment that did not land is looked up, then posted again', async () => {
    server.script('issues/create-comment', { status: 503, body: { message: 'Service Unavailable' } });
    await expect(call()).resolves.toMatchObject({ action: 'created' });
    expect(server.requests.map((r) => r.operationId)).toEqual(['issues/list-comments', 'issues/create-comment', 'issues/list-comments', 'issues/create-comment', 'issues/list-comments']);
    expect(server.comments.get(7)).toHaveLength(1);
  });

  test('a comment that never lands fails after the retries with what was checked', async () => {
    server.script('issues/create-comment', { status: 502, body: { message: 'Bad Gateway' } }, 3);
    await expect(call()).rejects.toThrow('commenting on acme/platform#7: GitHub answered 502 (Bad Gateway); it did not land (looked up after each of 3 attempts), giving up');
    expect(server.callsTo('issues/create-comment')).toHaveLength(3);
    expect(server.comments.get(7) ?? []).toHaveLength(0);
  });

  const checkRun = () => publishCheckRun(clientFor(server, logs), { owner: 'acme', repo: 'p', headSha: HEAD, conclusion: 'success', title: 't', summary: 's', annotations: [] });

  test('a check run that landed although GitHub answered 500 is found by its external_id', async () => {
    server.script('checks/create', { status: 500, body: { message: 'Server Error' }, landFirst: true });
    const result = await checkRun();
    expect(server.callsTo('checks/create')).toHaveLength(1);
    expect(server.callsTo('checks/list-for-ref')).toHaveLength(1);
    expect(server.checkRuns).toHaveLength(1);
    expect(result.id).toBe(server.checkRuns[0].id);
    expect(server.checkRuns[0].external_id).toMatch(/^lambda-gitops:[0-9a-f-]{36}$/);
  });

  test('a check run that did not land is created again, once', async () => {
    server.addPull(7, HEAD);
    server.checkRuns.push({ id: 1, name: 'lambda-gitops / review', head_sha: HEAD, external_id: 'lambda-gitops:an-earlier-run', status: 'completed', conclusion: 'failure', output: {}, annotations: [] });
    server.script('checks/create', { status: 502, body: { message: 'Bad Gateway' } });
    await checkRun();
    expect(server.callsTo('checks/create')).toHaveLength(2);
    expect(server.checkRuns).toHaveLength(2);
  });

  test('a SARIF upload answered with 5xx is not sent again (it cannot be looked up) and says so', async () => {
    server.script('code-scanning/upload-sarif', { status: 502, body: { message: 'Bad Gateway' }, landFirst: true });
    const sarif = JSON.stringify({ version: '2.1.0', runs: [] });
    await expect(uploadSarif(clientFor(server, logs), { owner: 'acme', repo: 'p', commitSha: HEAD, ref: 'refs/pull/7/head', sarif }))
      .rejects.toThrow('uploading SARIF for aaaaaaaaaaaa to acme/p: GitHub answered 502 (Bad Gateway); not sent again: the request may have been carried out and there is no way to look it up (re-run the job)');
    expect(server.callsTo('code-scanning/upload-sarif')).toHaveLength(1);
    expect(server.sarifUploads).toHaveLength(1);
  });
});

describe('rate-limit waits are bounded', () => {
  const secondary = (retryAfter: number) => ({ status: 403, headers: { 'retry-after': String(retryAfter) }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } });

  test('a secondary limit with retry-after: 3600 is not waited out: the call fails at once with the time to retry after', async () => {
    server.script('issues/create-comment', secondary(3600));
    const error = await upsertStickyComment(clientFor(server, logs), pr, 'x', { headSha: HEAD, runId: 1 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as Error).message).toMatch(/^commenting on acme\/platform#7: GitHub secondary rate limit \(403: You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\.\); GitHub asks to wait 3600s, longer than the 120s this client waits at most \(maxRateLimitWait\); not waiting, try again after \d{4}-\d\d-\d\dT/);
    // no wait and no second request
    expect(server.callsTo('issues/create-comment')).toHaveLength(1);
    expect(logs.filter((line) => /retrying in/.test(line))).toEqual([]);
    expect(logs).toContainEqual(expect.stringMatching(/^GitHub secondary rate limit on POST .*; resets in 3600s \(not waiting: GitHub asks to wait 3600s/));
  });

  test('the longest single wait is configurable', async () => {
    server.script('issues/create-comment', secondary(30));
    await expect(upsertStickyComment(clientFor(server, logs, { maxRateLimitWait: 20 }), pr, 'x', { headSha: HEAD, runId: 1 })).rejects.toThrow(/asks to wait 30s, longer than the 20s/);
  });

  test('waits together stay within the budget', async () => {
    server.script('issues/list-comments', secondary(60));
    server.script('issues/create-comment', secondary(60));
    const client = clientFor(server, logs, { rateLimitWaitBudget: 100 });
    await expect(upsertStickyComment(client, pr, 'x', { headSha: HEAD, runId: 1 })).rejects.toThrow(/waiting 60s more would pass the 100s this client may wait in all \(rateLimitWaitBudget; 60s used\)/);
    expect(server.callsTo('issues/list-comments')).toHaveLength(2);
    expect(server.callsTo('issues/create-comment')).toHaveLength(1);
  });
});
