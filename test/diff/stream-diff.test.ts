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
import { diffSources, diffTrees, MAX_REPORT_CHANGES, directorySource, gitSource, readTreeFromDirectory, readTreeFromGit, renderJson, renderMarkdown, renderText, TreeLoadError } from '../../src/diff/index.js';
import { renderJsonChunks, renderTextChunks } from '../../src/diff/render-text.js';
import { capture } from '../support/run-cli.js';
import { GitFixture } from './fixtures.js';
import { generate, planted, Scratch, SEEDS, writeSeededTrees, writeTree } from './seeded-trees.js';

const scratch = new Scratch('lg-stream-diff-');


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

  const errorOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(TreeLoadError);
      return (error as Error).message;
    }
    throw new Error('no error');
  };

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
