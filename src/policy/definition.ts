import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import jsYaml from 'js-yaml';
import { policyDefinitionValidator, prevalidatedPolicyFiles } from './policy-validators.js';
import type { Severity } from './types.js';

/** Where a schema policy looks. */
export type PolicyTarget = 'object' | 'pod' | 'container';
export type ContainerType = 'initContainers' | 'containers' | 'ephemeralContainers';

/** A policy as written in `policies/<id>/policy.yaml` (see schemas/policy-definition.schema.json). */
export interface PolicyDefinition {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly remediation: string;
  readonly references?: readonly string[];
  /** @default true (false: optional, enabled with `--enable <id>`) */
  readonly enabled?: boolean;
  /** First target version the rule applies to (e.g. `1.23`). */
  readonly since?: string;
  readonly match?: { readonly kinds?: readonly string[] };
  /** @default 'object' */
  readonly target?: PolicyTarget;
  /** @default all three */
  readonly containerTypes?: readonly ContainerType[];
  /** Precondition: the rule applies only where this schema validates. */
  readonly when?: object | boolean;
  /** The check: passes where this schema validates. */
  readonly schema?: object | boolean;
  /** Version-specific checks: the entry with the highest `since` <= the target version is used. */
  readonly versions?: readonly { readonly since: string; readonly schema: object | boolean }[];
  /** Message for a failure; `{container}`, `{containerType}`, `{kind}`, `{name}`, `{namespace}` are filled in. */
  readonly message: string;
  /** Name of a cross-resource rule implemented in TypeScript. */
  readonly rule?: string;
  /** Module that exports or registers `rule`, relative to the package's src/ (or lib/) directory. */
  readonly module?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** A loaded policy with the folder it came from. */
export interface LoadedPolicy {
  readonly definition: PolicyDefinition;
  readonly directory: string;
  readonly file: string;
}

/** The policies shipped with the package. */
export const DEFAULT_POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/** A broken policy file. */
export class PolicyDefinitionError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'PolicyDefinitionError';
  }
}

/** Shared schema libraries: `policies/_lib/<name>.yaml`, referenced as `<name>#/definitions/...`. */
export interface PolicyLibrary {
  readonly id: string;
  readonly schema: Record<string, unknown>;
}

/** Everything under a policies directory. */
export interface PolicySet {
  readonly policies: readonly LoadedPolicy[];
  readonly libraries: readonly PolicyLibrary[];
}

let definitionValidator: ValidateFunction | undefined;

/**
 * Reads `<dir>/<id>/policy.yaml` (or `.json`) for every folder not starting with `_`, and
 * `<dir>/_lib/*.yaml` schema libraries. Each policy is validated against its schema and its `id`
 * must equal its folder name.
 * @throws PolicyDefinitionError naming the file and the problem.
 */
export function loadPolicySet(dir: string = DEFAULT_POLICIES_DIR): PolicySet {
  const prevalidated = prevalidatedPolicyFiles();
  const policies: LoadedPolicy[] = [];
  const libraries: PolicyLibrary[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const directory = join(dir, entry.name);
    if (entry.name === '_lib') {
      for (const file of readdirSync(directory).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        const schema = readPolicyFile(join(directory, file), prevalidated).value as Record<string, unknown>;
        libraries.push({ id: file.replace(/\.ya?ml$/, ''), schema });
      }
      continue;
    }
    if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
    const found = readFirstPolicyFile(['policy.yaml', 'policy.yml', 'policy.json'].map((f) => join(directory, f)), prevalidated);
    if (!found) throw new PolicyDefinitionError(directory, 'no policy.yaml in the policy folder');
    const { file, read } = found;
    const definition = read.value as PolicyDefinition;
    if (!read.prevalidated) {
      definitionValidator ??= policyDefinitionValidator();
      if (!definitionValidator(definition)) {
        const problems = (definitionValidator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        throw new PolicyDefinitionError(file, `not a valid policy definition: ${problems}`);
      }
    }
    if (definition.id !== entry.name) throw new PolicyDefinitionError(file, `id '${definition.id}' must equal the folder name '${entry.name}'`);
    policies.push({ definition, directory, file });
  }
  return { policies, libraries };
}

/**
 * The first of `files` that exists, read (one open per policy folder, no existence check before
 * it); undefined when none exists.
 */
function readFirstPolicyFile(files: readonly string[], prevalidated: { get(text: string): unknown }): { file: string; read: ReturnType<typeof readPolicyFile> } | undefined {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new PolicyDefinitionError(file, (error as Error).message);
    }
    return { file, read: valueOf(text, file, prevalidated) };
  }
  return undefined;
}

/**
 * A policy or library file's parsed value; `prevalidated` when the build parsed and validated the
 * same text (lib/policy/compiled/policy-files.json), which is then neither parsed nor validated again.
 */
function readPolicyFile(file: string, prevalidated: { get(text: string): unknown }): { value: unknown; prevalidated: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyDefinitionError(file, (error as Error).message);
  }
  return valueOf(text, file, prevalidated);
}

function valueOf(text: string, file: string, prevalidated: { get(text: string): unknown }): { value: unknown; prevalidated: boolean } {
  const known = prevalidated.get(text);
  if (known !== undefined) return { value: known, prevalidated: true };
  return { value: parsePolicyYaml(text, file), prevalidated: false };
}

/** Parses a policy or library file as the gate reads it (js-yaml core schema). */
export function parsePolicyYaml(text: string, file: string): unknown {
  try {
    return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file });
  } catch (error) {
    throw new PolicyDefinitionError(file, (error as Error).message);
  }
}

/** Parses `1.28` into a comparable number (major * 1000 + minor). */
export function versionNumber(version: string): number {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`not a Kubernetes version: '${version}' (expected e.g. 1.28)`);
  return Number(match[1]) * 1000 + Number(match[2]);
}
