#!/usr/bin/env node
// Compiles ahead of time, so a render or `check` loads validators instead of compiling them on
// every run (run by `npm run build` after tsc):
// - the strict schema validator of every kind (Kubernetes 1.28 and the vendored CRDs) into
//   lib/schema/compiled/ (kinds with a pod template in one module, every other kind in its own);
//   the directory records a hash of its inputs (schemas, validator code, ajv version) and each
//   input file's digest and stat stamp (a run hashes only the files whose stat changed since); a
//   stale directory is never used (the validator compiles at run time instead);
// - the JSON Schemas of the shipped declarative policies (policies/*/policy.yaml `when`, `schema`,
//   `versions`) and the policy definition schema into lib/policy/compiled/, each keyed by a content
//   hash: a policy changed after the build is compiled at run time and `check` says so.
// - a V8 code cache of each generated module, for the Node.js running the build
//   (src/core/code-cached-module.ts: used only for the exact module text it was made from).
// When a directory is already current nothing is rewritten.
// Usage: node scripts/compile-schema-validators.mjs [--check]  (--check: exit 1 when stale)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaValidator } from '../lib/schema/validator.js';
import { DEFAULT_POLICIES_DIR, loadPolicySet, parsePolicyYaml } from '../lib/policy/definition.js';
import { DEFAULT_POLICY_COMPILED_DIR, PolicySchemaCompiler, prevalidatedPolicyFiles, writePolicyCodeCache } from '../lib/policy/policy-validators.js';
import { SETTLED_NS } from '../lib/core/file-digest.js';

const check = process.argv.includes('--check');
let stale = false;

const dir = fileURLToPath(new URL('../lib/schema/compiled/', import.meta.url));
const validator = new SchemaValidator({ compiledDirectory: false });
const index = `${dir}index.json`;
const current = existsSync(index) && JSON.parse(readFileSync(index, 'utf8')).inputs === validator.inputHash;
if (check) {
  console.log(current ? `lib/schema/compiled is current (${validator.inputHash.slice(0, 12)})` : 'lib/schema/compiled is missing or stale: run npm run build');
  stale ||= !current;
} else if (current) {
  // the stamps of files touched since (a checkout, tsc rewriting lib/schema/validator.js) are renewed
  validator.recordInputStamps(dir);
  console.error(`lib/schema/compiled is current (${validator.inputHash.slice(0, 12)}), not rewritten`);
} else {
  const started = Date.now();
  const { kinds, files } = validator.writeCompiled(dir);
  console.error(`lib/schema/compiled: ${kinds} kinds in ${files} modules compiled in ${((Date.now() - started) / 1000).toFixed(1)} s (inputs ${validator.inputHash.slice(0, 12)})`);
}

const set = loadPolicySet();
const schemas = set.policies.flatMap(({ definition: d }) => [d.when, d.schema, ...(d.versions ?? []).map((v) => v.schema)].filter((s) => s !== undefined));
const compiler = new PolicySchemaCompiler(set.libraries);
// the files as loadPolicySet read them (it validated the policies): parsed values by their text
const libDir = join(DEFAULT_POLICIES_DIR, '_lib');
const files = [...set.policies.map((p) => p.file), ...readdirSync(libDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(libDir, f))]
  .map((file) => { const text = readFileSync(file, 'utf8'); return { text, value: parsePolicyYaml(text, file) }; });
const prevalidated = prevalidatedPolicyFiles();
const policyIndex = `${DEFAULT_POLICY_COMPILED_DIR}index.json`;
const known = existsSync(policyIndex) ? JSON.parse(readFileSync(policyIndex, 'utf8')) : undefined;
const policiesCurrent = known !== undefined && schemas.every((s) => compiler.keyOf(s) in known.validators) && compiler.definitionCurrent(known.definition)
  && files.every((f) => prevalidated.get(f.text) !== undefined);
if (check) {
  console.log(policiesCurrent ? 'lib/policy/compiled is current' : 'lib/policy/compiled is missing or stale: run npm run build');
  stale ||= !policiesCurrent;
} else if (policiesCurrent) {
  console.error('lib/policy/compiled is current, not rewritten');
} else {
  const started = Date.now();
  const n = compiler.writeCompiled(DEFAULT_POLICY_COMPILED_DIR, schemas, files);
  console.error(`lib/policy/compiled: ${n} policy schemas of ${set.policies.length} policies compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
if (check) process.exit(stale ? 1 : 0);

// V8 code caches of the generated modules (src/core/code-cached-module.ts), for this Node.js;
// made after the modules have settled, so each cache records the module's stamp (a run then
// proves the module unchanged by its stat instead of hashing it)
const settledMs = Number(SETTLED_NS / 1_000_000n) + 100;
if (!current || !policiesCurrent) await new Promise((done) => setTimeout(done, settledMs));
const started = Date.now();
const caches = validator.writeCodeCaches(dir) + (writePolicyCodeCache() ? 1 : 0);
console.error(caches > 0 ? `V8 code caches: ${caches} written in ${((Date.now() - started) / 1000).toFixed(1)} s (node ${process.version})` : 'V8 code caches are current');
