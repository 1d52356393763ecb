import { runCheck } from './engine.js';
import { loadManifests } from './loader.js';
import type { PolicyResult, Severity } from './types.js';

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

/**
 * cdk8s validation plugin running the policy gate over the synthesized manifests, so a violating
 * app fails `npx cdk8s synth` with the same messages as `lambda-gitops check`. Declare it in
 * cdk8s.yaml:
 *
 * ```yaml
 * validations:
 *   - package: ./lib/policy/cdk8s-plugin.js
 *     class: PolicyGatePlugin
 *     version: 0.1.0
 * ```
 */
export class PolicyGatePlugin {
  constructor(private readonly properties: PolicyGatePluginProperties = {}) {}

  async validate(context: ValidationContextLike): Promise<void> {
    const p = this.properties;
    const report = await runCheck({
      manifests: loadManifests(context.manifests),
      severity: p.severity,
      targetVersion: p.targetVersion,
      exemptions: p.exemptions,
      enable: p.enable,
      disable: p.disable,
    });
    const byRule = new Map<string, PolicyResult[]>();
    for (const r of report.results) {
      if (r.result !== 'fail' && r.result !== 'warn') continue;
      const list = byRule.get(r.policy) ?? [];
      list.push(r);
      byRule.set(r.policy, list);
    }
    const policies = new Map(report.policies.map((d) => [d.id, d]));
    for (const [id, results] of byRule) {
      const policy = policies.get(id);
      const resources = new Map<string, { resourceName: string; locations: string[]; manifestPath: string }>();
      for (const r of results) {
        const name = `${r.resource.kind} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`;
        const key = `${r.file}\0${name}`;
        const entry = resources.get(key) ?? { resourceName: name, locations: [], manifestPath: r.file };
        entry.locations.push(`${r.file}:${r.line}${r.field ? ` ${r.field}` : ''}: ${r.message}`);
        resources.set(key, entry);
      }
      context.report.addViolation({
        ruleName: `${id} (${results[0].severity}): ${policy?.title ?? id}`,
        recommendation: policy?.rationale ?? '',
        fix: policy?.remediation ?? '',
        violatingResources: [...resources.values()],
      });
    }
    const s = report.summary;
    context.logger.log(`lambda-gitops policy gate: ${s.fail} failed, ${s.warn} warnings, ${s.skip} exempted, ${s.pass} passed`);
    context.report.submit(report.failed ? 'failure' : 'success', { failed: String(s.fail), warnings: String(s.warn), exempted: String(s.skip), passed: String(s.pass) });
  }
}
