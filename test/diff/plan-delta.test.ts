import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { run } from '../../src/cli/commands/diff.js';
import { Manifest, planDeltaOfTrees } from '../../src/diff/index.js';
import { deployment, GitFixture, treeOf } from './fixtures.js';

const MODEL: Manifest = {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-model', namespace: 'flux-system', labels: { 'lambda-gitops.dev/cluster-model': 'true' } },
  data: { 'cluster.yaml': 'name: lab\npools:\n  - {name: a10, instanceType: gpu_1x_a10, nodes: 2}\n  - {name: cpu, instanceType: cpu_4x_general, nodes: 1}\n' },
};
const gpuWorkload = (replicas: number): Manifest => {
  const d = deployment('llm', 'ml', { replicas, gpus: 1, memory: '8Gi' });
  (d.spec as any).template.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
  return d;
};

describe('capacity plan delta (from the capacity planner)', () => {
  test('GPUs requested, verdict, cost and pool utilization, base vs head', () => {
    const delta = planDeltaOfTrees(treeOf(MODEL, gpuWorkload(1)), treeOf(MODEL, gpuWorkload(2)));
    const row = (label: string) => delta.rows.find((r) => r.label === label);
    expect(row('GPUs requested (max scale)')).toEqual({ label: 'GPUs requested (max scale)', before: '1', after: '2' });
    expect(row('Verdict')).toEqual({ label: 'Verdict', before: 'fits', after: 'fits' });
    expect(row('a10 GPU utilization')).toEqual({ label: 'a10 GPU utilization', before: '50.0%', after: '100.0%' });
    expect(row('Monthly cost')?.before).toMatch(/^\$[\d,]+\.\d{2}$/);
  });

  test('diff --plan puts the delta in the Markdown and writes it for the comment job; no cluster model is a clear error', async () => {
    const repo = new GitFixture();
    const out = mkdtempSync(join(tmpdir(), 'lambda-gitops-plan-'));
    try {
      repo.writeTree('dist', [MODEL, gpuWorkload(1)]);
      repo.commitAll('base');
      repo.writeTree('dist', [MODEL, gpuWorkload(2)]);
      const args = ['--base', 'HEAD', '--head', join(repo.dir, 'dist'), '--repo', repo.dir, '--format', 'markdown', '--plan'];
      expect(await run([...args, '--output', join(out, 'c.md'), '--plan-output', join(out, 'plan.json')])).toBe(0);
      expect(readFileSync(join(out, 'c.md'), 'utf8')).toContain('**Capacity plan (base → head):**\n\n| | Base | Head |\n|---|--:|--:|\n| Verdict | fits | fits |\n| GPUs requested \\(max scale\\) | 1 | 2 |');
      expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).rows[1]).toEqual({ label: 'GPUs requested (max scale)', before: '1', after: '2' });
      repo.writeTree('dist', [gpuWorkload(2)]);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(await run([...args, '--output', join(out, 'c.md')])).toBe(2);
        expect(String(stderr.mock.calls[0][0])).toContain('no ConfigMap labelled lambda-gitops.dev/cluster-model');
      } finally {
        stderr.mockRestore();
      }
    } finally {
      repo.remove();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
