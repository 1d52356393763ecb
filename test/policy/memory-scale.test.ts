/**
 * `check` memory per document: the heap a loaded and checked tree of small documents holds
 * (after a full garbage collection, so the figure does not move with when the GC runs),
 * measured at 5,000 and 25,000 documents in a child process (`node --expose-gc`), the difference
 * divided by 20,000, for both layouts of scripts/gen-scale-tree.mjs: files of 1,000 documents
 * (multi) and one-document files (files). At 10^6 documents peak RSS is about this times 10^6 plus
 * the collector's headroom; docs/policies.md has the measured peak. 711 bytes per document (multi)
 * before the loader stopped keeping every document's text (525 after) and the object index stopped
 * building a key string per object (401 after); 401 (multi) and 519 (files) before a whole-document
 * object became its own source record and apiVersion, kind and namespace were shared across
 * objects (311 and 393 after): a regression of any of these fails this test.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const lib = join(here, '..', '..', 'lib');

/** The most a checked document may hold, per layout (measured 311 and 393, with room for noise). */
const MAX_BYTES_PER_DOCUMENT = { multi: 360, files: 440 } as const;

test.each(Object.entries(MAX_BYTES_PER_DOCUMENT))('check holds at most so many bytes of heap per small document (%s: %d)', (layout, limit) => {
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, 'retained-memory.mjs'), lib, '5000', '25000', layout], { encoding: 'utf8', timeout: 240_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const measured = JSON.parse(result.stdout) as { small: number; large: number; perDocument: number };
  process.stdout.write(`check heap held (${layout}): 5k documents ${(measured.small / 2 ** 20).toFixed(1)} MiB, 25k ${(measured.large / 2 ** 20).toFixed(1)} MiB, ${measured.perDocument.toFixed(0)} bytes per document\n`);
  // more documents hold more: the measurement is not empty
  expect(measured.large).toBeGreaterThan(measured.small);
  expect(measured.perDocument).toBeGreaterThan(100);
  expect(measured.perDocument).toBeLessThan(limit);
}, 300_000);
