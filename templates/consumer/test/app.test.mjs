// `npm test` compiles src/ and runs this file with node's test runner.
import { App } from 'cdk8s';
import { defaultValidators, renderApp } from 'lambda-gitops';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../lib/main.js';

test('the platform renders, passes the schema check and the policy gate, and serves the model on a GPU', async () => {
  // render where Flux expects the tree (./dist below the repository root), in a scratch directory
  const repository = mkdtempSync(join(tmpdir(), 'platform-'));
  process.chdir(repository);
  const app = new App();
  buildApp(app);
  const result = await renderApp(app, { outdir: 'dist', validators: defaultValidators() });
  const paths = result.files.map((f) => f.path);
  assert.ok(paths.includes('clusters/prod/kustomization-apps.yaml'), paths.join('\n'));
  const llm = readFileSync(join(repository, 'dist/apps/inference/deployment-llama.yaml'), 'utf8');
  assert.match(llm, /nvidia\.com\/gpu: "?1"?/);
});
