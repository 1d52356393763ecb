/**
 * Seeded rendered trees for the streaming diff tests: a base and a head with about a tenth of the
 * objects changed, moved, removed or added, Secrets and credential env values planted (every
 * planted value is recorded in {@link planted}; none may reach any output).
 */
import { afterAll } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { Manifest } from '../../src/diff/index.js';

/** mulberry32: a small seeded generator, so every run builds the same trees. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Placed {
  file: string;
  manifest: Manifest;
}

/** Every secret value planted in a generated tree (none may reach an output). */
export const planted = new Set<string>();

function secretValue(next: () => number): string {
  const value = `pl4nted-${Math.floor(next() * 1e9).toString(36)}-${Math.floor(next() * 1e9).toString(36)}`;
  planted.add(value);
  return value;
}

function objectOf(i: number, next: () => number): Manifest {
  const namespace = `team-${i % 5}`;
  switch (i % 6) {
    case 0: return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace }, data: { level: 'info', n: String(i) } };
    case 1: return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}`, namespace }, type: 'Opaque', stringData: { password: secretValue(next), user: `u${i}` } };
    case 2: return {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d-${i}`, namespace },
      spec: { replicas: 2, selector: { matchLabels: { app: `d-${i}` } }, template: { metadata: { labels: { app: `d-${i}` } }, spec: { containers: [{ name: 'main', image: `ghcr.io/acme/d${i}:1.0.0`, env: [{ name: 'LOG', value: 'info' }, { name: 'DB_PASSWORD', value: secretValue(next) }] }] } } },
    };
    case 3: return { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace }, spec: { selector: { app: `d-${i}` }, ports: [{ name: 'http', port: 80 }] } };
    case 4: return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } };
    default: return { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: `k-${i}`, namespace: 'flux-system' }, spec: { path: `./dist/dir-${i % 4}`, prune: i % 2 === 0, interval: '10m' } };
  }
}

const fileName = (next: () => number) => `dir-${Math.floor(next() * 4)}/f-${Math.floor(next() * 12)}.yaml`;

/** A base tree and a head tree with about a tenth of the objects changed, moved, removed or added. */
export function generate(seed: number, count: number): { base: Placed[]; head: Placed[] } {
  const next = random(seed);
  const base = Array.from({ length: count }, (_, i) => ({ file: fileName(next), manifest: objectOf(i, next) }));
  const head: Placed[] = [];
  for (const { file, manifest } of base) {
    const roll = next();
    const copy = structuredClone(manifest);
    if (roll < 0.04) continue; // removed
    if (roll < 0.08) head.push({ file: fileName(next), manifest: copy }); // moved to another (maybe new) file
    else if (roll < 0.14) {
      if (copy.kind === 'Secret') (copy.stringData as Record<string, string>).password = secretValue(next);
      else if (copy.kind === 'Deployment') ((copy.spec as { template: { spec: { containers: { image: string; env: { value: string }[] }[] } } }).template.spec.containers[0]).image = 'ghcr.io/acme/other:2.0.0';
      else copy.metadata.labels = { changed: String(seed) };
      head.push({ file, manifest: copy });
    } else if (roll < 0.16 && copy.kind === 'Deployment') {
      ((copy.spec as { template: { spec: { containers: { env: { value: string }[] }[] } } }).template.spec.containers[0]).env[1].value = secretValue(next);
      head.push({ file, manifest: copy });
    } else if (roll < 0.18 && copy.kind === 'Namespace') {
      copy.metadata.namespace = 'stray'; // ignored for cluster-scoped objects: no change, whatever the file
      head.push({ file: fileName(next), manifest: copy });
    } else if (roll < 0.2) {
      head.push({ file, manifest: { ...copy, apiVersion: copy.apiVersion === 'v1' ? 'v1' : `${copy.apiVersion}beta` } });
    } else head.push({ file, manifest: copy });
  }
  for (let i = count; i < count + Math.ceil(count / 20); i++) head.push({ file: fileName(next), manifest: objectOf(i, next) });
  // shuffle the head's order inside files (the order of objects must not matter)
  head.sort(() => next() - 0.5);
  return { base, head };
}

export function writeTree(root: string, placed: readonly Placed[]): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const byFile = new Map<string, string[]>();
  for (const { file, manifest } of placed) byFile.set(file, [...(byFile.get(file) ?? []), dump(manifest, { noRefs: true })]);
  for (const [file, docs] of byFile) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), docs.map((d) => `---\n${d}`).join(''));
  }
}

/** The seeds the comparison tests run. */
export const SEEDS = [1, 2, 3, 20261202];

/**
 * The trees of {@link generate}(`seed`, `count`) written as `<dir>/<name>-base` and
 * `<dir>/<name>-head`; their paths (and the generated objects).
 */
export function writeSeededTrees(dir: string, name: string, seed: number, count: number): { b: string; h: string; base: Placed[]; head: Placed[] } {
  const { base, head } = generate(seed, count);
  const [b, h] = [join(dir, `${name}-base`), join(dir, `${name}-head`)];
  writeTree(b, base);
  writeTree(h, head);
  return { b, h, base, head };
}

/** A private scratch directory for one test file, removed after its tests (create it at module level). */
export class Scratch {
  readonly root: string;

  constructor(prefix: string) {
    const root = (this.root = mkdtempSync(join(tmpdir(), prefix)));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
  }

  /** `root/name` (not created). */
  path(name: string): string {
    return join(this.root, name);
  }

  /** `root/name`, emptied (created empty). */
  fresh(name: string): string {
    const dir = this.path(name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** Whether `bytes` (a spill file) hold `text` as V8 writes strings (one byte per character, or UTF-16), or as UTF-8. */
export function holds(bytes: Buffer, text: string): boolean {
  return bytes.includes(Buffer.from(text, 'latin1')) || bytes.includes(Buffer.from(text, 'utf16le')) || bytes.includes(Buffer.from(text, 'utf8'));
}
