#!/usr/bin/env node
// Consumer test (`npm run test:consumer`, run by .ci/run): packs this package with `npm pack`,
// writes a repository with `lambda-gitops init`, installs the tarball into it from scratch with
// the oldest and the newest cdk8s 2.x the peer range admits, and runs the repository's own
// commands there: npm run synth (= npx cdk8s synth), npm test, check, plan, diff.
// Needs the npm registry (network) and a few minutes; it is not part of `npm test`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'lambda-gitops-consumer-'));
const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

function sh(command, args, cwd, { allowFail = false } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`  $ ${command} ${args.join(' ')}  (${seconds} s, exit ${result.status})\n`);
  if (!allowFail && result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

// both ends of the peer range as the registry has them: the oldest and the newest published patch
const byNumber = (a, b) => { const [x, y] = [a, b].map((v) => v.split('.').map(Number)); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; };
const versions = [JSON.parse(sh('npm', ['view', `cdk8s@${own.peerDependencies.cdk8s}`, 'version', '--json'], work).stdout)].flat()
  .filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort(byNumber);
const [oldest, newest] = [versions[0], versions[versions.length - 1]];
assert.notEqual(oldest, newest, 'the peer range should span more than one cdk8s patch');

console.log('== npm pack');
const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], repoRoot).stdout)[0];
const tarball = join(work, packed.filename);
console.log(`  ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${packed.entryCount} files`);
const shipped = packed.files.map((f) => f.path);
assert.deepEqual(shipped.filter((p) => /\/fixtures\//.test(p) || p.endsWith('.map') || p.startsWith('schemas/tools/') || p.endsWith('.tsbuildinfo') || p.endsWith('.build-stamp')), [],
  'fixtures, source maps, build state and dev tools are not shipped');

for (const cdk8sVersion of [oldest, newest]) {
  console.log(`== consumer repository with cdk8s ${cdk8sVersion}`);
  const dir = join(work, `platform-cdk8s-${cdk8sVersion}`);
  sh(process.execPath, [join(repoRoot, 'lib/cli/main.js'), 'init', dir, '--package', tarball], work);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies.cdk8s = cdk8sVersion;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  const install = sh('npm', ['install'], dir);
  // no warning (EBADENGINE, peer conflicts, deprecations); npm >= 11.19 lists packages with
  // install scripts awaiting approval (`npm warn install-scripts`), where a `prepare` script in
  // this package would appear for a tarball or git install: this package is never among them.
  // An old cdk8s can bring one (cdk8s 2.68.12 has an optional dependency on backport@8.5.0, with a
  // postinstall): that is the consumer's cdk8s, not this package's doing.
  const lines = (install.stdout + install.stderr).split('\n');
  const warnings = lines.filter((l) => /npm warn|EBADENGINE/i.test(l) && !/^npm warn install-scripts/.test(l));
  assert.deepEqual(warnings, [], 'npm install prints no warning');
  const awaiting = lines.filter((l) => /^npm warn install-scripts {3}\S/.test(l)).map((l) => l.trim().split(/\s+/)[3]);
  assert.deepEqual(awaiting.filter((name) => !/^backport@/.test(name)), [], 'no install script of lambda-gitops or its dependencies awaits approval');
  assert.equal(JSON.parse(readFileSync(join(dir, 'node_modules/lambda-gitops/package.json'), 'utf8')).scripts?.prepare, undefined, 'the package ships no install script');
  // lambda-gitops and cdk8s-plus-28 use the consumer's cdk8s (a nested second copy breaks
  // rendering with "non-simple object of type 'Lazy'"); cdk8s-cli may bring its own for itself
  for (const user of ['lambda-gitops', 'lambda-gitops/node_modules/cdk8s-plus-28', 'cdk8s-plus-28']) {
    if (!existsSync(join(dir, 'node_modules', user, 'package.json'))) continue;
    const found = sh(process.execPath, ['-e', `console.log(require('node:module').createRequire(${JSON.stringify(join(dir, 'node_modules', user, 'package.json'))}).resolve('cdk8s/package.json'))`], dir).stdout.trim();
    assert.equal(found, join(dir, 'node_modules/cdk8s/package.json'), `${user} resolves the consumer's cdk8s`);
  }
  assert.equal(JSON.parse(readFileSync(join(dir, 'node_modules/cdk8s/package.json'), 'utf8')).version, cdk8sVersion);

  // the plugin path cdk8s.yaml names is the package's `lambda-gitops/cdk8s-plugin` export
  const resolved = sh(process.execPath, ['--input-type=module', '-e', "console.log(new URL(import.meta.resolve('lambda-gitops/cdk8s-plugin')).pathname)"], dir).stdout.trim();
  const declared = /package: (\S+)/.exec(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8'))[1];
  assert.equal(resolved, join(dir, declared));

  const synth = sh('npm', ['run', 'synth'], dir);
  const synthOutput = synth.stdout + synth.stderr;
  assert.doesNotMatch(synthOutput, /Error|\n\s+at /, 'npm run synth prints no error and no stack trace');
  assert.match(synthOutput, /rendered \d+ objects in \d+ files into dist\/ \(schemas valid; policy gate: 0 failed/);
  assert.match(synthOutput, /lambda-gitops policy gate: 0 failed.*result of the render's gate for this tree/);
  assert.ok(existsSync(join(dir, 'dist/apps/inference/deployment-llama.yaml')));

  // importing the app renders nothing
  rmSync(join(dir, 'dist'), { recursive: true });
  sh(process.execPath, ['--input-type=module', '-e', "const m = await import('./lib/main.js'); if (typeof m.buildApp !== 'function') process.exit(3);"], dir);
  assert.equal(existsSync(join(dir, 'dist')), false, 'importing lib/main.js does not render');

  // a source touched without a change is current (its SHA-256 equals the one tsc's build info
  // recorded): rendered without --build and without a compile
  const mainSource = join(dir, 'src/main.ts');
  const builtBefore = statSync(join(dir, 'lib/.tsbuildinfo')).mtimeMs;
  const later = new Date(Date.now() + 5000);
  utimesSync(mainSource, later, later);
  sh('npx', ['lambda-gitops', 'synth', '--app', './lib/main.js'], dir);
  assert.ok(existsSync(join(dir, 'dist/apps/inference/deployment-llama.yaml')));
  assert.equal(statSync(join(dir, 'lib/.tsbuildinfo')).mtimeMs, builtBefore, 'no compile for a touched source');
  rmSync(join(dir, 'dist'), { recursive: true });

  // a changed source is refused without --build, compiled with it
  writeFileSync(mainSource, `${readFileSync(mainSource, 'utf8')}// changed after the build\n`);
  utimesSync(mainSource, new Date(Date.now() + 10000), new Date(Date.now() + 10000));
  const stale = sh('npx', ['lambda-gitops', 'synth', '--app', './lib/main.js'], dir, { allowFail: true });
  assert.equal(stale.status, 2);
  assert.match(stale.stderr, /lib\/ is stale, not rendering it:\n  src\/main\.ts changed after lib\/main\.js was built/);
  assert.equal(existsSync(join(dir, 'dist')), false);
  sh('npm', ['run', 'synth'], dir);
  assert.ok(existsSync(join(dir, 'dist/apps/inference/deployment-llama.yaml')));

  sh('npm', ['test'], dir);
  sh('npx', ['lambda-gitops', 'check', 'dist'], dir);
  sh('npx', ['lambda-gitops', 'plan', 'dist'], dir);
  sh('npx', ['lambda-gitops', 'diff', '--base', 'dist', '--head', 'dist', '--format', 'json', '--output', join(work, 'diff.json')], dir);
}
rmSync(work, { recursive: true, force: true });
console.log(`consumer test passed with cdk8s ${oldest} and ${newest}`);
