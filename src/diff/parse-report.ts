import { TreeLoadError } from './load-tree.js';
import { DiffReport } from './model.js';
import { isRecord } from './paths.js';

const ACTIONS = ['added', 'removed', 'changed'];
const LEVELS = ['high', 'medium', 'low'];

function resourceProblem(value: unknown, where: string): string | undefined {
  if (!isRecord(value)) return `${where} is not an object`;
  for (const key of ['group', 'apiVersion', 'kind', 'namespace', 'name', 'file']) {
    if (typeof value[key] !== 'string') return `${where}.${key} must be a string`;
  }
  return undefined;
}

/**
 * Checks that JSON read from a file (e.g. an artifact of another job, which is untrusted) is a
 * {@link DiffReport}, and returns it.
 * @throws TreeLoadError naming the file and the first bad field
 */
export function parseDiffReport(value: unknown, source: string): DiffReport {
  const fail = (problem: string): never => {
    throw new TreeLoadError(`${source}: not a diff report: ${problem}`);
  };
  if (!isRecord(value)) return fail('not an object');
  const summary = value.summary;
  if (!isRecord(summary) || !ACTIONS.every((a) => Number.isInteger(summary[a]) && (summary[a] as number) >= 0)) fail("'summary' needs non-negative integers added, removed, changed");
  if (!Array.isArray(value.risks)) fail("'risks' must be a list");
  (value.risks as unknown[]).forEach((risk, i) => {
    const where = `risks[${i}]`;
    if (!isRecord(risk)) return fail(`${where} is not an object`);
    if (!LEVELS.includes(risk.level as string)) fail(`${where}.level must be one of ${LEVELS.join(', ')}`);
    if (typeof risk.code !== 'string' || typeof risk.message !== 'string') fail(`${where}.code and .message must be strings`);
    const problem = resourceProblem(risk.resource, `${where}.resource`);
    if (problem) fail(problem);
  });
  if (!Array.isArray(value.changes)) fail("'changes' must be a list");
  (value.changes as unknown[]).forEach((change, i) => {
    const where = `changes[${i}]`;
    if (!isRecord(change)) return fail(`${where} is not an object`);
    if (!ACTIONS.includes(change.action as string)) fail(`${where}.action must be one of ${ACTIONS.join(', ')}`);
    const problem = resourceProblem(change.resource, `${where}.resource`);
    if (problem) fail(problem);
    if (!Array.isArray(change.fields)) return fail(`${where}.fields must be a list`);
    change.fields.forEach((field, j) => {
      if (!isRecord(field) || typeof field.path !== 'string' || !('before' in field) || !('after' in field)) fail(`${where}.fields[${j}] needs path, before and after`);
    });
  });
  return value as unknown as DiffReport;
}
