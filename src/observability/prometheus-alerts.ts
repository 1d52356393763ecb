import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import type { PrometheusEndpoint } from './monitoring-stack.js';

/** Alert severities, as Alertmanager routes them. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** One alerting rule. */
export interface AlertRule {
  /** Alert name (CamelCase). */
  readonly alert: string;
  /** PromQL expression; every series it returns is a firing alert. */
  readonly expr: string;
  /**
   * How long the expression must hold before the alert fires.
   * @default '0s' (fires on the first evaluation)
   */
  readonly for?: string;
  /** Severity label. */
  readonly severity: AlertSeverity;
  /** One-line summary (may use `{{ $labels.x }}` and `{{ $value }}`). */
  readonly summary: string;
  /** What it means and what to do. */
  readonly description: string;
}

/** One recording rule. */
export interface RecordingRule {
  /** Name of the recorded series (`level:metric:operations`). */
  readonly record: string;
  /** PromQL expression. */
  readonly expr: string;
}

/** A rule group: evaluated together at one interval. */
export interface RuleGroup {
  /** Group name. */
  readonly name: string;
  /**
   * Evaluation interval.
   * @default - Prometheus' global evaluation interval
   */
  readonly interval?: string;
  /** Recording rules first, then alerts (a group may use its own recorded series). */
  readonly rules: ReadonlyArray<AlertRule | RecordingRule>;
}

/** Props of {@link PrometheusAlerts}. */
export interface PrometheusAlertsProps {
  /** `metadata.name` of the PrometheusRule. */
  readonly name: string;
  /** Namespace of the PrometheusRule. */
  readonly namespace: string;
  /** The Prometheus that evaluates the rules (its selector labels go on the object). */
  readonly prometheus: PrometheusEndpoint;
  /** Rule groups. */
  readonly groups: readonly RuleGroup[];
}

const ALERT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const RECORD_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

const isAlert = (r: AlertRule | RecordingRule): r is AlertRule => 'alert' in r;

/**
 * A `monitoring.coreos.com/v1` PrometheusRule with validated alerting and recording rules, labelled
 * so the given Prometheus loads it. Rule names must be unique within the object, durations must be
 * Prometheus durations, and every alert carries a severity, a summary and a description.
 */
export class PrometheusAlerts extends Construct {
  /** The PrometheusRule. */
  public readonly resource: ApiObject;
  /** Alert names, in order. */
  public readonly alertNames: string[];

  constructor(scope: Construct, id: string, props: PrometheusAlertsProps) {
    super(scope, id);
    const name = validateDnsSubdomain(this, 'name', props.name);
    const namespace = validateDnsLabel(this, 'namespace', props.namespace);
    if (!Array.isArray(props.groups) || props.groups.length === 0) throw new InvalidPropError(this, 'groups', props.groups, 'must list at least one rule group');
    const seen = new Set<string>();
    this.alertNames = [];
    const groups = props.groups.map((g, gi) => {
      if (!g.name) throw new InvalidPropError(this, `groups[${gi}].name`, g.name, 'must be set');
      if (g.interval !== undefined && !DURATION.test(g.interval)) throw new InvalidPropError(this, `groups[${gi}].interval`, g.interval, "must be a Prometheus duration such as '1m'");
      if (!g.rules?.length) throw new InvalidPropError(this, `groups[${gi}].rules`, g.rules, 'must list at least one rule');
      return {
        name: g.name,
        ...(g.interval ? { interval: g.interval } : {}),
        rules: g.rules.map((r: AlertRule | RecordingRule, ri: number) => {
          const where = `groups[${gi}].rules[${ri}]`;
          if (!r.expr || typeof r.expr !== 'string') throw new InvalidPropError(this, `${where}.expr`, r.expr, 'must be a PromQL expression');
          if (isAlert(r)) {
            if (!ALERT_NAME.test(r.alert)) throw new InvalidPropError(this, `${where}.alert`, r.alert, 'must be a CamelCase alert name');
            if (seen.has(r.alert)) throw new InvalidPropError(this, `${where}.alert`, r.alert, 'alert names must be unique');
            seen.add(r.alert);
            this.alertNames.push(r.alert);
            const forDuration = r.for ?? '0s';
            if (!DURATION.test(forDuration)) throw new InvalidPropError(this, `${where}.for`, forDuration, "must be a Prometheus duration such as '10m'");
            if (!r.summary || !r.description) throw new InvalidPropError(this, where, r.alert, 'needs a summary and a description');
            return {
              alert: r.alert,
              expr: r.expr,
              ...(forDuration !== '0s' ? { for: forDuration } : {}),
              labels: { severity: r.severity },
              annotations: { summary: r.summary, description: r.description },
            };
          }
          if (!RECORD_NAME.test(r.record)) throw new InvalidPropError(this, `${where}.record`, r.record, 'must be a metric name (level:metric:operations)');
          return { record: r.record, expr: r.expr };
        }),
      };
    });
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name, namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY, ...props.prometheus.selectorLabels } },
      spec: { groups },
    });
  }
}
