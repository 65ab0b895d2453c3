import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr.ts';
import { hex, toHex } from './bytes.ts';
import {
  emitIcmp,
  ICMP_TIME_EXCEEDED,
  ICMP_TYPE,
  ICMP_UNREACH,
  icmpBufferLen,
  icmpCodeName,
  icmpIdent,
  icmpIsError,
  icmpQuoteLen,
  icmpSeq,
  icmpType,
  icmpTypeName,
  parseIcmp,
  verifyIcmpChecksum,
  type IcmpRepr,
} from './icmp.ts';
import { ipv4TotalLen, parseIpv4 } from './ipv4.ts';
import { ICMP_ECHO_REQUEST, ICMP_PORT_UNREACHABLE } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';

const I = 34;

describe('icmp', () => {
  it('parses a real echo request and re-emits it byte for byte', () => {
    const f = hex(ICMP_ECHO_REQUEST);
    const len = f.length - I;
    expect(verifyIcmpChecksum(f, I, len)).toBe(true);
    expect(icmpType(f, I)).toBe(ICMP_TYPE.ECHO_REQUEST);
    expect(icmpIdent(f, I)).toBe(1);
    expect(icmpSeq(f, I)).toBe(1);
    const r = must(parseIcmp(f, I, len));
    expect(r.kind).toBe('echo-request');
    if (r.kind !== 'echo-request') return;
    expect(r.data.length).toBe(56);
    const out = poisoned(len + 1);
    expect(emitIcmp({ ...r, data: r.data.slice() }, out, 0)).toBe(len);
    expect(toHex(out, 0, len)).toBe(toHex(f, I));
    expect(out[len]).toBe(0xa5);
  });

  it('parses a real port unreachable and its quoted datagram', () => {
    const f = hex(ICMP_PORT_UNREACHABLE);
    const r = must(parseIcmp(f, I, f.length - I));
    expect(r).toMatchObject({ kind: 'dest-unreachable', code: ICMP_UNREACH.PORT, mtu: 0 });
    if (r.kind !== 'dest-unreachable') return;
    expect(r.original.length).toBe(28);
    const inner = must(parseIpv4(r.original, 0, r.original.length, { quoted: true }));
    expect(inner).toMatchObject({ src: ipv4('10.2.1.4'), dst: ipv4('10.96.0.10'), proto: 17 });
    const out = new Uint8Array(icmpBufferLen(r));
    emitIcmp(r, out);
    expect(toHex(out)).toBe(toHex(f, I));
  });

  it('quotes the IP header plus 8 bytes (RFC 792)', () => {
    const f = hex(ICMP_ECHO_REQUEST);
    expect(icmpQuoteLen(f, 14, f.length - 14)).toBe(28);
    expect(icmpQuoteLen(f, 14, 10)).toBe(10);
    expect(icmpQuoteLen(f, 14, 0)).toBe(0);
    expect(ipv4TotalLen(f, 14)).toBe(84);
  });

  it('round-trips every kind', () => {
    const original = hex(ICMP_PORT_UNREACHABLE).slice(I + 8);
    const cases: IcmpRepr[] = [
      { kind: 'echo-reply', ident: 0xffff, seq: 0x8000, data: hex('00') },
      { kind: 'dest-unreachable', code: ICMP_UNREACH.FRAG_NEEDED, mtu: 1400, original },
      { kind: 'dest-unreachable', code: ICMP_UNREACH.ADMIN_PROHIBITED, mtu: 0, original },
      { kind: 'time-exceeded', code: ICMP_TIME_EXCEEDED.TTL, original },
      { kind: 'other', type: 13, code: 0, rest: 0x12345678, data: hex('0000 0001') },
      { kind: 'other', type: ICMP_TYPE.ECHO_REQUEST, code: 1, rest: 5, data: new Uint8Array(0) },
      { kind: 'other', type: ICMP_TYPE.TIME_EXCEEDED, code: 0, rest: 1, data: original },
    ];
    for (const c of cases) {
      const b = new Uint8Array(icmpBufferLen(c));
      emitIcmp(c, b);
      expect(verifyIcmpChecksum(b, 0, b.length)).toBe(true);
      expect(must(parseIcmp(b))).toEqual(c);
    }
  });

  it('names types and codes, unknown ones included', () => {
    expect(icmpTypeName(3)).toBe('destination unreachable');
    expect(icmpTypeName(42)).toBe('unknown 42');
    expect(icmpCodeName(3, 3)).toBe('port unreachable');
    expect(icmpCodeName(3, 13)).toBe('communication administratively prohibited');
    expect(icmpCodeName(3, 99)).toBe('unknown 99');
    expect(icmpCodeName(11, 0)).toBe('TTL exceeded in transit');
    expect(icmpIsError(3)).toBe(true);
    expect(icmpIsError(8)).toBe(false);
  });

  it('reports bad checksums and truncation', () => {
    const f = hex(ICMP_ECHO_REQUEST);
    f[f.length - 1] ^= 0xff;
    const r = parseIcmp(f, I, f.length - I);
    expect(r.ok === false && r.error).toBe('bad checksum');
    expect(r.ok === false && r.detail).toContain('should be');
    expect(parseIcmp(f, I, f.length - I, { verifyChecksum: false }).ok).toBe(true);
    for (let n = 0; n < 8; n++) expect(parseIcmp(f, I, n).ok).toBe(false);
  });
});
