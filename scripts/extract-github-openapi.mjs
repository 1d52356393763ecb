#!/usr/bin/env node
// Extracts the GitHub REST operations lambda-gitops calls, with every component they reference,
// from @octokit/openapi into schemas/github/api.github.com.subset.json (committed, with provenance),
// so the test suite can validate requests without the 385 MB package.
//
// Usage:
//   mkdir -p /tmp/openapi && cd /tmp/openapi && npm init -y && npm install @octokit/openapi@23.0.2
//   node scripts/extract-github-openapi.mjs /tmp/openapi/node_modules/@octokit/openapi
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operationIds lambda-gitops calls (src/github). */
export const OPERATIONS = [
  'issues/list-comments', 'issues/create-comment', 'issues/update-comment', 'issues/delete-comment',
  'checks/create', 'checks/update', 'checks/list-for-ref',
  'code-scanning/upload-sarif',
  'pulls/get', 'pulls/list', 'pulls/create', 'pulls/update',
  'git/get-ref', 'git/create-ref', 'git/update-ref',
  'git/get-commit', 'git/create-commit',
  'git/get-tree', 'git/create-tree', 'git/create-blob',
];

export const SOURCE_FILE = 'generated/api.github.com.json';
export const SUBSET_FILE = 'schemas/github/api.github.com.subset.json';

/** Every `#/components/...` reference reachable from `value`, followed transitively. */
function collectRefs(spec, value, found) {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(spec, item, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/')) {
      if (found.has(child)) continue;
      found.add(child);
      collectRefs(spec, resolvePointer(spec, child), found);
    } else {
      collectRefs(spec, child, found);
    }
  }
}

function resolvePointer(spec, ref) {
  const value = ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((v, k) => v?.[k], spec);
  if (value === undefined) throw new Error(`unresolvable reference ${ref}`);
  return value;
}

/**
 * The subset document: `paths` with only the listed operations (and their path-level parameters),
 * `components` with only what they reference. Deterministic (sorted keys), provenance not included.
 */
export function extractSubset(spec, operations = OPERATIONS) {
  const paths = {};
  const missing = new Set(operations);
  for (const path of Object.keys(spec.paths).sort()) {
    const item = spec.paths[path];
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !operations.includes(op.operationId)) continue;
      missing.delete(op.operationId);
      paths[path] ??= item.parameters ? { parameters: item.parameters } : {};
      paths[path][method] = op;
    }
  }
  if (missing.size > 0) throw new Error(`operations not in the description: ${[...missing].join(', ')}`);
  const refs = new Set();
  collectRefs(spec, paths, refs);
  const components = {};
  for (const ref of [...refs].sort()) {
    const [, , section, name] = ref.split('/');
    components[section] ??= {};
    components[section][name] = resolvePointer(spec, ref);
  }
  for (const section of Object.keys(components)) {
    components[section] = Object.fromEntries(Object.entries(components[section]).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return { openapi: spec.openapi, info: { title: spec.info.title, version: spec.info.version }, servers: spec.servers, paths, components };
}

async function main() {
  const packageDir = process.argv[2];
  if (!packageDir) {
    console.error('usage: node scripts/extract-github-openapi.mjs <path to node_modules/@octokit/openapi>');
    process.exit(2);
  }
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const raw = readFileSync(join(packageDir, SOURCE_FILE));
  const subset = extractSubset(JSON.parse(raw.toString('utf8')));
  const document = {
    'x-provenance': {
      package: pkg.name,
      version: pkg.version,
      file: SOURCE_FILE,
      sha256: createHash('sha256').update(raw).digest('hex'),
      extractedAt: new Date().toISOString().slice(0, 10),
      script: 'scripts/extract-github-openapi.mjs',
      operations: OPERATIONS,
    },
    ...subset,
  };
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  writeFileSync(join(root, SUBSET_FILE), `${JSON.stringify(document, null, 1)}\n`);
  console.log(`wrote ${SUBSET_FILE}: ${Object.keys(subset.paths).length} paths, ${Object.values(subset.components).reduce((n, s) => n + Object.keys(s).length, 0)} components`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
