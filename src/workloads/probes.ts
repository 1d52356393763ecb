import { k8s } from 'cdk8s-plus-28';

/** How a probe checks a container. */
export interface ProbeCheck {
  /** HTTP GET path; when omitted the probe is a TCP connect. */
  readonly path?: string;
  /** Container port name or number to probe. */
  readonly port: string | number;
}

/** Timing of one probe. */
export interface ProbeTiming {
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
}

/** Renders an HTTP (when `path` is set) or TCP probe with explicit timing. */
export function renderProbe(check: ProbeCheck, timing: ProbeTiming = {}): k8s.Probe {
  const port = typeof check.port === 'number' ? k8s.IntOrString.fromNumber(check.port) : k8s.IntOrString.fromString(check.port);
  return {
    ...(check.path ? { httpGet: { path: check.path, port } } : { tcpSocket: { port } }),
    periodSeconds: timing.periodSeconds ?? 10,
    failureThreshold: timing.failureThreshold ?? 3,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
    ...(timing.initialDelaySeconds ? { initialDelaySeconds: timing.initialDelaySeconds } : {}),
  };
}

/**
 * A startup probe that gives a slow server `budgetSeconds` to come up (model loading), checked
 * every `periodSeconds`.
 */
export function startupProbe(check: ProbeCheck, budgetSeconds: number, periodSeconds = 10): k8s.Probe {
  return renderProbe(check, { periodSeconds, failureThreshold: Math.max(1, Math.ceil(budgetSeconds / periodSeconds)) });
}
