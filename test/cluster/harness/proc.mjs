// Process bookkeeping for the cluster tests: every child is started here, its pid is written to
// a pid file (so run.sh's trap can kill it even if node dies), and stopAll() kills by pid.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const children = new Map(); // pid -> {name, child}
let pidFile = null;

export function setPidFile(file) {
  pidFile = file;
}

function recordPids() {
  if (pidFile) fs.writeFileSync(pidFile, [...children.keys()].join('\n') + '\n');
}

export function log(...args) {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[${t}]`, ...args);
}

/** Start a long-running process; stdout+stderr go to logFile. */
export function start(name, cmd, args, { env = {}, logFile, cwd } = {}) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env },
    cwd,
    stdio: ['ignore', out, out],
    detached: false,
  });
  fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start ${name} (${cmd})`);
  children.set(child.pid, { name, child, logFile });
  recordPids();
  child.on('exit', (code, sig) => {
    const entry = children.get(child.pid);
    if (entry && !entry.stopping) log(`${name} (pid ${child.pid}) exited: code=${code} signal=${sig}; log ${logFile}`);
    children.delete(child.pid);
    recordPids();
  });
  return child;
}

export function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Stop one child by pid: SIGTERM, then SIGKILL after graceMs. */
export async function stop(child, graceMs = 5000) {
  const entry = children.get(child.pid);
  if (!entry) return;
  entry.stopping = true;
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
  const t0 = Date.now();
  while (isRunning(child) && Date.now() - t0 < graceMs) await sleep(100);
  if (isRunning(child)) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
  while (isRunning(child) && Date.now() - t0 < graceMs + 3000) await sleep(50);
  children.delete(child.pid);
  recordPids();
}

/** Stop every child this process started, newest first. */
export async function stopAll() {
  const list = [...children.values()].reverse();
  for (const { child } of list) await stop(child);
}

/** Synchronous last-resort kill (for process 'exit'). */
export function killAllSync() {
  for (const pid of children.keys()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  children.clear();
  recordPids();
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** A free TCP port on 127.0.0.1 (bound, then released). Ports handed out are not reused in a run. */
const handedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) { handedOut.add(port); return port; }
  }
}

/** Poll fn until it returns a truthy value or timeout; returns the value or throws with lastError. */
export async function waitFor(what, fn, { timeoutMs = 60000, intervalMs = 500 } = {}) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e.fatal) throw e;
      last = e;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

export function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
}

export function tail(file, lines = 30) {
  try {
    const s = fs.readFileSync(file, 'utf8').split('\n');
    return s.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function mkdirp(...parts) {
  const d = path.join(...parts);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
