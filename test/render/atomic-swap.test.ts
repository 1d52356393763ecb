/**
 * The atomic swap of the rendered tree, killed (SIGKILL, in a child process) before every one of
 * its file-system steps: after each kill the tree is the old or the new one complete (or, only
 * between the two renames, the old one is kept complete beside it), and the next render recovers
 * it and leaves no `.dist-staging-*` / `.dist-previous-*` behind.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { recoverInterruptedSwap, replaceDirectoryAtomically, writeFiles, type SwapStep } from '../../src/render/atomic-write.js';

const lib = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/render/atomic-write.js');
const STEPS: SwapStep[] = ['recover', 'write-staging', 'staging-complete', 'move-previous', 'move-staging', 'remove-previous'];
const OLD = [{ path: 'a/old.yaml', content: 'old: 1\n' }, { path: 'k.yaml', content: 'old\n' }];
const NEW = [{ path: 'b/new.yaml', content: 'new: 1\n' }, { path: 'k.yaml', content: 'new\n' }, { path: 'c/d/e.yaml', content: 'e\n' }];

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
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
const asTree = (files: { path: string; content: string }[]) => Object.fromEntries(files.map((f) => [f.path, f.content]));

/** Runs the swap in a child that SIGKILLs itself just before `step`. */
function swapKilledAt(outdir: string, step: SwapStep): number | null {
  const script = `import { replaceDirectoryAtomically } from ${JSON.stringify(lib)};
replaceDirectoryAtomically(${JSON.stringify(outdir)}, ${JSON.stringify(NEW)}, [], { beforeStep: (s) => { if (s === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); } });`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.signal !== 'SIGKILL') throw new Error(`the child was not killed at ${step}: ${result.stderr}`);
  return result.status;
}

const leftovers = (parent: string) => readdirSync(parent).filter((n) => n.startsWith('.dist-'));

describe('replaceDirectoryAtomically under a kill before each file-system step', () => {
  test.each(STEPS)('killed before %s: the tree is old or new and complete; the next render recovers and cleans', (step) => {
    const parent = mkdtempSync(join(tmpdir(), 'lg-swap-'));
    const dist = join(parent, 'dist');
    try {
      writeFiles(dist, OLD);
      swapKilledAt(dist, step);
      if (existsSync(dist)) {
        expect([asTree(OLD), asTree(NEW)]).toContainEqual(snapshot(dist));
      } else {
        // only between the two renames: the old tree is kept complete beside it
        expect(step).toBe('move-staging');
        const previous = leftovers(parent).filter((n) => n.startsWith('.dist-previous-'));
        expect(previous).toHaveLength(1);
        expect(snapshot(join(parent, previous[0]))).toEqual(asTree(OLD));
      }
      // the next run (a render that recovers first, or recovery alone) repairs and cleans
      const before = existsSync(dist) ? snapshot(dist) : asTree(OLD);
      const log = recoverInterruptedSwap(dist);
      expect(snapshot(dist)).toEqual(before);
      expect(leftovers(parent)).toEqual([]);
      if (!['recover', 'write-staging'].includes(step)) expect(log.length).toBeGreaterThan(0);
      replaceDirectoryAtomically(dist, NEW);
      expect(snapshot(dist)).toEqual(asTree(NEW));
      expect(leftovers(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a swap killed before move-staging and then a full render: the new tree, no leftovers', () => {
    const parent = mkdtempSync(join(tmpdir(), 'lg-swap-'));
    const dist = join(parent, 'dist');
    try {
      writeFiles(dist, OLD);
      swapKilledAt(dist, 'move-staging');
      replaceDirectoryAtomically(dist, NEW);
      expect(snapshot(dist)).toEqual(asTree(NEW));
      expect(leftovers(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a failing write leaves the previous tree and no staging directory', () => {
    const parent = mkdtempSync(join(tmpdir(), 'lg-swap-'));
    const dist = join(parent, 'dist');
    try {
      writeFiles(dist, OLD);
      expect(() => replaceDirectoryAtomically(dist, NEW, [], { beforeStep: (s) => { if (s === 'staging-complete') throw new Error('disk full'); } })).toThrow('disk full');
      expect(snapshot(dist)).toEqual(asTree(OLD));
      expect(leftovers(parent)).toEqual([]);
      expect(() => replaceDirectoryAtomically(dist, NEW, [], { beforeStep: (s) => { if (s === 'move-staging') throw new Error('rename failed'); } })).toThrow('rename failed');
      expect(snapshot(dist)).toEqual(asTree(OLD));
      expect(leftovers(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
