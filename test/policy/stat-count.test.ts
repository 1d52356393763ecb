/**
 * `check` and `diff` read a tree with at most one stat per file (issue 14): counted with strace
 * on a tree of 1 file and of 401 files; the difference divided by 400 is the cost per file. Main
 * once made about five (realpath, stat, readFileSync's own fstat), then one (an fstat for the size
 * limit); now a file found by the directory walk costs none.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

function tree(root: string, files: number): string {
  for (let i = 0; i < files; i++) {
    const dir = join(root, `d${i % 10}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `cm${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: n}\ndata: {k: v}\n`);
  }
  return root;
}

function stats(args: string[], summary: string): number {
  const out = spawnSync('strace', ['-f', '-c', '-e', 'trace=statx,newfstatat,fstat,lstat,stat', '-o', summary, process.execPath, cli, ...args], { encoding: 'utf8' });
  const text = readFileSync(summary, 'utf8');
  const total = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+total$/m.exec(text);
  if (!total) throw new Error(`no strace summary (exit ${out.status}): ${text}${out.stderr}`);
  return Number(total[1]);
}

(hasStrace ? test : test.skip)('check and diff: at most one stat per file (skipped without strace)', () => {
  const root = mkdtempSync(join(tmpdir(), 'lg-stat-'));
  try {
    const one = tree(join(root, 'one'), 1);
    const many = tree(join(root, 'many'), 401);
    for (const command of [(d: string) => ['check', d], (d: string) => ['diff', '--base', d, '--head', d]]) {
      const perFile = (stats(command(many), join(root, 'strace.txt')) - stats(command(one), join(root, 'strace.txt'))) / 400;
      process.stdout.write(`${command('DIR').join(' ')}: ${perFile.toFixed(2)} stat calls per file\n`);
      // a file found by the walk is read without a stat (only one over the size limit is stat'ed);
      // 1 per file while each file was fstat'ed for its size; diff reads two trees
      expect(perFile).toBeLessThanOrEqual(command('x')[0] === 'diff' ? 0.2 : 0.1);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 120_000);
