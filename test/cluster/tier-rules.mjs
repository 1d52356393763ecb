// Tier rules: the gate rules that say "the API server rejects this" checked against a real
// kube-apiserver (K8S_VERSION). Every fixture object of those rules annotated
// policy-test.lambda-gitops.dev/expect is dry-run (server-side, strict field validation) into a
// namespace and service account that exist: an object the rule fails must be rejected as invalid
// (HTTP 422, or 404 when its namespace or name cannot exist), one it passes must be accepted. A
// rule that fails what the server accepts (or passes what it rejects) fails here.
import fs from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';
import { startEtcd, startApiserver } from './harness/controlplane.mjs';
import { applyObject } from './harness/apply.mjs';
import { mkdirp } from './harness/proc.mjs';

/** The rules whose verdict is the API server's own validation. */
const API_VALIDITY_RULES = ['object-name-syntax', 'pod-spec-names', 'label-syntax'];
const EXPECT = 'policy-test.lambda-gitops.dev/expect';
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export async function tierRules({ root, work, report, versions }) {
  const dir = mkdirp(work, 'tier-rules');
  const etcd = await startEtcd(dir);
  try {
    const api = await startApiserver(dir, etcd.url);
    const cases = [];
    for (const rule of API_VALIDITY_RULES) {
      for (const side of ['pass', 'fail']) {
        const fixtures = path.join(root, 'policies', rule, 'fixtures', side);
        for (const file of fs.readdirSync(fixtures).filter((f) => /\.ya?ml$/.test(f)).sort()) {
          for (const object of jsYaml.loadAll(fs.readFileSync(path.join(fixtures, file), 'utf8'))) {
            const expect = object?.metadata?.annotations?.[EXPECT];
            if (expect === 'pass' || expect === 'fail') cases.push({ rule, file: `${side}/${file}`, expect, object });
          }
        }
      }
    }
    // the namespaces the fixtures use (valid names only) and their default service accounts
    // (no controller-manager runs here to create them; a Pod needs one to reach validation)
    const namespaces = new Set(cases.map((c) => c.object.metadata.namespace).filter((n) => typeof n === 'string' && NAMESPACE.test(n)));
    for (const ns of namespaces) {
      await api.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await api.kube.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
    }
    for (const c of cases) {
      const name = `rules ${c.rule} ${c.file} ${c.object.kind}/${c.object.metadata.name}: the rule says ${c.expect}`;
      let status = 200;
      let message = '';
      try {
        await applyObject(api.kube, c.object, { dryRun: true });
      } catch (error) {
        status = error.status ?? error.response?.status ?? 0;
        message = String(error.message).replace(/\s+/g, ' ').slice(0, 300);
        if (!status) status = Number(/HTTP (\d{3})/.exec(message)?.[1] ?? 0);
      }
      if (c.expect === 'pass') {
        if (status < 300) report.pass(name, `kube-apiserver ${versions.K8S_VERSION} accepts it (server-side dry-run)`);
        else report.fail(name, `the rule passes it, but kube-apiserver ${versions.K8S_VERSION} rejects it: ${message}`);
      } else if (status === 422 || status === 404) {
        report.pass(name, `kube-apiserver ${versions.K8S_VERSION} rejects it: ${message}`);
      } else {
        report.fail(name, status < 300 ? `the rule fails it, but kube-apiserver ${versions.K8S_VERSION} accepts it` : `inconclusive: kube-apiserver answered ${status}, not a validation error: ${message}`);
      }
    }
    api.child.kill();
  } finally {
    etcd.child.kill();
    etcd.cleanup();
  }
}
