// Validators compiled ahead of time (standalone ajv code, `npm run build`) must give exactly the
// issues of the run-time compiled ones, and are used only while the inputs they were compiled from
// are unchanged.
import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaValidator } from '../../src/schema/index.js';

// under the repository, so the generated code resolves ajv from node_modules
const dir = join(process.cwd(), '.cache', `compiled-validators-test-${process.pid}`);
const KINDS = ['apps/v1|Deployment', 'apps/v1|StatefulSet', 'v1|ConfigMap', 'external-secrets.io/v1|ExternalSecret'];

const manifests: unknown[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'b' }, data: { k: 'v' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'b', label: {} }, data: { k: 1 } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: '2', selector: {}, template: { spec: { containers: [{ name: 'x', image: 'y', resourcez: {}, ports: [{ containerPort: 'http' }] }] } } },
  },
  {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
    spec: { serviceName: 1, selector: {}, template: { metadata: { labels: { a: 1 } }, spec: { containers: [{ name: 'x', imagez: 'y' }] } } },
  },
  { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'n' }, spec: { secretStoreRef: { name: 's', kind: 'Nope' }, data: [{ secretKey: 1 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'x' }] } }, // not compiled: run-time fallback
  { apiVersion: 'example.com/v1', kind: 'Unknown', metadata: { name: 'u' } },
];

describe('ahead-of-time compiled schema validators', () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    expect(new SchemaValidator({ compiledDirectory: false }).writeCompiled(dir, KINDS)).toEqual({ kinds: 4, files: 3 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the index records the input hash; built-in kinds share a module (workloads, or their API group), each CRD kind has its own', () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.inputs).toBe(new SchemaValidator({ compiledDirectory: false }).inputHash);
    expect(Object.keys(index.kinds).sort()).toEqual([...KINDS].sort());
    expect(index.kinds['apps/v1|Deployment'].split('#')[0]).toBe('workloads.cjs');
    expect(index.kinds['apps/v1|StatefulSet'].split('#')[0]).toBe('workloads.cjs');
    expect(index.kinds['external-secrets.io/v1|ExternalSecret'].split('#')[0]).toBe('external-secrets.io-externalsecret.cjs');
    expect(index.kinds['apps/v1|Deployment']).not.toBe(index.kinds['apps/v1|StatefulSet']);
    expect(index.kinds['v1|ConfigMap'].split('#')[0]).toBe('core.cjs');
  });

  test('kinds of one module share the code of what they reference (PodSpec once, not per kind)', () => {
    const apart = (kind: string) => {
      const other = `${dir}-${kind.replace(/\W/g, '-')}`;
      try {
        new SchemaValidator({ compiledDirectory: false }).writeCompiled(other, [kind]);
        return readFileSync(join(other, 'workloads.cjs'), 'utf8').length;
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    };
    const together = readFileSync(join(dir, 'workloads.cjs'), 'utf8').length;
    expect(together).toBeLessThan(0.7 * (apart('apps/v1|Deployment') + apart('apps/v1|StatefulSet')));
  });

  test('compiled and run-time validators report the same issues, valid or not', () => {
    const compiled = new SchemaValidator({ compiledDirectory: dir });
    const runtime = new SchemaValidator({ compiledDirectory: false });
    expect(compiled.usesPrecompiled).toBe(true);
    expect(runtime.usesPrecompiled).toBe(false);
    // the kinds come from the index (no schema file parsed), the same as parsing gives
    expect(compiled.kinds()).toEqual(runtime.kinds());
    expect(compiled.isBuiltInGroup('apps')).toBe(true);
    expect(compiled.knowsKind('external-secrets.io', 'SecretStore')).toBe(true);
    for (const m of manifests) expect(compiled.validate(m)).toEqual(runtime.validate(m));
    expect(compiled.validate(manifests[0])).toEqual([]);
    expect(compiled.validate(manifests[2]).map((i) => i.path)).toEqual(expect.arrayContaining(['/spec/replicas', '/spec/template/spec/containers/0/resourcez']));
  });

  test('a directory compiled from other inputs is not used', () => {
    const stale = `${dir}-stale`;
    cpSync(dir, stale, { recursive: true });
    const index = JSON.parse(readFileSync(join(stale, 'index.json'), 'utf8'));
    writeFileSync(join(stale, 'index.json'), JSON.stringify({ ...index, inputs: `${index.inputs.slice(0, -1)}0` }));
    try {
      expect(new SchemaValidator({ compiledDirectory: stale }).usesPrecompiled).toBe(false);
      expect(new SchemaValidator({ compiledDirectory: join(dir, 'missing') }).usesPrecompiled).toBe(false);
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });

  test('the hash covers the schemas read: another CRD directory gives another hash', () => {
    const crds = join(process.cwd(), '.cache', `crds-test-${process.pid}`);
    cpSync(join(process.cwd(), 'schemas', 'crds'), crds, { recursive: true });
    try {
      const before = new SchemaValidator({ compiledDirectory: false, crdDirectory: crds }).inputHash;
      expect(before).toBe(new SchemaValidator({ compiledDirectory: false }).inputHash);
      writeFileSync(join(crds, 'zz-extra.json'), JSON.stringify({ source: 'test', group: 'example.com', kind: 'Thing', scope: 'Namespaced', versions: { v1: { type: 'object' } } }));
      const after = new SchemaValidator({ compiledDirectory: false, crdDirectory: crds });
      expect(after.inputHash).not.toBe(before);
      expect(new SchemaValidator({ compiledDirectory: dir, crdDirectory: crds }).usesPrecompiled).toBe(false);
    } finally {
      rmSync(crds, { recursive: true, force: true });
    }
  });
});
