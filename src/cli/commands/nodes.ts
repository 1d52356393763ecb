import { isKustomizationProblem } from '../../policy/kustomize-build.js';
import { clusterModelOfTree } from '../../capacity/plan.js';
import { PlanInputError } from '../../capacity/workloads.js';
import { ClusterModelError, isClusterModelConfigMap, loadClusterModelFile } from '../../cluster/cluster-model-file.js';
import type { ClusterModelDocument } from '../../cluster/cluster-model-document.js';
import { DEFAULT_RUNTIME_SETTING, NodePreparationError, prepareNodes, renderNodePreparationText, runtimeSettingOfTree } from '../../cluster/node-preparation.js';
import { loadManifests, ManifestLoadError } from '../../policy/loader.js';
import { refusePendingSwap } from '../../render/swap-journal.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';

export const summary = 'node preparation per pool of the cluster model: kubectl label/taint commands and the NVIDIA runtime step';

const HELP = `Usage: lambda-gitops nodes prepare [TREE_DIR] [--cluster FILE] [--format text|json]
                                   [--node-name PATTERN] [--nodes POOL=NAME[,NAME...]]...

Prints, per node pool of the cluster model, what the nodes need before Flux's workloads can land:
the labels to apply (instance type, node pool, the device-plugin config label of time-sliced
pools, the pool's own labels), the taints, and on GPU pools the NVIDIA container runtime step,
as ready-to-run kubectl commands. Labels the kubelet or GPU Feature Discovery set are listed to
verify, not applied.

Arguments:
  TREE_DIR           rendered tree (default: dist unless --cluster is given); its cluster-model
                     ConfigMap is the model, and its nvidia-device-plugin HelmRelease decides the
                     runtime (runtimeClassName unset: NVIDIA runtime as containerd's default)

Options:
  --cluster FILE     cluster model (a ClusterModel document or the cluster-model ConfigMap)
  --format FORMAT    text (default: a shell script) or json
  --node-name PATTERN  node names of pools without --nodes; {pool} and {index} (from 0)
                     are replaced (default: {pool}-{index})
  --nodes POOL=NAMES the real node names of a pool, comma-separated, one per node (repeatable)

Exit codes: 0 printed, 2 bad input.
`;

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

function parseNodeNames(values: readonly string[]): Record<string, string[]> {
  const names: Record<string, string[]> = {};
  for (const value of values) {
    const match = /^([^=]+)=(.*)$/.exec(value);
    if (!match) throw new UsageError(`--nodes must be POOL=NAME[,NAME...], got '${value}'`);
    if (match[1] in names) throw new UsageError(`--nodes names pool '${match[1]}' twice`);
    names[match[1]] = match[2].split(',').map((n) => n.trim()).filter((n) => n !== '');
  }
  return names;
}

async function prepare(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions({
    args,
    allowPositionals: true,
    options: {
      cluster: { type: 'string' }, format: { type: 'string' }, 'node-name': { type: 'string' }, nodes: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
  if (positionals.length > 1) throw new UsageError(`takes at most one TREE_DIR, got ${positionals.length}`);
  const nodeNames = parseNodeNames(values.nodes ?? []);
  try {
    let model: ClusterModelDocument | undefined;
    let source = '';
    if (values.cluster !== undefined) {
      model = loadClusterModelFile(values.cluster);
      source = values.cluster;
    }
    const treeDir = positionals[0] ?? (model ? undefined : 'dist');
    let runtime = DEFAULT_RUNTIME_SETTING;
    if (treeDir !== undefined) {
      refusePendingSwap([treeDir]);
      const loaded = loadManifests([treeDir]);
      // a kustomization.yaml without apiVersion and kind is build configuration, as for the gate
      const p = loaded.problems.find((problem) => !isKustomizationProblem(problem));
      if (p) {
        throw new ManifestLoadError(p.source.file, p.source.line, p.message);
      }
      if (!model) {
        model = clusterModelOfTree(loaded.objects);
        source = loaded.objects.find((o) => isClusterModelConfigMap(o.object))?.source.file ?? treeDir;
      }
      runtime = runtimeSettingOfTree(loaded.objects);
    }
    const prep = prepareNodes(model!, source, { nodeNames, nodeNamePattern: values['node-name'], runtime });
    process.stdout.write(format === 'json' ? `${JSON.stringify(prep, null, 2)}\n` : renderNodePreparationText(prep));
    return 0;
  } catch (error) {
    if (error instanceof NodePreparationError) throw new UsageError(`prepare: ${error.message}`);
    if (error instanceof ClusterModelError || error instanceof PlanInputError || error instanceof ManifestLoadError) {
      process.stderr.write(`lambda-gitops nodes: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'prepare') throw new UsageError(`unknown subcommand '${sub}'; available: prepare`);
  return prepare(rest);
}
