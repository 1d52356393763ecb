import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { fsErrorReason } from '../core/fs-errors.js';
import { LabelKeys } from '../core/labels.js';
import { CLUSTER_MODEL_DATA_KEY, ClusterModelDocument, FieldProblem, resolveClusterModel } from './cluster-model-document.js';

/** The problem field of a cluster model file that cannot be read (its message is one line). */
const FILE_FIELD = '(file)';

/** A cluster model that cannot be used; the message names the file and every bad field. */
export class ClusterModelError extends Error {
  constructor(public readonly source: string, public readonly problems: readonly FieldProblem[]) {
    super(problems.length === 1 && problems[0].field === FILE_FIELD
      ? `${source}: ${problems[0].message}`
      : `${source}: invalid cluster model:\n${problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'ClusterModelError';
  }
}

interface ManifestLike {
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly labels?: Record<string, unknown> };
  readonly data?: Record<string, unknown>;
}

/** Whether a manifest is a cluster model ConfigMap (kind ConfigMap, label `lambda-gitops.dev/cluster-model: "true"`). */
export function isClusterModelConfigMap(manifest: unknown): boolean {
  const m = manifest as ManifestLike | null;
  return !!m && m.kind === 'ConfigMap' && m.metadata?.labels?.[LabelKeys.clusterModel] === 'true';
}

/**
 * Reads the model out of a cluster model ConfigMap.
 * @param source names the file the ConfigMap came from, for errors
 * @throws ClusterModelError when the data key is missing or its YAML/model is invalid
 */
export function clusterModelFromConfigMap(manifest: unknown, source: string): ClusterModelDocument {
  const m = manifest as ManifestLike;
  const where = `${source} (ConfigMap ${String(m.metadata?.namespace ?? '')}/${String(m.metadata?.name ?? '')})`;
  const text = m.data?.[CLUSTER_MODEL_DATA_KEY];
  if (typeof text !== 'string') {
    throw new ClusterModelError(where, [{ field: `data.${CLUSTER_MODEL_DATA_KEY}`, message: 'is missing; the cluster model ConfigMap must hold the model as YAML under this key' }]);
  }
  return parseClusterModel(text, `${where} data.${CLUSTER_MODEL_DATA_KEY}`);
}

/**
 * Parses a cluster model from YAML or JSON text: either the model document itself or a cluster
 * model ConfigMap carrying it.
 * @throws ClusterModelError naming `source` and each bad field
 */
export function parseClusterModel(text: string, source: string): ClusterModelDocument {
  let documents: unknown[];
  try {
    documents = jsYaml.loadAll(text).filter((d) => d !== null && d !== undefined);
  } catch (error) {
    throw new ClusterModelError(source, [{ field: '(document)', message: `is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (documents.length !== 1) {
    throw new ClusterModelError(source, [{ field: '(document)', message: `must hold exactly one document, found ${documents.length}` }]);
  }
  const [document] = documents;
  if (isClusterModelConfigMap(document)) return clusterModelFromConfigMap(document, source);
  const result = resolveClusterModel(document);
  if (!result.model) throw new ClusterModelError(source, result.problems);
  return result.model;
}

/**
 * Loads a cluster model file (`--cluster FILE`).
 * @throws ClusterModelError when the file cannot be read or the model is invalid
 */
export function loadClusterModelFile(path: string): ClusterModelDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClusterModelError(path, [{ field: FILE_FIELD, message: `cannot read the cluster model: ${fsErrorReason(error)}` }]);
  }
  return parseClusterModel(text, path);
}
