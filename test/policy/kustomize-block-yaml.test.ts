/**
 * The fast reader of plain block YAML (src/policy/kustomize-block-yaml.ts) must give exactly what
 * the full reader (js-yaml and the kustomize conversion) gives, or give up: whenever it returns a
 * value, that value equals the full reader's, key order and -0 included, and the loader's answer
 * (value, or error with reason and line) is the same with and without it. Examples of what it
 * reads and what it leaves to the full reader, then generated documents: block YAML rendered in
 * several styles from values full of YAML 1.1 traps, then mutated character by character.
 */
import { describe, expect, test } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { OUTSIDE_BLOCK_SUBSET, readBlockYaml } from '../../src/policy/kustomize-block-yaml.js';
import { KustomizeYamlError, parseKustomizeDocument, parseKustomizeDocumentFully } from '../../src/policy/kustomize-yaml.js';

type Outcome = { ok: true; value: unknown } | { ok: false; reason: string; line?: number; pointer?: string };

function outcome(read: () => unknown): Outcome {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (!(error instanceof KustomizeYamlError)) throw error;
    return { ok: false, reason: error.reason, line: error.line, pointer: error.pointer };
  }
}

/** Equal values, with the same key order (isDeepStrictEqual does not compare the order). */
function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b) && JSON.stringify(a) === JSON.stringify(b);
}

/** The fast reader's value equals the full reader's, and the loader answers the same either way. */
function expectAgreement(text: string, maxDepth = 100): unknown {
  const fast = readBlockYaml(text, maxDepth);
  const full = outcome(() => parseKustomizeDocumentFully(text, { maxDepth }));
  if (fast !== OUTSIDE_BLOCK_SUBSET) {
    if (!full.ok || !same(fast, full.value)) throw new Error(`the fast reader read\n${text}\nas ${JSON.stringify(fast)}, the full reader: ${JSON.stringify(full)}`);
  }
  const loader = outcome(() => parseKustomizeDocument(text, { maxDepth }));
  if (loader.ok !== full.ok || (loader.ok && full.ok ? !same(loader.value, full.value) : !isDeepStrictEqual(loader, full))) {
    throw new Error(`the loader read\n${text}\nas ${JSON.stringify(loader)}, the full reader: ${JSON.stringify(full)}`);
  }
  return fast;
}

describe('readBlockYaml: what it reads', () => {
  test('js-yaml dumps of the benchmark tree kinds are read by the fast reader, as the full reader reads them', () => {
    const labels = { 'app.kubernetes.io/name': 'svc-1', 'app.kubernetes.io/instance': 'svc-1' };
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-0' } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'team-0' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: 'team-0' }, spec: { hard: { 'requests.nvidia.com/gpu': '8' } } },
      {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'svc-1', namespace: 'team-0', labels, annotations: { 'example.com/octal': '0777' } },
        spec: {
          replicas: 2, selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'main', image: 'ghcr.io/acme/svc-1:1.0.0', args: ['--port=8080', '--verbose'], ports: [{ containerPort: 8080, name: 'http' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
          } },
        },
      },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'svc-1', namespace: 'team-0' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    ];
    for (const object of objects) {
      const text = jsYaml.dump(object, { noRefs: true });
      const fast = expectAgreement(text);
      expect(fast).not.toBe(OUTSIDE_BLOCK_SUBSET);
      expect(fast).toEqual(object);
    }
  });

  test('goyaml.v3 scalars, raw annotation text, compact sequences, comments and quoting', () => {
    const text = [
      '# leading comment',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: traps',
      '  annotations:',
      '    octal: 0777',
      '    bool: true',
      '    tilde: ~',
      '    empty:',
      "    quoted: '0777'",
      '  labels:',
      "    app: 'it''s'",
      'data:',
      '  octal: 0777',
      '  hex: 0x1F',
      '  yes: yes',
      '  on: on',
      '  float: 1.5e+3',
      '  negative: -12',
      '  nothing:',
      '  tilde: ~',
      '  time: 2024-01-01T00:00:00Z',
      '  commented: value # a comment',
      '  hash: a#b',
      '  colon: a:b',
      '  quoted: "0777"',
      '  "80": port',
      '  emptyMap: {}',
      '  emptyList: []',
      'spec:',
      '  template:',
      '    metadata:',
      '      annotations:',
      '        octal: 0777',
      '  list:',
      '  - a',
      '  - 12',
      '  -',
      '  - name: x',
      '    value: 2',
      '',
      '  # indented comment',
      '  after: 1',
    ].join('\n');
    const value = expectAgreement(`${text}\n`) as Record<string, Record<string, unknown>>;
    expect(value).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'traps', annotations: { octal: '0777', bool: 'true', tilde: '~', empty: '', quoted: '0777' }, labels: { app: "it's" } },
      data: {
        octal: 511, hex: 31, yes: 'yes', on: 'on', float: 1500, negative: -12, nothing: null, tilde: null, time: '2024-01-01T00:00:00Z',
        commented: 'value', hash: 'a#b', colon: 'a:b', quoted: '0777', 80: 'port', emptyMap: {}, emptyList: [],
      },
      spec: { template: { metadata: { annotations: { octal: 511 } } }, list: ['a', 12, null, { name: 'x', value: 2 }], after: 1 },
    });
  });

  test.each([
    ['a tag', 'a: !!str 12\n'],
    ['a non-specific tag', 'a: ! 12\n'],
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a folded scalar', 'a: >-\n  text\n'],
    ['a flow mapping', 'a: {b: 1}\n'],
    ['a flow sequence', 'a: [1, 2]\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a multi-line quoted scalar', "a: 'one\n  two'\n"],
    ['an escape', 'a: "x\\ty"\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a merge key', 'a:\n  <<: {b: 1}\n'],
    ['a quoted merge key', "a:\n  '<<': 1\n"],
    ['a __proto__ key', 'a:\n  __proto__: 1\n'],
    ['a number key', 'a:\n  1: x\n'],
    ['a bool key', 'a:\n  true: x\n'],
    ['a null key', 'a:\n  ~: x\n'],
    ['a quoted annotation key read back as a number', 'metadata:\n  annotations:\n    "2": x\n'],
    ['an empty quoted annotation key', 'metadata:\n  annotations:\n    "": x\n'],
    ['a document marker', '---\na: 1\n'],
    ['a document end', 'a: 1\n...\n'],
    ['a tab', 'a:\t1\n'],
    ['a non-ASCII character', 'a: é\n'],
    ['an infinity', 'a: .inf\n'],
    ['an inexact integer', 'a: 9007199254740993\n'],
    ['a date', 'a: 2001-12-14\n'],
    ['a plain <<', 'a: <<\n'],
    ['a mapping indicator in a value', 'a: b: c\n'],
    ['a trailing colon', 'a: b:\n'],
    ['a nested sequence on one line', 'a:\n- - 1\n'],
    ['a sequence after a scalar', 'a: 1\n- 2\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['an indented root', '  a: 1\n'],
    ['a sequence at the root', '- a\n'],
    ['a scalar at the root', 'text\n'],
    ['an empty document', '# only a comment\n'],
    ['a comment as a value', 'a: # nothing\n'],
    ['a quoted scalar followed by text', "a: 'b' c\n"],
    ['a key with a space', 'a b: 1\n'],
    ['an indicator first', 'a: @x\n'],
    ['a dash value', 'a: -\n'],
    ['an item dash value', 'a: - b\n'],
  ])('gives up on %s (the full reader decides)', (_, text) => {
    expect(expectAgreement(text)).toBe(OUTSIDE_BLOCK_SUBSET);
  });

  test('a List kind is read by the full reader, which gives its items the places of objects', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    annotations:\n      x: 0777\n';
    expectAgreement(text);
    expect((parseKustomizeDocument(text) as { items: { metadata: { annotations: unknown } }[] }).items[0].metadata.annotations).toEqual({ x: '0777' });
  });

  test('nesting near maxDepth is left to the full reader (same error)', () => {
    let text = '';
    for (let depth = 0; depth < 12; depth++) text += `${'  '.repeat(depth)}k${depth}:\n`;
    text += `${'  '.repeat(12)}leaf: 1\n`;
    for (const maxDepth of [5, 12, 13, 14, 15, 100]) expectAgreement(text, maxDepth);
    expect(readBlockYaml(text, 12)).toBe(OUTSIDE_BLOCK_SUBSET);
    expect(readBlockYaml(text, 100)).not.toBe(OUTSIDE_BLOCK_SUBSET);
  });
});

// generated documents
const TRAPS = ['0777', '0o17', '0x1F', '-0x1F', '0b101', '1_000', '+12', '-0', '-0.0', '0', '09', '1e3', '.5', '-.5', '1.', '1e400', '12345678901234567',
  'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'True', 'FALSE', 'tRue', '~', 'null', 'NULL', 'nULL', '.inf', '.nan', 'NaN',
  '2001-12-14', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.10Z', '12:30', '1.2.3', '<<', '=', '-', '+', '.', '_1'];
const WORDS = ['a', 'name', 'value', 'svc-1', 'ghcr.io/acme/x:1.0', 'http://h/p?q=1&r=2', 'two words', 'x#y', 'x # y', 'a:b', 'a: b', '$(VAR)', '--flag=v', 'it\'s', '"q"'];
const plainToken = fc.constantFrom(...TRAPS, ...WORDS.filter((w) => !/[ "':#]/.test(w)));
const scalarToken = fc.oneof(
  { weight: 4, arbitrary: plainToken },
  { weight: 2, arbitrary: fc.constantFrom(...TRAPS, ...WORDS).map((s) => `'${s.replace(/'/g, "''")}'`) },
  { weight: 2, arbitrary: fc.constantFrom(...TRAPS, ...WORDS).map((s) => `"${s.replace(/"/g, '')}"`) },
  { weight: 1, arbitrary: fc.constantFrom('', '{}', '[]', 'x # comment', "'x' # comment", 'a b', 'a  b') },
);
const keyToken = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('a', 'b', 'c', 'name', 'value', 'metadata', 'annotations', 'labels', 'items', 'app.kubernetes.io/name', 'x-y', 'k_1') },
  { weight: 1, arbitrary: fc.constantFrom('on', 'yes', '1', 'true', '~', '<<', '__proto__', "'1'", '"true"', "''", '"a b"', '-x', 'a b') },
);

type Node = { scalar: string } | { list: Node[] } | { map: [string, Node][] };
const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarToken.map((scalar) => ({ scalar })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((list) => ({ list })),
    fc.array(fc.tuple(keyToken, tie('node')), { minLength: 1, maxLength: 4 }).map((map) => ({ map })),
  ),
})).node;

interface Style {
  readonly step: number;
  readonly compactLists: boolean;
}

function renderMap(entries: [string, Node][], indent: number, style: Style): string[] {
  const pad = ' '.repeat(indent);
  return entries.flatMap(([key, value]) => {
    if ('scalar' in value) return [value.scalar === '' ? `${pad}${key}:` : `${pad}${key}: ${value.scalar}`];
    if ('map' in value) return [`${pad}${key}:`, ...renderMap(value.map, indent + style.step, style)];
    return [`${pad}${key}:`, ...renderList(value.list, style.compactLists ? indent : indent + style.step, style)];
  });
}

function renderList(items: Node[], indent: number, style: Style): string[] {
  const pad = ' '.repeat(indent);
  return items.flatMap((item) => {
    if ('scalar' in item) return [item.scalar === '' ? `${pad}-` : `${pad}- ${item.scalar}`];
    if ('map' in item) {
      const [first, ...rest] = renderMap(item.map, indent + 2, style);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    }
    return [`${pad}-`, ...renderList(item.list, indent + 2, style)];
  });
}

const MUTATIONS = ['\t', "'", '"', '#', ' #', ':', ': ', '-', '- ', '&a ', '*a', '!', '|', '>', '{', '}', '[', ']', ',', '?', '%', '@', '`', '\\', 'é', ' ', '', '\n', '\n  ', '---', '...', '<<: '];

const document = fc.record({
  kind: fc.constantFrom('ConfigMap', 'Thing', 'ConfigMap', 'Thing', 'ThingList'),
  annotations: fc.array(fc.tuple(keyToken, scalarToken), { maxLength: 3 }),
  spec: fc.array(fc.tuple(keyToken, node), { minLength: 1, maxLength: 4 }),
  style: fc.record({ step: fc.constantFrom(2, 4), compactLists: fc.boolean() }),
  extras: fc.array(fc.tuple(fc.nat(), fc.constantFrom('# comment', '', '   ', '  # indented comment')), { maxLength: 2 }),
  mutations: fc.oneof({ weight: 3, arbitrary: fc.constant([] as [number, string][]) }, { weight: 2, arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...MUTATIONS)), { minLength: 1, maxLength: 2 }) }),
}).map(({ kind, annotations, spec, style, extras, mutations }) => {
  const lines = ['apiVersion: v1', `kind: ${kind}`, 'metadata:', `${' '.repeat(style.step)}name: generated`];
  if (annotations.length > 0) lines.push(...renderMap([['annotations', { map: annotations.map(([k, v]) => [k, { scalar: v }] as [string, Node]) }]], style.step, style));
  lines.push(...renderMap(spec, 0, style));
  for (const [at, line] of extras) lines.splice(at % (lines.length + 1), 0, line);
  let text = `${lines.join('\n')}\n`;
  for (const [at, insert] of mutations) {
    const i = at % text.length;
    text = at % 3 === 0 ? text.slice(0, i) + insert + text.slice(i + 1) : text.slice(0, i) + insert + text.slice(i);
  }
  return text;
});

test('generated block YAML: the fast reader agrees with the full reader whenever it reads a document', () => {
  let read = 0;
  let runs = 0;
  fc.assert(fc.property(document, (text) => {
    runs++;
    if (expectAgreement(text) !== OUTSIDE_BLOCK_SUBSET) read++;
  }), { numRuns: Number(process.env.LAMBDA_GITOPS_BLOCK_YAML_RUNS ?? 3000) });
  // not vacuous: the fast reader reads a share of them (about 13% with the fixed seed: the rest
  // have a trap it leaves to the full reader, a `List` kind or a mutation outside its subset)
  expect(read / runs).toBeGreaterThan(0.08);
});
