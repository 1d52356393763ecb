#!/usr/bin/env node
// Vendoring step, run once by hand (not at test time): turns External Secrets' CRD bundle
// (deploy/crds/bundle.yaml at tag helm-chart-2.9.0) into the chart's templates/crds/*.yaml the way
// the chart's release packaging does (hack/helm.generate.sh at the same tag), so the vendored chart
// renders what the published chart renders. The bundle at that tag has no v1alpha1 versions, no
// `name: kubernetes` and no `namespace: default`, so of the script's edits these remain:
//   - one file per CRD, named by .spec.names.singular;
//   - the whole file guarded by `installCRDs` (and `crds.create<Kind>` for Cluster* and PushSecret kinds);
//   - for ExternalSecret/SecretStore kinds, v1beta1's `served: false` becomes `{{ .Values.crds.unsafeServeV1Beta1 }}`;
//   - `crds.annotations` inserted after the first `annotations:` line.
// Usage: node package-eso-crds.mjs BUNDLE.yaml CHART_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [bundlePath, chartDir] = process.argv.slice(2);
if (!bundlePath || !chartDir) {
  console.error('usage: package-eso-crds.mjs BUNDLE.yaml CHART_DIR');
  process.exit(2);
}
const outDir = join(chartDir, 'templates', 'crds');
mkdirSync(outDir, { recursive: true });

const docs = readFileSync(bundlePath, 'utf8').split(/^---\s*$/m).map((d) => d.replace(/^\n+/, '')).filter((d) => d.trim());
for (const doc of docs) {
  const kind = /^\s{4}kind: (\S+)$/m.exec(doc)?.[1];
  const singular = /^\s{4}singular: (\S+)$/m.exec(doc)?.[1];
  if (!kind || !singular) throw new Error(`bundle document without spec.names.kind/singular: ${doc.slice(0, 200)}`);
  let body = doc.endsWith('\n') ? doc : `${doc}\n`;
  if (kind.includes('ExternalSecret') || kind.includes('SecretStore')) {
    // sed '/name: v1beta1/,/served: false/{s/served: false/served: {{ .Values.crds.unsafeServeV1Beta1 }}/}'
    const lines = body.split('\n');
    let inRange = false;
    for (let i = 0; i < lines.length; i++) {
      if (!inRange && /name: v1beta1/.test(lines[i])) inRange = true;
      if (inRange && /served: false/.test(lines[i])) {
        lines[i] = lines[i].replace('served: false', 'served: {{ .Values.crds.unsafeServeV1Beta1 }}');
        inRange = false;
      }
    }
    body = lines.join('\n');
  }
  const flag = `create${kind}`;
  const guard = kind.includes('Cluster') || kind.includes('PushSecret')
    ? `{{- if and (.Values.installCRDs) (.Values.crds.${flag}) }}`
    : '{{- if .Values.installCRDs }}';
  // sed '0,/annotations/!b;//a\ ...': append after the first line that mentions annotations
  const annotationsBlock = [
    '    {{- with .Values.crds.annotations }}',
    '    {{- toYaml . | nindent 4}}',
    '    {{- end }}',
    '    {{- if and .Values.crds.conversion.enabled .Values.webhook.certManager.enabled .Values.webhook.certManager.addInjectorAnnotations }}',
    '    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "external-secrets.fullname" . }}-webhook',
    '    {{- end }}',
  ].join('\n');
  body = body.replace(/^(.*annotations.*)$/m, `$1\n${annotationsBlock}`);
  writeFileSync(join(outDir, `${singular}.yaml`), `${guard}\n${body}{{- end }}\n`);
}
console.log(`wrote ${docs.length} CRD templates to ${outDir}`);
