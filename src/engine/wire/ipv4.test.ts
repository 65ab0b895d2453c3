import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr.ts';
import { hex, parseHex, toHex } from './bytes.ts';
import { internetChecksum } from './checksum.ts';
import {
  checkIpv4,
  emitIpv4,
  fillIpv4Checksum,
  IP_PROTO,
  IPV4,
  IPV4_FLAG,
  ipProtoName,
  ipv4BufferLen,
  ipv4ComputeChecksum,
  ipv4DecrementTtl,
  ipv4DontFrag,
  ipv4Dst,
  ipv4HeaderLen,
  ipv4Proto,
  ipv4RewriteDst,
  ipv4RewriteSrc,
  ipv4Src,
  ipv4TotalLen,
  ipv4Ttl,
  parseIpv4,
  verifyIpv4Checksum,
  writeIpv4Header,
  type Ipv4Repr,
} from './ipv4.ts';
import { DNS_QUERY_EXAMPLE_COM, TCP_SYN_MSS, WIKIPEDIA_IPV4_HEADER } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';

describe('checksum helpers (RFC 1071)', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to 0x2ddf0, folds to 0xddf2; the checksum is its complement.
    expect(internetChecksum(hex('0001 f203 f4f5 f6f7'), 0, 8)).toBe(0x220d);
  });

  it('parses hex text leniently and refuses junk', () => {
    expect(toHex(hex('0x45:00, 00-73'))).toBe('45000073');
    expect(parseHex('abc')).toBeNull();
    expect(parseHex('zz')).toBeNull();
  });
});

describe('ipv4', () => {
  it('verifies the Wikipedia example header checksum 0xb861', () => {
    const h = hex(WIKIPEDIA_IPV4_HEADER);
    expect(verifyIpv4Checksum(h, 0)).toBe(true);
    expect(ipv4ComputeChecksum(h, 0)).toBe(0xb861);
    // The header claims 115 bytes: as a packet it is truncated, as a quoted header it is fine.
    const full = parseIpv4(h);
    expect(full.ok === false && full.error).toBe('truncated');
    const r = must(parseIpv4(h, 0, 20, { quoted: true }));
    expect(r).toMatchObject({ src: ipv4('192.168.0.1'), dst: ipv4('192.168.0.199'), proto: IP_PROTO.UDP, ttl: 64, payloadLen: 95, dontFrag: true });
    h[IPV4.TTL] = 63;
    const bad = parseIpv4(h, 0, 20, { quoted: true });
    expect(bad.ok === false && bad.error).toBe('bad checksum');
    expect(bad.ok === false && bad.detail).toContain('should be 0xb961');
    expect(must(parseIpv4(h, 0, 20, { quoted: true, verifyChecksum: false })).ttl).toBe(63);
  });

  it('reads a real packet by offset without a repr', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    const o = 14;
    expect(checkIpv4(f, o, f.length - o)).toBeNull();
    expect(ipv4HeaderLen(f, o)).toBe(20);
    expect(ipv4TotalLen(f, o)).toBe(57);
    expect(ipv4Src(f, o)).toBe(ipv4('192.168.1.10'));
    expect(ipv4Dst(f, o)).toBe(ipv4('8.8.8.8'));
    expect(ipv4Proto(f, o)).toBe(17);
    expect(ipv4Ttl(f, o)).toBe(64);
    expect(ipv4DontFrag(f, o)).toBe(true);
  });

  it('round-trips real headers byte for byte', () => {
    for (const fx of [DNS_QUERY_EXAMPLE_COM, TCP_SYN_MSS]) {
      const f = hex(fx);
      const r = must(parseIpv4(f, 14));
      const out = poisoned(22);
      expect(emitIpv4(r, out, 1)).toBe(20);
      expect(toHex(out, 1, 20)).toBe(toHex(f, 14, 20));
      expect(out[21]).toBe(0xa5);
    }
  });

  it('round-trips options, fragments and TOS', () => {
    const repr: Ipv4Repr = {
      src: ipv4('10.0.0.1'),
      dst: ipv4('10.0.0.2'),
      proto: 132,
      ttl: 3,
      payloadLen: 8,
      tos: 0xb8,
      ident: 0xabcd,
      dontFrag: false,
      moreFrags: true,
      fragOffset: 1480,
      options: hex('9404 0000'), // Router Alert (RFC 2113)
    };
    const b = new Uint8Array(ipv4BufferLen(repr));
    expect(emitIpv4(repr, b)).toBe(24);
    expect(b[0]).toBe(0x46);
    expect(verifyIpv4Checksum(b, 0)).toBe(true);
    expect(must(parseIpv4(b))).toEqual(repr);
    expect(ipProtoName(132)).toBe('SCTP');
    expect(ipProtoName(200)).toBe('unknown 200');
  });

  it('pads odd-length options to 32 bits', () => {
    const b = poisoned(28);
    const n = emitIpv4({ src: 1, dst: 2, proto: 6, ttl: 64, payloadLen: 0, options: hex('01 01 01 01 01') }, b);
    expect(n).toBe(28);
    expect(toHex(b, 20, 8)).toBe('0101010101000000');
    expect(verifyIpv4Checksum(b, 0)).toBe(true);
  });

  it('writeIpv4Header matches emitIpv4', () => {
    const a = poisoned(20);
    const b = poisoned(20);
    writeIpv4Header(a, 0, ipv4('10.2.1.4'), ipv4('10.96.0.10'), IP_PROTO.UDP, 64, 7, 33, IPV4_FLAG.DF);
    emitIpv4({ src: ipv4('10.2.1.4'), dst: ipv4('10.96.0.10'), proto: IP_PROTO.UDP, ttl: 64, ident: 7, payloadLen: 33, dontFrag: true }, b);
    expect(a).toEqual(b);
  });

  it('patches the checksum incrementally on NAT and TTL decrement (RFC 1624)', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    const o = 14;
    ipv4RewriteDst(f, o, ipv4('10.2.3.4'));
    ipv4RewriteSrc(f, o, ipv4('172.16.0.9'));
    expect(verifyIpv4Checksum(f, o)).toBe(true);
    expect(ipv4DecrementTtl(f, o)).toBe(63);
    expect(verifyIpv4Checksum(f, o)).toBe(true);
    const before = toHex(f, o, 20);
    fillIpv4Checksum(f, o);
    expect(toHex(f, o, 20)).toBe(before);
  });

  it('reports malformed and truncated headers without throwing', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM).slice(14);
    for (let n = 0; n < f.length; n++) {
      const r = parseIpv4(f, 0, n);
      expect(r.ok === false && r.error).toBe('truncated');
    }
    const v6 = f.slice();
    v6[0] = 0x65;
    expect(checkIpv4(v6, 0, v6.length)).toBe('malformed');
    const ihl4 = f.slice();
    ihl4[0] = 0x44;
    expect(checkIpv4(ihl4, 0, ihl4.length)).toBe('malformed');
    const shortTotal = f.slice();
    shortTotal[3] = 10;
    expect(checkIpv4(shortTotal, 0, shortTotal.length, false)).toBe('malformed');
    const ihl15 = f.slice(0, 30);
    ihl15[0] = 0x4f;
    expect(checkIpv4(ihl15, 0, 30)).toBe('truncated');
    expect(parseIpv4(f, 100, 20).ok).toBe(false);
  });
});
