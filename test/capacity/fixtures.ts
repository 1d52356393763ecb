import { resolveClusterModel, type ClusterModelDocument } from '../../src/cluster/cluster-model-document.js';
import type { KubeObject } from '../../src/policy/types.js';

/** A resolved cluster model from pool inputs (fails the test on invalid input). */
export function cluster(pools: Record<string, unknown>[], extra: Record<string, unknown> = {}): ClusterModelDocument {
  const result = resolveClusterModel({ name: 'test', ...extra, pools });
  if (!result.model) throw new Error(JSON.stringify(result.problems));
  return result.model;
}

/** Tolerates the GPU taint. */
export const GPU_TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

export interface PodOptions {
  readonly requests?: Record<string, string>;
  readonly limits?: Record<string, string>;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: unknown[];
  readonly affinity?: unknown;
  readonly priorityClassName?: string;
  readonly labels?: Record<string, string>;
  readonly initContainers?: unknown[];
  readonly extraSpec?: Record<string, unknown>;
}

export function podSpec(name: string, o: PodOptions = {}): Record<string, unknown> {
  return {
    containers: [{ name: 'main', image: `example/${name}:1`, resources: { ...(o.requests ? { requests: o.requests } : {}), ...(o.limits ? { limits: o.limits } : {}) } }],
    ...(o.initContainers ? { initContainers: o.initContainers } : {}),
    ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
    ...(o.tolerations ? { tolerations: o.tolerations } : {}),
    ...(o.affinity ? { affinity: o.affinity } : {}),
    ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
    ...(o.extraSpec ?? {}),
  };
}

function template(name: string, o: PodOptions): Record<string, unknown> {
  return { metadata: { labels: { 'app.kubernetes.io/name': name, ...(o.labels ?? {}) } }, spec: podSpec(name, o) };
}

export function deployment(name: string, namespace: string, replicas: number, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { replicas, selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template: template(name, o) },
  };
}

export function statefulSet(name: string, namespace: string, replicas: number, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace },
    spec: { replicas, serviceName: name, selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template: template(name, o) },
  };
}

export function daemonSet(name: string, namespace: string, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template: template(name, o) },
  };
}

export function job(name: string, namespace: string, parallelism: number, o: PodOptions = {}, completions?: number): KubeObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace },
    spec: { parallelism, ...(completions !== undefined ? { completions } : {}), template: { ...template(name, o), spec: { ...podSpec(name, o), restartPolicy: 'Never' } } },
  };
}

export function cronJob(name: string, namespace: string, parallelism: number, o: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { parallelism, template: { ...template(name, o), spec: { ...podSpec(name, o), restartPolicy: 'Never' } } } } },
  };
}

export function hpa(target: string, namespace: string, minReplicas: number, maxReplicas: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: target, namespace },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas, maxReplicas },
  };
}

export function scaledObject(target: string, namespace: string, max?: number, min?: number): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: target, namespace },
    spec: { scaleTargetRef: { name: target }, ...(max !== undefined ? { maxReplicaCount: max } : {}), ...(min !== undefined ? { minReplicaCount: min } : {}), triggers: [] },
  };
}

export function quota(namespace: string, hard: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace }, spec: { hard } };
}

export function priorityClass(name: string, value: number, globalDefault = false): KubeObject {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, globalDefault } as unknown as KubeObject;
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** Required anti-affinity on hostname against pods with the same name label. */
export function antiAffinityOnHostname(name: string): unknown {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } }, topologyKey: 'kubernetes.io/hostname' }],
    },
  };
}
