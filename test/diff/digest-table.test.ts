import { describe, expect, test } from '@jest/globals';
import { DigestTable, digestOf, Manifest } from '../../src/diff/index.js';

const cm = (name: string, data: Record<string, string> = { k: 'v' }): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('digestOf', () => {
  test('equal manifests have equal digests; any changed value gives another digest', () => {
    expect([...digestOf(cm('a'))]).toEqual([...digestOf(cm('a'))]);
    expect([...digestOf(cm('a'))]).not.toEqual([...digestOf(cm('a', { k: 'w' }))]);
    expect([...digestOf(cm('a'))]).not.toEqual([...digestOf(cm('b'))]);
    expect(digestOf(cm('a'))).toHaveLength(4);
  });
});

describe('DigestTable', () => {
  test('rows keep digest, base file and head file past the first growth; a key is added once', () => {
    const table = new DigestTable();
    for (let i = 0; i < 3000; i++) expect(table.add(`/ConfigMap/ns/c${i}`, digestOf(cm(`c${i}`)), i % 7)).toBe(true);
    expect(table.size).toBe(3000);
    expect(table.add('/ConfigMap/ns/c5', digestOf(cm('other')), 1)).toBe(false);
    const row = table.rowOf('/ConfigMap/ns/c2500') as number;
    expect(table.baseFileOf(row)).toBe(2500 % 7);
    expect(table.hasDigest(row, digestOf(cm('c2500')))).toBe(true);
    expect(table.hasDigest(row, digestOf(cm('c2501')))).toBe(false);
    expect(table.hasDigest(table.rowOf('/ConfigMap/ns/c5') as number, digestOf(cm('c5')))).toBe(true); // the refused add changed nothing
    expect(table.headFileOf(row)).toBe(-1);
    table.meetInHead(row, 42);
    expect(table.headFileOf(row)).toBe(42);
    expect(table.rowOf('/ConfigMap/ns/missing')).toBeUndefined();
    expect([...table.entries()].map(([key]) => key).slice(0, 2)).toEqual(['/ConfigMap/ns/c0', '/ConfigMap/ns/c1']);
  });

  test('changed rows keep the head digest past the growth of both columns; other rows are not changed', () => {
    const table = new DigestTable();
    for (let i = 0; i < 5000; i++) table.add(`/ConfigMap/ns/c${i}`, digestOf(cm(`c${i}`)), 0);
    // every third row changed: 1,667 head digests, past the first 1,024
    for (let row = 0; row < 5000; row += 3) table.markChanged(row, digestOf(cm(`c${row}`, { k: 'head' })));
    expect(table.changedCount).toBe(1667);
    for (const row of [0, 3, 3000, 4998]) {
      expect(table.isChanged(row)).toBe(true);
      expect(table.hasHeadDigest(row, digestOf(cm(`c${row}`, { k: 'head' })))).toBe(true);
      expect(table.hasHeadDigest(row, digestOf(cm(`c${row}`)))).toBe(false);
      expect(table.hasDigest(row, digestOf(cm(`c${row}`)))).toBe(true);
    }
    for (const row of [1, 2, 4999]) {
      expect(table.isChanged(row)).toBe(false);
      expect(table.hasHeadDigest(row, digestOf(cm(`c${row}`)))).toBe(false);
    }
  });
});
