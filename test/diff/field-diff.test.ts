import { diffValues } from '../../src/diff/index.js';

describe('diffValues', () => {
  test('matches containers by name, so inserting one before another is one added item, not a changed list', () => {
    const before = { containers: [{ name: 'api', image: 'a:1' }] };
    const after = { containers: [{ name: 'sidecar', image: 's:1' }, { name: 'api', image: 'a:2' }] };
    expect(diffValues(before, after)).toEqual([
      { path: 'containers[name=api].image', before: 'a:1', after: 'a:2' },
      { path: 'containers[name=sidecar]', before: null, after: { name: 'sidecar', image: 's:1' } },
    ]);
  });

  test('reports an order change of matched items separately', () => {
    const before = { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] };
    const after = { env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] };
    expect(diffValues(before, after)).toEqual([{ path: 'env(order)', before: ['A', 'B'], after: ['B', 'A'] }]);
  });

  test('matches volumeMounts by mountPath, container ports by containerPort and items by key', () => {
    expect(diffValues(
      { volumeMounts: [{ mountPath: '/data', readOnly: true }], ports: [{ containerPort: 80, protocol: 'TCP' }], items: [{ key: 'k', path: 'a' }] },
      { volumeMounts: [{ mountPath: '/data', readOnly: false }], ports: [{ containerPort: 80, protocol: 'UDP' }], items: [{ key: 'k', path: 'b' }] },
    ).map((c) => c.path)).toEqual(['items[key=k].path', 'ports[containerPort=80].protocol', 'volumeMounts[mountPath=/data].readOnly']);
  });

  test('falls back to positions when items have no unique merge key', () => {
    expect(diffValues({ args: ['--a', '--b'] }, { args: ['--a', '--c', '--d'] })).toEqual([
      { path: 'args[1]', before: '--b', after: '--c' },
      { path: 'args[2]', before: null, after: '--d' },
    ]);
    expect(diffValues({ t: [{ name: 'x' }, { name: 'x' }] }, { t: [{ name: 'x' }] })).toEqual([{ path: 't[1]', before: { name: 'x' }, after: null }]);
  });

  test('a changed flag value names its flag; a changed flag or a value after another value does not', () => {
    expect(diffValues({ args: ['serve', '--max-model-len', '16384'] }, { args: ['serve', '--max-model-len', '8192'] }))
      .toEqual([{ path: 'args[2](--max-model-len)', before: '16384', after: '8192' }]);
    expect(diffValues({ args: ['-p', '80'] }, { args: ['-p', '81'] })).toEqual([{ path: 'args[1](-p)', before: '80', after: '81' }]);
    expect(diffValues({ args: ['--a', 'x'] }, { args: ['--b', 'y'] }).map((c) => c.path)).toEqual(['args[0]', 'args[1]']);
    expect(diffValues({ args: ['--a=1', 'x'] }, { args: ['--a=1', 'y'] }).map((c) => c.path)).toEqual(['args[1]']);
    expect(diffValues({ args: ['--flag', '--other'] }, { args: ['--flag', '--third'] }).map((c) => c.path)).toEqual(['args[1]']);
  });

  test('quotes keys that are not identifiers and ignores key order', () => {
    expect(diffValues({ labels: { 'app.kubernetes.io/name': 'a', x: 1 } }, { labels: { x: 1, 'app.kubernetes.io/name': 'b' } }))
      .toEqual([{ path: 'labels["app.kubernetes.io/name"]', before: 'a', after: 'b' }]);
  });

  test('a type change is one change at that path, and equal values give none', () => {
    expect(diffValues({ a: { b: 1 } }, { a: [1] })).toEqual([{ path: 'a', before: { b: 1 }, after: [1] }]);
    expect(diffValues({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } })).toEqual([]);
  });
});
