// Validators compiled ahead of time (standalone ajv code, `npm run build`) must give exactly the
// issues of the run-time compiled ones, and are used only while the inputs they were compiled from
// are unchanged.
import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { cpSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaValidator } from '../../src/schema/index.js';
import { fileDigest } from '../../src/core/file-digest.js';

// under the repository, so the generated code resolves ajv from node_modules
const dir = join(process.cwd(), '.cache', `compiled-validators-test-${process.pid}`);
const KINDS = ['apps/v1|Deployment', 'apps/v1|StatefulSet', 'v1|ConfigMap', 'v1|ConfigMapList', 'external-secrets.io/v1|ExternalSecret'];

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
    const validator = new SchemaValidator({ compiledDirectory: false });
    expect(validator.writeCompiled(dir, KINDS)).toEqual({ kinds: 5, files: 3 });
    // V8 code caches of the modules (the run-time comparison below loads them with their caches)
    expect(validator.writeCodeCaches(dir)).toBe(3);
    expect(validator.writeCodeCaches(dir)).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the index records the input hash; kinds with a pod template share the workloads module, every other kind has its own', () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.inputs).toBe(new SchemaValidator({ compiledDirectory: false }).inputHash);
    expect(Object.keys(index.kinds).sort()).toEqual([...KINDS].sort());
    expect(index.kinds['apps/v1|Deployment'].split('#')[0]).toBe('workloads.cjs');
    expect(index.kinds['apps/v1|StatefulSet'].split('#')[0]).toBe('workloads.cjs');
    expect(index.kinds['external-secrets.io/v1|ExternalSecret'].split('#')[0]).toBe('external-secrets.io-externalsecret.cjs');
    expect(index.kinds['apps/v1|Deployment']).not.toBe(index.kinds['apps/v1|StatefulSet']);
    expect(index.kinds['v1|ConfigMap'].split('#')[0]).toBe('core-configmap.cjs');
    // a list kind goes with its items' kind (it references their schema)
    expect(index.kinds['v1|ConfigMapList'].split('#')[0]).toBe('core-configmap.cjs');
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

  describe('input stamps (a run hashes only the input files whose stat changed since the build)', () => {
    const crds = join(process.cwd(), '.cache', `crds-stamps-test-${process.pid}`);
    const stamped = `${dir}-stamped`;
    const file = 'keda.sh_scaledobjects.json';
    beforeAll(() => {
      cpSync(join(process.cwd(), 'schemas', 'crds'), crds, { recursive: true });
      // whole seconds, which utimes can put back exactly
      utimesSync(join(crds, file), 1_700_000_000, 1_700_000_000);
      new SchemaValidator({ compiledDirectory: false, crdDirectory: crds }).writeCompiled(stamped, KINDS);
      // the copies were written just now (not settled, so the build recorded no stamp for them):
      // record their stamps as a build an hour later would have
      const index = JSON.parse(readFileSync(join(stamped, 'index.json'), 'utf8'));
      const crdPath = join(crds, file);
      writeFileSync(join(stamped, 'index.json'), JSON.stringify({ ...index, files: { ...index.files, [`crd:${file}`]: { path: crdPath, ...fileDigest(crdPath, undefined, 0n), content: undefined } } }));
    });
    afterAll(() => {
      rmSync(crds, { recursive: true, force: true });
      rmSync(stamped, { recursive: true, force: true });
    });

    test('the build records, for every settled input, its path, digest and stamp', () => {
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
      expect(index.files.kubernetes).toEqual({ path: join(process.cwd(), 'schemas', 'kubernetes-v1.28', '_definitions.json'), digest: expect.stringMatching(/^[0-9a-f]{64}$/), stamp: expect.objectContaining({ size: expect.any(String), ctimeNs: expect.any(String) }) });
      expect(Object.keys(index.files)).toEqual(expect.arrayContaining(['validator', 'strict', 'kubernetes', `crd:${file}`]));
    });

    test('while the stamp holds, the recorded digest is used without reading the file', () => {
      const validator = new SchemaValidator({ compiledDirectory: stamped, crdDirectory: crds });
      expect(validator.usesPrecompiled).toBe(true);
      // a recorded digest that is not the file's is trusted through the stamp (so the file was
      // not read): the input hash no longer matches, and reading the file to compile at run time
      // finds it is not the content the hash was made of
      const index = JSON.parse(readFileSync(join(stamped, 'index.json'), 'utf8'));
      const forged = `${stamped}-forged`;
      cpSync(stamped, forged, { recursive: true });
      try {
        writeFileSync(join(forged, 'index.json'), JSON.stringify({ ...index, files: { ...index.files, [`crd:${file}`]: { ...index.files[`crd:${file}`], digest: '0'.repeat(64) } } }));
        expect(() => new SchemaValidator({ compiledDirectory: forged, crdDirectory: crds })).toThrow(/keda\.sh_scaledobjects\.json changed while in use/);
      } finally {
        rmSync(forged, { recursive: true, force: true });
      }
    });

    test('a schema changed after the build with the same size and modification time is hashed again: the stale directory is not used', () => {
      const path = join(crds, file);
      const before = new SchemaValidator({ compiledDirectory: stamped, crdDirectory: crds });
      const text = readFileSync(path, 'utf8');
      // same length: a minimum changed
      const changed = text.replace('"minLength":1', '"minLength":2');
      expect(changed.length).toBe(text.length);
      expect(changed).not.toBe(text);
      try {
        writeFileSync(path, changed);
        utimesSync(path, 1_700_000_000, 1_700_000_000);
        const after = new SchemaValidator({ compiledDirectory: stamped, crdDirectory: crds });
        expect(after.inputHash).not.toBe(before.inputHash);
        expect(after.usesPrecompiled).toBe(false);
        expect(after.inputHash).toBe(new SchemaValidator({ compiledDirectory: false, crdDirectory: crds }).inputHash);
      } finally {
        writeFileSync(path, text);
      }
    });

    test('recordInputStamps rewrites the stamps of a directory made from the same inputs, and of no other', () => {
      const copy = `${stamped}-restamp`;
      cpSync(stamped, copy, { recursive: true });
      const indexFile = join(copy, 'index.json');
      try {
        const index = JSON.parse(readFileSync(indexFile, 'utf8'));
        writeFileSync(indexFile, JSON.stringify({ ...index, files: {} }));
        expect(new SchemaValidator({ compiledDirectory: false, crdDirectory: crds }).recordInputStamps(copy)).toBe(true);
        const restamped = JSON.parse(readFileSync(indexFile, 'utf8'));
        expect(restamped.files.kubernetes.stamp).toBeDefined();
        expect({ ...restamped, files: undefined }).toEqual({ ...index, files: undefined });
        const other = JSON.stringify({ ...index, inputs: '0'.repeat(64), files: {} });
        writeFileSync(indexFile, other);
        expect(new SchemaValidator({ compiledDirectory: false, crdDirectory: crds }).recordInputStamps(copy)).toBe(false);
        expect(readFileSync(indexFile, 'utf8')).toBe(other);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  });
});
