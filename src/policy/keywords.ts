import type { Ajv } from 'ajv';
import { tryParseQuantity } from '../core/quantity.js';

/**
 * JSON Schema keywords that policies may use beyond the standard ones (Polaris has similar
 * `resourceMinimum`/`resourceMaximum`). Each one compares Kubernetes quantities, which plain JSON
 * Schema cannot do. Non-quantity values fail the keyword.
 *
 * - `quantityInteger: true` — the value is a quantity with a whole-number value (`1`, `2`, not `0.5` or `500m`).
 * - `quantityMinimum: "<q>"` / `quantityMaximum: "<q>"` — the value is a quantity >= / <= q.
 * - `requestsWithinLimits: true` — on a ResourceRequirements object: every request that has a
 *   limit is <= that limit.
 * - `requestsEqualLimits: "<regex>"` — on a ResourceRequirements object: for every resource
 *   whose name matches, a limit is set, and a request, when set, equals it.
 */
export function addQuantityKeywords(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'quantityInteger',
    schemaType: 'boolean',
    errors: false,
    validate: (wanted: boolean, data: unknown) => {
      const value = tryParseQuantity(data);
      return !wanted || (value !== undefined && Number.isInteger(value));
    },
  });
  for (const [keyword, holds] of [
    ['quantityMinimum', (value: number, bound: number) => value >= bound],
    ['quantityMaximum', (value: number, bound: number) => value <= bound],
  ] as const) {
    ajv.addKeyword({
      keyword,
      schemaType: ['string', 'number'],
      errors: false,
      validate: (limit: string | number, data: unknown) => {
        const value = tryParseQuantity(data);
        const bound = tryParseQuantity(limit);
        return value !== undefined && bound !== undefined && holds(value, bound);
      },
    });
  }
  ajv.addKeyword({
    keyword: 'requestsWithinLimits',
    type: 'object',
    schemaType: 'boolean',
    errors: false,
    validate: (wanted: boolean, data: Record<string, unknown>) => {
      if (!wanted) return true;
      const requests = asMap(data.requests);
      const limits = asMap(data.limits);
      for (const [name, limit] of Object.entries(limits)) {
        if (!(name in requests)) continue;
        const r = tryParseQuantity(requests[name]);
        const l = tryParseQuantity(limit);
        if (r === undefined || l === undefined || r > l) return false;
      }
      return true;
    },
  });
  ajv.addKeyword({
    keyword: 'requestsEqualLimits',
    type: 'object',
    schemaType: 'string',
    errors: false,
    validate: (pattern: string, data: Record<string, unknown>) => {
      const matcher = new RegExp(pattern);
      const requests = asMap(data.requests);
      const limits = asMap(data.limits);
      for (const name of new Set([...Object.keys(requests), ...Object.keys(limits)])) {
        if (!matcher.test(name)) continue;
        if (!(name in limits)) return false;
        if (name in requests && tryParseQuantity(requests[name]) !== tryParseQuantity(limits[name])) return false;
      }
      return true;
    },
  });
}

function asMap(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
