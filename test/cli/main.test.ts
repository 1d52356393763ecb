import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('--help lists every command with its summary', () => {
  const result = run('--help');
  expect(result.status).toBe(0);
  for (const command of ['synth', 'check', 'diff', 'comment', 'publish', 'plan']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, 'm'));
});

test('no command or an unknown one is a usage error (exit 2) naming it', () => {
  expect(run().status).toBe(2);
  const unknown = run('deploy');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/unknown command 'deploy'/);
});

test('--version prints the package version', () => {
  const result = run('--version');
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});
