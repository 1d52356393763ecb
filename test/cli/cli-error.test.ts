import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CliInputError, describeError } from '../../src/cli/cli-error.js';

test('a file-system error becomes `path: reason` without the errno prefix', () => {
  let error: unknown;
  try {
    readFileSync('/nonexistent/lambda-gitops.json');
  } catch (e) {
    error = e;
  }
  expect(describeError(error)).toBe('/nonexistent/lambda-gitops.json: no such file or directory');
});

test('a report over the JavaScript string limit is one line saying so (diff --format json on 10^6 documents)', () => {
  let error: unknown;
  try {
    'x'.repeat(2 ** 30).repeat(2);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RangeError);
  expect(describeError(error)).toMatch(/^the output is larger than the longest string JavaScript can build/);
});

test('other errors keep their first line only (a Markdown budget overrun, a construct error)', () => {
  expect(describeError(new Error('markdown body is 70000 characters, over the budget of 60000: the fixed sections alone do not fit\n    at x'))).toBe('markdown body is 70000 characters, over the budget of 60000: the fixed sections alone do not fit');
  expect(describeError(new CliInputError('Prod/App: invalid \'gpus\' (3): must be at most 1', { cause: new Error('x') }))).toBe('Prod/App: invalid \'gpus\' (3): must be at most 1');
});
