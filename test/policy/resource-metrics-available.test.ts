/**
 * `resource-metrics-available` on a Flux layout: metrics-server must be applied by a
 * Kustomization the autoscaler's Kustomization depends on (or a cluster-provided one assumed,
 * with a warning when the tree has none).
 */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck } from '../../src/policy/engine.js';

const kustomization = (name: string, path: string, dependsOn: string[]) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 10m
  path: ${path}
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
${dependsOn.length ? `  dependsOn: [${dependsOn.map((d) => `{name: ${d}}`).join(', ')}]\n` : ''}`;

const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: metrics-server, namespace: metrics-server}
spec:
  interval: 1h
  chart: {spec: {chart: metrics-server, version: 3.13.1, sourceRef: {kind: HelmRepository, name: metrics-server, namespace: flux-system}}}
`;
const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
`;

function tree(appsDependOnControllers: boolean, withRelease = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'lgo-rma-'));
  for (const d of ['clusters/prod', 'infrastructure/controllers', 'apps']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'clusters/prod/controllers.yaml'), kustomization('infra-controllers', './infrastructure/controllers', []));
  writeFileSync(join(dir, 'clusters/prod/apps.yaml'), kustomization('apps', './apps', appsDependOnControllers ? ['infra-controllers'] : []));
  if (withRelease) writeFileSync(join(dir, 'infrastructure/controllers/metrics-server.yaml'), RELEASE);
  writeFileSync(join(dir, 'apps/hpa.yaml'), HPA);
  return dir;
}

async function findings(dir: string) {
  const report = await runCheck({ paths: [dir], severity: 'info' });
  return report.results.filter((r) => r.policy === 'resource-metrics-available').map((r) => ({ result: r.result, message: r.message }));
}

describe('resource-metrics-available', () => {
  test('metrics-server in a layer the autoscaler\'s Kustomization depends on passes', async () => {
    expect(await findings(tree(true))).toEqual([]);
  });

  test('metrics-server in a layer the autoscaler\'s Kustomization does not depend on is reported, naming both', async () => {
    const found = await findings(tree(false));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/HorizontalPodAutoscaler web\/web reads the resource metrics API from HelmRelease metrics-server\/metrics-server \(chart metrics-server\) in Kustomization flux-system\/infra-controllers, which Kustomization flux-system\/apps does not depend on/);
  });

  test('no metrics-server anywhere is a warning naming the autoscaler', async () => {
    const found = await findings(tree(true, false));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ result: 'warn' });
    expect(found[0].message).toMatch(/web\/web scales on CPU or memory.*which nothing in the tree installs \(no HelmRelease of metrics-server/);
  });
});
