// Simulated GPU cluster helpers: start the full stack, create kwok nodes, and judge workloads.
import { startEtcd, startApiserver, startScheduler, startControllerManager, startKwok } from './controlplane.mjs';
import { crdFiles, installCrds } from './crds.mjs';
import { findModel, poolsFromModel, nodesForPools, SAMPLE_POOLS } from './pools.mjs';
import { describe } from './kube.mjs';
import { log, stop, waitFor } from './proc.mjs';

export async function startStack(dir, { root, versions, bootstrapOnly = false }) {
  const procs = [];
  const etcd = await startEtcd(dir);
  procs.push(etcd.child);
  const api = await startApiserver(dir, etcd.url);
  procs.push(api.child);
  const stack = { etcd, api, kube: api.kube, procs };
  stack.stop = async () => {
    for (const p of [...stack.procs].reverse()) await stop(p);
    etcd.cleanup();
  };
  try {
    await installCrds(api.kube, crdFiles(root, versions, { bootstrapOnly }));
    const kcm = await startControllerManager(dir, api);
    procs.push(kcm.child);
    const sched = await startScheduler(dir, api);
    procs.push(sched.child);
    const kwok = await startKwok(dir, api, versions.KWOK_VERSION);
    procs.push(kwok.child);
  } catch (e) {
    await stack.stop();
    throw e;
  }
  return stack;
}

/** Pools from the tree's cluster model, or the built-in sample (says which). */
export function clusterPools(cluster) {
  const all = [...cluster.objects, ...cluster.kustomizations.flatMap((k) => k.objects)];
  const cm = findModel(all);
  if (!cm) {
    log(`WARNING: no ConfigMap labelled lambda-gitops.dev/cluster-model=true in cluster ${cluster.name}; using the built-in sample pools`);
    return { pools: SAMPLE_POOLS, fromModel: false };
  }
  const { pools, key } = poolsFromModel(cm);
  log(`cluster model ${cm.metadata.namespace}/${cm.metadata.name} (key ${key}): ${pools.map((p) => `${p.name} x${p.count} ${p.instanceType}`).join(', ')}`);
  return { pools, fromModel: true, cm };
}

export async function createNodes(kube, pools) {
  const nodes = nodesForPools(pools, (note) => log(note));
  for (const n of nodes) await kube.apply(n);
  await waitFor(`${nodes.length} kwok nodes Ready`, async () => {
    const list = await kube.list('v1', 'Node');
    const ready = list.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.length >= nodes.length;
  }, { timeoutMs: 60000 });
  return nodes;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet']);
export const isWorkload = (o) => WORKLOAD_KINDS.has(o.kind) && /^(apps|batch)\/v1$/.test(o.apiVersion);

/** Is the workload's desired state reached (pods scheduled and Running/Ready, or Job complete)? */
export async function workloadState(kube, o, ns) {
  const cur = await kube.get(o.apiVersion, o.kind, o.metadata.name, ns);
  if (!cur) return { done: false, why: 'object not found' };
  const st = cur.status ?? {};
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
    const want = cur.spec.replicas ?? 1;
    const ready = st.readyReplicas ?? 0;
    return { done: ready >= want && (st.updatedReplicas ?? 0) >= want, why: `${ready}/${want} ready` };
  }
  if (o.kind === 'DaemonSet') {
    // A DaemonSet that selects no node has nothing to run: that is a failure, not "all ready".
    const want = st.desiredNumberScheduled ?? 0;
    if (want === 0 && st.observedGeneration) return { done: false, why: 'selects no node (desiredNumberScheduled 0)' };
    return { done: want > 0 && want === (st.numberReady ?? -1), why: `${st.numberReady ?? 0}/${want} ready` };
  }
  // Job: kwok's fast profile completes job pods.
  const ok = (st.succeeded ?? 0) >= (cur.spec.completions ?? 1) || st.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
  return { done: ok, why: `succeeded=${st.succeeded ?? 0} active=${st.active ?? 0}` };
}

/** Scheduler messages for a workload's pending pods (FailedScheduling / PodScheduled=False). */
export async function pendingReasons(kube, o, ns) {
  const sel = o.spec?.selector?.matchLabels ?? o.spec?.template?.metadata?.labels ?? {};
  const q = new URLSearchParams({ labelSelector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') });
  const pods = await kube.list('v1', 'Pod', ns, q.toString());
  const out = [];
  for (const p of pods) {
    const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
    if (!p.spec.nodeName) out.push(`pod ${p.metadata.name}: ${c?.reason ?? 'Pending'} ${c?.message ?? ''}`.trim());
    else if (p.status?.phase !== 'Running' && p.status?.phase !== 'Succeeded') out.push(`pod ${p.metadata.name} on ${p.spec.nodeName}: phase ${p.status?.phase}`);
  }
  if (!pods.length) {
    const events = await kube.list('v1', 'Event', ns);
    for (const e of events) if (e.type === 'Warning') out.push(`event ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.reason}: ${e.message}`);
  }
  return out;
}

/** Wait until every workload reaches its desired state; one report case per workload. */
export async function checkWorkloads(kube, workloads, report, prefix, timeoutMs) {
  const t0 = Date.now();
  const pending = new Map(workloads.map((w) => [w, null]));
  while (pending.size && Date.now() - t0 < timeoutMs) {
    for (const [w] of pending) {
      const s = await workloadState(kube, w.obj, w.ns);
      if (s.done) { report.pass(`${prefix} ${describe(w.obj)} scheduled and running`, s.why); pending.delete(w); }
      else pending.set(w, s.why);
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 1000));
  }
  for (const [w, why] of pending) {
    const reasons = await pendingReasons(kube, w.obj, w.ns).catch((e) => [e.message]);
    const owner = w.obj.__release ? `${w.obj.__release.hr.kind} ${w.obj.__release.hr.metadata.namespace}/${w.obj.__release.hr.metadata.name}: ` : '';
    report.fail(`${prefix} ${describe(w.obj)} scheduled and running`, `${owner}${why} after ${Math.round(timeoutMs / 1000)}s\n${reasons.join('\n')}`);
  }
}

/**
 * There is no storage provisioner in the simulated cluster: pre-create one PersistentVolume per
 * claim the tree makes (PVCs and StatefulSet volumeClaimTemplates x replicas), pre-bound with a
 * claimRef, as an admin doing static provisioning would. The real PV controller binds them.
 */
export async function createVolumesFor(kube, objects) {
  const claims = [];
  for (const o of objects) {
    const ns = o.__targetNamespace ?? o.metadata?.namespace;
    if (o.kind === 'PersistentVolumeClaim') claims.push({ ns, name: o.metadata.name, spec: o.spec });
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec?.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (o.spec.replicas ?? 1); i++) claims.push({ ns, name: `${t.metadata.name}-${o.metadata.name}-${i}`, spec: t.spec });
      }
    }
  }
  for (const c of claims) {
    const pvName = `pv-${c.ns}-${c.name}`.slice(0, 253);
    await kube.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, labels: { 'lambda-gitops.dev/test-volume': 'true' } },
      spec: {
        capacity: { storage: c.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: c.spec?.accessModes ?? ['ReadWriteOnce'],
        storageClassName: c.spec?.storageClassName ?? '',
        ...(c.spec?.volumeMode ? { volumeMode: c.spec.volumeMode } : {}),
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: `/tmp/lambda-gitops-test/${pvName}` },
        claimRef: { namespace: c.ns, name: c.name },
      },
    });
  }
  if (claims.length) log(`created ${claims.length} pre-bound PersistentVolumes (no storage provisioner in the simulated cluster)`);
  return claims.length;
}
