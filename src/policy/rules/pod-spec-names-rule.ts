import { isDns1123Label } from '../../core/dns-names.js';
import type { CrossResourceRule } from '../registry.js';

/**
 * Names inside a pod spec that the API server rejects (`ValidatePodSpec`, Kubernetes
 * `pkg/apis/core/validation`): container names (RFC 1123 labels, unique over containers, init and
 * ephemeral containers), volume names (RFC 1123 labels, unique), volume mounts naming a volume the
 * pod does not have, and container port names (IANA service names, unique in the container). No
 * schema catches them, and the workload never applies.
 */

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Why `name` is not an RFC 1123 label (apimachinery IsDNS1123Label), or undefined. */
function labelProblem(name: string): string | undefined {
  return isDns1123Label(name) ? undefined : 'must be a lowercase RFC 1123 label (at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit)';
}

/** Why `name` is not an IANA service name (apimachinery IsValidPortName), or undefined. */
function portNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 15) return `must be 1-15 characters, got ${name.length}`;
  if (!/^[-a-z0-9]+$/.test(name)) return 'may contain only a-z, 0-9 and \'-\'';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  if (name.includes('--')) return 'may not contain \'--\'';
  if (name.startsWith('-') || name.endsWith('-')) return 'may not start or end with \'-\'';
  return undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)) : [];
}

/** The rule object (registered by name `pod-spec-names`). */
export const podSpecNames: CrossResourceRule = {
  name: 'pod-spec-names',
  evaluate(ctx) {
    for (const entry of ctx.index.objects) {
      const template = ctx.index.podTemplateOf(entry);
      if (!template) continue;
      const { spec, specPath } = template;
      let ok = true;
      const fail = (message: string, field: string): void => {
        ok = false;
        ctx.fail(entry, message, field);
      };
      const volumes = new Set<string>();
      // a StatefulSet's claim templates are volumes of its pods (the controller adds them)
      const claims = entry.object.kind === 'StatefulSet' ? records((entry.object.spec as Record<string, unknown> | undefined)?.volumeClaimTemplates) : [];
      const claimNames = new Set(claims.map((c) => (c.metadata as Record<string, unknown> | undefined)?.name).filter((n): n is string => typeof n === 'string'));
      records(spec.volumes).forEach((volume, i) => {
        if (typeof volume.name !== 'string') return;
        const problem = labelProblem(volume.name);
        if (problem) fail(`volume name ${JSON.stringify(volume.name)} ${problem}`, `${specPath}/volumes/${i}/name`);
        else if (volumes.has(volume.name)) fail(`volume name ${JSON.stringify(volume.name)} is used twice`, `${specPath}/volumes/${i}/name`);
        volumes.add(volume.name);
      });
      const containers = new Set<string>();
      for (const list of CONTAINER_LISTS) {
        records(spec[list]).forEach((container, i) => {
          const at = `${specPath}/${list}/${i}`;
          if (typeof container.name === 'string') {
            const problem = labelProblem(container.name);
            if (problem) fail(`container name ${JSON.stringify(container.name)} ${problem}`, `${at}/name`);
            else if (containers.has(container.name)) fail(`container name ${JSON.stringify(container.name)} is used twice in the pod`, `${at}/name`);
            containers.add(container.name);
          }
          records(container.volumeMounts).forEach((mount, j) => {
            if (typeof mount.name === 'string' && !volumes.has(mount.name) && !claimNames.has(mount.name)) fail(`container ${String(container.name)} mounts volume ${JSON.stringify(mount.name)}, which the pod does not define`, `${at}/volumeMounts/${j}/name`);
          });
          const ports = new Set<string>();
          records(container.ports).forEach((port, j) => {
            if (typeof port.name !== 'string') return;
            const problem = portNameProblem(port.name);
            if (problem) fail(`container ${String(container.name)} port name ${JSON.stringify(port.name)} ${problem}`, `${at}/ports/${j}/name`);
            else if (ports.has(port.name)) fail(`container ${String(container.name)} port name ${JSON.stringify(port.name)} is used twice`, `${at}/ports/${j}/name`);
            ports.add(port.name);
          });
        });
      }
      if (ok) ctx.pass(entry);
    }
  },
};
