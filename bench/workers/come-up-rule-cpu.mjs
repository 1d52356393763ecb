// The come-up rules' own CPU inside one `check` of the tree in DIR (fresh process): the gate is
// compiled on an empty tree first (that registers the rules), then each registered rule's
// `evaluate` is timed while loadManifests + the whole gate run. Prints one JSON line: the CPU
// milliseconds of the run, of each come-up rule, and their sum's share of the rest of the run (a
// steadier figure than two whole runs compared on a loaded machine).
import { loadManifests, PolicyGate } from '../../lib/policy/index.js';
import { crossResourceRule, crossResourceRuleNames } from '../../lib/policy/registry.js';

const [dir, ...rules] = process.argv.slice(2);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const gate = new PolicyGate({});
await gate.evaluate(loadManifests([]));
const spent = new Map(rules.map((name) => [name, 0]));
for (const name of crossResourceRuleNames().filter((n) => spent.has(n))) {
  const rule = crossResourceRule(name);
  const evaluate = rule.evaluate;
  rule.evaluate = function timedEvaluate(ctx) {
    const start = cpuMs();
    try {
      return evaluate.call(this, ctx);
    } finally {
      spent.set(name, spent.get(name) + cpuMs() - start);
    }
  };
}
const start = cpuMs();
const result = await gate.evaluate(loadManifests([dir]));
const totalMs = cpuMs() - start;
const rulesMs = [...spent.values()].reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ totalMs, rulesMs, share: rulesMs / (totalMs - rulesMs), perRule: Object.fromEntries(spent), fail: result.summary.fail }));
