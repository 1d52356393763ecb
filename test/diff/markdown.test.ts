import fc from 'fast-check';
import { COMMENT_BUDGET, diffTrees, escapeMarkdown, fenceFor, Manifest, renderMarkdown } from '../../src/diff/index.js';
import { assertBalanced, deployment, treeOf } from './fixtures.js';

function configMap(name: string, namespace: string, data: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

describe('renderMarkdown', () => {
  test('sections in order: risk line, kind x namespace table, policy, image changes, then blocks ordered by risk', () => {
    const report = diffTrees(
      treeOf(deployment('api', 'apps', { replicas: 3, image: 'ghcr.io/acme/api:1.4.2' }), configMap('cfg', 'apps', { a: '1' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old' } }),
      treeOf(deployment('api', 'apps', { replicas: 1, image: 'ghcr.io/acme/api:1.5.0' }), configMap('cfg', 'apps', { a: '2' })),
    );
    const md = renderMarkdown(report, { header: '<!-- marker -->', policy: [{ level: 'error', rule: 'require-limits', message: 'container `api` has no memory limit', resource: 'Deployment apps/api' }] });
    const order = ['<!-- marker -->', '> [!CAUTION]', '| Kind | Namespace |', '**Policy (head tree):** ❌ 1 failing', '**Image changes (1):**', '− <b>Namespace old</b>', '± <b>Deployment apps/api</b>', '± <b>ConfigMap apps/cfg</b>'];
    const positions = order.map((s) => md.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(md).toContain('| Deployment | apps | 0 | 1 | 0 |');
    expect(md).toContain('| (cluster) | 0 | 0 | 1 |');
    expect(md).toContain('container \\`api\\` has no memory limit');
    expect(md).toContain('| Deployment apps/api | main | ghcr.io/acme/api:1.4.2 | ghcr.io/acme/api:1.5.0 | tag to tag |');
    expect(md).toContain('@@ spec.replicas @@\n- 3\n+ 1');
    assertBalanced(md);
  });

  test('no changes says so', () => {
    expect(renderMarkdown(diffTrees(treeOf(), treeOf()))).toContain('**No rendered changes.**');
  });

  test('a value containing a code fence cannot close the block: the fence is longer', () => {
    const report = diffTrees(treeOf(configMap('c', 'n', { readme: 'a' })), treeOf(configMap('c', 'n', { readme: 'x\n```\n</details>\n````' })));
    const md = renderMarkdown(report);
    expect(md).toContain('`````diff');
    assertBalanced(md);
    expect(fenceFor('no backticks')).toBe('```');
  });

  test('untrusted names are escaped in HTML and tables', () => {
    expect(escapeMarkdown('<img src=x> | [link](http://e)')).toBe('&lt;img src=x&gt; \\| \\[link\\]\\(http://e\\)');
  });

  test('a big diff fits the budget with whole blocks, lists what is not shown, and closes everything', () => {
    const many = (n: number, value: string) => Array.from({ length: n }, (_, i) => configMap(`cm-${String(i).padStart(4, '0')}`, `ns-${i % 7}`, { value, big: value.repeat(50) }));
    const report = diffTrees(treeOf(...many(3000, 'a')), treeOf(...many(3000, 'b')));
    for (const budget of [COMMENT_BUDGET, 20_000, 5_000]) {
      const md = renderMarkdown(report, { budget, header: '<!-- m -->', footer: 'lambda-gitops' });
      expect(md.length).toBeLessThanOrEqual(budget);
      assertBalanced(md);
      const shown = (md.match(/<details>/g) ?? []).length;
      expect(shown).toBeGreaterThan(0);
      const notShown = /\*\*Not shown \((\d+) objects/.exec(md);
      expect(Number(notShown?.[1])).toBe(3000 - shown);
      expect(md).toMatch(/… and \d+ more \(ConfigMap \d+\)\n/);
    }
    const full = renderMarkdown(report, { budget: Infinity });
    expect((full.match(/<details>/g) ?? []).length).toBe(3000);
    expect(full).not.toContain('Not shown');
  });

  test('a single huge object is cut at a line boundary inside its block, with the fence closed', () => {
    const data = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, `v${i}`]));
    const md = renderMarkdown(diffTrees(treeOf(), treeOf(configMap('huge', 'n', data))));
    expect(md).toMatch(/… \d+ more lines not shown \(see the full diff\)/);
    assertBalanced(md);
  });

  test('property: any report renders within any budget from 4,000 up, with balanced fences and details', () => {
    const text = fc.string({ maxLength: 30 });
    const resource = fc.record({ group: fc.constantFrom('', 'apps'), apiVersion: fc.constant('v1'), kind: fc.constantFrom('ConfigMap', 'Deployment', 'Namespace'), namespace: text, name: text, file: text });
    const field = fc.record({ path: text, before: fc.oneof(fc.constant(null), text, fc.dictionary(text, text, { maxKeys: 5 })), after: fc.oneof(fc.constant(null), fc.string({ maxLength: 3000 }), fc.array(text, { maxLength: 20 })) });
    const change = fc.record({ action: fc.constantFrom('added' as const, 'removed' as const, 'changed' as const), resource, fields: fc.array(field, { maxLength: 12 }) });
    const risk = fc.record({ level: fc.constantFrom('high' as const, 'medium' as const, 'low' as const), code: text, message: text, resource });
    fc.assert(fc.property(fc.array(change, { maxLength: 60 }), fc.array(risk, { maxLength: 20 }), fc.integer({ min: 4_000, max: 70_000 }), (changes, risks, budget) => {
      const report = { summary: { added: 0, removed: 0, changed: changes.length }, risks, changes };
      const md = renderMarkdown(report, { budget, header: '<!-- m -->', footer: 'f' });
      expect(md.length).toBeLessThanOrEqual(budget);
      assertBalanced(md);
    }), { numRuns: 60 });
  });
});
