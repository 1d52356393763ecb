/**
 * The streaming diff (`diffSources`: a digest per base object, the head read file by file, only
 * differing objects read again) gives exactly the report of the whole-tree `diffTrees`, on trees
 * generated from fixed seeds: changed fields, objects moved and renamed between files, removed and
 * added objects, multi-document files, Secrets and credential env values (masked through the same
 * `maskPair`), Flux Kustomizations (prune risks), cluster-scoped objects, and the same errors
 * (duplicates, non-objects) in the same order.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run as diffCommand } from '../../src/cli/commands/diff.js';
import { CHANGED_BATCH, diffSources, diffTrees, MAX_REPORT_CHANGES, directorySource, gitSource, readTreeFromDirectory, readTreeFromGit, renderJson, renderMarkdown, renderText, TreeLoadError, TreeSource, TreeSourceFile } from '../../src/diff/index.js';
import { renderJsonChunks, renderTextChunks } from '../../src/diff/render-text.js';
import { capture } from '../support/run-cli.js';
import { GitFixture } from './fixtures.js';
import { generate, planted, Scratch, SEEDS, writeSeededTrees, writeTree } from './seeded-trees.js';

const scratch = new Scratch('lg-stream-diff-');

/** The message of the TreeLoadError `fn` throws. */
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TreeLoadError);
    return (error as Error).message;
  }
  throw new Error('no error');
};

describe('diffSources gives the report of diffTrees', () => {
  test.each(SEEDS)('directory base and head, seed %i', (seed) => {
    const { b, h } = writeSeededTrees(scratch.root, `s${seed}`, seed, 300);
    const expected = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    const streamed = diffSources(directorySource(b), directorySource(h));
    // the generated change covers every action, moves, masked secrets and risks
    expect(expected.summary.added).toBeGreaterThan(10);
    expect(expected.summary.removed).toBeGreaterThan(1);
    expect(expected.summary.changed).toBeGreaterThan(10);
    expect(expected.risks.length).toBeGreaterThan(0);
    expect(renderText(expected)).toContain('(hidden, after)');
    expect(streamed).toEqual(expected);
    expect(renderText(streamed)).toBe(renderText(expected));
    expect(renderJson(streamed)).toBe(renderJson(expected));
    expect(renderMarkdown(streamed, { budget: Infinity })).toBe(renderMarkdown(expected, { budget: Infinity }));
    for (const output of [renderText(streamed), renderJson(streamed), renderMarkdown(streamed, { budget: Infinity })]) {
      for (const secret of planted) expect(output).not.toContain(secret);
    }
  });

  test('a base at a git ref, read in batches', () => {
    const { base, head } = generate(7, 300);
    const repo = new GitFixture();
    try {
      writeTree(join(repo.dir, 'dist'), base);
      repo.commitAll('base');
      const h = join(scratch.root, 'git-head');
      writeTree(h, head);
      const expected = diffTrees(readTreeFromGit(repo.dir, 'main', 'dist'), readTreeFromDirectory(h));
      expect(expected.changes.length).toBeGreaterThan(20);
      expect(diffSources(gitSource(repo.dir, 'main', 'dist'), directorySource(h))).toEqual(expected);
    } finally {
      repo.remove();
    }
  });

  test('an empty base: every head object added; an empty head: every base object removed', () => {
    const { head } = generate(11, 120);
    const [empty, h] = [join(scratch.root, 'empty'), join(scratch.root, 'h-only')];
    mkdirSync(empty, { recursive: true });
    writeTree(h, head);
    const added = diffSources(directorySource(empty), directorySource(h));
    expect(added.summary).toEqual({ added: head.length, changed: 0, removed: 0 });
    expect(added).toEqual(diffTrees(new Map(), readTreeFromDirectory(h)));
    expect(diffSources(directorySource(h), directorySource(empty))).toEqual(diffTrees(readTreeFromDirectory(h), new Map()));
  });

  test('past maxChanges listed objects the diff stops with one clear error, added or removed', () => {
    const { head } = generate(13, 60);
    const [empty, h] = [join(scratch.root, 'limit-empty'), join(scratch.root, 'limit-h')];
    mkdirSync(empty, { recursive: true });
    writeTree(h, head);
    expect(() => diffSources(directorySource(empty), directorySource(h), { maxChanges: 10 })).toThrow(/^the diff lists more than 10 objects \(11 added and 0 changed so far\); a report that large does not fit in the 1 GB/);
    expect(() => diffSources(directorySource(h), directorySource(empty), { maxChanges: 10 })).toThrow(/more than 10 objects \(0 added, 0 changed and \d+ removed\)/);
    expect(diffSources(directorySource(empty), directorySource(h), { maxChanges: head.length }).summary.added).toBe(head.length);
    expect(MAX_REPORT_CHANGES).toBe(250_000);
  });

  test.each([
    ['a duplicate in the base', { 'a.yaml': 'cm', 'b.yaml': 'cm' }, {}],
    ['a duplicate in the head', {}, { 'a.yaml': 'cm', 'x/b.yaml': 'cm' }],
    ['a non-object after a duplicate wins, as in the whole-tree reader', { 'a.yaml': 'cm', 'b.yaml': 'cm', 'z.yaml': 'list' }, {}],
    ['malformed YAML in the head after a duplicate there', {}, { 'a.yaml': 'cm', 'b.yaml': 'cm', 'c.yaml': 'bad' }],
  ] as const)('%s: the same error', (_name, baseFiles, headFiles) => {
    const texts = { cm: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: x}\n', list: '- just\n- a list\n', bad: 'a: [1\n' };
    const [b, h] = [join(scratch.root, 'err-b'), join(scratch.root, 'err-h')];
    for (const [root, files] of [[b, baseFiles], [h, headFiles]] as const) {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      for (const [file, kind] of Object.entries(files)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), texts[kind as keyof typeof texts]);
      }
    }
    const expected = errorOf(() => diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h)));
    expect(errorOf(() => diffSources(directorySource(b), directorySource(h)))).toBe(expected);
  });
});

/** A tree source that records every file read again (`reread`), optionally changing what it returns. */
function recording(source: TreeSource, change: (part: TreeSourceFile) => TreeSourceFile = (part) => part): TreeSource & { rereads: string[] } {
  const rereads: string[] = [];
  return {
    description: source.description,
    rereads,
    files: () => source.files(),
    reread(index, file) {
      rereads.push(file);
      return change(source.reread(index, file));
    },
  };
}

describe('more objects differ than are held at once (changedBatch): compared in batches, the same report', () => {
  test.each(SEEDS)('seed %i: batches of 1, 3 and 8 objects give the report of diffTrees; head files are read again only when batching', (seed) => {
    const { base, head } = generate(seed, 300);
    const [b, h] = [join(scratch.root, `cb-b${seed}`), join(scratch.root, `cb-h${seed}`)];
    writeTree(b, base);
    writeTree(h, head);
    const expected = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    const { changed } = expected.summary;
    expect(changed).toBeGreaterThan(8);
    // changed Secrets and credential env values are among the objects compared in batches
    expect(expected.changes.some((c) => c.action === 'changed' && c.resource.kind === 'Secret' && c.fields.some((f) => f.after === '(hidden, after)'))).toBe(true);
    // held: every head side kept from the head pass, no head file read again
    const heldHead = recording(directorySource(h));
    expect(diffSources(directorySource(b), heldHead, { changedBatch: changed })).toEqual(expected);
    expect(heldHead.rereads).toEqual([]);
    for (const batch of [1, 3, 8]) {
      const [baseSource, headSource] = [recording(directorySource(b)), recording(directorySource(h))];
      const streamed = diffSources(baseSource, headSource, { changedBatch: batch });
      expect(streamed).toEqual(expected);
      expect(renderText(streamed)).toBe(renderText(expected));
      expect(renderJson(streamed)).toBe(renderJson(expected));
      // every batch reads at least one head file; a file is read at most once per batch
      const batches = Math.ceil(changed / batch);
      expect(headSource.rereads.length).toBeGreaterThanOrEqual(batches);
      const headFiles = new Set(head.map((p) => p.file)).size;
      expect(headSource.rereads.length).toBeLessThanOrEqual(batches * headFiles);
      for (const side of [headSource, baseSource]) {
        const perFile = new Map<string, number>();
        for (const file of side.rereads) perFile.set(file, (perFile.get(file) ?? 0) + 1);
        for (const times of perFile.values()) expect(times).toBeLessThanOrEqual(batches);
      }
    }
  });

  test('a base at a git ref, batches of 2', () => {
    const { base, head } = generate(3, 200);
    const repo = new GitFixture();
    try {
      writeTree(join(repo.dir, 'dist'), base);
      repo.commitAll('base');
      const h = join(scratch.root, 'cb-git-head');
      writeTree(h, head);
      const expected = diffTrees(readTreeFromGit(repo.dir, 'main', 'dist'), readTreeFromDirectory(h));
      expect(expected.summary.changed).toBeGreaterThan(4);
      expect(diffSources(gitSource(repo.dir, 'main', 'dist'), directorySource(h), { changedBatch: 2 })).toEqual(expected);
    } finally {
      repo.remove();
    }
  });

  test('every object changed (batches aligned with files, as in the 10^6 measurement): each base and head file read once', () => {
    const [b, h] = [join(scratch.root, 'all-b'), join(scratch.root, 'all-h')];
    const tree = (root: string, value: string) => {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      for (let f = 0; f < 5; f++) {
        let text = '';
        for (let i = f * 10; i < (f + 1) * 10; i++) text += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n${i % 3}}\ndata: {k: ${value}}\n`;
        writeFileSync(join(root, `f${f}.yaml`), text);
      }
    };
    tree(b, 'v');
    tree(h, 'v2');
    const expected = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    expect(expected.summary).toEqual({ added: 0, removed: 0, changed: 50 });
    const [baseSource, headSource] = [recording(directorySource(b)), recording(directorySource(h))];
    expect(diffSources(baseSource, headSource, { changedBatch: 10 })).toEqual(expected);
    expect(baseSource.rereads).toEqual(['f0.yaml', 'f1.yaml', 'f2.yaml', 'f3.yaml', 'f4.yaml']);
    expect(headSource.rereads).toEqual(['f0.yaml', 'f1.yaml', 'f2.yaml', 'f3.yaml', 'f4.yaml']);
    // a batch that ends inside a file reads it in both batches
    const [baseSeven, headSeven] = [recording(directorySource(b)), recording(directorySource(h))];
    expect(diffSources(baseSeven, headSeven, { changedBatch: 7 })).toEqual(expected);
    expect(headSeven.rereads.slice(0, 3)).toEqual(['f0.yaml', 'f0.yaml', 'f1.yaml']);
    expect(baseSeven.rereads.slice(0, 3)).toEqual(['f0.yaml', 'f0.yaml', 'f1.yaml']);
  });

  test('a head file that changed after the head pass is an error naming it, not a wrong report', () => {
    const { base, head } = generate(2, 200);
    const [b, h] = [join(scratch.root, 'cw-b'), join(scratch.root, 'cw-h')];
    writeTree(b, base);
    writeTree(h, head);
    const edited = (part: TreeSourceFile): TreeSourceFile => ({ ...part, objects: part.objects.map((o) => ({ ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, labels: { edited: 'yes' } } } })) });
    const dropped = (part: TreeSourceFile): TreeSourceFile => ({ ...part, objects: [] });
    for (const change of [edited, dropped]) {
      const headSource = recording(directorySource(h), change);
      const message = errorOf(() => diffSources(directorySource(b), headSource, { changedBatch: 2 }));
      expect(headSource.rereads.length).toBe(1);
      expect(message).toBe(`${headSource.rereads[0]}: changed while the diff read it (read it again)`);
    }
  });

  test('changedBatch is a whole number of at least 1; the default holds 100,000', () => {
    const empty = join(scratch.root, 'cb-empty');
    mkdirSync(empty, { recursive: true });
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => diffSources(directorySource(empty), directorySource(empty), { changedBatch: bad })).toThrow(`changedBatch must be a whole number of at least 1, got ${bad}`);
    expect(CHANGED_BATCH).toBe(100_000);
  });
});

describe('reports written in pieces', () => {
  test('the JSON and text pieces join to renderJson and renderText, also with no changes or risks', () => {
    const { b, h } = writeSeededTrees(scratch.root, 'p', 5, 150);
    const report = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    const empty = { summary: { added: 0, changed: 0, removed: 0 }, risks: [], changes: [] };
    for (const r of [report, empty]) {
      expect([...renderJsonChunks(r)].join('')).toBe(`${JSON.stringify(r, null, 2)}\n`);
      expect(JSON.parse([...renderJsonChunks(r)].join(''))).toEqual(r);
      expect([...renderTextChunks(r)].length).toBe(r.changes.length + 2);
    }
  });

  test('the CLI streams text and JSON: the same report as the whole-tree diff, no planted secret', async () => {
    const { b, h } = writeSeededTrees(scratch.root, 'cli', 9, 200);
    const expected = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    const json = await capture(diffCommand, ['--base', b, '--head', h, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(renderJson(expected));
    const file = join(scratch.root, 'out', 'report.txt');
    const text = await capture(diffCommand, ['--base', b, '--head', h, '--output', file]);
    expect(text.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toBe(renderText(expected));
    for (const secret of planted) expect(json.stdout + readFileSync(file, 'utf8')).not.toContain(secret);
  });
});
