import { isDns1123Subdomain } from '../../core/dns-names.js';
import { encodePointer } from '../positions.js';
import type { CrossResourceRule } from '../registry.js';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const TOTAL_ANNOTATION_BYTES = 256 * 1024;

/** Why a label or annotation key is invalid (apimachinery IsQualifiedName), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one /';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `prefix '${prefix}' must be a lowercase DNS subdomain of at most 253 characters`;
  if (name.length === 0 || name.length > 63) return `name part must be 1-63 characters, got ${name.length}`;
  if (!NAME.test(name)) return 'name part must start and end with an alphanumeric character and contain only alphanumerics, -, _ and .';
  return undefined;
}

/** Why a label value is invalid (apimachinery IsValidLabelValue), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `value must be at most 63 characters, got ${value.length}`;
  if (value !== '' && !NAME.test(value)) return 'value must be empty or start and end with an alphanumeric character and contain only alphanumerics, -, _ and .';
  return undefined;
}

/** Where selectors with label keys and values are (`matchLabels` maps, or the map form of Services and ReplicationControllers). */
const SELECTOR_PATHS: Record<string, readonly string[]> = {
  Service: ['spec', 'selector'],
  ReplicationController: ['spec', 'selector'],
  Deployment: ['spec', 'selector', 'matchLabels'],
  StatefulSet: ['spec', 'selector', 'matchLabels'],
  DaemonSet: ['spec', 'selector', 'matchLabels'],
  ReplicaSet: ['spec', 'selector', 'matchLabels'],
  Job: ['spec', 'selector', 'matchLabels'],
  PodDisruptionBudget: ['spec', 'selector', 'matchLabels'],
  NetworkPolicy: ['spec', 'podSelector', 'matchLabels'],
};

function labelMapProblems(map: unknown, path: string, what: string): { message: string; field: string }[] {
  if (!map || typeof map !== 'object' || Array.isArray(map)) return [];
  const out: { message: string; field: string }[] = [];
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    const problem = qualifiedNameProblem(key) ?? (typeof value === 'string' ? labelValueProblem(value) : 'value must be a string');
    if (problem) out.push({ message: `${what} '${key}': ${problem}`, field: `${path}/${encodePointer([key]).slice(1)}` });
  }
  return out;
}

/**
 * Label keys and values and annotation keys that the API server rejects (ValidateLabels,
 * ValidateAnnotations), on objects, on their pod templates and in their label selectors;
 * annotations at most 256 KiB in total.
 */
export const labelSyntax: CrossResourceRule = {
  name: 'label-syntax',
  evaluate(ctx) {
    for (const entry of ctx.index.objects) {
      const template = ctx.index.podTemplateOf(entry);
      const places: { path: string; metadata: Record<string, unknown> }[] = [{ path: '/metadata', metadata: entry.object.metadata }];
      if (template) places.push({ path: template.metadataPath, metadata: template.metadata });
      let ok = true;
      for (const { path, metadata } of places) {
        for (const p of labelMapProblems(metadata.labels, `${path}/labels`, 'label')) {
          ok = false;
          ctx.fail(entry, p.message, p.field);
        }
        const annotations = (metadata.annotations && typeof metadata.annotations === 'object' ? metadata.annotations : {}) as Record<string, unknown>;
        let bytes = 0;
        for (const [key, value] of Object.entries(annotations)) {
          bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
          const problem = qualifiedNameProblem(key);
          if (!problem) continue;
          ok = false;
          ctx.fail(entry, `annotation key '${key}': ${problem}`, `${path}/annotations/${encodePointer([key]).slice(1)}`);
        }
        if (bytes > TOTAL_ANNOTATION_BYTES) {
          ok = false;
          ctx.fail(entry, `annotations take ${bytes} bytes, more than the 262144 the API server accepts`, `${path}/annotations`);
        }
      }
      const selectorPath = SELECTOR_PATHS[entry.object.kind];
      if (selectorPath) {
        let node: unknown = entry.object;
        for (const segment of selectorPath) node = (node as Record<string, unknown> | undefined)?.[segment];
        for (const p of labelMapProblems(node, encodePointer(selectorPath), 'selector label')) {
          ok = false;
          ctx.fail(entry, p.message, p.field);
        }
      }
      if (ok) ctx.pass(entry);
    }
  },
};
