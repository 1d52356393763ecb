import { isKustomizationProblem } from '../../policy/kustomize-build.js';
import { ClusterModelError, loadClusterModelFile } from '../../cluster/cluster-model-file.js';
import { UnknownInstanceTypeError } from '../../cluster/instance-types.js';
import { LiveCatalogError, loadLiveCatalogFile } from '../../cluster/lambda-catalog.js';
import { planCapacity, type PlanOptions, type PlanReport } from '../../capacity/plan.js';
import { DEFAULT_MAX_PRICE_AGE_DAYS } from '../../capacity/price-age.js';
import { loadUtilizationFile, utilizationFromOption, UtilizationError } from '../../capacity/utilization.js';
import { renderPlanMarkdown, renderPlanText } from '../../capacity/report.js';
import { PlanInputError } from '../../capacity/workloads.js';
import { loadManifests, ManifestLoadError } from '../../policy/loader.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';
import { ScrubbedOutput } from '../scrubbed-output.js';
import { SecretScrubber } from '../../masking/secret-scrubber.js';
import { refusePendingSwap } from '../../render/swap-journal.js';

export const summary = 'check that the tree fits the GPU cluster at maximum scale; utilization and monthly cost';

const HELP = `Usage: lambda-gitops plan [PATH...] [--cluster FILE] [--catalog FILE] [--format text|json|markdown]
                          [--utilization FRACTION | --utilization-file FILE] [--max-price-age-days N] [--today DATE]

Places every pod of the rendered tree at its maximum scale (HPA/KEDA maximum, else replicas; Jobs
at parallelism; DaemonSets on every node they admit) on the cluster's node pools with
kube-scheduler's rules, checks namespace ResourceQuotas, and prices the pools.

Arguments:
  PATH             files or directories of rendered YAML (default: dist)

Options:
  --cluster FILE   cluster model (YAML or JSON: a ClusterModel document or the cluster-model
                   ConfigMap); default: the ConfigMap labelled lambda-gitops.dev/cluster-model in the tree
  --format FORMAT  text (default), json, or markdown (Mermaid utilization chart + cost tables)
  --catalog FILE   a live Lambda catalog written by 'lambda-gitops catalog refresh': pools on the
                   built-in price take its price, and each pool is checked for capacity now in
                   the cluster model's region
  --utilization FRACTION
                   measured busy share of the GPU pools' GPUs (e.g. 0.87): adds the cost per
                   utilized GPU-hour next to the allocation-based figure
  --utilization-file FILE
                   the same from a Prometheus /api/v1/query result (vector; several series are
                   averaged), e.g. of avg(DCGM_FI_DEV_GPU_UTIL) / 100
  --max-price-age-days N
                   warn about prices older than N days (default ${DEFAULT_MAX_PRICE_AGE_DAYS})
  --today DATE     the day price ages are counted to, YYYY-MM-DD (default: today, UTC)

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
  const { values, positionals } = parseOptions({
    args, allowPositionals: true,
    options: {
      cluster: { type: 'string' }, format: { type: 'string' }, catalog: { type: 'string' }, utilization: { type: 'string' }, 'utilization-file': { type: 'string' },
      'max-price-age-days': { type: 'string' }, today: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
  if (values.utilization !== undefined && values['utilization-file'] !== undefined) throw new UsageError('give --utilization or --utilization-file, not both');
  const maxAge = values['max-price-age-days'];
  if (maxAge !== undefined && !/^\d+$/.test(maxAge)) throw new UsageError(`--max-price-age-days must be a whole number of days, got '${maxAge}'`);
  const today = values.today;
  if (today !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(`${today}T00:00:00Z`)))) throw new UsageError(`--today must be a date YYYY-MM-DD, got '${today}'`);
  const paths = positionals.length > 0 ? positionals : ['dist'];
  refusePendingSwap(paths);
  const out = new ScrubbedOutput();
  try {
    const options: PlanOptions = {
      ...(values.catalog !== undefined ? { catalog: loadLiveCatalogFile(values.catalog) } : {}),
      ...(today !== undefined ? { now: new Date(`${today}T00:00:00Z`) } : {}),
      ...(maxAge !== undefined ? { maxPriceAgeDays: Number(maxAge) } : {}),
      ...(values.utilization !== undefined ? { utilization: utilizationFromOption(values.utilization) } : {}),
      ...(values['utilization-file'] !== undefined ? { utilization: loadUtilizationFile(values['utilization-file']) } : {}),
    };
    const cluster = values.cluster !== undefined ? loadClusterModelFile(values.cluster) : undefined;
    const loaded = loadManifests(paths);
    // a kustomization.yaml without apiVersion and kind is build configuration, as for the gate
    const p = loaded.problems.find((problem) => !isKustomizationProblem(problem));
    if (p) {
      throw new ManifestLoadError(p.source.file, p.source.line, p.message);
    }
    out.scrubber = SecretScrubber.of(loaded.objects.map((o) => o.object));
    const report = out.scrubber.scrubDeep(planCapacity(loaded.objects, cluster, options));
    out.write(undefined, render(report, format));
    return report.fits ? 0 : 1;
  } catch (error) {
    if (error instanceof ClusterModelError || error instanceof PlanInputError || error instanceof ManifestLoadError || error instanceof UnknownInstanceTypeError
      || error instanceof LiveCatalogError || error instanceof UtilizationError) {
      out.error(`lambda-gitops plan: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
