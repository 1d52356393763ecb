/** How old a dated price is, and the warning `plan` gives when it is older than the threshold. */

/** Default age in days past which `plan` warns about a price. */
export const DEFAULT_MAX_PRICE_AGE_DAYS = 60;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `readOn` (YYYY-MM-DD, UTC) to `now`; undefined when the date is not a date (e.g. `unknown`). */
export function priceAgeDays(readOn: string, now: Date): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(readOn)) return undefined;
  const at = Date.parse(`${readOn}T00:00:00Z`);
  if (Number.isNaN(at)) return undefined;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.floor((today - at) / DAY_MS);
}

/** "73 days old" / "read today" / "dated 3 days in the future" / "date unknown". */
export function describeAge(age: number | undefined): string {
  if (age === undefined) return 'date unknown';
  if (age === 0) return 'read today';
  if (age < 0) return `dated ${-age} day${age === -1 ? '' : 's'} in the future`;
  return `${age} day${age === 1 ? '' : 's'} old`;
}

/** What to do about an old Lambda price. */
export const LAMBDA_REMEDY = "refresh it with 'lambda-gitops catalog refresh' and 'plan --catalog FILE', or set the pool's price and priceReadOn";
/** What to do about an old cloud comparison price. */
export const CLOUD_REMEDY = 'the comparison is as old as its source (src/capacity/cloud-prices.ts); read it as an indication';

/**
 * The warning for a price older than `maxAgeDays` (or undated, or dated in the future), or
 * undefined when it is fresh enough.
 */
export function priceAgeWarning(what: string, readOn: string, age: number | undefined, maxAgeDays: number, remedy: string = LAMBDA_REMEDY): string | undefined {
  if (age === undefined) return `${what}: the price has no date (${JSON.stringify(readOn)}); ${remedy}`;
  if (age < 0) return `${what}: the price is dated ${readOn}, in the future; check the date`;
  if (age > maxAgeDays) return `${what}: the price is of ${readOn}, ${age} day${age === 1 ? '' : 's'} ago (more than ${maxAgeDays}); prices drift: ${remedy}`;
  return undefined;
}
