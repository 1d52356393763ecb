/**
 * Property tests of the masking policy: random secrets are planted in every secret-bearing shape
 * (secret-shapes.ts) on both sides of a diff, every output of every command is produced, and
 * each output is searched for every value as is, in base64, URL-encoded, JSON-escaped and
 * Markdown-escaped. `npm test` runs a fixed seed; FUZZ_RUNS=N runs N cases per CLI property
 * (and 20 × N of the in-process one) with FUZZ_SEED or a random seed.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run as check } from '../../src/cli/commands/check.js';
import { run as diff } from '../../src/cli/commands/diff.js';
import { run as plan } from '../../src/cli/commands/plan.js';
import { diffTrees, findingsFromSarif, parseDiffReport, remaskReport, renderJson, renderMarkdown, renderText } from '../../src/diff/index.js';
import { postReview } from '../../src/github/review.js';
import { SecretScrubber } from '../../src/masking/index.js';
import { defaultSchemaValidator } from '../../src/schema/index.js';
import { treeOf } from '../diff/fixtures.js';
import { plantedObjects, plantedSecrets, valuesOf } from './secret-shapes.js';
import { capture, expectNoLeak, postedOutputs, prContext, stubGitHub, writeTree } from './support.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : FUZZ_RUNS > 0 ? Date.now() % 2 ** 31 : 20261202;
const CLI_RUNS = FUZZ_RUNS > 0 ? FUZZ_RUNS : 4;
const IN_PROCESS_RUNS = FUZZ_RUNS > 0 ? FUZZ_RUNS * 20 : 120;
const counts = { inProcess: 0, cli: 0, outputsSearched: 0 };

afterAll(() => {
  // the number of generated cases, for the record (see docs/pr-review.md)
  process.stderr.write(`masking property tests: seed ${SEED}, ${counts.inProcess} in-process cases, ${counts.cli} CLI cases, ${counts.outputsSearched} outputs searched\n`);
});

const sides = fc.record({ base: plantedSecrets, head: plantedSecrets, baseHasObjects: fc.boolean() });

describe('no planted secret reaches any output', () => {
  test('in process: diff renderers (text, JSON, Markdown limited and full), schema messages, the comment body and annotations', async () => {
    await fc.assert(fc.asyncProperty(sides, async ({ base, head, baseHasObjects }) => {
      counts.inProcess++;
      const baseObjects = baseHasObjects ? plantedObjects(base) : [];
      const headObjects = plantedObjects(head);
      const values = [...(baseHasObjects ? valuesOf(base) : []), ...valuesOf(head)];
      const report = diffTrees(treeOf(...baseObjects), treeOf(...headObjects));
      // masking again what the diff masked changes nothing (the comment job does it to artifacts)
      expect(remaskReport(report).report).toEqual(report);
      const schemaMessages = headObjects.flatMap((o) => defaultSchemaValidator().validate(o).map((i) => `${i.path}: ${i.message}`)).join('\n');
      const { client, posted } = stubGitHub('a'.repeat(40));
      // findings quoting the planted values, as an older or careless producer of the SARIF might
      const findings = values.slice(0, 5).map((value, i) => ({ level: 'error' as const, rule: 'schema-valid', message: `got ${JSON.stringify(value)}`, file: `apps/${i}.yaml`, line: 1 }));
      const scrubber = SecretScrubber.of([...baseObjects, ...headObjects]);
      await postReview(client, prContext('a'.repeat(40)), { report, findings, scrubber, checkName: 'review' });
      const outputs = {
        json: renderJson(report), text: renderText(report), markdown: renderMarkdown(report), full: renderMarkdown(report, { budget: Infinity }),
        small: renderMarkdown(report, { budget: 4_000 }), schemaMessages, ...(await postedOutputs(posted)),
      };
      counts.outputsSearched += Object.keys(outputs).length;
      expectNoLeak(outputs, values);
    }), { numRuns: IN_PROCESS_RUNS, seed: SEED });
  });

  test('through the commands: check (text, json, sarif, policy-report), diff (text, json, markdown with --check and --policy, --full, --plan-output), plan, and the posted comment', async () => {
    await fc.assert(fc.asyncProperty(sides, async ({ base, head, baseHasObjects }) => {
      counts.cli++;
      const baseDir = writeTree(baseHasObjects ? plantedObjects(base) : []);
      const headDir = writeTree(plantedObjects(head));
      const values = [...(baseHasObjects ? valuesOf(base) : []), ...valuesOf(head)];
      try {
        const outputs: Record<string, string> = {};
        for (const format of ['text', 'json', 'sarif', 'policy-report']) {
          const result = await capture(check, [headDir, '--format', format]);
          expect(result.code).toBe(1);
          outputs[`check ${format}`] = result.stdout + result.stderr;
        }
        const sarifFile = join(headDir, '..', `${headDir.split('/').pop()}.sarif`);
        await capture(check, [headDir, '--format', 'sarif', '--output', sarifFile]);
        const fullFile = `${sarifFile}.full.md`;
        const planFile = `${sarifFile}.plan.json`;
        const jsonFile = `${sarifFile}.diff.json`;
        for (const [name, args] of Object.entries({
          'diff text': ['--format', 'text'],
          'diff json': ['--format', 'json', '--output', jsonFile],
          'diff markdown --check --plan': ['--format', 'markdown', '--check', '--plan', '--plan-output', planFile, '--full', fullFile],
          'diff markdown --policy': ['--format', 'markdown', '--policy', sarifFile],
        })) {
          const result = await capture(diff, ['--base', baseDir, '--head', headDir, ...args]);
          expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' });
          outputs[name] = result.stdout + result.stderr;
        }
        outputs['diff --full'] = readFileSync(fullFile, 'utf8');
        outputs['diff --plan-output'] = readFileSync(planFile, 'utf8');
        outputs['diff json file'] = readFileSync(jsonFile, 'utf8');
        outputs['check sarif file'] = readFileSync(sarifFile, 'utf8');
        for (const format of ['text', 'json', 'markdown']) {
          const result = await capture(plan, [headDir, '--format', format]);
          outputs[`plan ${format}`] = result.stdout + result.stderr;
        }
        // the comment job: the report and SARIF from the artifact, no trees
        const { client, posted } = stubGitHub('b'.repeat(40));
        const sarifText = outputs['check sarif file'];
        await postReview(client, prContext('b'.repeat(40)), {
          report: parseDiffReport(JSON.parse(outputs['diff json file']), 'diff.json'),
          findings: findingsFromSarif(JSON.parse(sarifText)),
          sarif: sarifText,
          plan: JSON.parse(outputs['diff --plan-output']),
        });
        Object.assign(outputs, await postedOutputs(posted));
        counts.outputsSearched += Object.keys(outputs).length;
        expectNoLeak(outputs, values);
        for (const file of [sarifFile, fullFile, planFile, jsonFile]) rmSync(file, { force: true });
      } finally {
        rmSync(baseDir, { recursive: true, force: true });
        rmSync(headDir, { recursive: true, force: true });
      }
    }), { numRuns: CLI_RUNS, seed: SEED });
  }, 600_000);
});
