import { IConstruct } from 'constructs';
import { InvalidPropError } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validates a DNS-1123 label (Namespace, Service and most workload names): at most 63 characters. */
export function validateDnsLabel(scope: IConstruct | string, prop: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS1123_LABEL.test(value)) {
    throw new InvalidPropError(scope, prop, value,
      `must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with an alphanumeric, at most ${maxLength} characters`);
  }
  return value;
}

/** Validates a DNS-1123 subdomain (ConfigMap, Secret, PriorityClass names): at most 253 characters. */
export function validateDnsSubdomain(scope: IConstruct | string, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new InvalidPropError(scope, prop, value,
      "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters");
  }
  return value;
}

/** Whether `value` is a DNS-1123 label. */
export function isDnsLabel(value: string): boolean {
  return DNS1123_LABEL.test(value) && value.length <= 63;
}
