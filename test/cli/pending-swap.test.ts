/**
 * Commands that read a rendered tree refuse one whose swap was interrupted (its journal is
 * present): exit 2 and one line telling the user to run synth again, never a report of a
 * half-old, half-new tree. The next render completes the swap and they read it again.
 */
import { describe, expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirectoryAtomically, TreeSwapIncompleteError, writeFiles } from '../../src/render/atomic-write.js';
import { findPendingSwap, PendingSwapError, refusePendingSwap, swapJournalPath } from '../../src/render/swap-journal.js';

jest.setTimeout(240_000);

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: n}\ndata: {k: ${value}}\n`;
const OLD = [{ path: 'apps/a.yaml', content: cm('a', 'old') }, { path: 'apps/b.yaml', content: cm('b', 'old') }];
const NEW = [{ path: 'apps/a.yaml', content: cm('a', 'new') }, { path: 'apps/c.yaml', content: cm('c', 'new') }];

/** A `dist/` whose swap stopped after its first file was moved in (a thrown error after the commit leaves what a kill leaves). */
function halfSwapped(): { parent: string; dist: string } {
  const parent = mkdtempSync(join(tmpdir(), 'lg-pending-'));
  const dist = join(parent, 'dist');
  writeFiles(dist, OLD);
  writeFiles(join(parent, 'other'), OLD);
  expect(() => replaceDirectoryAtomically(dist, NEW, [], { beforeStep: (s) => { if (s.action === 'move-file' && s.path.endsWith('c.yaml')) throw new Error('killed'); } }))
    .toThrow(TreeSwapIncompleteError);
  return { parent, dist };
}

const REFUSAL = /^lambda-gitops (check|diff|plan|nodes): dist\/ is half-replaced: a render was interrupted while swapping it in \(\.dist-swap-journal\.json exists\); run 'lambda-gitops synth' \(or 'npx cdk8s synth'\) again to complete it, then re-run this command\n$/;

describe('a tree with a pending swap journal', () => {
  test('is found from the tree, from a path inside it and from the directory holding it', () => {
    const { parent, dist } = halfSwapped();
    try {
      expect(findPendingSwap(dist)).toBe(swapJournalPath(dist));
      expect(findPendingSwap(join(dist, 'apps'))).toBe(swapJournalPath(dist));
      expect(findPendingSwap(join(dist, 'apps/a.yaml'))).toBe(swapJournalPath(dist));
      expect(findPendingSwap(parent)).toBe(swapJournalPath(dist));
      expect(findPendingSwap(join(parent, 'other'))).toBeUndefined();
      expect(() => refusePendingSwap([join(parent, 'other'), join(dist, 'apps')])).toThrow(PendingSwapError);
      replaceDirectoryAtomically(dist, NEW);
      expect(findPendingSwap(dist)).toBeUndefined();
      expect(() => refusePendingSwap([dist, parent])).not.toThrow();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('check, diff, plan and nodes refuse it with exit 2 and one line; after the next render they read it', () => {
    const { parent, dist } = halfSwapped();
    try {
      for (const args of [['check', 'dist'], ['check', 'dist/apps', '--format', 'json'], ['diff', '--base', 'other', '--head', 'dist'], ['diff', '--base', 'dist', '--head', 'other', '--format', 'json'],
        ['plan', 'dist'], ['nodes', 'prepare', 'dist']]) {
        const result = run(args, parent);
        expect({ args, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ args, status: 2, stdout: '', stderr: expect.stringMatching(REFUSAL) });
      }
      replaceDirectoryAtomically(dist, NEW);
      const check = run(['check', 'dist'], parent);
      expect(check.stderr).not.toMatch(/half-replaced/);
      expect(check.status).toBe(0);
      const diff = run(['diff', '--base', 'other', '--head', 'dist'], parent);
      expect(diff.status).toBe(0);
      // the completed tree: b removed, c added, a changed
      expect(diff.stdout).toMatch(/^1 added, 1 changed, 1 removed$/m);
      expect(diff.stdout).toContain('+ ConfigMap n/c (added, apps/c.yaml)');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('the next synth finishes the committed swap first, even when its own app fails to build', () => {
    const { parent, dist } = halfSwapped();
    try {
      // the render that committed it is gone (this test process wrote it, so name a process that cannot exist)
      const journal = JSON.parse(readFileSync(swapJournalPath(dist), 'utf8')) as { owner: number };
      writeFileSync(swapJournalPath(dist), JSON.stringify({ ...journal, owner: 99_999_999 }));
      writeFileSync(join(parent, 'broken-app.mjs'), "export function buildApp() { throw new Error('broken app'); }\n");
      const result = run(['synth', '--app', 'broken-app.mjs', '--out', 'dist'], parent);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^lambda-gitops synth: completed the swap of .*dist that an interrupted render had committed$/m);
      expect(result.stderr).toMatch(/broken app/);
      expect(readdirSync(join(dist, 'apps')).sort()).toEqual(['a.yaml', 'c.yaml']);
      expect(readFileSync(join(dist, 'apps/a.yaml'), 'utf8')).toBe(NEW[0].content);
      expect(readdirSync(parent).filter((n) => n.startsWith('.dist-'))).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
