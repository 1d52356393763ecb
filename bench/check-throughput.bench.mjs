// `check` end to end from files at 1,000 and 30,000 objects (one object per file, as in dist/),
// each size in fresh processes: plain js-yaml parsing of the same files is the baseline (ratio =
// check time / parse time), `lambda-gitops check` through the CLI gives the whole wall time, and
// kubeconform (schema validation only, strict, built by test/cluster/build.sh peers) runs on the
// same directory side by side when its binary exists; otherwise the line says "not measured".
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import { exponent, exponentVerdict, machineLoad, runWorker, timed } from './support.mjs';
import { platformObjects } from './workers/tree.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [1000, 30000];
const TARGET_OBJECTS_PER_S = 10000;

function kubeconformBinary() {
  const candidates = [process.env.CLUSTER_BIN, process.env.LAMBDA_GITOPS_CACHE && join(process.env.LAMBDA_GITOPS_CACHE, 'bin'), '/var/cache/lambda-gitops/bin', join(root, '.cache/bin')]
    .filter(Boolean).map((d) => join(d, 'kubeconform'));
  return candidates.find((c) => existsSync(c));
}

async function kubeconformSchemas() {
  const out = join(root, '.cache/schemas/v1.28-strict');
  const { generateSchemas } = await import('../test/cluster/harness/schemas.mjs');
  generateSchemas({ definitionsFile: join(root, 'test/cluster/schemas/k8s-v1.28-definitions.json'), crdFiles: [], outDir: out });
  return out;
}

export default async function main() {
  console.log(machineLoad());
  const kubeconform = kubeconformBinary();
  const schemaDir = kubeconform ? await kubeconformSchemas() : undefined;
  const rows = [];
  for (const size of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'lg-check-throughput-'));
    try {
      const objects = platformObjects(size);
      for (const o of objects) {
        const sub = join(dir, o.metadata.namespace ?? o.metadata.name);
        mkdirSync(sub, { recursive: true });
        writeFileSync(join(sub, `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), jsYaml.dump(o, { noRefs: true }));
      }
      const parse = runWorker('check', [dir, 'parse']);
      const check = runWorker('check', [dir, 'check']);
      if (check.fail > 0) throw new Error(`the benchmark tree must be green, ${check.fail} results failed`);
      const cli = await timed(() => execFileSync(process.execPath, [join(root, 'lib/cli/main.js'), 'check', '--format', 'json', '--output', join(dir, '..', `${size}-report.json`), dir], { stdio: 'pipe' }));
      rmSync(join(dir, '..', `${size}-report.json`), { force: true });
      let kc = 'kubeconform: not measured (no kubeconform binary in $CLUSTER_BIN, $LAMBDA_GITOPS_CACHE/bin, /var/cache/lambda-gitops/bin or .cache/bin; test/cluster/build.sh peers builds it)';
      if (kubeconform) {
        const run = await timed(() => execFileSync(kubeconform, ['-strict', '-summary', '-kubernetes-version', '1.28.0', '-schema-location', `${schemaDir}/{{.ResourceKind}}{{.KindSuffix}}.json`, dir], { stdio: 'pipe', encoding: 'utf8' }));
        kc = `kubeconform -strict (schemas only) ${run.ms.toFixed(0)} ms wall, ${(objects.length / run.ms * 1000).toFixed(0)} objects/s; lambda-gitops check CLI is ${(cli.ms / run.ms).toFixed(2)}x its time (${run.value.trim().split('\n').pop()})`;
      }
      const rate = objects.length / check.checkMs * 1000;
      rows.push({ size: objects.length, checkMs: check.checkMs, cliMs: cli.ms });
      console.log(`${objects.length} objects: load + check ${check.checkMs.toFixed(0)} ms in process (${rate.toFixed(0)} objects/s, target ${TARGET_OBJECTS_PER_S}: ${rate >= TARGET_OBJECTS_PER_S ? 'met' : 'NOT met'}), `
        + `plain js-yaml parse ${parse.parseMs.toFixed(0)} ms, check/parse ratio ${(check.checkMs / parse.parseMs).toFixed(2)}x; `
        + `CLI wall ${cli.ms.toFixed(0)} ms (${(objects.length / cli.ms * 1000).toFixed(0)} objects/s with Node start-up); ${check.pass} results passed`);
      console.log(`  ${kc}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [a, b] = rows;
  console.log(`check growth exponent ${a.size} -> ${b.size} objects: in process ${exponentVerdict(exponent(a.size, a.checkMs, b.size, b.checkMs), 1.15)}, CLI ${exponentVerdict(exponent(a.size, a.cliMs, b.size, b.cliMs), 1.15)}`);
  console.log(machineLoad());
}
