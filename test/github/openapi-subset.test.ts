import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { SUBSET_PATH } from './fake-github.js';

const subset = JSON.parse(readFileSync(SUBSET_PATH, 'utf8'));
const root = new URL('../../', import.meta.url).pathname;

/** Where the full @octokit/openapi package may be installed (it is 385 MB, so not a project dependency). */
function packageDir(): string | undefined {
  const candidates = [process.env.OCTOKIT_OPENAPI_DIR, '/tmp/openapi/node_modules/@octokit/openapi', join(root, 'node_modules/@octokit/openapi')];
  return candidates.find((dir) => dir && existsSync(join(dir, 'generated/api.github.com.json')));
}

describe('the committed OpenAPI subset', () => {
  test('records its provenance', () => {
    expect(subset['x-provenance']).toEqual(expect.objectContaining({
      package: '@octokit/openapi', version: '23.0.2', file: 'generated/api.github.com.json',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/), extractedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), script: 'scripts/extract-github-openapi.mjs',
    }));
  });

  test('describes every REST method src/github calls', () => {
    const source = readdirSync(join(root, 'src/github')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(root, 'src/github', f), 'utf8')).join('\n');
    const used = [...new Set([...source.matchAll(/client\.rest\.(\w+)\.(\w+)/g)].map((m) => `${m[1]}.${m[2]}`))].sort();
    expect(used.length).toBeGreaterThanOrEqual(15);
    const octokit = new Octokit() as unknown as Record<string, Record<string, Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>>>;
    for (const name of used) {
      const [scope, method] = name.split('.');
      const { DEFAULTS } = octokit.rest[scope][method].endpoint;
      expect({ name, described: Boolean(subset.paths[DEFAULTS.url]?.[DEFAULTS.method.toLowerCase()]) }).toEqual({ name, described: true });
    }
  });

  const dir = packageDir();
  if (!dir) console.log('skipping the comparison with @octokit/openapi: the package is not installed (set OCTOKIT_OPENAPI_DIR, or install it under /tmp/openapi as docs/pr-review.md says)');
  (dir ? test : test.skip)('equals a fresh extraction from the installed @octokit/openapi package', async () => {
    const { extractSubset, OPERATIONS, SOURCE_FILE } = await import('../../scripts/extract-github-openapi.mjs' as string);
    const raw = readFileSync(join(dir!, SOURCE_FILE));
    const version = JSON.parse(readFileSync(join(dir!, 'package.json'), 'utf8')).version;
    const { 'x-provenance': provenance, ...committed } = subset;
    expect({ version, sha256: createHash('sha256').update(raw).digest('hex') }).toEqual({ version: provenance.version, sha256: provenance.sha256 });
    expect(provenance.operations).toEqual(OPERATIONS);
    expect(extractSubset(JSON.parse(raw.toString('utf8')))).toEqual(committed);
  });
});
