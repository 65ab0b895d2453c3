/**
 * Property-based fuzzing of the wire codecs (fast-check; runs and seed from
 * src/engine/testing/fuzz-config.ts).
 *
 * 1. Every decoder, and describe/dissect/summarize for each link type, over random bytes and
 *    over mutated real frames (bit flips, byte sets, truncation, insertion, deletion and
 *    length-field corruption of frames built by the emitters): never throws, always returns a
 *    well-formed result, and every layer and field lies inside the frame.
 * 2. emit∘parse is the identity on valid reprs (Ethernet, PPP, ARP, IPv4, UDP, TCP, ICMP,
 *    DNS, HTTP), and parse∘emit gives back the same bytes for canonical encodings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzCheck, fuzzTimeout } from '../../testing/fuzz-config.ts';
import { readU16, writeU16 } from './addr.ts';
import { parseArp, emitArp, type ArpRepr } from './arp.ts';
import type { Parsed, WireError } from './bytes.ts';
import { dissectPacket, describePacket, summarizePacket, type Field, type Layer, type LinkType } from './describe.ts';
import { checkDnsName, emitDns, encodeDns, dnsBufferLen, parseDns, readDnsQuestion, readDnsRecord, type DnsMessage, type DnsRdata, type DnsRecord } from './dns.ts';
import { emitEthernet, ETHERTYPE, parseEthernet, type EthernetRepr } from './ethernet.ts';
import { encodeHttpRequest, encodeHttpResponse, parseHttpRequest, parseHttpResponse, type HttpHeader, type HttpRequest, type HttpResponse } from './http.ts';
import { emitIcmp, icmpBufferLen, parseIcmp, fillIcmpChecksum, type IcmpRepr } from './icmp.ts';
import { emitIpv4, fillIpv4Checksum, IP_PROTO, ipv4HeaderLenOf, parseIpv4, type Ipv4Repr } from './ipv4.ts';
import { emitPpp, parsePpp, PPP_PROTO } from './ppp.ts';
import { emitTcp, fillTcpChecksum, parseTcp, tcpBufferLen, tcpOptionLen, type TcpOption, type TcpRepr } from './tcp.ts';
import { emitUdp, fillUdpChecksum, parseUdp, type UdpRepr } from './udp.ts';

// ---------------------------------------------------------------------------------------------
// Value arbitraries

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const mac = fc.tuple(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 0xffffff })).map(([h, l]) => h * 0x1000000 + l);
const bytes = (maxLength: number, minLength = 0): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength, maxLength });
const port = fc.oneof(u16, fc.constantFrom(53, 80, 8080, 443, 30080));

// DNS names: labels from a label alphabet, sometimes arbitrary bytes in RFC 1035 §5.1 escapes.
const LABEL_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'];

/** The canonical presentation of one label's bytes (as the decoder prints it). */
function presentLabel(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

const labelChars = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...LABEL_CHARS), minLength: 1, maxLength });
const label = fc.oneof(
  { weight: 8, arbitrary: labelChars(12) },
  { weight: 2, arbitrary: labelChars(63) },
  { weight: 1, arbitrary: bytes(63, 1).map(presentLabel) },
);
const dnsName = fc
  .array(label, { maxLength: 6 })
  .map((ls) => (ls.length ? ls.join('.') + '.' : '.'))
  .filter((n) => checkDnsName(n) === null);

const utf8 = new TextEncoder();
// Any text, with the characters that trip decoders (a byte-order mark, NUL, quotes, escapes) made common.
const txtString = fc
  .string({ unit: fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.constantFrom('\uFEFF', '\u0000', '"', '\\', ' ', '\u00e9') }), maxLength: 40 })
  .filter((s) => utf8.encode(s).length <= 255);
const TYPED_RR = new Set([1, 2, 5, 6, 12, 16, 28, 33, 41]);

const rdata: fc.Arbitrary<{ type: number; data: DnsRdata }> = fc.oneof(
  u32.map((address) => ({ type: 1, data: { kind: 'A' as const, address } })),
  bytes(16, 16).map((address) => ({ type: 28, data: { kind: 'AAAA' as const, address } })),
  fc.tuple(fc.constantFrom('CNAME' as const, 'NS' as const, 'PTR' as const), dnsName).map(([kind, target]) => ({
    type: kind === 'CNAME' ? 5 : kind === 'NS' ? 2 : 12,
    data: { kind, target },
  })),
  fc
    .record({ mname: dnsName, rname: dnsName, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 })
    .map((r) => ({ type: 6, data: { kind: 'SOA' as const, ...r } })),
  fc.record({ priority: u16, weight: u16, port: u16, target: dnsName }).map((r) => ({ type: 33, data: { kind: 'SRV' as const, ...r } })),
  fc.array(txtString, { maxLength: 4 }).map((strings) => ({ type: 16, data: { kind: 'TXT' as const, strings } })),
  bytes(40).map((options) => ({ type: 41, data: { kind: 'OPT' as const, options } })),
  fc.tuple(u16.filter((t) => !TYPED_RR.has(t)), bytes(40)).map(([type, b]) => ({ type, data: { kind: 'raw' as const, bytes: b } })),
);

const dnsRecord: fc.Arbitrary<DnsRecord> = fc
  .record({ name: dnsName, class: u16, ttl: u32, rd: rdata })
  .map(({ name, class: cls, ttl, rd }) => ({ name, type: rd.type, class: cls, ttl, data: rd.data }));

const section = fc.array(dnsRecord, { maxLength: 3 });
/** A DNS message with every header field set, as parseDns returns it. */
const dnsMessage: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  qr: fc.boolean(),
  opcode: fc.integer({ min: 0, max: 15 }),
  aa: fc.boolean(),
  tc: fc.boolean(),
  rd: fc.boolean(),
  ra: fc.boolean(),
  z: fc.boolean(),
  ad: fc.boolean(),
  cd: fc.boolean(),
  rcode: fc.integer({ min: 0, max: 15 }),
  questions: fc.array(fc.record({ name: dnsName, type: u16, class: u16 }), { maxLength: 3 }),
  answers: section,
  authority: section,
  additional: section,
});

// HTTP: token names (prefixed so they never mean framing), visible values.
const TOKEN_CHARS = [..."!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"];
const VCHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const fieldValue = fc
  .array(fc.string({ unit: fc.constantFrom(...VCHARS), minLength: 1, maxLength: 10 }), { maxLength: 4 })
  .map((ws) => ws.join(' '));
const extraHeaders = fc.array(fc.tuple(token.map((t) => `X-${t}`), fieldValue), { maxLength: 5 });
type Framing = 'length' | 'chunked' | 'none';
const framing = fc.constantFrom<Framing>('length', 'chunked', 'none');

function framedHeaders(headers: readonly HttpHeader[], body: Uint8Array, how: Framing): HttpHeader[] {
  if (how === 'length') return [...headers, ['Content-Length', String(body.length)]];
  if (how === 'chunked') return [...headers, ['Transfer-Encoding', 'chunked']];
  return [...headers];
}

const httpRequest: fc.Arbitrary<HttpRequest> = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'), token),
    target: fc.string({ unit: fc.constantFrom(...VCHARS), minLength: 1, maxLength: 30 }),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
    headers: extraHeaders,
    body: bytes(64),
    how: framing,
  })
  .map(({ how, ...r }) => {
    const body = how === 'none' ? new Uint8Array(0) : r.body;
    return { ...r, headers: framedHeaders(r.headers, body, how), body };
  });

const httpResponse: fc.Arbitrary<HttpResponse & { readonly how: Framing }> = fc
  .record({
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    reason: fc.oneof(fc.constant(''), fieldValue),
    headers: extraHeaders,
    body: bytes(64),
    how: framing,
  })
  .map((r) => ({ ...r, headers: framedHeaders(r.headers, r.body, r.how) }));

// TCP options that decode back to themselves: unknown kinds avoid the typed ones.
const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant({ kind: 'nop' as const }),
  u16.map((mss) => ({ kind: 'mss' as const, mss })),
  u8.map((shift) => ({ kind: 'wscale' as const, shift })),
  fc.constant({ kind: 'sack-permitted' as const }),
  fc.array(fc.tuple(u32, u32), { maxLength: 4 }).map((blocks) => ({ kind: 'sack' as const, blocks })),
  fc.record({ tsval: u32, tsecr: u32 }).map((t) => ({ kind: 'timestamp' as const, ...t })),
  fc
    .record({ type: fc.integer({ min: 6, max: 255 }).filter((k) => k !== 8), data: bytes(10) })
    .map((o) => ({ kind: 'unknown' as const, ...o })),
);
const tcpOptions = fc.array(tcpOption, { maxLength: 8 }).filter((os) => os.reduce((n, o) => n + tcpOptionLen(o), 0) <= 40);

const icmpRepr: fc.Arbitrary<IcmpRepr> = fc.oneof(
  fc.record({ kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const), ident: u16, seq: u16, data: bytes(64) }),
  fc.record({ kind: fc.constant('dest-unreachable' as const), code: u8, mtu: u16, original: bytes(48) }),
  fc.record({ kind: fc.constant('time-exceeded' as const), code: u8, original: bytes(48) }),
  fc
    .record({ kind: fc.constant('other' as const), type: u8, code: u8, rest: u32, data: bytes(32) })
    .filter((o) => !(((o.type === 0 || o.type === 8) && o.code === 0) || (o.type === 3 && o.rest >>> 16 === 0) || (o.type === 11 && o.rest === 0))),
);

const ipv4Repr: fc.Arbitrary<Ipv4Repr> = fc
  .record({
    src: u32,
    dst: u32,
    proto: u8,
    ttl: u8,
    tos: u8,
    ident: u16,
    dontFrag: fc.boolean(),
    moreFrags: fc.boolean(),
    fragOffset: fc.integer({ min: 0, max: 0x1fff }).map((x) => x * 8),
    options: fc.integer({ min: 0, max: 10 }).chain((n) => bytes(4 * n, 4 * n)),
    payloadLen: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 0xffff - 60 })),
  })
  .map((r) => r);

// ---------------------------------------------------------------------------------------------
// Frames built by the emitters, described as plain data (readable counterexamples)

type AppSpec =
  | { readonly kind: 'dns'; readonly msg: DnsMessage; readonly compress: boolean; readonly tcpLengthPrefix: boolean }
  | { readonly kind: 'http-request'; readonly req: HttpRequest }
  | { readonly kind: 'http-response'; readonly res: HttpResponse }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

type L4Spec =
  | { readonly kind: 'udp'; readonly sp: number; readonly dp: number; readonly app: AppSpec }
  | { readonly kind: 'tcp'; readonly sp: number; readonly dp: number; readonly seq: number; readonly ack: number; readonly flags: number; readonly window: number; readonly options: readonly TcpOption[]; readonly app: AppSpec }
  | { readonly kind: 'icmp'; readonly icmp: IcmpRepr; readonly quote: { readonly proto: number; readonly sp: number; readonly dp: number } | null }
  | { readonly kind: 'other'; readonly proto: number; readonly payload: Uint8Array };

type NetSpec =
  | { readonly kind: 'ipv4'; readonly src: number; readonly dst: number; readonly ttl: number; readonly ident: number; readonly dontFrag: boolean; readonly options: Uint8Array; readonly l4: L4Spec }
  | { readonly kind: 'arp'; readonly arp: ArpRepr }
  | { readonly kind: 'ethertype'; readonly etherType: number; readonly payload: Uint8Array };

interface FrameSpec {
  readonly link: LinkType;
  readonly dstMac: number;
  readonly srcMac: number;
  readonly pppAddressControl: boolean;
  readonly net: NetSpec;
  /** Trailing bytes after the packet (Ethernet padding). */
  readonly pad: number;
}

const appSpec: fc.Arbitrary<AppSpec> = fc.oneof(
  fc.record({ kind: fc.constant('dns' as const), msg: dnsMessage, compress: fc.boolean(), tcpLengthPrefix: fc.boolean() }),
  fc.record({ kind: fc.constant('http-request' as const), req: httpRequest }),
  fc.record({ kind: fc.constant('http-response' as const), res: httpResponse }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: bytes(48) }),
);

const l4Spec: fc.Arbitrary<L4Spec> = fc.oneof(
  fc.record({ kind: fc.constant('udp' as const), sp: port, dp: port, app: appSpec }),
  fc.record({ kind: fc.constant('tcp' as const), sp: port, dp: port, seq: u32, ack: u32, flags: fc.integer({ min: 0, max: 0xfff }), window: u16, options: tcpOptions, app: appSpec }),
  fc.record({ kind: fc.constant('icmp' as const), icmp: icmpRepr, quote: fc.option(fc.record({ proto: fc.constantFrom(1, 6, 17, 47), sp: port, dp: port })) }),
  fc.record({ kind: fc.constant('other' as const), proto: u8.filter((p) => p !== 1 && p !== 6 && p !== 17), payload: bytes(32) }),
);

const netSpec: fc.Arbitrary<NetSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('ipv4' as const), src: u32, dst: u32, ttl: u8, ident: u16, dontFrag: fc.boolean(), options: fc.integer({ min: 0, max: 3 }).chain((n) => bytes(4 * n, 4 * n)), l4: l4Spec }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('arp' as const), arp: fc.record({ operation: fc.oneof(fc.constantFrom(1, 2), u16), senderMac: mac, senderIp: u32, targetMac: mac, targetIp: u32 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ethertype' as const), etherType: u16, payload: bytes(32) }) },
);

const frameSpec: fc.Arbitrary<FrameSpec> = fc.record({
  link: fc.constantFrom<LinkType>('ethernet', 'ppp', 'ipv4'),
  dstMac: mac,
  srcMac: mac,
  pppAddressControl: fc.boolean(),
  net: netSpec,
  pad: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }),
});

/** A length-like field of a built frame: where it is and how wide. */
interface LenField {
  readonly off: number;
  readonly kind: 'u16' | 'u8' | 'hi4' | 'lo4';
}

interface Frame {
  readonly bytes: Uint8Array;
  readonly link: LinkType;
  /** Where each layer starts (link, network, transport, application). */
  readonly layers: readonly number[];
  readonly lenFields: readonly LenField[];
  readonly src: number;
  readonly dst: number;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function buildApp(app: AppSpec, overTcp: boolean): { bytes: Uint8Array; lenFields: LenField[] } {
  switch (app.kind) {
    case 'dns': {
      const msg = encodeDns(app.msg, { compress: app.compress });
      const lenFields: LenField[] = [4, 6, 8, 10].map((off) => ({ off, kind: 'u16' as const }));
      // Every name's first length octet and every RDLENGTH.
      let p = 12;
      for (let i = 0; i < app.msg.questions.length; i++) {
        const q = readDnsQuestion(msg, 0, msg.length, p);
        if (!q.ok) break;
        lenFields.push({ off: p, kind: 'u8' });
        p = q.end;
      }
      for (;;) {
        const r = readDnsRecord(msg, 0, msg.length, p);
        if (!r.ok) break;
        lenFields.push({ off: p, kind: 'u8' }, { off: r.rdataOff - 2, kind: 'u16' });
        p = r.end;
      }
      if (!(overTcp && app.tcpLengthPrefix)) return { bytes: msg, lenFields };
      const prefix = new Uint8Array(2);
      writeU16(prefix, 0, msg.length);
      return { bytes: concat(prefix, msg), lenFields: [{ off: 0, kind: 'u16' }, ...lenFields.map((f) => ({ ...f, off: f.off + 2 }))] };
    }
    case 'http-request':
      return { bytes: encodeHttpRequest(app.req), lenFields: [] };
    case 'http-response':
      return { bytes: encodeHttpResponse(app.res), lenFields: [] };
    case 'bytes':
      return { bytes: app.bytes, lenFields: [] };
  }
}

/** Builds an IPv4 packet carrying `l4` from `net`; offsets are relative to the packet. */
function buildIpv4(net: Extract<NetSpec, { kind: 'ipv4' }>): { bytes: Uint8Array; layers: number[]; lenFields: LenField[] } {
  const { src, dst, l4 } = net;
  let l4Bytes: Uint8Array;
  let proto: number;
  let l4Fields: LenField[] = [];
  let appAt = -1;
  switch (l4.kind) {
    case 'udp': {
      const app = buildApp(l4.app, false);
      // DNS is decoded on port 53: send most DNS payloads there.
      const dp = l4.app.kind === 'dns' && l4.sp !== 53 && l4.sp % 4 !== 0 ? 53 : l4.dp;
      l4Bytes = new Uint8Array(8 + app.bytes.length);
      emitUdp({ srcPort: l4.sp, dstPort: dp, payload: app.bytes }, l4Bytes, 0, src, dst);
      proto = IP_PROTO.UDP;
      appAt = 8;
      l4Fields = [{ off: 4, kind: 'u16' }, ...app.lenFields.map((f) => ({ ...f, off: f.off + 8 }))];
      break;
    }
    case 'tcp': {
      const app = buildApp(l4.app, true);
      const repr: TcpRepr = { srcPort: l4.sp, dstPort: l4.dp, seq: l4.seq, ack: l4.ack, flags: l4.flags, window: l4.window, options: l4.options, payload: app.bytes };
      l4Bytes = new Uint8Array(tcpBufferLen(repr));
      emitTcp(repr, l4Bytes, 0, src, dst);
      proto = IP_PROTO.TCP;
      appAt = l4Bytes.length - app.bytes.length;
      l4Fields = [{ off: 12, kind: 'hi4' }, ...app.lenFields.map((f) => ({ ...f, off: f.off + appAt }))];
      break;
    }
    case 'icmp': {
      let repr = l4.icmp;
      if (l4.quote && (repr.kind === 'dest-unreachable' || repr.kind === 'time-exceeded')) {
        // Quote a real datagram: its IPv4 header and the first 8 bytes of its payload.
        const inner = new Uint8Array(28);
        emitIpv4({ src: dst, dst: src, proto: l4.quote.proto, ttl: 1, payloadLen: 8 + 100 }, inner, 0);
        writeU16(inner, 20, l4.quote.sp);
        writeU16(inner, 22, l4.quote.dp);
        writeU16(inner, 24, 108);
        repr = { ...repr, original: inner };
        l4Fields = [{ off: 8, kind: 'lo4' }, { off: 10, kind: 'u16' }, { off: 32, kind: 'u16' }];
      }
      l4Bytes = new Uint8Array(icmpBufferLen(repr));
      emitIcmp(repr, l4Bytes, 0);
      proto = IP_PROTO.ICMP;
      break;
    }
    case 'other':
      l4Bytes = l4.payload;
      proto = l4.proto;
      break;
  }
  const ipRepr: Ipv4Repr = { src, dst, proto, ttl: net.ttl, ident: net.ident, dontFrag: net.dontFrag, options: net.options, payloadLen: l4Bytes.length };
  const hl = ipv4HeaderLenOf(ipRepr);
  const out = new Uint8Array(hl + l4Bytes.length);
  emitIpv4(ipRepr, out, 0);
  out.set(l4Bytes, hl);
  const layers = [0, hl];
  if (appAt >= 0) layers.push(hl + appAt);
  return {
    bytes: out,
    layers,
    lenFields: [{ off: 0, kind: 'lo4' }, { off: 2, kind: 'u16' }, ...l4Fields.map((f) => ({ ...f, off: f.off + hl }))],
  };
}

function buildFrame(spec: FrameSpec): Frame {
  let net: { bytes: Uint8Array; layers: number[]; lenFields: LenField[] };
  let etherType: number;
  let pppProto: number;
  const n = spec.net;
  if (n.kind === 'ipv4') {
    net = buildIpv4(n);
    etherType = ETHERTYPE.IPV4;
    pppProto = PPP_PROTO.IPV4;
  } else if (n.kind === 'arp') {
    const b = new Uint8Array(28);
    emitArp(n.arp, b, 0);
    net = { bytes: b, layers: [0], lenFields: [{ off: 4, kind: 'u8' }, { off: 5, kind: 'u8' }] };
    etherType = ETHERTYPE.ARP;
    pppProto = 0x8021;
  } else {
    net = { bytes: n.payload, layers: [0], lenFields: [] };
    etherType = n.etherType;
    pppProto = n.etherType & 0xfeff; // an even high octet: the uncompressed form
  }
  let head: Uint8Array;
  const headFields: LenField[] = [];
  if (spec.link === 'ethernet') {
    head = new Uint8Array(14);
    emitEthernet({ dst: spec.dstMac, src: spec.srcMac, etherType }, head, 0);
    headFields.push({ off: 12, kind: 'u16' });
  } else if (spec.link === 'ppp') {
    const ac = spec.pppAddressControl ? [0xff, 0x03] : [];
    head = new Uint8Array(ac.length + 2);
    head.set(ac, 0);
    emitPpp({ protocol: pppProto }, head, ac.length);
    headFields.push({ off: ac.length, kind: 'u16' });
  } else head = new Uint8Array(0);
  const h = head.length;
  const src = n.kind === 'ipv4' ? n.src : 0;
  const dst = n.kind === 'ipv4' ? n.dst : 0;
  return {
    bytes: concat(head, net.bytes, new Uint8Array(spec.pad)),
    link: spec.link,
    layers: [0, ...net.layers.map((o) => o + h)],
    lenFields: [...headFields, ...net.lenFields.map((f) => ({ ...f, off: f.off + h }))],
    src,
    dst,
  };
}

// ---------------------------------------------------------------------------------------------
// Byte mutations

type ByteMutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly v: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly n: number }
  | { readonly op: 'corrupt'; readonly field: number; readonly how: 'zero' | 'max' | 'random' | 'delta'; readonly v: number }
  | { readonly op: 'fixChecksums' };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), v: u8 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: bytes(8, 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('corrupt' as const), field: fc.nat(), how: fc.constantFrom('zero' as const, 'max' as const, 'random' as const, 'delta' as const), v: fc.integer({ min: -0xffff, max: 0xffff }) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'fixChecksums' as const }) },
);

/** Recomputes the IPv4, UDP, TCP and ICMP checksums where the headers still fit, so mutations get past checksum checks. */
function fixChecksums(b: Uint8Array, f: Frame): void {
  const ip = f.layers[1]!;
  if (f.link === 'ethernet' ? readU16(b, 12) !== ETHERTYPE.IPV4 : false) return;
  if (ip + 20 > b.length || b[ip]! >>> 4 !== 4) return;
  const hl = (b[ip]! & 15) * 4;
  if (hl < 20 || ip + hl > b.length) return;
  fillIpv4Checksum(b, ip);
  const total = Math.min(readU16(b, ip + 2), b.length - ip);
  const l4 = ip + hl;
  const l4len = total - hl;
  const src = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
  const dst = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
  const proto = b[ip + 9];
  if (proto === IP_PROTO.UDP && l4len >= 8) {
    const ulen = readU16(b, l4 + 4);
    if (ulen >= 8 && ulen <= l4len) fillUdpChecksum(b, l4, ulen, src, dst);
  } else if (proto === IP_PROTO.TCP && l4len >= 20) fillTcpChecksum(b, l4, l4len, src, dst);
  else if (proto === IP_PROTO.ICMP && l4len >= 8) fillIcmpChecksum(b, l4, l4len);
}

function applyByteMutations(f: Frame, ms: readonly ByteMutation[]): Uint8Array {
  let b: Uint8Array = f.bytes.slice();
  for (const m of ms) {
    switch (m.op) {
      case 'flip':
        if (b.length) b[m.at % b.length]! ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length) b[m.at % b.length] = m.v;
        break;
      case 'truncate':
        b = b.slice(0, m.at % (b.length + 1));
        break;
      case 'insert': {
        const p = m.at % (b.length + 1);
        b = concat(b.subarray(0, p), m.bytes, b.subarray(p));
        break;
      }
      case 'delete': {
        const p = m.at % (b.length + 1);
        b = concat(b.subarray(0, p), b.subarray(p + m.n));
        break;
      }
      case 'corrupt': {
        if (f.lenFields.length === 0) break;
        const lf = f.lenFields[m.field % f.lenFields.length]!;
        if (lf.off + (lf.kind === 'u16' ? 2 : 1) > b.length) break;
        const max = lf.kind === 'u16' ? 0xffff : lf.kind === 'u8' ? 0xff : 0xf;
        const cur = lf.kind === 'u16' ? readU16(b, lf.off) : lf.kind === 'u8' ? b[lf.off]! : lf.kind === 'hi4' ? b[lf.off]! >>> 4 : b[lf.off]! & 15;
        const v =
          m.how === 'zero' ? 0 : m.how === 'max' ? max : m.how === 'random' ? Math.abs(m.v) & max : Math.min(max, Math.max(0, cur + (m.v % 17)));
        if (lf.kind === 'u16') writeU16(b, lf.off, v);
        else if (lf.kind === 'u8') b[lf.off] = v;
        else if (lf.kind === 'hi4') b[lf.off] = (b[lf.off]! & 0x0f) | (v << 4);
        else b[lf.off] = (b[lf.off]! & 0xf0) | v;
        break;
      }
      case 'fixChecksums':
        fixChecksums(b, f);
        break;
    }
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// What every decoder must do on any input

const KINDS: ReadonlySet<WireError> = new Set<WireError>(['truncated', 'bad checksum', 'malformed', 'incomplete']);

function fail(msg: string): never {
  throw new Error(msg);
}

/** A result is either a repr or an error kind with a non-empty detail. */
function checkResult<T>(name: string, r: Parsed<T> | { ok: true; repr: T; consumed: number } | { ok: false; error: WireError; detail: string }): T | null {
  if (r === null || typeof r !== 'object' || typeof r.ok !== 'boolean') fail(`${name}: not a result: ${String(r)}`);
  if (r.ok) {
    if (r.repr === undefined || r.repr === null) fail(`${name}: ok without a repr`);
    return r.repr;
  }
  if (!KINDS.has(r.error)) fail(`${name}: unknown error kind ${String(r.error)}`);
  if (typeof r.detail !== 'string' || r.detail === '') fail(`${name}: error without a detail`);
  return null;
}

/** Runs every decoder on bytes[off, off+len) and checks its result. */
function runDecoders(b: Uint8Array, off: number, len: number, src: number, dst: number): void {
  const have = Math.max(0, Math.min(len, b.length - off));
  checkResult('parseEthernet', parseEthernet(b, off, len));
  const ppp = checkResult('parsePpp', parsePpp(b, off, len));
  if (ppp && (ppp.headerLen < 1 || ppp.headerLen > 4 || ppp.headerLen > have)) fail(`parsePpp: header length ${ppp.headerLen} with ${have} bytes`);
  checkResult('parseArp', parseArp(b, off, len));
  for (const opts of [{}, { verifyChecksum: false }, { quoted: true, verifyChecksum: false }]) {
    const ip = checkResult('parseIpv4', parseIpv4(b, off, len, opts));
    if (ip) {
      const hl = 20 + ip.options!.length;
      if (hl > 60 || hl > have) fail(`parseIpv4: header length ${hl} with ${have} bytes`);
      if (!('quoted' in opts) && hl + ip.payloadLen > have) fail(`parseIpv4: payload ${ip.payloadLen} past ${have} bytes`);
    }
  }
  for (const opts of [{}, { verifyChecksum: false }]) {
    const icmp = checkResult('parseIcmp', parseIcmp(b, off, len, opts));
    if (icmp) {
      const body = icmp.kind === 'dest-unreachable' || icmp.kind === 'time-exceeded' ? icmp.original : icmp.data;
      if (8 + body.length !== have) fail(`parseIcmp: body ${body.length} with ${have} bytes`);
    }
    const udp = checkResult('parseUdp', parseUdp(b, off, len, src, dst, opts));
    if (udp && 8 + udp.payload.length > have) fail(`parseUdp: payload ${udp.payload.length} past ${have} bytes`);
    const tcp = checkResult('parseTcp', parseTcp(b, off, len, src, dst, opts));
    if (tcp && 20 + tcp.payload.length > have) fail(`parseTcp: payload ${tcp.payload.length} past ${have} bytes`);
  }
  const dns = checkResult('parseDns', parseDns(b, off, len));
  if (dns && dns.questions.length !== readU16(b, off + 4)) fail('parseDns: question count differs from QDCOUNT');
  const req = parseHttpRequest(b, off, len);
  checkResult('parseHttpRequest', req);
  if (req.ok && (req.consumed < 0 || req.consumed > have)) fail(`parseHttpRequest: consumed ${req.consumed} of ${have}`);
  for (const opts of [{ eof: true }, {}, { requestMethod: 'HEAD' }]) {
    const res = parseHttpResponse(b, off, len, opts);
    checkResult('parseHttpResponse', res);
    if (res.ok && (res.consumed < 0 || res.consumed > have)) fail(`parseHttpResponse: consumed ${res.consumed} of ${have}`);
  }
}

function checkField(f: Field, n: number, where: string): void {
  if (typeof f.name !== 'string' || typeof f.value !== 'string') fail(`${where}: field without a name or value`);
  if (!Number.isInteger(f.offset) || !Number.isInteger(f.len) || f.offset < 0 || f.len < 0 || f.offset + f.len > n) {
    fail(`${where}: field "${f.name}" at [${f.offset}, +${f.len}) is outside the ${n}-byte frame`);
  }
  for (const c of f.children ?? []) checkField(c, n, `${where} > ${f.name}`);
}

function checkLayers(layers: readonly Layer[], n: number, link: LinkType): void {
  if (!Array.isArray(layers)) fail(`${link}: layers is not an array`);
  for (const l of layers) {
    const where = `${link} ${l.layer}`;
    if (typeof l.layer !== 'string' || typeof l.summary !== 'string') fail(`${where}: layer without a name or summary`);
    if (!Number.isInteger(l.offset) || !Number.isInteger(l.len) || l.offset < 0 || l.len < 0 || l.offset + l.len > n) {
      fail(`${where}: layer at [${l.offset}, +${l.len}) is outside the ${n}-byte frame`);
    }
    if (l.error !== undefined) {
      if (l.error.includes('internal decoder error')) fail(`${where}: a decoder threw: ${l.error}`);
      if (![...KINDS].some((k) => l.error!.startsWith(k))) fail(`${where}: error "${l.error}" does not start with an error kind`);
    }
    for (const f of l.fields) checkField(f, n, where);
  }
}

/** describe/dissect/summarize for every link type. */
function runDescribe(b: Uint8Array): void {
  for (const link of ['ethernet', 'ppp', 'ipv4'] as const) {
    const d = dissectPacket(b, link);
    checkLayers(d.layers, b.length, link);
    if (typeof d.summary !== 'string' || d.summary === '') fail(`${link}: empty summary`);
    if (typeof d.protocol !== 'string' || d.protocol === '') fail(`${link}: empty protocol`);
    if (describePacket(b, link).length !== d.layers.length) fail(`${link}: describePacket differs from dissectPacket`);
    if (summarizePacket(b, link) !== d.summary) fail(`${link}: summarizePacket differs from dissectPacket`);
  }
}

// Random input: plain random bytes, or random bytes behind a plausible header so decoders get past their first check.
const PREFIXES: readonly number[][] = [
  [],
  [0x45],
  [0x46, 0x00],
  [0x00, 0x21, 0x45],
  [0xff, 0x03, 0x00, 0x21, 0x45],
  [0x00, 0x01, 0x08, 0x00, 0x06, 0x04],
  [...'GET / HTTP/1.1\r\n'].map((c) => c.charCodeAt(0)),
  [...'HTTP/1.1 200 OK\r\n'].map((c) => c.charCodeAt(0)),
];
const randomInput = fc
  .record({ prefix: fc.constantFrom(...PREFIXES), body: bytes(300), dnsPointer: fc.boolean() })
  .map(({ prefix, body, dnsPointer }) => {
    const b = concat(Uint8Array.from(prefix), body);
    if (dnsPointer && b.length > 13) b[12] = 0xc0 | (b[12]! & 0x3f); // bias toward DNS compression pointers
    return b;
  });
/** An offset into the buffer and a length that may run past its end. */
const span = fc.record({ off: fc.nat(), len: fc.nat(), over: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 })) });

// ---------------------------------------------------------------------------------------------
// Property 1: decoders and describe never throw and return well-formed results

describe('fuzz: wire decoders on hostile input', () => {
  it(
    'fuzz: every decoder on random bytes returns a result',
    () => {
      fuzzCheck(
        'wire decoders on random bytes',
        fc.property(randomInput, span, u32, u32, (b, w, src, dst) => {
          const off = w.off % (b.length + 1);
          const len = w.over ? b.length - off + w.over : w.len % (b.length - off + 1);
          runDecoders(b, off, len, src, dst);
          runDecoders(b, 0, b.length, src, dst);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: every decoder on mutated real frames returns a result',
    () => {
      fuzzCheck(
        'wire decoders on mutated frames',
        fc.property(frameSpec, fc.array(byteMutation, { minLength: 1, maxLength: 5 }), fc.nat(), (spec, muts, lenSeed) => {
          const f = buildFrame(spec);
          const b = applyByteMutations(f, muts);
          for (const off of f.layers) {
            if (off > b.length) continue;
            runDecoders(b, off, b.length - off, f.src, f.dst);
            runDecoders(b, off, lenSeed % (b.length - off + 40), f.src, f.dst);
          }
        }),
      );
    },
    fuzzTimeout(1),
  );

  it(
    'fuzz: describe, dissect and summarize random bytes for each link type',
    () => {
      fuzzCheck(
        'describe on random bytes',
        fc.property(randomInput, (b) => runDescribe(b)),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: describe, dissect and summarize mutated real frames for each link type',
    () => {
      fuzzCheck(
        'describe on mutated frames',
        fc.property(frameSpec, fc.array(byteMutation, { maxLength: 5 }), (spec, muts) => {
          const f = buildFrame(spec);
          const b = applyByteMutations(f, muts);
          runDescribe(b);
          // Unmutated frames decode without errors at the layers the emitters wrote correctly.
          if (muts.length === 0 && spec.net.kind === 'ipv4' && spec.pad === 0) {
            const ip = dissectPacket(b, f.link).layers.find((l) => l.layer === 'IPv4');
            expect(ip?.error).toBeUndefined();
          }
        }),
      );
    },
    fuzzTimeout(1),
  );
});

// ---------------------------------------------------------------------------------------------
// Property 2: emit∘parse is the identity on valid reprs

/** Structural equality (arrays, typed arrays, plain objects), without expect's cost on the passing path. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** expect(actual).toEqual(expected), checked cheaply first (expect shows the diff on failure). */
function expectSame(actual: unknown, expected: unknown): void {
  if (!same(actual, expected)) expect(actual).toEqual(expected);
}

/** parse(emit(repr)) for a fixed-size header. */
function emitParse<T>(size: number, emit: (b: Uint8Array) => number, parse: (b: Uint8Array) => Parsed<T>): T {
  const b = new Uint8Array(size).fill(0xa5);
  expect(emit(b)).toBe(size);
  const r = parse(b);
  if (!r.ok) throw new Error(`parse failed: ${r.error}: ${r.detail}`);
  return r.repr;
}

describe('fuzz: emit then parse is the identity on valid reprs', () => {
  it(
    'fuzz: Ethernet',
    () => {
      fuzzCheck(
        'emit/parse Ethernet',
        fc.property(fc.record({ dst: mac, src: mac, etherType: u16 }), (r: EthernetRepr) => {
          expectSame(emitParse(14, (b) => emitEthernet(r, b), (b) => parseEthernet(b)), r);
        }),
      );
    },
    fuzzTimeout(0.2),
  );

  it(
    'fuzz: PPP',
    () => {
      // RFC 1661 §2: the high octet of a Protocol value is even.
      fuzzCheck(
        'emit/parse PPP',
        fc.property(fc.tuple(u8.map((h) => h & 0xfe), u8), ([hi, lo]) => {
          const protocol = (hi << 8) | lo;
          expectSame(emitParse(2, (b) => emitPpp({ protocol }, b), (b) => parsePpp(b)), { protocol, headerLen: 2 });
        }),
      );
    },
    fuzzTimeout(0.2),
  );

  it(
    'fuzz: ARP',
    () => {
      fuzzCheck(
        'emit/parse ARP',
        fc.property(fc.record({ operation: u16, senderMac: mac, senderIp: u32, targetMac: mac, targetIp: u32 }), (r: ArpRepr) => {
          expectSame(emitParse(28, (b) => emitArp(r, b), (b) => parseArp(b)), r);
        }),
      );
    },
    fuzzTimeout(0.2),
  );

  it(
    'fuzz: IPv4',
    () => {
      fuzzCheck(
        'emit/parse IPv4',
        fc.property(ipv4Repr, (r) => {
          const hl = ipv4HeaderLenOf(r);
          const b = new Uint8Array(hl + r.payloadLen);
          expect(emitIpv4(r, b)).toBe(hl);
          const p = parseIpv4(b);
          if (!p.ok) throw new Error(`${p.error}: ${p.detail}`);
          expectSame(p.repr, r);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: UDP',
    () => {
      fuzzCheck(
        'emit/parse UDP',
        fc.property(fc.record({ srcPort: u16, dstPort: u16, payload: bytes(200) }), u32, u32, (r: UdpRepr, src, dst) => {
          const b = new Uint8Array(8 + r.payload.length);
          expect(emitUdp(r, b, 0, src, dst)).toBe(b.length);
          expect(readU16(b, 6)).not.toBe(0);
          const p = parseUdp(b, 0, b.length, src, dst);
          if (!p.ok) throw new Error(`${p.error}: ${p.detail}`);
          expectSame(p.repr, r);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: TCP',
    () => {
      fuzzCheck(
        'emit/parse TCP',
        fc.property(
          fc.record({ srcPort: u16, dstPort: u16, seq: u32, ack: u32, flags: fc.integer({ min: 0, max: 0xfff }), window: u16, urgent: u16, options: tcpOptions, payload: bytes(200) }),
          u32,
          u32,
          (r: TcpRepr, src, dst) => {
            const b = new Uint8Array(tcpBufferLen(r));
            expect(emitTcp(r, b, 0, src, dst)).toBe(b.length);
            const p = parseTcp(b, 0, b.length, src, dst);
            if (!p.ok) throw new Error(`${p.error}: ${p.detail}`);
            expectSame(p.repr, r);
          },
        ),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: ICMP',
    () => {
      fuzzCheck(
        'emit/parse ICMP',
        fc.property(icmpRepr, (r) => {
          const b = new Uint8Array(icmpBufferLen(r));
          expect(emitIcmp(r, b, 0)).toBe(b.length);
          const p = parseIcmp(b);
          if (!p.ok) throw new Error(`${p.error}: ${p.detail}`);
          expectSame(p.repr, r);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: DNS (uncompressed and compressed names)',
    () => {
      fuzzCheck(
        'emit/parse DNS',
        fc.property(dnsMessage, fc.boolean(), (msg, compress) => {
          const b = encodeDns(msg, { compress });
          expect(b.length).toBeLessThanOrEqual(dnsBufferLen(msg));
          const p = parseDns(b);
          if (!p.ok) throw new Error(`${p.error}: ${p.detail}`);
          expectSame(p.repr, msg);
        }),
      );
    },
    fuzzTimeout(1),
  );

  it(
    'fuzz: HTTP requests and responses',
    () => {
      fuzzCheck(
        'emit/parse HTTP',
        fc.property(httpRequest, httpResponse, (req, { how, ...res }) => {
          const rb = encodeHttpRequest(req);
          const pr = parseHttpRequest(rb);
          if (!pr.ok) throw new Error(`request: ${pr.error}: ${pr.detail}`);
          expectSame(pr.repr, req);
          expect(pr.consumed).toBe(rb.length);
          const sb = encodeHttpResponse(res);
          const ps = parseHttpResponse(sb, 0, sb.length, { eof: how === 'none' });
          if (!ps.ok) throw new Error(`response: ${ps.error}: ${ps.detail}`);
          expectSame(ps.repr, res);
          expect(ps.consumed).toBe(sb.length);
        }),
      );
    },
    fuzzTimeout(0.5),
  );
});

// ---------------------------------------------------------------------------------------------
// Property 2b: parse then emit gives back the same bytes for canonical encodings

function expectSameBytes(a: Uint8Array, b: Uint8Array): void {
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) expect(Array.from(b)).toEqual(Array.from(a));
}

describe('fuzz: parse then emit gives back canonical bytes', () => {
  it(
    'fuzz: Ethernet, ARP and PPP headers',
    () => {
      fuzzCheck(
        'parse/emit bytes Ethernet ARP PPP',
        fc.property(bytes(14, 14), bytes(20, 20), u8, u8, (eth, arpTail, hi, lo) => {
          const e = parseEthernet(eth);
          if (!e.ok) throw new Error(e.detail);
          const eb = new Uint8Array(14);
          emitEthernet(e.repr, eb);
          expectSameBytes(eth, eb);
          const arp = concat(Uint8Array.from([0, 1, 8, 0, 6, 4, 0, 0]), arpTail);
          arp[6] = hi;
          arp[7] = lo;
          const a = parseArp(arp);
          if (!a.ok) throw new Error(a.detail);
          const ab = new Uint8Array(28);
          emitArp(a.repr, ab);
          expectSameBytes(arp, ab);
          const ppp = Uint8Array.from([hi & 0xfe, lo]);
          const p = parsePpp(ppp);
          if (!p.ok) throw new Error(p.detail);
          const pb = new Uint8Array(2);
          emitPpp(p.repr, pb);
          expectSameBytes(ppp, pb);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: IPv4 headers',
    () => {
      fuzzCheck(
        'parse/emit bytes IPv4',
        fc.property(fc.integer({ min: 5, max: 15 }), bytes(60, 60), fc.integer({ min: 0, max: 200 }), (ihl, raw, payloadLen) => {
          const hl = ihl * 4;
          const b = new Uint8Array(hl + payloadLen);
          b.set(raw.subarray(0, hl));
          b[0] = 0x40 | ihl;
          writeU16(b, 2, hl + payloadLen);
          b[6]! &= 0x7f; // the reserved flag bit is not part of the repr
          fillIpv4Checksum(b, 0);
          const p = parseIpv4(b);
          if (!p.ok) throw new Error(p.detail);
          const out = new Uint8Array(hl);
          expect(emitIpv4(p.repr, out)).toBe(hl);
          expectSameBytes(b.subarray(0, hl), out);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: UDP, TCP and ICMP messages',
    () => {
      fuzzCheck(
        'parse/emit bytes UDP TCP ICMP',
        fc.property(bytes(20, 20), bytes(100), u32, u32, (head, payload, src, dst) => {
          const udp = concat(head.subarray(0, 8), payload);
          writeU16(udp, 4, udp.length);
          fillUdpChecksum(udp, 0, udp.length, src, dst);
          const u = parseUdp(udp, 0, udp.length, src, dst);
          if (!u.ok) throw new Error(u.detail);
          const ub = new Uint8Array(udp.length);
          emitUdp(u.repr, ub, 0, src, dst);
          expectSameBytes(udp, ub);

          const tcp = concat(head, payload);
          tcp[12] = 0x50 | (tcp[12]! & 0x0f); // no options: any other bits are flags
          fillTcpChecksum(tcp, 0, tcp.length, src, dst);
          const t = parseTcp(tcp, 0, tcp.length, src, dst);
          if (!t.ok) throw new Error(t.detail);
          const tb = new Uint8Array(tcp.length);
          emitTcp(t.repr, tb, 0, src, dst);
          expectSameBytes(tcp, tb);

          const icmp = concat(head.subarray(0, 8), payload);
          fillIcmpChecksum(icmp, 0, icmp.length);
          const i = parseIcmp(icmp);
          if (!i.ok) throw new Error(i.detail);
          const ib = new Uint8Array(icmp.length);
          emitIcmp(i.repr, ib, 0);
          expectSameBytes(icmp, ib);
        }),
      );
    },
    fuzzTimeout(0.3),
  );

  it(
    'fuzz: DNS messages',
    () => {
      fuzzCheck(
        'parse/emit bytes DNS',
        fc.property(dnsMessage, fc.boolean(), (msg, compress) => {
          const b = encodeDns(msg, { compress });
          const p = parseDns(b);
          if (!p.ok) throw new Error(`${p.error}: ${p.detail}`);
          const again = new Uint8Array(dnsBufferLen(p.repr));
          const n = emitDns(p.repr, again, 0, { compress });
          expectSameBytes(b, again.subarray(0, n));
        }),
      );
    },
    fuzzTimeout(1),
  );
});

// ---------------------------------------------------------------------------------------------
// Regressions: inputs the fuzzers found, kept as plain tests

describe('fuzz regressions', () => {
  it('a TXT string that starts with a byte-order mark keeps it (emit/parse DNS, seed 1051145701)', () => {
    const msg: DnsMessage = {
      id: 0,
      questions: [],
      answers: [],
      authority: [],
      additional: [{ name: '.', type: 16, class: 0, ttl: 0, data: { kind: 'TXT', strings: ['\uFEFF', '\uFEFFabc'] } }],
    };
    const p = parseDns(encodeDns(msg));
    expect(p.ok && p.repr.additional[0]!.data).toEqual({ kind: 'TXT', strings: ['\uFEFF', '\uFEFFabc'] });
  });
});
