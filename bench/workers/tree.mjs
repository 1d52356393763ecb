// The synthetic platform of the render and check benchmarks: N objects, one tenant per 250
// objects (Namespace, default-deny NetworkPolicy, GPU quota), then Deployment + Service + PDB +
// NetworkPolicy per workload, every object passing every gate rule (the cost of a green PR).
export function platformObjects(count) {
  const namespaces = Math.max(1, Math.round(count / 250));
  return tenantObjects(namespaces, Math.max(1, Math.floor((count - 3 * namespaces) / 4)));
}

/** The same shapes for a given number of namespaces and workloads (3 x namespaces + 4 x workloads objects). */
export function tenantObjects(namespaces, workloads) {
  const out = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    out.push({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: ns }, spec: { hard: { 'requests.nvidia.com/gpu': '8' } } });
  }
  for (let i = 0; i < workloads; i++) {
    const ns = `team-${i % namespaces}`;
    const name = `svc-${i}`;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    out.push({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels },
      spec: {
        replicas: 2, selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
          containers: [{
            name: 'main', image: `ghcr.io/acme/${name}:1.0.0`, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 8080, name: 'http' }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' } }, livenessProbe: { tcpSocket: { port: 'http' } },
            resources: { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        } },
      },
    });
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    out.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } });
    out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }] }] } });
  }
  return out;
}
