import { expect, test } from '@jest/globals';
import { runCheck } from '../../src/policy/engine.js';
import { manifestsFromText } from '../../src/policy/loader.js';
import { ObjectIndex } from '../../src/policy/object-index.js';

const deployment = (apiVersion: string, name: string) => `apiVersion: ${apiVersion}\nkind: Deployment\nmetadata: {name: ${name}, namespace: a}\nspec: {}\n`;

const loaded = () => manifestsFromText([
  { file: 'one.yaml', text: deployment('apps/v1', 'web') },
  { file: 'two.yaml', text: deployment('extensions/v1beta1', 'web') },
  { file: 'three.yaml', text: [deployment('apps/v1', 'api'), deployment('apps/v1', 'web')].join('---\n') },
  { file: 'four.yaml', text: deployment('apps/v1', 'web') },
]);

test('the object index lists the objects whose kind, namespace and name another object has; get gives the last of them', () => {
  const objects = loaded().objects;
  const index = new ObjectIndex(objects);
  expect([...index.objectsSharingName()].map((o) => `${o.source.file} ${o.object.apiVersion}`).sort()).toEqual(['four.yaml apps/v1', 'one.yaml apps/v1', 'three.yaml apps/v1', 'two.yaml extensions/v1beta1']);
  expect(index.get('Deployment', 'a', 'web')?.source.file).toBe('four.yaml');
  expect(new ObjectIndex(objects.slice(0, 1)).objectsSharingName().size).toBe(0);
});

test('duplicate-object: the same kind, namespace and name in another API group is not a duplicate; every later copy in the same group is', async () => {
  const report = await runCheck({ manifests: loaded(), only: ['duplicate-object'], includePasses: true });
  expect(report.results.map((r) => `${r.file} ${r.result}${r.result === 'fail' ? `: ${r.message}` : ''}`)).toEqual([
    'four.yaml fail: Deployment a/web is already defined in one.yaml:1',
    'one.yaml pass',
    'three.yaml pass',
    'three.yaml fail: Deployment a/web is already defined in one.yaml:1',
    'two.yaml pass',
  ]);
  expect(report.summary).toEqual({ pass: 3, fail: 2, warn: 0, skip: 0 });
});
