#!/usr/bin/env node
// Vendoring step, run once by hand (not at test time): turns cert-manager's chart source
// (deploy/charts/cert-manager at tag v1.21.1) into the chart its release packaging publishes
// (make/manifests.mk at the same tag, targets $(bin_dir)/helm/cert-manager/*):
//   - Chart.yaml: `.version` and `.appVersion` set to the release version, and the annotations
//     `artifacthub.io/signKey` (the text of signkey_annotation.txt) and `artifacthub.io/prerelease`
//     added (upstream does this with yq; here the same fields are written as text, so the key
//     order and quoting may differ from the published file, the values do not);
//   - README.md from README.template.md with {{RELEASE_VERSION}} replaced;
//   - only Chart.yaml, README.md, values.yaml, values.schema.json, .helmignore and templates/ are
//     packaged: tests/, signkey_annotation.txt, values.linter.exceptions and README.template.md
//     are removed.
// Usage: node package-cert-manager.mjs CHART_DIR VERSION   (e.g. cert-manager-v1.21.1 v1.21.1)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [chartDir, version] = process.argv.slice(2);
if (!chartDir || !/^v[0-9]+\.[0-9]+\.[0-9]+$/.test(version ?? '')) {
  console.error('usage: package-cert-manager.mjs CHART_DIR vX.Y.Z');
  process.exit(2);
}
const chartPath = join(chartDir, 'Chart.yaml');
let chart = readFileSync(chartPath, 'utf8');
const signKey = readFileSync(join(chartDir, 'signkey_annotation.txt'), 'utf8');
const replaceLine = (text, key, value) => {
  const re = new RegExp(`^${key}: .*$`, 'm');
  if (!re.test(text)) throw new Error(`${chartPath} has no top-level ${key}`);
  return text.replace(re, `${key}: ${value}`);
};
chart = replaceLine(chart, 'version', version);
chart = replaceLine(chart, 'appVersion', version);
const annotationsLine = /^annotations:\n/m;
if (!annotationsLine.test(chart)) throw new Error(`${chartPath} has no annotations block`);
const prerelease = version.includes('-') ? 'true' : 'false';
const signKeyBlock = signKey.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
chart = chart.replace(annotationsLine, `annotations:\n  artifacthub.io/signKey: |\n${signKeyBlock}\n  artifacthub.io/prerelease: "${prerelease}"\n`);
writeFileSync(chartPath, chart);
const readme = readFileSync(join(chartDir, 'README.template.md'), 'utf8').replaceAll('{{RELEASE_VERSION}}', version);
writeFileSync(join(chartDir, 'README.md'), readme);
for (const f of ['tests', 'signkey_annotation.txt', 'values.linter.exceptions', 'README.template.md']) rmSync(join(chartDir, f), { recursive: true, force: true });
