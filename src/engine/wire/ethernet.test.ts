import { describe, expect, it } from 'vitest';
import { parseMac } from './addr.ts';
import { hex, toHex } from './bytes.ts';
import { emitEthernet, ETH, ETHERTYPE, etherTypeName, ethType, parseEthernet, writeEthernetHeader, isGroupMac } from './ethernet.ts';
import { emitPpp, parsePpp, PPP_PROTO, pppProtoName, pppProtocol } from './ppp.ts';
import { ARP_REQUEST, DNS_QUERY_EXAMPLE_COM } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';

describe('ethernet', () => {
  const frame = hex(DNS_QUERY_EXAMPLE_COM);

  it('parses the header of a real frame', () => {
    const r = must(parseEthernet(frame));
    expect(r).toEqual({ dst: parseMac('02:42:0a:02:01:01'), src: parseMac('02:42:0a:02:01:04'), etherType: ETHERTYPE.IPV4 });
    expect(ethType(frame, 0)).toBe(0x0800);
    expect(etherTypeName(r.etherType)).toBe('IPv4');
  });

  it('emits exactly the header bytes into a poisoned buffer', () => {
    const r = must(parseEthernet(frame));
    const out = poisoned(16);
    expect(emitEthernet(r, out, 1)).toBe(ETH.HEADER_LEN);
    expect(toHex(out, 1, 14)).toBe(toHex(frame, 0, 14));
    expect(out[0]).toBe(0xa5);
    expect(out[15]).toBe(0xa5);
    const out2 = poisoned(14);
    writeEthernetHeader(out2, 0, r.dst, r.src, r.etherType);
    expect(out2).toEqual(frame.subarray(0, 14));
  });

  it('keeps unknown EtherTypes', () => {
    const b = new Uint8Array(14);
    emitEthernet({ dst: 1, src: 2, etherType: 0x88cc }, b);
    expect(must(parseEthernet(b)).etherType).toBe(0x88cc);
    expect(etherTypeName(0x88cc)).toBe('unknown 0x88cc');
    expect(etherTypeName(ETHERTYPE.ARP)).toBe('ARP');
  });

  it('reports truncation instead of throwing', () => {
    for (let n = 0; n < 14; n++) {
      const r = parseEthernet(frame.subarray(0, n));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toBe('truncated');
    }
    expect(parseEthernet(frame, 60, 20).ok).toBe(false);
  });

  it('recognises group addresses', () => {
    const arp = hex(ARP_REQUEST);
    expect(isGroupMac(arp, ETH.DST)).toBe(true);
    expect(isGroupMac(arp, ETH.SRC)).toBe(false);
  });
});

describe('ppp', () => {
  it('writes the 2-byte protocol field as ns-3 does', () => {
    const b = poisoned(3);
    expect(emitPpp({ protocol: PPP_PROTO.IPV4 }, b, 0)).toBe(2);
    expect(toHex(b)).toBe('0021a5');
    expect(pppProtocol(b, 0)).toBe(0x21);
    expect(must(parsePpp(b, 0, 2))).toEqual({ protocol: 0x21, headerLen: 2 });
  });

  it('accepts RFC 1662 address/control and a compressed protocol field', () => {
    expect(must(parsePpp(hex('ff03 0021 45')))).toEqual({ protocol: 0x21, headerLen: 4 });
    expect(must(parsePpp(hex('21 45')))).toEqual({ protocol: 0x21, headerLen: 1 });
    expect(must(parsePpp(hex('ff03 21 45')))).toEqual({ protocol: 0x21, headerLen: 3 });
  });

  it('names unknown protocols and reports truncation', () => {
    expect(pppProtoName(0x0021)).toBe('IPv4');
    expect(pppProtoName(0x8057)).toBe('unknown 0x8057');
    expect(parsePpp(new Uint8Array(0)).ok).toBe(false);
    expect(parsePpp(hex('00')).ok).toBe(false);
    expect(parsePpp(hex('ff03')).ok).toBe(false);
  });
});
