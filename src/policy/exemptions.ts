import type { KubeObject } from './types.js';

/** Annotation prefix: `policy.lambda-gitops.dev/exempt-<rule-id>: "<reason>"`. */
export const EXEMPTION_PREFIX = 'policy.lambda-gitops.dev/exempt-';

/** Rule id -> reason ('' when the annotation has no reason) declared on an object. */
export function exemptionsOf(object: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(object.metadata.annotations ?? {})) {
    if (key.startsWith(EXEMPTION_PREFIX)) out.set(key.slice(EXEMPTION_PREFIX.length), typeof value === 'string' ? value.trim() : '');
  }
  return out;
}

/** The annotation key that exempts `object`s from rule `id`. */
export function exemptionAnnotation(id: string): string {
  return `${EXEMPTION_PREFIX}${id}`;
}
