import { describe, expect, it } from 'vitest';
import { buildNatDemo, NAT_DEMO_RULES } from './nat-demo.ts';
import { TraceRecorder, type TraceEvent } from '../trace/recorder.ts';
import { traceHash, tracePcapng } from '../trace/export.ts';
import { LinkLayer } from '../trace/events.ts';
import { formatIpv4, readU16, readU32 } from '../wire/addr.ts';
import { tsharkAvailable, tsharkDecode } from '../../testing/tshark.ts';

function run(seed = 1, rules?: string) {
  const trace = new TraceRecorder();
  const demo = buildNatDemo({ seed, tracer: trace, rules });
  demo.sim.run();
  return { ...demo, trace };
}

/** "a.b.c.d:p > e.f.g.h:q" of a TCP/UDP packet in a trace event. */
function tuple(ev: TraceEvent): string {
  const b = ev.bytes!;
  const ip = ev.link === LinkLayer.Ethernet ? 14 : ev.link === LinkLayer.Ppp ? 2 : 0;
  const l4 = ip + (b[ip]! & 15) * 4;
  return `${formatIpv4(readU32(b, ip + 12))}:${readU16(b, l4)} > ${formatIpv4(readU32(b, ip + 16))}:${readU16(b, l4 + 2)}`;
}

function isTcp(ev: TraceEvent): boolean {
  if (!ev.bytes) return false;
  const ip = ev.link === LinkLayer.Ethernet ? 14 : 0;
  return ev.link === LinkLayer.Ethernet ? readU16(ev.bytes, 12) === 0x0800 && ev.bytes[ip + 9] === 6 : ev.bytes[9] === 6;
}

describe('TCP through a DNAT + MASQUERADE router (iptables-restore rules)', () => {
  const r = run();
  const events = [...r.trace.events()];
  const clientPort = Number(r.log.clientLocal.split(':')[1]);

  it('completes the exchange: handshake, request, response, teardown', () => {
    expect(r.log.error).toBe('');
    expect(r.log.clientPeer).toBe('10.96.0.100:80');
    expect(r.log.response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // The server saw the router's address (MASQUERADE), and says so in its body.
    expect(r.log.serverSawPeer).toBe(`10.0.2.1:${clientPort}`);
    expect(r.log.response).toContain(`you are 10.0.2.1:${clientPort}`);
    expect(r.log.clientClosed).toBe(true);
  });

  it('rewrites exactly these tuples at the router, in Linux order', () => {
    const nat = events.filter((e) => e.kind === 'nat').map((e) => `${e.detail!.hook} ${e.detail!.manip}: ${e.detail!.before} → ${e.detail!.after}`);
    const c = `10.0.1.10:${clientPort}`;
    const m = `10.0.2.1:${clientPort}`;
    // The first packet (SYN): DNAT in PREROUTING, then SNAT in POSTROUTING.
    expect(nat[0]).toBe(`PREROUTING DNAT: ${c} > 10.96.0.100:80 → ${c} > 10.0.2.20:8080`);
    expect(nat[1]).toBe(`POSTROUTING SNAT: ${c} > 10.0.2.20:8080 → ${m} > 10.0.2.20:8080`);
    // The SYN-ACK: SNAT undone on the way in, DNAT undone on the way out.
    expect(nat[2]).toBe(`PREROUTING un-SNAT: 10.0.2.20:8080 > ${m} → 10.0.2.20:8080 > ${c}`);
    expect(nat[3]).toBe(`POSTROUTING un-DNAT: 10.0.2.20:8080 > ${c} → 10.96.0.100:80 > ${c}`);
    // Every later packet is rewritten from conntrack: two rewrites per packet crossing the router.
    const crossing = events.filter((e) => e.kind === 'received' && e.host === 'router' && isTcp(e)).length;
    expect(nat.length).toBe(2 * crossing);
  });

  it('creates one conntrack entry with the NATed reply tuple', () => {
    const ct = events.filter((e) => e.kind === 'conntrack' && e.host === 'router');
    expect(ct).toHaveLength(1);
    expect(ct[0]!.detail!.orig).toBe(`10.0.1.10:${clientPort} > 10.96.0.100:80`);
    expect(ct[0]!.detail!.reply).toBe(`10.0.2.20:8080 > 10.0.2.1:${clientPort}`);
    const list = r.router.conntrackList();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(new RegExp(`^tcp 6 \\d+ TIME_WAIT src=10\\.0\\.1\\.10 dst=10\\.96\\.0\\.100 sport=${clientPort} dport=80 src=10\\.0\\.2\\.20 dst=10\\.0\\.2\\.1 sport=8080 dport=${clientPort} \\[ASSURED\\]`));
  });

  it('names the deciding rule for the DNAT', () => {
    const nf = events.find((e) => e.kind === 'netfilter' && e.detail!.verdict?.startsWith('DNAT'));
    expect(nf?.detail?.rule).toBe('-A DEMO-SVC-WEB -p tcp -m comment --comment "demo/web -> 10.0.2.20:8080" -m tcp -j DNAT --to-destination 10.0.2.20:8080');
    expect(nf?.detail?.chain).toBe('DEMO-SVC-WEB');
  });

  it('delivers every reply to the client from the virtual IP, never from the server', () => {
    const atClient = events.filter((e) => e.kind === 'received' && e.host === 'client' && isTcp(e)).map(tuple);
    expect(atClient.length).toBeGreaterThan(3);
    for (const t of atClient) expect(t).toBe(`10.96.0.100:80 > 10.0.1.10:${clientPort}`);
    const atServer = events.filter((e) => e.kind === 'received' && e.host === 'server' && isTcp(e)).map(tuple);
    for (const t of atServer) expect(t).toBe(`10.0.2.1:${clientPort} > 10.0.2.20:8080`);
  });

  it('resolves next hops by ARP before the first IP packet on each link', () => {
    const arp = events.filter((e) => e.kind === 'l2' && e.detail?.text?.startsWith('ARP'));
    // The server learns the router from the router's request (as Linux does for requests
    // addressed to it), so it never has to ask.
    expect(arp.map((e) => `${e.host}: ${e.detail!.text}`)).toEqual([
      'client: ARP who-has 10.0.1.1 tell 10.0.1.10',
      'router: ARP 10.0.1.1 is-at 02:00:00:00:00:02',
      'router: ARP who-has 10.0.2.20 tell 10.0.2.1',
      'server: ARP 10.0.2.20 is-at 02:00:00:00:00:04',
    ]);
    const firstIp = events.findIndex((e) => e.kind === 'sent' && e.host === 'client' && isTcp(e));
    const firstArp = events.findIndex((e) => e.kind === 'sent' && e.host === 'client');
    expect(firstArp).toBeLessThan(firstIp);
    expect(r.server.neighbors.get(0x0a000201)).toBe(r.router.device('eth1').mac);
  });

  it('is deterministic: same seed, byte-identical trace; another seed, another trace', () => {
    const again = run();
    expect(traceHash(again.trace)).toBe(traceHash(r.trace));
    expect(tracePcapng(again.trace)).toEqual(tracePcapng(r.trace));
    expect(traceHash(run(2).trace)).not.toBe(traceHash(r.trace));
  });

  it('without the DNAT rule the connection times out on the unrouted VIP instead', () => {
    const noDnat = NAT_DEMO_RULES.replace(/^-A DEMO-SVC-WEB .*\n/m, '');
    const r2 = run(1, noDnat);
    expect(r2.log.clientClosed).toBe(false);
    expect(r2.log.response).toBe('');
  });
});

describe.skipIf(!tsharkAvailable() && !process.env.CI)('pcapng of the NAT demo in tshark', () => {
  it('decodes with no malformed packets or warnings, and its fields equal the trace', () => {
    const r = run();
    const frames = [...r.trace.events()].filter((e) => (e.kind === 'sent' || e.kind === 'received') && e.bytes);
    const decoded = tsharkDecode(tracePcapng(r.trace));
    expect(decoded.malformed).toBe(0);
    expect(decoded.expertWarnings).toEqual([]);
    expect(decoded.packets).toHaveLength(frames.length);
    decoded.packets.forEach((p, i) => {
      const ev = frames[i]!;
      expect(p['frame.interface_name']?.[0]).toBe(`${ev.host}:${ev.iface}`);
      if (isTcp(ev)) {
        const [src, dst] = tuple(ev).split(' > ');
        expect(`${p['ip.src']![0]}:${p['tcp.srcport']![0]}`).toBe(src);
        expect(`${p['ip.dst']![0]}:${p['tcp.dstport']![0]}`).toBe(dst);
        expect(p['tcp.checksum.status']?.[0]).toBe('1'); // Wireshark's PROTO_CHECKSUM_E_GOOD
      }
    });
    const http = decoded.packets.filter((p) => p['http.response.code']);
    expect(http.length).toBeGreaterThan(0);
    expect(http[0]!['http.response.code']![0]).toBe('200');
  });
});
