import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import jsYaml from 'js-yaml';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseCheckArgs, run } from '../../src/cli/commands/check.js';
import { main } from '../../src/cli/main.js';
import { SchemaValidator } from '../../src/schema/index.js';
import { runCheck, toText } from '../../src/policy/index.js';

const COMPLIANT = 'test/policy/trees/compliant';
let out: string;
let err: string;

beforeEach(() => {
  out = '';
  err = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => { out += String(chunk); return true; });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => { err += String(chunk); return true; });
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** 1-based line of the first line containing `needle` in `file`. */
function lineOf(file: string, needle: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
}

/** A copy of the compliant tree with web.yaml edited. */
const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`;

function variant(edit: (web: string) => string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lg-check-'));
  cpSync(COMPLIANT, dir, { recursive: true });
  writeFileSync(join(dir, 'web.yaml'), edit(readFileSync(join(COMPLIANT, 'web.yaml'), 'utf8')));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  // extra files are resources of the tree's kustomization (files it does not include are not checked)
  const kustomization = join(dir, 'kustomization.yaml');
  writeFileSync(kustomization, `${readFileSync(kustomization, 'utf8')}${Object.keys(extra).map((name) => `  - ${name}\n`).join('')}`);
  return dir;
}
const privileged = (web: string) => web.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true');
const exempt = (rule: string, reason: string) => (web: string) => web.replace('  labels:\n    app.kubernetes.io/name: web\nspec:', `  labels:\n    app.kubernetes.io/name: web\n  annotations:\n    policy.lambda-gitops.dev/exempt-${rule}: "${reason}"\nspec:`);

function compile(schemaFile: string, transform: (s: Record<string, unknown>) => Record<string, unknown> = (s) => s) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const plugin = addFormatsModule as unknown as ((a: Ajv) => void) & { default?: (a: Ajv) => void };
  (plugin.default ?? plugin)(ajv);
  return ajv.compile(transform(JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>));
}

describe('lambda-gitops check', () => {
  test('a compliant tree exits 0 and says PASSED', async () => {
    expect(await run([COMPLIANT])).toBe(0);
    expect(out).toMatch(/^PASSED: 0 failed, 0 warnings, 0 exempted, \d+ passed/m);
  });

  test('a failing rule exits 1; text output is grouped by file and resource with line and field, without colour off a TTY', async () => {
    const dir = variant(privileged);
    expect(await run([dir])).toBe(1);
    const file = relative(process.cwd(), join(dir, 'web.yaml'));
    const line = lineOf(join(dir, 'web.yaml'), 'privileged: true');
    expect(line).toBeGreaterThan(40);
    expect(out).toContain(`${file}\n  Deployment team-a/web\n    FAIL line ${line} /spec/template/spec/containers/0/securityContext/privileged: pss-privileged: container web (containers) is privileged\n`);
    expect(out).not.toContain('\u001b[');
  });

  test('toText colours only when asked (the CLI asks only on a TTY without NO_COLOR)', async () => {
    const report = await runCheck({ paths: [variant(privileged)] });
    expect(toText(report, true)).toContain('\u001b[31mFAIL\u001b[0m');
    expect(toText(report, false)).not.toContain('\u001b[');
  });

  test('an exemption with a reason turns the failure into skip; --no-exemptions ignores it', async () => {
    const dir = variant((w) => exempt('pss-privileged', 'driver debug pod, reviewed')(privileged(w)));
    expect(await run([dir, '--format', 'json'])).toBe(0);
    const json = JSON.parse(out) as { summary: Record<string, number>; results: { policy: string; result: string; exemption?: { reason: string } }[] };
    expect(json.results.filter((r) => r.policy === 'pss-privileged')).toEqual([expect.objectContaining({ result: 'skip', exemption: { reason: 'driver debug pod, reviewed' } })]);
    expect(json.summary.skip).toBe(1);
    out = '';
    expect(await run([dir, '--format', 'json', '--no-exemptions'])).toBe(1);
    expect((JSON.parse(out) as typeof json).results.filter((r) => r.policy === 'pss-privileged')[0].result).toBe('fail');
  });

  test('an exemption without a reason is itself a violation and exempts nothing', async () => {
    const dir = variant((w) => exempt('pss-privileged', '')(privileged(w)));
    expect(await run([dir, '--format', 'json'])).toBe(1);
    const results = (JSON.parse(out) as { results: { policy: string; result: string; message: string }[] }).results;
    expect(results.map((r) => `${r.policy} ${r.result}`).sort()).toEqual(['exemption-valid fail', 'pss-privileged fail']);
    expect(results.find((r) => r.policy === 'exemption-valid')?.message).toMatch(/no reason/);
  });

  test('--severity decides whether warnings fail the check', async () => {
    const dir = variant((w) => w.replace('              cpu: "1"\n', ''));
    expect(await run([dir])).toBe(0);
    expect(out).toMatch(/WARN line \d+ \S+: resources-cpu-limit: container web \(containers\) has no CPU limit/);
    out = '';
    expect(await run([dir, '--severity', 'warning'])).toBe(1);
  });

  test('--include-passes lists passes; the JSON output validates against its schema', async () => {
    const validate = compile('schemas/check-result.schema.json');
    expect(await run([COMPLIANT, '--format', 'json', '--include-passes'])).toBe(0);
    const json = JSON.parse(out) as { summary: { pass: number }; results: unknown[] };
    expect(validate(json)).toBe(true);
    expect(json.results).toHaveLength(json.summary.pass);
    out = '';
    await run([variant((w) => exempt('pss-privileged', 'reviewed')(privileged(w).replace('              cpu: "1"\n', ''))), '--format', 'json']);
    expect(validate(JSON.parse(out))).toBe(true);
  });

  test('SARIF validates against the SARIF 2.1.0 schema and points at the offending line', async () => {
    const validate = compile('schemas/sarif/sarif-schema-2.1.0.json', (s) => {
      const { $schema: _, id, ...rest } = s;
      return { ...rest, $id: id };
    });
    const dir = variant((w) => exempt('resources-cpu-limit', 'latency-sensitive')(privileged(w).replace('              cpu: "1"\n', '')));
    expect(await run([dir, '--format', 'sarif'])).toBe(1);
    const sarif = JSON.parse(out) as { runs: { tool: { driver: { rules: { id: string; help: { text: string } }[] } }; results: Record<string, unknown>[] }[] };
    expect(validate(sarif)).toBe(true);
    const [runEntry] = sarif.runs;
    expect(runEntry.tool.driver.rules.map((r) => r.id)).toContain('pss-privileged');
    expect(runEntry.tool.driver.rules.every((r) => r.help.text.length > 0)).toBe(true);
    const failure = runEntry.results.find((r) => r.ruleId === 'pss-privileged') as Record<string, any>;
    expect(failure.level).toBe('error');
    expect(failure.locations[0].physicalLocation.region.startLine).toBe(lineOf(join(dir, 'web.yaml'), 'privileged: true'));
    expect(failure.locations[0].physicalLocation.artifactLocation.uri).toMatch(/web\.yaml$/);
    expect(failure.partialFingerprints['lambdaGitopsResult/v1']).toMatch(/^[0-9a-f]{32}$/);
    const suppressed = runEntry.results.find((r) => r.ruleId === 'resources-cpu-limit') as Record<string, any>;
    expect(suppressed.suppressions).toEqual([{ kind: 'inSource', justification: 'latency-sensitive' }]);
    // The fingerprint does not depend on the line: moving the object keeps it.
    out = '';
    const moved = variant((w) => `# moved down\n# by two lines\n${exempt('resources-cpu-limit', 'latency-sensitive')(privileged(w).replace('              cpu: "1"\n', ''))}`);
    await run([moved, '--format', 'sarif']);
    const again = (JSON.parse(out) as typeof sarif).runs[0].results.find((r) => r.ruleId === 'pss-privileged') as Record<string, any>;
    expect(again.locations[0].physicalLocation.region.startLine).toBe(failure.locations[0].physicalLocation.region.startLine + 2);
    expect(again.partialFingerprints).toEqual(failure.partialFingerprints);
  });

  test('policy-report writes one wgpolicyk8s.io/v1alpha2 report per namespace that validates against the PolicyReport CRDs', async () => {
    const dir = variant(privileged);
    const file = join(dir, 'report.yaml');
    expect(await run([dir, '--format', 'policy-report', '--output', file])).toBe(1);
    expect(err).toMatch(/FAILED: 1 failed.*policy-report report written to/);
    const docs = jsYaml.loadAll(readFileSync(file, 'utf8')) as Record<string, any>[];
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}`)).toEqual(['ClusterPolicyReport ', 'PolicyReport team-a']);
    const validator = new SchemaValidator({ crdDirectory: 'schemas/reports' });
    for (const d of docs) expect(validator.validate(d)).toEqual([]);
    const nsReport = docs[1];
    expect(nsReport.summary.fail).toBe(1);
    expect(nsReport.summary.pass).toBeGreaterThan(10);
    expect(nsReport.results).toEqual([expect.objectContaining({ policy: 'pss-privileged', result: 'fail', severity: 'high', resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web' }] })]);
  });

  test('a merge key does not hide a privileged container: read as kustomize renders it (privileged: true), the check fails', async () => {
    const dir = variant((w) => w.replace('          securityContext:\n            allowPrivilegeEscalation: false', '          securityContext:\n            <<: {privileged: true}\n            allowPrivilegeEscalation: false'));
    expect(await run([dir])).toBe(1);
    expect(out).toMatch(/FAIL line \d+ \S+: pss-privileged: container web \(containers\) is privileged/);
  });

  test('a privileged Pod inside a kind: List is checked (kustomize applies the items)', async () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: sneaky, namespace: team-a}\n  spec:\n    hostPID: true\n    containers: [{name: c, image: "x@sha256:0000000000000000000000000000000000000000000000000000000000000000", securityContext: {privileged: true}}]\n';
    const dir = variant((w) => w, { 'list.yaml': list });
    expect(await run([dir])).toBe(1);
    expect(out).toMatch(/Pod team-a\/sneaky\n(.*\n)*.*FAIL line \d+ \S+: pss-privileged/);
  });

  test('merge keys kustomize would not expand the same way, tags and non-string keys exit 2 naming file and line', async () => {
    for (const [edit, message] of [
      [(w: string) => w.replace('  replicas: 2', '  replicas: !!int "2"'), /web\.yaml:\d+: YAML tags \(here '!!int'\)/],
      [(w: string) => w.replace('            readOnlyRootFilesystem: true', '            readOnlyRootFilesystem: true\n            <<: {readOnlyRootFilesystem: false}'), /web\.yaml:\d+: key 'readOnlyRootFilesystem' is set explicitly and by the merged mapping of '<<'/],
      [(w: string) => w.replace('  replicas: 2', '  replicas: 2\n  1: x'), /web\.yaml:\d+: mapping key '1' is not a string/],
    ] as const) {
      err = '';
      expect(await run([variant(edit)])).toBe(2);
      expect(err).toMatch(message);
    }
  });

  test('malformed YAML exits 2 naming the file and line', async () => {
    const dir = variant((w) => w.replace('  replicas: 2', '  replicas: [2'));
    expect(await run([dir])).toBe(2);
    expect(err).toMatch(/web\.yaml:\d+: malformed YAML/);
  });

  test('every malformed file is reported in one run, the rest is checked and the report written (exit 2)', async () => {
    const dir = variant(privileged, { 'dup.yaml': 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\n', 'broken.yaml': 'a: [1\n' });
    const output = join(dir, 'report.json');
    expect(await run([dir, '--format', 'json', '--output', output])).toBe(2);
    const report = JSON.parse(readFileSync(output, 'utf8')) as { results: { policy: string; file: string; message: string }[] };
    const malformed = report.results.filter((r) => r.policy === 'manifest-structure').map((r) => `${r.file.split('/').pop()}: ${r.message}`);
    expect(malformed).toEqual([expect.stringMatching(/^broken\.yaml: malformed YAML/), expect.stringMatching(/^dup\.yaml: malformed YAML: duplicated mapping key/)]);
    expect(report.results.some((r) => r.policy === 'pss-privileged')).toBe(true); // the rest of the tree was checked
    expect(err).toMatch(/broken\.yaml:\d+: malformed YAML/);
    expect(err).toMatch(/dup\.yaml:\d+: malformed YAML/);
  });

  test('--crds: custom resources are validated against a CRD given on the command line', async () => {
    const crds = mkdtempSync(join(tmpdir(), 'lg-crds-'));
    writeFileSync(join(crds, 'widgets.yaml'), WIDGET_CRD);
    const dir = variant((w) => w, { 'widget.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: team-a\nspec:\n  size: big\n' });
    // no schema: one warning (crd-before-use, which fails a kind without its CRD, is not what this test is about)
    expect(await run([dir, '--format', 'json', '--disable', 'crd-before-use'])).toBe(0);
    const warned = (JSON.parse(out) as { results: { policy: string; result: string; message: string }[] }).results.filter((r) => r.policy === 'schema-valid');
    expect(warned).toEqual([expect.objectContaining({ result: 'warn', message: expect.stringMatching(/^no schema for example\.com\/v1\/Widget/) })]);
    out = '';
    expect(await run([dir, '--format', 'json', '--crds', crds])).toBe(1);
    const failed = (JSON.parse(out) as { results: { policy: string; result: string; message: string }[] }).results.filter((r) => r.policy === 'schema-valid');
    expect(failed).toEqual([expect.objectContaining({ result: 'fail', message: '/spec/size: must be integer, got "big"' })]);
    // a --crds path that holds no CRD is a mistake named on one line, not a silent no-op
    const noCrd = mkdtempSync(join(tmpdir(), 'lg-no-crds-'));
    writeFileSync(join(noCrd, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n');
    err = '';
    expect(await main(['check', dir, '--crds', crds, '--crds', noCrd])).toBe(2);
    expect(err).toBe(`lambda-gitops check: --crds ${noCrd}: holds no CustomResourceDefinition (apiextensions.k8s.io/v1); give the file or directory of the CRDs the tree's custom resources use\n`);
  });

  test('non-Kubernetes YAML and empty files are findings (exit 1), not crashes', async () => {
    const dir = variant((w) => w, { 'values.yaml': 'replicaCount: 3\n', 'empty.yaml': '' });
    expect(await run([dir, '--format', 'json'])).toBe(1);
    const results = (JSON.parse(out) as { results: { policy: string; file: string; message: string }[] }).results.filter((r) => r.policy === 'manifest-structure');
    expect(results.map((r) => r.message)).toEqual([expect.stringMatching(/empty\.yaml document 1: the file is empty/), expect.stringMatching(/values\.yaml document 1: not a Kubernetes object/)]);
  });

  test('usage errors exit 2 through the dispatcher', async () => {
    expect(await main(['check', '--format', 'xml'])).toBe(2);
    expect(err).toMatch(/--format must be one of text, json, sarif, policy-report/);
    expect(await main(['check', '--bogus'])).toBe(2);
    expect(await main(['check', '--enable', 'no-such-rule', COMPLIANT])).toBe(2);
    expect(err).toMatch(/unknown rule id 'no-such-rule'/);
    expect(await main(['check', 'no/such/dir'])).toBe(2);
    expect(err).toMatch(/no\/such\/dir: no such file or directory/);
  });

  test('argument parsing: defaults and repeated flags', () => {
    expect(parseCheckArgs([])).toEqual(expect.objectContaining({ paths: ['dist'], format: 'text', severity: 'error', exemptions: true, includePasses: false }));
    expect(parseCheckArgs(['a', 'b', '--enable=image-digest', '--enable', 'x', '--target-version', 'v1.30'])).toEqual(expect.objectContaining({ paths: ['a', 'b'], enable: ['image-digest', 'x'], targetVersion: '1.30' }));
  });

  test('optional rules run only when enabled', async () => {
    expect(await run([COMPLIANT, '--enable', 'image-digest', '--severity', 'warning'])).toBe(1);
    expect(out).toMatch(/WARN line \d+ \S+: image-digest: container web \(containers\) image is not pinned by sha256 digest/);
  });
});

describe('check: policy schemas compiled at run time', () => {
  // src/policy/compiled does not exist (npm run build writes lib/policy/compiled), so every shipped
  // schema policy is compiled at run time here, and the CLI must say so rather than pass silently
  test('shipped policy schemas without a precompiled validator are named in a note on stderr', async () => {
    expect(await run([COMPLIANT])).toBe(0);
    expect(err).toMatch(/^lambda-gitops check: note: \d+ policy schemas compiled at run time, not ahead of time \(.*\): .*\bimage-tag\b/m);
  });

  test('a --policies directory is compiled at run time without a note (that is its normal path)', async () => {
    const policies = join(mkdtempSync(join(tmpdir(), 'lg-policies-')), 'policies');
    cpSync('policies', policies, { recursive: true });
    expect(await run([COMPLIANT, '--policies', policies])).toBe(0);
    expect(err).not.toMatch(/note:/);
  });
});
