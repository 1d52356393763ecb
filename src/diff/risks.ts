import { GPU_RESOURCE } from '../core/labels.js';
import { ChangeAction, describeResource, FieldChange, Manifest, DiffResourceRef, Risk, RiskLevel } from './model.js';
import { FluxOwner } from './flux-ownership.js';
import { isRecord } from './paths.js';
import { containersOf, podRequest, podSpecOf, replicasOf } from './pod-templates.js';

/** The inputs of the risk rules for one object (sensitive values already masked). */
export interface RiskInput {
  readonly action: ChangeAction;
  readonly resource: DiffResourceRef;
  readonly base?: Manifest;
  readonly head?: Manifest;
  readonly fields: readonly FieldChange[];
  /** For removed objects: the Flux Kustomization that applied it, when known. */
  readonly fluxOwner?: FluxOwner;
}

/**
 * Fields Kubernetes rejects changes to (Flux's server-side apply fails until the object is
 * recreated), by kind. A change to the field or anything below it is a risk.
 */
export const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  ReplicaSet: ['spec.selector'],
  StatefulSet: ['spec.selector', 'spec.volumeClaimTemplates', 'spec.serviceName', 'spec.podManagementPolicy'],
  Job: ['spec.selector', 'spec.template', 'spec.completionMode'],
  Service: ['spec.clusterIP', 'spec.clusterIPs'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeName', 'spec.volumeMode', 'spec.selector'],
  RoleBinding: ['roleRef'],
  ClusterRoleBinding: ['roleRef'],
};

/** Removed kinds whose pruning destroys data or everything inside them, in the order they are listed. */
const DESTRUCTIVE_PRUNE: readonly string[] = ['Namespace', 'CustomResourceDefinition', 'PersistentVolumeClaim', 'StatefulSet', 'PersistentVolume'];

/** Rule order within a level: the order risks are listed in. */
const CODE_ORDER: readonly string[] = [
  'immutable-field', 'prune', 'networkpolicy-removed', 'privilege-widening', 'build-config', 'replicas-decrease',
  'gpu-request-change', 'memory-request-change', 'pdb-removed', 'chart-major-bump', 'image-change', 'orphan',
];
const LEVEL_ORDER: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`) || path.startsWith(`${prefix}(`);
}

/** The risks of one object's change, unordered. */
export function risksOf(input: RiskInput): Risk[] {
  const risks: Risk[] = [];
  const add = (level: RiskLevel, code: string, message: string): void => {
    risks.push({ level, code, message: `${describeResource(input.resource)}: ${message}`, resource: input.resource });
  };
  const { action, base, head, fields, resource } = input;
  if (action === 'removed') removedRisks(resource, input.fluxOwner, add);
  if (action === 'changed') {
    const immutable = (IMMUTABLE_FIELDS[resource.kind] ?? []).filter((prefix) => fields.some((f) => under(f.path, prefix)));
    for (const prefix of immutable) add('high', 'immutable-field', `${prefix} is immutable; Flux cannot apply this change in place (the object must be deleted and recreated)`);
    replicaRisks(resource.kind, base, head, add);
    chartRisks(resource.kind, base, head, add);
  }
  resourceRisks(base, head, add);
  imageRisks(base, head, add);
  privilegeRisks(action, base, head, add);
  return risks;
}

type AddRisk = (level: RiskLevel, code: string, message: string) => void;

function removedRisks(resource: DiffResourceRef, owner: FluxOwner | undefined, add: AddRisk): void {
  if (owner && !owner.prune) {
    add('low', 'orphan', `removed from the tree, but Kustomization ${owner.kustomization} has prune: false: the object stays in the cluster until deleted by hand`);
    return;
  }
  const by = owner ? ` (Kustomization ${owner.kustomization}, prune: true)` : '';
  if (resource.kind === 'NetworkPolicy') add('high', 'networkpolicy-removed', `NetworkPolicy removed; traffic it restricted will be allowed once Flux prunes it${by}`);
  else if (resource.kind === 'PodDisruptionBudget') add('medium', 'pdb-removed', `PodDisruptionBudget removed; voluntary disruptions (node drains) are no longer limited${by}`);
  else if (resource.kind === 'Namespace') add('high', 'prune', `Flux will delete the namespace and every object in it${by}`);
  else if (resource.kind === 'CustomResourceDefinition') add('high', 'prune', `Flux will delete the CRD and every custom resource of this type${by}`);
  else if (resource.kind === 'PersistentVolumeClaim' || resource.kind === 'PersistentVolume') add('high', 'prune', `Flux will delete the volume claim; its data may be lost${by}`);
  else if (resource.kind === 'StatefulSet') add('high', 'prune', `Flux will delete the StatefulSet and its pods${by}`);
  else add('medium', 'prune', `Flux will delete this object (prune)${by}`);
}

function valueAt(manifest: Manifest | undefined, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), manifest);
}

function numberAt(manifest: Manifest | undefined, ...keys: string[]): number | undefined {
  const value = valueAt(manifest, ...keys);
  return typeof value === 'number' ? value : undefined;
}

function replicaRisks(kind: string, base: Manifest | undefined, head: Manifest | undefined, add: AddRisk): void {
  const fieldByKind: Record<string, string[]> = {
    Deployment: ['spec', 'replicas'],
    StatefulSet: ['spec', 'replicas'],
    ReplicaSet: ['spec', 'replicas'],
    HorizontalPodAutoscaler: ['spec', 'minReplicas'],
    ScaledObject: ['spec', 'minReplicaCount'],
  };
  const keys = fieldByKind[kind];
  if (!keys) return;
  const before = numberAt(base, ...keys);
  const after = numberAt(head, ...keys);
  if (before === undefined || after === undefined || after >= before) return;
  add(after === 0 || after <= before / 2 ? 'high' : 'medium', 'replicas-decrease', `${keys.join('.')} goes down ${before}→${after}`);
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (Math.abs(bytes) >= size && Number.isInteger((bytes / size) * 100)) return `${+(bytes / size).toFixed(2)}${unit}`;
  }
  return `${bytes}`;
}

function resourceRisks(base: Manifest | undefined, head: Manifest | undefined, add: AddRisk): void {
  const beforePod = podSpecOf(base);
  const afterPod = podSpecOf(head);
  if (!beforePod && !afterPod) return;
  const replicasBefore = replicasOf(beforePod ? base : undefined);
  const replicasAfter = replicasOf(afterPod ? head : undefined);
  const gpuBefore = podRequest(beforePod, GPU_RESOURCE);
  const gpuAfter = podRequest(afterPod, GPU_RESOURCE);
  const totalBefore = gpuBefore * replicasBefore;
  const totalAfter = gpuAfter * replicasAfter;
  if (gpuBefore !== gpuAfter || (totalBefore !== totalAfter && (gpuBefore > 0 || gpuAfter > 0))) {
    const delta = totalAfter - totalBefore;
    add('medium', 'gpu-request-change', `${GPU_RESOURCE} per pod ${gpuBefore}→${gpuAfter}, total ${totalBefore}→${totalAfter} (${delta >= 0 ? '+' : ''}${delta})`);
  }
  if (beforePod && afterPod) {
    const memBefore = podRequest(beforePod, 'memory');
    const memAfter = podRequest(afterPod, 'memory');
    if (memBefore !== memAfter) add('medium', 'memory-request-change', `memory request per pod ${formatBytes(memBefore)}→${formatBytes(memAfter)}`);
  }
}

const majorOf = (version: unknown): number | undefined => {
  const match = typeof version === 'string' ? /^v?(\d+)\./.exec(version) : null;
  return match ? Number(match[1]) : undefined;
};

/** A HelmRelease chart moving to another major version (0.x → 1.x included): breaking changes are likely. */
function chartRisks(kind: string, base: Manifest | undefined, head: Manifest | undefined, add: AddRisk): void {
  if (kind !== 'HelmRelease') return;
  const before = valueAt(base, 'spec', 'chart', 'spec', 'version');
  const after = valueAt(head, 'spec', 'chart', 'spec', 'version');
  if (before === after || majorOf(before) === undefined || majorOf(before) === majorOf(after)) return;
  add('medium', 'chart-major-bump', `chart version ${String(before)}→${String(after)} changes the major version; read the chart's upgrade notes`);
}

/** An image reference split into repository, tag and digest. */
export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry:5000/repo/name:tag@sha256:...`. */
export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  return { repository: tag === undefined ? rest : rest.slice(0, colon), tag, digest };
}

function versionOf(ref: ImageRef): string {
  if (ref.digest) return ref.tag ? `${ref.tag}@${ref.digest}` : `@${ref.digest}`;
  return ref.tag ?? '(no tag)';
}

/** Describes how an image changed, e.g. `tag to digest`. */
export function imageChangeKind(before: ImageRef, after: ImageRef): string {
  if (before.repository !== after.repository) return 'repository changed';
  const side = (r: ImageRef) => (r.digest ? 'digest' : 'tag');
  return `${side(before)} to ${side(after)}`;
}

function imageRisks(base: Manifest | undefined, head: Manifest | undefined, add: AddRisk): void {
  if (!base || !head) return;
  const before = containersOf(podSpecOf(base));
  const after = containersOf(podSpecOf(head));
  for (const [name, container] of after) {
    const old = before.get(name);
    if (!old || typeof old.image !== 'string' || typeof container.image !== 'string' || old.image === container.image) continue;
    const from = parseImage(old.image);
    const to = parseImage(container.image);
    const floating = !to.digest && (to.tag === undefined || to.tag === 'latest');
    const repo = from.repository === to.repository ? `${to.repository} ` : `${old.image} → `;
    const versions = from.repository === to.repository ? `${versionOf(from)}→${versionOf(to)}` : container.image;
    add(floating ? 'medium' : 'low', 'image-change', `container ${name} image ${repo}${versions} (${imageChangeKind(from, to)}${floating ? ', floating tag' : ''})`);
  }
}

const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'];

function privilegeRisks(action: ChangeAction, base: Manifest | undefined, head: Manifest | undefined, add: AddRisk): void {
  if (action === 'removed') return;
  const beforePod = podSpecOf(base) ?? {};
  const afterPod = podSpecOf(head);
  if (afterPod) {
    for (const field of HOST_NAMESPACES) if (afterPod[field] === true && beforePod[field] !== true) add('high', 'privilege-widening', `${field} enabled`);
    const hostPaths = (pod: Record<string, unknown>) => new Set((Array.isArray(pod.volumes) ? pod.volumes : []).filter((v) => isRecord(v) && v.hostPath).map((v) => (v as { name: string }).name));
    const oldHostPaths = hostPaths(beforePod);
    for (const volume of hostPaths(afterPod)) if (!oldHostPaths.has(volume)) add('high', 'privilege-widening', `hostPath volume ${volume} added`);
    const before = containersOf(beforePod);
    for (const [name, container] of containersOf(afterPod)) {
      const now = isRecord(container.securityContext) ? container.securityContext : {};
      const old = isRecord(before.get(name)?.securityContext) ? (before.get(name)!.securityContext as Record<string, unknown>) : {};
      if (now.privileged === true && old.privileged !== true) add('high', 'privilege-widening', `container ${name} becomes privileged`);
      if (now.allowPrivilegeEscalation !== false && old.allowPrivilegeEscalation === false) add('high', 'privilege-widening', `container ${name} allows privilege escalation`);
      if (now.runAsNonRoot !== true && old.runAsNonRoot === true) add('high', 'privilege-widening', `container ${name} may run as root (runAsNonRoot no longer true)`);
      if (now.readOnlyRootFilesystem !== true && old.readOnlyRootFilesystem === true) add('medium', 'privilege-widening', `container ${name} root filesystem becomes writable`);
      const caps = (ctx: Record<string, unknown>) => new Set(isRecord(ctx.capabilities) && Array.isArray(ctx.capabilities.add) ? ctx.capabilities.add.map(String) : []);
      const oldCaps = caps(old);
      const added = [...caps(now)].filter((c) => !oldCaps.has(c));
      if (added.length > 0) add('high', 'privilege-widening', `container ${name} adds capabilities ${added.join(', ')}`);
    }
  }
  if (head && (head.kind === 'ClusterRole' || head.kind === 'Role')) {
    const wildcards = (m: Manifest | undefined) => new Set((Array.isArray(m?.rules) ? m.rules : []).filter((r) => isRecord(r) && ['verbs', 'resources', 'apiGroups'].some((k) => Array.isArray(r[k]) && (r[k] as unknown[]).includes('*'))).map((r) => JSON.stringify(r)));
    const old = wildcards(base);
    if ([...wildcards(head)].some((rule) => !old.has(rule))) add('high', 'privilege-widening', 'grants a wildcard (*) rule');
  }
  if (head?.kind === 'ClusterRoleBinding' && action === 'added') {
    const role = isRecord(head.roleRef) ? head.roleRef.name : undefined;
    add(role === 'cluster-admin' ? 'high' : 'medium', 'privilege-widening', `new cluster-wide binding to ClusterRole ${String(role)}`);
  }
}

const PRUNE_ORDER = (kind: string): number => {
  const index = DESTRUCTIVE_PRUNE.indexOf(kind);
  return index < 0 ? DESTRUCTIVE_PRUNE.length : index;
};

/** Orders risks most serious first: level, rule, then (for prunes) namespaces, CRDs, PVCs first, then resource. */
export function compareRisks(a: Risk, b: Risk): number {
  return LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]
    || CODE_ORDER.indexOf(a.code) - CODE_ORDER.indexOf(b.code)
    || (a.code === 'prune' ? PRUNE_ORDER(a.resource.kind) - PRUNE_ORDER(b.resource.kind) : 0)
    || compareText(a.message, b.message);
}

/** Plain code-unit comparison (locale independent, so output is stable everywhere). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
