import { EXEMPTION_PREFIX, exemptionsOf } from '../exemptions.js';
import { kustomizeFindingsOf, patchProblem } from '../kustomize-build.js';
import type { CrossResourceRule } from '../registry.js';
import { groupOf } from '../../schema/validator.js';

const COMMENTS_ONLY = 'the file has no YAML documents (only comments or empty documents)';

/** Documents that are YAML but not usable Kubernetes objects; namespaced kinds without a namespace. */
export const manifestStructure: CrossResourceRule = {
  name: 'manifest-structure',
  evaluate(ctx) {
    for (const error of ctx.loaded.malformed ?? []) {
      const line = error.line ?? 1;
      ctx.failDocument({ file: error.file, absolutePath: '', index: 0, line, text: '', textLine: line }, { apiVersion: '', kind: '', name: '' }, error.reason);
    }
    const kustomize = kustomizeFindingsOf(ctx.loaded);
    for (const patch of kustomize?.patches ?? []) {
      const problem = patchProblem(patch);
      if (problem) ctx.failDocument(patch.source, { apiVersion: '', kind: '', name: '' }, `kustomize patch (named by ${patch.kustomization}): ${problem}`);
    }
    for (const { source, kustomization } of kustomize?.unbuilt ?? []) {
      ctx.noteDocument(source, { apiVersion: '', kind: '', name: '' }, 'info', `${source.file} is not included by ${kustomization} (resources, components, patches): kustomize and Flux do not apply it, so it is not checked`);
    }
    for (const problem of ctx.loaded.problems) {
      if (problem.message === COMMENTS_ONLY) {
        // a placeholder (e.g. flux bootstrap's gotk-components.yaml before bootstrap): applies nothing
        ctx.noteDocument(problem.source, { apiVersion: '', kind: '', name: '' }, 'info', `${problem.source.file}: ${problem.message}`);
        continue;
      }
      const v = (problem.value && typeof problem.value === 'object' && !Array.isArray(problem.value) ? problem.value : {}) as Record<string, unknown>;
      const metadata = (v.metadata && typeof v.metadata === 'object' ? v.metadata : {}) as Record<string, unknown>;
      ctx.failDocument(problem.source, {
        apiVersion: typeof v.apiVersion === 'string' ? v.apiVersion : '',
        kind: typeof v.kind === 'string' ? v.kind : '',
        name: typeof metadata.name === 'string' ? metadata.name : '',
      }, `${problem.source.file} document ${problem.source.index + 1}: ${problem.message}`);
    }
    for (const entry of ctx.index.objects) {
      const { apiVersion, kind, metadata } = entry.object;
      const scope = ctx.schemas.lookup(apiVersion, kind);
      if (scope?.namespaced === true && !metadata.namespace) {
        ctx.fail(entry, `${kind} ${metadata.name} is namespaced but has no metadata.namespace: GitOps trees must not depend on the applier's default namespace`, '/metadata');
      } else if (scope?.namespaced === false && metadata.namespace) {
        ctx.fail(entry, `${kind} ${metadata.name} is cluster-scoped but sets metadata.namespace '${metadata.namespace}'`, '/metadata/namespace');
      } else {
        ctx.pass(entry);
      }
    }
  },
};

/**
 * Whether an object without a schema has an apiVersion that cannot be right (a Kubernetes group,
 * or a group and kind whose CRD serves other versions): stable-api-version fails those.
 */
function unservedKnownApi(ctx: RuleContextLike, apiVersion: string, kind: string): boolean {
  const group = groupOf(apiVersion);
  return ctx.schemas.isBuiltInGroup(group) || ctx.schemas.knowsKind(group, kind);
}

type RuleContextLike = Parameters<CrossResourceRule['evaluate']>[0];

/**
 * Strict schema validation (Kubernetes 1.28 definitions, vendored CRDs, CRDs in the tree or in
 * `--crds`) as a rule. A custom resource whose CRD is nowhere is one warning per
 * group/version/kind (`no schema for ...`), not a failure of every object.
 */
export const schemaValid: CrossResourceRule = {
  name: 'schema-valid',
  evaluate(ctx) {
    const warned = new Set<string>();
    for (const entry of ctx.index.objects) {
      const { apiVersion, kind } = entry.object;
      if (!ctx.schemas.lookup(apiVersion, kind)) {
        if (unservedKnownApi(ctx, apiVersion, kind)) continue; // stable-api-version fails it
        const gvk = `${groupOf(apiVersion) || 'core'}/${apiVersion.split('/').pop() ?? ''}/${kind}`;
        if (warned.has(gvk)) continue;
        warned.add(gvk);
        ctx.note(entry, 'warning', `no schema for ${gvk}: its CustomResourceDefinition is not in the tree, in --crds or vendored, so ${kind} objects are not validated`, '/apiVersion');
        continue;
      }
      const issues = ctx.schemas.validate(entry.object);
      if (issues.length === 0) {
        ctx.pass(entry);
        continue;
      }
      for (const issue of issues.slice(0, 20)) ctx.fail(entry, `${issue.path || '/'}: ${issue.message}`, issue.path);
      if (issues.length > 20) ctx.fail(entry, `${issues.length - 20} more schema issues not shown`);
    }
  },
};

/**
 * Kubernetes API versions that are not GA; apiVersions of Kubernetes groups (or of CRDs known to
 * the gate) that are not served. Custom resources without any schema are left to schema-valid's
 * warning.
 */
export const stableApiVersion: CrossResourceRule = {
  name: 'stable-api-version',
  evaluate(ctx) {
    const prerelease = /^v\d+(alpha|beta)\d+$/;
    for (const entry of ctx.index.objects) {
      const { apiVersion, kind } = entry.object;
      const known = ctx.schemas.lookup(apiVersion, kind);
      const version = apiVersion.split('/').pop() ?? '';
      if (!known) {
        if (!unservedKnownApi(ctx, apiVersion, kind)) continue;
        const served = ctx.schemas.kinds().filter((k) => k.kind === kind && groupOf(k.apiVersion) === groupOf(apiVersion)).map((k) => k.apiVersion);
        ctx.fail(entry, `${apiVersion} ${kind} is not served by Kubernetes ${ctx.targetVersion} or by the known CRDs (removed, misspelled or unknown API)${served.length > 0 ? `; served: ${served.join(', ')}` : ''}`, '/apiVersion');
      } else if (known.source === 'kubernetes' && prerelease.test(version)) {
        const stable = ctx.schemas.kinds().find((k) => k.kind === kind && k.source === 'kubernetes' && !prerelease.test(k.apiVersion.split('/').pop() ?? ''));
        ctx.fail(entry, `${apiVersion} ${kind} is a pre-release API${stable ? `; use ${stable.apiVersion}` : ''}`, '/apiVersion');
      } else {
        ctx.pass(entry);
      }
    }
  },
};

/** Exemption annotations must name a known rule and give a reason. */
export const exemptionValid: CrossResourceRule = {
  name: 'exemption-valid',
  evaluate(ctx) {
    for (const entry of ctx.index.objects) {
      const exemptions = exemptionsOf(entry.object);
      if (exemptions.size === 0) continue;
      let ok = true;
      for (const [id, reason] of exemptions) {
        const field = `/metadata/annotations/${`${EXEMPTION_PREFIX}${id}`.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (!ctx.policyIds.has(id)) {
          ok = false;
          ctx.fail(entry, `exemption names unknown rule '${id}'`, field);
        } else if (reason === '') {
          ok = false;
          ctx.fail(entry, `exemption from '${id}' has no reason: the annotation value must say why the rule does not apply`, field);
        }
      }
      if (ok) ctx.pass(entry);
    }
  },
};
