import { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';

const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** Validates a Flux/Go duration such as `10m`, `1h30m`, `90s`. */
export function validateDuration(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !FLUX_DURATION.test(value)) {
    throw new InvalidPropError(scope, prop, value, "must be a duration such as '30s', '10m' or '1h'");
  }
  return value;
}
