import { relative, resolve } from 'node:path';
import { runCheck } from '../policy/index.js';
import { validateManifest } from '../schema/index.js';
import { TreeValidator } from './render-app.js';
import { TreeFile } from './tree-layout.js';
import { manifestsOfTree } from './tree-manifests.js';

/** Options of {@link defaultValidators}. */
export interface DefaultValidatorOptions {
  /**
   * Run the policy gate as well as schema validation.
   * @default true
   */
  readonly gate?: boolean;
  /**
   * Where the tree will be written; the gate sees files at their final paths (relative to the
   * working directory), so Flux Kustomization paths such as `./dist/apps` resolve.
   * @default 'dist'
   */
  readonly outdir?: string;
}

/** Strict schema validation of every object (Kubernetes 1.28 definitions and vendored CRDs). */
export const schemaValidator: TreeValidator = (files: TreeFile[]) => {
  const problems: string[] = [];
  for (const file of files) {
    if (!file.manifest) continue;
    const m = file.manifest;
    const id = `${m.kind} ${m.metadata?.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata?.name}`;
    for (const issue of validateManifest(m)) {
      problems.push(`${file.path}: ${id} (${file.constructPath}): ${issue.path || '/'}: ${issue.message}`);
    }
  }
  return problems;
};

/**
 * The policy gate (the same rules as `lambda-gitops check`) over the tree before it is written;
 * every failure at severity error is a problem naming the file, line, object and rule.
 * `skipSchemaRule` leaves out `schema-valid` when {@link schemaValidator} runs beside it (default false).
 */
export function policyGateValidator(outdir = 'dist', options: { readonly skipSchemaRule?: boolean } = {}): TreeValidator {
  return async (files: TreeFile[]) => {
    const prefix = relative(process.cwd(), resolve(outdir)) || '.';
    // the objects themselves, not a parse of the YAML just dumped from them
    const loaded = manifestsOfTree(files, prefix);
    // Flux paths resolve against the working directory (the repository), where the tree will live
    const manifests = { ...loaded, roots: [process.cwd()] };
    const report = await runCheck({ manifests, severity: 'error', ...(options.skipSchemaRule ? { disable: ['schema-valid'] } : {}) });
    return report.results
      .filter((r) => r.result === 'fail' && r.severity === 'error')
      .map((r) => `${r.file}${r.line ? `:${r.line}` : ''}: ${r.resource.kind} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}: ${r.policy}: ${r.message}`);
  };
}

/** The validators `synth` runs before it replaces the output directory: schemas, then the gate. */
export function defaultValidators(options: DefaultValidatorOptions = {}): TreeValidator[] {
  // schemaValidator already reports schema problems (with the construct path), so the gate's
  // schema-valid rule would validate every object a second time and repeat each message
  return options.gate === false ? [schemaValidator] : [schemaValidator, policyGateValidator(options.outdir, { skipSchemaRule: true })];
}
