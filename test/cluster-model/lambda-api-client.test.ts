import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaApiClient, LambdaApiError } from '../../src/cluster/lambda-api-client.js';
import { loadLiveCatalogFile, livePrice } from '../../src/cluster/lambda-catalog.js';
import { main } from '../../src/cli/main.js';
import { ACCOUNT_INACTIVE, errorBody, instanceTypesBody, LambdaApiEmulator, validateResponse } from './lambda-api-emulator.js';

const KEY = 'secret_lambda-test-key_0123456789abcdef';
let emulator: LambdaApiEmulator;
let baseUrl: string;

async function start(e: LambdaApiEmulator): Promise<void> {
  emulator = e;
  baseUrl = await e.start();
}
afterEach(async () => {
  await emulator?.stop();
});

/** A client with a short pace for tests that are not about the 1 request/s limit (the emulator is set to match). */
const fastClient = (apiKey = KEY) => new LambdaApiClient({ apiKey, baseUrl, minIntervalMs: 60 });

async function failure(promise: Promise<unknown>): Promise<LambdaApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LambdaApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

test('the vendored description accepts the emulator 200 body and rejects a body without prices', () => {
  expect(validateResponse(200, instanceTypesBody({ gpu_1x_a10: ['us-east-1'] }))).toEqual([]);
  const body = instanceTypesBody() as { data: Record<string, { instance_type: Record<string, unknown> }> };
  delete body.data.gpu_1x_a10.instance_type.price_cents_per_hour;
  expect(validateResponse(200, body).join()).toMatch(/price_cents_per_hour/);
  expect(validateResponse(401, { error: { code: 'global/invalid-api-key', message: 'x' } }).join()).toMatch(/suggestion/);
});

test('200: prices, specs and regions with capacity, fetched with a Bearer key the emulator accepts', async () => {
  await start(new LambdaApiEmulator(KEY, instanceTypesBody({ gpu_1x_a10: ['us-east-1', 'us-west-1'] }), 20));
  const fetchedAt = new Date('2026-12-02T03:00:00Z');
  const catalog = await fastClient().instanceTypes(() => fetchedAt);
  expect(catalog.fetchedAt).toBe('2026-12-02T03:00:00.000Z');
  expect(catalog.source).toBe(`${baseUrl}/api/v1/instance-types`);
  expect(catalog.instanceTypes.gpu_1x_a10).toEqual({
    description: '1x A10 (24 GB PCIe)', gpuDescription: 'A10 (24 GB)', hourlyUsd: 1.29, vcpus: 30, memoryGiB: 200, storageGiB: 1331, gpus: 1,
    regionsWithCapacity: ['us-east-1', 'us-west-1'],
  });
  expect(catalog.instanceTypes.gpu_8x_b200_sxm6.hourlyUsd).toBe(53.52);
  expect(livePrice(catalog, 'gpu_1x_a10')).toEqual({ hourlyUsd: 1.29, readOn: '2026-12-02', source: expect.stringContaining('fetched 2026-12-02T03:00:00.000Z') });
  expect(livePrice(catalog, 'gpu_1x_a11')).toBeUndefined();
  expect(emulator.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/api/v1/instance-types', auth: 'bearer', keyMatched: true, status: 200 })]);
  expect(emulator.violations).toEqual([]);
});

test('401: one request, no retry, Lambda code and a hint, and no key in the message', async () => {
  await start(new LambdaApiEmulator(KEY, undefined, 20));
  const error = await failure(fastClient('wrong-key-000111').instanceTypes());
  expect(error).toMatchObject({ status: 401, code: 'global/invalid-api-key', isAuthError: true });
  expect(error.message).toMatch(/answered 401 global\/invalid-api-key: API key was invalid, expired, or deleted\..*check LAMBDA_API_KEY/);
  expect(error.message).not.toContain('wrong-key-000111');
  expect(emulator.requests).toHaveLength(1);
  expect(emulator.violations).toEqual([]);
});

test('403: the account is inactive; not retried', async () => {
  await start(new LambdaApiEmulator(KEY, undefined, 20).then({ status: 403, body: ACCOUNT_INACTIVE }));
  const error = await failure(fastClient().instanceTypes());
  expect(error).toMatchObject({ status: 403, code: 'global/account-inactive', isAuthError: true });
  expect(error.message).toMatch(/answered 403 global\/account-inactive: Your account is inactive\./);
  expect(error.message).not.toContain(KEY);
  expect(emulator.requests).toHaveLength(1);
  expect(emulator.violations).toEqual([]);
});

test('429 with the 1 request/s limit: the client waits Retry-After, never sends two requests within a second, and succeeds', async () => {
  await start(new LambdaApiEmulator(KEY).then({ status: 429, body: errorBody('global/rate-limit-exceeded', 'Too many requests'), headers: { 'Retry-After': '1' } }));
  const client = new LambdaApiClient({ apiKey: KEY, baseUrl });
  const first = await client.instanceTypes();
  const second = await client.instanceTypes(); // a second call right after: paced, not refused
  expect(first.instanceTypes.gpu_1x_a10.hourlyUsd).toBe(1.29);
  expect(second.instanceTypes.gpu_1x_a10.hourlyUsd).toBe(1.29);
  expect(emulator.requests.map((r) => r.status)).toEqual([429, 200, 200]);
  const gaps = emulator.requests.slice(1).map((r, i) => r.at - emulator.requests[i].at);
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
  expect(emulator.violations).toEqual([]);
});

test('429 on every attempt: gives up after maxAttempts with the rate-limit hint', async () => {
  const limited = { status: 429, body: errorBody('global/rate-limit-exceeded', 'Too many requests') };
  await start(new LambdaApiEmulator(KEY, undefined, 20).then(limited, limited, limited));
  const error = await failure(new LambdaApiClient({ apiKey: KEY, baseUrl, minIntervalMs: 60, maxAttempts: 3 }).instanceTypes());
  expect(error.status).toBe(429);
  expect(error.message).toMatch(/answered 429 global\/rate-limit-exceeded.*rate limited.*gave up after 3 attempts/);
  expect(emulator.requests).toHaveLength(3);
});

test('a Retry-After longer than the client accepts fails at once instead of hanging', async () => {
  await start(new LambdaApiEmulator(KEY, undefined, 20).then({ status: 429, body: errorBody('global/rate-limit-exceeded', 'slow down'), headers: { 'Retry-After': '3600' } }));
  const error = await failure(fastClient().instanceTypes());
  expect(error.message).toMatch(/asks to wait 3600 s, more than 60 s/);
  expect(emulator.requests).toHaveLength(1);
});

test('5xx: retried with backoff and then successful; persistent 5xx fails with the status', async () => {
  const unavailable = { status: 503, body: errorBody('provider/internal-unavailable', 'Provider unavailable', 'Try again shortly') };
  await start(new LambdaApiEmulator(KEY, undefined, 20).then(unavailable, { status: 500, body: errorBody('global/internal-error', 'An internal server error occurred.') }));
  const catalog = await fastClient().instanceTypes();
  expect(Object.keys(catalog.instanceTypes)).toContain('gpu_1x_a10');
  expect(emulator.requests.map((r) => r.status)).toEqual([503, 500, 200]);
  await emulator.stop();

  await start(new LambdaApiEmulator(KEY, undefined, 20).then(unavailable, unavailable));
  const error = await failure(new LambdaApiClient({ apiKey: KEY, baseUrl, minIntervalMs: 60, maxAttempts: 2 }).instanceTypes());
  expect(error).toMatchObject({ status: 503, code: 'provider/internal-unavailable' });
  expect(error.message).toMatch(/answered 503 provider\/internal-unavailable: Provider unavailable Try again shortly \(gave up after 2 attempts\)/);
  expect(emulator.violations).toEqual([]);
});

test('malformed bodies: not JSON, and JSON that breaks the schema, fail with the field named', async () => {
  const body = instanceTypesBody() as { data: Record<string, { instance_type: Record<string, unknown> }> };
  body.data.gpu_1x_a10.instance_type.price_cents_per_hour = '129';
  await start(new LambdaApiEmulator(KEY, undefined, 20).then({ status: 200, body: '<html>gateway error</html>', malformed: true }, { status: 200, body, malformed: true }));
  const notJson = await failure(fastClient().instanceTypes());
  expect(notJson.message).toMatch(/the response body is not JSON \(<html>gateway error<\/html>\)/);
  const badField = await failure(fastClient().instanceTypes());
  expect(badField.message).toMatch(/does not match Lambda's published schema: data\.gpu_1x_a10\.instance_type\.price_cents_per_hour: expected a whole number of US cents, got "129"/);
  expect(emulator.violations).toEqual([]); // the scripted bodies were confirmed to break the schema
});

test('a server that echoes the key back never gets it into an error', async () => {
  await start(new LambdaApiEmulator(KEY, undefined, 20).then({ status: 403, body: errorBody('global/account-inactive', `key ${KEY} is inactive (Basic ${Buffer.from(`${KEY}:`).toString('base64')})`, 'none') }));
  const error = await failure(fastClient().instanceTypes());
  expect(error.message).not.toContain(KEY);
  expect(error.message).not.toContain(Buffer.from(`${KEY}:`).toString('base64'));
  expect(error.message).toContain('key [redacted] is inactive (Basic [redacted])');
});

test('an unreachable API fails after the attempts with the network error, not the key', async () => {
  await start(new LambdaApiEmulator(KEY));
  await emulator.stop();
  const error = await failure(new LambdaApiClient({ apiKey: KEY, baseUrl, minIntervalMs: 10, maxAttempts: 2 }).instanceTypes());
  expect(error.status).toBeUndefined();
  expect(error.message).toMatch(/failed: ECONNREFUSED \(gave up after 2 attempts\)/);
  expect(error.message).not.toContain(KEY);
});

describe('lambda-gitops catalog refresh', () => {
  let out: string[];
  let err: string[];
  const saved = { key: process.env.LAMBDA_API_KEY, base: process.env.LAMBDA_API_BASE_URL };
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => (out.push(String(chunk)), true)) as never);
    jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown) => (err.push(String(chunk)), true)) as never);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env.LAMBDA_API_KEY = saved.key;
    if (saved.key === undefined) delete process.env.LAMBDA_API_KEY;
    process.env.LAMBDA_API_BASE_URL = saved.base;
    if (saved.base === undefined) delete process.env.LAMBDA_API_BASE_URL;
  });

  test('writes a dated catalog file from the emulator; the key is in neither the output nor the file', async () => {
    await start(new LambdaApiEmulator(KEY, instanceTypesBody({ gpu_1x_a10: ['us-east-1'] })));
    process.env.LAMBDA_API_KEY = KEY;
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.json');
    expect(await main(['catalog', 'refresh', '--out', file, '--base-url', baseUrl])).toBe(0);
    expect(out.join('')).toMatch(new RegExp(`^Wrote ${file}: 24 instance types \\(1 with capacity in some region now\\), fetched \\d{4}-\\d{2}-\\d{2}T`));
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(KEY);
    expect(out.join('') + err.join('')).not.toContain(KEY);
    const catalog = loadLiveCatalogFile(file);
    expect(catalog.instanceTypes.gpu_1x_a10.regionsWithCapacity).toEqual(['us-east-1']);
    expect(Object.keys(catalog.instanceTypes)).toEqual([...Object.keys(catalog.instanceTypes)].sort());
    expect(emulator.violations).toEqual([]);
  });

  test('LAMBDA_API_BASE_URL sets the base URL; a refused key exits 2 without printing it', async () => {
    await start(new LambdaApiEmulator(KEY));
    process.env.LAMBDA_API_KEY = 'not-the-key-42424242';
    process.env.LAMBDA_API_BASE_URL = baseUrl;
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.json');
    expect(await main(['catalog', 'refresh', '--out', file])).toBe(2);
    expect(err.join('')).toMatch(/lambda-gitops catalog: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/instance-types answered 401/);
    expect(err.join('')).not.toContain('not-the-key-42424242');
    expect(emulator.requests).toHaveLength(1);
  });

  test('no key, no subcommand or a bad base URL: exit 2 with the reason', async () => {
    delete process.env.LAMBDA_API_KEY;
    expect(await main(['catalog', 'refresh'])).toBe(2);
    expect(err.join('')).toMatch(/LAMBDA_API_KEY is not set/);
    expect(await main(['catalog'])).toBe(2);
    expect(err.join('')).toMatch(/expected the subcommand 'refresh', got none/);
    process.env.LAMBDA_API_KEY = KEY;
    expect(await main(['catalog', 'refresh', '--base-url', 'ftp://x'])).toBe(2);
    expect(err.join('')).toMatch(/invalid base URL "ftp:\/\/x": must be http\(s\)/);
    expect(await main(['catalog', 'refresh', '--base-url', `https://user:${KEY}@example.com`])).toBe(2);
    expect(err.join('')).toMatch(/invalid base URL: it must not contain credentials; the key goes in LAMBDA_API_KEY/);
    expect(err.join('')).not.toContain(KEY);
  });
});
