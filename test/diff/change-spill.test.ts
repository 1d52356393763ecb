/**
 * A diff report whose listed changes are spilled to a temporary file (`diffSourcesSpilled`,
 * `ChangeSpill`) renders byte-identical to the in-memory `diffSources` report on seeded trees; the
 * file (mode 0600 in a private directory) holds no planted secret and is removed after success,
 * after a failure, on a signal, and by the CLI on every exit path.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { changeSortKey, ChangeSpill, compareChanges, diffSources, diffSourcesSpilled, directorySource, MarkdownOptions, renderJson, renderMarkdown, renderText, ResourceChange, StreamDiffOptions, TreeLoadError } from '../../src/diff/index.js';
import { SecretScrubber } from '../../src/masking/secret-scrubber.js';
import { renderJsonChunks, renderTextChunks } from '../../src/diff/render-text.js';
import type { CliRun } from '../support/run-cli.js';
import { generate, holds, planted, random, Scratch, SEEDS, writeSeededTrees, writeTree } from './seeded-trees.js';

const scratch = new Scratch('lg-change-spill-');
const freshDir = (name: string) => scratch.fresh(name);
const lib = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib');

/** Every file below `dir` (recursively) with its bytes. */
function filesBelow(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => {
    const path = join(entry.parentPath, entry.name);
    return { path, bytes: readFileSync(path) };
  });
}

/**
 * The spilled report of `b` → `h` checked against `diffSources` while the spill is open, with its
 * private directory in `parent`. `options` go to the spilled diff (e.g. `changedBatch`).
 */
function compareSpilled(b: string, h: string, parent: string, options: StreamDiffOptions = {}): void {
  const expected = diffSources(directorySource(b), directorySource(h));
  const spill = new ChangeSpill({ parent });
  try {
    const report = diffSourcesSpilled(directorySource(b), directorySource(h), spill, options);
    expect(spill.length).toBe(expected.changes.length);
    expect(report.summary).toEqual(expected.summary);
    expect(report.risks).toEqual(expected.risks);
    expect([...report.changes]).toEqual(expected.changes);
    expect([...renderTextChunks(report)].join('')).toBe(renderText(expected));
    expect([...renderJsonChunks(report)].join('')).toBe(renderJson(expected));
    // read again: the same (the file is read, not consumed)
    expect([...renderJsonChunks(report)].join('')).toBe(renderJson(expected));
    const { mode, bytes } = spill.onDisk();
    expect(mode).toBe(0o600);
    // the search finds what the spill holds: every listed object's name, and the mask tokens
    for (const change of expected.changes) expect(holds(bytes, change.resource.name)).toBe(true);
    if (renderText(expected).includes('(hidden')) expect(holds(bytes, '(hidden')).toBe(true);
    for (const secret of planted) expect(holds(bytes, secret)).toBe(false);
    // the open spill has no name on disk: the diff wrote no file that could be read or left behind
    expect(filesBelow(parent)).toEqual([]);
  } finally {
    spill.close();
  }
  expect(readdirSync(parent)).toEqual([]);
}

describe('diffSourcesSpilled: the report of diffSources, read back from a private file', () => {
  test.each(SEEDS)('seed %i: the same changes and risks, byte-identical text and JSON, no planted secret in the file', (seed) => {
    const { b, h } = writeSeededTrees(scratch.root, `s${seed}`, seed, 300);
    const parent = freshDir(`tmp${seed}`);
    compareSpilled(b, h, parent);
    expect(readdirSync(parent)).toEqual([]);
  });

  test('an empty base (every object added) and an empty head (every object removed)', () => {
    const { head } = generate(11, 200);
    const [empty, h] = [freshDir('empty'), scratch.path('h-only')];
    writeTree(h, head);
    const parent = freshDir('tmp-empty');
    compareSpilled(empty, h, parent);
    compareSpilled(h, empty, parent);
    expect(readdirSync(parent)).toEqual([]);
  });

  test('no limit on listed objects: more than maxChanges added is written whole', () => {
    const { head } = generate(13, 60);
    const [empty, h] = [freshDir('limit-empty'), scratch.path('limit-h')];
    writeTree(h, head);
    expect(() => diffSources(directorySource(empty), directorySource(h), { maxChanges: 10 })).toThrow(/more than 10 objects/);
    const spill = new ChangeSpill({ parent: freshDir('tmp-limit') });
    try {
      const report = diffSourcesSpilled(directorySource(empty), directorySource(h), spill, { maxChanges: 10 });
      expect(report.summary.added).toBe(head.length);
      expect([...report.changes].length).toBe(head.length);
    } finally {
      spill.close();
    }
  });

  test.each(SEEDS)('seed %i: more objects of both trees differ than changedBatch (their head side held in memory, never spilled): compared in batches, the same report, no planted secret in any file', (seed) => {
    const { b, h } = writeSeededTrees(scratch.root, `mc${seed}`, seed, 300);
    const expected = diffSources(directorySource(b), directorySource(h));
    // more changed objects than the batch, and among them Secrets and env values whose secret changed
    expect(expected.summary.changed).toBeGreaterThan(5);
    const secretChanged = expected.changes.filter((c) => c.action === 'changed' && c.fields.some((f) => f.after === '(hidden, after)'));
    expect(secretChanged.map((c) => c.resource.kind)).toEqual(expect.arrayContaining(['Secret']));
    // the planted secrets are in the trees the diff reads (positive control for the search below)
    const treeBytes = Buffer.concat([...filesBelow(b), ...filesBelow(h)].map((file) => file.bytes));
    expect([...planted].filter((secret) => holds(treeBytes, secret)).length).toBeGreaterThan(5);
    const parent = freshDir(`tmp-mc${seed}`);
    for (const changedBatch of [1, 5]) compareSpilled(b, h, parent, { changedBatch });
    expect(readdirSync(parent)).toEqual([]);
  });

  test('a failure after changes were spilled: the error of diffSources, the file freed by close', () => {
    const h = freshDir('fail-h');
    for (let i = 0; i < 50; i++) writeFileSync(join(h, `a${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: x}\n`);
    writeFileSync(join(h, 'z.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c0, namespace: x}\n');
    const empty = freshDir('fail-empty');
    const parent = freshDir('tmp-fail');
    const spill = new ChangeSpill({ parent });
    let message = '';
    try {
      diffSourcesSpilled(directorySource(empty), directorySource(h), spill);
    } catch (error) {
      expect(error).toBeInstanceOf(TreeLoadError);
      message = (error as Error).message;
    }
    expect(message).toBe("z.yaml:1: ConfigMap 'c0' in namespace 'x' is also defined in a0.yaml");
    expect(spill.length).toBe(50);
    // the spill holds the 50 changes, with no name on disk
    expect(spill.onDisk().bytes.length).toBeGreaterThan(0);
    expect(readdirSync(parent)).toEqual([]);
    spill.close();
    expect(() => spill.onDisk()).toThrow("the diff's temporary file is already closed");
    spill.close();
    expect(readdirSync(parent)).toEqual([]);
    expect(() => [...spill.sorted()]).toThrow("the diff's temporary file is already closed");
  });

  test('the sort key orders as compareChanges, also with NUL and control characters in names (2,000 generated pairs)', () => {
    const next = random(99);
    const parts = ['', 'a', 'b', '\0', '\u0001', '\0a', 'a\0', 'a\u0001', 'ab'];
    const pick = () => parts[Math.floor(next() * parts.length)] + (next() < 0.3 ? parts[Math.floor(next() * parts.length)] : '');
    const actions = ['added', 'removed', 'changed'] as const;
    const change = (): ResourceChange => ({ action: actions[Math.floor(next() * 3)], resource: { group: pick(), apiVersion: 'v1', kind: pick(), namespace: pick(), name: pick(), file: 'f' }, fields: [] });
    for (let i = 0; i < 2_000; i++) {
      const [a, b] = [change(), change()];
      const [ka, kb] = [changeSortKey(a), changeSortKey(b)];
      expect(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0)).toBe(Math.sign(compareChanges(a, b)));
    }
  });

  test('values that JSON would change read back exactly (dates, NaN, -0, undefined)', () => {
    const spill = new ChangeSpill({ parent: freshDir('tmp-values') });
    try {
      const odd: ResourceChange = { action: 'changed', resource: { group: '', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'y', file: 'f' }, fields: [{ path: 'data.a', before: new Date(0), after: Number.NaN }, { path: 'data.b', before: -0, after: undefined }] };
      spill.push(odd);
      const [back] = [...spill.sorted()];
      expect(back).toEqual(odd);
      expect(Object.is(back.fields[1].before, -0)).toBe(true);
      expect(Object.prototype.toString.call(back.fields[0].before)).toBe('[object Date]');
    } finally {
      spill.close();
    }
  });

  test('SIGTERM during synchronous work ends the process at once as the signal does, and leaves nothing', async () => {
    const parent = freshDir('tmp-signal');
    // the diff's work is synchronous: a signal handler would run only after it (the old spill's did,
    // so SIGTERM was ignored until the diff ended and the process then exited 0)
    const script = `const { ChangeSpill } = await import(${JSON.stringify(join(lib, 'diff', 'change-spill.js'))});
const spill = new ChangeSpill({ parent: ${JSON.stringify(parent)} });
spill.push({ action: 'added', resource: { group: '', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'y', file: 'f' }, fields: [] });
spill.onDisk();
process.stdout.write('ready\\n');
const end = Date.now() + 15000;
while (Date.now() < end) {}`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.endsWith('\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    // the spill holds a change, yet nothing of it has a name on disk
    expect(readdirSync(parent)).toEqual([]);
    const sent = Date.now();
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    expect(await ended).toBe('SIGTERM');
    // ended by the signal, not at the end of the 15 s loop
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(readdirSync(parent)).toEqual([]);
  }, 30_000);
});

describe('the CLI spills text and JSON reports and removes the file on every exit path', () => {
  /**
   * Runs the built CLI (`lambda-gitops diff ARGS`) in a child process with TMPDIR at a fresh
   * directory (jest's `process.env` is a copy that `os.tmpdir()` does not read); returns its
   * output, the names created in that directory during the run and what is left.
   */
  async function diffInTmpdir(name: string, args: string[]): Promise<{ result: CliRun; created: string[]; left: string[] }> {
    const dir = freshDir(name);
    const created: string[] = [];
    const watcher = watch(dir, (_event, file) => {
      if (file && !created.includes(file)) created.push(file);
    });
    try {
      const child = spawnSync(process.execPath, [join(lib, 'cli', 'main.js'), 'diff', ...args], { encoding: 'utf8', env: { ...process.env, TMPDIR: dir }, maxBuffer: 1 << 28 });
      // the watcher's events are delivered once the event loop runs again
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { result: { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr }, created, left: readdirSync(dir) };
    } finally {
      watcher.close();
    }
  }

  test('success (JSON to stdout, text to a file): the same bytes as the in-memory report, nothing left', async () => {
    const { b, h } = writeSeededTrees(scratch.root, 'cli', 9, 200);
    const expected = diffSources(directorySource(b), directorySource(h));
    const json = await diffInTmpdir('tmp-cli-json', ['--base', b, '--head', h, '--format', 'json']);
    expect(json.result.code).toBe(0);
    expect(json.result.stdout).toBe(renderJson(expected));
    expect(json.created.some((file) => file.startsWith('lambda-gitops-diff-'))).toBe(true);
    expect(json.left).toEqual([]);
    const out = join(scratch.root, 'cli-out', 'report.txt');
    const text = await diffInTmpdir('tmp-cli-text', ['--base', b, '--head', h, '--output', out]);
    expect(text.result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(renderText(expected));
    expect(text.created.some((file) => file.startsWith('lambda-gitops-diff-'))).toBe(true);
    expect(text.left).toEqual([]);
    for (const secret of planted) expect(json.result.stdout + readFileSync(out, 'utf8')).not.toContain(secret);
  });

  test('a failure while reading (a duplicate after spilled objects) and while writing (--output is a directory): exit 2, nothing left', async () => {
    const h = freshDir('cli-fail-h');
    for (let i = 0; i < 20; i++) writeFileSync(join(h, `a${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: x}\n`);
    writeFileSync(join(h, 'z.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c0, namespace: x}\n');
    const empty = freshDir('cli-fail-empty');
    const duplicate = await diffInTmpdir('tmp-cli-dup', ['--base', empty, '--head', h, '--format', 'json']);
    expect(duplicate.result.code).toBe(2);
    expect(duplicate.result.stderr).toBe("lambda-gitops diff: z.yaml:1: ConfigMap 'c0' in namespace 'x' is also defined in a0.yaml\n");
    expect(duplicate.created.some((file) => file.startsWith('lambda-gitops-diff-'))).toBe(true);
    expect(duplicate.left).toEqual([]);
    writeFileSync(join(h, 'z.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: x}\n');
    const outDir = freshDir('cli-out-dir');
    const unwritable = await diffInTmpdir('tmp-cli-out', ['--base', empty, '--head', h, '--output', outDir]);
    expect(unwritable.result.code).toBe(2);
    expect(unwritable.result.stderr).toMatch(/is a directory/);
    expect(unwritable.created.some((file) => file.startsWith('lambda-gitops-diff-'))).toBe(true);
    expect(unwritable.left).toEqual([]);
  });

  test('Markdown and --full are read back from the spill too: the bytes of the in-memory rendering, nothing left', async () => {
    const { b, h } = writeSeededTrees(scratch.root, 'md', 21, 300);
    const full = join(scratch.root, 'md-out', 'full.md');
    const changes = diffSources(directorySource(b), directorySource(h)).changes.length;
    // over the limit of the in-memory report (lowered to 10 here; 250,000 by default), listed whole
    expect(changes).toBeGreaterThan(40);
    expect(() => diffSources(directorySource(b), directorySource(h), { maxChanges: 10 })).toThrow(/the diff lists more than 10 objects/);
    for (const budget of [undefined, 4_000]) {
      const run = await diffInTmpdir('tmp-cli-md', ['--base', b, '--head', h, '--format', 'markdown', '--full', full, ...(budget ? ['--budget', String(budget)] : [])]);
      expect(run.result.stderr).toBe('');
      expect(run.result.code).toBe(0);
      expect(run.created.some((file) => file.startsWith('lambda-gitops-diff-'))).toBe(true);
      expect(run.left).toEqual([]);
      const title = `Manifest diff · ${b} → ${h}`;
      expect(run.result.stdout).toBe(inMemoryMarkdown(b, h, { title, budget, fullDiffHint: `\`${full}\`` }));
      const written = readFileSync(full, 'utf8');
      expect(written).toBe(inMemoryMarkdown(b, h, { title, budget: Infinity }));
      expect((written.match(/<details>/g) ?? []).length).toBe(changes);
      if (budget) expect(run.result.stdout).toMatch(/\*\*Not shown \(\d+ objects, comment size limit; see `.*full\.md`\):\*\* /);
      for (const secret of planted) expect(run.result.stdout + written).not.toContain(secret);
    }
  });

  test('a secret value used as a name, a namespace and a ConfigMap value reaches no Markdown, escaped or not', async () => {
    const secret = 'zq_*s3cret*_v4lue';
    const [empty, h] = [freshDir('md-secret-base'), freshDir('md-secret-head')];
    writeFileSync(join(h, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: x}\nstringData: {password: '${secret}'}\n`);
    // the named ConfigMap comes first in review order (its namespace before the fillers'); at the
    // smallest budget its block is too large, so it is first in the not-shown list
    for (let i = 0; i < 40; i++) writeFileSync(join(h, `a${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a${String(i).padStart(2, '0')}, namespace: zz}\ndata: {v: '${'x'.repeat(300)}'}\n`);
    writeFileSync(join(h, 'named.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: '${secret}', namespace: '${secret}'}\ndata: {note: '${secret}', ${Array.from({ length: 80 }, (_, i) => `k${i}: ${'y'.repeat(60)}`).join(', ')}}\n`);
    const full = join(scratch.root, 'md-secret-out', 'full.md');
    for (const budget of ['4000', '60000']) {
      const run = await diffInTmpdir('tmp-cli-md-secret', ['--base', empty, '--head', h, '--format', 'markdown', '--budget', budget, '--full', full]);
      expect(run.result.code).toBe(0);
      const outputs = [run.result.stdout, readFileSync(full, 'utf8')];
      // the named ConfigMap is there (its name hidden), in a block or in the not-shown list
      expect(outputs[1]).toContain('<b>ConfigMap \\(hidden\\)/\\(hidden\\)</b>');
      if (budget === '4000') expect(outputs[0]).toMatch(/Not shown \(\d+ objects[^\n]*ConfigMap \\\(hidden\\\)\/\\\(hidden\\\) \(added\)/);
      for (const output of outputs) {
        // Markdown escapes (\_ \*) removed: an escaped secret would pass a search for the value
        expect(output.replace(/\\/g, '')).not.toContain(secret);
        expect(output).not.toContain(Buffer.from(secret).toString('base64'));
      }
    }
  });
});

/**
 * What `lambda-gitops diff --format markdown` wrote before it read its changes from the spill: the
 * in-memory report (diffSources), scrubbed whole with the secrets of both trees, then rendered.
 */
function inMemoryMarkdown(b: string, h: string, options: MarkdownOptions): string {
  const scrubber = new SecretScrubber();
  const report = diffSources(directorySource(b), directorySource(h), { onObject: (manifest) => scrubber.addObject(manifest) });
  const scrubbed = { ...report, risks: scrubber.scrubDeep(report.risks), changes: report.changes.map((change) => scrubber.scrubDeep(change)) };
  return scrubber.scrubText(renderMarkdown(scrubbed, options));
}
