import type { CrossResourceRule } from '../registry.js';
import { selectorMatches, type LabelSelector } from '../selectors.js';

/** Kinds whose `spec.selector` must select their own pod template (the API server rejects a mismatch). */
const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/** A workload's selector matches the labels of its pod template (kube-score deployment-targeted-by-... / apiserver `selector does not match template labels`). */
export const selectorMatchesTemplate: CrossResourceRule = {
  name: 'selector-matches-template',
  evaluate(ctx) {
    for (const t of ctx.index.podTemplates()) {
      const { kind, metadata } = t.owner.object;
      if (!SELECTOR_KINDS.has(kind)) continue;
      const raw = (t.owner.object.spec as { selector?: unknown } | undefined)?.selector;
      if (raw === undefined || raw === null || typeof raw !== 'object') continue; // Job default selector; schema-valid reports missing ones
      // ReplicationController uses the map form
      const selector: LabelSelector = kind === 'ReplicationController' ? { matchLabels: raw as Record<string, string> } : (raw as LabelSelector);
      if (selectorMatches(selector, t.labels)) ctx.pass(t.owner);
      else ctx.fail(t.owner, `${kind} ${metadata.name} selector ${JSON.stringify(raw)} does not match its pod template labels ${JSON.stringify(t.labels)}: the API server rejects it`, '/spec/selector');
    }
  },
};

const CONTAINER_TYPES = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** No container sets the same environment variable name twice. */
export const envUnique: CrossResourceRule = {
  name: 'env-unique',
  evaluate(ctx) {
    for (const t of ctx.index.podTemplates()) {
      let ok = true;
      let any = false;
      for (const type of CONTAINER_TYPES) {
        const containers = t.spec[type];
        if (!Array.isArray(containers)) continue;
        containers.forEach((container: { name?: string; env?: unknown }, i: number) => {
          if (!Array.isArray(container?.env)) return;
          any = true;
          const seen = new Map<string, number>();
          (container.env as { name?: unknown }[]).forEach((variable, j) => {
            if (typeof variable?.name !== 'string') return;
            const first = seen.get(variable.name);
            if (first === undefined) {
              seen.set(variable.name, j);
              return;
            }
            ok = false;
            ctx.fail(t.owner, `container ${container.name ?? `#${i}`} (${type}) sets ${variable.name} twice (env ${first} and ${j}): the last one silently wins, and server-side apply (Flux) rejects the duplicate merge key`, `${t.specPath}/${type}/${i}/env/${j}`);
          });
        });
      }
      if (any && ok) ctx.pass(t.owner);
    }
  },
};

