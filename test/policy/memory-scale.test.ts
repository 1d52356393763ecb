/**
 * `check` memory per document: the heap a loaded and checked tree of small documents holds
 * (after a full garbage collection, so the figure does not move with when the GC runs),
 * measured at 5,000 and 25,000 documents in a child process (`node --expose-gc`), the difference
 * divided by 20,000. At 10^6 documents peak RSS is about this times 10^6 plus the collector's
 * headroom; docs/policies.md has the measured peak. 711 bytes per document before the loader
 * stopped keeping every document's text (525 after) and the object index stopped building a key
 * string per object (401 after): a regression of either fails this test.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const lib = join(here, '..', '..', 'lib');

/** The most a checked document may hold: 480 MB of live heap at 10^6 documents. */
const MAX_BYTES_PER_DOCUMENT = 480;

test(`check holds at most ${MAX_BYTES_PER_DOCUMENT} bytes of heap per small document`, () => {
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, 'retained-memory.mjs'), lib, '5000', '25000'], { encoding: 'utf8', timeout: 240_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const measured = JSON.parse(result.stdout) as { small: number; large: number; perDocument: number };
  process.stdout.write(`check heap held: 5k documents ${(measured.small / 2 ** 20).toFixed(1)} MiB, 25k ${(measured.large / 2 ** 20).toFixed(1)} MiB, ${measured.perDocument.toFixed(0)} bytes per document\n`);
  // more documents hold more: the measurement is not empty
  expect(measured.large).toBeGreaterThan(measured.small);
  expect(measured.perDocument).toBeGreaterThan(100);
  expect(measured.perDocument).toBeLessThan(MAX_BYTES_PER_DOCUMENT);
}, 300_000);
