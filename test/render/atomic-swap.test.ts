/**
 * The journaled swap of the rendered tree, interrupted between every two of its file-system steps
 * (SIGKILL of a child process, and a thrown error in process), and its recovery interrupted the
 * same way. After every interruption: the tree exists, every file in it is complete (old or new
 * content), flux-system/ (a kept directory) is untouched, a tree that is neither the old nor the
 * new one carries a journal (so readers refuse it), and the next run gives exactly the new tree
 * with no `.dist-*` leftover.
 */
import { describe, expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  recoverInterruptedSwap, replaceDirectoryAtomically, SwapInProgressError, TreeSwapIncompleteError, writeFiles, type SwapAction, type SwapStep,
} from '../../src/render/atomic-write.js';
import { findPendingSwap, readSwapJournal, swapJournalPath } from '../../src/render/swap-journal.js';

jest.setTimeout(300_000);

const lib = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/render/atomic-write.js');

type Tree = Record<string, string>;
const side = (name: string, paths: string[]): Tree => Object.fromEntries(paths.map((p) => [p, `${name} ${p}\n${'x'.repeat(64)}\n`]));
/** The old tree: an overwritten file, stale files and directories, a file that becomes a directory and a directory that becomes a file. */
const OLD = side('old', ['k.yaml', 'a/old.yaml', 'a/deep/er.yaml', 'keep/x.yaml', 'keep/gone.yaml', 'f', 'd/inner.yaml', 'clusters/prod/kustomization.yaml']);
const NEW = side('new', ['k.yaml', 'b/new.yaml', 'keep/x.yaml', 'f/g.yaml', 'd', 'clusters/prod/kustomization.yaml', 'clusters/prod/apps.yaml']);
/** What `flux bootstrap` wrote: kept across renders, also where the new tree has no file above it. */
const KEPT_DIRS = ['clusters/prod/flux-system', 'other/flux-system'];
const BOOTSTRAP: Tree = { 'clusters/prod/flux-system/gotk-components.yaml': 'bootstrap components\n', 'other/flux-system/gotk-sync.yaml': 'bootstrap sync\n' };
const NEW_FILES = Object.entries(NEW).map(([path, content]) => ({ path, content }));
const OLD_TREE = { ...OLD, ...BOOTSTRAP };
const NEW_TREE = { ...NEW, ...BOOTSTRAP };

function snapshot(dir: string): Tree {
  const out: Tree = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const leftovers = (parent: string) => readdirSync(parent).filter((n) => n.startsWith('.dist-'));

/** A fresh parent directory holding `dist/` with the old tree (or none). */
function oldTree(withDist = true): { parent: string; dist: string } {
  const parent = mkdtempSync(join(tmpdir(), 'lg-swap-'));
  const dist = join(parent, 'dist');
  if (withDist) writeFiles(dist, Object.entries(OLD_TREE).map(([path, content]) => ({ path, content })));
  return { parent, dist };
}

/** The steps of one uninterrupted swap from `start` (recorded on a copy). */
function recordSteps(withDist: boolean): SwapStep[] {
  const { parent, dist } = oldTree(withDist);
  const steps: SwapStep[] = [];
  try {
    replaceDirectoryAtomically(dist, NEW_FILES, KEPT_DIRS, { beforeStep: (s) => steps.push(s) });
    expect(snapshot(dist)).toEqual(withDist ? NEW_TREE : NEW);
    return steps;
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** Runs the swap in a child that SIGKILLs itself just before step `index`. */
function swapKilledAt(dist: string, index: number): void {
  const script = `import { replaceDirectoryAtomically } from ${JSON.stringify(lib)};
replaceDirectoryAtomically(${JSON.stringify(dist)}, ${JSON.stringify(NEW_FILES)}, ${JSON.stringify(KEPT_DIRS)}, { beforeStep: (s) => { if (s.index === ${index}) process.kill(process.pid, 'SIGKILL'); } });`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.signal !== 'SIGKILL') throw new Error(`the child was not killed before step ${index}: ${result.status} ${result.stderr}`);
}

const sorted = (tree: Tree) => JSON.stringify(Object.entries(tree).sort());
/** Whether `tree` is exactly the old or exactly the new tree. */
const isWholeTree = (tree: Tree) => [OLD_TREE, NEW_TREE].some((t) => sorted(t) === sorted(tree));

/**
 * What must hold at any instant: the tree exists, every file is complete old or new content, the
 * kept files are there unchanged, and a tree that is neither the old nor the new one has a journal.
 */
function expectConsistent(dist: string): void {
  expect(existsSync(dist)).toBe(true);
  const now = snapshot(dist);
  for (const [path, content] of Object.entries(now)) expect([OLD_TREE[path], NEW_TREE[path]]).toContain(content);
  for (const [path, content] of Object.entries(BOOTSTRAP)) expect(now[path]).toBe(content);
  if (!isWholeTree(now)) expect(findPendingSwap(dist)).toBe(swapJournalPath(dist));
}

/** The next run: recovery alone gives the old or (when committed) the new tree; a render gives the new one; nothing is left beside it. */
function expectNextRunRepairs(parent: string, dist: string): void {
  const committed = readSwapJournal(dist) !== undefined;
  recoverInterruptedSwap(dist);
  if (committed) expect(snapshot(dist)).toEqual(NEW_TREE);
  else expect(isWholeTree(snapshot(dist))).toBe(true);
  expect(leftovers(parent)).toEqual([]);
  expect(findPendingSwap(dist)).toBeUndefined();
  replaceDirectoryAtomically(dist, NEW_FILES, KEPT_DIRS);
  expect(snapshot(dist)).toEqual(NEW_TREE);
  expect(leftovers(parent)).toEqual([]);
}

const STEPS = recordSteps(true);
const indices = STEPS.map((s) => [s.index, s.action] as const);

describe('the swap steps of the fixture', () => {
  test('cover every kind of change: stale files and directories, file/directory flips, overwrites, new directories', () => {
    const actions = new Set(STEPS.map((s) => s.action));
    for (const action of ['create-staging', 'write-staged-file', 'write-journal-draft', 'commit-journal', 'remove-journal-draft', 'remove-stale', 'make-directory', 'move-file', 'remove-staging', 'remove-journal'] as SwapAction[]) {
      expect(actions).toContain(action);
    }
    const removed = STEPS.filter((s) => s.action === 'remove-stale').map((s) => s.path.split('/dist/')[1]).sort();
    expect(removed).toEqual(['a', 'd', 'f', 'keep/gone.yaml']);
    expect(STEPS.filter((s) => s.action === 'move-file')).toHaveLength(NEW_FILES.length);
    // nothing of a kept directory is ever changed
    expect(STEPS.filter((s) => /flux-system/.test(s.path))).toEqual([]);
  });
});

describe('replaceDirectoryAtomically killed (SIGKILL) before each file-system step', () => {
  test.each(indices)('killed before step %i (%s): complete files, kept files intact; the next run gives the new tree', (index) => {
    const { parent, dist } = oldTree();
    try {
      swapKilledAt(dist, index);
      expectConsistent(dist);
      expectNextRunRepairs(parent, dist);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test.each(recordSteps(false).map((s) => [s.index, s.action] as const))('first render (no tree yet) killed before step %i (%s): no tree or the whole new one', (index) => {
    const { parent, dist } = oldTree(false);
    try {
      swapKilledAt(dist, index);
      if (existsSync(dist)) expect(snapshot(dist)).toEqual(NEW);
      recoverInterruptedSwap(dist);
      expect(leftovers(parent)).toEqual([]);
      replaceDirectoryAtomically(dist, NEW_FILES, KEPT_DIRS);
      expect(snapshot(dist)).toEqual(NEW);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('replaceDirectoryAtomically failing (a thrown error) before each file-system step', () => {
  test.each(indices)('error before step %i (%s): old tree and no leftover before the commit, a finishable journal after', (index, action) => {
    const { parent, dist } = oldTree();
    try {
      let thrown: unknown;
      try {
        replaceDirectoryAtomically(dist, NEW_FILES, KEPT_DIRS, { beforeStep: (s) => { if (s.index === index) throw new Error('injected'); } });
      } catch (error) {
        thrown = error;
      }
      const committed = STEPS.findIndex((s) => s.action === 'commit-journal');
      if (index <= committed) {
        expect(thrown).toEqual(new Error('injected'));
        expect(snapshot(dist)).toEqual(OLD_TREE);
        expect(leftovers(parent)).toEqual([]);
      } else {
        expect(thrown).toBeInstanceOf(TreeSwapIncompleteError);
        expect((thrown as Error).message).toMatch(/is half-replaced \(injected\); run synth again/);
        expect(action).not.toBe('commit-journal');
      }
      expectConsistent(dist);
      expectNextRunRepairs(parent, dist);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('recoverInterruptedSwap killed before each of its own steps', () => {
  const committedAt = STEPS.filter((s) => s.index > STEPS.findIndex((t) => t.action === 'commit-journal'));
  test.each(committedAt.map((s) => [s.index, s.action] as const))('swap killed before step %i (%s), then recovery interrupted at every step: still consistent, then finished', (index) => {
    const { parent: crashed, dist: crashedDist } = oldTree();
    try {
      // after the commit nothing cleans up on an error, so a thrown error leaves what a kill leaves
      expect(() => replaceDirectoryAtomically(crashedDist, NEW_FILES, KEPT_DIRS, { beforeStep: (s) => { if (s.index === index) throw new Error('killed'); } })).toThrow(TreeSwapIncompleteError);
      const recoverySteps: SwapStep[] = [];
      const probe = mkdtempSync(join(tmpdir(), 'lg-swap-'));
      cpSync(crashed, probe, { recursive: true });
      recoverInterruptedSwap(join(probe, 'dist'), { beforeStep: (s) => recoverySteps.push(s) });
      expect(snapshot(join(probe, 'dist'))).toEqual(NEW_TREE);
      rmSync(probe, { recursive: true, force: true });
      expect(recoverySteps.length).toBeGreaterThan(0);
      for (const step of recoverySteps) {
        const parent = mkdtempSync(join(tmpdir(), 'lg-swap-'));
        const dist = join(parent, 'dist');
        try {
          cpSync(crashed, parent, { recursive: true });
          expect(() => recoverInterruptedSwap(dist, { beforeStep: (s) => { if (s.index === step.index) throw new Error('killed'); } })).toThrow('killed');
          expectConsistent(dist);
          expectNextRunRepairs(parent, dist);
        } finally {
          rmSync(parent, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(crashed, { recursive: true, force: true });
    }
  });
});

describe('swap leftovers and concurrency', () => {
  test('a journal of a running process is left alone: the render refuses, the tree is untouched', () => {
    const { parent, dist } = oldTree();
    try {
      mkdirSync(join(parent, '.dist-staging-1-abc'));
      // process 1 is always running
      writeFileSync(swapJournalPath(dist), JSON.stringify({ version: 1, owner: 1, staging: '.dist-staging-1-abc', files: ['k.yaml'], kept: [] }));
      expect(() => replaceDirectoryAtomically(dist, NEW_FILES, KEPT_DIRS)).toThrow(SwapInProgressError);
      expect(() => recoverInterruptedSwap(dist)).toThrow(/being replaced by another render \(process 1\)/);
      expect(snapshot(dist)).toEqual(OLD_TREE);
      expect(leftovers(parent).sort()).toEqual(['.dist-staging-1-abc', '.dist-swap-journal.json']);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a journal that is not one (edited by hand) is named, not guessed at', () => {
    const { parent, dist } = oldTree();
    try {
      writeFileSync(swapJournalPath(dist), '{"version": 2}');
      expect(() => replaceDirectoryAtomically(dist, NEW_FILES, KEPT_DIRS)).toThrow(/\.dist-swap-journal\.json: not a swap journal \(version 2, expected 1\)/);
      expect(snapshot(dist)).toEqual(OLD_TREE);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('the previous tree of the two-rename swap of earlier versions is put back when dist/ is missing', () => {
    const { parent, dist } = oldTree();
    try {
      cpSync(dist, join(parent, '.dist-previous-99999999-abc'), { recursive: true });
      rmSync(dist, { recursive: true });
      mkdirSync(join(parent, '.dist-staging-99999999-abd'));
      expect(recoverInterruptedSwap(dist)).toEqual([
        expect.stringMatching(/^restored .*dist from \.dist-previous-99999999-abc/),
        expect.stringMatching(/^removed \.dist-staging-99999999-abd left by an interrupted render/),
      ]);
      expect(snapshot(dist)).toEqual(OLD_TREE);
      expect(leftovers(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('files inside a kept directory, and paths that leave the tree, are refused before anything is written', () => {
    const { parent, dist } = oldTree();
    try {
      expect(() => replaceDirectoryAtomically(dist, [{ path: 'other/flux-system/x.yaml', content: '' }], KEPT_DIRS)).toThrow(/lies in the kept directory other\/flux-system/);
      expect(() => replaceDirectoryAtomically(dist, [{ path: '../escape.yaml', content: '' }], KEPT_DIRS)).toThrow(/not a relative path/);
      expect(snapshot(dist)).toEqual(OLD_TREE);
      expect(leftovers(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
