// Renders each Flux HelmRelease of the tree the way helm-controller installs it, from the charts
// vendored in test/cluster/charts (chart repositories cannot be reached here; see its README for
// provenance). helm-controller itself is not served by the Go module proxy, so `helm template`
// (helm v3, built by build.sh) renders the chart with the capabilities of the live test apiserver:
//   - chart: HelmRelease spec.chart.spec {chart, version, sourceRef -> HelmRepository url};
//   - release name: spec.releaseName, else `<targetNamespace>-<name>` when targetNamespace is set,
//     else metadata.name (helm-controller's default); namespace: spec.targetNamespace ?? metadata.namespace;
//   - values: spec.values (valuesFrom needs the cluster's ConfigMaps/Secrets: reported, not guessed);
//   - CRD policy: spec.install.crds (Create by default, Skip drops the chart's crds/ directory);
//   - capabilities: --kube-version and --api-versions from the apiserver's discovery at that point
//     of the Flux order, so `.Capabilities.APIVersions.Has` sees what is really installed;
//   - helm validates the values against the chart's values.schema.json when it has one;
//   - test hooks are not installed (--skip-tests); other hooks are part of the install.
// postRenderers and chartRef (OCIRepository/HelmChart sources) are reported as not rendered.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parseDocs } from './tree.mjs';
import { run } from './proc.mjs';

export const HELM_API = 'helm.toolkit.fluxcd.io';
export const isHelmRelease = (o) => o.kind === 'HelmRelease' && String(o.apiVersion).startsWith(`${HELM_API}/`);

/** The vendored charts: test/cluster/charts/sources.json ({repositoryUrl, chart, version, dir, upstream}). */
export function vendoredCharts(root) {
  const file = path.join(root, 'test/cluster/charts/sources.json');
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  return list.map((c) => ({ ...c, dir: path.join(root, 'test/cluster/charts', c.dir) }));
}

/** Where helm-controller puts the release, and under which name. */
export function releaseOf(hr) {
  const targetNamespace = hr.spec?.targetNamespace;
  const name = hr.spec?.releaseName ?? (targetNamespace ? `${targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
  return { name, namespace: targetNamespace ?? hr.metadata.namespace };
}

export const hrName = (hr) => `HelmRelease ${hr.metadata.namespace}/${hr.metadata.name}`;

/**
 * Finds the vendored chart for a HelmRelease. `objects` are every object of the cluster (to find its
 * HelmRepository). Throws an Error whose message names the HelmRelease and what is missing.
 */
export function chartFor(hr, objects, charts) {
  const spec = hr.spec?.chart?.spec;
  if (!spec) {
    if (hr.spec?.chartRef) throw new Error(`${hrName(hr)}: spec.chartRef (${hr.spec.chartRef.kind}/${hr.spec.chartRef.name}) is not rendered by the cluster tests; only HelmRepository charts are vendored`);
    throw new Error(`${hrName(hr)}: no spec.chart.spec`);
  }
  const ref = spec.sourceRef ?? {};
  if (ref.kind !== 'HelmRepository') throw new Error(`${hrName(hr)}: chart source kind ${ref.kind} is not rendered by the cluster tests (only HelmRepository)`);
  const repoNs = ref.namespace ?? hr.metadata.namespace;
  const repo = objects.find((o) => o.kind === 'HelmRepository' && o.metadata?.name === ref.name && (o.metadata?.namespace ?? repoNs) === repoNs);
  if (!repo) throw new Error(`${hrName(hr)}: HelmRepository ${repoNs}/${ref.name} is not in the tree`);
  const url = String(repo.spec?.url ?? '').replace(/\/+$/, '');
  const hit = charts.find((c) => c.repositoryUrl.replace(/\/+$/, '') === url && c.chart === spec.chart && c.version === String(spec.version));
  if (!hit) {
    const have = charts.filter((c) => c.chart === spec.chart).map((c) => `${c.version} from ${c.repositoryUrl}`).join(', ') || 'none';
    throw new Error(`${hrName(hr)}: chart ${spec.chart} ${spec.version} from ${url} is not vendored in test/cluster/charts (vendored versions: ${have}); vendor it from the chart's source repository with provenance`);
  }
  return hit;
}

/**
 * `helm template` of one HelmRelease. `kubeVersion` and `apiVersions` are the live apiserver's.
 * Returns {objects, release, chart, schemaValidated}; throws with helm's message (naming the HelmRelease).
 */
export function renderRelease(hr, objects, charts, { helm, kubeVersion, apiVersions }) {
  const chart = chartFor(hr, objects, charts);
  if (hr.spec?.valuesFrom?.length) throw new Error(`${hrName(hr)}: spec.valuesFrom is read from the cluster at install time; the cluster tests do not render it`);
  if (hr.spec?.postRenderers?.length) throw new Error(`${hrName(hr)}: spec.postRenderers are not applied by the cluster tests`);
  const release = releaseOf(hr);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lgo-helm-'));
  try {
    const valuesFile = path.join(tmp, 'values.json');
    fs.writeFileSync(valuesFile, JSON.stringify(hr.spec?.values ?? {}));
    const crds = hr.spec?.install?.crds ?? 'Create';
    const args = ['template', release.name, chart.dir, '--namespace', release.namespace, '--values', valuesFile,
      '--kube-version', kubeVersion, '--skip-tests'];
    if (crds !== 'Skip') args.push('--include-crds');
    for (const v of apiVersions) args.push('--api-versions', v);
    const env = { ...process.env, HELM_CACHE_HOME: path.join(tmp, 'cache'), HELM_CONFIG_HOME: path.join(tmp, 'config'), HELM_DATA_HOME: path.join(tmp, 'data') };
    let out;
    try {
      out = run(helm, args, { env });
    } catch (e) {
      throw new Error(`${hrName(hr)}: helm template of ${chart.chart} ${chart.version} failed: ${String(e.stderr || e.message).trim()}`);
    }
    const rendered = parseDocs(out, `${hrName(hr)} (chart ${chart.chart} ${chart.version})`);
    for (const o of rendered) Object.defineProperty(o, '__release', { value: { hr, release, chart }, enumerable: false });
    return { objects: rendered, release, chart, schemaValidated: fs.existsSync(path.join(chart.dir, 'values.schema.json')) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Every group/version the apiserver serves now (discovery), for helm's --api-versions. */
export async function servedApiVersions(kube) {
  const out = [];
  const core = await kube.ok('GET', '/api');
  out.push(...core.versions);
  const groups = await kube.ok('GET', '/apis');
  for (const g of groups.groups) for (const v of g.versions) out.push(v.groupVersion);
  // helm also accepts "group/version/Kind"; charts that test for a kind use that form.
  for (const gv of out.slice()) {
    const r = await kube.request('GET', gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`);
    if (r.status !== 200) continue;
    for (const res of r.json.resources) if (!res.name.includes('/')) out.push(`${gv}/${res.kind}`);
  }
  return out;
}

// --- static node selection (which nodes a pod template can land on) --------------------------

function matchExpression(labels, e) {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const v = labels[e.key];
  switch (e.operator) {
    case 'In': return has && (e.values ?? []).includes(v);
    case 'NotIn': return !has || !(e.values ?? []).includes(v);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': return has && Number(v) > Number(e.values?.[0]);
    case 'Lt': return has && Number(v) < Number(e.values?.[0]);
    default: return false;
  }
}

function tolerates(tolerations, taint) {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** Can a pod with this spec be placed on this Node (labels, required node affinity, NoSchedule/NoExecute taints)? */
export function podSelectsNode(podSpec, node) {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(podSpec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length && !terms.some((t) => (t.matchExpressions ?? []).every((e) => matchExpression(labels, e)))) return false;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(podSpec.tolerations, taint)) return false;
  }
  return true;
}

const POD_OWNERS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet']);

/**
 * For every chart workload, the nodes of the cluster model it can run on. Returns
 * [{hr, obj, nodes: [names]}]; a workload with no node is what the cluster tests fail on.
 */
export function chartWorkloadPlacement(rendered, nodes) {
  const out = [];
  for (const o of rendered) {
    if (!POD_OWNERS.has(o.kind) || !o.spec?.template?.spec) continue;
    if (o.kind !== 'DaemonSet' && Number(o.spec.replicas ?? 1) === 0) continue;
    out.push({ hr: o.__release?.hr, obj: o, dormant: dormantReason(o), nodes: nodes.filter((n) => podSelectsNode(o.spec.template.spec, n)).map((n) => n.metadata.name) });
  }
  return out;
}

/**
 * Every Service a HelmRelease of `objects` declares its chart renders (annotation
 * lambda-gitops.dev/chart-services, which the gate's service-reference-resolves rule trusts
 * offline), checked against the chart's helm output: [{hr, service, port, problem?}].
 */
export function declaredChartServices(objects, rendered, parseChartServices, annotation) {
  const out = [];
  for (const hr of objects.filter(isHelmRelease)) {
    const value = hr.metadata?.annotations?.[annotation];
    if (value === undefined) continue;
    const { namespace } = releaseOf(hr);
    for (const service of parseChartServices(String(value))) {
      const found = rendered.find((o) => o.kind === 'Service' && o.__release?.hr === hr && (o.metadata?.namespace ?? namespace) === namespace && o.metadata?.name === service.name);
      for (const port of service.ports) {
        const served = (found?.spec?.ports ?? []).map((p) => p.port);
        const problem = !found
          ? `the chart renders no Service ${namespace}/${service.name} (its Services: ${rendered.filter((o) => o.kind === 'Service' && o.__release?.hr === hr).map((o) => o.metadata.name).join(', ') || 'none'})`
          : served.includes(port) ? undefined : `Service ${namespace}/${service.name} serves ${served.join(', ')}, not ${port}`;
        out.push({ hr, service: `${namespace}/${service.name}`, port, problem });
      }
    }
  }
  return out;
}

/** The harness's `charts` option: helm from the cluster-test cache and the vendored chart list. */
export function chartsOption(root, { transformCrd } = {}) {
  const bin = process.env.CLUSTER_BIN ?? path.join(root, '.cache/bin');
  const helm = path.join(bin, 'helm');
  if (!fs.existsSync(helm)) throw new Error(`${helm} does not exist: run test/cluster/build.sh helm`);
  return { helm, list: vendoredCharts(root), transformCrd };
}

/**
 * Why a chart workload is meant to run on no node of this cluster (sources.json `dormantWorkloads`,
 * "Kind/name" -> reason), or undefined. Such a workload is reported as skipped with the reason,
 * never as passed.
 */
export function dormantReason(o) {
  return o.__release?.chart?.dormantWorkloads?.[`${o.kind}/${o.metadata?.name}`];
}
