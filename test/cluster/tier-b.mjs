// Tier B: a simulated Lambda GPU cluster. kwok Nodes mirror the declared node pools (allocatable
// nvidia.com/gpu, CPU, memory, GPU product label, GPU taint); the real kube-scheduler and
// kube-controller-manager run. Crafted over-capacity and mis-tolerated cases are judged by the
// scheduler and compared with `lambda-gitops plan`; then the whole tree is applied and every
// Deployment/StatefulSet/Job must have its pods scheduled and Running.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { applyCluster } from './harness/apply.mjs';
import { chartsOption, dormantReason } from './harness/charts.mjs';
import { describe } from './harness/kube.mjs';
import { log, mkdirp, run, sleep, waitFor } from './harness/proc.mjs';
import { startStack, clusterPools, createNodes, createVolumesFor, isWorkload, checkWorkloads, workloadState, pendingReasons } from './harness/workloads.mjs';

const CASE_NS = 'lgo-scheduling-cases';

export async function tierB({ root, work, report, versions, clusters }) {
  const cluster = pickCluster(clusters);
  const dir = mkdirp(work, 'tier-b');
  const stack = await startStack(dir, { root, versions, bootstrapOnly: true });
  report.pass('tierB control plane, scheduler, controller-manager and kwok start');
  try {
    const { pools, fromModel, cm } = clusterPools(cluster);
    if (!fromModel) report.skip('tierB nodes from the tree\'s cluster model', 'no cluster-model ConfigMap in the tree; sample pools used');
    const nodes = await createNodes(stack.kube, pools);
    report.pass(`tierB ${nodes.length} kwok nodes Ready`, pools.map((p) => `${p.name}x${p.count}`).join(' '));

    await schedulingCases(stack.kube, { pools, cm, dir, root, report });

    await createVolumesFor(stack.kube, cluster.kustomizations.flatMap((k) => k.objects));
    const applied = await applyCluster(stack.kube, cluster, { report, prefix: `tierB[${cluster.name}] apply`, mode: 'apply', charts: chartsOption(root) });
    const workloads = [];
    for (const o of applied.filter(isWorkload)) {
      const dormant = dormantReason(o);
      if (dormant) report.skip(`tierB[${cluster.name}] ${describe(o)} scheduled and running`, `runs on no node by design: ${dormant}`);
      else workloads.push({ obj: o, ns: o.__targetNamespace ?? o.metadata.namespace ?? o.__release?.release.namespace });
    }
    // A CronJob only makes Jobs on its schedule: start one now from its jobTemplate, as
    // `kubectl create job --from=cronjob/<name>` does, so its pods are scheduled too.
    for (const cj of applied.filter((o) => o.kind === 'CronJob')) {
      const ns = cj.__targetNamespace ?? cj.metadata.namespace;
      const job = {
        apiVersion: 'batch/v1', kind: 'Job',
        metadata: { name: `${cj.metadata.name}-manual`.slice(0, 63), namespace: ns, labels: cj.spec.jobTemplate.metadata?.labels ?? {}, annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' } },
        spec: cj.spec.jobTemplate.spec,
      };
      await stack.kube.apply(job);
      workloads.push({ obj: job, ns });
    }
    log(`tierB: waiting for ${workloads.length} workloads`);
    await checkWorkloads(stack.kube, workloads, report, `tierB[${cluster.name}]`, Number(process.env.TIER_B_TIMEOUT_S ?? 120) * 1000);
  } finally {
    await stack.stop();
  }
}

export function pickCluster(clusters) {
  const want = process.env.CLUSTER_NAME;
  const c = want ? clusters.find((x) => x.name === want) : clusters[0];
  if (!c) throw new Error(`cluster ${want} not found in dist/clusters`);
  if (clusters.length > 1 && !want) log(`several clusters in dist; Tier B/C use ${c.name} (set CLUSTER_NAME to choose)`);
  return c;
}

/** Crafted cases derived from the pools: expected verdicts follow from allocatable and taints. */
export function craftCases(pools) {
  const gpuPools = pools.filter((p) => Number(p.allocatable['nvidia.com/gpu'] ?? 0) > 0);
  if (!gpuPools.length) return [];
  const big = gpuPools.reduce((a, b) => (Number(b.allocatable['nvidia.com/gpu']) > Number(a.allocatable['nvidia.com/gpu']) ? b : a));
  const maxGpu = Number(big.allocatable['nvidia.com/gpu']);
  const totalGpu = gpuPools.reduce((s, p) => s + p.count * Number(p.allocatable['nvidia.com/gpu']), 0);
  const tolerAll = [...new Map(gpuPools.flatMap((p) => p.taints).map((t) => [t.key, { key: t.key, operator: 'Exists', effect: t.effect ?? 'NoSchedule' }])).values()];
  const tainted = gpuPools.every((p) => p.taints.length > 0);
  const mk = (name, { gpus, replicas = 1, tolerations, cpu = '1', memory = '1Gi' }) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: CASE_NS, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: {
          automountServiceAccountToken: false,
          ...(tolerations.length ? { tolerations } : {}),
          containers: [{
            name: 'main',
            image: 'registry.invalid/lambda-gitops/sleeper:1',
            resources: { requests: { cpu, memory, 'nvidia.com/gpu': String(gpus) }, limits: { cpu, memory, 'nvidia.com/gpu': String(gpus) } },
          }],
        },
      },
    },
  });
  const cases = [
    { name: 'fits-one-gpu', expect: 'fits', obj: mk('fits-one-gpu', { gpus: 1, tolerations: tolerAll }) },
    { name: 'too-many-gpus-per-pod', expect: 'unschedulable', obj: mk('too-many-gpus-per-pod', { gpus: maxGpu + 1, tolerations: tolerAll }) },
    { name: 'more-replicas-than-gpus', expect: 'unschedulable', obj: mk('more-replicas-than-gpus', { gpus: 1, replicas: totalGpu + 1, tolerations: tolerAll }) },
  ];
  if (tainted) cases.push({ name: 'gpu-without-toleration', expect: 'unschedulable', obj: mk('gpu-without-toleration', { gpus: 1, tolerations: [] }) });
  return cases;
}

async function schedulingCases(kube, { pools, cm, dir, root, report }) {
  const cases = craftCases(pools);
  if (!cases.length) { report.skip('tierB scheduling cases', 'no GPU pool in the model'); return; }
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CASE_NS } });
  await waitFor('default ServiceAccount in the cases namespace', async () => kube.get('v1', 'ServiceAccount', 'default', CASE_NS), { timeoutMs: 30000 });
  // Each case alone on the empty cluster, so earlier cases do not use up GPUs of later ones.
  const verdicts = {};
  for (const c of cases) {
    await kube.apply(c.obj);
    let verdict;
    await waitFor(`scheduler verdict for ${c.name}`, async () => {
      const s = await workloadState(kube, c.obj, CASE_NS);
      if (s.done) { verdict = { verdict: 'fits', detail: s.why }; return true; }
      const reasons = await pendingReasons(kube, c.obj, CASE_NS);
      const unsched = reasons.filter((r) => /Unschedulable/.test(r));
      if (unsched.length) { verdict = { verdict: 'unschedulable', detail: unsched[0] }; return true; }
      return false;
    }, { timeoutMs: 60000 });
    verdicts[c.name] = verdict;
    if (verdict.verdict === c.expect) report.pass(`tierB scheduler verdict ${c.name} = ${c.expect}`, verdict.detail.slice(0, 160));
    else report.fail(`tierB scheduler verdict ${c.name} = ${c.expect}`, `scheduler says ${verdict.verdict}: ${verdict.detail}`);
    await kube.delete(c.obj);
    await waitFor(`pods of ${c.name} gone`, async () => (await kube.list('v1', 'Pod', CASE_NS)).length === 0, { timeoutMs: 60000 });
  }
  comparePlan({ cases, verdicts, cm, pools, dir, root, report });
}

/** Compare the scheduler's verdicts with `lambda-gitops plan --format json` on the same manifests. */
function comparePlan({ cases, verdicts, cm, pools, dir, root, report }) {
  const cli = path.join(root, 'lib/cli/main.js');
  const cmd = path.join(root, 'lib/cli/commands/plan.js');
  if (!fs.existsSync(cli) || !fs.existsSync(cmd)) {
    report.skip('tierB plan agrees with the scheduler', `${path.relative(root, fs.existsSync(cli) ? cmd : cli)} does not exist (lambda-gitops plan not built yet: npm run build); comparison not run`);
    return;
  }
  const caseDir = mkdirp(dir, 'plan-cases');
  // plan reads the cluster model document (the ConfigMap's cluster.yaml) with --cluster FILE.
  const modelText = cm ? Object.values(cm.data ?? {})[0] : yaml.dump({
    apiVersion: 'lambda-gitops.dev/v1alpha1', kind: 'ClusterModel', name: 'sample',
    pools: pools.map((p) => ({ name: p.name, instanceType: p.instanceType, nodes: p.count })),
  });
  const modelFile = path.join(caseDir, 'cluster.yaml');
  fs.writeFileSync(modelFile, modelText);
  for (const c of cases) {
    const one = mkdirp(caseDir, c.name);
    fs.writeFileSync(path.join(one, `${c.name}.yaml`), yaml.dump(c.obj));
    let out;
    try {
      out = run('node', [cli, 'plan', '--format', 'json', '--cluster', modelFile, one], { cwd: root });
    } catch (e) {
      // plan may exit non-zero to signal "does not fit"; its JSON is still on stdout.
      out = e.stdout;
      if (!out || !out.trim().startsWith('{') && !out.trim().startsWith('[')) {
        const msg = `${e.stderr || e.message}`.trim();
        if (/unknown (sub)?command|not a command|Unknown command/i.test(msg)) {
          report.skip('tierB plan agrees with the scheduler', `lambda-gitops plan is not available yet: ${msg.split('\n')[0]}`);
          return;
        }
        report.fail(`tierB plan verdict ${c.name}`, `plan failed: ${msg.slice(0, 800)}`);
        continue;
      }
    }
    let planVerdict;
    try {
      planVerdict = planFits(JSON.parse(out), c.name);
    } catch (e) {
      report.fail(`tierB plan verdict ${c.name}`, `cannot read plan's JSON: ${e.message}\n${out.slice(0, 800)}`);
      continue;
    }
    const sched = verdicts[c.name].verdict;
    if (planVerdict.verdict === sched) report.pass(`tierB plan verdict ${c.name} matches scheduler (${sched})`, planVerdict.reason.slice(0, 120));
    else report.fail(`tierB plan verdict ${c.name} matches scheduler`, `plan: ${planVerdict.verdict} ${planVerdict.reason}\nscheduler: ${sched} (${verdicts[c.name].detail})`);
  }
}

/** Read plan's verdict for a case: 'fits' or 'unschedulable' (plan's JSON: fits, unschedulable[].resource "Kind/ns/name"). */
export function planFits(json, name) {
  const hit = (json.unschedulable ?? []).find((u) => String(u.resource ?? '').split('/').pop() === name);
  if (hit) return { verdict: 'unschedulable', reason: hit.reason ?? '' };
  if (typeof json.fits === 'boolean') return { verdict: json.fits ? 'fits' : 'unschedulable', reason: json.fits ? '' : 'fits=false (quota or other workload)' };
  throw new Error(`no verdict for ${name} (expected "fits" and "unschedulable" in plan's JSON)`);
}

export { sleep, describe };
