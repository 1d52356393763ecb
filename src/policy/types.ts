/** Shared types of the policy gate. */

/** A Kubernetes object as parsed from YAML (only the fields the gate relies on are typed). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Rule severity, highest first. */
export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Whether `severity` is at or above `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** The outcome of one rule on one resource (PolicyReport / kyverno-test vocabulary). */
export type ResultKind = 'pass' | 'fail' | 'warn' | 'skip';

/** The resource a result is about. */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One result of the gate. */
export interface PolicyResult {
  /** The rule id (its folder name under policies/). */
  readonly policy: string;
  readonly severity: Severity;
  /** `fail` (severity error), `warn` (warning/info), `pass`, or `skip` (exempted by annotation). */
  readonly result: ResultKind;
  readonly message: string;
  readonly resource: ResourceRef;
  /** The file, relative to the working directory, with forward slashes. */
  readonly file: string;
  /** 1-based line of the offending field when known, else of the object. */
  readonly line: number;
  /** JSON pointer of the offending field within the object, when known. */
  readonly field?: string;
  /** Present when an exemption annotation turned a failure into `skip`. */
  readonly exemption?: { readonly reason: string };
}

/** Counts by result. */
export interface ResultSummary {
  pass: number;
  fail: number;
  warn: number;
  skip: number;
}
