// One size of the render benchmark in a fresh process: the same app rendered by plain cdk8s
// (App.synthYaml, the baseline) and by renderApp with the default validators (schema + gate).
// Prints one JSON line.
import { ApiObject, App } from 'cdk8s';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestDirectory } from '../../lib/layout/manifest-directory.js';
import { defaultValidators } from '../../lib/render/default-validators.js';
import { renderApp } from '../../lib/render/render-app.js';
import { timed } from '../support.mjs';
import { platformObjects } from './tree.mjs';

const count = Number(process.argv[2]);
const objects = platformObjects(count);

function build() {
  const app = new App({ outdir: join(tmpdir(), 'lambda-gitops-bench-cdk8s') });
  const dirs = new Map();
  objects.forEach((o, i) => {
    const ns = o.metadata.namespace ?? o.metadata.name;
    let dir = dirs.get(ns);
    if (!dir) dirs.set(ns, (dir = new ManifestDirectory(app, ns, { directory: `apps/${ns}`, ...(o.metadata.namespace ? { namespace: ns } : {}) })));
    new ApiObject(dir, `o${i}`, o);
  });
  return app;
}

const baseline = await timed(() => build().synthYaml());
const outdir = mkdtempSync(join(tmpdir(), 'lg-render-bench-'));
try {
  // each validator timed on its own, in the order renderApp runs them
  const validatorMs = [];
  const validatorCpuMs = [];
  const validators = defaultValidators({ outdir }).map((validate, i) => async (files) => {
    const t = await timed(() => validate(files));
    validatorMs[i] = t.ms;
    validatorCpuMs[i] = t.cpuMs;
    return t.value;
  });
  const render = await timed(() => renderApp(build(), { outdir, validators }));
  console.log(JSON.stringify({
    objects: objects.length, cdk8sMs: baseline.ms, renderMs: render.ms, schemaMs: validatorMs[0], gateMs: validatorMs[1],
    schemaCpuMs: validatorCpuMs[0], gateCpuMs: validatorCpuMs[1], files: render.value.files.length,
  }));
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
