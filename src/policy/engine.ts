import type { ValidateFunction } from 'ajv';
import { defaultSchemaValidator, SchemaValidator } from '../schema/index.js';
import { loadPolicySet, versionNumber, DEFAULT_POLICIES_DIR, type ContainerType, type LoadedPolicy, type PolicyDefinition } from './definition.js';
import { exemptionsOf } from './exemptions.js';
import { followKustomizations } from './kustomize-build.js';
import { loadManifests, type LoadedManifests, type ManifestLoadError, type ManifestObject, type SourceDocument } from './loader.js';
import { PolicySchemaCompiler } from './policy-validators.js';
import { ObjectIndex, POD_KINDS, type PodTemplate } from './object-index.js';
import { decodePointer, encodePointer, SourcePositions } from './positions.js';
import { resolveCrossResourceRule, type CrossResourceRule, type RuleContext } from './registry.js';
import { registerBuiltinRules } from './rules/index.js';
import { atLeast, type PolicyResult, type ResourceRef, type ResultSummary, type Severity } from './types.js';

/** Options of {@link runCheck} and {@link PolicyGate}. */
export interface GateOptions {
  /**
   * Directory of policy folders.
   * @default the package's policies/
   */
  readonly policiesDir?: string;
  /**
   * Kubernetes / Pod Security Standards version the rules evaluate for.
   * @default '1.28'
   */
  readonly targetVersion?: string;
  /**
   * Optional rules (`enabled: false`) to turn on, by id.
   * @default []
   */
  readonly enable?: readonly string[];
  /**
   * Rules to turn off, by id.
   * @default []
   */
  readonly disable?: readonly string[];
  /**
   * Only these rules, by id (for policy tests).
   * @default all enabled rules
   */
  readonly only?: readonly string[];
  /**
   * Files or directories of CustomResourceDefinitions (apiextensions.k8s.io/v1) whose schemas
   * validate custom resources, in addition to the vendored CRDs and the CRDs in the checked tree
   * (`--crds DIR`).
   * @default []
   */
  readonly crds?: readonly string[];
  /**
   * Directory of policy schemas compiled ahead of time (`npm run build`); a schema whose content
   * key is not there (a changed or a user's policy) is compiled at run time and listed in
   * {@link CheckReport.runtimeCompiledPolicies}. `false` compiles every schema at run time.
   * @default lib/policy/compiled
   */
  readonly compiledPolicies?: string | false;
}

/** Options of {@link runCheck}. */
export interface CheckOptions extends GateOptions {
  /** Files or directories of YAML. @default ['dist'] */
  readonly paths?: readonly string[];
  /** Already-loaded manifests (instead of `paths`). */
  readonly manifests?: LoadedManifests;
  /** Lowest severity that fails the check. @default 'error' */
  readonly severity?: Severity;
  /** Honour exemption annotations. @default true */
  readonly exemptions?: boolean;
  /** Include `pass` results in `results`. @default false */
  readonly includePasses?: boolean;
  /**
   * Report every unusable file (malformed YAML, aliases, too large) as a `manifest-structure`
   * failure and check the rest of the tree, instead of throwing on the first one; the report's
   * `loadErrors` lists them (the CLI writes the report, then exits 2).
   * @default false
   */
  readonly collectLoadErrors?: boolean;
}

/** What {@link runCheck} returns. */
export interface CheckReport {
  /** Counts over every evaluated result (passes included). */
  readonly summary: ResultSummary;
  /** Non-passing results (and passes with `includePasses`), sorted by file, line, policy. */
  readonly results: PolicyResult[];
  /** Whether anything at or above `severity` failed (the CLI exits 1). */
  readonly failed: boolean;
  /** The policies that were evaluated. */
  readonly policies: readonly PolicyDefinition[];
  /** Target version used. */
  readonly targetVersion: string;
  /** Files that could not be loaded (only with `collectLoadErrors`). */
  readonly loadErrors: readonly ManifestLoadError[];
  /**
   * Ids of schema policies compiled at run time because their schema's content key is not in the
   * ahead-of-time compiled directory (a changed policies/ file before `npm run build`, a user's
   * `--policies` directory); empty when every schema came precompiled.
   */
  readonly runtimeCompiledPolicies: readonly string[];
}

interface Finding {
  readonly policy: PolicyDefinition;
  readonly source: SourceDocument;
  readonly resource: ResourceRef;
  readonly passed: boolean;
  readonly message: string;
  readonly field?: string;
  readonly exemptions?: Map<string, string>;
  /** Overrides the policy's severity (RuleContext.note). */
  readonly severity?: Severity;
}

interface CompiledSchemaPolicy {
  readonly kind: 'schema';
  readonly loaded: LoadedPolicy;
  readonly kinds: ReadonlySet<string> | undefined;
  readonly when?: ValidateFunction;
  readonly check: ValidateFunction;
}

interface CompiledRulePolicy {
  readonly kind: 'rule';
  readonly loaded: LoadedPolicy;
  readonly rule: CrossResourceRule;
}

type CompiledPolicy = CompiledSchemaPolicy | CompiledRulePolicy;

const CONTAINER_TYPES: readonly ContainerType[] = ['initContainers', 'containers', 'ephemeralContainers'];

/**
 * The policy gate: policies loaded and compiled once (every JSON Schema compiled a single time
 * with ajv), then evaluated over any number of manifest sets.
 */
export class PolicyGate {
  readonly targetVersion: string;
  private compiled: CompiledPolicy[] | undefined;
  private readonly runtimeCompiled: string[] = [];
  private readonly allPolicies: LoadedPolicy[];
  private readonly selected: LoadedPolicy[];
  private readonly compiler: PolicySchemaCompiler;
  private readonly schemas: SchemaValidator;
  private readonly extraCrds: readonly ManifestObject[];

  constructor(options: GateOptions = {}) {
    this.targetVersion = options.targetVersion ?? '1.28';
    const target = versionNumber(this.targetVersion);
    const set = loadPolicySet(options.policiesDir ?? DEFAULT_POLICIES_DIR);
    this.allPolicies = [...set.policies];
    const ids = new Set(this.allPolicies.map((p) => p.definition.id));
    for (const id of [...(options.enable ?? []), ...(options.disable ?? []), ...(options.only ?? [])]) {
      if (!ids.has(id)) throw new Error(`unknown rule id '${id}' (known: ${[...ids].join(', ')})`);
    }
    this.selected = this.allPolicies.filter(({ definition: d }) => {
      if (d.since !== undefined && versionNumber(d.since) > target) return false;
      if (options.only) return options.only.includes(d.id);
      if (options.disable?.includes(d.id)) return false;
      return d.enabled !== false || (options.enable?.includes(d.id) ?? false);
    });
    this.compiler = new PolicySchemaCompiler(set.libraries, { compiledDirectory: options.compiledPolicies });
    this.schemas = defaultSchemaValidator();
    this.extraCrds = (options.crds ?? []).flatMap((path) => {
      const crds = loadManifests([path]).objects.filter(isCrd);
      // a path that holds none is a mistake (a wrong file), not a silent no-op
      if (crds.length === 0) throw new Error(`--crds ${path}: holds no CustomResourceDefinition (apiextensions.k8s.io/v1); give the file or directory of the CRDs the tree's custom resources use`);
      return crds;
    });
    registerBuiltinRules();
  }

  /** The policies this gate evaluates. */
  policies(): PolicyDefinition[] {
    return this.selected.map((p) => p.definition);
  }

  /** Every policy in the directory, selected or not. */
  knownPolicies(): PolicyDefinition[] {
    return this.allPolicies.map((p) => p.definition);
  }

  private async compile(): Promise<CompiledPolicy[]> {
    if (this.compiled) return this.compiled;
    const target = versionNumber(this.targetVersion);
    const out: CompiledPolicy[] = [];
    // one set per distinct list of kinds (most pod policies share POD_KINDS), so evaluation lists
    // each set's objects once
    const sets = new Map<string, ReadonlySet<string>>();
    const kindSets = {
      of: (kinds: readonly string[]): ReadonlySet<string> => {
        const key = [...kinds].sort().join('\0');
        let set = sets.get(key);
        if (!set) sets.set(key, (set = new Set(kinds)));
        return set;
      },
    };
    for (const loaded of this.selected) {
      const d = loaded.definition;
      if (d.rule) {
        out.push({ kind: 'rule', loaded, rule: await resolveCrossResourceRule(d, loaded.file) });
        continue;
      }
      let schema = d.schema;
      if (d.versions) {
        const applicable = d.versions.filter((v) => versionNumber(v.since) <= target).sort((a, b) => versionNumber(b.since) - versionNumber(a.since));
        if (applicable.length === 0) continue;
        schema = applicable[0].schema;
      }
      try {
        const kinds = d.match?.kinds ?? (d.target === 'pod' || d.target === 'container' ? POD_KINDS : undefined);
        const before = this.compiler.runtimeCompiled;
        out.push({
          kind: 'schema',
          loaded,
          kinds: kinds ? kindSets.of(kinds) : undefined,
          when: d.when === undefined ? undefined : this.compiler.compile(d.when as object),
          check: this.compiler.compile(schema as object),
        });
        if (this.compiler.runtimeCompiled > before) this.runtimeCompiled.push(d.id);
      } catch (error) {
        throw new Error(`${loaded.file}: schema does not compile: ${(error as Error).message}`);
      }
    }
    this.compiled = out;
    return out;
  }

  /** Evaluates every selected policy over `manifests`. */
  async evaluate(manifests: LoadedManifests, options: Pick<CheckOptions, 'severity' | 'exemptions' | 'includePasses'> = {}): Promise<CheckReport> {
    const compiled = await this.compile();
    manifests = followKustomizations(manifests);
    const schemas = this.schemasFor(manifests);
    const index = new ObjectIndex(manifests.objects);
    const findings: Finding[] = [];
    const exemptionCache = new Map<ManifestObject, Map<string, string>>();
    const exemptionsFor = (entry: ManifestObject) => {
      let e = exemptionCache.get(entry);
      if (!e) exemptionCache.set(entry, (e = exemptionsOf(entry.object)));
      return e;
    };
    const keepPasses = options.includePasses ?? false;
    let passes = 0;
    // one reference per object, shared by all its results
    const refs = new Map<ManifestObject, ResourceRef>();
    const refFor = (entry: ManifestObject) => {
      let r = refs.get(entry);
      if (!r) refs.set(entry, (r = refOf(entry)));
      return r;
    };
    const policyIds = new Set(this.allPolicies.map((p) => p.definition.id));
    // the objects of each kind set policies match (most share POD_KINDS), in input order, listed once
    const byKinds = new Map<ReadonlySet<string>, readonly ManifestObject[]>();
    const objectsOf = (kinds: ReadonlySet<string> | undefined): readonly ManifestObject[] => {
      if (!kinds) return manifests.objects;
      if (kinds.size === 1) return index.ofKind(kinds.values().next().value as string); // the index's list, in input order: no copy
      let list = byKinds.get(kinds);
      if (!list) byKinds.set(kinds, (list = manifests.objects.filter((entry) => kinds.has(entry.object.kind))));
      return list;
    };
    for (const policy of compiled) {
      const d = policy.loaded.definition;
      if (policy.kind === 'schema') {
        const sink: SchemaResultSink = {
          // a reference is made (and kept) only for an object with a listed result: at 10^6
          // objects one per object would be a large share of check's memory; passes are only
          // counted unless listed, and exemptions only matter for failures
          pass: (entry) => {
            if (keepPasses) findings.push({ policy: d, source: entry.source, resource: refFor(entry), passed: true, message: '' });
            else passes++;
          },
          fail: (entry, message, field) => findings.push({ policy: d, source: entry.source, resource: refFor(entry), passed: false, message, field, exemptions: exemptionsFor(entry) }),
        };
        for (const entry of objectsOf(policy.kinds)) evaluateSchemaPolicy(policy, entry, index, sink);
        continue;
      }
      const context: RuleContext = {
        index,
        policy: d,
        parameters: d.parameters ?? {},
        targetVersion: this.targetVersion,
        loaded: manifests,
        schemas,
        policyIds,
        roots: manifests.roots,
        pass: (entry) => {
          if (keepPasses) findings.push({ policy: d, source: entry.source, resource: refFor(entry), passed: true, message: '' });
          else passes++;
        },
        fail: (entry, message, field) => findings.push({ policy: d, source: entry.source, resource: refFor(entry), passed: false, message, field, exemptions: exemptionsFor(entry) }),
        note: (entry, severity, message, field) => findings.push({ policy: d, source: entry.source, resource: refFor(entry), passed: false, message, field, severity, exemptions: exemptionsFor(entry) }),
        noteDocument: (source, resource, severity, message) => findings.push({ policy: d, source, resource, passed: false, message, severity }),
        failDocument: (source, resource, message) => findings.push({ policy: d, source, resource, passed: false, message }),
      };
      policy.rule.evaluate(context);
    }
    return this.report(findings, options, passes, manifests.malformed ?? []);
  }

  /**
   * The shared validator, or (when the tree or `crds` hold CustomResourceDefinitions) a validator
   * that also knows those CRDs' served versions.
   */
  private schemasFor(manifests: LoadedManifests): SchemaValidator {
    const crds = [...this.extraCrds, ...manifests.objects.filter(isCrd)];
    if (crds.length === 0) return this.schemas;
    const schemas = new SchemaValidator();
    for (const crd of crds) schemas.addCustomResourceDefinition(crd.object, crd.source.file);
    return schemas;
  }

  /** `countedPasses`: passes counted without a finding (when they are not listed). */
  private report(findings: Finding[], options: Pick<CheckOptions, 'severity' | 'exemptions' | 'includePasses'>, countedPasses: number, loadErrors: readonly ManifestLoadError[]): CheckReport {
    const threshold = options.severity ?? 'error';
    const honourExemptions = options.exemptions ?? true;
    const positions = new SourcePositions();
    const summary: ResultSummary = { pass: countedPasses, fail: 0, warn: 0, skip: 0 };
    const results: PolicyResult[] = [];
    let failed = false;
    for (const f of findings) {
      const severity = f.severity ?? f.policy.severity;
      const base = { policy: f.policy.id, severity, message: f.message, resource: f.resource, file: f.source.file };
      if (f.passed) {
        summary.pass++;
        if (options.includePasses) results.push({ ...base, result: 'pass', message: f.policy.title, line: f.source.line });
        continue;
      }
      const line = positions.lineOf(f.source, f.field);
      const field = f.field ? { field: f.field } : {};
      const reason = f.policy.id === 'exemption-valid' ? undefined : f.exemptions?.get(f.policy.id);
      if (honourExemptions && reason) {
        summary.skip++;
        results.push({ ...base, ...field, result: 'skip', line, exemption: { reason } });
        continue;
      }
      const result = severity === 'error' ? 'fail' : 'warn';
      summary[result]++;
      if (atLeast(severity, threshold)) failed = true;
      results.push({ ...base, ...field, result, line });
    }
    results.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0)));
    return { summary, results, failed, policies: this.policies(), targetVersion: this.targetVersion, loadErrors, runtimeCompiledPolicies: [...this.runtimeCompiled] };
  }
}

function isCrd(entry: ManifestObject): boolean {
  return entry.object.kind === 'CustomResourceDefinition' && entry.object.apiVersion === 'apiextensions.k8s.io/v1';
}

/** The resource reference of an object. */
export function refOf(entry: ManifestObject): ResourceRef {
  const { apiVersion, kind, metadata } = entry.object;
  return { apiVersion, kind, ...(metadata.namespace ? { namespace: metadata.namespace } : {}), name: metadata.name };
}

/** Where a schema policy's results go (the gate counts or lists passes, keeps failures). */
interface SchemaResultSink {
  pass(entry: ManifestObject): void;
  fail(entry: ManifestObject, message: string, field: string | undefined): void;
}

/** Evaluates a schema policy on one object: at most one pass, or one failure per failing target. */
function evaluateSchemaPolicy(policy: CompiledSchemaPolicy, entry: ManifestObject, index: ObjectIndex, sink: SchemaResultSink): void {
  const d = policy.loaded.definition;
  const target = d.target ?? 'object';
  if (target === 'object') {
    if (policy.when && !policy.when(entry.object)) return;
    if (policy.check(entry.object)) sink.pass(entry);
    else sink.fail(entry, fill(d.message, messageVars(entry)), errorPointer(policy.check, (p) => p));
    return;
  }
  const template = index.podTemplateOf(entry);
  if (!template) return;
  if (target === 'pod') {
    const document = { kind: entry.object.kind, metadata: template.metadata, spec: template.spec };
    if (policy.when && !policy.when(document)) return;
    if (policy.check(document)) sink.pass(entry);
    else sink.fail(entry, fill(d.message, messageVars(entry)), errorPointer(policy.check, (p) => mapPodPointer(p, template)));
    return;
  }
  let applicable = 0;
  let failed = 0;
  const pod = { metadata: template.metadata, spec: template.spec };
  for (const containerType of d.containerTypes ?? CONTAINER_TYPES) {
    const containers = template.spec[containerType];
    if (!Array.isArray(containers)) continue;
    for (let i = 0; i < containers.length; i++) {
      const container: unknown = containers[i];
      const document = { kind: entry.object.kind, containerType, container, pod };
      if (policy.when && !policy.when(document)) continue;
      applicable++;
      if (policy.check(document)) continue;
      failed++;
      const containerPath = `${template.specPath}/${containerType}/${i}`;
      const name = (container as { name?: unknown } | null)?.name;
      sink.fail(entry, fill(d.message, { ...messageVars(entry), container: typeof name === 'string' ? name : `#${i}`, containerType }), errorPointer(policy.check, (p) => mapContainerPointer(p, containerPath, template)));
    }
  }
  if (failed === 0 && applicable > 0) sink.pass(entry);
}

/** The message variables of an object (built only for failures). */
function messageVars(entry: ManifestObject): Record<string, string> {
  return { kind: entry.object.kind, name: entry.object.metadata.name, namespace: entry.object.metadata.namespace ?? '' };
}

function errorPointer(check: ValidateFunction, map: (pointer: string) => string): string | undefined {
  const error = check.errors?.[0];
  return error ? map(error.instancePath) : undefined;
}

function mapPodPointer(pointer: string, template: PodTemplate): string {
  const [first, ...rest] = decodePointer(pointer);
  if (first === 'spec') return template.specPath + encodePointer(rest);
  if (first === 'metadata') return template.metadataPath + encodePointer(rest);
  return template.specPath;
}

function mapContainerPointer(pointer: string, containerPath: string, template: PodTemplate): string {
  const [first, second, ...rest] = decodePointer(pointer);
  if (first === 'container') return containerPath + encodePointer(second === undefined ? [] : [second, ...rest]);
  if (first === 'pod') return mapPodPointer(encodePointer(second === undefined ? [] : [second, ...rest]), template);
  return containerPath;
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? vars[name] : whole));
}

/**
 * Loads manifests and runs the gate: the programmatic form of `lambda-gitops check`.
 * @throws ManifestLoadError on unusable input (malformed YAML, missing path, file too large).
 */
export async function runCheck(options: CheckOptions = {}): Promise<CheckReport> {
  const manifests = options.manifests ?? loadManifests(options.paths ?? ['dist'], { collectErrors: options.collectLoadErrors });
  return new PolicyGate(options).evaluate(manifests, options);
}
