import { describe, expect, it } from 'vitest';
import { digIpv6, digName, digRecordLine, digWhen, formatDig } from './dig-format.ts';
import { DNS_TYPE, encodeDns, parseDns, type DnsMessage, type DnsRecord } from '../wire/dns.ts';
import { ipv4 } from '../wire/addr.ts';

const IN = 1;

function a(name: string, ttl: number, ip: string): DnsRecord {
  return { name, type: DNS_TYPE.A, class: IN, ttl, data: { kind: 'A', address: ipv4(ip) } };
}

function opt(udp: number, options: number[] = []): DnsRecord {
  return { name: '.', type: DNS_TYPE.OPT, class: udp, ttl: 0, data: { kind: 'OPT', options: new Uint8Array(options) } };
}

const COOKIE_ECHO = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];

const SOA: DnsRecord = {
  name: 'cluster.local.',
  type: DNS_TYPE.SOA,
  class: IN,
  ttl: 30,
  data: { kind: 'SOA', mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
};

describe('formatDig: the full dig 9.18 output', () => {
  it('an A answer from CoreDNS: .local warning, recursion warning, OPT pseudosection with an echoed cookie', () => {
    const reply: DnsMessage = {
      id: 4321,
      qr: true,
      aa: true,
      rd: true,
      questions: [{ name: 'kubernetes.default.svc.cluster.local.', type: DNS_TYPE.A, class: IN }],
      answers: [a('kubernetes.default.svc.cluster.local.', 30, '10.96.0.1')],
      authority: [],
      additional: [opt(1232, COOKIE_ECHO)],
    };
    expect(
      formatDig(reply, {
        qname: 'kubernetes.default.svc.cluster.local',
        qtype: 'A',
        server: '10.96.0.10',
        port: 53,
        transport: 'udp',
        queryTimeMs: 0.4,
        msgSize: 129,
        when: 'Thu Jan 01 00:00:05 UTC 1970',
      }),
    ).toBe(
      [
        '',
        '; <<>> DiG 9.18.33 <<>> kubernetes.default.svc.cluster.local',
        ';; global options: +cmd',
        ';; Got answer:',
        ';; WARNING: .local is reserved for Multicast DNS',
        ';; You are currently testing what happens when an mDNS query is leaked to DNS',
        ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4321',
        ';; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1',
        ';; WARNING: recursion requested but not available',
        '',
        ';; OPT PSEUDOSECTION:',
        '; EDNS: version: 0, flags:; udp: 1232',
        '; COOKIE: 0102030405060708 (echoed)',
        ';; QUESTION SECTION:',
        ';kubernetes.default.svc.cluster.local. IN A',
        '',
        ';; ANSWER SECTION:',
        'kubernetes.default.svc.cluster.local. 30 IN A\t10.96.0.1',
        '',
        ';; Query time: 0 msec',
        ';; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)',
        ';; WHEN: Thu Jan 01 00:00:05 UTC 1970',
        ';; MSG SIZE  rcvd: 129',
        '',
        '',
      ].join('\n'),
    );
  });

  it('NXDOMAIN with the zone SOA in AUTHORITY; the type argument in the banner', () => {
    const reply: DnsMessage = {
      id: 999,
      qr: true,
      aa: true,
      rd: true,
      rcode: 3,
      questions: [{ name: 'nope.default.svc.cluster.local.', type: DNS_TYPE.AAAA, class: IN }],
      answers: [],
      authority: [SOA],
      additional: [opt(1232)],
    };
    expect(formatDig(reply, { qname: 'nope.default.svc.cluster.local', qtype: 'AAAA', server: '10.96.0.10', queryTimeMs: 3, msgSize: 145 })).toBe(
      [
        '',
        '; <<>> DiG 9.18.33 <<>> nope.default.svc.cluster.local AAAA',
        ';; global options: +cmd',
        ';; Got answer:',
        ';; WARNING: .local is reserved for Multicast DNS',
        ';; You are currently testing what happens when an mDNS query is leaked to DNS',
        ';; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 999',
        ';; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1',
        ';; WARNING: recursion requested but not available',
        '',
        ';; OPT PSEUDOSECTION:',
        '; EDNS: version: 0, flags:; udp: 1232',
        ';; QUESTION SECTION:',
        ';nope.default.svc.cluster.local.\tIN\tAAAA',
        '',
        ';; AUTHORITY SECTION:',
        'cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30',
        '',
        ';; Query time: 3 msec',
        ';; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)',
        ';; MSG SIZE  rcvd: 145',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a forwarded answer over TCP to @server: short names tab-aligned, "(1 server found)", no OPT, no warnings', () => {
    const reply: DnsMessage = {
      id: 7,
      qr: true,
      rd: true,
      ra: true,
      questions: [{ name: 'example.com.', type: DNS_TYPE.A, class: IN }],
      answers: [a('example.com.', 300, '93.184.215.14'), a('example.com.', 300, '93.184.215.15')],
      authority: [],
      additional: [],
    };
    expect(
      formatDig(reply, { qname: 'example.com', qtype: 'A', server: '10.96.0.10', transport: 'TCP', queryTimeMs: 12.9, msgSize: 61, argv: ['@10.96.0.10', '+tcp', 'example.com'] }),
    ).toBe(
      [
        '',
        '; <<>> DiG 9.18.33 <<>> @10.96.0.10 +tcp example.com',
        '; (1 server found)',
        ';; global options: +cmd',
        ';; Got answer:',
        ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 7',
        ';; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0',
        '',
        ';; QUESTION SECTION:',
        ';example.com.\t\t\tIN\tA',
        '',
        ';; ANSWER SECTION:',
        'example.com.\t\t300\tIN\tA\t93.184.215.14',
        'example.com.\t\t300\tIN\tA\t93.184.215.15',
        '',
        ';; Query time: 12 msec',
        ';; SERVER: 10.96.0.10#53(10.96.0.10) (TCP)',
        ';; MSG SIZE  rcvd: 61',
        '',
        '',
      ].join('\n'),
    );
  });

  it('SRV with targets in ADDITIONAL; the OPT record is counted but not listed; DO flag and NSID', () => {
    const srvName = '_http._tcp.web.default.svc.cluster.local.';
    const srv = (host: string): DnsRecord => ({ name: srvName, type: DNS_TYPE.SRV, class: IN, ttl: 30, data: { kind: 'SRV', priority: 0, weight: 50, port: 80, target: host } });
    const reply: DnsMessage = {
      id: 0xbeef,
      qr: true,
      aa: true,
      rd: true,
      questions: [{ name: srvName, type: DNS_TYPE.SRV, class: IN }],
      answers: [srv('web-0.web.default.svc.cluster.local.'), srv('web-1.web.default.svc.cluster.local.')],
      authority: [],
      additional: [
        a('web-0.web.default.svc.cluster.local.', 30, '10.244.1.5'),
        a('web-1.web.default.svc.cluster.local.', 30, '10.244.2.6'),
        { ...opt(1232, [0, 3, 0, 4, 0x63, 0x6f, 0x72, 0x65]), ttl: 0x8000 },
      ],
    };
    const out = formatDig(reply, { qname: srvName, qtype: 'SRV', server: '10.96.0.10', queryTimeMs: 1, msgSize: 300 });
    expect(out).toContain(
      [
        ';; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 3',
        ';; WARNING: recursion requested but not available',
        '',
        ';; OPT PSEUDOSECTION:',
        '; EDNS: version: 0, flags: do; udp: 1232',
        '; NSID: 63 6f 72 65 ("core")',
        ';; QUESTION SECTION:',
        ';_http._tcp.web.default.svc.cluster.local. IN SRV',
        '',
        ';; ANSWER SECTION:',
        '_http._tcp.web.default.svc.cluster.local. 30 IN\tSRV 0 50 80 web-0.web.default.svc.cluster.local.',
        '_http._tcp.web.default.svc.cluster.local. 30 IN\tSRV 0 50 80 web-1.web.default.svc.cluster.local.',
        '',
        ';; ADDITIONAL SECTION:',
        'web-0.web.default.svc.cluster.local. 30\tIN A\t10.244.1.5',
        'web-1.web.default.svc.cluster.local. 30\tIN A\t10.244.2.6',
        '',
        ';; Query time: 1 msec',
      ].join('\n'),
    );
    expect(out.startsWith(`\n; <<>> DiG 9.18.33 <<>> ${srvName} SRV\n`)).toBe(true);
  });

  it('a reply parsed from the wire prints the same (round trip through encodeDns/parseDns)', () => {
    const reply: DnsMessage = {
      id: 1,
      qr: true,
      aa: true,
      rd: true,
      questions: [{ name: 'web.default.svc.cluster.local.', type: DNS_TYPE.A, class: IN }],
      answers: [a('web.default.svc.cluster.local.', 5, '10.96.0.20')],
      authority: [],
      additional: [opt(1232)],
    };
    const bytes = encodeDns(reply);
    const parsed = parseDns(bytes);
    if (!parsed.ok) throw new Error(parsed.detail);
    const opts = { qname: 'web.default.svc.cluster.local', qtype: 'A', server: '10.96.0.10', queryTimeMs: 0, msgSize: bytes.length };
    expect(formatDig(parsed.repr, opts)).toBe(formatDig(reply, opts));
    expect(formatDig(parsed.repr, opts)).toContain(';web.default.svc.cluster.local.\tIN\tA\n\n;; ANSWER SECTION:\nweb.default.svc.cluster.local. 5 IN\tA\t10.96.0.20\n');
  });
});

describe('formatDig +short', () => {
  it('prints only the answer rdata, one per line', () => {
    const reply: DnsMessage = {
      id: 2,
      qr: true,
      aa: true,
      rd: true,
      questions: [{ name: 'ext.default.svc.cluster.local.', type: DNS_TYPE.A, class: IN }],
      answers: [
        { name: 'ext.default.svc.cluster.local.', type: DNS_TYPE.CNAME, class: IN, ttl: 30, data: { kind: 'CNAME', target: 'example.com.' } },
        a('example.com.', 300, '93.184.215.14'),
      ],
      authority: [],
      additional: [opt(1232)],
    };
    expect(formatDig(reply, { qname: 'ext.default.svc.cluster.local', qtype: 'A', server: '10.96.0.10', queryTimeMs: 0, msgSize: 100, short: true })).toBe('example.com.\n93.184.215.14\n');
  });

  it('prints nothing for NXDOMAIN', () => {
    const reply: DnsMessage = { id: 3, qr: true, aa: true, rd: true, rcode: 3, questions: [{ name: 'x.cluster.local.', type: DNS_TYPE.A, class: IN }], answers: [], authority: [SOA], additional: [] };
    expect(formatDig(reply, { qname: 'x.cluster.local', qtype: 'A', server: '10.96.0.10', queryTimeMs: 0, msgSize: 90, short: true })).toBe('');
  });
});

describe('record data as dig prints it', () => {
  const rec = (name: string, type: number, data: DnsRecord['data'], ttl = 30): string => digRecordLine({ name, type, class: IN, ttl, data });

  it('PTR, CNAME and NS targets with a trailing dot; TXT quoted with escapes; AAAA compressed', () => {
    expect(rec('1.0.96.10.in-addr.arpa.', DNS_TYPE.PTR, { kind: 'PTR', target: 'kubernetes.default.svc.cluster.local.' })).toBe('1.0.96.10.in-addr.arpa.\t30\tIN\tPTR\tkubernetes.default.svc.cluster.local.');
    expect(rec('cluster.local.', DNS_TYPE.NS, { kind: 'NS', target: 'ns.dns.cluster.local.' })).toBe('cluster.local.\t\t30\tIN\tNS\tns.dns.cluster.local.');
    expect(rec('txt.example.', DNS_TYPE.TXT, { kind: 'TXT', strings: ['hello world', 'say "hi"\\', 'café'] })).toBe('txt.example.\t\t30\tIN\tTXT\t"hello world" "say \\"hi\\"\\\\" "caf\\195\\169"');
    const v6 = new Uint8Array([0xfd, 0x00, 0x00, 0x10, 0x00, 0x96, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0a]);
    expect(rec('v6.example.', DNS_TYPE.AAAA, { kind: 'AAAA', address: v6 })).toBe('v6.example.\t\t30\tIN\tAAAA\tfd00:10:96::a');
  });

  it('MX and HINFO decoded from raw rdata; unknown types in RFC 3597 form', () => {
    const mx = new Uint8Array([0, 10, 4, 0x6d, 0x61, 0x69, 0x6c, 7, ...'example'.split('').map((c) => c.charCodeAt(0)), 0]);
    expect(rec('example.', DNS_TYPE.MX, { kind: 'raw', bytes: mx })).toBe('example.\t\t30\tIN\tMX\t10 mail.example.');
    const hinfo = new Uint8Array([7, ...'RFC8482'.split('').map((c) => c.charCodeAt(0)), 0]);
    expect(rec('example.', 13, { kind: 'raw', bytes: hinfo }, 3789)).toBe('example.\t\t3789\tIN\tHINFO\t"RFC8482" ""');
    expect(rec('example.', 65280, { kind: 'raw', bytes: new Uint8Array([0x0a, 0, 0, 1]) })).toBe('example.\t\t30\tIN\tTYPE65280 \\# 4 0A000001');
  });

  it('names escaped as BIND does', () => {
    expect(digName('a\\.b.example.')).toBe('a\\.b.example.');
    expect(digName('semi;colon.example.')).toBe('semi\\;colon.example.');
    expect(digName('sp\\032ace.example.')).toBe('sp\\032ace.example.');
    expect(digName('.')).toBe('.');
  });

  it('IPv6 text as inet_ntop writes it', () => {
    const v6 = (...words: number[]): Uint8Array => new Uint8Array(words.flatMap((w) => [w >> 8, w & 0xff]));
    expect(digIpv6(v6(0, 0, 0, 0, 0, 0, 0, 1))).toBe('::1');
    expect(digIpv6(v6(0, 0, 0, 0, 0, 0, 0, 0))).toBe('::');
    expect(digIpv6(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0))).toBe('2001:db8::');
    expect(digIpv6(v6(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1))).toBe('2001:db8:0:1::1');
    expect(digIpv6(v6(0x2001, 0, 0, 1, 0, 0, 1, 1))).toBe('2001::1:0:0:1:1');
    expect(digIpv6(v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001))).toBe('::ffff:10.0.0.1');
  });
});

describe('digWhen', () => {
  it('formats UTC time as strftime "%a %b %d %H:%M:%S %Z %Y"', () => {
    expect(digWhen(0)).toBe('Thu Jan 01 00:00:00 UTC 1970');
    expect(digWhen(1786432670)).toBe('Tue Aug 11 07:17:50 UTC 2026');
    expect(digWhen(951868799)).toBe('Tue Feb 29 23:59:59 UTC 2000');
  });
});
