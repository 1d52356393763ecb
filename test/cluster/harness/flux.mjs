// Flux source-controller and kustomize-controller as plain processes against the test apiserver.
import path from 'node:path';
import fs from 'node:fs';
import { BIN } from './controlplane.mjs';
import { freePort, isRunning, start, tail, waitFor } from './proc.mjs';

async function startController(name, dir, api, args) {
  const metrics = await freePort();
  const health = await freePort();
  const logFile = path.join(dir, `${name}.log`);
  const child = start(name, path.join(BIN, name), [
    `--metrics-addr=127.0.0.1:${metrics}`,
    `--health-addr=127.0.0.1:${health}`,
    '--enable-leader-election=false',
    '--log-level=info',
    '--watch-all-namespaces=true',
    ...args,
  ], { logFile, env: { KUBECONFIG: api.kubeconfig, RUNTIME_NAMESPACE: 'flux-system', TMPDIR: dir } });
  await waitFor(`${name} /readyz`, async () => {
    if (!isRunning(child)) throw Object.assign(new Error(`${name} exited; log:\n${tail(logFile)}`), { fatal: true });
    return (await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => null))?.ok;
  }, { timeoutMs: 60000 });
  return { child, logFile };
}

export async function startSourceController(dir, api) {
  const storage = await freePort();
  const storagePath = path.join(dir, 'source-storage');
  fs.mkdirSync(storagePath, { recursive: true });
  return startController('source-controller', dir, api, [
    `--storage-path=${storagePath}`,
    `--storage-addr=127.0.0.1:${storage}`,
    `--storage-adv-addr=127.0.0.1:${storage}`,
    '--requeue-dependency=5s',
  ]);
}

export async function startKustomizeController(dir, api) {
  return startController('kustomize-controller', dir, api, [
    '--requeue-dependency=5s',
    '--no-remote-bases=true',
  ]);
}

export function readyCondition(obj) {
  return obj?.status?.conditions?.find((c) => c.type === 'Ready');
}
