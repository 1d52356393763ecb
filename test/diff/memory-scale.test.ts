/**
 * Streaming diff memory per base document: the heap (and typed-array bytes) that the base pass of
 * `diffSources` holds (`digestBase`: a key, a 128-bit digest and a file number per object, no
 * tree), after a full garbage collection, at 5,000 and 25,000 documents in a child process
 * (`node --expose-gc`), the difference divided by 20,000. The whole-tree diff held about 820 bytes
 * per object on each side; docs/policies.md has the measured peak at 10^6 documents.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const lib = join(here, '..', '..', 'lib');

/** The most a base document may hold: 200 MB at 10^6 documents (100-136 measured, with the map's growth slack; 240 when the key was a template literal). */
const MAX_BYTES_PER_DOCUMENT = 200;

/**
 * The most a listed change of a spilled report (`diffSourcesSpilled`) may hold: its sort key and
 * file offset (80-97 measured for an added ConfigMap; 700-870 when the report holds the change).
 */
const MAX_BYTES_PER_SPILLED_CHANGE = 200;

interface Retained {
  small: number;
  large: number;
  perDocument: number;
}

/** What `retained-digest-memory.mjs` measures in `mode` at 5k and 25k documents. */
function measure(mode: 'digests' | 'spilled' | 'held', label: string): Retained {
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, 'retained-digest-memory.mjs'), lib, '5000', '25000', mode], { encoding: 'utf8', timeout: 240_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const measured = JSON.parse(result.stdout) as Retained;
  process.stdout.write(`${label}: 5k documents ${(measured.small / 2 ** 20).toFixed(1)} MiB, 25k ${(measured.large / 2 ** 20).toFixed(1)} MiB, ${measured.perDocument.toFixed(0)} bytes per document\n`);
  return measured;
}

test(`a report of added objects spilled to a file holds at most ${MAX_BYTES_PER_SPILLED_CHANGE} bytes per listed change`, () => {
  const spilled = measure('spilled', 'spilled report held');
  const held = measure('held', 'in-memory report held');
  expect(spilled.large).toBeGreaterThan(spilled.small);
  expect(spilled.perDocument).toBeGreaterThan(10);
  expect(spilled.perDocument).toBeLessThan(MAX_BYTES_PER_SPILLED_CHANGE);
  // the in-memory report holds every change's fields: the spill is what keeps 10^6 within 1 GB
  expect(held.perDocument).toBeGreaterThan(3 * spilled.perDocument);
}, 300_000);

test(`the streaming diff holds at most ${MAX_BYTES_PER_DOCUMENT} bytes per base document`, () => {
  const measured = measure('digests', 'diff digests held');
  // more documents hold more: the measurement is not empty
  expect(measured.large).toBeGreaterThan(measured.small);
  expect(measured.perDocument).toBeGreaterThan(20);
  expect(measured.perDocument).toBeLessThan(MAX_BYTES_PER_DOCUMENT);
}, 300_000);
