import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr.ts';
import { hex } from './bytes.ts';
import { dissectPacket, describePacket, formatLayers, packetProtocol, summarizePacket, type Field, type Layer, type LinkType } from './describe.ts';
import { DNS_TYPE, encodeDns } from './dns.ts';
import { ETHERTYPE, writeEthernetHeader } from './ethernet.ts';
import { emitIcmp } from './icmp.ts';
import { IP_PROTO, IPV4_FLAG, writeIpv4Header } from './ipv4.ts';
import { TCP_FLAG, writeTcpHeader } from './tcp.ts';
import { writeUdpHeader } from './udp.ts';
import * as FX from './testdata/fixtures.ts';
import { xorshift } from './testdata/util.ts';

const A = ipv4('10.2.1.4');
const SVC = ipv4('10.96.12.5');

/** Builds Ethernet/IPv4/{UDP,TCP} frames for the cases the fixtures do not cover. */
function frame(proto: number, l4: (b: Uint8Array, off: number) => number, l4Max: number, src = A, dst = SVC, flags: number = IPV4_FLAG.DF): Uint8Array {
  const b = new Uint8Array(14 + 20 + l4Max);
  writeEthernetHeader(b, 0, 0x02420a020101, 0x02420a020104, ETHERTYPE.IPV4);
  const n = l4(b, 34);
  writeIpv4Header(b, 14, src, dst, proto, 64, 1, n, flags);
  return b.subarray(0, 34 + n);
}

function udpFrame(sp: number, dp: number, payload: Uint8Array, src = A, dst = SVC): Uint8Array {
  return frame(IP_PROTO.UDP, (b, o) => {
    b.set(payload, o + 8);
    return writeUdpHeader(b, o, sp, dp, payload.length, src, dst);
  }, 8 + payload.length, src, dst);
}

function tcpFrame(sp: number, dp: number, flags: number, payload: Uint8Array, mss = 0): Uint8Array {
  return frame(IP_PROTO.TCP, (b, o) => {
    const hl = mss ? 24 : 20;
    b.set(payload, o + hl);
    return writeTcpHeader(b, o, sp, dp, 1000, 2000, flags, 64240, payload.length, A, SVC, mss) + payload.length;
  }, 24 + payload.length);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function allFields(layers: readonly Layer[]): Field[] {
  const out: Field[] = [];
  const walk = (fs: readonly Field[]): void => {
    for (const f of fs) {
      out.push(f);
      if (f.children) walk(f.children);
    }
  };
  for (const l of layers) walk(l.fields);
  return out;
}

/** Dissects and checks the invariants every frame must satisfy: no internal errors, known error kinds, every offset inside the frame. */
function expectSane(bytes: Uint8Array, link: LinkType): Layer[] {
  const d = dissectPacket(bytes, link);
  const problems: string[] = [];
  const inside = (what: string, off: number, len: number): void => {
    if (!(off >= 0 && len >= 0 && off + len <= bytes.length)) problems.push(`${what} at ${off}+${len} outside ${bytes.length} bytes`);
  };
  for (const l of d.layers) {
    inside(`layer ${l.layer}`, l.offset, l.len);
    if (l.error && !/^(truncated|bad checksum|malformed):/.test(l.error)) problems.push(`layer ${l.layer} error "${l.error}"`);
    if (l.error?.includes('internal')) problems.push(l.error);
  }
  for (const f of allFields(d.layers)) inside(`field ${f.name}`, f.offset, f.len);
  if (typeof d.summary !== 'string' || d.summary === '') problems.push('empty summary');
  expect(problems, `${link} ${Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('')}`).toEqual([]);
  return d.layers as Layer[];
}

const field = (layers: readonly Layer[], layer: string, name: string): Field | undefined => {
  const l = layers.find((x) => x.layer === layer);
  const found = l ? allFields([l]).find((f) => f.name === name) : undefined;
  return found;
};

describe('describePacket / summarizePacket', () => {
  const cases: [keyof typeof FX, LinkType, string, string, string[]][] = [
    ['RAW_IPV4_DNS_QUERY', 'ipv4', 'DNS', '10.2.1.4.43210 > 10.96.0.10.53: UDP, DNS A? backend.default.svc.cluster.local.', ['IPv4', 'UDP', 'DNS']],
    ['DNS_QUERY_EXAMPLE_COM', 'ethernet', 'DNS', '192.168.1.10.51234 > 8.8.8.8.53: UDP, DNS A? example.com.', ['Ethernet', 'IPv4', 'UDP', 'DNS']],
    [
      'DNS_RESPONSE_EXAMPLE_COM',
      'ethernet',
      'DNS',
      '8.8.8.8.53 > 192.168.1.10.51234: UDP, DNS response NOERROR A? example.com. 1/0/0 A 93.184.216.34',
      ['Ethernet', 'IPv4', 'UDP', 'DNS'],
    ],
    [
      'TCP_SYN_MSS',
      'ethernet',
      'TCP',
      '10.2.1.4.43210 > 10.96.12.5.8080: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 2216113472 ecr 0,nop,wscale 7], length 0',
      ['Ethernet', 'IPv4', 'TCP'],
    ],
    ['ARP_REQUEST', 'ethernet', 'ARP', 'ARP, Request who-has 10.2.1.1 tell 10.2.1.4', ['Ethernet', 'ARP']],
    ['ARP_REPLY', 'ethernet', 'ARP', 'ARP, Reply 10.2.1.1 is-at 02:42:0a:02:01:01', ['Ethernet', 'ARP']],
    ['ICMP_ECHO_REQUEST', 'ethernet', 'ICMP', '10.2.1.4 > 10.2.2.7: ICMP echo request, id 1, seq 1', ['Ethernet', 'IPv4', 'ICMP']],
    ['ICMP_PORT_UNREACHABLE', 'ethernet', 'ICMP', '10.96.0.10 > 10.2.1.4: ICMP 10.96.0.10 udp port 53 unreachable', ['Ethernet', 'IPv4', 'ICMP']],
    [
      'HTTP_GET',
      'ethernet',
      'HTTP',
      '10.2.1.4.43210 > 10.96.12.5.8080: Flags [P.], seq 1001:1086, ack 5001, win 502, length 85: HTTP: GET /hostname HTTP/1.1',
      ['Ethernet', 'IPv4', 'TCP', 'HTTP'],
    ],
    [
      'HTTP_RESPONSE',
      'ethernet',
      'HTTP',
      '10.96.12.5.8080 > 10.2.1.4.43210: Flags [P.], seq 5001:5092, ack 1086, win 509, length 91: HTTP: HTTP/1.1 200 OK',
      ['Ethernet', 'IPv4', 'TCP', 'HTTP'],
    ],
  ];

  for (const [name, link, proto, line, layers] of cases) {
    it(`describes ${name}`, () => {
      const b = hex(FX[name]);
      expect(summarizePacket(b, link)).toBe(line);
      expect(packetProtocol(b, link)).toBe(proto);
      const ls = expectSane(b, link);
      expect(ls.map((l) => l.layer)).toEqual(layers);
      expect(ls.every((l) => l.error === undefined)).toBe(true);
    });
  }

  it('matches the brief examples for a SYN with MSS', () => {
    const b = tcpFrame(43210, 8080, TCP_FLAG.SYN, new Uint8Array(0), 1460);
    expect(summarizePacket(b, 'ethernet')).toBe('10.2.1.4.43210 > 10.96.12.5.8080: Flags [S], seq 1000, win 64240, options [mss 1460], length 0');
    const synAck = tcpFrame(8080, 43210, TCP_FLAG.SYN | TCP_FLAG.ACK, new Uint8Array(0));
    expect(summarizePacket(synAck, 'ethernet')).toBe('10.2.1.4.8080 > 10.96.12.5.43210: Flags [S.], seq 1000, ack 2000, win 64240, length 0');
  });

  it('gives absolute field offsets for highlighting', () => {
    const b = hex(FX.DNS_QUERY_EXAMPLE_COM);
    const ls = describePacket(b, 'ethernet');
    expect(field(ls, 'IPv4', 'source')).toMatchObject({ value: '192.168.1.10', offset: 26, len: 4 });
    expect(field(ls, 'IPv4', 'header checksum')).toMatchObject({ value: '0x1bc4 [correct]', offset: 24, len: 2 });
    expect(field(ls, 'UDP', 'checksum')).toMatchObject({ value: '0x7bf1 [correct]', offset: 40, len: 2 });
    expect(field(ls, 'DNS', 'name')).toMatchObject({ value: 'example.com.', offset: 54, len: 13 });
    expect(field(ls, 'DNS', 'type')).toMatchObject({ value: 'A (1)', offset: 67, len: 2 });
    const dns = ls.find((l) => l.layer === 'DNS')!;
    expect(dns).toMatchObject({ offset: 42, len: 29, summary: 'query 0x1a2b A? example.com.' });

    const resp = describePacket(hex(FX.DNS_RESPONSE_EXAMPLE_COM), 'ethernet');
    expect(field(resp, 'DNS', 'address')).toMatchObject({ value: '93.184.216.34', offset: 83, len: 4 });
    const answers = field(resp, 'DNS', 'Answers')!;
    expect(answers.children![0]!.children![0]).toMatchObject({ name: 'name', value: 'example.com.', offset: 71, len: 2 });

    const get = hex(FX.HTTP_GET);
    const http = describePacket(get, 'ethernet');
    const host = field(http, 'HTTP', 'Host')!;
    expect(new TextDecoder().decode(get.subarray(host.offset, host.offset + host.len))).toBe('Host: backend:8080\r\n');
    expect(field(http, 'HTTP', 'target')).toMatchObject({ value: '/hostname', offset: 58, len: 9 });
  });

  it('shows the Ethernet padding of short frames', () => {
    const ls = describePacket(hex(FX.ARP_REQUEST), 'ethernet');
    expect(field(ls, 'Ethernet', 'padding')).toMatchObject({ offset: 42, len: 18 });
  });

  it('decodes the datagram quoted in an ICMP error', () => {
    const ls = describePacket(hex(FX.ICMP_PORT_UNREACHABLE), 'ethernet');
    const orig = field(ls, 'ICMP', 'original datagram')!;
    expect(orig).toMatchObject({ value: '10.2.1.4.43210 > 10.96.0.10.53 UDP', offset: 42, len: 28 });
    const inner = allFields([{ layer: 'x', summary: '', offset: 0, len: 0, fields: [orig] }]);
    expect(inner.find((f) => f.name === 'destination')).toMatchObject({ value: '10.96.0.10', offset: 58 });
    expect(inner.find((f) => f.name === 'destination port')).toMatchObject({ value: '53', offset: 64, len: 2 });
    // Time exceeded and admin-prohibited use tcpdump's wording.
    const original = hex(FX.ICMP_PORT_UNREACHABLE).slice(42);
    const icmpFrame = (repr: Parameters<typeof emitIcmp>[0]): Uint8Array => frame(IP_PROTO.ICMP, (b, o) => emitIcmp(repr, b, o), 8 + original.length);
    expect(summarizePacket(icmpFrame({ kind: 'time-exceeded', code: 0, original }), 'ethernet')).toBe('10.2.1.4 > 10.96.12.5: ICMP time exceeded in-transit');
    expect(summarizePacket(icmpFrame({ kind: 'dest-unreachable', code: 13, original }), 'ethernet')).toBe(
      '10.2.1.4 > 10.96.12.5: ICMP host 10.96.0.10 unreachable - admin prohibited filter',
    );
    expect(summarizePacket(icmpFrame({ kind: 'dest-unreachable', code: 4, mtu: 1400, original }), 'ethernet')).toBe(
      '10.2.1.4 > 10.96.12.5: ICMP 10.96.0.10 unreachable - need to frag (mtu 1400)',
    );
  });

  it('marks bad checksums on the layer and in the summary', () => {
    const udp = hex(FX.DNS_QUERY_EXAMPLE_COM);
    udp[41] ^= 1;
    expect(summarizePacket(udp, 'ethernet')).toBe('192.168.1.10.51234 > 8.8.8.8.53: UDP (bad checksum), DNS A? example.com.');
    const ul = expectSane(udp, 'ethernet').find((l) => l.layer === 'UDP')!;
    expect(ul.error).toMatch(/^bad checksum: UDP checksum 0x7bf0, should be 0x7bf1/);
    expect(field([ul], 'UDP', 'checksum')!.value).toBe('0x7bf0 [incorrect, should be 0x7bf1]');

    const ip = hex(FX.TCP_SYN_MSS);
    ip[22] = 1; // TTL
    expect(summarizePacket(ip, 'ethernet')).toMatch(/^IPv4 \(bad checksum\) 10\.2\.1\.4\.43210 > 10\.96\.12\.5\.8080: Flags \[S\]/);
    expect(expectSane(ip, 'ethernet').find((l) => l.layer === 'IPv4')!.error).toMatch(/^bad checksum/);

    const tcp = hex(FX.HTTP_GET);
    tcp[tcp.length - 5] ^= 0x20;
    expect(summarizePacket(tcp, 'ethernet')).toContain(': TCP (bad checksum), Flags [P.]');

    const icmp = hex(FX.ICMP_ECHO_REQUEST);
    icmp[50] ^= 1;
    expect(summarizePacket(icmp, 'ethernet')).toBe('10.2.1.4 > 10.2.2.7: ICMP (bad checksum) echo request, id 1, seq 1');
  });

  it('marks truncated layers and never throws on any prefix', () => {
    const cut = hex(FX.DNS_RESPONSE_EXAMPLE_COM).subarray(0, 60);
    // What is there is still decoded, each cut layer marked.
    expect(summarizePacket(cut, 'ethernet')).toBe('IPv4 (truncated) 8.8.8.8.53 > 192.168.1.10.51234: UDP (truncated), DNS (truncated) response NOERROR (no question) 1/0/0');
    expect(summarizePacket(hex(FX.WIKIPEDIA_IPV4_HEADER), 'ipv4')).toBe('IPv4 (truncated) 192.168.0.1 > 192.168.0.199: UDP (truncated)');
    const ls = expectSane(cut, 'ethernet');
    expect(ls.find((l) => l.layer === 'IPv4')!.error).toMatch(/^truncated: IPv4 Total Length 73, have 46/);
    expect(summarizePacket(new Uint8Array(5), 'ethernet')).toBe('Ethernet (truncated)');
    for (const [k, v] of Object.entries(FX)) {
      const b = hex(v);
      for (const link of ['ethernet', 'ppp', 'ipv4'] as const) {
        for (let n = 0; n <= b.length; n++) expectSane(b.subarray(0, n), link);
      }
      void k;
    }
  });

  it('survives random corruption of every fixture', () => {
    const rnd = xorshift(20261127);
    for (const v of Object.values(FX)) {
      const orig = hex(v);
      for (let i = 0; i < 200; i++) {
        const b = orig.slice();
        const flips = 1 + (rnd() % 4);
        for (let j = 0; j < flips; j++) b[rnd() % b.length] = rnd() & 0xff;
        for (const link of ['ethernet', 'ipv4'] as const) expectSane(b, link);
      }
    }
  });

  it('reports a DNS compression loop as malformed without hanging', () => {
    const loop = hex('0001 0000 0001 0000 0000 0000 c00c 0001 0001');
    const b = udpFrame(43210, 53, loop);
    expect(summarizePacket(b, 'ethernet')).toBe('10.2.1.4.43210 > 10.96.12.5.53: UDP, DNS (malformed) (no question)');
    const dns = expectSane(b, 'ethernet').find((l) => l.layer === 'DNS')!;
    expect(dns.error).toMatch(/^malformed: DNS compression pointers loop/);
  });

  it('describes NXDOMAIN, SRV and OPT records', () => {
    const msg = encodeDns({
      id: 7,
      qr: true,
      aa: true,
      rd: true,
      ra: true,
      rcode: 3,
      questions: [{ name: 'nope.default.svc.cluster.local.', type: DNS_TYPE.A, class: 1 }],
      answers: [],
      authority: [
        {
          name: 'cluster.local.',
          type: DNS_TYPE.SOA,
          class: 1,
          ttl: 30,
          data: { kind: 'SOA', mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
        },
      ],
      additional: [{ name: '.', type: DNS_TYPE.OPT, class: 1232, ttl: 0, data: { kind: 'OPT', options: new Uint8Array(0) } }],
    });
    const b = udpFrame(53, 43210, msg, SVC, A);
    expect(summarizePacket(b, 'ethernet')).toBe('10.96.12.5.53 > 10.2.1.4.43210: UDP, DNS response NXDOMAIN A? nope.default.svc.cluster.local. 0/1/1');
    const ls = expectSane(b, 'ethernet');
    expect(field(ls, 'DNS', 'minimum TTL')).toMatchObject({ value: '30' });
    expect(field(ls, 'DNS', 'UDP payload size')).toMatchObject({ value: '1232' });
    expect(ls.find((l) => l.layer === 'DNS')!.summary).toBe('response 0x0007 NXDOMAIN A? nope.default.svc.cluster.local. 0/1/1');
  });

  it('wraps PPP frames as ns-3 writes them', () => {
    const ip = hex(FX.RAW_IPV4_DNS_QUERY);
    for (const prefix of ['0021', 'ff03 0021']) {
      const b = new Uint8Array([...hex(prefix), ...ip]);
      expect(summarizePacket(b, 'ppp')).toBe(summarizePacket(ip, 'ipv4'));
      expect(expectSane(b, 'ppp').map((l) => l.layer)).toEqual(['PPP', 'IPv4', 'UDP', 'DNS']);
    }
    expect(summarizePacket(hex('c021 0102 0304'), 'ppp')).toBe('PPP, protocol LCP (0xc021), length 6');
  });

  it('names unknown EtherTypes and IP protocols instead of failing', () => {
    const eth = new Uint8Array(20);
    writeEthernetHeader(eth, 0, 1, 2, 0x88cc);
    expect(summarizePacket(eth, 'ethernet')).toBe('Ethernet 00:00:00:00:00:02 > 00:00:00:00:00:01, ethertype unknown 0x88cc (0x88cc), length 20');
    expect(packetProtocol(eth, 'ethernet')).toBe('Ethernet');
    const ip = new Uint8Array(24);
    writeIpv4Header(ip, 0, A, SVC, 200, 64, 0, 4);
    expect(summarizePacket(ip, 'ipv4')).toBe('10.2.1.4 > 10.96.12.5: IP proto 200 (unknown), length 4');
    writeIpv4Header(ip, 0, A, SVC, 132, 64, 0, 4);
    expect(summarizePacket(ip, 'ipv4')).toBe('10.2.1.4 > 10.96.12.5: IP proto 132 (SCTP), length 4');
    expect(packetProtocol(ip, 'ipv4')).toBe('IPv4');
  });

  it('shows later fragments without decoding a transport header', () => {
    const b = new Uint8Array(28);
    writeIpv4Header(b, 0, A, SVC, IP_PROTO.UDP, 64, 99, 8, 185);
    expect(summarizePacket(b, 'ipv4')).toBe('10.2.1.4 > 10.96.12.5: UDP fragment, id 99, offset 1480, length 8');
    expect(describePacket(b, 'ipv4').map((l) => l.layer)).toEqual(['IPv4', 'Fragment']);
  });

  it('tells HTTP from other TCP payloads', () => {
    const partial = tcpFrame(43210, 8080, TCP_FLAG.PSH | TCP_FLAG.ACK, text('GET /slow HTTP/1.1\r\nHost: a'));
    expect(summarizePacket(partial, 'ethernet')).toMatch(/: HTTP: GET \/slow HTTP\/1\.1$/);
    const pl = expectSane(partial, 'ethernet').find((l) => l.layer === 'HTTP')!;
    expect(pl.summary).toBe('GET /slow HTTP/1.1 (incomplete)');
    expect(pl.error).toBeUndefined();

    const cont = tcpFrame(43210, 8080, TCP_FLAG.ACK, text('more body bytes'));
    expect(packetProtocol(cont, 'ethernet')).toBe('HTTP');
    expect(summarizePacket(cont, 'ethernet')).toMatch(/length 15: HTTP$/);

    const other = tcpFrame(43210, 5432, TCP_FLAG.ACK, text('\x00\x00\x00\x08'));
    expect(packetProtocol(other, 'ethernet')).toBe('TCP');
    expect(describePacket(other, 'ethernet').at(-1)!.layer).toBe('Data');

    const sniffed = tcpFrame(43210, 9000, TCP_FLAG.ACK | TCP_FLAG.PSH, text('HTTP/1.1 204 No Content\r\n\r\n'));
    expect(packetProtocol(sniffed, 'ethernet')).toBe('HTTP');

    const udp = udpFrame(5000, 6000, text('hi'));
    expect(summarizePacket(udp, 'ethernet')).toBe('10.2.1.4.5000 > 10.96.12.5.6000: UDP, length 2');
    expect(packetProtocol(udp, 'ethernet')).toBe('UDP');
  });

  it('renders layers as indented text', () => {
    const t = formatLayers(describePacket(hex(FX.ARP_REQUEST), 'ethernet'));
    expect(t.split('\n')[0]).toBe('Ethernet: 02:42:0a:02:01:04 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60');
    expect(t).toContain('\n  sender IP: 10.2.1.4\n');
  });
});
