// Synthesis cost of the renderer: N tenants x (Deployment + Service + PDB + NetworkPolicy...) through
// renderApp's linear pass, against cdk8s' own App.synthYaml (which re-validates the app per chart),
// measured in the same process on the same app shape.
import { App } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { performance } from 'node:perf_hooks';
import { ManifestDirectory } from '../lib/layout/manifest-directory.js';
import { synthesizeObjects } from '../lib/render/synthesize.js';
import { layoutTree } from '../lib/render/tree-layout.js';

function build(charts, perChart) {
  const app = new App({ outdir: '/tmp/lambda-gitops-bench-cdk8s' });
  for (let c = 0; c < charts; c++) {
    const dir = new ManifestDirectory(app, `ns${c}`, { directory: `apps/ns${c}`, namespace: `ns${c}` });
    for (let i = 0; i < perChart; i++) new k8s.KubeConfigMap(dir, `cm${i}`, { metadata: { name: `cm-${i}` }, data: { key: String(i) } });
  }
  return app;
}

function time(fn) {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

export default function () {
  for (const [charts, perChart] of [[100, 20], [500, 10]]) {
    const objects = charts * perChart;
    const [ours] = time(() => layoutTree(synthesizeObjects(build(charts, perChart))));
    const [cdk8s] = time(() => build(charts, perChart).synthYaml());
    console.log(`${objects} objects in ${charts} directories: lambda-gitops render ${ours.toFixed(0)} ms, cdk8s App.synthYaml ${cdk8s.toFixed(0)} ms, ratio ${(cdk8s / ours).toFixed(1)}x`);
  }
}
