import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { expect } from '@jest/globals';
import { Manifest, ManifestTree, parseManifestFiles } from '../../src/diff/index.js';

/** A Deployment manifest with one container, for tests. */
export function deployment(name: string, namespace: string, overrides: { replicas?: number; image?: string; gpus?: number; memory?: string; env?: { name: string; value: string }[]; selector?: Record<string, string> } = {}): Manifest {
  const resources: Record<string, Record<string, string>> = { requests: { cpu: '1', memory: overrides.memory ?? '1Gi' }, limits: { memory: overrides.memory ?? '1Gi' } };
  if (overrides.gpus) {
    resources.requests['nvidia.com/gpu'] = String(overrides.gpus);
    resources.limits['nvidia.com/gpu'] = String(overrides.gpus);
  }
  const labels = overrides.selector ?? { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'main', image: overrides.image ?? 'ghcr.io/acme/app:1.0.0', resources, env: overrides.env ?? [], securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }],
        },
      },
    },
  };
}

/** A tree from manifests, each in its own file `<kind>-<name>.yaml` under `<namespace or cluster>/`. */
export function treeOf(...manifests: Manifest[]): ManifestTree {
  return parseManifestFiles(manifests.map((m) => ({ path: fileFor(m), text: dump(m, { noRefs: true }) })));
}

/** The conventional file for a manifest. */
export function fileFor(m: Manifest): string {
  return `${m.metadata.namespace ?? 'cluster'}/${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
}

/** A throw-away git repository with helpers to write files and commit. */
export class GitFixture {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'lambda-gitops-git-'));
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'user.name', 'Test');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-C', this.dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  }

  /** Writes manifests under `root` (removing what was there), one file each. */
  writeTree(root: string, manifests: readonly Manifest[]): void {
    rmSync(join(this.dir, root), { recursive: true, force: true });
    for (const m of manifests) this.write(`${root}/${fileFor(m)}`, dump(m, { noRefs: true }));
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }

  commitAll(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every ``` fence opened is closed and every <details> outside fences has its </details>. */
export function assertBalanced(markdown: string): void {
  let open: string | undefined;
  let details = 0;
  for (const line of markdown.split('\n')) {
    const fence = /^(`{3,})/.exec(line)?.[1];
    if (open === undefined && fence) open = fence;
    else if (open !== undefined && line.trim() === open) open = undefined;
    else if (open === undefined) details += (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    expect(details).toBeGreaterThanOrEqual(0);
  }
  expect(open).toBeUndefined();
  expect(details).toBe(0);
}
