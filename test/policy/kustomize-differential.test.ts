/**
 * Differential test: the loader (gate, diff and plan read manifests through it) against
 * `kubectl kustomize` (kustomize v5.5, what Flux's kustomize-controller builds with), over
 * generated documents full of YAML 1.1 traps: octal and other integer spellings, yes/on/y,
 * timestamps, tags, merge keys, non-string keys, annotations, `List` kinds, separators.
 *
 * For every generated file the loader either refuses it (ManifestLoadError naming file and line:
 * always allowed) or reads objects that must equal, value for value, what kustomize renders.
 * Every accepted file goes into one kustomization built once; when that build fails, each file is
 * built alone to name the one the loader accepted and kustomize refuses.
 *
 * Fixed seed; LAMBDA_GITOPS_DIFFERENTIAL_RUNS sets the number of files (CI runs more).
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, visit } from 'yaml';
import { manifestsFromText, ManifestLoadError } from '../../src/policy/loader.js';

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectl.status === 0;
const FILES = Number(process.env.LAMBDA_GITOPS_DIFFERENTIAL_RUNS ?? 300);
const SEED = 20261202;

// Plain scalars whose meaning differs between YAML 1.1, YAML 1.2 and goyaml.v3.
const TRAPS = [
  '0777', '0o17', '0O17', '0x1F', '0X1f', '-0x1F', '0b101', '-0b11', '1_000', '0_7', '+12', '-0777', '+0777', '0888', '09', '00', '0',
  '1e3', '1E-2', '.5', '-.5', '+.5', '1.', '1.5e+3', '1e400', '.5e400', '12345678901234567', '9007199254740993', '9007199254740992', '0xFFFFFFFFFFFFFFFFFF',
  'yes', 'Yes', 'YES', 'no', 'on', 'On', 'off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'True', 'TRUE', 'false', 'False', 'tRue',
  '~', 'null', 'Null', 'NULL', 'nULL', '.inf', '-.Inf', '.nan', '.NaN', 'NaN', 'inf',
  '2001-12-14', '2001-1-4', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.10Z', '2024-01-01T00:00:00+00:00', '2024-01-01T10:00:00+05:30', '2001-12-14 21:59:43.10', '2001-12', '1234-ab',
  '190:20:30', '1:20', '-', '+', '.', '_1', '1_', '0x', '0b', '0o', '=', '<<', 'a<<', '12:30', '1.2.3', '0.0.0.0', '-0', '-0.0',
];
/** Traps the loader refuses (kustomize fails, or its meaning is a surprise); one is planted in some files. */
const REFUSED = ['1e400', '12345678901234567', '9007199254740993', '0xFFFFFFFFFFFFFFFFFF', '.inf', '-.Inf', '.nan', '.NaN',
  '2001-12-14', '2001-1-4', '2024-01-01T00:00:00.10Z', '2024-01-01T00:00:00+00:00', '2001-12-14 21:59:43.10', '<<',
  '!!str 12', '!!str 0777', '!!int "12"', '!!int 0777', '!!float 3', '!!bool yes', '!!bool true', '!!null ""', '!!binary aGVsbG8=', '!custom 5', '! 5', '! yes',
  '{<<: 5}', '{<<: [a]}', '{1: a}', '{true: a}', '{~: a}', '{0777: a}', '{"<<": {a: 1}}', '{<<: {a: 1}, a: 2}', '{<<: [{a: 1}, {a: 2}]}', '&x {a: 1}'];
const plainTrap = fc.constantFrom(...TRAPS.filter((t) => !REFUSED.includes(t)));
const word = fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/);
const quoted = fc.oneof(
  plainTrap.map((s) => `"${s}"`),
  plainTrap.map((s) => `'${s}'`),
  word.map((s) => `"${s}"`),
);
const scalar = fc.oneof({ weight: 2, arbitrary: plainTrap }, { weight: 1, arbitrary: word }, { weight: 1, arbitrary: quoted });
const key = fc.oneof(
  { weight: 8, arbitrary: word },
  { weight: 1, arbitrary: fc.constantFrom('on', 'yes', 'y', 'n', 'off', 'No', '"1"', "'on'", '"true"', '-', 'a<<') },
);

type Flow = string;
const flowValue: fc.Arbitrary<Flow> = fc.letrec<{ value: Flow }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 3 }).map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    // merge keys: a mapping, or a list of mappings, merged with explicit keys (sometimes colliding)
    fc.tuple(
      fc.array(fc.tuple(word, tie('value')), { maxLength: 2 }),
      fc.oneof(
        fc.array(fc.tuple(word, tie('value')), { maxLength: 2 }).map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
        fc.array(fc.array(fc.tuple(word, tie('value')), { maxLength: 2 }), { minLength: 1, maxLength: 2 })
          .map((maps) => `[${maps.map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`).join(', ')}]`),
      ),
    ).map(([pairs, merged]) => `{<<: ${merged}${pairs.map(([k, v]) => `, ${k}: ${v}`).join('')}}`),
  ),
})).value;

/** One object: a fixed identity (to find it in kustomize's output), generated annotations, labels and spec. */
const objectText = (name: string, indent: string) => fc.record({
  kind: fc.constantFrom('Thing', 'Thing', 'ConfigMap', 'Pod'),
  annotations: fc.array(fc.tuple(fc.oneof(word, fc.constantFrom('on', 'yes', 'a.b/c', '"x.io/y"')), fc.oneof({ weight: 8, arbitrary: scalar }, { weight: 1, arbitrary: fc.constantFrom(...REFUSED.filter((r) => !r.startsWith('{') && !r.startsWith('&'))) })), { maxLength: 3 }),
  labels: fc.array(fc.tuple(word, fc.oneof({ weight: 12, arbitrary: word }, { weight: 1, arbitrary: plainTrap })), { maxLength: 2 }),
  spec: fc.array(fc.tuple(key, flowValue), { maxLength: 5 }),
  block: fc.option(fc.tuple(word, fc.constantFrom('|', '|-', '>', '>-'), plainTrap), { nil: undefined }),
  planted: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...REFUSED) }),
}).map(({ kind, annotations, labels, spec, block, planted }) => {
  const apiVersion = kind === 'Thing' ? 'example.com/v1' : 'v1';
  const field = kind === 'ConfigMap' ? 'data' : 'spec';
  const lines = [`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata:', `  name: ${name}`];
  if (annotations.length > 0) lines.push('  annotations:', ...annotations.map(([k, v]) => `    ${k}: ${v}`));
  if (labels.length > 0) lines.push('  labels:', ...labels.map(([k, v]) => `    ${k}: ${v}`));
  if (spec.length > 0 || block || planted) {
    lines.push(`${field}:`, ...spec.map(([k, v]) => `  ${k}: ${v}`));
    if (planted) lines.push(`  planted: ${planted}`);
    if (block) lines.push(`  ${block[0]}blk: ${block[1]}`, `    ${block[2]}`, `    second line`);
  }
  return lines.map((l) => indent + l).join('\n');
});

const SEPARATORS = ['---', '--- # next', '---   '];

/** A file: one to three documents, sometimes a `List` wrapping objects. */
function fileText(index: number): fc.Arbitrary<string> {
  const name = (n: number) => `d${index}-${n}`;
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }).chain((docs) => fc.tuple(...docs.map((_, n) => objectText(name(n), ''))).chain((texts) => fc.constantFrom(...SEPARATORS).map((sep) => `${texts.join(`\n${sep}\n`)}\n`))) },
    { weight: 1, arbitrary: fc.tuple(objectText(name(0), '  '), objectText(name(1), '  ')).map(([a, b]) => `apiVersion: v1\nkind: List\nitems:\n-${a.slice(1)}\n-${b.slice(1)}\n`) },
  );
}

/**
 * kustomize's output parsed as the applier reads it: Flux's kustomize-controller and kubectl
 * decode it with sigs.k8s.io/yaml (goyaml.v2, YAML 1.1); kustomize quotes every string goyaml.v2
 * would read as something else.
 */
function parseKustomizeOutput(text: string): Map<string, unknown> {
  const asYaml11 = parseAllDocuments(text, { version: '1.1' }).map((document) => {
    // goyaml.v2 keeps plain number text it cannot parse as the string: floats out of double range,
    // hexadecimal/octal/binary integers beyond 64 bits (strconv fails on both)
    visit(document, {
      Scalar(_, node) {
        if (typeof node.value !== 'number' || node.type !== 'PLAIN' || node.source === undefined) return;
        const unparsable = !Number.isFinite(node.value) || (/^[-+]?0[xXoObB]/.test(node.source) && BigInt(node.source.replace(/^[-+]/, '').replace(/^0[oO]/, '0o')) >= 2n ** 64n);
        if (unparsable) node.value = node.source;
      },
    });
    return document.toJS() as Record<string, unknown>;
  });
  return new Map(asYaml11.filter((o) => o).map((o) => [String((o.metadata as Record<string, unknown>).name), o]));
}

function kustomize(dir: string, files: string[]): { ok: true; output: string } | { ok: false; error: string } {
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n${files.map((f) => `- ${f}`).join('\n')}\n`);
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return result.status === 0 ? { ok: true, output: result.stdout } : { ok: false, error: result.stderr.trim() };
}

/** JSON round trip (as the API server receives it): -0 and 0 are one number there. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('one YAML meaning: the loader against kubectl kustomize', () => {
  if (!hasKubectl) {
    test.skip('SKIPPED: kubectl is not on PATH, so the differential test against kubectl kustomize cannot run', () => undefined);
    return;
  }

  test(`${FILES} generated files: each is refused with file and line, or read exactly as kustomize renders it`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-kdiff-'));
    try {
      const texts = fc.sample(fc.tuple(...Array.from({ length: FILES }, (_, i) => fileText(i))), { seed: SEED, numRuns: 1 })[0];
      const accepted = new Map<string, Map<string, unknown>>();
      let refused = 0;
      texts.forEach((text, i) => {
        const file = `f${i}.yaml`;
        writeFileSync(join(dir, file), text);
        try {
          const loaded = manifestsFromText([{ file, text }]);
          if (loaded.problems.length > 0) {
            if (process.env.DIFF_REASONS) process.stdout.write(`REASON problem ${loaded.problems[0].message}\n`);
            refused++;
            return;
          }
          accepted.set(file, new Map(loaded.objects.map((o) => [o.object.metadata.name, asJson(o.object)])));
        } catch (error) {
          if (process.env.DIFF_REASONS) process.stdout.write(`REASON ${(error as Error).message.replace(/^[^ ]+ /, '').replace(/'[^']*'/g, "'X'")}\n`);
          expect(error).toBeInstanceOf(ManifestLoadError);
          expect((error as Error).message).toMatch(new RegExp(`^${file.replace('.', '\\.')}:\\d+: `));
          refused++;
        }
      });
      const files = [...accepted.keys()];
      const build = kustomize(dir, files);
      if (!build.ok) {
        const culprits = files.filter((f) => !kustomize(dir, [f]).ok);
        throw new Error(`kustomize refuses files the loader accepted:\n${culprits.map((f) => `--- ${f}\n${texts[Number(f.slice(1, -5))]}\n${(kustomize(dir, [f]) as { error: string }).error}`).join('\n')}`);
      }
      const rendered = parseKustomizeOutput(build.output);
      let compared = 0;
      for (const [file, objects] of accepted) {
        for (const [name, object] of objects) {
          const expected = rendered.get(name);
          if (expected === undefined) throw new Error(`${file}: kustomize rendered no object '${name}'\n${texts[Number(file.slice(1, -5))]}`);
          try {
            expect(object).toEqual(expected);
          } catch (error) {
            throw new Error(`${file}: the loader and kustomize read '${name}' differently\n${texts[Number(file.slice(1, -5))]}\n${(error as Error).message}`);
          }
          compared++;
        }
      }
      expect(compared).toBe(rendered.size);
      process.stdout.write(`kustomize differential: ${FILES} files, ${accepted.size} accepted (${compared} objects equal to kubectl kustomize), ${refused} refused\n`);
      // not vacuous: most generated files are read, and traps are refused
      expect(accepted.size).toBeGreaterThan(FILES * 0.2);
      expect(refused).toBeGreaterThan(FILES * 0.05);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
