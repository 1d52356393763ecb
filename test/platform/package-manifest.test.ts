import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[] };

test('the package ships no install script (npm 11.19+ asks every consumer installing a tarball or git URL to approve one)', () => {
  // the scripts npm runs when installing a dependency: preinstall, install, postinstall, and prepare for non-registry sources
  for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(`${script}: ${pkg.scripts[script] ?? 'none'}`).toBe(`${script}: none`);
  // packing (npm pack, npm publish) builds lib/ instead
  expect(pkg.scripts.prepack).toBe('npm run build');
  expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.json && node scripts\/compile-schema-validators\.mjs && node scripts\/bundle-check-command\.mjs$/);
});

test('this repository\'s cdk8s app builds a missing lib/ and is not shipped', () => {
  const config = readFileSync(join(repoRoot, 'cdk8s.yaml'), 'utf8');
  expect(config).toMatch(/^app: node scripts\/cdk8s-app\.mjs$/m);
  const app = readFileSync(join(repoRoot, 'scripts/cdk8s-app.mjs'), 'utf8');
  // the same three steps as npm run build, then synth --build in process
  expect(app).toMatch(/typescript\/bin\/tsc/);
  expect(app).toMatch(/scripts\/compile-schema-validators\.mjs/);
  expect(app).toMatch(/scripts\/bundle-check-command\.mjs/);
  expect(app).toMatch(/main\(\['synth', '--build'/);
  expect(pkg.files.some((f) => f.startsWith('scripts'))).toBe(false);
});

test('every locked dependency with an install script is reviewed in allowScripts (npm ci prints no install-scripts notice)', () => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const allow = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
  const withScripts = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  expect(withScripts.length).toBeGreaterThan(0); // the lock records them (a lock without the field would make this vacuous)
  expect(withScripts.filter((name) => !(name in allow))).toEqual([]);
  // @parcel/watcher (jest's optional file watcher) would build from source only without its prebuilt
  // binary package; CI and `npm test` never watch, so its script is denied rather than approved
  expect(allow['@parcel/watcher']).toBe(false);
});
