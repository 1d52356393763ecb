import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import type { PolicyLibrary } from './definition.js';
import { codeCacheCurrent, loadCodeCachedModule, writeCodeCache } from '../core/code-cached-module.js';
import { addQuantityKeywords, QUANTITY_KEYWORD_CHECKS, QUANTITY_KEYWORDS_VARIABLE } from './keywords.js';

/**
 * The JSON Schemas of declarative policies (`when` and `schema`/`versions`) and the policy
 * definition schema, compiled ahead of time into standalone ajv code under lib/policy/compiled/
 * (`npm run build`), so `check` does not load ajv or compile ~100 schemas on every run.
 *
 * Every precompiled validator is keyed by a content hash of its schema together with what the
 * generated code depends on (the ajv version and options, the quantity keywords' code, the
 * `policies/_lib` libraries). A schema whose hash is not in the directory (a changed or a user's
 * policy) is compiled at run time, and the gate reports it ({@link PolicySchemaCompiler.runtimeCompiled}):
 * a stale compile is never used.
 */

const require = createRequire(import.meta.url);
type AjvModule = typeof import('ajv');
type StandaloneCode = (ajv: Ajv, refs: Record<string, string>) => string;

/** Options of the policy schema compiler (the gate's evaluation semantics depend on them). */
const POLICY_AJV_OPTIONS: Options = { allErrors: false, $data: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allowUnionTypes: true };
/** Options of the policy definition validator. */
const DEFINITION_AJV_OPTIONS: Options = { allErrors: true, strict: false };
const DEFINITION_SCHEMA_FILE = fileURLToPath(new URL('../../schemas/policy-definition.schema.json', import.meta.url));
/** `compiled/` next to this module (lib/policy/compiled). */
export const DEFAULT_POLICY_COMPILED_DIR = fileURLToPath(new URL('./compiled/', import.meta.url));
const INDEX_FILE = 'index.json';
const POLICIES_MODULE = 'policies.cjs';
const DEFINITION_MODULE = 'definition.cjs';
const POLICY_FILES = 'policy-files.json';

/** What `compiled/index.json` records. */
interface PolicyValidatorIndex {
  /** Content key of the definition schema the definition module was compiled from. */
  readonly definition: string;
  /** Content key of a policy schema to its export in the policies module. */
  readonly validators: Record<string, string>;
}

function sha256(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function ajvModule(): AjvModule {
  return require('ajv') as AjvModule;
}

/** The installed version of a package (read once per process: resolving it costs more than the hash it goes into). */
const packageVersion = (() => {
  const versions = new Map<string, string>();
  return (name: string): string => {
    let version = versions.get(name);
    if (version === undefined) versions.set(name, (version = (require(`${name}/package.json`) as { version: string }).version));
    return version;
  };
})();

function ajvVersion(): string {
  return packageVersion('ajv');
}

/** The source of keywords.ts/.js next to this module (its code is in every compiled policy validator). */
function keywordsSource(): string {
  const here = fileURLToPath(import.meta.url);
  return readFileSync(here.replace(/policy-validators\.([cm]?[jt]s)$/, 'keywords.$1'), 'utf8');
}

function readIndex(dir: string): PolicyValidatorIndex | undefined {
  const file = join(dir, INDEX_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as PolicyValidatorIndex;
}

/** Key of the policy definition schema (its text, the ajv version and options). */
function definitionKey(schemaText: string): string {
  return sha256('definition', ajvVersion(), JSON.stringify(DEFINITION_AJV_OPTIONS), schemaText);
}

/**
 * The validator of policy definitions (schemas/policy-definition.schema.json): the precompiled one
 * when `compiled/` holds it for the current schema text, otherwise compiled with ajv now.
 */
export function policyDefinitionValidator(compiledDirectory: string | false = DEFAULT_POLICY_COMPILED_DIR): ValidateFunction {
  const text = readFileSync(DEFINITION_SCHEMA_FILE, 'utf8');
  const index = compiledDirectory === false ? undefined : readIndex(compiledDirectory);
  if (compiledDirectory !== false && index?.definition === definitionKey(text)) {
    return (require(join(compiledDirectory, DEFINITION_MODULE)) as { definition: ValidateFunction }).definition;
  }
  const { Ajv } = ajvModule();
  return new Ajv(DEFINITION_AJV_OPTIONS).compile(JSON.parse(text) as object);
}

/**
 * The key of a policy or library file's text in `policy-files.json`: its parsed value is used only
 * for the same text, js-yaml version and policy definition schema as at build time.
 */
function policyFileKey(text: string, definitionSchemaKey: string): string {
  return sha256('policy-file', packageVersion('js-yaml'), definitionSchemaKey, text);
}

/**
 * Policy and `_lib` files as parsed (js-yaml core schema) and validated against the policy
 * definition schema at build time, looked up by their text: `get(text)` gives the parsed value of
 * a file whose exact text was compiled, so it needs neither parsing nor validating again;
 * undefined otherwise (the caller parses and validates it).
 */
export function prevalidatedPolicyFiles(compiledDirectory: string | false = DEFAULT_POLICY_COMPILED_DIR): { get(text: string): unknown } {
  const none = { get: (): undefined => undefined };
  if (compiledDirectory === false || !existsSync(join(compiledDirectory, POLICY_FILES))) return none;
  const index = readIndex(compiledDirectory);
  const schemaKey = definitionKey(readFileSync(DEFINITION_SCHEMA_FILE, 'utf8'));
  if (index?.definition !== schemaKey) return none;
  const files = JSON.parse(readFileSync(join(compiledDirectory, POLICY_FILES), 'utf8')) as Record<string, unknown>;
  return { get: (text) => files[policyFileKey(text, schemaKey)] };
}

/** Options of {@link PolicySchemaCompiler}. */
export interface PolicySchemaCompilerOptions {
  /**
   * Directory of validators compiled ahead of time; `false` compiles every schema at run time.
   * @default lib/policy/compiled (next to this module)
   */
  readonly compiledDirectory?: string | false;
}

/**
 * Compiles policy schemas for the gate: each from the ahead-of-time directory when its content key
 * is there, otherwise with ajv at run time (ajv is then loaded once, with the quantity keywords and
 * the libraries). Either way the validator behaves identically (same ajv, options and keywords).
 */
export class PolicySchemaCompiler {
  private readonly context: string;
  private readonly directory: string | undefined;
  private readonly index: PolicyValidatorIndex | undefined;
  private exports: Record<string, ValidateFunction> | undefined;
  private ajvInstance: Ajv | undefined;
  private runtime = 0;

  constructor(private readonly libraries: readonly PolicyLibrary[], options: PolicySchemaCompilerOptions = {}) {
    this.context = sha256('policies', ajvVersion(), JSON.stringify(POLICY_AJV_OPTIONS), keywordsSource(), JSON.stringify(libraries));
    const dir = options.compiledDirectory ?? DEFAULT_POLICY_COMPILED_DIR;
    this.directory = dir === false ? undefined : dir;
    this.index = this.directory === undefined ? undefined : readIndex(this.directory);
  }

  /** Number of schemas compiled at run time so far (their key was not in the compiled directory). */
  get runtimeCompiled(): number {
    return this.runtime;
  }

  /** The content key of a schema (with the libraries, keywords, ajv version and options). */
  keyOf(schema: object | boolean): string {
    return sha256(this.context, JSON.stringify(schema));
  }

  /** Whether `key` (an index's `definition`) is the key of the current policy definition schema. */
  definitionCurrent(key: string): boolean {
    return key === definitionKey(readFileSync(DEFINITION_SCHEMA_FILE, 'utf8'));
  }

  /** The validator of `schema`: precompiled when its key is in the directory, else compiled now. */
  compile(schema: object | boolean): ValidateFunction {
    const name = this.index?.validators[this.keyOf(schema)];
    if (name !== undefined) {
      this.exports ??= (loadCodeCachedModule(join(this.directory!, POLICIES_MODULE)).exports as PoliciesModule)(QUANTITY_KEYWORD_CHECKS);
      const validate = this.exports[name];
      if (validate) return validate;
    }
    this.runtime++;
    return this.ajv().compile(schema);
  }

  private ajv(): Ajv {
    this.ajvInstance ??= newPolicyAjv(ajvModule(), this.libraries, false);
    return this.ajvInstance;
  }

  /**
   * Writes standalone code for `schemas` (each a policy `when` or check schema) and the policy
   * definition validator into `dir` (replacing it), with an index of their content keys, and the
   * parsed `files` (policy files valid against the definition schema, `_lib` files) by their text.
   * @returns the number of policy schemas written (duplicates share one validator).
   */
  writeCompiled(dir: string, schemas: readonly (object | boolean)[], files: readonly { readonly text: string; readonly value: unknown }[] = []): number {
    const ajvLib = ajvModule();
    const standalone = require('ajv/dist/standalone/index.js') as { default: StandaloneCode };
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const ajv = newPolicyAjv(ajvLib, this.libraries, true);
    const validators: Record<string, string> = {};
    const exports: Record<string, string> = {};
    for (const schema of schemas) {
      const key = this.keyOf(schema);
      if (validators[key]) continue;
      const name = `p${Object.keys(validators).length}`;
      validators[key] = name;
      // an id without a scheme, so `lib#/...` references resolve as they do at run time (no id)
      exports[name] = `policy-schema-${name}`;
      ajv.addSchema(schema as object, exports[name]);
    }
    const code = Object.keys(exports).length > 0 ? standalone.default(ajv, exports) : '';
    writeFileSync(join(dir, POLICIES_MODULE), [
      '// Generated by scripts/compile-schema-validators.mjs (PolicySchemaCompiler.writeCompiled): do not edit.',
      `'use strict';`,
      `module.exports = function load(${QUANTITY_KEYWORDS_VARIABLE}) {`,
      'const exports = {};',
      code,
      'return exports;',
      '};',
      '',
    ].join('\n'));
    const definitionText = readFileSync(DEFINITION_SCHEMA_FILE, 'utf8');
    const definitionAjv = new ajvLib.Ajv({ ...DEFINITION_AJV_OPTIONS, code: { source: true } });
    definitionAjv.addSchema(JSON.parse(definitionText) as object, 'policy-definition');
    writeFileSync(join(dir, DEFINITION_MODULE), `// Generated by scripts/compile-schema-validators.mjs: do not edit.\n${standalone.default(definitionAjv, { definition: 'policy-definition' })}\n`);
    const index: PolicyValidatorIndex = { definition: definitionKey(definitionText), validators };
    writeFileSync(join(dir, POLICY_FILES), `${JSON.stringify(Object.fromEntries(files.map((f) => [policyFileKey(f.text, index.definition), f.value])))}\n`);
    writeFileSync(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 1)}\n`);
    return Object.keys(validators).length;
  }
}

/** What the generated policies module exports: its validators, given the quantity keywords' checks. */
type PoliciesModule = (checks: typeof QUANTITY_KEYWORD_CHECKS) => Record<string, ValidateFunction>;

/**
 * Writes the V8 code cache of the policies module in `dir` (see {@link loadCodeCachedModule}),
 * made after running each validator once on an empty object; left alone when current unless `force`.
 * @returns whether a cache was written.
 */
export function writePolicyCodeCache(dir: string = DEFAULT_POLICY_COMPILED_DIR, force = false): boolean {
  const file = join(dir, POLICIES_MODULE);
  if (!force && codeCacheCurrent(file)) return false;
  writeCodeCache(file, (exports) => {
    for (const validate of Object.values((exports as PoliciesModule)(QUANTITY_KEYWORD_CHECKS))) validate({});
  });
  return true;
}

function newPolicyAjv(ajvLib: AjvModule, libraries: readonly PolicyLibrary[], source: boolean): Ajv {
  const ajv = new ajvLib.Ajv({ ...POLICY_AJV_OPTIONS, ...(source ? { code: { source: true } } : {}) });
  addQuantityKeywords(ajv);
  for (const library of libraries) ajv.addSchema(library.schema, library.id);
  return ajv;
}
