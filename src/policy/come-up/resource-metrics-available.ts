/**
 * `resource-metrics-available`: a HorizontalPodAutoscaler that scales on CPU or memory reads the
 * resource metrics API (`metrics.k8s.io`, served by metrics-server). The tree should install it
 * (a HelmRelease of a chart in `parameters.metricsApiCharts`, or the APIService object) in a Flux
 * Kustomization the autoscaler's one depends on; otherwise the autoscaler shows `<unknown>`
 * targets and never scales, unless the cluster brings its own (k3s bundles metrics-server,
 * kubeadm does not): a warning, since that cannot be known offline.
 */
import type { ManifestObject } from '../loader.js';
import type { CrossResourceRule } from '../registry.js';
import { FluxLayers } from './flux-layers.js';

/** The APIService that serves `metrics.k8s.io`. */
export const RESOURCE_METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';

/** Whether an HPA reads resource metrics: a Resource or ContainerResource metric, or no metrics (the default is 80% CPU). */
function readsResourceMetrics(hpa: ManifestObject): boolean {
  const metrics = ((hpa.object.spec ?? {}) as { metrics?: unknown }).metrics;
  if (!Array.isArray(metrics) || metrics.length === 0) return true;
  return metrics.some((m) => m?.type === 'Resource' || m?.type === 'ContainerResource');
}

/** The rule object (registered by name `resource-metrics-available`). */
export const resourceMetricsAvailable: CrossResourceRule = {
  name: 'resource-metrics-available',
  evaluate(ctx) {
    const charts = new Set(Array.isArray(ctx.parameters.metricsApiCharts) ? ctx.parameters.metricsApiCharts.filter((c): c is string => typeof c === 'string') : []);
    const providers: { object: ManifestObject; describe: string }[] = [];
    for (const release of ctx.index.ofKind('HelmRelease')) {
      const chart = ((release.object.spec ?? {}) as { chart?: { spec?: { chart?: string } } }).chart?.spec?.chart;
      if (typeof chart === 'string' && charts.has(chart)) providers.push({ object: release, describe: `HelmRelease ${release.object.metadata.namespace ?? ''}/${release.object.metadata.name} (chart ${chart})` });
    }
    for (const api of ctx.index.ofKind('APIService')) {
      if (api.object.metadata.name === RESOURCE_METRICS_API_SERVICE) providers.push({ object: api, describe: `APIService ${RESOURCE_METRICS_API_SERVICE}` });
    }
    const layers = new FluxLayers(ctx.index);
    for (const hpa of ctx.index.ofKind('HorizontalPodAutoscaler')) {
      if (!readsResourceMetrics(hpa)) continue;
      const self = `HorizontalPodAutoscaler ${hpa.object.metadata.namespace ?? ''}/${hpa.object.metadata.name}`;
      if (providers.length === 0) {
        ctx.fail(hpa, `${self} scales on CPU or memory, read from the resource metrics API (metrics.k8s.io), which nothing in the tree installs (no HelmRelease of ${[...charts].join(', ') || 'a metrics-server chart'}, no APIService ${RESOURCE_METRICS_API_SERVICE}); unless the cluster provides it (k3s bundles metrics-server, kubeadm does not), its targets stay <unknown> and it never scales`, '/spec/metrics');
        continue;
      }
      const owner = layers.present ? layers.ownerOf(hpa) : undefined;
      const ordered = !owner || providers.some((p) => {
        const layer = layers.ownerOf(p.object);
        return !layer || layer.id === owner.id || layers.dependsOnTransitively(owner.id, layer.id);
      });
      if (ordered) {
        ctx.pass(hpa);
        continue;
      }
      const layer = layers.ownerOf(providers[0].object);
      ctx.fail(hpa, `${self} reads the resource metrics API from ${providers[0].describe} in Kustomization ${layer?.id}, which Kustomization ${owner?.id} does not depend on: the autoscaler can be applied long before its metrics exist; add ${layer?.id} to spec.dependsOn of ${owner?.id}`, '/spec/metrics');
    }
  },
};
