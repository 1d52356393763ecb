import type { ManifestObject } from '../loader.js';
import type { CrossResourceRule, RuleContext } from '../registry.js';

/** One PolicyRule of a Role or ClusterRole. */
interface RbacRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io/';

function isRbac(entry: ManifestObject): boolean {
  return entry.object.apiVersion.startsWith(RBAC_GROUP);
}

/** Roles and ClusterRoles of the tree (aggregated ClusterRoles have their rules filled in by the controller and are skipped). */
function roles(ctx: RuleContext): ManifestObject[] {
  return [...ctx.index.ofKind('Role'), ...ctx.index.ofKind('ClusterRole')].filter((r) => isRbac(r) && !r.object.aggregationRule);
}

function rulesOf(role: ManifestObject): RbacRule[] {
  const rules = role.object.rules;
  return Array.isArray(rules) ? (rules.filter((r) => r && typeof r === 'object') as RbacRule[]) : [];
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether a rule grants any of `verbs` on any of `resources` in the core group (wildcards included). */
function grants(rule: RbacRule, verbs: readonly string[], resources: readonly string[], groups: readonly string[] = ['']): boolean {
  const v = list(rule.verbs);
  const r = list(rule.resources);
  const g = list(rule.apiGroups);
  return (v.includes('*') || verbs.some((x) => v.includes(x))) && (r.includes('*') || resources.some((x) => r.includes(x))) && (g.includes('*') || groups.some((x) => g.includes(x)));
}

/** Checks every rule of every Role/ClusterRole with `problem`, which returns a message for a bad rule. */
function checkRoleRules(ctx: RuleContext, problem: (rule: RbacRule) => { message: string; field: string } | undefined): void {
  for (const role of roles(ctx)) {
    let ok = true;
    rulesOf(role).forEach((rule, i) => {
      const p = problem(rule);
      if (!p) return;
      ok = false;
      ctx.fail(role, `${role.object.kind} ${role.object.metadata.name} rule ${i + 1}: ${p.message}`, `/rules/${i}/${p.field}`);
    });
    if (ok) ctx.pass(role);
  }
}

/** A wildcard in verbs, resources or apiGroups (trivy KSV-0044/0045/0046). */
export const rbacWildcard: CrossResourceRule = {
  name: 'rbac-wildcard',
  evaluate(ctx) {
    checkRoleRules(ctx, (rule) => {
      for (const field of ['verbs', 'resources', 'apiGroups'] as const) {
        if (list(rule[field]).includes('*')) return { message: `'*' in ${field} grants everything present and future, not what the workload needs`, field };
      }
      return undefined;
    });
  },
};

/** get/list/watch of Secrets (trivy KSV-0041). */
export const rbacSecretsAccess: CrossResourceRule = {
  name: 'rbac-secrets-access',
  evaluate(ctx) {
    checkRoleRules(ctx, (rule) => {
      if (!grants(rule, ['get', 'list', 'watch'], ['secrets'])) return undefined;
      const names = list((rule as { resourceNames?: unknown }).resourceNames);
      return { message: `reads Secrets (${list(rule.verbs).join(', ')} on ${list(rule.resources).join(', ')})${names.length > 0 ? ` limited to ${names.join(', ')}` : ' in the whole namespace or cluster'}`, field: 'verbs' };
    });
  },
};

const ESCALATING_VERBS = ['escalate', 'bind', 'impersonate'];

/** escalate, bind or impersonate (trivy KSV-0043/0048/0049/0050 family). */
export const rbacEscalateBindImpersonate: CrossResourceRule = {
  name: 'rbac-escalate-bind-impersonate',
  evaluate(ctx) {
    checkRoleRules(ctx, (rule) => {
      const verbs = list(rule.verbs).filter((v) => ESCALATING_VERBS.includes(v));
      return verbs.length > 0 ? { message: `grants ${verbs.join(', ')}: a holder can give itself (or act as) any role`, field: 'verbs' } : undefined;
    });
  },
};

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** What writing each network-control resource lets a holder do, by API group. */
const NETWORK_CONTROL: readonly { group: string; resource: string; risk: string }[] = [
  { group: 'networking.k8s.io', resource: 'networkpolicies', risk: 'rewrite or delete NetworkPolicies, undoing default deny and every allow rule' },
  { group: '', resource: 'endpoints', risk: 'point a Service at any address (Endpoints), taking over its traffic' },
  { group: 'discovery.k8s.io', resource: 'endpointslices', risk: 'point a Service at any address (EndpointSlices), taking over its traffic' },
];

/**
 * Write access to NetworkPolicies, Endpoints or EndpointSlices (trivy KSV-0056, narrowed to what
 * undoes isolation or redirects traffic; creating Services and Ingresses is what operators do).
 */
export const rbacNetworkControl: CrossResourceRule = {
  name: 'rbac-network-control',
  evaluate(ctx) {
    checkRoleRules(ctx, (rule) => {
      const hits = NETWORK_CONTROL.filter((n) => grants(rule, WRITE_VERBS, [n.resource], [n.group]));
      if (hits.length === 0) return undefined;
      const verbs = list(rule.verbs).filter((v) => v === '*' || WRITE_VERBS.includes(v));
      return { message: `grants ${verbs.join(', ')} on ${hits.map((h) => h.resource).join(', ')}: a holder can ${hits.map((h) => h.risk).join('; ')}`, field: 'resources' };
    });
  },
};

const BROAD_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit']);

/**
 * RoleBindings/ClusterRoleBindings that give a `default` ServiceAccount cluster-admin, admin, edit
 * or a role of the tree with a wildcard rule (trivy KSV-0111 family): every pod that does not name
 * a service account runs with those rights.
 */
export const rbacDefaultSaBroadBinding: CrossResourceRule = {
  name: 'rbac-default-sa-broad-binding',
  evaluate(ctx) {
    for (const binding of [...ctx.index.ofKind('RoleBinding'), ...ctx.index.ofKind('ClusterRoleBinding')].filter(isRbac)) {
      const subjects = Array.isArray(binding.object.subjects) ? (binding.object.subjects as { kind?: string; name?: string; namespace?: string }[]) : [];
      // the default service account itself, or a group holding every service account (of a namespace)
      const defaults = subjects.map((s, i) => ({ s, i })).filter(({ s }) => (s?.kind === 'ServiceAccount' && s.name === 'default') || (s?.kind === 'Group' && /^system:serviceaccounts(:[^:]+)?$/.test(s.name ?? '')));
      if (defaults.length === 0) continue;
      const ref = (binding.object.roleRef ?? {}) as { kind?: string; name?: string };
      const role = ref.kind === 'ClusterRole' ? ctx.index.get('ClusterRole', undefined, ref.name ?? '') : ctx.index.get('Role', binding.object.metadata.namespace, ref.name ?? '');
      const wildcard = role ? rulesOf(role).some((r) => ['verbs', 'resources', 'apiGroups'].some((f) => list(r[f as keyof RbacRule]).includes('*'))) : false;
      const broad = (ref.kind === 'ClusterRole' && BROAD_CLUSTER_ROLES.has(ref.name ?? '')) || wildcard;
      if (!broad) {
        ctx.pass(binding);
        continue;
      }
      for (const { s, i } of defaults) {
        const who = s.kind === 'Group' ? `Group ${s.name ?? ''} (every service account${s.name === 'system:serviceaccounts' ? ' of the cluster' : ' of the namespace'}, default ones included)` : `ServiceAccount ${s.namespace ?? binding.object.metadata.namespace ?? '?'}/default`;
        ctx.fail(binding, `${binding.object.kind} ${binding.object.metadata.name} binds ${ref.kind} ${ref.name}${wildcard ? ' (wildcard rules)' : ''} to ${who}: every pod without its own service account gets it`, `/subjects/${i}`);
      }
    }
  },
};
