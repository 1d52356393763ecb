/**
 * `check` memory per document, measured (peak RSS from /usr/bin/time) on generated trees of 5,000
 * and 105,000 small documents (a wide gap, so RSS noise moves the estimate little) and
 * extrapolated linearly to 10^6: it must stay under 1 GB. Measured directly once
 * (docs/policies.md): 10^6 documents in 1,000 files, 846 MB peak, exit 0.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(new URL('.', import.meta.url).pathname, '..', '..', 'lib/cli/main.js');
const TIME = '/usr/bin/time';

function generate(dir: string, documents: number): void {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f * 1000 < documents; f++) {
    let text = '';
    for (let i = 0; i < 1000 && f * 1000 + i < documents; i++) {
      text += `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${f * 1000 + i}, namespace: n}\ndata: {k: v}\n`;
    }
    writeFileSync(join(dir, `f${f}.yaml`), text);
  }
}

/** Peak RSS in bytes of `check` over `dir`. */
function peakRss(dir: string): number {
  const result = spawnSync(TIME, ['-f', '%M', process.execPath, cli, 'check', dir, '--format', 'json', '--output', '/dev/null'], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return Number(result.stderr.trim().split('\n').at(-1)) * 1024;
}

(existsSync(TIME) ? test : test.skip)('check stays within 1 GB at 10^6 small documents (linear extrapolation of peak RSS)', () => {
  const root = mkdtempSync(join(tmpdir(), 'lg-mem-'));
  try {
    generate(join(root, 'small'), 5_000);
    generate(join(root, 'large'), 105_000);
    // the smallest of three runs each: peak RSS moves with when the GC gets to run (other jobs on
    // the machine delay it), while what check needs is the least it ran in
    const least = (dir: string) => Math.min(peakRss(dir), peakRss(dir), peakRss(dir));
    const small = least(join(root, 'small'));
    const large = least(join(root, 'large'));
    const perDocument = Math.max(0, (large - small) / 100_000);
    const atMillion = large + perDocument * (1_000_000 - 105_000);
    process.stdout.write(`check peak RSS: 5k docs ${(small / 2 ** 20).toFixed(0)} MiB, 105k docs ${(large / 2 ** 20).toFixed(0)} MiB, ${(perDocument / 1024).toFixed(2)} KiB per document, 10^6 extrapolated ${(atMillion / 2 ** 20).toFixed(0)} MiB\n`);
    expect(atMillion).toBeLessThan(2 ** 30);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 300_000);
