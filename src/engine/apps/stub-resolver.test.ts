import { describe, expect, it } from 'vitest';
import { buildStar } from './testing/topology.ts';
import { StaticZone, decideDnsReply, encodeReply, startDnsServer, type DnsServeEvent } from './dns-server.ts';
import type { RecordSource } from './record-source.ts';
import { formatResolvConf, parseResolvConf, resolve, type ResolveKind, type ResolveResult, type ResolvConf } from './stub-resolver.ts';
import { DNS_RCODE, DNS_TYPE, dnsTypeName, parseDns } from '../wire/dns.ts';
import { formatIpv4, ipv4, readU16 } from '../wire/addr.ts';
import { toHex } from '../wire/bytes.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import type { Netfilter } from '../dataplane/netfilter/netfilter.ts';

const DNS1 = '10.0.2.53';
const DNS2 = '10.0.3.53';
const DNS3 = '10.0.4.53';

const ZONE = new StaticZone(
  [
    { name: 'backend.default.svc.cluster.local', type: 'A', ttl: 30, data: '10.96.0.20' },
    { name: 'web.cluster.local', type: 'A', ttl: 30, data: '10.96.0.30' },
    { name: 'v6only.default.svc.cluster.local', type: 'AAAA', ttl: 30, data: 'fd00::1' },
    { name: 'example.com', type: 'A', ttl: 300, data: '93.184.215.14' },
    { name: 'a.b.c.d.e.f', type: 'A', ttl: 300, data: '192.0.2.6' },
    { name: 'cluster.local', type: 'SOA', ttl: 30, data: 'ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30' },
    ...Array.from({ length: 40 }, (_, i) => ({ name: 'many.cluster.local', type: 'A', ttl: 30, data: `10.2.0.${i + 2}` })),
  ],
  { authoritative: true },
);

const POD_CONF: ResolvConf = { nameservers: [ipv4(DNS1)], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };

const FILTER = (rules: string) => `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
${rules}COMMIT
`;

function world(opts: { rules?: string; sources?: readonly RecordSource[]; servers?: readonly string[]; tracer?: TraceRecorder } = {}) {
  const w = buildStar({ client: '10.0.1.10', dns: DNS1, dns2: DNS2, dns3: DNS3 }, { routerRules: FILTER(opts.rules ?? ''), tracer: opts.tracer });
  const served: DnsServeEvent[] = [];
  for (const name of opts.servers ?? ['dns']) startDnsServer(w.hosts[name]!, { sources: opts.sources ?? [ZONE], onServe: (e) => served.push(e) });
  return { ...w, client: w.hosts.client!, served };
}

function run(w: ReturnType<typeof world>, conf: ResolvConf, name: string, kind: ResolveKind = 'getaddrinfo', hosts?: ReadonlyMap<string, readonly number[]>): ResolveResult {
  let out: ResolveResult | null = null;
  resolve(w.client, conf, name, kind, (r) => (out = r), { hosts, flow: 7 });
  w.sim.run();
  if (!out) throw new Error('resolver never called back');
  return out;
}

const seq = (r: ResolveResult) => r.queries.map((q) => `${q.name} ${dnsTypeName(q.type)}`);
const sentAt = (r: ResolveResult) => r.log.filter((e) => e.event === 'query').map((e) => e.time);

describe('resolv.conf', () => {
  it('parses what kubelet writes and formats it back the same way', () => {
    const text = 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';
    const c = parseResolvConf(text);
    expect(c).toEqual({ nameservers: [ipv4('10.96.0.10')], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5, timeout: 5, attempts: 2, options: [] });
    expect(formatResolvConf(c)).toBe(text);
  });

  it('follows glibc: last search/domain wins, 3 nameservers, capped options, comments', () => {
    const c = parseResolvConf(
      ['# comment', 'domain corp.example', 'search a.example b.example. ; trailing', 'nameserver 10.0.0.1', 'nameserver 10.0.0.2', 'nameserver fd00::1', 'nameserver 10.0.0.3', 'nameserver 10.0.0.4', 'options ndots:20 timeout:60 attempts:9 edns0 rotate', 'options single-request'].join('\n'),
    );
    expect(c.search).toEqual(['a.example', 'b.example']);
    expect(c.nameservers.map(formatIpv4)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect([c.ndots, c.timeout, c.attempts]).toEqual([15, 30, 5]);
    expect(c.options).toEqual(['edns0', 'rotate', 'single-request']);
    expect(formatResolvConf({ nameservers: [ipv4('10.96.0.10')], search: [], ndots: 2, options: ['edns0'] })).toBe('nameserver 10.96.0.10\noptions ndots:2 edns0\n');
  });
});

describe('the glibc search walk (cluster-dns.md §7.2)', () => {
  it('curl http://backend from a pod: first candidate, A and AAAA on one socket, exact bytes (§7.4)', () => {
    const trace = new TraceRecorder();
    const w = world({ tracer: trace });
    const r = run(w, POD_CONF, 'backend');
    expect(r.ok).toBe(true);
    expect(seq(r)).toEqual(['backend.default.svc.cluster.local. A', 'backend.default.svc.cluster.local. AAAA']);
    expect(r.answeredName).toBe('backend.default.svc.cluster.local.');
    expect(r.addresses.map(formatIpv4)).toEqual(['10.96.0.20']);
    const [qa, qaaaa] = r.log.filter((e) => e.event === 'query');
    expect(qa!.localPort).toBe(qaaaa!.localPort);
    expect(qa!.id).not.toBe(qaaaa!.id);
    expect(qa!.time).toBe(qaaaa!.time);
    // On the wire: 51-byte queries with flags 0x0100, and replies of 100 (A) and 144 (NODATA + SOA) bytes.
    const udp = [...trace.events()].filter((e) => e.kind === 'sent' && e.bytes && e.bytes[14 + 9] === 17);
    const payload = (b: Uint8Array) => b.slice(14 + 20 + 8);
    const fromClient = udp.filter((e) => e.host === 'client').map((e) => payload(e.bytes!));
    expect(fromClient).toHaveLength(2);
    expect(toHex(fromClient[0]!).slice(4)).toBe('01000001000000000000076261636b656e640764656661756c740373766307636c7573746572056c6f63616c0000010001');
    expect(fromClient[1]!.length).toBe(51);
    const fromServer = udp.filter((e) => e.host === 'dns').map((e) => payload(e.bytes!));
    expect(fromServer.map((b) => [readU16(b, 2).toString(16), b.length])).toEqual([['8500', 100], ['8500', 144]]);
    // Query and answer notes are in the trace.
    const notes = [...trace.events()].filter((e) => e.kind === 'app' && e.host === 'client').map((e) => e.detail!.text!);
    expect(notes.some((t) => t.startsWith('resolver: A? backend.default.svc.cluster.local.'))).toBe(true);
    expect(notes.some((t) => /answer id 0x[0-9a-f]{4} NOERROR A backend\.default\.svc\.cluster\.local\.: A 10\.96\.0\.20/.test(t))).toBe(true);
  });

  it('walks every search domain in order, then stops at the first candidate with an answer', () => {
    const w = world();
    const r = run(w, POD_CONF, 'web');
    expect(seq(r)).toEqual([
      'web.default.svc.cluster.local. A',
      'web.default.svc.cluster.local. AAAA',
      'web.svc.cluster.local. A',
      'web.svc.cluster.local. AAAA',
      'web.cluster.local. A',
      'web.cluster.local. AAAA',
    ]);
    expect(r.candidates.map((c) => `${c.name} ${c.status}`)).toEqual(['web.default.svc.cluster.local. nxdomain', 'web.svc.cluster.local. nxdomain', 'web.cluster.local. ok']);
    expect(r.answeredName).toBe('web.cluster.local.');
    expect(r.addresses.map(formatIpv4)).toEqual(['10.96.0.30']);
    // The AAAA of the deciding candidate was NODATA; the walk still ended there.
    expect(r.replies.map((m) => [dnsTypeName(m.questions[0]!.type), m.rcode, m.answers.length])).toEqual([['A', 0, 1], ['AAAA', 0, 0]]);
    // Each candidate from a fresh socket (glibc closes it after every res_send).
    const ports = r.log.filter((e) => e.event === 'query').map((e) => e.localPort);
    expect(ports[0]).toBe(ports[1]);
    expect(new Set([ports[0], ports[2], ports[4]]).size).toBe(3);
    expect(w.served).toHaveLength(6);
  });

  it('an external name costs three NXDOMAIN pairs before the name as written', () => {
    const w = world();
    const r = run(w, POD_CONF, 'example.com');
    expect(seq(r).filter((_, i) => i % 2 === 0)).toEqual(['example.com.default.svc.cluster.local. A', 'example.com.svc.cluster.local. A', 'example.com.cluster.local. A', 'example.com. A']);
    expect(r.addresses.map(formatIpv4)).toEqual(['93.184.215.14']);
  });

  it('a name with ndots dots is tried as written first; success ends it', () => {
    const w = world();
    const r = run(w, POD_CONF, 'a.b.c.d.e.f');
    expect(seq(r)).toEqual(['a.b.c.d.e.f. A', 'a.b.c.d.e.f. AAAA']);
    // Not found as written: then the search list, and never the as-is name again.
    const r2 = run(world(), POD_CONF, 'x.b.c.d.e.f');
    expect(seq(r2).filter((_, i) => i % 2 === 0)).toEqual(['x.b.c.d.e.f. A', 'x.b.c.d.e.f.default.svc.cluster.local. A', 'x.b.c.d.e.f.svc.cluster.local. A', 'x.b.c.d.e.f.cluster.local. A']);
    expect([r2.ok, r2.status, r2.rcode]).toEqual([false, 'nxdomain', DNS_RCODE.NXDOMAIN]);
  });

  it('an absolute name (trailing dot) is sent as written, and only that', () => {
    const w = world();
    const r = run(w, POD_CONF, 'web.cluster.local.');
    expect(seq(r)).toEqual(['web.cluster.local. A', 'web.cluster.local. AAAA']);
    const miss = run(world(), POD_CONF, 'web.');
    expect(seq(miss)).toEqual(['web. A', 'web. AAAA']);
    expect(miss.status).toBe('nxdomain');
  });

  it('keeps the case as written', () => {
    const w = world();
    const r = run(w, POD_CONF, 'BackEnd');
    expect(r.queries[0]!.name).toBe('BackEnd.default.svc.cluster.local.');
    expect(r.ok).toBe(true);
    expect(w.served[0]!.question!.name).toBe('BackEnd.default.svc.cluster.local.');
  });

  it('an AAAA-only answer is an answer for getaddrinfo (no IPv4 address though)', () => {
    const r = run(world(), POD_CONF, 'v6only');
    expect([r.ok, r.answeredName, r.addresses.length, r.answers.length]).toEqual([true, 'v6only.default.svc.cluster.local.', 0, 1]);
  });

  it('res_search for one type: NODATA is remembered and reported when nothing answers', () => {
    const w = world();
    const r = run(w, POD_CONF, 'web', DNS_TYPE.TXT);
    expect(seq(r)).toEqual(['web.default.svc.cluster.local. TXT', 'web.svc.cluster.local. TXT', 'web.cluster.local. TXT', 'web. TXT']);
    expect([r.ok, r.status, r.rcode]).toEqual([false, 'nodata', 0]);
    expect(r.candidates.map((c) => c.status)).toEqual(['nxdomain', 'nxdomain', 'nodata', 'nxdomain']);
  });

  it('SERVFAIL: glibc asks again (next attempt at once), then moves to the next candidate', () => {
    const broken: RecordSource = { lookup: (q) => (/^x\.a\.test\.$/i.test(q.name) ? { rcode: DNS_RCODE.SERVFAIL, authoritative: false, answers: [], authority: [], additional: [] } : null) };
    const zone = new StaticZone([{ name: 'x.b.test', type: 'A', data: '192.0.2.1' }], { authoritative: true });
    const w = world({ sources: [broken, zone] });
    const r = run(w, { nameservers: [ipv4(DNS1)], search: ['a.test', 'b.test'], ndots: 5 }, 'x');
    expect(seq(r)).toEqual(['x.a.test. A', 'x.a.test. AAAA', 'x.a.test. A', 'x.a.test. AAAA', 'x.b.test. A', 'x.b.test. AAAA']);
    expect(r.candidates.map((c) => c.status)).toEqual(['servfail', 'ok']);
    expect(sentAt(r)[2]! - sentAt(r)[0]!).toBeLessThan(1e6); // no waiting
  });

  it('answers from the hosts file without any query', () => {
    const w = world();
    const r = run(w, POD_CONF, 'localhost', 'getaddrinfo', new Map([['localhost', [ipv4('127.0.0.1')]]]));
    expect([r.ok, r.fromHosts, r.queries.length]).toEqual([true, true, 0]);
    expect(r.addresses.map(formatIpv4)).toEqual(['127.0.0.1']);
  });

  it('options: edns0 adds an OPT (1200 bytes), trust-ad sets AD, no-aaaa drops the AAAA query', () => {
    const trace = new TraceRecorder();
    const w = world({ tracer: trace });
    const r = run(w, { ...POD_CONF, options: ['edns0', 'trust-ad', 'no-aaaa'] }, 'backend');
    expect(seq(r)).toEqual(['backend.default.svc.cluster.local. A']);
    const q = [...trace.events()].find((e) => e.kind === 'sent' && e.host === 'client' && e.bytes && e.bytes[14 + 9] === 17)!;
    const m = parseDns(q.bytes!.slice(42));
    expect(m.ok && [m.repr.rd, m.repr.ad, m.repr.additional.length, m.repr.additional[0]!.class]).toEqual([true, true, 1, 1200]);
    expect(r.replies[0]!.additional.some((x) => x.type === DNS_TYPE.OPT)).toBe(true);
  });
});

describe('glibc retransmission (res_send)', () => {
  it('a lost reply: the same queries (same IDs, same port) again after timeout seconds', () => {
    const w = world({ rules: '-A FORWARD -s 10.0.2.53/32 -p udp -m udp --sport 53 -j DROP\n' });
    // Replies are dropped for the first 4 s only.
    w.sim.after(4e9, () => (w.router.netfilter as Netfilter).restore(FILTER('')));
    const r = run(w, POD_CONF, 'backend');
    expect(r.ok).toBe(true);
    expect(seq(r)).toEqual(['backend.default.svc.cluster.local. A', 'backend.default.svc.cluster.local. AAAA', 'backend.default.svc.cluster.local. A', 'backend.default.svc.cluster.local. AAAA']);
    const qs = r.log.filter((e) => e.event === 'query');
    expect(qs.map((e) => e.time - qs[0]!.time)).toEqual([0, 0, 5e9, 5e9]);
    expect([qs[2]!.id, qs[3]!.id]).toEqual([qs[0]!.id, qs[1]!.id]);
    expect(new Set(qs.map((e) => e.localPort)).size).toBe(1);
    expect(r.log.filter((e) => e.event === 'timeout')).toHaveLength(1);
    expect(w.served).toHaveLength(4); // the server answered all four; the first two replies were lost
  });

  it('rotates through the nameservers: timeout << i / nscount for server i', () => {
    const w = world({ rules: '-A FORWARD -p udp -m udp --dport 53 -j DROP\n', servers: ['dns', 'dns2', 'dns3'] });
    const conf: ResolvConf = { nameservers: [ipv4(DNS1), ipv4(DNS2), ipv4(DNS3)], search: [], ndots: 5 };
    const r = run(w, conf, 'web.cluster.local.');
    const qs = r.log.filter((e) => e.event === 'query' && e.type === DNS_TYPE.A);
    expect(qs.map((e) => `${formatIpv4(e.server)}@${(e.time - qs[0]!.time) / 1e9}`)).toEqual([`${DNS1}@0`, `${DNS2}@5`, `${DNS3}@8`, `${DNS1}@14`, `${DNS2}@19`, `${DNS3}@22`]);
    expect([r.ok, r.status]).toEqual([false, 'timeout']);
    expect(r.finishedAt - r.startedAt).toBe(28e9);
    // One socket per nameserver, kept across attempts.
    expect(qs[0]!.localPort).toBe(qs[3]!.localPort);
    expect(qs[0]!.localPort).not.toBe(qs[1]!.localPort);
  });

  it('falls over to the second nameserver when the first is silent', () => {
    const w = world({ rules: '-A FORWARD -d 10.0.3.53/32 -p udp -m udp --dport 53 -j DROP\n', servers: ['dns', 'dns2'] });
    const r = run(w, { nameservers: [ipv4(DNS2), ipv4(DNS1)], search: [], ndots: 5 }, 'web.cluster.local.');
    expect(r.ok).toBe(true);
    expect(r.log.filter((e) => e.event === 'query').map((e) => formatIpv4(e.server))).toEqual([DNS2, DNS2, DNS1, DNS1]);
  });

  it('a dead nameserver: a timeout ends the search list, but the name as written is still tried', () => {
    const w = world({ rules: '-A FORWARD -p udp -m udp --dport 53 -j DROP\n' });
    const r = run(w, POD_CONF, 'backend');
    expect(seq(r)).toEqual([
      'backend.default.svc.cluster.local. A',
      'backend.default.svc.cluster.local. AAAA',
      'backend.default.svc.cluster.local. A',
      'backend.default.svc.cluster.local. AAAA',
      'backend. A',
      'backend. AAAA',
      'backend. A',
      'backend. AAAA',
    ]);
    expect([r.ok, r.status]).toEqual([false, 'timeout']);
    expect(r.finishedAt - r.startedAt).toBe(20e9);
  });

  it('ICMP port unreachable from every attempt (no DNS server listening): gives up at once', () => {
    const w = world({ servers: [] });
    const r = run(w, POD_CONF, 'backend');
    expect([r.ok, r.status]).toEqual([false, 'refused']);
    expect(seq(r)).toEqual(['backend.default.svc.cluster.local. A', 'backend.default.svc.cluster.local. AAAA', 'backend.default.svc.cluster.local. A', 'backend.default.svc.cluster.local. AAAA']);
    expect(r.finishedAt - r.startedAt).toBeLessThan(1e6);
    expect(r.log.filter((e) => e.event === 'icmp').length).toBeGreaterThanOrEqual(2);
  });

  it('a truncated reply repeats both queries over TCP to the same server', () => {
    const w = world();
    const r = run(w, POD_CONF, 'many.cluster.local.');
    expect(r.queries.map((q) => `${q.transport} ${dnsTypeName(q.type)}`)).toEqual(['udp A', 'udp AAAA', 'tcp A', 'tcp AAAA']);
    expect([r.ok, r.addresses.length]).toEqual([true, 40]);
    expect(w.served.map((e) => `${e.transport}${e.truncated ? ' TC' : ''}`)).toEqual(['udp TC', 'udp', 'tcp', 'tcp']);
  });

  it('one answer and a silent second: falls back to single-request, then single-request-reopen', () => {
    const w = world({ servers: [] });
    // A server that answers A queries and ignores AAAA (a broken middlebox or DNS server).
    const dns = w.hosts.dns!;
    dns.bindUdp(53, {
      onDatagram(h, pkt, src, sport, dst, _dp, off, len) {
        const bytes = pkt.buf.slice(off, off + len);
        const m = parseDns(bytes);
        if (!m.ok || m.repr.questions[0]!.type !== DNS_TYPE.A) return false;
        const d = decideDnsReply(bytes, { ip: src }, 'udp', [ZONE]);
        if (d.kind !== 'reply') return false;
        const enc = encodeReply(d.reply, d.bufSize, 'udp');
        h.sendUdp(dst, 53, src, sport, enc.bytes.length, (b, o) => b.set(enc.bytes, o));
        return false;
      },
    });
    const r = run(w, POD_CONF, 'web.cluster.local.');
    const qs = r.log.filter((e) => e.event === 'query');
    expect(qs.map((e) => dnsTypeName(e.type))).toEqual(['A', 'AAAA', 'A', 'AAAA', 'A', 'AAAA']);
    // Parallel at 0 s; one at a time from 5 s; one at a time on a new socket from 10 s.
    expect(qs.map((e) => Math.floor((e.time - qs[0]!.time) / 1e9))).toEqual([0, 0, 5, 5, 10, 10]);
    expect(qs[2]!.time).toBeLessThan(qs[3]!.time);
    expect(qs[2]!.localPort).toBe(qs[0]!.localPort);
    expect(qs[5]!.localPort).not.toBe(qs[4]!.localPort);
    expect(new Set(qs.map((e) => e.id)).size).toBe(2);
    expect([r.ok, r.addresses.map(formatIpv4)]).toEqual([true, ['10.96.0.30']]);
    expect(r.finishedAt - r.startedAt).toBeGreaterThanOrEqual(15e9);
  });

  it('is deterministic: same seed, same IDs and ports', () => {
    const a = run(world(), POD_CONF, 'web');
    const b = run(world(), POD_CONF, 'web');
    expect(b.log.map((e) => [e.id, e.localPort, e.time])).toEqual(a.log.map((e) => [e.id, e.localPort, e.time]));
  });
});
