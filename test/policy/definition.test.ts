// loadPolicySet reads each folder's policy.yaml (or .yml, or .json) with one open per folder.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICIES_DIR, loadPolicySet, PolicyDefinitionError } from '../../src/policy/definition.js';

describe('loadPolicySet: the policy file of a folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'policy-set-'));
    cpSync(join(DEFAULT_POLICIES_DIR, 'image-tag'), join(dir, 'image-tag'), { recursive: true });
    cpSync(join(DEFAULT_POLICIES_DIR, '_lib'), join(dir, '_lib'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('policy.yaml, else policy.yml, is read', () => {
    expect(loadPolicySet(dir).policies.map((p) => [p.definition.id, p.file])).toEqual([['image-tag', join(dir, 'image-tag', 'policy.yaml')]]);
    renameSync(join(dir, 'image-tag', 'policy.yaml'), join(dir, 'image-tag', 'policy.yml'));
    expect(loadPolicySet(dir).policies.map((p) => [p.definition.id, p.file])).toEqual([['image-tag', join(dir, 'image-tag', 'policy.yml')]]);
  });

  test('a folder without a policy file is an error naming the folder', () => {
    mkdirSync(join(dir, 'empty-rule'));
    expect(() => loadPolicySet(dir)).toThrow(PolicyDefinitionError);
    expect(() => loadPolicySet(dir)).toThrow(`${join(dir, 'empty-rule')}: no policy.yaml in the policy folder`);
  });

  test('an unreadable policy.yaml (a directory) is an error naming the file, not skipped', () => {
    rmSync(join(dir, 'image-tag', 'policy.yaml'));
    mkdirSync(join(dir, 'image-tag', 'policy.yaml'));
    expect(() => loadPolicySet(dir)).toThrow(new RegExp(`^${join(dir, 'image-tag', 'policy.yaml')}: EISDIR`));
  });
});
