import { EXEMPTION_PREFIX, exemptionsOf } from '../exemptions.js';
import type { CrossResourceRule } from '../registry.js';

/** Documents that are YAML but not usable Kubernetes objects; namespaced kinds without a namespace. */
export const manifestStructure: CrossResourceRule = {
  name: 'manifest-structure',
  evaluate(ctx) {
    for (const problem of ctx.loaded.problems) {
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

/** Strict schema validation (Kubernetes 1.28 definitions and vendored CRDs) as a rule. */
export const schemaValid: CrossResourceRule = {
  name: 'schema-valid',
  evaluate(ctx) {
    for (const entry of ctx.index.objects) {
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

/** Kubernetes API versions that are not GA; CRD versions other than the newest one vendored. */
export const stableApiVersion: CrossResourceRule = {
  name: 'stable-api-version',
  evaluate(ctx) {
    const prerelease = /^v\d+(alpha|beta)\d+$/;
    for (const entry of ctx.index.objects) {
      const { apiVersion, kind } = entry.object;
      const known = ctx.schemas.lookup(apiVersion, kind);
      const version = apiVersion.split('/').pop() ?? '';
      if (!known) {
        ctx.fail(entry, `${apiVersion} ${kind} is not served by Kubernetes ${ctx.targetVersion} or by the vendored CRDs (removed, misspelled or unknown API)`, '/apiVersion');
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
