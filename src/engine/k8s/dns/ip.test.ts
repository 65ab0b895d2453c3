import { describe, expect, it } from 'vitest';
import { addressFromReverseName, canonicalIp, parseGoIp, reverseNameOf } from './ip.ts';

describe('parseGoIp (Go net.ParseIP)', () => {
  it('reads IPv4 strictly: no leading zeros', () => {
    expect(canonicalIp('10.96.0.10')).toBe('10.96.0.10');
    expect(parseGoIp('10.96.0.010')).toBeNull();
    expect(parseGoIp('10.96.0')).toBeNull();
    expect(parseGoIp('256.0.0.1')).toBeNull();
  });

  it('reads IPv6, including "::" and a dotted tail, and prints RFC 5952', () => {
    expect(canonicalIp('FD00:10:96:0:0:0:0:50')).toBe('fd00:10:96::50');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('2001:db8::')).toBe('2001:db8::');
    expect(canonicalIp('64:ff9b::1.2.3.4')).toBe('64:ff9b::102:304');
    for (const bad of ['1:2', ':1', '1:::2', '1::2::3', '12345::', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0']) expect(parseGoIp(bad)).toBeNull();
  });

  it('treats IPv4-mapped IPv6 as IPv4 (To4)', () => {
    expect(parseGoIp('::ffff:10.0.0.1')).toEqual({ family: 4, v4: 0x0a000001 });
  });

  it('does not read names as addresses', () => {
    expect(parseGoIp('example.com')).toBeNull();
    expect(parseGoIp('')).toBeNull();
  });
});

describe('reverse names', () => {
  it('round-trips IPv4 and IPv6 addresses', () => {
    for (const ip of ['10.96.0.10', 'fd00:10:96::50', '2001:db8::1']) {
      const name = reverseNameOf(ip)!;
      expect(addressFromReverseName(name)).toBe(ip);
    }
    expect(reverseNameOf('10.96.0.10')).toBe('10.0.96.10.in-addr.arpa.');
  });

  it('gives null for partial names and the zone apexes', () => {
    for (const n of ['in-addr.arpa.', '96.10.in-addr.arpa.', 'ip6.arpa.', '0.1.ip6.arpa.', 'x.1.2.3.in-addr.arpa.', 'example.com.']) {
      expect(addressFromReverseName(n)).toBeNull();
    }
  });
});
