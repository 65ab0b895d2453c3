import { describe, expect, it } from 'vitest';
import { finishChecksum, internetChecksum, onesSum, pseudoHeaderSum } from '../wire/checksum.ts';
import { LINKTYPE, PcapngWriter } from './pcapng.ts';
import { tsharkAvailable, tsharkDecode } from '../../testing/tshark.ts';

const HAVE_TSHARK = tsharkAvailable();
const CI_ENV = process.env['CI'];
const IN_CI = CI_ENV !== undefined && CI_ENV !== '' && CI_ENV !== '0' && CI_ENV !== 'false';
const SKIP_NOTE = 'SKIPPED: tshark is not installed (apt-get install tshark; set TSHARK=/path to use another)';

/** 10.a.b.c as a 32-bit number. */
const ip4 = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** A hand-built IPv4/UDP packet with correct header and UDP checksums (unless told otherwise). */
function ipv4Udp(
  src: number,
  dst: number,
  sport: number,
  dport: number,
  payload: Uint8Array,
  opts: { ttl?: number; id?: number; corruptUdpChecksum?: boolean } = {},
): Uint8Array {
  const udpLen = 8 + payload.length;
  const b = new Uint8Array(20 + udpLen);
  const v = new DataView(b.buffer);
  v.setUint8(0, 0x45); // version 4, IHL 5
  v.setUint16(2, b.length);
  v.setUint16(4, opts.id ?? 1);
  v.setUint16(6, 0x4000); // DF
  v.setUint8(8, opts.ttl ?? 64);
  v.setUint8(9, 17); // UDP
  v.setUint32(12, src);
  v.setUint32(16, dst);
  v.setUint16(10, internetChecksum(b, 0, 20));
  v.setUint16(20, sport);
  v.setUint16(22, dport);
  v.setUint16(24, udpLen);
  b.set(payload, 28);
  let c = finishChecksum(onesSum(b, 20, udpLen, pseudoHeaderSum(src, dst, 17, udpLen)));
  if (c === 0) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
  if (opts.corruptUdpChecksum) c ^= 0x0101;
  v.setUint16(26, c);
  return b;
}

/** Ethernet II frame carrying IPv4. */
function ethernet(dst: number[], src: number[], ip: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + ip.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  f.set(ip, 14);
  return f;
}

/** PPP frame (protocol field only, as ns-3's point-to-point devices send) carrying IPv4. */
function ppp(ip: Uint8Array): Uint8Array {
  const f = new Uint8Array(2 + ip.length);
  f[0] = 0x00;
  f[1] = 0x21;
  f.set(ip, 2);
  return f;
}

const payload = new TextEncoder().encode('kubewire star-echo '.repeat(6).slice(0, 100));

if (IN_CI && !HAVE_TSHARK) {
  describe('pcapng through tshark', () => {
    it('needs tshark in CI', () => {
      throw new Error('tshark is not installed but CI is set: install it (apt-get install tshark)');
    });
  });
}

if (!HAVE_TSHARK && !IN_CI) console.warn(`pcapng.tshark.test.ts: ${SKIP_NOTE}`);

describe.skipIf(!HAVE_TSHARK)(`pcapng through tshark${HAVE_TSHARK ? '' : ` (${SKIP_NOTE})`}`, () => {
  it('decodes hand-built Ethernet, PPP and raw IPv4 UDP packets cleanly, with ns timestamps', () => {
    const w = new PcapngWriter();
    const eth = w.addInterface({ name: 'h0/eth0', description: 'host 0 uplink', linkType: LINKTYPE.ETHERNET });
    const p2p = w.addInterface({ name: 'router/ppp3', linkType: LINKTYPE.PPP });
    const raw = w.addInterface({ name: 'h1/raw', linkType: LINKTYPE.RAW, snaplen: 65535 });

    const req = ipv4Udp(ip4(10, 1, 0, 1), ip4(10, 1, 8, 1), 49153, 9, payload);
    const echo = ipv4Udp(ip4(10, 1, 8, 1), ip4(10, 1, 0, 1), 9, 49153, payload, { ttl: 63, id: 2 });
    const macA = [0x02, 0, 0, 0, 0, 0x0a];
    const macB = [0x02, 0, 0, 0, 0, 0x0b];

    w.addPacket(eth, 1_000_000_123_456_789, ethernet(macB, macA, req), 'request leaves h0');
    w.addPacket(p2p, 1_000_000_123_467_829, ppp(req));
    w.addPacket(raw, 1_700_000_000_000_000_001n, echo);

    const d = tsharkDecode(w.finish());
    expect(d.stderr).toEqual([]);
    expect(d.malformed).toBe(0);
    expect(d.expertWarnings).toEqual([]);
    expect(d.packets).toHaveLength(3);
    const [a, b, c] = d.packets as [Record<string, string[]>, Record<string, string[]>, Record<string, string[]>];

    expect(a['frame.protocols']).toEqual(['eth:ethertype:ip:udp:data']);
    expect(a['frame.interface_name']).toEqual(['h0/eth0']);
    expect(a['frame.interface_description']).toEqual(['host 0 uplink']);
    expect(a['frame.time_epoch']).toEqual(['1000000.123456789']);
    expect(a['frame.comment']).toEqual(['request leaves h0']);
    expect(a['frame.len']).toEqual(['142']);
    expect(a['eth.src']).toEqual(['02:00:00:00:00:0a']);
    expect(a['ip.src']).toEqual(['10.1.0.1']);
    expect(a['ip.dst']).toEqual(['10.1.8.1']);
    expect(a['ip.checksum.status']).toEqual(['1']); // 1 = good (validation is on)
    expect(a['udp.srcport']).toEqual(['49153']);
    expect(a['udp.dstport']).toEqual(['9']);
    expect(a['udp.checksum.status']).toEqual(['1']);
    expect(a['data.len']).toEqual(['100']);

    expect(b['frame.protocols']).toEqual(['ppp:ip:udp:data']);
    expect(b['frame.interface_name']).toEqual(['router/ppp3']);
    expect(b['frame.interface_id']).toEqual(['1']);
    expect(b['frame.time_epoch']).toEqual(['1000000.123467829']);
    expect(b['frame.len']).toEqual(['130']); // the star-echo frame: 100 + 8 + 20 + 2
    expect(b['ppp.protocol']).toEqual(['0x0021']);
    expect(b['ip.src']).toEqual(['10.1.0.1']);
    expect(b['udp.dstport']).toEqual(['9']);
    expect(b['udp.checksum.status']).toEqual(['1']);

    expect(c['frame.protocols']).toEqual(['raw:ip:udp:data']);
    expect(c['frame.interface_name']).toEqual(['h1/raw']);
    expect(c['frame.time_epoch']).toEqual(['1700000000.000000001']);
    expect(c['ip.src']).toEqual(['10.1.8.1']);
    expect(c['ip.ttl']).toEqual(['63']);
    expect(c['udp.srcport']).toEqual(['9']);
    expect(c['udp.dstport']).toEqual(['49153']);
    expect(c['udp.checksum.status']).toEqual(['1']);
  });

  it('reports a bad checksum and a truncated packet (so the clean result above means something)', () => {
    const w = new PcapngWriter();
    const p2p = w.addInterface({ name: 'p', linkType: LINKTYPE.PPP });
    const bad = ipv4Udp(ip4(10, 1, 0, 1), ip4(10, 1, 8, 1), 49153, 9, payload, { corruptUdpChecksum: true });
    w.addPacket(p2p, 1, ppp(bad));
    w.addPacket(p2p, 2, ppp(bad).subarray(0, 40));
    const d = tsharkDecode(w.finish());
    expect(d.packets).toHaveLength(2);
    expect(d.malformed).toBe(1);
    expect(d.expertWarnings.some((s) => /^Error\/Checksum UDP: Bad checksum/.test(s))).toBe(true);
    expect(d.packets[0]!['udp.checksum.status']).toEqual(['0']);
  });
});
