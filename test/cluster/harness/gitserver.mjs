// Smart-HTTP git server on 127.0.0.1: a tiny CGI bridge to `git http-backend`
// (Flux's go-git speaks smart HTTP only; it refuses file:// URLs and dumb HTTP).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { freePort, log } from './proc.mjs';
import { run } from './proc.mjs';

const backend = () => `${run('git', ['--exec-path']).trim()}/git-http-backend`;

export async function startGitServer(projectRoot) {
  const port = await freePort();
  const exe = backend();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const env = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: '',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
    };
    const cgi = spawn(exe, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk) => {
      if (headersDone) { res.write(chunk); return; }
      head = Buffer.concat([head, chunk]);
      let idx = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (idx < 0) { idx = head.indexOf('\n\n'); sepLen = 2; }
      if (idx < 0) return;
      const lines = head.subarray(0, idx).toString('latin1').split(/\r?\n/);
      let status = 200;
      const headers = {};
      for (const l of lines) {
        const m = l.match(/^([^:]+):\s*(.*)$/);
        if (!m) continue;
        if (m[1].toLowerCase() === 'status') status = parseInt(m[2], 10);
        else headers[m[1]] = m[2];
      }
      res.writeHead(status, headers);
      headersDone = true;
      res.write(head.subarray(idx + sepLen));
    });
    let stderr = '';
    cgi.stderr.on('data', (d) => { stderr += d; });
    cgi.on('close', (code) => {
      if (!headersDone) { res.writeHead(500); res.write(stderr); }
      if (code !== 0) log(`git http-backend exited ${code} for ${req.method} ${req.url}: ${stderr.trim()}`);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
