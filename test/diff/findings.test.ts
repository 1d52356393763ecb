import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { run } from '../../src/cli/commands/diff.js';
import { findingsFromSarif, SarifFormatError } from '../../src/diff/index.js';
import { deployment } from './fixtures.js';

describe('policy findings', () => {
  test('read from SARIF: level, rule, message, object, file and line', () => {
    const sarif = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [
      { ruleId: 'require-limits', level: 'error', message: { text: 'no limit' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'dist/a%20b.yaml' }, region: { startLine: 4 } }, logicalLocations: [{ fullyQualifiedName: 'Deployment apps/api' }] }] },
      { ruleId: 'tag', message: { text: 'latest' } },
    ] }] };
    expect(findingsFromSarif(sarif)).toEqual([
      { level: 'error', rule: 'require-limits', message: 'no limit', resource: 'Deployment apps/api', file: 'dist/a b.yaml', line: 4 },
      { level: 'warning', rule: 'tag', message: 'latest' },
    ]);
    expect(() => findingsFromSarif({ runs: [{ results: [{ ruleId: 'x' }] }] }, 'p.sarif')).toThrow(new SarifFormatError('p.sarif: runs[0].results[0].message.text is missing'));
  });

  test('diff --check runs the policy gate over the head tree and lists its findings in the Markdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-gitops-check-'));
    try {
      const bad = deployment('api', 'apps');
      delete ((bad.spec as any).template.spec.containers[0].securityContext);
      writeFileSync(join(dir, 'deployment-api.yaml'), dump(bad, { noRefs: true }));
      const empty = mkdtempSync(join(tmpdir(), 'lambda-gitops-empty-'));
      expect(await run(['--base', empty, '--head', dir, '--check', '--format', 'markdown', '--output', join(dir, 'out.md')])).toBe(0);
      rmSync(empty, { recursive: true });
      const md = readFileSync(join(dir, 'out.md'), 'utf8');
      expect(md).toMatch(/\*\*Policy \(head tree\):\*\* ❌ [1-9]\d* failing/);
      expect(md).toContain('| ❌ | pss-privilege-escalation | Deployment apps/api | container main \\(containers\\) does not set allowPrivilegeEscalation: false |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
