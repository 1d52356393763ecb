/**
 * Every CLI failure mode of issue 11 item 5 / issue 12 item 7: exit 2 and ONE line on stderr
 * (`lambda-gitops <command>: path: message`), no stack trace unless --debug.
 */
import { describe, expect, jest, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, timeout: 60_000 });
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {k: v}\n';

function tree(files: Record<string, string> = { 'a.yaml': CM }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lg-fail-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Exit 2, one line on stderr matching `line`, no stack trace. */
function expectOneLine(result: ReturnType<typeof run>, line: RegExp): void {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(line) });
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const asRoot = process.getuid?.() === 0;
// each test starts several CLI processes; on a loaded 2-core machine that can take a minute
jest.setTimeout(240_000);

describe('CLI failure modes: exit 2 and one line', () => {
  test('a symbolic link loop in check, diff and plan', () => {
    const dir = tree();
    symlinkSync('loop.yaml', join(dir, 'loop.yaml'));
    expectOneLine(run(['check', dir]), /^lambda-gitops check: .*loop\.yaml: too many levels of symbolic links/);
    expectOneLine(run(['plan', dir]), /^lambda-gitops plan: .*loop\.yaml: too many levels of symbolic links/);
    expectOneLine(run(['diff', '--base', dir, '--head', dir]), /^lambda-gitops diff: .*loop\.yaml: too many levels of symbolic links/);
  });

  test('a dangling symbolic link is named', () => {
    const dir = tree();
    symlinkSync('missing.yaml', join(dir, 'gone.yaml'));
    expectOneLine(run(['check', dir]), /gone\.yaml: dangling symbolic link/);
  });

  (asRoot ? test.skip : test)('unreadable files and directories in check, diff and plan (skipped as root: root reads everything)', () => {
    const dir = tree({ 'a.yaml': CM, 'sub/b.yaml': CM.replace('name: a', 'name: b') });
    chmodSync(join(dir, 'a.yaml'), 0);
    for (const command of [['check', dir], ['plan', dir], ['diff', '--base', dir, '--head', dir]]) expectOneLine(run(command), /a\.yaml: cannot read: permission denied/);
    chmodSync(join(dir, 'a.yaml'), 0o644);
    chmodSync(join(dir, 'sub'), 0);
    expectOneLine(run(['check', dir]), /sub: cannot read directory: permission denied/);
    chmodSync(join(dir, 'sub'), 0o755);
  });

  test('--output to a directory, under /proc, to a pipe: refused without hanging; /dev/null is fine', () => {
    const dir = tree();
    expectOneLine(run(['check', dir, '--output', dir]), new RegExp(`^lambda-gitops check: ${dir}: is a directory`));
    expectOneLine(run(['diff', '--base', dir, '--head', dir, '--output', dir]), new RegExp(`^lambda-gitops diff: ${dir}: is a directory`));
    expectOneLine(run(['diff', '--base', dir, '--head', dir, '--output', '/proc/self/status']), /\/proc\/self\/status: --output cannot write under \/proc/);
    expectOneLine(run(['diff', '--base', dir, '--head', dir, '--output', '/proc/lambda-gitops/report.txt']), /--output cannot write under \/proc/);
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    expectOneLine(run(['check', dir, '--output', join(dir, 'fifo')]), /fifo: is not a regular file \(a pipe/);
    expect(run(['check', dir, '--output', '/dev/null']).status).toBe(0);
  });

  test('a file name that is not valid UTF-8: check, diff and plan say so (was "no such file or directory")', () => {
    const dir = tree();
    writeFileSync(Buffer.concat([Buffer.from(join(dir, 'bad')), Buffer.from([0xff]), Buffer.from('.yaml')]), CM.replace('name: a', 'name: b'));
    const line = /bad\uFFFD\.yaml: cannot read: the file name is not valid UTF-8 .*rename the file\n$/;
    expectOneLine(run(['check', dir]), line);
    expectOneLine(run(['diff', '--base', tree({}), '--head', dir]), line);
    expectOneLine(run(['plan', dir]), line);
  });

  test('an option value that starts with a dash: one line naming the option (parseArgs gave three)', () => {
    const dir = tree();
    expectOneLine(run(['plan', dir, '--utilization', '-0.5']), /^lambda-gitops plan: --utilization: a value that starts with '-' must be given as --utilization=VALUE\n$/);
    expectOneLine(run(['diff', '--base', '-x', '--head', dir]), /^lambda-gitops diff: --base: a value that starts with '-' must be given as --base=VALUE\n$/);
  });

  test('a full disk (/dev/full) as --output or as standard output: exit 2 and one line naming what could not be written', () => {
    const dir = tree();
    expectOneLine(run(['check', dir, '--include-passes', '--output', '/dev/full']), /^lambda-gitops check: \/dev\/full: no space left on device\n$/);
    expectOneLine(run(['diff', '--base', tree({}), '--head', dir, '--output', '/dev/full']), /^lambda-gitops diff: \/dev\/full: no space left on device\n$/);
    for (const args of [['check', dir, '--include-passes'], ['diff', '--base', tree({}), '--head', dir]]) {
      const full = spawnSync('bash', ['-c', 'exec "$@" > /dev/full', 'bash', process.execPath, cli, ...args], { encoding: 'utf8' });
      expectOneLine(full, /^lambda-gitops: cannot write standard output: no space left on device\n$/);
    }
  });

  test('missing --sarif, --body-file and --app files', () => {
    const dir = tree({ 'report.json': JSON.stringify({ version: 1 }) });
    const sarif = run(['comment', '--report', join(dir, 'report.json'), '--sarif', join(dir, 'none.sarif')]);
    expect(sarif.status).toBe(2);
    expect(sarif.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(sarif.stderr).not.toMatch(/\n\s+at /);
    const env = { ...process.env, GITHUB_TOKEN: 't' };
    const body = spawnSync(process.execPath, [cli, 'publish', '--repo', 'o/r', '--branch', 'b', '--dir', dir, '--body-file', join(dir, 'none.md')], { encoding: 'utf8', env });
    expectOneLine(body, /none\.md: no such file or directory/);
    expectOneLine(run(['synth', '--app', join(dir, 'none.mjs'), '--out', join(dir, 'out')]), /none\.mjs: no such file \(--app/);
    // a missing --cluster file is one line too (it was a three-line model error quoting Node's message)
    expectOneLine(run(['plan', dir, '--cluster', join(dir, 'none.yaml')]), /^lambda-gitops plan: \S*none\.yaml: cannot read the cluster model: no such file or directory\n$/);
    expectOneLine(run(['nodes', 'prepare', dir, '--cluster', join(dir, 'none.yaml')]), /^lambda-gitops nodes: \S*none\.yaml: cannot read the cluster model: no such file or directory\n$/);
  });

  test('synth --out that is a file, synth and init under /proc: refused before anything is built, the file untouched (was exit 1 with gate findings)', () => {
    const dir = tree({ 'out.txt': 'keep me\n' });
    expectOneLine(run(['synth', '--out', join(dir, 'out.txt')]), /out\.txt: exists and is not a directory; --out needs a directory/);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('keep me\n');
    expectOneLine(run(['synth', '--out', '/proc/lambda-gitops-dist']), /^lambda-gitops synth: \/proc\/lambda-gitops-dist: the output directory cannot be under \/proc or \/sys/);
    // init too: Node's recursive mkdir under /proc never returns (init used to spin forever)
    expectOneLine(run(['init', '/proc/lambda-gitops-repo']), /^lambda-gitops init: \/proc\/lambda-gitops-repo: cannot write a repository under \/proc or \/sys/);
  });

  test('a construct error in synth: exit 2, the construct path and prop, stack only with --debug', () => {
    const dir = tree({ 'app.mjs': "import { Tenant } from '" + join(cli, '..', '..', 'index.js') + "';\nexport function buildApp(app) { new Tenant(app, 'Bad', { team: 'Not Valid!' }); }\n" });
    const result = run(['synth', '--app', join(dir, 'app.mjs'), '--out', join(dir, 'out')]);
    expectOneLine(result, /^lambda-gitops synth: Bad: invalid 'namespace' \("Bad"\): must be a DNS-1123 label/);
    const debug = run(['synth', '--debug', '--app', join(dir, 'app.mjs'), '--out', join(dir, 'out')]);
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  test('diff with an explicit --base-path that is not in the commit is an error, not an empty base', () => {
    const repo = tree();
    spawnSync('git', ['init', '-q', repo]);
    spawnSync('git', ['-C', repo, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'x']);
    expectOneLine(run(['diff', '--base', 'HEAD', '--repo', repo, '--base-path', 'nowhere', '--head', repo]), /HEAD:nowhere: no such path in that commit/);
  });

  test('a base read from git has the limits of a directory: a symbolic link is named, not read as text', () => {
    const repo = tree();
    symlinkSync('a.yaml', join(repo, 'link.yaml'));
    spawnSync('git', ['init', '-q', repo]);
    spawnSync('git', ['-C', repo, 'add', '-A']);
    spawnSync('git', ['-C', repo, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'x']);
    expectOneLine(run(['diff', '--base', 'HEAD', '--repo', repo, '--base-path', '.', '--head', repo]), /HEAD:link\.yaml: a symbolic link/);
  });
});

describe('a reader that goes away (`lambda-gitops ... | head -1`)', () => {
  /** Runs the CLI with standard output closed by the reader after its first bytes. */
  function closedEarly(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; read: number }> {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let read = 0;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', (chunk: Buffer) => {
      read = chunk.length;
      child.stdout.destroy();
    });
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr, read })));
  }

  const repoRoot = join(cli, '..', '..', '..');
  const many = (): string => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`c${i}.yaml`] = CM.replace('name: a', `name: a${i}`);
    return tree(files);
  };

  test('check, diff and plan end with their own exit code and no stack trace (was an unhandled EPIPE error event, exit 1)', async () => {
    const base = tree({});
    const head = many();
    for (const args of [['check', head, '--include-passes'], ['diff', '--base', base, '--head', head], ['plan', join(repoRoot, 'dist')], ['check', '--help']]) {
      const result = await closedEarly(args);
      expect({ args, code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ args, code: 0, signal: null, stderr: '' });
      expect(result.read).toBeGreaterThan(0);
    }
    // a finding still fails the command
    const failing = tree({ 'p.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  containers:\n  - {name: c, image: nginx, securityContext: {privileged: true}}\n' });
    const result = await closedEarly(['check', failing, '--include-passes']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: '' });
  });
});
