import { createRequire } from 'node:module';
import type { Ajv, KeywordCxt } from 'ajv';
import { tryParseQuantity } from '../core/quantity.js';

const require = createRequire(import.meta.url);

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
export const QUANTITY_KEYWORD_CHECKS = {
  quantityInteger(wanted: boolean, data: unknown): boolean {
    const value = tryParseQuantity(data);
    return !wanted || (value !== undefined && Number.isInteger(value));
  },
  quantityMinimum(limit: string | number, data: unknown): boolean {
    const value = tryParseQuantity(data);
    const bound = tryParseQuantity(limit);
    return value !== undefined && bound !== undefined && value >= bound;
  },
  quantityMaximum(limit: string | number, data: unknown): boolean {
    const value = tryParseQuantity(data);
    const bound = tryParseQuantity(limit);
    return value !== undefined && bound !== undefined && value <= bound;
  },
  requestsWithinLimits(wanted: boolean, data: Record<string, unknown>): boolean {
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
  requestsEqualLimits(pattern: string, data: Record<string, unknown>): boolean {
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
} as const;

/** The name generated code (ahead-of-time compiled policies) reads the checks from. */
export const QUANTITY_KEYWORDS_VARIABLE = 'quantityKeywords';

const KEYWORD_TYPES: Record<keyof typeof QUANTITY_KEYWORD_CHECKS, { schemaType: 'boolean' | 'string' | ('string' | 'number')[]; type?: 'object' }> = {
  quantityInteger: { schemaType: 'boolean' },
  quantityMinimum: { schemaType: ['string', 'number'] },
  quantityMaximum: { schemaType: ['string', 'number'] },
  requestsWithinLimits: { schemaType: 'boolean', type: 'object' },
  requestsEqualLimits: { schemaType: 'string', type: 'object' },
};

/**
 * Adds the quantity keywords to `ajv` as code keywords: the generated validator calls
 * `quantityKeywords.<name>(schemaValue, data)`, so standalone code (lib/policy/compiled) gets the
 * checks passed in when it is loaded, and run-time compiled validators reference the same functions.
 */
export function addQuantityKeywords(ajv: Ajv): void {
  // ajv's codegen helpers, required here (not imported statically): loading ajv is only paid
  // when something compiles at run time, and then ajv is already loaded
  const { _, Name } = require('ajv') as typeof import('ajv');
  const variable = new Name(QUANTITY_KEYWORDS_VARIABLE);
  for (const name of Object.keys(KEYWORD_TYPES) as (keyof typeof QUANTITY_KEYWORD_CHECKS)[]) {
    const check = QUANTITY_KEYWORD_CHECKS[name];
    ajv.addKeyword({
      keyword: name,
      ...KEYWORD_TYPES[name],
      code(cxt: KeywordCxt) {
        const fn = cxt.gen.scopeValue('keyword', { ref: check, code: _`${variable}[${name}]` });
        cxt.pass(_`${fn}(${cxt.schemaCode}, ${cxt.data})`);
      },
    });
  }
}

function asMap(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
