import { parseEscPath, validateEscPath, validateSecretKey } from '../../src/secrets/esc-path.js';

test('Pulumi property paths split into segments', () => {
  expect(parseEscPath('huggingface.token')).toEqual(['huggingface', 'token']);
  expect(parseEscPath('db["connection string"]')).toEqual(['db', 'connection string']);
  expect(parseEscPath('["key with a ."][100]')).toEqual(['key with a .', 100]);
  expect(parseEscPath('keys[0].value')).toEqual(['keys', 0, 'value']);
  expect(parseEscPath('a["quote \\" inside"]')).toEqual(['a', 'quote " inside']);
  expect(parseEscPath('portkey-gateway.api_key')).toEqual(['portkey-gateway', 'api_key']);
});

test.each([
  ['', /non-empty/],
  ['.token', /unexpected '\.' at offset 0/],
  ['hf..token', /unexpected '\.' at offset 3/],
  ['hf.', /must not end with '\.'/],
  ['hf token', /expected '\.' or '\[' at offset 2, found ' '/],
  ['hf.to ken', /found ' '/],
  ['hf. token', /unexpected ' ' at offset 3; names are letters/],
  ['hf[token]', /must start an index like \[0\] or a quoted key/],
  ['hf["token"', /not closed/],
  ['hf[""]', /is empty/],
  ['hf[01]', /must start an index/],
  ['hf[0]token', /expected '\.' or '\[' at offset 5/],
])('invalid path %j is rejected', (path, reason) => {
  expect(() => parseEscPath(path)).toThrow(reason);
  expect(() => validateEscPath('apps/inference/hf', 'data.HF_TOKEN', path))
    .toThrow(/apps\/inference\/hf: invalid 'data.HF_TOKEN' .*: must be a Pulumi ESC property path under the environment's values/);
});

test('Secret keys follow the Kubernetes charset', () => {
  for (const key of ['HF_TOKEN', 'hf-token', 'tls.crt', 'a']) expect(validateSecretKey('x', 'key', key)).toBe(key);
  for (const key of ['', '.', '..', 'hf token', 'hf/token', 'x'.repeat(254)]) {
    expect(() => validateSecretKey('x', 'key', key)).toThrow(/invalid 'key' .*: must be a Secret key: letters, digits, '-', '_' and '.'/);
  }
});
