/**
 * The DNS name forms Kubernetes validates names against (apimachinery `pkg/util/validation`):
 * `IsDNS1123Label`, `IsDNS1035Label` and `IsDNS1123Subdomain`, lengths included.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An RFC 1123 label: at most 63 characters of a-z, 0-9 and '-', alphanumeric at both ends. */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** An RFC 1035 label: an RFC 1123 label that starts with a letter. */
export function isDns1035Label(name: string): boolean {
  return name.length <= 63 && DNS1035_LABEL.test(name);
}

/** An RFC 1123 subdomain: at most 253 characters, RFC 1123 labels joined by '.'. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}
