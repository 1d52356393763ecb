import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';
import { ManifestDirectory } from '../layout/manifest-directory.js';

/**
 * The ManifestDirectory a cluster-scoped object (ClusterSecretStore, PriorityClass) is created
 * in. It must be a directory chart without a namespace, since cdk8s would stamp a chart's
 * namespace onto every object.
 * @param kind the object kind, for the error message
 * @param suggestion the directory it belongs in, e.g. `infrastructure/configs`
 */
export function clusterScopedDirectory(scope: IConstruct, kind: string, suggestion: string): ManifestDirectory {
  const chart = scope.node.scopes.slice().reverse().find((s) => Chart.isChart(s)) as Chart | undefined;
  if (!chart || !ManifestDirectory.isManifestDirectory(chart)) {
    throw new InvalidPropError(scope, 'scope', chart ? chart.node.path : '(no chart)',
      `a ${kind} must be created in a ManifestDirectory such as the one for ${suggestion}`);
  }
  if (chart.namespace) {
    throw new InvalidPropError(scope, 'scope', chart.node.path,
      `is a namespaced chart (namespace '${chart.namespace}'); a ${kind} is cluster-scoped: create it in the ${suggestion} ManifestDirectory`);
  }
  return chart;
}
