// Policy gate on ~9,000 rendered objects (2,240 x Deployment + Service + PDB + NetworkPolicy in
// 30 namespaces, each namespace with its Namespace, default deny and GPU quota), one object per
// file as in dist/; the tree passes every rule, so the numbers are the cost of a green PR. Baselines measured in the same process:
//  - parsing: the `yaml` package's parseAllDocuments (keeps source positions) versus the gate's
//    loader (js-yaml; positions computed later only for failing objects);
//  - cross-resource selection: what every Service, PDB and NetworkPolicy selects, looked up in the
//    label index versus scanned over all pod templates (the all-pairs approach).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { tenantObjects } from './workers/tree.mjs';
import { loadManifests, manifestsFromText, ObjectIndex, PolicyGate, selectorMatches, mapSelector, SourcePositions } from '../lib/policy/index.js';

const WORKLOADS = 2240;
const NAMESPACES = 30;

export function objects() {
  return tenantObjects(NAMESPACES, WORKLOADS);
}

function time(fn) {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

async function timeAsync(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export default async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lg-check-bench-'));
  try {
    const list = objects();
    for (const o of list) {
      const sub = join(dir, o.metadata.namespace ?? o.metadata.name);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), jsYaml.dump(o, { noRefs: true }));
    }
    const paths = loadManifests([dir]).files;
    const files = paths.map((f) => readFileSync(join(process.cwd(), f), 'utf8'));
    const entries = paths.map((file, i) => ({ file, text: files[i] }));
    console.log(`${list.length} objects in ${files.length} files (${(files.reduce((n, t) => n + t.length, 0) / 2 ** 20).toFixed(1)} MiB)`);

    // Parsing: warm both parsers once, then measure.
    parseAllDocuments(files[0]);
    loadManifests([join(dir, 'team-0')]);
    manifestsFromText(entries.slice(0, 100));
    const withPositions = time(() => { let n = 0; for (const t of files) n += parseAllDocuments(t).length; return n; });
    const parsed = time(() => manifestsFromText(entries));
    console.log(`parse in memory, yaml parseAllDocuments (source positions): ${withPositions.ms.toFixed(0)} ms, ${(list.length / withPositions.ms * 1000).toFixed(0)} objects/s`);
    console.log(`parse in memory, gate loader (js-yaml + checks):           ${parsed.ms.toFixed(0)} ms, ${(list.length / parsed.ms * 1000).toFixed(0)} objects/s`);
    console.log(`ratio: the gate's parsing is ${(withPositions.ms / parsed.ms).toFixed(1)}x faster than parsing with positions`);
    const loader = time(() => loadManifests([dir]));
    console.log(`loadManifests from disk (walk, stat, read, parse): ${loader.ms.toFixed(0)} ms, ${(list.length / loader.ms * 1000).toFixed(0)} objects/s`);

    // Whole gate: compile once, then load + evaluate every rule.
    const gate = new PolicyGate();
    await gate.evaluate(loadManifests([join(dir, 'team-0')])); // compile schemas
    const full = await timeAsync(async () => gate.evaluate(loadManifests([dir])));
    const s = full.value.summary;
    console.log(`load + check (${gate.policies().length} rules): ${full.ms.toFixed(0)} ms, ${(list.length / full.ms * 1000).toFixed(0)} objects/s; ${s.pass} passed, ${s.fail} failed, ${s.warn} warnings`);
    console.log(`  of which loading ${(loader.ms / full.ms * 100).toFixed(0)}% (measured above), evaluating ${((full.ms - loader.ms) / full.ms * 100).toFixed(0)}%`);

    // Source lines are computed only for failures: cost per failing object.
    const failing = loader.value.objects.slice(0, 500);
    const positions = time(() => { const p = new SourcePositions(); for (const o of failing) p.lineOf(o.source, '/spec/template/spec/containers/0/image'); });
    console.log(`source line of a failing field: ${(positions.ms / failing.length).toFixed(2)} ms per failing object (a green tree pays nothing)`);

    // Cross-resource selection: indexed versus all pairs.
    const index = new ObjectIndex(loader.value.objects);
    const selectors = [];
    for (const o of loader.value.objects) {
      const spec = o.object.spec ?? {};
      const ns = o.object.metadata.namespace ?? '';
      if (o.object.kind === 'Service') selectors.push([ns, mapSelector(spec.selector)]);
      if (o.object.kind === 'PodDisruptionBudget') selectors.push([ns, spec.selector]);
      if (o.object.kind === 'NetworkPolicy' && Object.keys(spec.podSelector?.matchLabels ?? {}).length > 0) selectors.push([ns, spec.podSelector]);
    }
    const templates = index.podTemplates();
    const indexed = time(() => { let n = 0; for (const [ns, sel] of selectors) n += index.selectPodTemplates(ns, sel).length; return n; });
    const naive = time(() => { let n = 0; for (const [ns, sel] of selectors) for (const t of templates) if (t.namespace === ns && selectorMatches(sel, t.labels)) n++; return n; });
    if (indexed.value !== naive.value) throw new Error(`indexed selection found ${indexed.value} matches, the scan ${naive.value}`);
    console.log(`selection for ${selectors.length} selectors over ${templates.length} pod templates: indexed ${indexed.ms.toFixed(1)} ms, all pairs ${naive.ms.toFixed(0)} ms, ratio ${(naive.ms / indexed.ms).toFixed(0)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
