import type { IConstruct } from 'constructs';
import { InvalidPropError } from '../core/errors.js';

/**
 * Checks a public DNS hostname for a Gateway listener and its certificate: lowercase RFC 1123
 * labels (at most 63 characters each, 253 in all), at least two labels, no trailing dot. A
 * leading `*.` wildcard is refused unless `allowWildcard`: an ACME HTTP-01 challenge cannot
 * prove a wildcard name (only DNS-01 can).
 * @returns the hostname
 */
export function validateHostname(scope: IConstruct | string, prop: string, value: string, allowWildcard = false): string {
  const what = 'must be a lowercase DNS name with at least two labels, such as \'api.example.com\'';
  if (typeof value !== 'string' || value.length === 0 || value.length > 253) throw new InvalidPropError(scope, prop, value, what);
  const wildcard = value.startsWith('*.');
  if (wildcard && !allowWildcard) {
    throw new InvalidPropError(scope, prop, value, 'must not be a wildcard: cert-manager proves a name with an ACME HTTP-01 challenge, which cannot issue wildcard certificates (use a DNS-01 issuer)');
  }
  const labels = (wildcard ? value.slice(2) : value).split('.');
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  if (labels.length < 2 || !labels.every((l) => label.test(l))) throw new InvalidPropError(scope, prop, value, what);
  if (/^[0-9]+$/.test(labels[labels.length - 1])) throw new InvalidPropError(scope, prop, value, `${what} (an IP address is not a hostname)`);
  return value;
}
