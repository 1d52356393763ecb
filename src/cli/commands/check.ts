import { createRequire } from 'node:module';
import jsYaml from 'js-yaml';
import { UsageError } from '../main.js';
import { PolicyDefinitionError } from '../../policy/definition.js';
import { runCheck } from '../../policy/engine.js';
import { loadManifests, ManifestLoadError, type LoadedManifests } from '../../policy/loader.js';
import { SecretScrubber } from '../../masking/secret-scrubber.js';
import { refusePendingSwap } from '../../render/swap-journal.js';
import { ScrubbedOutput } from '../scrubbed-output.js';
import { toJson } from '../../policy/report/json.js';
import { toPolicyReports } from '../../policy/report/policy-report.js';
import { toSarif } from '../../policy/report/sarif.js';
import { toText } from '../../policy/report/text.js';
import { SEVERITIES, type Severity } from '../../policy/types.js';

export const summary = 'Check manifests against the policy gate (PSS, resources, GPU, reliability, networking, secrets)';

const FORMATS = ['text', 'json', 'sarif', 'policy-report'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: lambda-gitops check [PATH...] [options]

Checks YAML manifests (files or directories, multi-document; default: dist) against every rule in
policies/. Exit codes: 0 nothing at or above --severity failed; 1 something did; 2 unusable input or usage.

Options:
  --format text|json|sarif|policy-report   output format (default text)
  --output FILE                            write the report to FILE (a one-line summary goes to stderr)
  --severity error|warning|info            lowest severity that fails the check (default error)
  --no-exemptions                          ignore policy.lambda-gitops.dev/exempt-<rule> annotations
  --include-passes                         list passing results too
  --target-version 1.NN                    Kubernetes / Pod Security Standards version (default 1.28)
  --enable RULE                            turn on an optional rule (repeatable, e.g. image-digest)
  --disable RULE                           turn off a rule (repeatable)
  --policies DIR                           policy directory (default: the package's policies/)
  --crds PATH                              CustomResourceDefinitions (file or directory, repeatable) whose
                                           schemas validate custom resources, besides the vendored ones and
                                           the CRDs in the checked tree
  -h, --help                               this help
`;

/** Parsed command line of `check`. */
export interface CheckArgs {
  paths: string[];
  format: Format;
  output?: string;
  severity: Severity;
  exemptions: boolean;
  includePasses: boolean;
  targetVersion?: string;
  enable: string[];
  disable: string[];
  policiesDir?: string;
  crds: string[];
  help: boolean;
}

/** Parses `check` arguments. @throws UsageError */
export function parseCheckArgs(args: readonly string[]): CheckArgs {
  const out: CheckArgs = { paths: [], format: 'text', severity: 'error', exemptions: true, includePasses: false, enable: [], disable: [], crds: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help': out.help = true; break;
      case '--format': {
        const f = value();
        if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${f}'`);
        out.format = f as Format;
        break;
      }
      case '--output': out.output = value(); break;
      case '--severity': {
        const s = value();
        if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')}, got '${s}'`);
        out.severity = s as Severity;
        break;
      }
      case '--no-exemptions': out.exemptions = false; break;
      case '--include-passes': out.includePasses = true; break;
      case '--target-version': {
        const v = value();
        if (!/^v?1\.\d+$/.test(v)) throw new UsageError(`--target-version must look like 1.28, got '${v}'`);
        out.targetVersion = v.replace(/^v/, '');
        break;
      }
      case '--enable': out.enable.push(value()); break;
      case '--disable': out.disable.push(value()); break;
      case '--policies': out.policiesDir = value(); break;
      case '--crds': out.crds.push(value()); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'\n${USAGE}`);
        out.paths.push(arg);
    }
  }
  if (out.paths.length === 0) out.paths.push('dist');
  return out;
}

function packageVersion(): string {
  return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
}

/** Every parsed value of a load (objects, kustomization files, problems' values), listed as asked for (no list of 10^6 objects). */
function* valuesOf(manifests: LoadedManifests): Generator<unknown> {
  for (const entry of manifests.objects) yield entry.object;
  for (const entry of manifests.kustomizeFiles) yield entry.object;
  for (const problem of manifests.problems) yield problem.value;
}

/** Runs `lambda-gitops check`; resolves to the exit code. */
export async function run(args: string[]): Promise<number> {
  const options = parseCheckArgs(args);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  refusePendingSwap(options.paths);
  const out = new ScrubbedOutput();
  let report;
  try {
    const manifests = loadManifests(options.paths, { collectErrors: true });
    out.scrubber = SecretScrubber.of(valuesOf(manifests));
    report = await runCheck({
      manifests,
      severity: options.severity,
      exemptions: options.exemptions,
      // policy reports summarise passes per namespace, so evaluate them even when not listed
      includePasses: options.includePasses || options.format === 'policy-report',
      targetVersion: options.targetVersion,
      enable: options.enable,
      disable: options.disable,
      policiesDir: options.policiesDir,
      crds: options.crds,
      collectLoadErrors: true,
    });
  } catch (error) {
    if (error instanceof ManifestLoadError || error instanceof PolicyDefinitionError) {
      out.error(`lambda-gitops check: ${error.message}`);
      return 2;
    }
    if (error instanceof Error && /^unknown rule id/.test(error.message)) throw new UsageError(error.message);
    throw error;
  }
  // values are scrubbed before formatting too, so no escaping (JSON, YAML) hides them from the final pass
  report = { ...report, results: out.scrubber.scrubDeep(report.results) };
  let text: string;
  switch (options.format) {
    case 'json':
      text = `${JSON.stringify(toJson(report), null, 2)}\n`;
      break;
    case 'sarif':
      text = `${JSON.stringify(toSarif(report.results, report.policies, packageVersion()), null, 2)}\n`;
      break;
    case 'policy-report': {
      const listed = options.includePasses ? report.results : report.results.filter((r) => r.result !== 'pass');
      text = toPolicyReports(report.results, listed, report.policies).map((d) => `---\n${jsYaml.dump(d, { noRefs: true, lineWidth: 160 })}`).join('');
      break;
    }
    default:
      text = toText(report, options.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR);
  }
  if (options.output) {
    out.write(options.output, text);
    const s = report.summary;
    out.error(`lambda-gitops check: ${report.failed ? 'FAILED' : 'PASSED'}: ${s.fail} failed, ${s.warn} warnings, ${s.skip} exempted, ${s.pass} passed; ${options.format} report written to ${options.output}`);
  } else {
    out.write(undefined, text);
  }
  if (report.runtimeCompiledPolicies.length > 0 && options.policiesDir === undefined) {
    const ids = report.runtimeCompiledPolicies;
    out.error(`lambda-gitops check: note: ${ids.length} policy schema${ids.length === 1 ? '' : 's'} compiled at run time, not ahead of time (changed since the build, or lib/policy/compiled missing; npm run build compiles them): ${ids.join(', ')}`);
  }
  // unusable files are in the report (manifest-structure) and listed here; the exit code says so
  for (const error of report.loadErrors) out.error(`lambda-gitops check: ${error.message}`);
  if (report.loadErrors.length > 0) return 2;
  return report.failed ? 1 : 0;
}
