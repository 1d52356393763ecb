#!/usr/bin/env node
// The app cdk8s.yaml runs in this repository (`npx cdk8s synth`, `npm run synth`): builds lib/
// when a fresh clone has none (the three steps of `npm run build`), then runs `lambda-gitops synth --build` in this process (which
// compiles only sources whose content changed, and renders into dist/ atomically).
//
// `npm ci` builds nothing: a `prepare` script would ship in the package's package.json, and npm
// 11.19+ runs `prepare` of a dependency from a tarball or git (non-registry sources) only when the
// consumer approves it, listing it after every install as an install script awaiting approval.
// This script is not shipped (package.json `files`); consumers' repositories run their own app.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const missing = ['lib/cli/main.js', 'lib/schema/compiled', 'lib/cli/check-bundle.cjs'].filter((path) => !existsSync(`${root}${path}`));
if (missing.length > 0) {
  // cdk8s-cli discards the app's stdout: progress and compiler messages go to stderr
  process.stderr.write(`lambda-gitops: ${missing.join(', ')} missing (a fresh clone): building lib/ (npm run build)\n`);
  // build info left from an earlier compile would make tsc skip outputs it believes it wrote
  if (missing.includes('lib/cli/main.js')) rmSync(`${root}lib/.tsbuildinfo`, { force: true });
  for (const args of [[fileURLToPath(import.meta.resolve('typescript/bin/tsc')), '-p', `${root}tsconfig.json`], [`${root}scripts/compile-schema-validators.mjs`], [`${root}scripts/bundle-check-command.mjs`]]) {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 2, 2] });
    if (result.status !== 0) {
      process.stderr.write(`lambda-gitops: building lib/ failed (${args.at(-1)}; errors above); nothing was rendered\n`);
      process.exit(2);
    }
  }
}
const { main } = await import('../lib/cli/main.js');
process.exitCode = await main(['synth', '--build', ...process.argv.slice(2)]);
