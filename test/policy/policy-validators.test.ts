// Policy schemas compiled ahead of time (standalone ajv code, `npm run build`) must give exactly the
// results of the run-time compiled ones, and a schema changed after the build must never use a
// stale compile: it is compiled at run time and the report names the policy.
import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICIES_DIR, loadPolicySet, parsePolicyYaml, versionNumber } from '../../src/policy/definition.js';
import { runCheck } from '../../src/policy/engine.js';
import { loadManifests } from '../../src/policy/loader.js';
import { PolicySchemaCompiler, prevalidatedPolicyFiles, policyDefinitionValidator, writePolicyCodeCache } from '../../src/policy/policy-validators.js';
import { codeCacheCurrent } from '../../src/core/code-cached-module.js';

// under the repository, so the generated code resolves ajv from node_modules
const dir = join(process.cwd(), '.cache', `policy-validators-test-${process.pid}`);
const set = loadPolicySet(DEFAULT_POLICIES_DIR);
const schemaPolicies = set.policies.filter((p) => !p.definition.rule);
const schemasOf = (policies: typeof set.policies) => policies.flatMap(({ definition: d }) => [d.when, d.schema, ...(d.versions ?? []).map((v) => v.schema)].filter((s) => s !== undefined)) as (object | boolean)[];
const libFiles = () => readdirSync(join(DEFAULT_POLICIES_DIR, '_lib')).map((f) => join(DEFAULT_POLICIES_DIR, '_lib', f));
const filesOf = (paths: string[]) => paths.map((file) => { const text = readFileSync(file, 'utf8'); return { text, value: parsePolicyYaml(text, file) }; });

function yamlFiles(d: string): string[] {
  return existsSync(d) ? readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(d, f)) : [];
}

describe('ahead-of-time compiled policy schemas', () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    const written = new PolicySchemaCompiler(set.libraries).writeCompiled(dir, schemasOf(set.policies), filesOf([...set.policies.map((p) => p.file), ...libFiles()]));
    expect(written).toBeGreaterThan(40);
    // the comparisons below load the module with its V8 code cache
    expect(writePolicyCodeCache(dir)).toBe(true);
    expect(writePolicyCodeCache(dir)).toBe(false);
    expect(codeCacheCurrent(join(dir, 'policies.cjs'))).toBe(true);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every fixture of every schema policy gets the same results from compiled and run-time validators', async () => {
    let compared = 0;
    for (const policy of schemaPolicies) {
      const id = policy.definition.id;
      const fixtures = join(policy.directory, 'fixtures');
      const common = yamlFiles(join(fixtures, 'common'));
      for (const file of [...yamlFiles(join(fixtures, 'pass')), ...yamlFiles(join(fixtures, 'fail'))]) {
        const prefix = /^v(\d+\.\d+)-/.exec(file.split('/').pop() as string);
        const since = policy.definition.since;
        const targetVersion = prefix ? prefix[1] : since && versionNumber(since) > versionNumber('1.28') ? since : '1.28';
        const manifests = loadManifests([file, ...common]);
        const options = { manifests, only: [id], targetVersion, includePasses: true };
        const compiled = await runCheck({ ...options, compiledPolicies: dir });
        const runtime = await runCheck({ ...options, compiledPolicies: false });
        expect(compiled.runtimeCompiledPolicies).toEqual([]);
        expect(runtime.runtimeCompiledPolicies).toEqual([id]);
        expect({ file, results: compiled.results, summary: compiled.summary }).toEqual({ file, results: runtime.results, summary: runtime.summary });
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(2 * schemaPolicies.length); // a pass and a fail fixture each, at least
  });

  test('a policy whose schema changed after the build is compiled at run time and named, never given the stale validator', async () => {
    const policies = `${dir}-policies`;
    cpSync(DEFAULT_POLICIES_DIR, policies, { recursive: true });
    try {
      // image-tag: the shipped schema fails `:latest`; the edited one accepts any image
      const file = join(policies, 'image-tag', 'policy.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^schema:[\s\S]*?^message:/m, 'schema:\n  required: [container]\nmessage:'));
      const manifests = loadManifests([join(DEFAULT_POLICIES_DIR, 'image-tag', 'fixtures', 'fail')]);
      const shipped = await runCheck({ manifests, only: ['image-tag'], compiledPolicies: dir });
      const edited = await runCheck({ manifests, only: ['image-tag'], compiledPolicies: dir, policiesDir: policies });
      expect(shipped.summary.fail).toBeGreaterThan(0);
      expect(shipped.runtimeCompiledPolicies).toEqual([]);
      expect(edited.summary.fail).toBe(0);
      expect(edited.runtimeCompiledPolicies).toEqual(['image-tag']);
    } finally {
      rmSync(policies, { recursive: true, force: true });
    }
  });

  test('a changed library recompiles every policy that could reference it', () => {
    const compiler = new PolicySchemaCompiler(set.libraries);
    const changed = new PolicySchemaCompiler(set.libraries.map((l) => ({ ...l, schema: { ...l.schema, description: 'edited' } })));
    const schema = schemaPolicies[0].definition.schema as object;
    expect(changed.keyOf(schema)).not.toBe(compiler.keyOf(schema));
    expect(new PolicySchemaCompiler(set.libraries, { compiledDirectory: dir }).keyOf(schema)).toBe(compiler.keyOf(schema));
  });

  test('policy files parsed at build time are used only for the same text', () => {
    const files = prevalidatedPolicyFiles(dir);
    const text = readFileSync(schemaPolicies[0].file, 'utf8');
    expect(files.get(text)).toEqual(parsePolicyYaml(text, schemaPolicies[0].file));
    expect(files.get(`${text}\n# edited\n`)).toBeUndefined();
    expect(prevalidatedPolicyFiles(false).get(text)).toBeUndefined();
    expect(prevalidatedPolicyFiles(join(dir, 'missing')).get(text)).toBeUndefined();
  });

  test('the precompiled definition validator rejects what the run-time one rejects', () => {
    const compiled = policyDefinitionValidator(dir);
    const runtime = policyDefinitionValidator(false);
    for (const definition of [set.policies[0].definition, { id: 'x' }, { ...set.policies[0].definition, severity: 'fatal' }]) {
      expect(compiled(definition)).toBe(runtime(definition));
      expect(compiled.errors ?? null).toEqual(runtime.errors ?? null);
    }
    expect(compiled({ id: 'x' })).toBe(false);
  });
});
