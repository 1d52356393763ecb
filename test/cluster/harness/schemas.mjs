// Offline JSON schemas for kubeconform, named the way its template expects
// ({{.ResourceKind}}{{.KindSuffix}}.json): Kubernetes 1.28 core kinds from the vendored
// definitions file (test/cluster/schemas), CRD kinds from the CRDs the cluster tests install.
// "Strict" like kubeconform's -strict schemas: objects with declared properties get
// additionalProperties: false unless they say otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocs } from './tree.mjs';

function kindFile(kind, apiVersion) {
  const parts = apiVersion.split('/');
  let suffix = `-${parts[0].split('.')[0].toLowerCase()}`;
  if (parts.length > 1) suffix += `-${parts[1].toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/** Walks schema positions only (a property may be named "properties" or "additionalProperties"). */
function strictify(s) {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return s;
  const out = { ...s };
  const mapOf = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, strictify(v)]));
  if (out.properties) out.properties = mapOf(out.properties);
  if (out.patternProperties) out.patternProperties = mapOf(out.patternProperties);
  if (out.definitions) out.definitions = mapOf(out.definitions);
  if (out.items) out.items = Array.isArray(out.items) ? out.items.map(strictify) : strictify(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = strictify(out.additionalProperties);
  if (out.not) out.not = strictify(out.not);
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(out[k])) out[k] = out[k].map(strictify);
  if (out['x-kubernetes-int-or-string']) {
    delete out.type;
    if (!out.anyOf && !out.oneOf) out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

/** Inline #/definitions refs so each kind's schema stands alone. */
function inline(s, defs, seen = new Set()) {
  if (Array.isArray(s)) return s.map((x) => inline(x, defs, seen));
  if (!s || typeof s !== 'object') return s;
  if (typeof s.$ref === 'string' && s.$ref.startsWith('#/definitions/')) {
    const name = s.$ref.slice('#/definitions/'.length);
    if (seen.has(name)) return {}; // recursive types (JSONSchemaProps) stay open
    const next = new Set(seen).add(name);
    return inline(defs[name], defs, next);
  }
  const out = {};
  for (const [k, v] of Object.entries(s)) out[k] = inline(v, defs, seen);
  return out;
}

export function generateSchemas({ definitionsFile, crdFiles, outDir }) {
  fs.mkdirSync(outDir, { recursive: true });
  const defs = JSON.parse(fs.readFileSync(definitionsFile, 'utf8')).definitions;
  let n = 0;
  for (const [, def] of Object.entries(defs)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      const schema = strictify(inline(def, defs));
      delete schema['x-kubernetes-group-version-kind'];
      fs.writeFileSync(path.join(outDir, kindFile(gvk.kind, apiVersion)), JSON.stringify({ $schema: 'http://json-schema.org/schema#', ...schema }));
      n++;
    }
  }
  for (const f of crdFiles) {
    for (const crd of parseDocs(fs.readFileSync(f, 'utf8'), f)) {
      if (crd.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        if (!v.served || !v.schema?.openAPIV3Schema) continue;
        const schema = strictify(v.schema.openAPIV3Schema);
        // apiVersion/kind/metadata are checked by the apiserver, not the CRD schema.
        schema.properties = { ...(schema.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
        fs.writeFileSync(path.join(outDir, kindFile(crd.spec.names.kind, `${crd.spec.group}/${v.name}`)), JSON.stringify(schema));
        n++;
      }
    }
  }
  return n;
}
