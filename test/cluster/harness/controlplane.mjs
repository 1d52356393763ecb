// Starts real control-plane processes on 127.0.0.1 with free ports: etcd, kube-apiserver,
// kube-scheduler, kube-controller-manager, kwok. Flags follow envtest's (controller-runtime
// pkg/internal/testing/controlplane) plus token auth.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kube } from './kube.mjs';
import { freePort, log, run, start, waitFor, isRunning, tail } from './proc.mjs';

export const BIN = path.resolve(process.env.CLUSTER_BIN ?? '.cache/bin');
const bin = (n) => path.join(BIN, n);

/** etcd with its data dir on tmpfs (Debian's 3.4 has no --unsafe-no-fsync). */
export async function startEtcd(work) {
  const client = await freePort();
  const peer = await freePort();
  const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : work;
  const dataDir = fs.mkdtempSync(path.join(shm, 'lgo-etcd-'));
  // run.sh's trap removes these if node dies before cleanup().
  if (process.env.CLUSTER_TEST_PIDFILE) fs.appendFileSync(`${process.env.CLUSTER_TEST_PIDFILE}.dirs`, `${dataDir}\n`);
  const url = `http://127.0.0.1:${client}`;
  const logFile = path.join(work, 'etcd.log');
  const child = start('etcd', bin('etcd'), [
    '--name=default', `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=default=http://127.0.0.1:${peer}`,
    '--log-level=warn',
  ], { logFile });
  // Smoke test: a put/get round trip through etcd's v3 JSON gateway.
  const key = Buffer.from('lambda-gitops-smoke').toString('base64');
  const value = Buffer.from('ok').toString('base64');
  await waitFor('etcd put/get', async () => {
    if (!isRunning(child)) throw fatal(`etcd exited; log:\n${tail(logFile)}`);
    const put = await fetch(`${url}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key, value }) });
    if (!put.ok) return false;
    const get = await (await fetch(`${url}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key }) })).json();
    return get.kvs?.[0]?.value === value;
  }, { timeoutMs: 30000, intervalMs: 200 });
  return { child, url, dataDir, cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

/** `binary`: kube-apiserver (the pinned K8S_VERSION) or kube-apiserver-1.28 (K8S_128_VERSION, Tier A128). */
export async function startApiserver(work, etcdUrl, { extraArgs = [], binary = 'kube-apiserver' } = {}) {
  const port = await freePort();
  const certDir = path.join(work, 'apiserver-certs');
  fs.mkdirSync(certDir, { recursive: true });
  const saKey = path.join(certDir, 'sa.key');
  const saPub = path.join(certDir, 'sa.pub');
  if (!fs.existsSync(saKey)) {
    run('openssl', ['genrsa', '-out', saKey, '2048']);
    run('openssl', ['rsa', '-in', saKey, '-pubout', '-out', saPub]);
  }
  const token = crypto.randomBytes(16).toString('hex');
  const tokenFile = path.join(certDir, 'tokens.csv');
  fs.writeFileSync(tokenFile, `${token},lambda-gitops-admin,admin,"system:masters"\n`, { mode: 0o600 });
  const server = `https://127.0.0.1:${port}`;
  const logFile = path.join(work, 'kube-apiserver.log');
  const child = start(binary, bin(binary), [
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${certDir}`,
    `--secure-port=${port}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--token-auth-file=${tokenFile}`,
    '--allow-privileged=true',
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${saPub}`,
    `--service-account-signing-key-file=${saKey}`,
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    ...extraArgs,
  ], { logFile });
  const kube = new Kube({ server, token });
  await waitFor('kube-apiserver /readyz', async () => {
    if (!isRunning(child)) throw fatal(`kube-apiserver exited; log:\n${tail(logFile)}`);
    const r = await kube.request('GET', '/readyz');
    return r.status === 200;
  }, { timeoutMs: 120000, intervalMs: 500 });
  // The default namespace and the RBAC bootstrap roles are created by post-start hooks.
  await waitFor('default namespace', async () => (await kube.request('GET', '/api/v1/namespaces/default')).status === 200, { timeoutMs: 60000 });
  const kubeconfig = path.join(work, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(server, token), { mode: 0o600 });
  return { child, server, token, kube, kubeconfig, saKey, certDir, logFile };
}

export function kubeconfigYaml(server, token) {
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`;
}

/** kube-scheduler or kube-controller-manager: kubeconfig auth, loopback serving, no leader election. */
async function startComponent(name, work, api, extraArgs) {
  const port = await freePort();
  const logFile = path.join(work, `${name}.log`);
  const child = start(name, bin(name), [
    `--kubeconfig=${api.kubeconfig}`,
    `--authentication-kubeconfig=${api.kubeconfig}`, `--authorization-kubeconfig=${api.kubeconfig}`,
    '--bind-address=127.0.0.1', `--secure-port=${port}`,
    '--leader-elect=false',
    ...extraArgs,
  ], { logFile });
  await waitForServing(name, child, logFile, port);
  return { child, logFile };
}

export function startScheduler(work, api) {
  return startComponent('kube-scheduler', work, api, []);
}

export function startControllerManager(work, api) {
  return startComponent('kube-controller-manager', work, api, [
    `--service-account-private-key-file=${api.saKey}`,
    '--use-service-account-credentials=false',
    '--concurrent-deployment-syncs=10', '--concurrent-replicaset-syncs=10',
  ]);
}

async function waitForServing(name, child, logFile, port) {
  const https = await import('node:https');
  await waitFor(`${name} serving on ${port}`, () => new Promise((resolve, reject) => {
    if (!isRunning(child)) return reject(fatal(`${name} exited; log:\n${tail(logFile)}`));
    const req = https.request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  }), { timeoutMs: 90000 });
}

/**
 * kwok out of cluster: manages Nodes annotated kwok.x-k8s.io/node=fake and their pods. Its stage
 * definitions (the "fast" profile: node-initialize, lease heartbeat, pod-ready, pod-complete,
 * pod-delete) are read from the kwok module that build.sh built, in the Go module cache.
 */
export async function startKwok(work, api, kwokVersion) {
  const port = await freePort();
  const logFile = path.join(work, 'kwok.log');
  const mod = path.join(process.env.GOMODCACHE ?? path.resolve('.cache/gomod'), `sigs.k8s.io/kwok@${kwokVersion}/kustomize/stage`);
  const stages = ['node/fast/node-initialize.yaml', 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
    'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];
  const config = path.join(work, 'kwok-stages.yaml');
  fs.writeFileSync(config, stages.map((s) => {
    const f = path.join(mod, s);
    if (!fs.existsSync(f)) throw new Error(`kwok stage ${f} missing: run test/cluster/build.sh kwok`);
    return fs.readFileSync(f, 'utf8');
  }).join('\n---\n'));
  const child = start('kwok', bin('kwok'), [
    `--config=${config}`,
    `--kubeconfig=${api.kubeconfig}`,
    '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    '--cidr=10.0.0.0/16', '--node-ip=10.0.0.1',
    `--server-address=127.0.0.1:${port}`,
    '--node-lease-duration-seconds=40',
  ], { logFile });
  await waitFor('kwok started', async () => {
    if (!isRunning(child)) throw fatal(`kwok exited; log:\n${tail(logFile)}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok;
  }, { timeoutMs: 60000 });
  return { child, logFile };
}

function fatal(msg) {
  const e = new Error(msg);
  e.fatal = true;
  return e;
}
