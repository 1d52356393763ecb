import fc from 'fast-check';
import { CidrError, isStrictSubnet, parseCidr } from '../../src/network/cidr.js';
import { NetworkPeer } from '../../src/network/network-peer.js';

test('canonical IPv4 and IPv6 blocks parse to their canonical text', () => {
  expect(parseCidr('10.0.0.0/8')).toMatchObject({ family: 4, prefixLength: 8, text: '10.0.0.0/8' });
  expect(parseCidr('203.0.113.7/32').text).toBe('203.0.113.7/32');
  expect(parseCidr('0.0.0.0/0').text).toBe('0.0.0.0/0');
  expect(parseCidr('2001:DB8::/32')).toMatchObject({ family: 6, prefixLength: 32, text: '2001:db8::/32' });
  expect(parseCidr('2001:0db8:0000:0000:0000:0000:0000:0000/64').text).toBe('2001:db8::/64');
  expect(parseCidr('::/0').text).toBe('::/0');
  expect(parseCidr('::ffff:10.0.0.0/104').text).toBe('::ffff:a00:0/104');
});

test('bad blocks are rejected with the reason', () => {
  expect(() => parseCidr('10.0.0.1/8')).toThrow(new CidrError('has host bits set; the network address of this block is 10.0.0.0/8'));
  expect(() => parseCidr('2001:db8::1/32')).toThrow(/network address of this block is 2001:db8::\/32/);
  expect(() => parseCidr('10.0.0.0')).toThrow(/must have a prefix length/);
  expect(() => parseCidr('10.0.0.0/33')).toThrow(/prefix length '33' must be a whole number from 0 to 32/);
  expect(() => parseCidr('2001:db8::/129')).toThrow(/from 0 to 128/);
  expect(() => parseCidr('10.0.0.0/08')).toThrow(/prefix length '08'/);
  expect(() => parseCidr('256.0.0.0/8')).toThrow(/'256.0.0.0' is not an IPv4 or IPv6 address/);
  expect(() => parseCidr('huggingface.co/32')).toThrow(/is not an IPv4 or IPv6 address/);
});

test('strict subnets: same family, longer prefix, inside the block', () => {
  expect(isStrictSubnet(parseCidr('10.20.1.0/24'), parseCidr('10.20.0.0/16'))).toBe(true);
  expect(isStrictSubnet(parseCidr('10.20.0.0/16'), parseCidr('10.20.0.0/16'))).toBe(false);
  expect(isStrictSubnet(parseCidr('10.21.0.0/24'), parseCidr('10.20.0.0/16'))).toBe(false);
  expect(isStrictSubnet(parseCidr('2001:db8:1::/48'), parseCidr('2001:db8::/32'))).toBe(true);
  expect(isStrictSubnet(parseCidr('2001:db8::/48'), parseCidr('0.0.0.0/0'))).toBe(false);
});

test('NetworkPeer.cidr reports invalid blocks and excepts with the peer name', () => {
  expect(() => NetworkPeer.cidr('registry', '10.0.0.1/8'))
    .toThrow(/NetworkPeer.cidr\('registry'\): invalid 'cidr' \("10.0.0.1\/8"\): must be a CIDR block such as 10.0.0.0\/8 or 2001:db8::\/32: has host bits set; the network address of this block is 10.0.0.0\/8/);
  expect(() => NetworkPeer.cidr('registry', '10.0.0.0/8', ['11.0.0.0/16']))
    .toThrow(/invalid 'except\[0\]' \("11.0.0.0\/16"\): must be a block strictly inside 10.0.0.0\/8/);
  expect(() => NetworkPeer.cidr('registry', '10.0.0.0/8', ['10.0.0.0/8'])).toThrow(/except\[0\]/);
  expect(() => NetworkPeer.cidr('registry', '10.0.0.0/8', ['10.1.0.0/16', '10.1.0.0/16'])).toThrow(/invalid 'except'.*must not list a block twice/);
  expect(() => NetworkPeer.cidr('registry', '10.0.0.0/8', ['2001:db8::/32'])).toThrow(/strictly inside 10.0.0.0\/8 \(same IP family/);
});

test('every IPv4 address with a prefix round-trips: the network address parses, others name it', () => {
  fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const value = address.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
    const network = (value & mask) >>> 0;
    const text = [24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.');
    expect(parseCidr(`${text}/${prefix}`).text).toBe(`${text}/${prefix}`);
    if (network !== value) expect(() => parseCidr(`${address}/${prefix}`)).toThrow(`network address of this block is ${text}/${prefix}`);
  }));
});
