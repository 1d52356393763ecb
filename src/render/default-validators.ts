import { relative, resolve } from 'node:path';
import { runCheck, type CheckReport } from '../policy/index.js';
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
  /**
   * Receives the gate's report (see {@link PolicyGateValidatorOptions.onReport}).
   * @default - none
   */
  readonly onGateReport?: PolicyGateValidatorOptions['onReport'];
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

/** Options of {@link policyGateValidator}. */
export interface PolicyGateValidatorOptions {
  /**
   * Leave out `schema-valid` because {@link schemaValidator} runs beside the gate.
   * @default false
   */
  readonly skipSchemaRule?: boolean;
  /**
   * Receives the gate's full report and the options it ran with (e.g. to hand the result to the
   * `cdk8s synth` validation plugin instead of evaluating the tree twice).
   * @default - none
   */
  readonly onReport?: (report: CheckReport, options: { severity: 'error'; disable: string[] }) => void;
}

/**
 * The policy gate (the same rules as `lambda-gitops check`) over the tree before it is written;
 * every failure at severity error is a problem naming the object's construct path, the rule and
 * the file and line it would have been written to (nothing is written when any problem is found).
 */
export function policyGateValidator(outdir = 'dist', options: PolicyGateValidatorOptions = {}): TreeValidator {
  return async (files: TreeFile[]) => {
    const prefix = relative(process.cwd(), resolve(outdir)) || '.';
    const constructPaths = new Map(files.map((f) => [`${prefix}/${f.path}`, f.constructPath]));
    // the objects themselves, not a parse of the YAML just dumped from them
    const loaded = manifestsOfTree(files, prefix);
    // Flux paths resolve against the working directory (the repository), where the tree will live
    const manifests = { ...loaded, roots: [process.cwd()] };
    const runOptions = { severity: 'error' as const, disable: options.skipSchemaRule ? ['schema-valid'] : [] };
    const report = await runCheck({ manifests, ...runOptions });
    options.onReport?.(report, runOptions);
    return report.results
      .filter((r) => r.result === 'fail' && r.severity === 'error')
      .map((r) => {
        const object = `${r.resource.kind} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`;
        const where = `${r.file}${r.line ? ` line ${r.line}` : ''}`;
        const constructPath = constructPaths.get(r.file);
        return constructPath
          ? `${constructPath}: ${object}: ${r.policy}: ${r.message} (would be ${where})`
          : `${where}: ${object}: ${r.policy}: ${r.message}`;
      });
  };
}

/** The validators `synth` runs before it replaces the output directory: schemas, then the gate. */
export function defaultValidators(options: DefaultValidatorOptions = {}): TreeValidator[] {
  // schemaValidator already reports schema problems (with the construct path), so the gate's
  // schema-valid rule would validate every object a second time and repeat each message
  return options.gate === false
    ? [schemaValidator]
    : [schemaValidator, policyGateValidator(options.outdir, { skipSchemaRule: true, onReport: options.onGateReport })];
}
