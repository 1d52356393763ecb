// The in-memory report of `lambda-gitops diff` (diffSources, no limit on listed objects), scrubbed
// and rendered as the CLI does, written to OUT: the reference that the spilled report of the CLI
// is compared with byte for byte in the Scale table of docs/policies.md (run after a build):
//   node scripts/diff-in-memory-reference.mjs BASE-DIR HEAD-DIR json|text OUT
import { openSync, writeSync, closeSync } from 'node:fs';
const lib = new URL('../lib', import.meta.url).pathname;
const { diffSources } = await import(`${lib}/diff/stream-diff.js`);
const { directorySource } = await import(`${lib}/diff/tree-source.js`);
const { renderJsonChunks, renderTextChunks } = await import(`${lib}/diff/render-text.js`);
const { SecretScrubber } = await import(`${lib}/masking/secret-scrubber.js`);
const [base, head, format, out] = process.argv.slice(2);
const scrubber = new SecretScrubber();
const report = diffSources(directorySource(base), directorySource(head), { onObject: (m) => scrubber.addObject(m), maxChanges: Infinity });
const scrubbed = { ...report, risks: scrubber.scrubDeep(report.risks) };
const fd = openSync(out, 'w');
let pending = '';
for (const chunk of (format === 'json' ? renderJsonChunks : renderTextChunks)(scrubbed, (c) => scrubber.scrubDeep(c))) {
  pending += scrubber.scrubText(chunk);
  if (pending.length > 1 << 20) { writeSync(fd, pending); pending = ''; }
}
writeSync(fd, pending);
closeSync(fd);
