import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr.ts';
import { hex, toHex } from './bytes.ts';
import {
  checkDnsName,
  DNS_CLASS,
  DNS_RCODE,
  DNS_TYPE,
  dnsBufferLen,
  dnsClassName,
  dnsNameLabels,
  dnsRcodeName,
  dnsTypeName,
  ednsInfo,
  emitDns,
  encodeDns,
  formatDnsRecord,
  parseDns,
  readDnsName,
  type DnsMessage,
} from './dns.ts';
import { DNS_QUERY_EXAMPLE_COM, DNS_RESPONSE_EXAMPLE_COM, RAW_IPV4_DNS_QUERY } from './testdata/fixtures.ts';
import { must, poisoned } from './testdata/util.ts';

const D = 42; // Ethernet 14 + IPv4 20 + UDP 8

describe('dns', () => {
  const query = hex(DNS_QUERY_EXAMPLE_COM);
  const response = hex(DNS_RESPONSE_EXAMPLE_COM);

  it('parses a real query for example.com', () => {
    const m = must(parseDns(query, D));
    expect(m).toMatchObject({ id: 0x1a2b, qr: false, opcode: 0, rd: true, ra: false, aa: false, tc: false, rcode: 0 });
    expect(m.questions).toEqual([{ name: 'example.com.', type: DNS_TYPE.A, class: DNS_CLASS.IN }]);
    expect(m.answers).toEqual([]);
  });

  it('follows the compression pointer in a real response', () => {
    const m = must(parseDns(response, D));
    expect(m).toMatchObject({ id: 0x1a2b, qr: true, rd: true, ra: true, rcode: DNS_RCODE.NOERROR });
    expect(m.answers).toEqual([{ name: 'example.com.', type: 1, class: 1, ttl: 3600, data: { kind: 'A', address: ipv4('93.184.216.34') } }]);
    expect(formatDnsRecord(m.answers[0]!)).toBe('example.com. 3600 IN A 93.184.216.34');
  });

  it('emits the query uncompressed and the response compressed, byte for byte', () => {
    const q = must(parseDns(query, D));
    const out = poisoned(query.length - D + 1);
    expect(emitDns(q, out, 0)).toBe(query.length - D);
    expect(toHex(out, 0, query.length - D)).toBe(toHex(query, D));
    expect(out[query.length - D]).toBe(0xa5);

    const r = must(parseDns(response, D));
    expect(toHex(encodeDns(r, { compress: true }))).toBe(toHex(response, D));
    // Uncompressed (the default, as CoreDNS sends small replies) spells the name out again.
    const plain = encodeDns(r);
    expect(plain.length).toBe(response.length - D + 11);
    expect(toHex(plain)).not.toContain('c00c');
    expect(must(parseDns(plain))).toEqual(r);
  });

  it('writes at an offset with pointers relative to the message start', () => {
    const r = must(parseDns(response, D));
    const b = new Uint8Array(100);
    const n = emitDns(r, b, 30, { compress: true });
    expect(toHex(b, 30, n)).toBe(toHex(response, D));
    expect(must(parseDns(b, 30, n))).toEqual(r);
  });

  const full: DnsMessage = {
    id: 0xbeef,
    qr: true,
    opcode: 0,
    aa: true,
    tc: false,
    rd: true,
    ra: true,
    z: false,
    ad: false,
    cd: true,
    rcode: DNS_RCODE.NXDOMAIN,
    questions: [{ name: '_http._tcp.web.default.svc.cluster.local.', type: DNS_TYPE.SRV, class: DNS_CLASS.IN }],
    answers: [
      { name: '_http._tcp.web.default.svc.cluster.local.', type: DNS_TYPE.SRV, class: 1, ttl: 30, data: { kind: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local.' } },
      { name: 'alias.default.svc.cluster.local.', type: DNS_TYPE.CNAME, class: 1, ttl: 5, data: { kind: 'CNAME', target: 'web.default.svc.cluster.local.' } },
      { name: 'web.default.svc.cluster.local.', type: DNS_TYPE.A, class: 1, ttl: 5, data: { kind: 'A', address: ipv4('10.96.0.12') } },
      { name: 'web.default.svc.cluster.local.', type: DNS_TYPE.AAAA, class: 1, ttl: 5, data: { kind: 'AAAA', address: hex('fd00 0000 0000 0000 0000 0000 0000 000c') } },
      { name: '12.0.96.10.in-addr.arpa.', type: DNS_TYPE.PTR, class: 1, ttl: 5, data: { kind: 'PTR', target: 'web.default.svc.cluster.local.' } },
      { name: 'dns-version.cluster.local.', type: DNS_TYPE.TXT, class: 1, ttl: 5, data: { kind: 'TXT', strings: ['1.1.0', '', 'say "hi"'] } },
      { name: 'example.', type: DNS_TYPE.MX, class: 1, ttl: 5, data: { kind: 'raw', bytes: hex('000a 046d 6169 6c07 6578 616d 706c 6500') } },
      { name: 'example.', type: 65280, class: 1, ttl: 0xffffffff, data: { kind: 'raw', bytes: new Uint8Array(0) } },
    ],
    authority: [
      { name: 'cluster.local.', type: DNS_TYPE.NS, class: 1, ttl: 30, data: { kind: 'NS', target: 'ns.dns.cluster.local.' } },
      {
        name: 'cluster.local.',
        type: DNS_TYPE.SOA,
        class: 1,
        ttl: 30,
        data: { kind: 'SOA', mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
      },
    ],
    additional: [{ name: '.', type: DNS_TYPE.OPT, class: 1232, ttl: 0x00008000, data: { kind: 'OPT', options: hex('000a 0008 0102 0304 0506 0708') } }],
  };

  it('round-trips every record type, compressed and not', () => {
    for (const compress of [false, true]) {
      const bytes = encodeDns(full, { compress });
      expect(must(parseDns(bytes))).toEqual(full);
    }
    expect(encodeDns(full, { compress: true }).length).toBeLessThan(encodeDns(full).length);
    expect(dnsBufferLen(full)).toBe(encodeDns(full).length);
    expect(ednsInfo(full.additional[0]!)).toEqual({ udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: true });
  });

  it('never compresses an SRV target (RFC 2782)', () => {
    const m: DnsMessage = {
      id: 1,
      questions: [{ name: 'a.example.', type: DNS_TYPE.SRV, class: 1 }],
      answers: [{ name: 'a.example.', type: DNS_TYPE.SRV, class: 1, ttl: 1, data: { kind: 'SRV', priority: 1, weight: 2, port: 3, target: 'a.example.' } }],
      authority: [],
      additional: [],
    };
    const b = encodeDns(m, { compress: true });
    // The owner name is a pointer; the target is spelled out at the end.
    expect(toHex(b).endsWith('0161076578616d706c6500')).toBe(true);
    expect(toHex(b)).toContain('c00c');
  });

  it('keeps label bytes exactly with RFC 1035 escapes', () => {
    const m: DnsMessage = { id: 2, questions: [{ name: 'a\\.b.sp\\032ace.Mixed.', type: 1, class: 1 }], answers: [], authority: [], additional: [] };
    const b = encodeDns(m);
    expect(toHex(b, 12, 17)).toBe('03612e62' + '0673702061636505' + '4d69786564');
    expect(must(parseDns(b)).questions[0]!.name).toBe('a\\.b.sp\\032ace.Mixed.');
    expect(must(parseDns(encodeDns({ ...m, questions: [{ name: 'example.com', type: 1, class: 1 }] }))).questions[0]!.name).toBe('example.com.');
  });

  it('validates names before emitting', () => {
    expect(checkDnsName('ok.example.')).toBeNull();
    expect(checkDnsName('a..b')).toMatch(/empty label/);
    expect(checkDnsName('x'.repeat(64) + '.com')).toMatch(/63/);
    expect(checkDnsName(('a'.repeat(63) + '.').repeat(4))).toMatch(/255/);
    expect(dnsNameLabels('.')).toEqual([]);
    expect(() => encodeDns({ id: 0, questions: [{ name: 'a..b', type: 1, class: 1 }], answers: [], authority: [], additional: [] })).toThrow(RangeError);
  });

  it('stops on compression loops instead of hanging', () => {
    // One question whose name is a pointer to itself.
    const self = hex('0001 0000 0001 0000 0000 0000 c00c 0001 0001');
    const r1 = parseDns(self);
    expect(r1.ok === false && r1.error).toBe('malformed');
    expect(r1.ok === false && r1.detail).toMatch(/loop/);
    // Two pointers pointing at each other, behind a label.
    const pair = hex('0001 0000 0001 0000 0000 0000 0161 c010 c00e 0001 0001');
    const r2 = parseDns(pair);
    expect(r2.ok === false && r2.error).toBe('malformed');
    // A pointer outside the message, and the reserved 0x40 label type.
    expect(readDnsName(hex('c0ff'), 0, 2, 0).ok).toBe(false);
    const ext = readDnsName(hex('4100'), 0, 2, 0);
    expect(ext.ok === false && ext.error).toBe('malformed');
  });

  it('rejects names over 255 bytes built from pointers', () => {
    // A 63-byte label followed by a pointer back to itself would grow forever; the length cap stops it first.
    const b = new Uint8Array(12 + 64 + 2 + 4);
    b[5] = 1;
    b[12] = 63;
    b.fill(0x61, 13, 76);
    b[76] = 0xc0;
    b[77] = 12;
    const r = parseDns(b);
    expect(r.ok === false && r.detail).toMatch(/255/);
  });

  it('reports truncation at every prefix and never throws', () => {
    for (const f of [query, response, hex(RAW_IPV4_DNS_QUERY)]) {
      const start = f === query || f === response ? D : 28;
      for (let n = 0; n < f.length - start; n++) {
        const r = parseDns(f, start, n);
        expect(r.ok === false && r.error).toBe('truncated');
      }
    }
    const all = encodeDns(full, { compress: true });
    for (let n = 0; n < all.length; n++) expect(parseDns(all.subarray(0, n)).ok).toBe(false);
  });

  it('rejects rdata of the wrong size for its type', () => {
    const b = encodeDns({ id: 0, questions: [], answers: [{ name: '.', type: DNS_TYPE.A, class: 1, ttl: 1, data: { kind: 'raw', bytes: hex('0102 03') } }], authority: [], additional: [] });
    const r = parseDns(b);
    expect(r.ok === false && r.error).toBe('malformed');
  });

  it('names types, classes and rcodes, unknown ones included', () => {
    expect(dnsTypeName(33)).toBe('SRV');
    expect(dnsTypeName(65280)).toBe('TYPE65280');
    expect(dnsClassName(1)).toBe('IN');
    expect(dnsClassName(32)).toBe('CLASS32');
    expect(dnsRcodeName(3)).toBe('NXDOMAIN');
    expect(dnsRcodeName(12)).toBe('unknown 12');
  });
});
