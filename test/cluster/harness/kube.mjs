// A small Kubernetes REST client (token auth, loopback apiserver with a self-signed serving cert).
// Server-side apply goes straight to the API so each object gets its own verdict and message.
import https from 'node:https';

export class Kube {
  constructor({ server, token }) {
    this.server = server;
    this.token = token;
    this.agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 8 });
    this.mapping = new Map(); // "group/version" -> Map(kind -> {name, namespaced})
  }

  request(method, path, body, contentType = 'application/json') {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(url, {
        method,
        agent: this.agent,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
        timeout: 30000,
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
          resolve({ status: res.statusCode, json, text, warnings: [].concat(res.headers.warning || []) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async ok(method, path, body, contentType) {
    const r = await this.request(method, path, body, contentType);
    if (r.status >= 300) throw new KubeError(`${method} ${path}`, r);
    return r.json;
  }

  /** Resolve kind -> resource via discovery (cached; refresh=true after installing CRDs). */
  async resource(apiVersion, kind, refresh = false) {
    const gv = apiVersion;
    if (refresh || !this.mapping.has(gv)) {
      const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
      const r = await this.request('GET', path);
      if (r.status !== 200) {
        this.mapping.delete(gv);
        throw new Error(`no API group/version ${gv} on the server (is its CRD installed?)`);
      }
      const m = new Map();
      for (const res of r.json.resources) if (!res.name.includes('/')) m.set(res.kind, { name: res.name, namespaced: res.namespaced });
      this.mapping.set(gv, m);
    }
    const res = this.mapping.get(gv).get(kind);
    if (!res) {
      if (!refresh) return this.resource(apiVersion, kind, true);
      throw new Error(`no kind ${kind} in ${gv} on the server`);
    }
    return res;
  }

  async path(obj, { withName = true, namespace } = {}) {
    const { name, namespaced } = await this.resource(obj.apiVersion, obj.kind);
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = namespace ?? obj.metadata?.namespace ?? 'default';
    let p = namespaced ? `${base}/namespaces/${encodeURIComponent(ns)}/${name}` : `${base}/${name}`;
    if (withName) p += `/${encodeURIComponent(obj.metadata.name)}`;
    return p;
  }

  /** Server-side apply with strict field validation. dryRun=true sends dryRun=All. */
  async apply(obj, { dryRun = false, fieldManager = 'lambda-gitops-cluster-test', force = true } = {}) {
    const q = new URLSearchParams({ fieldManager, fieldValidation: 'Strict' });
    if (force) q.set('force', 'true');
    if (dryRun) q.set('dryRun', 'All');
    const p = `${await this.path(obj)}?${q}`;
    const r = await this.request('PATCH', p, obj, 'application/apply-patch+yaml');
    if (r.status >= 300) throw new KubeError(`apply ${describe(obj)}`, r);
    return r;
  }

  async get(apiVersion, kind, name, namespace) {
    const p = await this.path({ apiVersion, kind, metadata: { name, namespace } });
    const r = await this.request('GET', p);
    if (r.status === 404) return null;
    if (r.status >= 300) throw new KubeError(`get ${kind} ${namespace ?? ''}/${name}`, r);
    return r.json;
  }

  async list(apiVersion, kind, namespace, query = '') {
    let p;
    if (namespace) p = await this.path({ apiVersion, kind, metadata: {} }, { withName: false, namespace });
    else {
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = `${base}/${(await this.resource(apiVersion, kind)).name}`;
    }
    return (await this.ok('GET', p + (query ? `?${query}` : ''))).items;
  }

  async delete(obj) {
    const r = await this.request('DELETE', await this.path(obj));
    if (r.status >= 300 && r.status !== 404) throw new KubeError(`delete ${describe(obj)}`, r);
  }
}

export class KubeError extends Error {
  constructor(what, r) {
    super(`${what}: HTTP ${r.status}: ${r.json?.message ?? r.text.slice(0, 500)}`);
    this.status = r.status;
    this.response = r.json;
  }
}

export function describe(obj) {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : '';
  return `${obj.apiVersion} ${obj.kind} ${ns}${obj.metadata?.name}`;
}
