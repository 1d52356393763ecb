import type { KubeManifest } from '../render/synthesize.js';

/**
 * The objects among `manifests` that would put secret material into Git: a `Secret` (core/v1)
 * with a non-empty `data` or `stringData`. Secrets reach the cluster through ExternalSecrets;
 * the renderer and the policy gate refuse any object this returns.
 * @returns descriptions such as `Secret inference/hf-token (data)`, sorted
 */
export function secretsWithData(manifests: ReadonlyArray<KubeManifest>): string[] {
  return manifests
    .filter((m) => m.kind === 'Secret' && (m.apiVersion === 'v1' || m.apiVersion === undefined))
    .flatMap((m) => {
      const fields = (['data', 'stringData'] as const).filter((f) => hasEntries(m[f]));
      return fields.length > 0 ? [`Secret ${m.metadata.namespace ?? '(no namespace)'}/${m.metadata.name} (${fields.join(', ')})`] : [];
    })
    .sort();
}

function hasEntries(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
