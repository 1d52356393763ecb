// The in-memory report of `lambda-gitops diff` (diffSources, no limit on listed objects), scrubbed
// and rendered as the CLI did before it read its changes back from a spill, written to OUT: the
// reference that the spilled reports of the CLI are compared with byte for byte in the Scale table
// of docs/policies.md (run after a build; markdown and full take the CLI's title, and markdown the
// --full file named in its "not shown" line, if any):
//   node scripts/diff-in-memory-reference.mjs BASE-DIR HEAD-DIR json|text|markdown|full OUT [TITLE [FULL-FILE]]
import { openSync, writeSync, closeSync } from 'node:fs';
const lib = new URL('../lib', import.meta.url).pathname;
const { diffSources } = await import(`${lib}/diff/stream-diff.js`);
const { directorySource } = await import(`${lib}/diff/tree-source.js`);
const { renderJsonChunks, renderTextChunks } = await import(`${lib}/diff/render-text.js`);
const { renderMarkdown } = await import(`${lib}/diff/render-markdown.js`);
const { SecretScrubber } = await import(`${lib}/masking/secret-scrubber.js`);
const [base, head, format, out, title, fullFile] = process.argv.slice(2);
const scrubber = new SecretScrubber();
const report = diffSources(directorySource(base), directorySource(head), { onObject: (m) => scrubber.addObject(m), maxChanges: Infinity });
const scrubbed = { ...report, risks: scrubber.scrubDeep(report.risks) };
const fd = openSync(out, 'w');
let pending = '';
const scrubChange = (c) => scrubber.scrubDeep(c);
function* markdown() {
  // as the CLI did: the whole report scrubbed, rendered as one string, scrubbed again
  const whole = { ...scrubbed, changes: report.changes.map(scrubChange) };
  const options = { title: scrubber.scrubText(title), budget: format === 'full' ? Infinity : undefined, fullDiffHint: fullFile ? `\`${fullFile}\`` : undefined };
  yield renderMarkdown(whole, options);
}
const chunks = format === 'json' ? renderJsonChunks(scrubbed, scrubChange) : format === 'text' ? renderTextChunks(scrubbed, scrubChange) : markdown();
for (const chunk of chunks) {
  pending += scrubber.scrubText(chunk);
  if (pending.length > 1 << 20) { writeSync(fd, pending); pending = ''; }
}
writeSync(fd, pending);
closeSync(fd);
