#!/usr/bin/env node
// Compiles the strict schema validator of every kind (Kubernetes 1.28 and the vendored CRDs) into
// standalone ajv code under lib/schema/compiled/, so a render or `check` loads the kinds it meets
// instead of compiling them on every run. Run by `npm run build` after tsc. The directory records
// a hash of its inputs (schemas, validator code, ajv version); when it is already current nothing
// is rewritten, and a stale directory is never used (the validator compiles at run time instead).
// Usage: node scripts/compile-schema-validators.mjs [--check]  (--check: exit 1 when stale)
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SchemaValidator } from '../lib/schema/validator.js';

const dir = fileURLToPath(new URL('../lib/schema/compiled/', import.meta.url));
const validator = new SchemaValidator({ compiledDirectory: false });
const index = `${dir}index.json`;
const current = existsSync(index) && JSON.parse(readFileSync(index, 'utf8')).inputs === validator.inputHash;
if (process.argv.includes('--check')) {
  console.log(current ? `lib/schema/compiled is current (${validator.inputHash.slice(0, 12)})` : 'lib/schema/compiled is missing or stale: run npm run build');
  process.exit(current ? 0 : 1);
}
if (current) {
  console.error(`lib/schema/compiled is current (${validator.inputHash.slice(0, 12)}), not rewritten`);
} else {
  const started = Date.now();
  const { kinds } = validator.writeCompiled(dir);
  console.error(`lib/schema/compiled: ${kinds} kinds compiled in ${((Date.now() - started) / 1000).toFixed(1)} s (inputs ${validator.inputHash.slice(0, 12)})`);
}
