import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadManifests, manifestsFromText, ManifestLoadError, splitDocuments, type SourceDocument } from '../../src/policy/loader.js';
import { SourcePositions } from '../../src/policy/positions.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lg-loader-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: a\ndata:\n  k: v\n`;

describe('loadManifests', () => {
  test('reads multi-document files recursively in sorted order with document start lines', () => {
    const dir = tree({ 'b/two.yaml': `# comment\n---\n${CM('x')}---\n${CM('y')}`, 'a.yml': CM('z'), 'notes.txt': 'ignored', '.hidden/c.yaml': CM('h') });
    const loaded = loadManifests([dir], { cwd: dir });
    expect(loaded.objects.map((o) => [o.source.file, o.source.line, o.object.metadata.name])).toEqual([
      ['a.yml', 1, 'z'],
      ['b/two.yaml', 3, 'x'],
      ['b/two.yaml', 11, 'y'],
    ]);
    expect(loaded.problems).toEqual([]);
  });

  test('symbolic links to files and directories are followed, each file and directory once (no loops, no duplicates)', () => {
    const dir = tree({ 'real/a.yaml': CM('a') });
    symlinkSync(join(dir, 'real'), join(dir, 'linked-dir'));
    symlinkSync(join(dir, 'real', 'a.yaml'), join(dir, 'linked.yaml'));
    symlinkSync(dir, join(dir, 'real', 'loop'));
    const loaded = loadManifests([dir], { cwd: dir });
    expect(loaded.files).toEqual(['linked-dir/a.yaml']);
    expect(loaded.objects).toHaveLength(1);
  });

  test('malformed YAML is a ManifestLoadError naming the file and the line', () => {
    const dir = tree({ 'bad.yaml': `${CM('ok')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n` });
    let error: unknown;
    try {
      loadManifests(['bad.yaml'], { cwd: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestLoadError);
    expect((error as ManifestLoadError).file).toBe('bad.yaml');
    expect((error as ManifestLoadError).line).toBeGreaterThanOrEqual(12);
    expect((error as Error).message).toMatch(/^bad\.yaml:1[2-3]: malformed YAML/);
  });

  test('duplicate keys are malformed YAML', () => {
    expect(() => manifestsFromText([{ file: 'dup.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n' }])).toThrow(/dup\.yaml:3: malformed YAML: duplicated mapping key/);
  });

  test('collectErrors: every unusable file is collected, one per file, and the other files are loaded', () => {
    const dir = tree({ 'a.yaml': CM('a'), 'b.yaml': 'a: [1\n', 'c.yaml': `${CM('c')}---\nkind: x\nkind: y\n`, 'd.yaml': 'x: &a {k: 1}\ny: *a\n', 'e.yaml': CM('e').repeat(40) });
    const loaded = loadManifests(['.'], { cwd: dir, collectErrors: true, maxFileBytes: 1000 });
    expect(loaded.objects.map((o) => o.object.metadata.name)).toEqual(['a', 'c']); // c.yaml's first document is well-formed
    expect(loaded.malformed?.map((e) => `${e.file}:${e.line ?? '-'} ${e.reason.split(':')[0]}`)).toEqual(['b.yaml:2 malformed YAML', 'c.yaml:10 malformed YAML', 'd.yaml:2 YAML aliases (*ref) are not allowed in manifests', `e.yaml:- file is ${CM('e').length * 40} bytes, more than the 1000 bytes limit for one manifest file (split the tree into one object per file)`]);
    expect(() => loadManifests(['.'], { cwd: dir })).toThrow(ManifestLoadError); // default: the first one throws
    expect(() => loadManifests(['nope'], { cwd: dir, collectErrors: true })).toThrow(/nope: no such file or directory/);
  });

  test('a missing path is a ManifestLoadError', () => {
    expect(() => loadManifests(['does-not-exist'], { cwd: tmpdir() })).toThrow(/does-not-exist: no such file or directory/);
  });

  test('a file above the size limit is refused before parsing', () => {
    const dir = tree({ 'big.yaml': CM('a').repeat(200) });
    expect(() => loadManifests(['big.yaml'], { cwd: dir, maxFileBytes: 1000 })).toThrow(/big\.yaml: file is \d+ bytes, more than the 1000 bytes limit/);
  });

  test('files are read without a stat: one larger than the reused read buffer is read whole, one over the limit is refused with its exact size', () => {
    const big = `${CM('big').trimEnd()}\n  padding: "${'x'.repeat(300 * 1024)}"\n`;
    const dir = tree({ 'a.yaml': CM('a'), 'big.yaml': big, 'c.yaml': CM('c'), 'over.yaml': big });
    const loaded = loadManifests(['a.yaml', 'big.yaml', 'c.yaml'], { cwd: dir });
    expect(loaded.objects.map((o) => o.object.metadata.name)).toEqual(['a', 'big', 'c']);
    expect((loaded.objects[1].object as unknown as { data: Record<string, string> }).data.padding).toHaveLength(300 * 1024);
    const limited = loadManifests(['.'], { cwd: dir, collectErrors: true, maxFileBytes: 200 * 1024 });
    expect(limited.objects.map((o) => o.object.metadata.name)).toEqual(['a', 'c']);
    expect(limited.malformed?.map((e) => e.message)).toEqual([
      `big.yaml: file is ${big.length} bytes, more than the 204800 bytes limit for one manifest file (split the tree into one object per file)`,
      `over.yaml: file is ${big.length} bytes, more than the 204800 bytes limit for one manifest file (split the tree into one object per file)`,
    ]);
  });

  test('a path given that is not a regular file (a device) is refused as before, not read', () => {
    const dir = tree({ 'a.yaml': CM('a') });
    const loaded = loadManifests(['a.yaml', '/dev/null'], { cwd: dir, collectErrors: true });
    expect(loaded.objects.map((o) => o.object.metadata.name)).toEqual(['a']);
    expect(loaded.problems).toEqual([]);
    expect(loaded.malformed?.map((e) => e.message)).toEqual([`${relative(dir, '/dev/null')}: not a regular file`]);
  });

  test('a __proto__ key is a field of the object (as kustomize reads it), not its prototype', () => {
    const loaded = manifestsFromText([{ file: 'p.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata:\n  __proto__: {polluted: "yes"}\n  k: v\n' }]);
    const data = loaded.objects[0].object.data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__', 'k']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect((data as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ polluted: 'yes' });
  });

  test('merge keys are expanded after the explicit keys, in order, and anchors without a second use are fine', () => {
    const loaded = manifestsFromText([{ file: 'm.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  x: "1"\n  <<: {y: "2", z: "3"}\n  w: "4"\n' }]);
    expect(Object.entries(loaded.objects[0].object.data as object)).toEqual([['x', '1'], ['w', '4'], ['y', '2'], ['z', '3']]);
    const anchored = manifestsFromText([{ file: 'a.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d\n  url: "http://x/?a=1&b=2"\n' }]);
    expect(anchored.objects[0].object.data).toEqual({ url: 'http://x/?a=1&b=2' });
    expect(() => manifestsFromText([{ file: 'b.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {a: &v {k: x}, b: *v}\n' }])).toThrow(/b\.yaml:\d+: YAML aliases/);
  });

  test('empty files, non-Kubernetes documents and objects without metadata are problems, not crashes', () => {
    const loaded = manifestsFromText([
      { file: 'empty.yaml', text: '' },
      { file: 'comments.yaml', text: '# nothing\n---\n' },
      { file: 'values.yaml', text: 'replicaCount: 2\nimage: {tag: x}\n' },
      { file: 'list.yaml', text: '- a\n- b\n' },
      { file: 'scalar.yaml', text: 'hello\n' },
      { file: 'nometa.yaml', text: 'apiVersion: v1\nkind: ConfigMap\n' },
      { file: 'noname.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: {generateName: x-}\n' },
      { file: 'badlabels.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: 1}}\n' },
    ]);
    expect(loaded.objects).toEqual([]);
    expect(loaded.problems.map((p) => `${p.source.file}: ${p.message}`)).toEqual([
      'empty.yaml: the file is empty',
      'comments.yaml: the file has no YAML documents (only comments or empty documents)',
      'values.yaml: not a Kubernetes object: no apiVersion and no kind',
      'list.yaml: not a Kubernetes object: the document is a list, not a mapping',
      'scalar.yaml: not a Kubernetes object: the document is a string value, not a mapping',
      'nometa.yaml: ConfigMap has no metadata',
      'noname.yaml: Pod has no metadata.name (generateName cannot be applied by GitOps: every object needs a stable name)',
      'badlabels.yaml: Pod p: metadata.labels must be a mapping of strings',
    ]);
  });

  test('YAML aliases are refused (no exponential expansion downstream)', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d {k: v}\nbinaryData: *d\n';
    expect(() => manifestsFromText([{ file: 'alias.yaml', text }])).toThrow(/alias\.yaml:5: YAML aliases/);
  });

  test('YAML 1.1 scalars read as kustomize v5.5 renders them: octal 0777 is 511, yes/on stay strings, merge keys are expanded', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {mode: 0777, flag: yes}}\nspec:\n  volumes: [{name: v, secret: {secretName: s, defaultMode: 0777}}]\n  securityContext: {<<: {runAsUser: 0o17}, fsGroup: 0x1F}\n  x: [on, y, True, ~, 1_000, 0b101, 1e3, .5, 0888]\n';
    const [pod] = manifestsFromText([{ file: 'p.yaml', text }]).objects;
    expect(pod.object.metadata.annotations).toEqual({ mode: '0777', flag: 'yes' }); // kustomize keeps annotation text
    expect(pod.object.spec).toEqual({
      volumes: [{ name: 'v', secret: { secretName: 's', defaultMode: 511 } }],
      securityContext: { runAsUser: 15, fsGroup: 31 },
      x: ['on', 'y', true, null, 1000, 5, 1000, 0.5, 888],
    });
  });

  test('what kustomize reads differently or fails on is refused with file and line', () => {
    const doc = (spec: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n${spec}\n`;
    for (const [spec, message] of [
      ['  a: !!str 5', /^t\.yaml:5: YAML tags \(here '!!str'\)/],
      ['  a: ! 5', /^t\.yaml:5: YAML tags \(here '!'\)/],
      ['  a: 2001-12-14', /^t\.yaml:5: unquoted '2001-12-14' looks like a date/],
      ['  a: .inf', /^t\.yaml:5: '\.inf' is not a finite number/],
      ['  a: 9007199254740993', /^t\.yaml:5: integer '9007199254740993' has no exact double-precision value/],
      ['  b: x\n  a: {<<: 5}', /^t\.yaml:6: merge key '<<' needs a mapping/],
      ['  a: {"<<": {b: 1}}', /^t\.yaml:5: a quoted '<<' key: kustomize drops it/],
      ['  a: {<<: [{b: 1}, {b: 2}]}', /^t\.yaml:5: key 'b' is set by merged mapping 1 and by merged mapping 2/],
    ] as const) {
      expect(() => manifestsFromText([{ file: 't.yaml', text: doc(spec) }])).toThrow(message);
    }
    expect(() => manifestsFromText([{ file: 't.yaml', text: 'apiVersion: v1\nkind: ConfigMap\n<<: {metadata: {name: a}}\n' }])).toThrow(/^t\.yaml:1: merge key '<<' at an object's top level/);
    expect(() => manifestsFromText([{ file: 't.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {"2": x}}\n' }])).toThrow(/^t\.yaml:3: annotation key '2'/);
    expect(() => manifestsFromText([{ file: 't.yaml', text: `${'a: [\n'.repeat(150)}` }])).toThrow(/^t\.yaml:\d+: nested more than 100 levels deep/);
  });

  test('a kind ending in List is replaced by its items, each at its own line', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n';
    const loaded = manifestsFromText([{ file: 'l.yaml', text }]);
    expect(loaded.objects.map((o) => [o.object.metadata.name, o.source.line])).toEqual([['a', 4], ['b', 7]]);
    expect(manifestsFromText([{ file: 'l.yaml', text: 'apiVersion: v1\nkind: ConfigMapList\n' }]).objects).toEqual([]);
  });

  test('canonical RFC 3339 timestamps and yes/no stay the strings they are', () => {
    const loaded = manifestsFromText([{ file: 'a.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {when: 2024-01-01T00:00:00Z, flag: yes}\n' }]);
    expect(loaded.objects[0].object.data).toEqual({ when: '2024-01-01T00:00:00Z', flag: 'yes' });
  });

  test('kustomize configuration files are kept apart from objects', () => {
    const loaded = manifestsFromText([{ file: 'kustomization.yaml', text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n' }]);
    expect(loaded.objects).toEqual([]);
    expect(loaded.kustomizeFiles).toHaveLength(1);
    expect(loaded.problems).toEqual([]);
  });
});

describe('document texts of files on disk', () => {
  test('are not kept in memory but read again when asked for: the same text, and field lines in a List item and a later document', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${CM('l0').replace(/\n(?=.)/g, '\n  ')}- ${CM('l1').replace(/\n(?=.)/g, '\n  ')}`;
    const files = { 'multi.yaml': `${CM('a')}---\n${CM('b')}`, 'list.yaml': list };
    const dir = tree(files);
    const loaded = loadManifests([dir], { cwd: dir });
    const byName = Object.fromEntries(loaded.objects.map((o) => [o.object.metadata.name, o.source]));
    // no document text is an own property (nothing holds the file's text)
    for (const source of Object.values(byName)) expect(Object.keys(source)).not.toContain('text');
    // the texts the in-memory reader keeps
    const inMemory = manifestsFromText(Object.entries(files).map(([file, text]) => ({ file, text })));
    for (const { object, source } of inMemory.objects) expect(byName[object.metadata.name].text).toBe(source.text);
    expect(byName.l1.text).toBe(list);
    const positions = new SourcePositions();
    expect(positions.lineOf(byName.b, '/data/k')).toBe(15);
    expect(byName.l1.pointerPrefix).toBe('/items/1');
    expect(positions.lineOf(byName.l1, '/metadata/namespace')).toBe(15);
  });
});

describe('objects of files on disk', () => {
  test('a whole-document object is its own source record (one record per object); a List item has a source of its own', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${CM('l0').replace(/\n(?=.)/g, '\n  ')}`;
    const dir = tree({ 'multi.yaml': `# head\n---\n${CM('a')}---\n${CM('b')}`, 'list.yaml': list });
    const loaded = loadManifests([dir], { cwd: dir });
    const byName = Object.fromEntries(loaded.objects.map((o) => [o.object.metadata.name, o]));
    for (const name of ['a', 'b']) expect(byName[name].source).toBe(byName[name]);
    expect(byName.l0.source).not.toBe(byName.l0);
    // the same source fields as the in-memory reader's plain records
    const fields = ({ file, index, line, textLine, pointerPrefix, text }: SourceDocument) => ({ file, index, line, textLine, pointerPrefix, text });
    const inMemory = manifestsFromText([{ file: 'multi.yaml', text: `# head\n---\n${CM('a')}---\n${CM('b')}` }, { file: 'list.yaml', text: list }]);
    expect(inMemory.objects.map((o) => fields(o.source))).toEqual([byName.a, byName.b, byName.l0].map((o) => fields(o.source)));
    expect([byName.a.source.index, byName.a.source.line, byName.b.source.index, byName.b.source.line, byName.l0.source.line, byName.l0.source.pointerPrefix]).toEqual([1, 3, 2, 11, 4, '/items/0']);
    expect(byName.b.source.absolutePath).toBe(join(dir, 'multi.yaml'));
    // what is not the record's own: the object's fields stay as parsed, the record holds no text
    expect(byName.a.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'a' }, data: { k: 'v' } });
    expect(Object.keys(byName.a)).not.toContain('text');
  });
});

describe('SourcePositions', () => {
  test('finds the line of a nested field, or of its nearest present ancestor', () => {
    const text = `---\n# c\n${CM('a')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: x:1\n        - name: b\n          image: y:2\n`;
    const loaded = manifestsFromText([{ file: 'p.yaml', text }]);
    const positions = new SourcePositions();
    const [cm, deployment] = loaded.objects;
    expect(cm.source.line).toBe(3);
    expect(positions.lineOf(cm.source, '/data/k')).toBe(9);
    expect(deployment.source.line).toBe(11);
    expect(positions.lineOf(deployment.source, '/spec/template/spec/containers/1/image')).toBe(22);
    expect(positions.lineOf(deployment.source, '/spec/template/spec/containers/1/resources')).toBe(21);
    expect(positions.lineOf(deployment.source, '/nothing/here')).toBe(11);
  });
});

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
// -0 is excluded: JSON (the form the expected value goes through) has no negative zero; integral
// doubles beyond 2^53 are refused (Go reads their digits exactly, JavaScript rounds them).
const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d))));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(label, tie('node'), { maxKeys: 3 })),
})).node;
const object = fc.record({
  apiVersion: fc.constantFrom('v1', 'apps/v1', 'example.com/v1alpha1'),
  kind: fc.constantFrom('ConfigMap', 'Deployment', 'Widget'),
  metadata: fc.record({ name: label, namespace: label, labels: fc.dictionary(label, fc.string(), { maxKeys: 3 }) }),
  spec: fc.dictionary(label, value, { maxKeys: 4 }),
});

describe('loader properties', () => {
  test('any multi-document dump loads back to the same objects, each at the line of its first key', () => {
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 6 }), fc.boolean(), (objects, leadingMarker) => {
      // strings quoted: plain scalars that js-yaml's core schema and kustomize read differently
      // (e.g. `0X0`, a number to kustomize) are the differential test's subject, not this one's
      const docs = objects.map((o) => jsYaml.dump(o, { schema: jsYaml.CORE_SCHEMA, noRefs: true, forceQuotes: true }));
      const text = (leadingMarker ? '---\n' : '') + docs.join('---\n');
      const loaded = manifestsFromText([{ file: 'gen.yaml', text }]);
      expect(loaded.objects.map((o) => o.object)).toEqual(JSON.parse(JSON.stringify(objects)));
      const lines = text.split('\n');
      for (const o of loaded.objects) expect(lines[o.source.line - 1]).toMatch(/^apiVersion: /);
    }), { numRuns: 150, seed: 20261202 });
  });

  test('arbitrary text never crashes the loader: it loads, reports a problem, or throws ManifestLoadError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('', '---\n', 'apiVersion: v1\nkind: ConfigMap\n'), (noise, prefix) => {
      try {
        const loaded = manifestsFromText([{ file: 'noise.yaml', text: prefix + noise }]);
        expect(loaded.objects.length + loaded.problems.length + loaded.kustomizeFiles.length).toBeGreaterThan(0);
      } catch (error) {
        expect(error).toBeInstanceOf(ManifestLoadError);
        expect((error as Error).message).toMatch(/^noise\.yaml(:\d+)?: /);
      }
    }), { numRuns: 300 });
  });

  test('splitDocuments splits as kustomize does: every line but the separators kept once, at its line', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant('---'), fc.constant('--- # c'), fc.constant('...'), fc.string({ maxLength: 8 }).filter((s) => !s.includes('\n') && !s.includes('\r') && !s.startsWith('---'))), { maxLength: 30 }), (lines) => {
      const text = lines.join('\n');
      const docs = splitDocuments(text);
      // every part but the last gets back the line break the separator took
      const kept = docs.flatMap((d, n) => (n < docs.length - 1 ? d.text.slice(0, -1) : d.text).split('\n').map((l, i) => [d.line + i, l] as const));
      for (const [lineNo, l] of kept) expect(lines[lineNo - 1] ?? '').toBe(l);
      const keptLines = new Set(kept.map(([n]) => n));
      // a line is dropped only when it is a separator: `---` with a line before and after it
      lines.forEach((l, i) => {
        if (!keptLines.has(i + 1)) expect(l.startsWith('---') && i > 0 && i < lines.length - 1).toBe(true);
      });
    }), { numRuns: 300 });
  });

  test("a separator line with content after '---' is refused, as kustomize refuses it", () => {
    expect(() => manifestsFromText([{ file: 's.yaml', text: `${CM('a')}--- {a: 1}\n${CM('b')}` }])).toThrow(/^s\.yaml:8: invalid document separator '--- \{a: 1\}'/);
  });
});
