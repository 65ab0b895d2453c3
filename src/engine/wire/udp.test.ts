import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr.ts';
import { hex, toHex } from './bytes.ts';
import { ipv4Dst, ipv4RewriteDst, ipv4Src, verifyIpv4Checksum } from './ipv4.ts';
import { DNS_QUERY_EXAMPLE_COM, DNS_RESPONSE_EXAMPLE_COM } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';
import {
  checkUdp,
  emitUdp,
  parseUdp,
  udpAdjustForAddr,
  udpChecksum,
  udpComputeChecksum,
  udpDstPort,
  udpLength,
  udpRewriteDstPort,
  udpRewriteSrcPort,
  udpSrcPort,
  verifyUdpChecksum,
  writeUdpHeader,
} from './udp.ts';

const IP = 14;
const U = 34;

describe('udp', () => {
  it('verifies the pseudo-header checksum of real datagrams', () => {
    for (const fx of [DNS_QUERY_EXAMPLE_COM, DNS_RESPONSE_EXAMPLE_COM]) {
      const f = hex(fx);
      const len = f.length - U;
      expect(verifyUdpChecksum(f, U, len, ipv4Src(f, IP), ipv4Dst(f, IP))).toBe(true);
      expect(udpComputeChecksum(f, U, len, ipv4Src(f, IP), ipv4Dst(f, IP))).toBe(udpChecksum(f, U));
    }
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    expect(udpChecksum(f, U)).toBe(0x7bf1);
    expect(udpSrcPort(f, U)).toBe(51234);
    expect(udpDstPort(f, U)).toBe(53);
    expect(udpLength(f, U)).toBe(37);
  });

  it('parses and emits a real datagram byte for byte', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    const src = ipv4Src(f, IP);
    const dst = ipv4Dst(f, IP);
    const r = must(parseUdp(f, U, f.length - U, src, dst));
    expect(r.srcPort).toBe(51234);
    expect(r.payload.length).toBe(29);
    const out = poisoned(f.length - U + 1);
    expect(emitUdp({ ...r, payload: r.payload.slice() }, out, 0, src, dst)).toBe(37);
    expect(toHex(out, 0, 37)).toBe(toHex(f, U));
    expect(out[37]).toBe(0xa5);
  });

  it('emits in place without copying when the payload already sits after the header', () => {
    const b = new Uint8Array(12);
    b.set([1, 2, 3, 4], 8);
    const n = emitUdp({ srcPort: 1, dstPort: 2, payload: b.subarray(8) }, b, 0, 1, 2);
    expect(n).toBe(12);
    expect(toHex(b, 8)).toBe('01020304');
    expect(verifyUdpChecksum(b, 0, 12, 1, 2)).toBe(true);
  });

  it('accepts a zero checksum as "none" and never emits zero (RFC 768)', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    f[U + 6] = 0;
    f[U + 7] = 0;
    expect(parseUdp(f, U, f.length - U, ipv4Src(f, IP), ipv4Dst(f, IP)).ok).toBe(true);
    // A payload word equal to the checksum of the zero payload makes the sum all ones.
    const b = new Uint8Array(10);
    writeUdpHeader(b, 0, 1000, 2000, 2, 0x0a000001, 0x0a000002);
    const c = udpChecksum(b, 0);
    b[8] = c >>> 8;
    b[9] = c & 255;
    expect(udpComputeChecksum(b, 0, 10, 0x0a000001, 0x0a000002)).toBe(0xffff);
    writeUdpHeader(b, 0, 1000, 2000, 2, 0x0a000001, 0x0a000002);
    expect(udpChecksum(b, 0)).toBe(0xffff);
    expect(verifyUdpChecksum(b, 0, 10, 0x0a000001, 0x0a000002)).toBe(true);
  });

  it('detects a bad checksum and says what it should be', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    f[f.length - 1] ^= 1;
    const r = parseUdp(f, U, f.length - U, ipv4Src(f, IP), ipv4Dst(f, IP));
    expect(r.ok === false && r.error).toBe('bad checksum');
    expect(r.ok === false && r.detail).toMatch(/UDP checksum 0x7bf1, should be 0x[0-9a-f]{4}/);
    expect(parseUdp(f, U, f.length - U, ipv4Src(f, IP), ipv4Dst(f, IP), { verifyChecksum: false }).ok).toBe(true);
  });

  it('keeps checksums valid through DNAT helpers (RFC 1624)', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    const oldDst = ipv4Dst(f, IP);
    const newDst = ipv4('10.2.5.9');
    ipv4RewriteDst(f, IP, newDst);
    udpAdjustForAddr(f, U, oldDst, newDst);
    udpRewriteDstPort(f, U, 5353);
    udpRewriteSrcPort(f, U, 40000);
    expect(verifyIpv4Checksum(f, IP)).toBe(true);
    expect(verifyUdpChecksum(f, U, 37, ipv4Src(f, IP), newDst)).toBe(true);
    expect(checkUdp(f, U, 37, ipv4Src(f, IP), newDst)).toBeNull();
    // No checksum stays no checksum.
    f[U + 6] = 0;
    f[U + 7] = 0;
    udpRewriteDstPort(f, U, 53);
    expect(udpChecksum(f, U)).toBe(0);
  });

  it('reports truncated and malformed datagrams', () => {
    const f = hex(DNS_QUERY_EXAMPLE_COM);
    const src = ipv4Src(f, IP);
    const dst = ipv4Dst(f, IP);
    for (let n = 0; n < 37; n++) {
      const r = parseUdp(f, U, n, src, dst);
      expect(r.ok === false && r.error).toBe('truncated');
    }
    f[U + 5] = 4;
    const r = parseUdp(f, U, 37, src, dst);
    expect(r.ok === false && r.error).toBe('malformed');
  });
});
