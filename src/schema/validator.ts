import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { CHECKED_FORMATS, strictDefinitions, strictSchema, type SchemaNode } from './strict.js';
import { BUILT_IN_CLUSTER_SCOPED_KINDS } from '../core/cluster-scoped-kinds.js';
import { fileDigest, readDigested, type FileDigest } from '../core/file-digest.js';
import { codeCacheCurrent, loadCodeCachedModule, writeCodeCache } from '../core/code-cached-module.js';
import { isSecretPointer, secretSlots } from '../masking/secret-positions.js';
import { secretsInText } from '../masking/secret-text.js';

/** One schema problem in a manifest. */
export interface SchemaIssue {
  /** JSON pointer into the manifest, e.g. `/spec/template/spec/containers/0/resources`; `''` is the object itself. */
  readonly path: string;
  /**
   * What is wrong, e.g. `unknown field "resourcez"` or `must be integer, got "3"`. A value at a
   * secret position of the masking policy (Secret data, credential keys, ...) or containing a
   * credential is never quoted: `must match format "byte" (value hidden)`.
   */
  readonly message: string;
}

/** Where the vendored schemas live (relative to this module: src/schema or lib/schema). */
const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);
const KUBERNETES_DEFINITIONS = new URL('kubernetes-v1.28/_definitions.json', SCHEMAS_DIR);
const CRD_DIR = new URL('crds/', SCHEMAS_DIR);
const K8S_ID = 'k8s';
const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';
const OBJECT_META = `${K8S_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** A compact CRD file written by schemas/tools/compile-crds.mjs. */
interface CompactCrd {
  readonly source: string;
  readonly group: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: Record<string, SchemaNode>;
}

/** How an apiVersion/kind is validated. */
export interface KindSchema {
  readonly apiVersion: string;
  readonly kind: string;
  /** `kubernetes` (v1.28 definitions) or the CRD file it comes from. */
  readonly source: string;
  /** Whether the kind is namespaced (known for CRDs; for built-in kinds from a fixed list). */
  readonly namespaced: boolean | undefined;
}

/** Options for {@link SchemaValidator}. */
export interface SchemaValidatorOptions {
  /**
   * Path of a Kubernetes `_definitions.json` (openapi2jsonschema format).
   * @default the vendored schemas/kubernetes-v1.28/_definitions.json
   */
  readonly kubernetesDefinitions?: string | URL;
  /**
   * Directory of compact CRD schema files (schemas/tools/compile-crds.mjs output).
   * @default the vendored schemas/crds/
   */
  readonly crdDirectory?: string | URL;
  /**
   * Directory of validators compiled ahead of time (`npm run build` writes them with
   * {@link SchemaValidator.writeCompiled}). They are used only when the directory records the same
   * input hash as this validator computes from the schemas it read, its own code and the ajv
   * version; otherwise, and with `false`, each kind is compiled on first use.
   * @default `compiled/` next to this module (lib/schema/compiled)
   */
  readonly compiledDirectory?: string | URL | false;
}

/** What `compiled/index.json` records. */
interface CompiledIndex {
  /** Hash of everything the generated code depends on (see {@link SchemaValidator.inputHash}). */
  readonly inputs: string;
  /**
   * `apiVersion|kind` to `file#export`: the module (in the directory) and its export holding the
   * kind's validate function. The kinds with a pod template share one module (`workloads`, their
   * PodSpec code once), every other kind has its own (see {@link SchemaValidator.moduleOf}).
   */
  readonly kinds: Record<string, string>;
  /**
   * Every kind the inputs define, in order, with where its schema comes from (`k8s:<definition>`
   * or `crd:<file>:<version>`): a validator over current inputs takes its kinds from here instead
   * of parsing the schema files (they are parsed only if something must compile at run time).
   */
  readonly schemas?: readonly (KindSchema & { readonly from: string })[];
  /**
   * The input files the build read (by input name: `validator`, `strict`, `kubernetes`,
   * `crd:<file>`), each with its path, content digest and, when it had settled, its stamp: a file
   * whose stat still equals its stamp is not read or hashed again (see {@link fileDigest}).
   */
  readonly files?: Readonly<Record<string, RecordedInput>>;
}

/** An input file as the index records it. */
interface RecordedInput extends FileDigest {
  readonly path: string;
}

/** One file the validator's input hash covers, with its digest (and content when it was read). */
interface InputFile extends RecordedInput {
  readonly name: string;
  readonly content?: Buffer;
}

const require = createRequire(import.meta.url);
type StandaloneCode = (ajv: Ajv, refs: Record<string, string>) => string;
/** ajv is required when something is compiled (never for a run that only uses precompiled kinds). */
function newAjvInstance(options: Options): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  return new AjvClass(options);
}
const COMPILED_DIR = new URL('./compiled/', import.meta.url);
const COMPILED_INDEX = 'index.json';

/**
 * Validates manifests strictly against the Kubernetes 1.28 definitions and the vendored CRD
 * schemas (see {@link strictSchema}). Schemas are read once; each kind's validator comes from the
 * ahead-of-time compiled directory when it is current, otherwise it is compiled on first use, and
 * is cached either way.
 */
export class SchemaValidator {
  private ajvInstance: Ajv | undefined;
  private parsedKubernetes: Record<string, SchemaNode> | undefined;
  /** The files {@link inputHash} covers, in hash order. */
  private readonly inputFiles: InputFile[];
  private readonly parsedCrds = new Map<string, CompactCrd>();
  private readonly schemas = new Map<string, { info: KindSchema; from: string; schema: () => SchemaNode }>();
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Kinds whose schema came from a CRD read at run time: never taken from the precompiled directory. */
  private readonly runtimeOnly = new Set<string>();
  /**
   * Hash of the schemas read, this module's and strict.ts' code and the ajv version (of each
   * file's SHA-256, taken from the compiled index without reading the file while the file's stat
   * equals the stamp recorded there; see {@link fileDigest}).
   */
  readonly inputHash: string;
  private readonly precompiled: { readonly dir: string; readonly kinds: Record<string, string> } | undefined;

  constructor(options: SchemaValidatorOptions = {}) {
    const recorded = options.compiledDirectory === false ? undefined : readCompiledIndex(options.compiledDirectory ?? COMPILED_DIR);
    this.inputFiles = inputSources(options).map((source) => {
      const known = recorded?.files?.[source.name];
      return { ...source, ...fileDigest(source.path, known?.path === source.path ? known : undefined) };
    });
    this.inputHash = inputHashOf(this.inputFiles);
    const index = recorded?.inputs === this.inputHash ? recorded : undefined;
    this.precompiled = index && { dir: index.dir, kinds: index.kinds };
    if (index?.schemas) {
      // the kinds as the build read them from the same inputs: no schema file is parsed
      for (const { from, ...info } of index.schemas) this.schemas.set(key(info.apiVersion, info.kind), { info, from, schema: this.schemaFrom(from, info) });
    } else {
      this.loadKubernetes();
      this.loadCrds();
    }
  }

  /**
   * The text of an input file: as read for its digest, or read now and required to have the
   * digest {@link inputHash} was made of (a file changed since is an error, never a mixed input).
   */
  private inputText(name: string): string | undefined {
    const input = this.inputFiles.find((f) => f.name === name);
    return input && (input.content ?? readDigested(input.path, input.digest)).toString('utf8');
  }

  /** The Kubernetes definitions, parsed on first use. */
  private get kubernetesDefinitions(): Record<string, SchemaNode> {
    this.parsedKubernetes ??= (JSON.parse(this.inputText(KUBERNETES_INPUT)!) as { definitions: Record<string, SchemaNode> }).definitions;
    return this.parsedKubernetes;
  }

  private crd(file: string): CompactCrd {
    let crd = this.parsedCrds.get(file);
    if (!crd) {
      const text = this.inputText(`${CRD_INPUT_PREFIX}${file}`);
      if (text === undefined) throw new Error(`no CRD schema file ${file}`);
      crd = JSON.parse(text) as CompactCrd;
      this.parsedCrds.set(file, crd);
    }
    return crd;
  }

  /** The schema of a kind from its origin (`k8s:<definition>` or `crd:<file>:<version>`). */
  private schemaFrom(from: string, info: KindSchema): () => SchemaNode {
    if (from.startsWith('k8s:')) return () => ({ $ref: `${K8S_ID}#/definitions/${from.slice(4)}` });
    const [, file, version] = /^crd:(.*):([^:]+)$/.exec(from) ?? [];
    return () => crdVersionSchema(this.crd(file).versions[version], info.apiVersion, info.kind);
  }

  /** Whether validators come from a current ahead-of-time compiled directory. */
  get usesPrecompiled(): boolean {
    return this.precompiled !== undefined;
  }

  /**
   * Compiles every kind (or the kinds `only` names, as `apiVersion|kind`) and writes each as
   * standalone code into `dir` with an index recording {@link inputHash}; replaces what `dir` held.
   */
  writeCompiled(dir: string, only?: readonly string[]): { readonly kinds: number; readonly files: number } {
    const standaloneCode = (require('ajv/dist/standalone/index.js') as { default: StandaloneCode }).default;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const byGroup = new Map<string, string[]>();
    const podSpecUsers = new Map<string, boolean>();
    for (const [k, entry] of this.schemas) {
      if (only && !only.includes(k)) continue;
      const group = this.moduleOf(k, entry.from, podSpecUsers);
      byGroup.set(group, [...(byGroup.get(group) ?? []), k]);
    }
    const kinds: Record<string, string> = {};
    let n = 0;
    for (const [group, keys] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // a fresh ajv per module: its code holds the group's kinds and what they reference, once
      const ajv = this.newAjv(true);
      const file = `${group}.cjs`;
      const exports: Record<string, string> = {};
      for (const k of keys) {
        const name = `k${n++}`;
        exports[name] = `kind-${name}`;
        ajv.addSchema(this.schemas.get(k)!.schema(), exports[name]);
        kinds[k] = `${file}#${name}`;
      }
      writeFileSync(join(dir, file), standaloneCode(ajv, exports));
    }
    const schemas = [...this.schemas.values()].filter((s) => !this.runtimeOnly.has(key(s.info.apiVersion, s.info.kind))).map((s) => ({ ...s.info, from: s.from }));
    const index: CompiledIndex = { inputs: this.inputHash, kinds, schemas, files: this.recordedInputs() };
    writeFileSync(join(dir, COMPILED_INDEX), `${JSON.stringify(index, null, 1)}\n`);
    return { kinds: n, files: byGroup.size };
  }

  /** The input files to record in an index: those whose stamp proves their digest. */
  private recordedInputs(): Record<string, RecordedInput> {
    return Object.fromEntries(this.inputFiles.filter((f) => f.stamp).map((f) => [f.name, { path: f.path, digest: f.digest, stamp: f.stamp }]));
  }

  /**
   * Writes the V8 code cache of every module in a compiled directory made from this validator's
   * inputs (see {@link loadCodeCachedModule}), each made after validating a sample object of each
   * of its kinds (metadata, and a pod template for the workloads), so the cache also holds the
   * code those validations compiled. Modules whose cache is current are left alone unless `force`.
   * @returns the number of caches written; 0 when `dir` holds no index of the same {@link inputHash}.
   */
  writeCodeCaches(dir: string, force = false): number {
    const index = readCompiledIndex(dir);
    if (index?.inputs !== this.inputHash) return 0;
    const byFile = new Map<string, { name: string; apiVersion: string; kind: string }[]>();
    for (const [k, location] of Object.entries(index.kinds)) {
      const [file, name] = location.split('#');
      const [apiVersion, kind] = k.split('|');
      byFile.set(file, [...(byFile.get(file) ?? []), { name, apiVersion, kind }]);
    }
    let written = 0;
    for (const [file, kinds] of byFile) {
      const path = join(dir, file);
      if (!force && codeCacheCurrent(path)) continue;
      writeCodeCache(path, (exports) => {
        for (const { name, apiVersion, kind } of kinds) (exports as Record<string, ValidateFunction>)[name](sampleObject(apiVersion, kind));
      });
      written++;
    }
    return written;
  }

  /**
   * Rewrites the stamps of a compiled directory made from this validator's inputs (e.g. after a
   * checkout touched unchanged schema files, whose stamps then no longer prove anything and which
   * every run would hash again).
   * @returns false (nothing written) when `dir` holds no index of the same {@link inputHash}.
   */
  recordInputStamps(dir: string): boolean {
    const index = readCompiledIndex(dir);
    if (index?.inputs !== this.inputHash) return false;
    const { dir: _dir, ...stored } = index;
    writeFileSync(join(dir, COMPILED_INDEX), `${JSON.stringify({ ...stored, files: this.recordedInputs() }, null, 1)}\n`);
    return true;
  }

  /**
   * The compiled module a kind goes to: every built-in kind with a pod template in `workloads`
   * (they all reference PodSpec, the largest definition: one module holds its code once, where
   * a module per kind would repeat it), every other kind alone (its versions, and its list kind,
   * together), so a run loads the code of the kinds it meets and not of their whole API group
   * (the `core` group was 620 KB for a tree of Namespaces and Services).
   */
  private moduleOf(k: string, from: string, memo: Map<string, boolean>): string {
    const [apiVersion, kind] = k.split('|');
    if (from.startsWith('k8s:') && this.references(from.slice(4), POD_SPEC, memo)) return 'workloads';
    // a list kind goes with the kind of its items (it references their schema: emitted once)
    const item = kind.endsWith('List') ? kind.slice(0, -'List'.length) : kind;
    const moduleKind = item !== kind && [...this.schemas.keys()].some((other) => other.endsWith(`|${item}`) && groupOf(other.split('|')[0]) === groupOf(apiVersion)) ? item : kind;
    return `${groupOf(apiVersion) || 'core'}-${moduleKind.toLowerCase()}`;
  }

  /** Whether definition `name` references `target` (directly or through other definitions). */
  private references(name: string, target: string, memo: Map<string, boolean>, visiting = new Set<string>()): boolean {
    if (name === target) return true;
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return false;
    visiting.add(name);
    const refs = JSON.stringify(this.kubernetesDefinitions[name] ?? {}).match(/"\$ref":"#\/definitions\/[^"]+"/g) ?? [];
    const found = refs.some((ref) => this.references(ref.slice('"$ref":"#/definitions/'.length, -1), target, memo, visiting));
    memo.set(name, found);
    return found;
  }

  private newAjv(source: boolean): Ajv {
    const ajv = newAjvInstance({
      allErrors: true,
      verbose: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
      strictTuples: false,
      allowUnionTypes: true,
      // The meta-schema check of 570 definitions costs more than it catches: the strict schemas
      // are produced by tested code, and compiling them fails on any unknown keyword anyway.
      validateSchema: false,
      ...(source ? { code: { source: true } } : {}),
    });
    // ajv-formats is CommonJS with `exports.default`
    const plugin = require('ajv-formats') as AddFormats & { default?: AddFormats };
    (plugin.default ?? plugin)(ajv, [...CHECKED_FORMATS]);
    ajv.addSchema({ $id: K8S_ID, definitions: strictDefinitions(this.kubernetesDefinitions, (ref) => ref) });
    return ajv;
  }

  /** The run-time compiler, created when the first kind without a precompiled validator is met. */
  private get ajv(): Ajv {
    this.ajvInstance ??= this.newAjv(false);
    return this.ajvInstance;
  }

  /** Every apiVersion/kind this validator knows. */
  kinds(): KindSchema[] {
    return [...this.schemas.values()].map((s) => s.info);
  }

  /** The schema entry for an apiVersion/kind, or undefined. */
  lookup(apiVersion: string, kind: string): KindSchema | undefined {
    return this.schemas.get(key(apiVersion, kind))?.info;
  }

  /** Validates one manifest; an empty array means valid. Unknown apiVersion/kind is an issue. */
  validate(manifest: unknown): SchemaIssue[] {
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      return [{ path: '', message: `a Kubernetes object must be a mapping, got ${describe(manifest)}` }];
    }
    const { apiVersion, kind } = manifest as { apiVersion?: unknown; kind?: unknown };
    const issues: SchemaIssue[] = [];
    if (typeof apiVersion !== 'string' || apiVersion === '') issues.push({ path: '/apiVersion', message: `apiVersion must be a non-empty string, got ${describe(apiVersion)}` });
    if (typeof kind !== 'string' || kind === '') issues.push({ path: '/kind', message: `kind must be a non-empty string, got ${describe(kind)}` });
    if (issues.length > 0) return issues;
    const validate = this.validatorFor(apiVersion as string, kind as string);
    if (!validate) {
      return [{
        path: '',
        message: `unknown apiVersion/kind ${apiVersion as string}/${kind as string}: not in the Kubernetes 1.28 schema or the vendored CRDs (${this.crdSummary()})`,
      }];
    }
    if (validate(manifest)) return [];
    const slots = secretSlots(manifest);
    return toIssues(validate.errors ?? [], (pointer) => isSecretPointer(slots, pointer));
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const k = key(apiVersion, kind);
    const cached = this.compiled.get(k);
    if (cached) return cached;
    const entry = this.schemas.get(k);
    if (!entry) return undefined;
    const location = this.runtimeOnly.has(k) ? undefined : this.precompiled?.kinds[k];
    const [file, name] = location?.split('#') ?? [];
    const validate = file && name ? (loadCodeCachedModule(join(this.precompiled!.dir, file)).exports as Record<string, ValidateFunction>)[name] : this.ajv.compile(entry.schema());
    this.compiled.set(k, validate);
    return validate;
  }

  private crdSummary(): string {
    const groups = new Set([...this.schemas.values()].filter((s) => s.info.source !== 'kubernetes').map((s) => s.info.apiVersion.split('/')[0]));
    return `CRD groups: ${[...groups].sort().join(', ')}`;
  }

  private loadKubernetes(): void {
    for (const [name, definition] of Object.entries(this.kubernetesDefinitions)) {
      const gvks = definition['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
      if (!gvks || !(definition.properties as SchemaNode | undefined)?.metadata) continue;
      for (const gvk of gvks) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        const k = key(apiVersion, gvk.kind);
        // DeleteOptions, WatchEvent and friends list every group; the first mapping wins.
        if (this.schemas.has(k)) continue;
        const info: KindSchema = { apiVersion, kind: gvk.kind, source: 'kubernetes', namespaced: BUILT_IN_CLUSTER_SCOPED_KINDS.has(gvk.kind) ? false : NAMESPACED_UNKNOWN.has(gvk.kind) ? undefined : true };
        const from = `k8s:${name}`;
        this.schemas.set(k, { info, from, schema: this.schemaFrom(from, info) });
      }
    }
  }

  private loadCrds(): void {
    for (const { name } of this.inputFiles) {
      if (!name.startsWith(CRD_INPUT_PREFIX)) continue;
      const file = name.slice(CRD_INPUT_PREFIX.length);
      const crd = this.crd(file);
      for (const [version, openApi] of Object.entries(crd.versions)) this.addCrdVersion(crd.group, crd.kind, crd.scope, version, openApi, crd.source, `crd:${file}:${version}`);
    }
  }

  /**
   * `vendored`: the origin (`crd:<file>:<version>`) of one of the CRDs this package ships (its
   * validator may be precompiled); a CRD read from the checked tree or `--crds` (no origin)
   * replaces it and is always compiled at run time.
   */
  private addCrdVersion(group: string, kind: string, scope: 'Namespaced' | 'Cluster', version: string, openApi: SchemaNode, source: string, vendored?: string): void {
    const apiVersion = `${group}/${version}`;
    const k = key(apiVersion, kind);
    this.compiled.delete(k);
    if (!vendored) this.runtimeOnly.add(k);
    this.schemas.set(k, { info: { apiVersion, kind, source, namespaced: scope === 'Namespaced' }, from: vendored ?? `runtime:${source}`, schema: () => crdVersionSchema(openApi, apiVersion, kind) });
  }

  /**
   * Makes a CustomResourceDefinition (apiextensions.k8s.io/v1, e.g. one found in the checked tree
   * or in a `--crds` directory) a schema source: each served version's `openAPIV3Schema` becomes a
   * strict validator, as for the vendored CRDs; a served version without a schema accepts any
   * fields. `source` names where it came from (shown by {@link lookup}).
   * @returns why the CRD cannot be used (not v1, no group/kind/versions); empty when it was added.
   */
  addCustomResourceDefinition(crd: unknown, source: string): string[] {
    const c = crd as { apiVersion?: unknown; spec?: { group?: unknown; scope?: unknown; names?: { kind?: unknown }; versions?: unknown } } | null;
    if (c?.apiVersion !== 'apiextensions.k8s.io/v1') return [`only apiextensions.k8s.io/v1 CustomResourceDefinitions are read, got ${describe(c?.apiVersion)}`];
    const spec = c.spec;
    const group = spec?.group;
    const kind = spec?.names?.kind;
    if (typeof group !== 'string' || group === '' || typeof kind !== 'string' || kind === '') return ['spec.group and spec.names.kind must be non-empty strings'];
    if (!Array.isArray(spec?.versions)) return ['spec.versions must be a list'];
    const scope = spec?.scope === 'Cluster' ? 'Cluster' : 'Namespaced';
    for (const v of spec.versions as { name?: unknown; served?: unknown; schema?: { openAPIV3Schema?: unknown } }[]) {
      if (typeof v?.name !== 'string' || v.served === false) continue;
      const openApi = v.schema?.openAPIV3Schema;
      this.addCrdVersion(group, kind, scope, v.name, openApi && typeof openApi === 'object' ? (openApi as SchemaNode) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, source);
    }
    return [];
  }

  /** Whether the API group is one of Kubernetes' own (served by the 1.28 definitions, or a legacy group without a dot such as `extensions`). */
  isBuiltInGroup(group: string): boolean {
    if (!group.includes('.')) return true;
    for (const s of this.schemas.values()) if (s.info.source === 'kubernetes' && s.info.apiVersion.startsWith(`${group}/`)) return true;
    return false;
  }

  /** Whether some version of this group and kind is known (the apiVersion may still be unserved). */
  knowsKind(group: string, kind: string): boolean {
    for (const s of this.schemas.values()) if (s.info.kind === kind && groupOf(s.info.apiVersion) === group) return true;
    return false;
  }
}

/** The API group of an apiVersion (`''` for the core group `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** The index of a compiled directory (its `inputs` not yet compared with anything); undefined when missing. */
function readCompiledIndex(dir: string | URL): (CompiledIndex & { dir: string }) | undefined {
  const path = pathOf(dir);
  const indexFile = join(path, COMPILED_INDEX);
  if (!existsSync(indexFile)) return undefined;
  return { ...(JSON.parse(readFileSync(indexFile, 'utf8')) as CompiledIndex), dir: path };
}

function pathOf(location: string | URL): string {
  return typeof location === 'string' ? location : fileURLToPath(location);
}

const KUBERNETES_INPUT = 'kubernetes';
const CRD_INPUT_PREFIX = 'crd:';

/**
 * The files the generated code depends on, in hash order: this module's and strict's code, the
 * Kubernetes definitions and every CRD file (sorted), each named independently of where it is.
 */
function inputSources(options: SchemaValidatorOptions): { readonly name: string; readonly path: string }[] {
  const here = fileURLToPath(import.meta.url);
  const crdDir = pathOf(options.crdDirectory ?? CRD_DIR);
  return [
    { name: 'validator', path: here },
    { name: 'strict', path: here.replace(/validator\.([cm]?[jt]s)$/, 'strict.$1') },
    { name: KUBERNETES_INPUT, path: pathOf(options.kubernetesDefinitions ?? KUBERNETES_DEFINITIONS) },
    ...readdirSync(crdDir).filter((f) => f.endsWith('.json')).sort().map((file) => ({ name: `${CRD_INPUT_PREFIX}${file}`, path: join(crdDir, file) })),
  ];
}

/** The input hash: the ajv version and each input's name and content digest. */
function inputHashOf(files: readonly InputFile[]): string {
  const hash = createHash('sha256').update(`ajv ${(require('ajv/package.json') as { version: string }).version}\n`);
  for (const f of files) hash.update(`${f.name}\n${f.digest}\n`);
  return hash.digest('hex');
}

/** The strict schema of one version of a CRD: its openAPIV3Schema with apiVersion, kind and metadata pinned. */
function crdVersionSchema(openApi: SchemaNode, apiVersion: string, kind: string): SchemaNode {
  const strict = strictSchema(openApi);
  const properties = { ...(strict.properties as Record<string, SchemaNode> | undefined) };
  properties.apiVersion = { type: 'string', enum: [apiVersion] };
  properties.kind = { type: 'string', enum: [kind] };
  properties.metadata = { $ref: OBJECT_META };
  return { ...strict, properties, additionalProperties: openApi['x-kubernetes-preserve-unknown-fields'] === true };
}

/**
 * An object to run a kind's validator on once when its code cache is made: the fields most
 * manifests have (metadata, and a pod template with one container for the kinds that have one),
 * so the code validating them is in the cache. Whether it is valid does not matter.
 */
function sampleObject(apiVersion: string, kind: string): unknown {
  const labels = { 'app.kubernetes.io/name': 'sample' };
  const pod = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'main', image: 'registry.example/sample:1', ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'A', value: 'b' }],
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } },
      readinessProbe: { httpGet: { path: '/', port: 'http' } }, livenessProbe: { tcpSocket: { port: 'http' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    }],
    volumes: [{ name: 'data', emptyDir: {} }],
  };
  const template = { metadata: { labels }, spec: pod };
  return {
    apiVersion, kind, metadata: { name: 'sample', namespace: 'sample', labels, annotations: { note: 'sample' } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template, jobTemplate: { spec: { template } }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    data: { key: 'value' },
  };
}

/** Kinds whose scope does not matter for manifests (API-only types). */
const NAMESPACED_UNKNOWN = new Set(['DeleteOptions', 'WatchEvent', 'Status', 'APIGroup', 'APIResourceList', 'APIVersions', 'APIGroupList']);

function key(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string' && secretsInText(value).length > 0) return 'a value that contains a credential (hidden)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Maps ajv errors to readable issues; combinator noise is collapsed into one issue. A value whose
 * pointer `isSecret` is never quoted (`, got "x"` becomes ` (value hidden)`).
 */
export function toIssues(errors: ErrorObject[], isSecret: (pointer: string) => boolean = () => false): SchemaIssue[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  const push = (path: string, message: string) => {
    const k = `${path}\0${message}`;
    if (seen.has(k)) return;
    seen.add(k);
    issues.push({ path, message });
  };
  for (const error of errors) {
    const parent = combinators.find((c) => c !== error && error.schemaPath.startsWith(`${c.schemaPath}/`));
    if (parent) continue;
    const path = error.instancePath;
    const params = error.params as Record<string, unknown>;
    const got = (data: unknown) => (isSecret(path) ? ' (value hidden)' : `, got ${describe(data)}`);
    switch (error.keyword) {
      case 'additionalProperties':
        push(`${path}/${escapePointer(String(params.additionalProperty))}`, `unknown field "${String(params.additionalProperty)}"`);
        break;
      case 'required':
        push(`${path}/${escapePointer(String(params.missingProperty))}`, `required field "${String(params.missingProperty)}" is missing`);
        break;
      case 'type':
        push(path, `must be ${String(params.type).replace(/,/g, ' or ')}${got(error.data)}`);
        break;
      case 'enum':
        push(path, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got(error.data)}`);
        break;
      case 'not':
        push(path, error.data === null ? 'must not be null' : `${error.message ?? 'is not allowed'}${got(error.data)}`);
        break;
      case 'anyOf':
      case 'oneOf': {
        const first = errors.find((e) => e !== error && e.schemaPath.startsWith(`${error.schemaPath}/`) && e.keyword !== 'type');
        push(path, `does not match any allowed form${first ? ` (${first.instancePath === path ? '' : `${first.instancePath}: `}${first.message})` : ''}${got(error.data)}`);
        break;
      }
      default:
        push(path, `${error.message ?? error.keyword}${got(error.data)}`);
    }
  }
  return issues;
}

let shared: SchemaValidator | undefined;

/** The process-wide validator over the vendored schemas (created on first use). */
export function defaultSchemaValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}

/** Validates one manifest against the vendored schemas; an empty array means valid. */
export function validateManifest(manifest: unknown): SchemaIssue[] {
  return defaultSchemaValidator().validate(manifest);
}
