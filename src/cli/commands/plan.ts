import { ClusterModelError, loadClusterModelFile } from '../../cluster/cluster-model-file.js';
import { UnknownInstanceTypeError } from '../../cluster/instance-types.js';
import { planCapacity, type PlanReport } from '../../capacity/plan.js';
import { renderPlanMarkdown, renderPlanText } from '../../capacity/report.js';
import { PlanInputError } from '../../capacity/workloads.js';
import { loadManifests, ManifestLoadError } from '../../policy/loader.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { ScrubbedOutput } from '../scrubbed-output.js';
import { SecretScrubber } from '../../masking/secret-scrubber.js';

export const summary = 'check that the tree fits the GPU cluster at maximum scale; utilization and monthly cost';

const HELP = `Usage: lambda-gitops plan [PATH...] [--cluster FILE] [--format text|json|markdown]

Places every pod of the rendered tree at its maximum scale (HPA/KEDA maximum, else replicas; Jobs
at parallelism; DaemonSets on every node they admit) on the cluster's node pools with
kube-scheduler's rules, checks namespace ResourceQuotas, and prices the pools.

Arguments:
  PATH             files or directories of rendered YAML (default: dist)

Options:
  --cluster FILE   cluster model (YAML or JSON: a ClusterModel document or the cluster-model
                   ConfigMap); default: the ConfigMap labelled lambda-gitops.dev/cluster-model in the tree
  --format FORMAT  text (default), json, or markdown (Mermaid utilization chart + cost tables)

Exit codes: 0 fits, 1 does not fit (unschedulable pods or exceeded quotas), 2 bad input.
`;

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

function render(report: PlanReport, format: Format): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') return renderPlanMarkdown(report);
  return renderPlanText(report);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions({ args, allowPositionals: true, options: { cluster: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
  const out = new ScrubbedOutput();
  try {
    const cluster = values.cluster !== undefined ? loadClusterModelFile(values.cluster) : undefined;
    const loaded = loadManifests(positionals.length > 0 ? positionals : ['dist']);
    if (loaded.problems.length > 0) {
      const p = loaded.problems[0];
      throw new ManifestLoadError(p.source.file, p.source.line, p.message);
    }
    out.scrubber = SecretScrubber.of(loaded.objects.map((o) => o.object));
    const report = out.scrubber.scrubDeep(planCapacity(loaded.objects, cluster));
    out.write(undefined, render(report, format));
    return report.fits ? 0 : 1;
  } catch (error) {
    if (error instanceof ClusterModelError || error instanceof PlanInputError || error instanceof ManifestLoadError || error instanceof UnknownInstanceTypeError) {
      out.error(`lambda-gitops plan: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
