import { isDns1035Label, isDns1123Label, isDns1123Subdomain } from '../../core/dns-names.js';
import type { CrossResourceRule } from '../registry.js';

/**
 * Object names and namespaces the API server rejects (`ValidateObjectMeta` with the name check of
 * each kind, Kubernetes `pkg/apis/<group>/validation`): a tree with one never applies, yet no schema
 * catches it (the OpenAPI definitions say only "string"). Kinds are checked only where the rule is
 * certain of the API server's check; custom resources are left to their CRDs.
 */

/** A name check of apimachinery, as the API server words its rule. */
interface NameCheck {
  readonly problem: (name: string) => string | undefined;
}

const label: NameCheck = {
  problem: (name) => (isDns1123Label(name) ? undefined : 'must be a lowercase RFC 1123 label: at most 63 characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit'),
};
const dns1035: NameCheck = {
  problem: (name) => (isDns1035Label(name) ? undefined : 'must be a lowercase RFC 1035 label: at most 63 characters of a-z, 0-9 and \'-\', starting with a letter and ending with a letter or digit'),
};
const subdomain = (max = 253): NameCheck => ({
  problem: (name) => {
    if (!isDns1123Subdomain(name)) return 'must be a lowercase RFC 1123 subdomain: at most 253 characters of a-z, 0-9, \'-\' and \'.\', starting and ending with a letter or digit';
    return name.length > max ? `must be at most ${max} characters, got ${name.length}` : undefined;
  },
});
const pathSegment: NameCheck = {
  problem: (name) => (name === '.' || name === '..' ? `may not be '${name}'` : /[/%]/.test(name) ? 'may not contain \'/\' or \'%\'' : undefined),
};

/** The API server's name check per `group/kind` (group '' for the core API). */
const CHECKS: ReadonlyMap<string, NameCheck> = new Map([
  ['/Namespace', label],
  ['/Service', dns1035],
  ...['ConfigMap', 'Secret', 'Pod', 'PersistentVolumeClaim', 'PersistentVolume', 'ServiceAccount', 'ResourceQuota', 'LimitRange'].map((k) => [`/${k}`, subdomain()] as const),
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((k) => [`apps/${k}`, subdomain()] as const),
  ['batch/Job', subdomain()],
  // the CronJob controller appends an 11-character suffix to name its Jobs
  ['batch/CronJob', subdomain(52)],
  ['autoscaling/HorizontalPodAutoscaler', subdomain()],
  ['policy/PodDisruptionBudget', subdomain()],
  ['networking.k8s.io/NetworkPolicy', subdomain()],
  ['networking.k8s.io/Ingress', subdomain()],
  ['networking.k8s.io/IngressClass', subdomain()],
  ['storage.k8s.io/StorageClass', subdomain()],
  ['scheduling.k8s.io/PriorityClass', subdomain()],
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((k) => [`rbac.authorization.k8s.io/${k}`, pathSegment] as const),
]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The rule object (registered by name `object-name-syntax`). */
export const objectNameSyntax: CrossResourceRule = {
  name: 'object-name-syntax',
  evaluate(ctx) {
    for (const entry of ctx.index.objects) {
      const { kind, apiVersion, metadata } = entry.object;
      let ok = true;
      const namespace = metadata.namespace;
      if (typeof namespace === 'string' && namespace !== '') {
        const problem = label.problem(namespace);
        if (problem) {
          ok = false;
          ctx.fail(entry, `metadata.namespace ${JSON.stringify(namespace)} ${problem}`, '/metadata/namespace');
        }
      }
      const check = CHECKS.get(`${groupOf(apiVersion)}/${kind}`);
      if (!check) continue;
      const problem = typeof metadata.name === 'string' ? check.problem(metadata.name) : undefined;
      if (problem) {
        ok = false;
        ctx.fail(entry, `a ${kind} name ${JSON.stringify(metadata.name)} ${problem}`, '/metadata/name');
      }
      if (ok) ctx.pass(entry);
    }
  },
};
