/**
 * `diff` runs under a heap limit of its own (src/cli/heap-limit.ts): the command line starts itself
 * again in a child node with --max-old-space-size, unless the user chose a limit. These tests run the
 * real CLI: the limit must reach the child, the output and exit code must be the child's, reaching
 * the limit must give exit 2 and one line (no V8 report, no secret), and a signal must end both.
 */
import { describe, expect, jest, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DIFF_HEAP_MB, HEAP_LIMIT_ENV, HeapLimitSettingError, heapExhaustedLine, heapLimitToSet } from '../../src/cli/heap-limit.js';
import { planted, Scratch, writeSeededTrees } from '../diff/seeded-trees.js';

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const scratch = new Scratch('lg-heap-');
// several CLI processes per test, on a loaded 2-core machine
jest.setTimeout(240_000);

/** The CLI with `env` on top of this process's environment minus any heap setting, and a private TMPDIR. */
function run(args: string[], env: Record<string, string> = {}): ReturnType<typeof spawnSync> & { stdout: string; stderr: string; tmp: string } {
  const tmp = scratch.fresh(`tmp-${Math.random().toString(36).slice(2)}`);
  const base = { ...process.env };
  delete base[HEAP_LIMIT_ENV];
  delete base.NODE_OPTIONS;
  delete base.LAMBDA_GITOPS_HEAP_LIMITED;
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...base, TMPDIR: tmp, ...env }, maxBuffer: 1 << 28 });
  return Object.assign(result, { tmp });
}

const heapLine = (stderr: string): number => Number(/V8 heap limit (\d+) MiB/.exec(stderr)?.[1]);
const GIB = 2 ** 30;

describe('heapLimitToSet', () => {
  const context = (env: Record<string, string> = {}, execArgv: string[] = [], heapSizeLimit = 4 * GIB) => ({ env, execArgv, heapSizeLimit });

  test('the default limit when nothing is set and node would allow more', () => {
    expect(heapLimitToSet(context())).toBe(DEFAULT_DIFF_HEAP_MB);
    expect(heapLimitToSet(context({ [HEAP_LIMIT_ENV]: ' 900 ' }))).toBe(900);
  });

  test('none in the child, with 0, or when the user set --max-old-space-size', () => {
    expect(heapLimitToSet(context({ LAMBDA_GITOPS_HEAP_LIMITED: '1' }))).toBeUndefined();
    expect(heapLimitToSet(context({ [HEAP_LIMIT_ENV]: '0' }))).toBeUndefined();
    expect(heapLimitToSet(context({ NODE_OPTIONS: '--enable-source-maps --max-old-space-size=3000' }))).toBeUndefined();
    expect(heapLimitToSet(context({ NODE_OPTIONS: '--max_old_space_size 3000' }))).toBeUndefined();
    expect(heapLimitToSet(context({}, ['--max-old-space-size=3000']))).toBeUndefined();
    // a different option that merely starts alike is not a heap setting
    expect(heapLimitToSet(context({ NODE_OPTIONS: '--max-old-space-size-percentage=50' }))).toBe(DEFAULT_DIFF_HEAP_MB);
  });

  test('none when this process is already at or under the limit', () => {
    expect(heapLimitToSet(context({}, [], 512 * 2 ** 20))).toBeUndefined();
    expect(heapLimitToSet(context({}, [], DEFAULT_DIFF_HEAP_MB * 2 ** 20))).toBeUndefined();
    expect(heapLimitToSet(context({}, [], DEFAULT_DIFF_HEAP_MB * 2 ** 20 + 1))).toBe(DEFAULT_DIFF_HEAP_MB);
  });

  test('a bad setting is an error that names the variable and value', () => {
    for (const value of ['x', '1.5', '-5', '12', '700MB', '0x100']) {
      expect(() => heapLimitToSet(context({ [HEAP_LIMIT_ENV]: value }))).toThrow(HeapLimitSettingError);
      expect(() => heapLimitToSet(context({ [HEAP_LIMIT_ENV]: value }))).toThrow(`${HEAP_LIMIT_ENV}="${value}"`);
    }
  });
});

describe('diff under its heap limit (real processes)', () => {
  const { b, h } = writeSeededTrees(scratch.root, 'seeded', 20261202, 400);

  test('the child runs under the limit and its output and exit code are the same as without it', () => {
    for (const format of ['text', 'json', 'markdown']) {
      const limited = run(['diff', '--debug', '--base', b, '--head', h, '--format', format]);
      const own = run(['diff', '--debug', '--base', b, '--head', h, '--format', format], { [HEAP_LIMIT_ENV]: '0' });
      expect(limited.status).toBe(0);
      expect(limited.status).toBe(own.status);
      expect(limited.stdout.length).toBeGreaterThan(1000);
      expect(limited.stdout).toBe(own.stdout);
      // --max-old-space-size=700 plus the young generation
      expect(heapLine(limited.stderr)).toBeGreaterThanOrEqual(DEFAULT_DIFF_HEAP_MB);
      expect(heapLine(limited.stderr)).toBeLessThan(DEFAULT_DIFF_HEAP_MB + 100);
      expect(heapLine(own.stderr)).toBeGreaterThan(DEFAULT_DIFF_HEAP_MB + 100);
      // the spill went to the parent's temporary directory, removed with it
      expect(readdirSync(limited.tmp)).toEqual([]);
    }
  });

  test('a limit chosen by the user is kept: NODE_OPTIONS, and LAMBDA_GITOPS_HEAP_MB', () => {
    const nodeOptions = run(['diff', '--debug', '--base', b, '--head', h], { NODE_OPTIONS: '--max-old-space-size=300' });
    expect(nodeOptions.status).toBe(0);
    expect(heapLine(nodeOptions.stderr)).toBeLessThan(400);
    const setting = run(['diff', '--debug', '--base', b, '--head', h], { [HEAP_LIMIT_ENV]: '200' });
    expect(setting.status).toBe(0);
    expect(heapLine(setting.stderr)).toBeGreaterThanOrEqual(200);
    expect(heapLine(setting.stderr)).toBeLessThan(300);
    const bad = run(['diff', '--base', b, '--head', h], { [HEAP_LIMIT_ENV]: 'lots' });
    expect({ status: bad.status, stderr: bad.stderr, stdout: bad.stdout }).toEqual({
      status: 2,
      stderr: `lambda-gitops diff: ${HEAP_LIMIT_ENV}="lots": must be a whole number of MiB, at least 64, or 0 to keep Node's own heap limit\n`,
      stdout: '',
    });
  });

  test('the child exit code 2 and its one line pass through', () => {
    const result = run(['diff', '--base', join(scratch.root, 'missing'), '--head', h]);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^lambda-gitops diff: .*missing/)]);
  });

  test('reaching the limit gives exit 2 and one line naming the setting, with no V8 report, no secret and no leftover file', () => {
    // 60,000 changed objects (some Secrets with planted values) do not fit in a 64 MiB heap
    const [base, head] = [join(scratch.root, 'big-base'), join(scratch.root, 'big-head')];
    mkdirSync(base, { recursive: true });
    mkdirSync(head, { recursive: true });
    const secret = [...planted][0] ?? 'c2VjcmV0LXZhbHVlLWZvci1oZWFwLXRlc3Q=';
    const text = (value: string): string => {
      const parts: string[] = [];
      for (let i = 0; i < 60_000; i++) {
        parts.push(i % 1000 === 0
          ? `---\napiVersion: v1\nkind: Secret\nmetadata: {name: s${i}, namespace: n}\nstringData: {password: "${secret}${value}"}\n`
          : `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n}\ndata: {k: ${value}${i}}\n`);
      }
      return parts.join('');
    };
    writeFileSync(join(base, 'all.yaml'), text('v'));
    writeFileSync(join(head, 'all.yaml'), text('w'));
    const output = join(scratch.root, 'big.json');
    const result = run(['diff', '--base', base, '--head', head, '--format', 'json', '--output', output], { [HEAP_LIMIT_ENV]: '64' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 2, stderr: `${heapExhaustedLine('diff', 64)}\n` });
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).toBe('');
    expect(readdirSync(result.tmp)).toEqual([]);
    // a report is either whole or absent: the child died before writing it
    expect(existsSync(output) ? readFileSync(output, 'utf8') : '').not.toContain(secret);
    // the same input fits under the default limit
    const fits = run(['diff', '--base', base, '--head', head, '--format', 'json', '--output', output]);
    expect(fits.status).toBe(0);
    expect(JSON.parse(readFileSync(output, 'utf8')).summary).toMatchObject({ changed: 60_000 });
  });

  test('a signal to the parent ends the child and then the parent the same way', async () => {
    const tmp = scratch.fresh('tmp-signal');
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
    delete env[HEAP_LIMIT_ENV];
    delete env.NODE_OPTIONS;
    const [base, head] = [join(scratch.root, 'big-base'), join(scratch.root, 'big-head')];
    const parent = spawn(process.execPath, [cli, 'diff', '--base', base, '--head', head, '--format', 'json'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const found = spawnSync('pgrep', ['-P', String(parent.pid)], { encoding: 'utf8' }).stdout.trim();
        if (found) resolve(Number(found.split('\n')[0]));
        else if (Date.now() - started > 60_000) reject(new Error('no child process started'));
        else setTimeout(poll, 20);
      };
      poll();
    });
    // let the child get into reading the trees
    await new Promise((resolve) => setTimeout(resolve, 300));
    parent.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => parent.on('close', (c, s) => resolve([c, s])));
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(`/proc/${childPid}`)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
