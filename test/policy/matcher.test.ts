import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { manifestsFromText } from '../../src/policy/loader.js';
import { ObjectIndex } from '../../src/policy/object-index.js';
import { selectorMatches, type LabelSelector } from '../../src/policy/selectors.js';

const keys = fc.constantFrom('app', 'tier', 'team', 'gpu');
const values = fc.constantFrom('a', 'b', 'c');
const labels = fc.dictionary(keys, values, { maxKeys: 4 });
const requirement = fc.record({
  key: keys,
  operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
  values: fc.array(values, { maxLength: 3 }),
});
const selector: fc.Arbitrary<LabelSelector> = fc.record({ matchLabels: labels, matchExpressions: fc.array(requirement, { maxLength: 3 }) }, { requiredKeys: [] });

function deployments(templates: { ns: string; labels: Record<string, string> }[]) {
  const text = templates.map((t, i) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d${i}`, namespace: t.ns },
    spec: { selector: { matchLabels: t.labels }, template: { metadata: { labels: t.labels }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
  })).join('\n---\n');
  return manifestsFromText([{ file: 'gen.yaml', text }]).objects;
}

describe('label selectors', () => {
  test('matchLabels, In, NotIn, Exists and DoesNotExist follow the Kubernetes semantics', () => {
    const l = { app: 'a', tier: 'b' };
    expect(selectorMatches({}, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'a' } }, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'b' } }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, l)).toBe(false);
  });

  test('the indexed lookup selects exactly what a scan over all templates selects', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ ns: fc.constantFrom('x', 'y'), labels }), { maxLength: 25 }),
      selector,
      fc.constantFrom('x', 'y'),
      (templates, s, ns) => {
        const index = new ObjectIndex(deployments(templates));
        const indexed = index.selectPodTemplates(ns, s).map((t) => t.owner.object.metadata.name).sort();
        const scanned = index.podTemplates().filter((t) => t.namespace === ns && selectorMatches(s, t.labels)).map((t) => t.owner.object.metadata.name).sort();
        expect(indexed).toEqual(scanned);
      },
    ), { numRuns: 400 });
  });

  test('the index finds objects by kind, namespace and name', () => {
    const index = new ObjectIndex(deployments([{ ns: 'x', labels: { app: 'a' } }]));
    expect(index.get('Deployment', 'x', 'd0')?.object.metadata.name).toBe('d0');
    expect(index.get('Deployment', 'y', 'd0')).toBeUndefined();
    expect(index.ofKind('Deployment')).toHaveLength(1);
    expect(index.podTemplates()[0].specPath).toBe('/spec/template/spec');
  });
});

test('ofKindIn lists the objects of a kind in one namespace in input order, duplicates included', () => {
  const text = ['a/p1', 'b/p2', 'a/p3', 'a/p1'].map((ref) => {
    const [ns, name] = ref.split('/');
    return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {podSelector: {}}\n`;
  }).join('---\n') + '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n';
  const index = new ObjectIndex(manifestsFromText([{ file: 'policies.yaml', text }]).objects);
  expect(index.ofKindIn('NetworkPolicy', 'a').map((o) => o.object.metadata.name)).toEqual(['p1', 'p3', 'p1']);
  expect(index.ofKindIn('NetworkPolicy', 'b').map((o) => o.object.metadata.name)).toEqual(['p2']);
  expect(index.ofKindIn('NetworkPolicy', 'c')).toEqual([]);
  expect(index.ofKindIn('Namespace', '').map((o) => o.object.metadata.name)).toEqual(['a']);
});
