import { expect, test } from '@jest/globals';
import { serviceAddressesIn } from '../../src/policy/come-up/service-reference-resolves.js';

const namespaces = new Set(['inference', 'retrieval']);
const parse = (text: string) => serviceAddressesIn(text, namespaces).map((a) => `${a.service}.${a.namespace}:${a.port ?? '?'}${a.explicitPort ? '' : ' (default)'}`);

test('every spelling of the same Service reference resolves to the same Service and port', () => {
  expect(parse('http://bge.inference.svc')).toEqual(['bge.inference:80 (default)']);
  expect(parse('http://bge.inference.svc.cluster.local/embed')).toEqual(['bge.inference:80 (default)']);
  expect(parse('https://bge.inference.svc.cluster.local:8443/x')).toEqual(['bge.inference:8443']);
  expect(parse('bge.inference.svc:8080')).toEqual(['bge.inference:8080']);
  expect(parse('bge.inference:8080')).toEqual(['bge.inference:8080']);
  expect(parse('{"a": "grpc://qdrant.retrieval.svc.cluster.local:6334", "b": "http://bge.inference.svc:8080"}')).toEqual(['qdrant.retrieval:6334', 'bge.inference:8080']);
});

test('external hosts and unknown namespaces are not Service references; a scheme without a default needs a port', () => {
  expect(parse('https://huggingface.co:443/api')).toEqual([]);
  expect(parse('api.example:8080')).toEqual([]);
  expect(parse('tcp://db.retrieval.svc')).toEqual(['db.retrieval:? (default)']);
});
