import type { CrossResourceRule } from '../registry.js';
import { workloadFacts } from './workloads.js';

interface Probe {
  httpGet?: unknown;
  tcpSocket?: unknown;
  exec?: unknown;
  grpc?: unknown;
  periodSeconds?: number;
  failureThreshold?: number;
}

const HANDLERS = ['httpGet', 'tcpSocket', 'exec', 'grpc'] as const;

/**
 * The endpoint a probe checks, as a comparable string. HTTP headers are left out: probes that
 * differ only in a header (microservices-demo tags each probe with its own cookie) hit the same
 * handler, so the same overload fails both.
 */
function handlerOf(probe: Probe): string {
  return JSON.stringify(HANDLERS.map((h) => {
    const handler = probe[h];
    if (h !== 'httpGet' || !handler || typeof handler !== 'object') return handler ?? null;
    const { httpHeaders: _headers, ...endpoint } = handler as Record<string, unknown>;
    return endpoint;
  }));
}

/** Seconds of consecutive failures before the kubelet acts (Kubernetes defaults: 10 s x 3). */
function failureWindow(probe: Probe): number {
  return (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
}

/**
 * A liveness probe that checks the same endpoint as the readiness probe must tolerate failures
 * for longer, so a busy server (loading a model, a long batch) is first taken out of rotation and
 * only restarted if it stays unhealthy. kube-score flags identical probes; this rule accepts the
 * same handler when the liveness failure window is strictly longer.
 */
export const probesLivenessAfterReadiness: CrossResourceRule = {
  name: 'probes-liveness-after-readiness',
  evaluate(ctx) {
    for (const template of ctx.index.podTemplates()) {
      const containers = (template.spec.containers as Array<{ name?: string; readinessProbe?: Probe; livenessProbe?: Probe }> | undefined) ?? [];
      let failed = false;
      containers.forEach((container, i) => {
        const { readinessProbe: readiness, livenessProbe: liveness } = container;
        if (!readiness || !liveness || handlerOf(readiness) !== handlerOf(liveness)) return;
        if (failureWindow(liveness) > failureWindow(readiness)) return;
        failed = true;
        ctx.fail(template.owner,
          `container ${container.name ?? i} checks the same endpoint for liveness and readiness, and liveness gives up after ${failureWindow(liveness)} s, not later than readiness (${failureWindow(readiness)} s): a busy pod is restarted instead of being taken out of rotation`,
          `${template.specPath}/containers/${i}/livenessProbe`);
      });
      if (!failed) ctx.pass(template.owner);
    }
  },
};

interface ProbedContainer {
  name?: string;
  ports?: unknown[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}

/**
 * Serving containers have readiness and liveness probes. A container serves when it declares a
 * port, or when a Service selects its pods (a Service may target a port the container never
 * declares, as kubernetes/examples' vLLM Deployment does; kube-score pod-probes). Init and
 * ephemeral containers are not probed by the kubelet and are not checked.
 */
export const probes: CrossResourceRule = {
  name: 'probes',
  evaluate(ctx) {
    const facts = workloadFacts(ctx.index);
    for (const template of ctx.index.podTemplates()) {
      const services = facts.servicesOf(template.owner);
      const containers = (Array.isArray(template.spec.containers) ? template.spec.containers : []) as ProbedContainer[];
      let serving = false;
      let failed = false;
      containers.forEach((container, i) => {
        const declaresPort = Array.isArray(container?.ports) && container.ports.length > 0;
        if (!declaresPort && services.length === 0) return;
        serving = true;
        const missing = (['readinessProbe', 'livenessProbe'] as const).filter((p) => !container[p]);
        if (missing.length === 0) return;
        failed = true;
        const why = declaresPort ? 'declares a port' : `is served by ${services.map((s) => `Service ${s.object.metadata.name}`).join(', ')}`;
        ctx.fail(template.owner, `container ${container.name ?? i} ${why} but lacks a ${missing.join(' and a ')}`, `${template.specPath}/containers/${i}`);
      });
      if (serving && !failed) ctx.pass(template.owner);
    }
  },
};
