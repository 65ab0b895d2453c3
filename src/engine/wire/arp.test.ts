import { describe, expect, it } from 'vitest';
import { ipv4, parseMac } from './addr.ts';
import { hex, toHex } from './bytes.ts';
import { ARP, ARP_OP, arpOperation, arpOpName, arpSenderIp, arpTargetIp, emitArp, parseArp } from './arp.ts';
import { ARP_REPLY, ARP_REQUEST } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';

describe('arp', () => {
  const req = hex(ARP_REQUEST);
  const rep = hex(ARP_REPLY);

  it('parses a request (RFC 826) at its offset in the frame', () => {
    expect(must(parseArp(req, 14))).toEqual({
      operation: ARP_OP.REQUEST,
      senderMac: parseMac('02:42:0a:02:01:04'),
      senderIp: ipv4('10.2.1.4'),
      targetMac: 0,
      targetIp: ipv4('10.2.1.1'),
    });
    expect(arpOperation(req, 14)).toBe(1);
    expect(arpSenderIp(req, 14)).toBe(ipv4('10.2.1.4'));
    expect(arpTargetIp(req, 14)).toBe(ipv4('10.2.1.1'));
  });

  it('round-trips request and reply byte for byte', () => {
    for (const f of [req, rep]) {
      const r = must(parseArp(f, 14, f.length - 14));
      const out = poisoned(30);
      expect(emitArp(r, out, 1)).toBe(ARP.LEN);
      expect(toHex(out, 1, 28)).toBe(toHex(f, 14, 28));
      expect(out[29]).toBe(0xa5);
    }
    expect(must(parseArp(rep, 14)).operation).toBe(ARP_OP.REPLY);
  });

  it('keeps unknown operations and rejects non-Ethernet/IPv4', () => {
    const b = new Uint8Array(28);
    emitArp({ operation: 9, senderMac: 1, senderIp: 2, targetMac: 3, targetIp: 4 }, b);
    expect(must(parseArp(b)).operation).toBe(9);
    expect(arpOpName(9)).toBe('unknown 9');
    b[1] = 6; // IEEE 802 hardware
    const r = parseArp(b);
    expect(r.ok === false && r.error).toBe('malformed');
  });

  it('reports truncation for every short prefix', () => {
    for (let n = 0; n < 28; n++) {
      const r = parseArp(req.subarray(14, 14 + n));
      expect(r.ok === false && r.error).toBe('truncated');
    }
  });
});
