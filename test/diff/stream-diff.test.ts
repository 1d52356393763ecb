/**
 * The streaming diff (`diffSources`: a digest per base object, the head read file by file, only
 * differing objects read again) gives exactly the report of the whole-tree `diffTrees`, on trees
 * generated from fixed seeds: changed fields, objects moved and renamed between files, removed and
 * added objects, multi-document files, Secrets and credential env values (masked through the same
 * `maskPair`), Flux Kustomizations (prune risks), cluster-scoped objects, and the same errors
 * (duplicates, non-objects) in the same order.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { run as diffCommand } from '../../src/cli/commands/diff.js';
import { diffSources, diffTrees, MAX_REPORT_CHANGES, directorySource, gitSource, Manifest, readTreeFromDirectory, readTreeFromGit, renderJson, renderMarkdown, renderText, TreeLoadError } from '../../src/diff/index.js';
import { renderJsonChunks, renderTextChunks } from '../../src/diff/render-text.js';
import { capture } from '../support/run-cli.js';
import { GitFixture } from './fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'lg-stream-diff-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** mulberry32: a small seeded generator, so every run builds the same trees. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Placed {
  file: string;
  manifest: Manifest;
}

/** Every secret value planted in a generated tree (none may reach an output). */
const planted = new Set<string>();

function secretValue(next: () => number): string {
  const value = `pl4nted-${Math.floor(next() * 1e9).toString(36)}-${Math.floor(next() * 1e9).toString(36)}`;
  planted.add(value);
  return value;
}

function objectOf(i: number, next: () => number): Manifest {
  const namespace = `team-${i % 5}`;
  switch (i % 6) {
    case 0: return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace }, data: { level: 'info', n: String(i) } };
    case 1: return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}`, namespace }, type: 'Opaque', stringData: { password: secretValue(next), user: `u${i}` } };
    case 2: return {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d-${i}`, namespace },
      spec: { replicas: 2, selector: { matchLabels: { app: `d-${i}` } }, template: { metadata: { labels: { app: `d-${i}` } }, spec: { containers: [{ name: 'main', image: `ghcr.io/acme/d${i}:1.0.0`, env: [{ name: 'LOG', value: 'info' }, { name: 'DB_PASSWORD', value: secretValue(next) }] }] } } },
    };
    case 3: return { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace }, spec: { selector: { app: `d-${i}` }, ports: [{ name: 'http', port: 80 }] } };
    case 4: return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } };
    default: return { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: `k-${i}`, namespace: 'flux-system' }, spec: { path: `./dist/dir-${i % 4}`, prune: i % 2 === 0, interval: '10m' } };
  }
}

const fileName = (next: () => number) => `dir-${Math.floor(next() * 4)}/f-${Math.floor(next() * 12)}.yaml`;

/** A base tree and a head tree with about a tenth of the objects changed, moved, removed or added. */
function generate(seed: number, count: number): { base: Placed[]; head: Placed[] } {
  const next = random(seed);
  const base = Array.from({ length: count }, (_, i) => ({ file: fileName(next), manifest: objectOf(i, next) }));
  const head: Placed[] = [];
  for (const { file, manifest } of base) {
    const roll = next();
    const copy = structuredClone(manifest);
    if (roll < 0.04) continue; // removed
    if (roll < 0.08) head.push({ file: fileName(next), manifest: copy }); // moved to another (maybe new) file
    else if (roll < 0.14) {
      if (copy.kind === 'Secret') (copy.stringData as Record<string, string>).password = secretValue(next);
      else if (copy.kind === 'Deployment') ((copy.spec as { template: { spec: { containers: { image: string; env: { value: string }[] }[] } } }).template.spec.containers[0]).image = 'ghcr.io/acme/other:2.0.0';
      else copy.metadata.labels = { changed: String(seed) };
      head.push({ file, manifest: copy });
    } else if (roll < 0.16 && copy.kind === 'Deployment') {
      ((copy.spec as { template: { spec: { containers: { env: { value: string }[] }[] } } }).template.spec.containers[0]).env[1].value = secretValue(next);
      head.push({ file, manifest: copy });
    } else if (roll < 0.18 && copy.kind === 'Namespace') {
      copy.metadata.namespace = 'stray'; // ignored for cluster-scoped objects: no change, whatever the file
      head.push({ file: fileName(next), manifest: copy });
    } else if (roll < 0.2) {
      head.push({ file, manifest: { ...copy, apiVersion: copy.apiVersion === 'v1' ? 'v1' : `${copy.apiVersion}beta` } });
    } else head.push({ file, manifest: copy });
  }
  for (let i = count; i < count + Math.ceil(count / 20); i++) head.push({ file: fileName(next), manifest: objectOf(i, next) });
  // shuffle the head's order inside files (the order of objects must not matter)
  head.sort(() => next() - 0.5);
  return { base, head };
}

function writeTree(root: string, placed: readonly Placed[]): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const byFile = new Map<string, string[]>();
  for (const { file, manifest } of placed) byFile.set(file, [...(byFile.get(file) ?? []), dump(manifest, { noRefs: true })]);
  for (const [file, docs] of byFile) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), docs.map((d) => `---\n${d}`).join(''));
  }
}

const SEEDS = [1, 2, 3, 20261202];

describe('diffSources gives the report of diffTrees', () => {
  test.each(SEEDS)('directory base and head, seed %i', (seed) => {
    const { base, head } = generate(seed, 300);
    const [b, h] = [join(scratch, `b${seed}`), join(scratch, `h${seed}`)];
    writeTree(b, base);
    writeTree(h, head);
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
      const h = join(scratch, 'git-head');
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
    const [empty, h] = [join(scratch, 'empty'), join(scratch, 'h-only')];
    mkdirSync(empty, { recursive: true });
    writeTree(h, head);
    const added = diffSources(directorySource(empty), directorySource(h));
    expect(added.summary).toEqual({ added: head.length, changed: 0, removed: 0 });
    expect(added).toEqual(diffTrees(new Map(), readTreeFromDirectory(h)));
    expect(diffSources(directorySource(h), directorySource(empty))).toEqual(diffTrees(readTreeFromDirectory(h), new Map()));
  });

  test('past maxChanges listed objects the diff stops with one clear error, added or removed', () => {
    const { head } = generate(13, 60);
    const [empty, h] = [join(scratch, 'limit-empty'), join(scratch, 'limit-h')];
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
    const [b, h] = [join(scratch, 'err-b'), join(scratch, 'err-h')];
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
    const { base, head } = generate(5, 150);
    const [b, h] = [join(scratch, 'p-b'), join(scratch, 'p-h')];
    writeTree(b, base);
    writeTree(h, head);
    const report = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    const empty = { summary: { added: 0, changed: 0, removed: 0 }, risks: [], changes: [] };
    for (const r of [report, empty]) {
      expect([...renderJsonChunks(r)].join('')).toBe(`${JSON.stringify(r, null, 2)}\n`);
      expect(JSON.parse([...renderJsonChunks(r)].join(''))).toEqual(r);
      expect([...renderTextChunks(r)].length).toBe(r.changes.length + 2);
    }
  });

  test('the CLI streams text and JSON: the same report as the whole-tree diff, no planted secret', async () => {
    const { base, head } = generate(9, 200);
    const [b, h] = [join(scratch, 'cli-b'), join(scratch, 'cli-h')];
    writeTree(b, base);
    writeTree(h, head);
    const expected = diffTrees(readTreeFromDirectory(b), readTreeFromDirectory(h));
    const json = await capture(diffCommand, ['--base', b, '--head', h, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(renderJson(expected));
    const file = join(scratch, 'out', 'report.txt');
    const text = await capture(diffCommand, ['--base', b, '--head', h, '--output', file]);
    expect(text.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toBe(renderText(expected));
    for (const secret of planted) expect(json.stdout + readFileSync(file, 'utf8')).not.toContain(secret);
  });
});
