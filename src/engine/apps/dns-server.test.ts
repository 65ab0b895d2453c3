import { describe, expect, it } from 'vitest';
import { buildStar, rawTcp } from './testing/topology.ts';
import { StaticZone, decideDnsReply, encodeReply, parseIpv6, rdataFromText, startDnsServer, dnsTypeFromName, type DnsServeEvent } from './dns-server.ts';
import type { RecordSource } from './record-source.ts';
import { DNS_OPCODE, DNS_RCODE, DNS_TYPE, encodeDns, parseDns, formatDnsRecord, type DnsMessage, type DnsQuestion } from '../wire/dns.ts';
import { formatIpv6, ipv4, readU16, writeU16 } from '../wire/addr.ts';
import { toHex } from '../wire/bytes.ts';

const ZONE = new StaticZone(
  [
    { name: 'web.cluster.local', type: 'A', ttl: 30, data: '10.96.0.20' },
    { name: 'alias.cluster.local', type: 'CNAME', ttl: 30, data: 'web.cluster.local' },
    { name: 'dangling.cluster.local', type: 'CNAME', ttl: 30, data: 'gone.cluster.local' },
    { name: '_http._tcp.web.cluster.local', type: 'SRV', ttl: 30, data: '0 100 80 web.cluster.local.' },
    { name: 'deep.below.cluster.local', type: 'TXT', ttl: 30, data: '"hello world" "two"' },
    { name: 'cluster.local', type: 'SOA', ttl: 30, data: 'ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30' },
    ...Array.from({ length: 40 }, (_, i) => ({ name: 'many.cluster.local', type: 'A', ttl: 30, data: `10.2.${i >> 4}.${i + 2}` })),
  ],
  { authoritative: true },
);

function q(name: string, type: number, extra: Partial<DnsMessage> = {}): Uint8Array {
  return encodeDns({ id: 0x1234, rd: true, questions: [{ name, type, class: 1 }], answers: [], authority: [], additional: [], ...extra });
}

function decide(bytes: Uint8Array, transport: 'udp' | 'tcp' = 'udp', sources: readonly RecordSource[] = [ZONE], ra = false) {
  return decideDnsReply(bytes, { ip: ipv4('10.0.1.10') }, transport, sources, { recursionAvailable: ra });
}

function reply(bytes: Uint8Array, transport: 'udp' | 'tcp' = 'udp', sources: readonly RecordSource[] = [ZONE], ra = false): DnsMessage {
  const d = decide(bytes, transport, sources, ra);
  if (d.kind !== 'reply') throw new Error(`expected a reply, got ${d.kind}`);
  const enc = encodeReply(d.reply, d.bufSize, transport);
  const p = parseDns(enc.bytes);
  if (!p.ok) throw new Error(p.detail);
  return p.repr;
}

describe('DNS reply header (CoreDNS as cluster-dns.md §5.1 describes)', () => {
  it('echoes ID, opcode and RD; sets QR, AA from the source, RA=0', () => {
    const r = reply(q('web.cluster.local.', DNS_TYPE.A));
    expect([r.id, r.qr, r.opcode, r.aa, r.rd, r.ra, r.tc, r.ad, r.rcode]).toEqual([0x1234, true, 0, true, true, false, false, false, 0]);
    expect(r.answers.map(formatDnsRecord)).toEqual(['web.cluster.local. 30 IN A 10.96.0.20']);
    const noRd = reply(q('web.cluster.local.', DNS_TYPE.A, { rd: false, cd: true }));
    expect([noRd.rd, noRd.cd]).toEqual([false, true]);
    // A recursive resolver sets RA; a non-authoritative source clears AA.
    const nonAuth = new StaticZone([{ name: 'example.com', type: 'A', data: '93.184.215.14' }]);
    const up = reply(q('example.com.', DNS_TYPE.A), 'udp', [nonAuth], true);
    expect([up.aa, up.ra]).toEqual([false, true]);
  });

  it('echoes the question in its original case and spells answer owners the same way', () => {
    const r = reply(q('WeB.ClUsTeR.LoCaL.', DNS_TYPE.A));
    expect(r.questions[0]!.name).toBe('WeB.ClUsTeR.LoCaL.');
    expect(r.answers[0]!.name).toBe('WeB.ClUsTeR.LoCaL.');
    // Records for other names (a CNAME's target) keep their own spelling.
    const c = reply(q('ALIAS.cluster.local.', DNS_TYPE.A));
    expect(c.answers.map(formatDnsRecord)).toEqual(['ALIAS.cluster.local. 30 IN CNAME web.cluster.local.', 'web.cluster.local. 30 IN A 10.96.0.20']);
  });

  it('sends small replies uncompressed: an A answer is query + qname + 14 bytes', () => {
    const query = q('web.cluster.local.', DNS_TYPE.A);
    const d = decide(query);
    if (d.kind !== 'reply') throw new Error('no reply');
    const enc = encodeReply(d.reply, d.bufSize, 'udp');
    expect(enc.compressed).toBe(false);
    expect(enc.bytes.length).toBe(query.length + 19 + 14);
    // No 0xc0 pointer anywhere.
    expect(toHex(enc.bytes)).not.toMatch(/^(..)*c0/);
  });

  it('answers NXDOMAIN and NODATA with the zone SOA in the authority section (negative TTL = min(ttl, minimum))', () => {
    const nx = reply(q('nope.cluster.local.', DNS_TYPE.A));
    expect(nx.rcode).toBe(DNS_RCODE.NXDOMAIN);
    expect(nx.aa).toBe(true);
    expect(nx.authority.map(formatDnsRecord)).toEqual(['cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30']);
    const nodata = reply(q('web.cluster.local.', DNS_TYPE.AAAA));
    expect([nodata.rcode, nodata.answers.length, nodata.authority.length]).toEqual([0, 0, 1]);
    // An empty non-terminal exists: NODATA, not NXDOMAIN.
    expect(reply(q('below.cluster.local.', DNS_TYPE.A)).rcode).toBe(DNS_RCODE.NOERROR);
  });
});

describe('malformed and unsupported queries (miekg/dns acceptance rules)', () => {
  it('drops messages shorter than a header and responses', () => {
    expect(decide(new Uint8Array(5)).kind).toBe('drop');
    const resp = q('web.cluster.local.', DNS_TYPE.A, { qr: true });
    expect(decide(resp).kind).toBe('drop');
  });

  it('answers FORMERR with the header only for bad counts or an unparsable body', () => {
    const two = encodeDns({ id: 7, rd: true, questions: [{ name: 'a.', type: 1, class: 1 }, { name: 'b.', type: 1, class: 1 }], answers: [], authority: [], additional: [] });
    const r = reply(two);
    expect([r.id, r.qr, r.rcode, r.rd, r.questions.length, r.answers.length]).toEqual([7, true, DNS_RCODE.FORMERR, true, 0, 0]);
    const cut = q('web.cluster.local.', DNS_TYPE.A).slice(0, 20);
    expect(reply(cut).rcode).toBe(DNS_RCODE.FORMERR);
    const noQuestion = new Uint8Array(12);
    writeU16(noQuestion, 0, 9);
    expect(reply(noQuestion).rcode).toBe(DNS_RCODE.FORMERR);
  });

  it('answers NOTIMP to opcodes other than QUERY', () => {
    const upd = q('web.cluster.local.', DNS_TYPE.A, { opcode: DNS_OPCODE.UPDATE });
    const r = reply(upd);
    expect([r.rcode, r.opcode, r.qr, r.rd]).toEqual([DNS_RCODE.NOTIMP, DNS_OPCODE.UPDATE, true, false]);
  });
});

describe('EDNS0 (cluster-dns.md §5.3)', () => {
  const opt = (size: number, ttl: number) => ({ name: '.', type: DNS_TYPE.OPT, class: size, ttl, data: { kind: 'OPT' as const, options: new Uint8Array(0) } });

  it('answers OPT with OPT: the client size and DO echoed; no OPT without one', () => {
    const r = reply(q('web.cluster.local.', DNS_TYPE.A, { additional: [opt(1232, 0x8000)] }));
    const o = r.additional.find((x) => x.type === DNS_TYPE.OPT)!;
    expect([o.class, o.ttl]).toEqual([1232, 0x8000]);
    expect(reply(q('web.cluster.local.', DNS_TYPE.A)).additional).toEqual([]);
  });

  it('answers EDNS version 1 with BADVERS', () => {
    const r = reply(q('web.cluster.local.', DNS_TYPE.A, { additional: [opt(1232, 1 << 16)] }));
    const o = r.additional.find((x) => x.type === DNS_TYPE.OPT)!;
    expect([r.rcode, o.ttl >>> 24, r.answers.length]).toEqual([0, 1, 0]);
  });
});

describe('truncation (cluster-dns.md §5.2)', () => {
  it('truncates above 512 bytes without EDNS: compressed, records dropped, TC set', () => {
    const d = decide(q('many.cluster.local.', DNS_TYPE.A));
    if (d.kind !== 'reply') throw new Error('no reply');
    const enc = encodeReply(d.reply, d.bufSize, 'udp');
    expect(enc.truncated).toBe(true);
    expect(enc.bytes.length).toBeLessThanOrEqual(512);
    const m = parseDns(enc.bytes);
    expect(m.ok && m.repr.tc).toBe(true);
    expect(m.ok && m.repr.answers.length).toBeGreaterThan(10);
    expect(m.ok && m.repr.answers.length).toBeLessThan(40);
  });

  it('fits the whole answer with a large EDNS buffer, and always over TCP', () => {
    const opt = { name: '.', type: DNS_TYPE.OPT, class: 4096, ttl: 0, data: { kind: 'OPT' as const, options: new Uint8Array(0) } };
    const big = reply(q('many.cluster.local.', DNS_TYPE.A, { additional: [opt] }));
    expect([big.tc, big.answers.length]).toEqual([false, 40]);
    const tcp = reply(q('many.cluster.local.', DNS_TYPE.A), 'tcp');
    expect([tcp.tc, tcp.answers.length]).toEqual([false, 40]);
  });
});

describe('the server on the wire', () => {
  const DROP_UPSTREAM = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -d 10.0.3.53/32 -p udp -m udp --dport 53 -j DROP
COMMIT
`;
  function world(opts: { upstream?: boolean; upstreamDown?: boolean; silent?: boolean } = {}) {
    const w = buildStar({ client: '10.0.1.10', dns: '10.0.2.53', upstream: '10.0.3.53' }, { routerRules: opts.silent ? DROP_UPSTREAM : undefined });
    const served: DnsServeEvent[] = [];
    // A cluster-DNS-like source: answers cluster.local only.
    const cluster: RecordSource = { lookup: (qq: DnsQuestion, c) => (/cluster\.local\.$/i.test(qq.name) ? ZONE.lookup(qq, c) : null) };
    const server = startDnsServer(w.hosts.dns!, { name: 'kube-system/coredns-0', sources: [cluster], upstream: opts.upstream ? ipv4('10.0.3.53') : null, onServe: (e) => served.push(e) });
    if (opts.upstream && !opts.upstreamDown) {
      startDnsServer(w.hosts.upstream!, { sources: [new StaticZone([{ name: 'example.com', type: 'A', ttl: 3600, data: '93.184.215.14' }])], recursionAvailable: true });
    }
    return { ...w, served, server };
  }

  function udpAsk(w: ReturnType<typeof world>, bytes: Uint8Array): { replies: Uint8Array[]; from: string[]; at: number[] } {
    const replies: Uint8Array[] = [];
    const from: string[] = [];
    const at: number[] = [];
    const c = w.hosts.client!;
    const port = c.bindUdpEphemeral({
      onDatagram(_h, pkt, src, sport, _d, _dp, off, len) {
        replies.push(pkt.buf.slice(off, off + len));
        from.push(`${src}:${sport}`);
        at.push(c.now);
        return false;
      },
    });
    c.sendUdp(0, port, ipv4('10.0.2.53'), 53, bytes.length, (b, o) => b.set(bytes, o));
    w.sim.run();
    return { replies, from, at };
  }

  it('answers over UDP from port 53 and logs who asked', () => {
    const w = world();
    const r = udpAsk(w, q('web.cluster.local.', DNS_TYPE.A));
    expect(r.replies).toHaveLength(1);
    expect(r.from[0]).toBe(`${ipv4('10.0.2.53')}:53`);
    const m = parseDns(r.replies[0]!);
    expect(m.ok && m.repr.answers.map(formatDnsRecord)).toEqual(['web.cluster.local. 30 IN A 10.96.0.20']);
    expect(w.served).toHaveLength(1);
    expect(w.served[0]!.server).toBe('kube-system/coredns-0');
    expect(w.served[0]!.client).toMatch(/^10\.0\.1\.10:\d+$/);
    expect(w.served[0]!.local).toBe('10.0.2.53:53');
    expect([w.served[0]!.rcode, w.served[0]!.answerCount, w.served[0]!.authoritative, w.served[0]!.forwarded]).toEqual([0, 1, true, false]);
  });

  it('serves TCP: length-prefixed messages, several on one connection', () => {
    const w = world();
    const frame = (b: Uint8Array) => {
      const out = new Uint8Array(2 + b.length);
      writeU16(out, 0, b.length);
      out.set(b, 2);
      return out;
    };
    const a = frame(q('web.cluster.local.', DNS_TYPE.A));
    const b = frame(encodeDns({ id: 0x4321, rd: true, questions: [{ name: 'many.cluster.local.', type: DNS_TYPE.A, class: 1 }], answers: [], authority: [], additional: [] }));
    // The first message split across two segments, the second right behind it.
    const t = rawTcp(w.hosts.client!, ipv4('10.0.2.53'), 53, [a.slice(0, 5), new Uint8Array([...a.slice(5), ...b])], { closeAfterNs: 20_000_000 });
    w.sim.run();
    const data = t.data();
    const msgs: DnsMessage[] = [];
    for (let p = 0; p < data.length; ) {
      const len = readU16(data, p);
      const m = parseDns(data.slice(p + 2, p + 2 + len));
      if (m.ok) msgs.push(m.repr);
      p += 2 + len;
    }
    expect(msgs.map((m) => [m.id, m.answers.length, m.tc])).toEqual([[0x1234, 1, false], [0x4321, 40, false]]);
    expect(w.served.map((e) => e.transport)).toEqual(['tcp', 'tcp']);
  });

  it('forwards names no source knows to the upstream and relays its answer with the client ID', () => {
    const w = world({ upstream: true });
    const r = udpAsk(w, q('Example.COM.', DNS_TYPE.A));
    const m = parseDns(r.replies[0]!);
    if (!m.ok) throw new Error(m.detail);
    expect([m.repr.id, m.repr.rcode, m.repr.ra, m.repr.aa]).toEqual([0x1234, 0, true, false]);
    expect(m.repr.questions[0]!.name).toBe('Example.COM.');
    expect(m.repr.answers.map(formatDnsRecord)).toEqual(['Example.COM. 3600 IN A 93.184.215.14']);
    expect(w.served.at(-1)!.forwarded).toBe(true);
    // The upstream's root-SOA NXDOMAIN comes back too.
    const nx = parseDns(udpAsk(w, q('nothing.invalid.', DNS_TYPE.A)).replies[0]!);
    expect(nx.ok && [nx.repr.rcode, nx.repr.authority[0]!.name]).toEqual([DNS_RCODE.NXDOMAIN, '.']);
  });

  it('answers SERVFAIL without an upstream, when the upstream is unreachable, or silent for 5 s', () => {
    const w = world();
    const r = parseDns(udpAsk(w, q('example.com.', DNS_TYPE.A)).replies[0]!);
    expect(r.ok && r.repr.rcode).toBe(DNS_RCODE.SERVFAIL);
    // Upstream host down: the router's ARP gives up after 3 s and sends host unreachable.
    const w2 = world({ upstream: true, upstreamDown: true });
    w2.hosts.upstream!.up = false;
    const r2 = udpAsk(w2, q('example.com.', DNS_TYPE.A));
    const m2 = parseDns(r2.replies[0]!);
    expect(m2.ok && [m2.repr.id, m2.repr.rcode]).toEqual([0x1234, DNS_RCODE.SERVFAIL]);
    expect(r2.at[0]!).toBeGreaterThan(3e9);
    expect(r2.at[0]!).toBeLessThan(3.1e9);
    // Upstream silent (its queries dropped on the way): SERVFAIL at forward's 5 s deadline.
    const w3 = world({ upstream: true, silent: true });
    const r3 = udpAsk(w3, q('example.com.', DNS_TYPE.A));
    const m3 = parseDns(r3.replies[0]!);
    expect(m3.ok && m3.repr.rcode).toBe(DNS_RCODE.SERVFAIL);
    expect(r3.at[0]!).toBeGreaterThan(5e9);
    expect(r3.at[0]!).toBeLessThan(5.001e9);
  });

  it('after stop() UDP queries get ICMP port unreachable', () => {
    const w = world();
    w.server.stop();
    expect(udpAsk(w, q('web.cluster.local.', DNS_TYPE.A)).replies).toEqual([]);
  });
});

describe('StaticZone', () => {
  it('follows CNAMEs inside the zone; a dangling chain ends in NXDOMAIN with the CNAME', () => {
    const a = ZONE.lookup({ name: 'alias.cluster.local.', type: DNS_TYPE.A, class: 1 }, { ip: 0 });
    expect(a.answers.map(formatDnsRecord)).toEqual(['alias.cluster.local. 30 IN CNAME web.cluster.local.', 'web.cluster.local. 30 IN A 10.96.0.20']);
    const d = ZONE.lookup({ name: 'dangling.cluster.local.', type: DNS_TYPE.A, class: 1 }, { ip: 0 });
    expect([d.rcode, d.answers.length]).toEqual([DNS_RCODE.NXDOMAIN, 1]);
    const cn = ZONE.lookup({ name: 'alias.cluster.local.', type: DNS_TYPE.CNAME, class: 1 }, { ip: 0 });
    expect(cn.answers).toHaveLength(1);
  });

  it('uses the root SOA outside any zone it has', () => {
    const z = new StaticZone([{ name: 'example.com', type: 'A', data: '93.184.215.14' }]);
    const nx = z.lookup({ name: 'nope.org.', type: DNS_TYPE.A, class: 1 }, { ip: 0 });
    expect([nx.rcode, nx.authoritative]).toEqual([DNS_RCODE.NXDOMAIN, false]);
    expect(formatDnsRecord(nx.authority[0]!)).toBe('. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400');
    expect(z.lookup({ name: 'EXAMPLE.com.', type: DNS_TYPE.ANY, class: 1 }, { ip: 0 }).answers).toHaveLength(1);
  });

  it('parses record text for the common types', () => {
    expect(formatIpv6(parseIpv6('2001:db8::1')!)).toBe('2001:db8::1');
    expect(formatIpv6(parseIpv6('::ffff:10.0.0.1')!)).toBe(formatIpv6(parseIpv6('::ffff:a00:1')!));
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(rdataFromText(DNS_TYPE.SRV, '0 50 8080 web.default.svc.cluster.local')).toEqual({ kind: 'SRV', priority: 0, weight: 50, port: 8080, target: 'web.default.svc.cluster.local.' });
    expect(rdataFromText(DNS_TYPE.TXT, '"a b" "c\\"d"')).toEqual({ kind: 'TXT', strings: ['a b', 'c"d'] });
    expect(rdataFromText(DNS_TYPE.MX, '10 mail.example.com')).toEqual({ kind: 'raw', bytes: Uint8Array.from([0, 10, 4, 109, 97, 105, 108, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0]) });
    expect(rdataFromText(65, '\\# 2 abcd')).toEqual({ kind: 'raw', bytes: Uint8Array.from([0xab, 0xcd]) });
    expect(() => rdataFromText(DNS_TYPE.A, 'not-an-ip')).toThrow(/IPv4/);
    expect([dnsTypeFromName('aaaa'), dnsTypeFromName('TYPE65'), dnsTypeFromName('HTTPS')]).toEqual([28, 65, 65]);
    expect(() => dnsTypeFromName('BOGUS')).toThrow();
  });
});
