import { resolve } from 'node:path';
import { kubernetesShapeProblem, parseManifestText, type LoadedManifests } from '../policy/loader.js';
import type { KubeObject } from '../policy/types.js';
import type { TreeFile } from './tree-layout.js';

/**
 * The gate's view of a laid-out tree, built from the objects the renderer already holds instead
 * of parsing the YAML it just wrote: each file holds one object (its `content` is that object
 * dumped as YAML, kept as the source text for line numbers), named `<prefix>/<path>`. Only the
 * generated kustomization.yaml files, which carry no object, are parsed.
 */
export function manifestsOfTree(files: readonly TreeFile[], prefix: string): LoadedManifests {
  const result: LoadedManifests = { objects: [], problems: [], kustomizeFiles: [], files: [], roots: [] };
  for (const f of files) {
    const file = `${prefix}/${f.path}`;
    if (!f.manifest) {
      result.files.push(file);
      parseManifestText(f.content, file, resolve(file), result);
      continue;
    }
    result.files.push(file);
    const source = { file, absolutePath: resolve(file), index: 0, line: 1, text: f.content, textLine: 1 };
    const problem = kubernetesShapeProblem(f.manifest);
    if (problem) result.problems.push({ source, message: problem, value: f.manifest });
    else result.objects.push({ object: f.manifest as unknown as KubeObject, source });
  }
  return result;
}
