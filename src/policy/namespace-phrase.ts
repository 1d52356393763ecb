/**
 * How messages name a namespace: `namespace 'ml'`, or `the applier's default namespace` for
 * objects without one (never `namespace ''`).
 */
export function namespacePhrase(namespace: string | undefined): string {
  return namespace ? `namespace '${namespace}'` : "the applier's default namespace (no metadata.namespace)";
}
