import { isIPv4, isIPv6 } from 'node:net';

/** A parsed, canonical CIDR block (IPv4 or IPv6). */
export interface CidrBlock {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The network address as an unsigned integer. */
  readonly network: bigint;
  /** Prefix length in bits. */
  readonly prefixLength: number;
  /** The canonical text form, e.g. `10.0.0.0/8` or `2001:db8::/32`. */
  readonly text: string;
}

/** Why a text is not a usable CIDR block (thrown by {@link parseCidr}). */
export class CidrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CidrError';
  }
}

/**
 * Parses a CIDR block such as `10.0.0.0/8` or `2001:db8::/32`. The address must be the network
 * address (no host bits set), because Kubernetes would silently widen a block like `10.1.2.3/8`
 * to `10.0.0.0/8`; the error names the network address the author probably meant.
 * @throws CidrError when the text is not a canonical CIDR block
 */
export function parseCidr(text: string): CidrBlock {
  if (typeof text !== 'string') throw new CidrError('must be a string such as 10.0.0.0/8');
  const slash = text.indexOf('/');
  if (slash < 0) throw new CidrError('must have a prefix length, e.g. 203.0.113.7/32 for a single IPv4 address');
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (family === undefined) throw new CidrError(`'${address}' is not an IPv4 or IPv6 address`);
  const bits = family === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    throw new CidrError(`prefix length '${prefixText}' must be a whole number from 0 to ${bits}`);
  }
  const prefixLength = Number(prefixText);
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const network = value & prefixMask(bits, prefixLength);
  const canonical = `${family === 4 ? bigIntToIpv4(network) : bigIntToIpv6(network)}/${prefixLength}`;
  if (network !== value) throw new CidrError(`has host bits set; the network address of this block is ${canonical}`);
  return { family, network, prefixLength, text: canonical };
}

/** Whether `inner` lies strictly inside `outer` (same family, longer prefix, same network bits). */
export function isStrictSubnet(inner: CidrBlock, outer: CidrBlock): boolean {
  if (inner.family !== outer.family || inner.prefixLength <= outer.prefixLength) return false;
  const bits = outer.family === 4 ? 32 : 128;
  return (inner.network & prefixMask(bits, outer.prefixLength)) === outer.network;
}

function prefixMask(bits: number, prefixLength: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefixLength)) - 1n);
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (e.g. ::ffff:10.0.0.0) becomes two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...restGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** RFC 5952 text form: lowercase, longest run of two or more zero groups compressed. */
function bigIntToIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
