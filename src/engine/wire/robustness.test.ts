import { describe, expect, it } from 'vitest';
import { parseArp } from './arp.ts';
import { hex } from './bytes.ts';
import { parseDns } from './dns.ts';
import { parseEthernet } from './ethernet.ts';
import { parseHttpRequest, parseHttpResponse } from './http.ts';
import { parseIcmp } from './icmp.ts';
import { parseIpv4 } from './ipv4.ts';
import { parsePpp } from './ppp.ts';
import { parseTcp } from './tcp.ts';
import { parseUdp } from './udp.ts';
import * as FX from './testdata/fixtures.ts';
import { xorshift } from './testdata/util.ts';

/** Every decoder, run at `off` over `len` bytes; returns the error kinds seen. */
function runAll(b: Uint8Array, off: number, len: number): string[] {
  const src = 0x0a020104;
  const dst = 0x0a600c05;
  const results = [
    parseEthernet(b, off, len),
    parsePpp(b, off, len),
    parseArp(b, off, len),
    parseIpv4(b, off, len),
    parseIpv4(b, off, len, { quoted: true }),
    parseIcmp(b, off, len),
    parseUdp(b, off, len, src, dst),
    parseTcp(b, off, len, src, dst),
    parseTcp(b, off, len, src, dst, { verifyChecksum: false }),
    parseDns(b, off, len),
    parseHttpRequest(b, off, len),
    parseHttpResponse(b, off, len, { eof: true }),
  ];
  return results.flatMap((r) => (r.ok ? [] : [r.error]));
}

const KINDS = new Set(['truncated', 'bad checksum', 'malformed', 'incomplete']);

describe('every decoder on hostile input', () => {
  it('never throws on any prefix of any fixture, at any layer offset', () => {
    for (const v of Object.values(FX)) {
      const b = hex(v);
      for (const off of [0, 14, 34, 42, 54]) {
        for (let n = 0; off + n <= b.length; n++) {
          for (const e of runAll(b.subarray(0, off + n), off, n)) expect(KINDS.has(e)).toBe(true);
        }
      }
    }
  });

  it('never throws on corrupted or random bytes, and lengths beyond the buffer', () => {
    const rnd = xorshift(42);
    for (const v of Object.values(FX)) {
      const orig = hex(v);
      for (let i = 0; i < 200; i++) {
        const b = orig.slice();
        for (let j = 0; j < 3; j++) b[rnd() % b.length] = rnd() & 0xff;
        const off = [0, 14, 34, 42][rnd() % 4]!;
        for (const e of runAll(b, off, b.length - off + (rnd() % 3) * 50)) expect(KINDS.has(e)).toBe(true);
      }
    }
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(rnd() % 120);
      for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
      // Bias DNS-looking input toward compression pointers.
      if (b.length > 14 && i % 2) b[12] = 0xc0 | (rnd() & 0x3f);
      for (const e of runAll(b, 0, b.length)) expect(KINDS.has(e)).toBe(true);
    }
  });
});
