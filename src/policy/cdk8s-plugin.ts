import { findGateReceipt, normalizeGateOptions } from './gate-receipt.js';
import type { PolicyResult, ResultSummary, Severity } from './types.js';

/** The parts of cdk8s-cli's ValidationContext the plugin uses (cdk8s-cli is only a dev dependency). */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly logger: { log(message: string): void };
  readonly report: {
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
}

/** `properties:` of the plugin entry in cdk8s.yaml. */
export interface PolicyGatePluginProperties {
  /**
   * Lowest severity that fails synth.
   * @default 'error'
   */
  readonly severity?: Severity;
  /**
   * Target Kubernetes / PSS version.
   * @default '1.28'
   */
  readonly targetVersion?: string;
  /**
   * Honour exemption annotations.
   * @default true
   */
  readonly exemptions?: boolean;
  /**
   * Optional rules to enable.
   * @default []
   */
  readonly enable?: string[];
  /**
   * Rules to disable.
   * @default []
   */
  readonly disable?: string[];
}

/** The part of a gate result the plugin reports. */
interface GateOutcome {
  readonly results: readonly PolicyResult[];
  readonly rules: ReadonlyMap<string, { title: string; rationale: string; remediation: string }>;
  readonly summary: ResultSummary;
  readonly failed: boolean;
}

/**
 * cdk8s validation plugin reporting the policy gate over the synthesized manifests, so a violating
 * app fails `npx cdk8s synth` with the same messages as `lambda-gitops check`. When the app
 * rendered through `synth` (which runs the gate before it writes anything), the plugin reports
 * that result instead of evaluating the tree again, but only when the receipt the app left
 * beside the manifests covers exactly these files (same paths, same SHA-256 of their bytes) and
 * the same gate options; otherwise it runs the gate itself. Declare it in cdk8s.yaml (cdk8s-cli
 * loads plugins by local path; a bare package name would be installed from npm into
 * ~/.cdk8s/plugins):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/lambda-gitops/lib/policy/cdk8s-plugin.js   # the `lambda-gitops/cdk8s-plugin` export
 *     class: PolicyGatePlugin
 *     version: 0.1.0
 * ```
 */
export class PolicyGatePlugin {
  constructor(private readonly properties: PolicyGatePluginProperties = {}) {}

  async validate(context: ValidationContextLike): Promise<void> {
    const p = this.properties;
    const options = normalizeGateOptions(p);
    const found = findGateReceipt(context.manifests, options);
    let outcome: GateOutcome;
    let source: string;
    let rendered = '';
    if (found.receipt) {
      const r = found.receipt;
      outcome = { results: r.results, rules: new Map(r.rules.map((rule) => [rule.id, rule])), summary: r.summary, failed: r.failed };
      source = found.reason;
      // cdk8s-cli lists the copy it was handed; the last lines name the tree the user commits
      if (r.rendered) rendered = `${r.rendered.outdir}: ${r.rendered.objects} objects in ${r.files.length} files rendered; `;
    } else {
      // the engine is loaded only when there is something to evaluate (most runs reuse the receipt)
      const [{ runCheck }, { loadManifests }] = await Promise.all([import('./engine.js'), import('./loader.js')]);
      const report = await runCheck({
        manifests: loadManifests(context.manifests),
        severity: p.severity,
        targetVersion: p.targetVersion,
        exemptions: p.exemptions,
        enable: p.enable,
        disable: p.disable,
      });
      outcome = { results: report.results, rules: new Map(report.policies.map((d) => [d.id, d])), summary: report.summary, failed: report.failed };
      source = `evaluated here: ${found.reason}`;
    }
    reportOutcome(outcome, context);
    const s = outcome.summary;
    context.logger.log(`${rendered}lambda-gitops policy gate: ${s.fail} failed, ${s.warn} warnings, ${s.skip} exempted, ${s.pass} passed (${source})`);
    context.report.submit(outcome.failed ? 'failure' : 'success', { failed: String(s.fail), warnings: String(s.warn), exempted: String(s.skip), passed: String(s.pass) });
  }
}

function reportOutcome(outcome: GateOutcome, context: ValidationContextLike): void {
  const byRule = new Map<string, PolicyResult[]>();
  for (const r of outcome.results) {
    if (r.result !== 'fail' && r.result !== 'warn') continue;
    const list = byRule.get(r.policy) ?? [];
    list.push(r);
    byRule.set(r.policy, list);
  }
  for (const [id, results] of byRule) {
    const rule = outcome.rules.get(id);
    const resources = new Map<string, { resourceName: string; locations: string[]; manifestPath: string }>();
    for (const r of results) {
      const name = `${r.resource.kind} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`;
      const key = `${r.file}\0${name}`;
      const entry = resources.get(key) ?? { resourceName: name, locations: [], manifestPath: r.file };
      entry.locations.push(`${r.file}:${r.line}${r.field ? ` ${r.field}` : ''}: ${r.message}`);
      resources.set(key, entry);
    }
    context.report.addViolation({
      ruleName: `${id} (${results[0].severity}): ${rule?.title ?? id}`,
      recommendation: rule?.rationale ?? '',
      fix: rule?.remediation ?? '',
      violatingResources: [...resources.values()],
    });
  }
}
