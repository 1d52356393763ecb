#!/usr/bin/env node
/**
 * Converts upstream CustomResourceDefinition YAML files into compact JSON files under
 * schemas/crds/: one file per CRD with the openAPIV3Schema of every *served* version, with
 * `description` texts removed (they are 70-80% of the bytes and never used for validation).
 * Nothing else is changed: strictness (additionalProperties: false, null rejection,
 * x-kubernetes-* handling) is applied at load time by src/schema/strict.ts, the same code that
 * makes the Kubernetes definitions strict.
 *
 * Usage: node schemas/tools/compile-crds.mjs <dir-with-crd-yaml> [file.yaml ...]
 * Regenerate after copying newer CRDs; update schemas/README.md (source, commit, sha256).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';

const SCHEMA_KEYWORDS_WITH_SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_KEYWORDS_WITH_SCHEMA = new Set(['items', 'additionalProperties', 'not']);
const SCHEMA_KEYWORDS_WITH_SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf']);

/**
 * Go's RE2 takes a leading inline flag `(?i)` (case-insensitive); JavaScript patterns cannot carry
 * flags. `(?i)` at the start is rewritten into the same language with each ASCII letter outside a
 * character class as `[xX]` (e.g. Prometheus Operator's `^(?i)(abort|warn)?$`). Any other inline
 * flag group fails the compile, so nothing is validated with a different meaning.
 */
export function goPatternToJs(pattern) {
  const m = /^(\^?)\(\?i\)/.exec(pattern);
  if (!m) {
    if (/\(\?[a-zA-Z]/.test(pattern)) throw new Error(`Go regular expression flag group not supported: ${pattern}`);
    return pattern;
  }
  const body = pattern.slice(m[0].length);
  let out = m[1];
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') { out += c + (body[i + 1] ?? ''); i++; continue; }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    if (!inClass && /[a-zA-Z]/.test(c)) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    else out += c;
  }
  if (/\(\?[a-zA-Z]/.test(out)) throw new Error(`Go regular expression flag group not supported: ${pattern}`);
  return out;
}

/** Removes `description` from a schema node and all its sub-schemas (never from property names). */
function stripDescriptions(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (SCHEMA_KEYWORDS_WITH_SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripDescriptions(v)]));
    } else if (SCHEMA_KEYWORDS_WITH_SCHEMA.has(key)) {
      out[key] = stripDescriptions(value);
    } else if (SCHEMA_KEYWORDS_WITH_SCHEMA_LISTS.has(key)) {
      out[key] = value.map(stripDescriptions);
    } else if (key === 'pattern' && typeof value === 'string') {
      out[key] = goPatternToJs(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

const [dir, ...names] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: compile-crds.mjs <crd-dir> [file.yaml ...]\n');
  process.exit(2);
}
const files = names.length > 0 ? names : [
  'source.toolkit.fluxcd.io_gitrepositories.yaml',
  'source.toolkit.fluxcd.io_helmrepositories.yaml',
  'source.toolkit.fluxcd.io_ocirepositories.yaml',
  'source.toolkit.fluxcd.io_helmcharts.yaml',
  'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  'helm.toolkit.fluxcd.io_helmreleases.yaml',
  'external-secrets.io_externalsecrets.yaml',
  'external-secrets.io_secretstores.yaml',
  'external-secrets.io_clustersecretstores.yaml',
  'keda.sh_scaledobjects.yaml',
  'monitoring.coreos.com_servicemonitors.yaml',
];
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'crds');
for (const name of files) {
  const text = readFileSync(join(dir, name), 'utf8');
  const crd = jsYaml.load(text);
  if (crd?.kind !== 'CustomResourceDefinition') throw new Error(`${name}: not a CustomResourceDefinition`);
  const versions = {};
  for (const version of crd.spec.versions) {
    if (!version.served) continue;
    versions[version.name] = stripDescriptions(version.schema.openAPIV3Schema);
  }
  const compact = {
    source: basename(name),
    sha256: createHash('sha256').update(text).digest('hex'),
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    scope: crd.spec.scope,
    versions,
  };
  const target = join(outDir, basename(name).replace(/\.ya?ml$/, '.json'));
  writeFileSync(target, `${JSON.stringify(compact)}\n`);
  process.stdout.write(`${target}: ${Object.keys(versions).join(', ')}\n`);
}
