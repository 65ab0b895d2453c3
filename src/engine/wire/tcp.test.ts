import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr.ts';
import { hex, toHex } from './bytes.ts';
import { ipv4Dst, ipv4Src } from './ipv4.ts';
import {
  checkTcp,
  emitTcp,
  parseTcp,
  TCP_FLAG,
  TCP_OPT,
  tcpAdjustForAddr,
  tcpChecksum,
  tcpFindOption,
  tcpFlags,
  tcpFlagsString,
  tcpHeaderLen,
  tcpMss,
  tcpOptionName,
  tcpOptionsString,
  tcpRewriteDstPort,
  tcpRewriteSrcPort,
  tcpSeq,
  verifyTcpChecksum,
  writeTcpHeader,
  type TcpRepr,
} from './tcp.ts';
import { HTTP_GET, TCP_SYN_MSS } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';

const IP = 14;
const T = 34;

describe('tcp', () => {
  const syn = hex(TCP_SYN_MSS);
  const src = ipv4Src(syn, IP);
  const dst = ipv4Dst(syn, IP);

  it('parses a real Linux SYN with its options', () => {
    expect(verifyTcpChecksum(syn, T, syn.length - T, src, dst)).toBe(true);
    expect(tcpChecksum(syn, T)).toBe(0xa60a);
    const r = must(parseTcp(syn, T, syn.length - T, src, dst));
    expect(r).toMatchObject({ srcPort: 43210, dstPort: 8080, seq: 1000, ack: 0, flags: TCP_FLAG.SYN, window: 64240, urgent: 0 });
    expect(r.options).toEqual([
      { kind: 'mss', mss: 1460 },
      { kind: 'sack-permitted' },
      { kind: 'timestamp', tsval: 2216113472, tsecr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', shift: 7 },
    ]);
    expect(r.payload.length).toBe(0);
    expect(tcpOptionsString(r.options!)).toBe('mss 1460,sackOK,TS val 2216113472 ecr 0,nop,wscale 7');
  });

  it('reads by offset on the hot path', () => {
    expect(tcpHeaderLen(syn, T)).toBe(40);
    expect(tcpFlags(syn, T)).toBe(TCP_FLAG.SYN);
    expect(tcpSeq(syn, T)).toBe(1000);
    expect(tcpMss(syn, T)).toBe(1460);
    expect(tcpFindOption(syn, T, TCP_OPT.WSCALE)).toBe(T + 39 - 2);
    expect(tcpFindOption(syn, T, 30)).toBe(-1);
  });

  it('round-trips a SYN and a data segment byte for byte', () => {
    for (const fx of [TCP_SYN_MSS, HTTP_GET]) {
      const f = hex(fx);
      const s = ipv4Src(f, IP);
      const d = ipv4Dst(f, IP);
      const r = must(parseTcp(f, T, f.length - T, s, d));
      const out = poisoned(f.length - T + 1);
      expect(emitTcp({ ...r, payload: r.payload.slice() }, out, 0, s, d)).toBe(f.length - T);
      expect(toHex(out, 0, f.length - T)).toBe(toHex(f, T));
      expect(out[f.length - T]).toBe(0xa5);
    }
  });

  it('writeTcpHeader builds the same SYN as emitTcp', () => {
    const a = poisoned(24);
    const b = poisoned(24);
    expect(writeTcpHeader(a, 0, 43210, 8080, 1000, 0, TCP_FLAG.SYN, 64240, 0, src, dst, 1460)).toBe(24);
    emitTcp({ srcPort: 43210, dstPort: 8080, seq: 1000, ack: 0, flags: TCP_FLAG.SYN, window: 64240, options: [{ kind: 'mss', mss: 1460 }], payload: new Uint8Array(0) }, b, 0, src, dst);
    expect(a).toEqual(b);
    expect(verifyTcpChecksum(a, 0, 24, src, dst)).toBe(true);
  });

  it('keeps unknown options and odd lengths, padding with EOL', () => {
    const repr: TcpRepr = {
      srcPort: 1,
      dstPort: 2,
      seq: 0xfffffff0,
      ack: 0x80000000,
      flags: TCP_FLAG.ACK | TCP_FLAG.PSH | 0x100,
      window: 1,
      urgent: 7,
      options: [{ kind: 'unknown', type: 30, data: hex('1234 56') }, { kind: 'sack', blocks: [[1, 2]] }, { kind: 'wscale', shift: 14 }],
      payload: hex('68 69'),
    };
    const b = new Uint8Array(60);
    const n = emitTcp(repr, b, 0, 1, 2);
    expect(n).toBe(20 + 20 + 2);
    expect(b[39]).toBe(0);
    expect(must(parseTcp(b, 0, n, 1, 2))).toEqual(repr);
    expect(tcpOptionName(30)).toBe('mptcp');
    expect(tcpOptionName(99)).toBe('unknown 99');
    // A known kind with a wrong length is kept raw, not rejected.
    const odd = new Uint8Array(24);
    emitTcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: 0, window: 0, options: [{ kind: 'unknown', type: 2, data: hex('05') }], payload: new Uint8Array(0) }, odd, 0, 1, 2);
    expect(must(parseTcp(odd, 0, 24, 1, 2)).options).toEqual([{ kind: 'unknown', type: 2, data: hex('05') }]);
    expect(tcpMss(odd, 0)).toBe(-1);
  });

  it('formats flags as tcpdump does', () => {
    expect(tcpFlagsString(TCP_FLAG.SYN)).toBe('S');
    expect(tcpFlagsString(TCP_FLAG.SYN | TCP_FLAG.ACK)).toBe('S.');
    expect(tcpFlagsString(TCP_FLAG.PSH | TCP_FLAG.ACK)).toBe('P.');
    expect(tcpFlagsString(TCP_FLAG.FIN | TCP_FLAG.ACK)).toBe('F.');
    expect(tcpFlagsString(TCP_FLAG.RST)).toBe('R');
    expect(tcpFlagsString(0)).toBe('none');
  });

  it('keeps checksums valid through NAT helpers (RFC 1624)', () => {
    const f = hex(HTTP_GET);
    const s = ipv4Src(f, IP);
    const d = ipv4Dst(f, IP);
    const pod = ipv4('10.2.7.9');
    tcpAdjustForAddr(f, T, d, pod);
    tcpRewriteDstPort(f, T, 80);
    tcpRewriteSrcPort(f, T, 1234);
    expect(verifyTcpChecksum(f, T, f.length - T, s, pod)).toBe(true);
  });

  it('reports bad checksums, malformed options and truncation', () => {
    const f = hex(HTTP_GET);
    const s = ipv4Src(f, IP);
    const d = ipv4Dst(f, IP);
    f[f.length - 3] ^= 0x20;
    const bad = parseTcp(f, T, f.length - T, s, d);
    expect(bad.ok === false && bad.error).toBe('bad checksum');
    const m = syn.slice();
    m[T + 21] = 0; // MSS option length 0
    const r = parseTcp(m, T, m.length - T, src, dst, { verifyChecksum: false });
    expect(r.ok === false && r.error).toBe('malformed');
    m[T + 21] = 40; // runs past the header
    expect(parseTcp(m, T, m.length - T, src, dst, { verifyChecksum: false }).ok).toBe(false);
    const d4 = syn.slice();
    d4[T + 12] = 0x40;
    expect(checkTcp(d4, T, d4.length - T, src, dst)).toBe('malformed');
    for (let n = 0; n < 40; n++) {
      const t = parseTcp(syn, T, n, src, dst);
      expect(t.ok === false && t.error).toBe('truncated');
    }
  });
});
