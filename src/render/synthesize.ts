import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CLUSTER_SCOPED_KINDS } from '../core/cluster-scoped-kinds.js';
import { ManifestDirectory } from '../layout/manifest-directory.js';

/** One rendered Kubernetes object and where it goes. */
export interface RenderedObject {
  /** Output directory relative to the root, from the enclosing {@link ManifestDirectory}. */
  readonly directory: string;
  /** The construct path that produced it (for error messages). */
  readonly constructPath: string;
  /** The manifest. */
  readonly manifest: KubeManifest;
}

/** A Kubernetes manifest as plain JSON. */
export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export { CLUSTER_SCOPED_KINDS } from '../core/cluster-scoped-kinds.js';

/** Errors collected while validating or synthesizing an app. */
export class SynthesisError extends Error {
  constructor(public readonly problems: string[]) {
    super(`synthesis failed with ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    this.name = 'SynthesisError';
  }
}

/**
 * Turns an app into plain objects in one linear pass: construct validations run once for the
 * whole tree (not once per chart, as `Chart.toJson` would), chart dependencies are not used, and
 * each ApiObject is rendered exactly once. Any `null` left in a rendered value is an error naming
 * the object and the field (cdk8s renders unknown quantities as null).
 */
export function synthesizeObjects(app: App): RenderedObject[] {
  const problems: string[] = [];
  const all = app.node.findAll();
  for (const c of all) {
    for (const message of c.node.validate()) problems.push(`${c.node.path}: ${message}`);
  }
  if (problems.length > 0) throw new SynthesisError(problems);

  const objects: RenderedObject[] = [];
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const chart = Chart.of(c);
    if (!ManifestDirectory.isManifestDirectory(chart)) {
      problems.push(`${c.node.path}: ${c.kind} '${c.name}' is in chart ${chart.node.path}, which is not a ManifestDirectory; create it inside a Tenant, FluxCluster or ManifestDirectory`);
      continue;
    }
    let manifest: KubeManifest;
    try {
      manifest = c.toJson() as KubeManifest;
    } catch (error) {
      problems.push(`${c.node.path}: ${(error as Error).message}`);
      continue;
    }
    if (CLUSTER_SCOPED_KINDS.has(manifest.kind) && manifest.metadata) {
      // a Chart's namespace is applied to every object, cluster-scoped ones included
      delete manifest.metadata.namespace;
    }
    for (const path of findNulls(manifest)) {
      problems.push(`${c.node.path}: ${manifest.kind} '${manifest.metadata?.name}' has a null value at ${path}`);
    }
    objects.push({ directory: chart.directory, constructPath: c.node.path, manifest });
  }
  if (problems.length > 0) throw new SynthesisError(problems);
  return objects;
}

/**
 * JSON paths of every `null` or `undefined` value in an object (an explicit `undefined` key is
 * what cdk8s leaves behind for a patched extended resource, and it serializes as `null`).
 */
export function findNulls(value: unknown, path = ''): string[] {
  if (value === null || value === undefined) return [path || '.'];
  if (Array.isArray(value)) return value.flatMap((v, i) => findNulls(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => findNulls(v, `${path}.${k}`));
  }
  return [];
}

/** All manifests of an app's constructs below `scope`, for tests. */
export function manifestsOf(app: App, scope?: IConstruct): KubeManifest[] {
  const prefix = scope ? scope.node.path : '';
  return synthesizeObjects(app).filter((o) => !prefix || o.constructPath === prefix || o.constructPath.startsWith(`${prefix}/`)).map((o) => o.manifest);
}
