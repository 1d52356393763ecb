import type { SchemaValidator } from '../schema/index.js';
import type { PolicyDefinition } from './definition.js';
import type { LoadedManifests, ManifestObject, SourceDocument } from './loader.js';
import type { ObjectIndex } from './object-index.js';
import type { ResourceRef } from './types.js';

/** What a cross-resource rule sees and how it reports. */
export interface RuleContext {
  /** Every object, indexed by kind/namespace/name and pod templates by label. */
  readonly index: ObjectIndex;
  /** The policy that named this rule (id, severity, message, parameters). */
  readonly policy: PolicyDefinition;
  /** `policy.parameters` (empty object when absent). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The target Kubernetes version, e.g. `1.28`. */
  readonly targetVersion: string;
  /** Everything the loader read, including documents that are not objects. */
  readonly loaded: LoadedManifests;
  /** The strict schema validator. */
  readonly schemas: SchemaValidator;
  /** Ids of every known policy (for exemption checks). */
  readonly policyIds: ReadonlySet<string>;
  /** Directories to resolve repository paths against (Flux `spec.path`). */
  readonly roots: readonly string[];
  /** Records that `object` satisfies the rule. */
  pass(object: ManifestObject): void;
  /** Records a violation on `object`; `field` is a JSON pointer into it (used for the source line). */
  fail(object: ManifestObject, message: string, field?: string): void;
  /**
   * Records a finding at a lower severity than the policy's (`warning` or `info`): for what the rule
   * cannot decide offline (an ExternalArtifact path, a kind without schema). Never fails at the
   * default `--severity error`.
   */
  note(object: ManifestObject, severity: 'warning' | 'info', message: string, field?: string): void;
  /** {@link note} on a document that is not a usable object (e.g. a file no kustomize build includes). */
  noteDocument(source: SourceDocument, resource: ResourceRef, severity: 'warning' | 'info', message: string): void;
  /** Records a violation on a document that is not a usable object (loader findings). */
  failDocument(source: SourceDocument, resource: ResourceRef, message: string): void;
}

/**
 * A rule implemented in TypeScript, named by `rule:` in a policy.yaml. It gets the whole input
 * once and must use the index (never compare all pairs); it reports `pass` or `fail` for every
 * object it checks and nothing for objects it does not apply to.
 */
export interface CrossResourceRule {
  readonly name: string;
  evaluate(context: RuleContext): void;
}

const rules = new Map<string, CrossResourceRule>();

/**
 * Makes a rule available to policies that name it (`rule: <name>`). Registering the same name
 * twice with a different object is an error.
 */
export function registerCrossResourceRule(rule: CrossResourceRule): void {
  const existing = rules.get(rule.name);
  if (existing && existing !== rule) throw new Error(`a cross-resource rule named '${rule.name}' is already registered`);
  rules.set(rule.name, rule);
}

/** The registered rule with this name, if any. */
export function crossResourceRule(name: string): CrossResourceRule | undefined {
  return rules.get(name);
}

/** Names of all registered rules. */
export function crossResourceRuleNames(): string[] {
  return [...rules.keys()].sort();
}

/**
 * Resolves a policy's rule: the registry first; otherwise imports `policy.module` (relative to
 * the package's src/ or lib/ directory) and takes an exported rule with the right name (or one
 * the module registered while loading).
 */
export async function resolveCrossResourceRule(policy: PolicyDefinition, file: string): Promise<CrossResourceRule> {
  const name = policy.rule as string;
  let rule = rules.get(name);
  if (!rule && policy.module) {
    const specifier = `../${policy.module.replace(/^\.\//, '').replace(/\.ts$/, '.js')}`;
    let exports: Record<string, unknown>;
    try {
      exports = (await import(specifier)) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${file}: cannot load module '${policy.module}' for rule '${name}': ${(error as Error).message}`);
    }
    for (const value of Object.values(exports)) {
      if (isRule(value) && value.name === name) registerCrossResourceRule(value);
    }
    rule = rules.get(name);
  }
  if (!rule) {
    throw new Error(`${file}: rule '${name}' is not registered (registered: ${crossResourceRuleNames().join(', ')})${policy.module ? ` and module '${policy.module}' does not export it` : '; add `module:` naming the module that exports it'}`);
  }
  return rule;
}

function isRule(value: unknown): value is CrossResourceRule {
  return !!value && typeof value === 'object' && typeof (value as CrossResourceRule).name === 'string' && typeof (value as CrossResourceRule).evaluate === 'function';
}
