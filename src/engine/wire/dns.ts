/**
 * DNS messages (RFC 1035 §4): header, question and the answer/authority/additional resource
 * records, with typed rdata for A, AAAA (RFC 3596), CNAME, NS, PTR, SOA, SRV (RFC 2782), TXT
 * and OPT (EDNS0, RFC 6891, options kept raw). Every other type keeps its rdata raw
 * (RFC 3597), so nothing is lost.
 *
 * Names are presentation-format strings with a trailing dot ("kube-dns.kube-system.svc.
 * cluster.local."; the root is "."), escaped as RFC 1035 §5.1 does ("\." inside a label,
 * "\DDD" for other bytes). Decoding follows compression pointers (RFC 1035 §4.1.4) with a
 * hop limit, so a pointer loop is reported as malformed instead of hanging. Emitting writes
 * names uncompressed by default, as CoreDNS does for small replies; `compress: true` points
 * repeated suffixes back at earlier names.
 */
import { formatIpv4, formatIpv6, readU16, readU32, writeU16, writeU32, type Ipv4Addr } from './addr.ts';
import { fail, nameOr, ok, toHex, type ParseFailure, type Parsed } from './bytes.ts';

/** Byte offsets of the DNS header fields (RFC 1035 §4.1.1). */
export const DNS = Object.freeze({
  ID: 0,
  FLAGS: 2,
  QDCOUNT: 4,
  ANCOUNT: 6,
  NSCOUNT: 8,
  ARCOUNT: 10,
  HEADER_LEN: 12,
} as const);

/** The well-known DNS port. */
export const DNS_PORT = 53;

/** Bits of the header flags word (RFC 1035 §4.1.1; AD/CD RFC 4035 §3.2). */
export const DNS_FLAG = Object.freeze({
  QR: 0x8000,
  OPCODE_MASK: 0x7800,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  Z: 0x0040,
  AD: 0x0020,
  CD: 0x0010,
  RCODE_MASK: 0x000f,
} as const);

/** Resource record types (IANA "Resource Record (RR) TYPEs"). */
export const DNS_TYPE = Object.freeze({
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  AXFR: 252,
  ANY: 255,
} as const);

/** Classes (RFC 1035 §3.2.4; NONE RFC 2136). */
export const DNS_CLASS = Object.freeze({
  IN: 1,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const);

/** Response codes (RFC 1035 §4.1.1; IANA "DNS RCODEs"). */
export const DNS_RCODE = Object.freeze({
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const);

/** Opcodes (RFC 1035 §4.1.1; NOTIFY RFC 1996, UPDATE RFC 2136). */
export const DNS_OPCODE = Object.freeze({
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
} as const);

const TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  64: 'SVCB',
  65: 'HTTPS',
  251: 'IXFR',
  252: 'AXFR',
  255: 'ANY',
  257: 'CAA',
});
const CLASS_NAMES: Readonly<Record<number, string>> = Object.freeze({ 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' });
const RCODE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
});
const OPCODE_NAMES: Readonly<Record<number, string>> = Object.freeze({ 0: 'QUERY', 1: 'IQUERY', 2: 'STATUS', 4: 'NOTIFY', 5: 'UPDATE' });

/** The mnemonic of an RR type ("A", "SRV", …); unknown types use the RFC 3597 §5 form "TYPE65280". */
export function dnsTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE${t}`;
}

/** The mnemonic of a class ("IN", …); unknown classes use the RFC 3597 §5 form "CLASS32". */
export function dnsClassName(c: number): string {
  return CLASS_NAMES[c] ?? `CLASS${c}`;
}

/** The name of a response code ("NOERROR", "NXDOMAIN", …) or "unknown N". */
export function dnsRcodeName(r: number): string {
  return nameOr(RCODE_NAMES, r);
}

/** The name of an opcode ("QUERY", …) or "unknown N". */
export function dnsOpcodeName(o: number): string {
  return nameOr(OPCODE_NAMES, o);
}

/** A question entry (RFC 1035 §4.1.2). */
export interface DnsQuestion {
  /** Presentation name with trailing dot. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/** Typed rdata; `raw` keeps the bytes of any other type (RFC 3597). */
export type DnsRdata =
  | { readonly kind: 'A'; readonly address: Ipv4Addr }
  | { readonly kind: 'AAAA'; /** 16 bytes. */ readonly address: Uint8Array }
  | { readonly kind: 'CNAME' | 'NS' | 'PTR'; readonly target: string }
  | {
      readonly kind: 'SOA';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    }
  | { readonly kind: 'SRV'; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  | { readonly kind: 'TXT'; /** The character-strings, as UTF-8 text (each at most 255 bytes encoded). */ readonly strings: readonly string[] }
  | { readonly kind: 'OPT'; /** The EDNS0 options, raw {code, length, data}* (RFC 6891 §6.1.2). */ readonly options: Uint8Array }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/**
 * A resource record (RFC 1035 §4.1.3). `type` is written as given; `data` decides how rdata is
 * encoded, so a mismatched pair can craft a malformed record on purpose. For OPT (RFC 6891
 * §6.1.3) `class` is the requestor's UDP payload size and `ttl` holds extended RCODE,
 * version and the DO bit.
 */
export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** Unsigned 32-bit seconds. */
  readonly ttl: number;
  readonly data: DnsRdata;
}

/** A DNS message. Optional header bits default to false/0; {@link parseDns} fills them all. */
export interface DnsMessage {
  readonly id: number;
  /** Response (true) or query. */
  readonly qr?: boolean;
  readonly opcode?: number;
  /** Authoritative Answer. */
  readonly aa?: boolean;
  /** TrunCation. */
  readonly tc?: boolean;
  /** Recursion Desired. */
  readonly rd?: boolean;
  /** Recursion Available. */
  readonly ra?: boolean;
  /** The reserved Z bit (kept so a round trip is exact). */
  readonly z?: boolean;
  /** Authentic Data (RFC 4035). */
  readonly ad?: boolean;
  /** Checking Disabled (RFC 4035). */
  readonly cd?: boolean;
  /** The 4-bit header RCODE (DNS_RCODE.*). */
  readonly rcode?: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** The header flags word of `msg`. */
export function dnsFlagsOf(msg: DnsMessage): number {
  return (
    (msg.qr ? DNS_FLAG.QR : 0) |
    (((msg.opcode ?? 0) & 0xf) << 11) |
    (msg.aa ? DNS_FLAG.AA : 0) |
    (msg.tc ? DNS_FLAG.TC : 0) |
    (msg.rd ? DNS_FLAG.RD : 0) |
    (msg.ra ? DNS_FLAG.RA : 0) |
    (msg.z ? DNS_FLAG.Z : 0) |
    (msg.ad ? DNS_FLAG.AD : 0) |
    (msg.cd ? DNS_FLAG.CD : 0) |
    ((msg.rcode ?? 0) & 0xf)
  );
}

/** The message ID at `off`. Precondition: 12 bytes available. */
export function dnsId(b: Uint8Array, off: number): number {
  return readU16(b, off + DNS.ID);
}

/** The header flags word at `off`. */
export function dnsFlags(b: Uint8Array, off: number): number {
  return readU16(b, off + DNS.FLAGS);
}

/** EDNS0 fields carried in an OPT record's class and TTL (RFC 6891 §6.1.3). */
export interface EdnsInfo {
  readonly udpPayloadSize: number;
  /** The upper 8 bits of the 12-bit extended RCODE. */
  readonly extendedRcode: number;
  readonly version: number;
  /** DNSSEC OK. */
  readonly dnssecOk: boolean;
}

/** The EDNS0 fields of an OPT record. */
export function ednsInfo(rec: DnsRecord): EdnsInfo {
  return {
    udpPayloadSize: rec.class,
    extendedRcode: rec.ttl >>> 24,
    version: (rec.ttl >>> 16) & 0xff,
    dnssecOk: (rec.ttl & 0x8000) !== 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Names

/** Longest name on the wire (RFC 1035 §2.3.4). */
const MAX_NAME_WIRE = 255;
/** Longest label (RFC 1035 §2.3.4). */
const MAX_LABEL = 63;
/** More pointer hops than a legal 255-byte name can need: stops compression loops. */
const MAX_POINTER_HOPS = 127;

function appendLabel(out: string, b: Uint8Array, p: number, n: number): string {
  for (let i = p; i < p + n; i++) {
    const c = b[i]!;
    if (c === 0x2e || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\' + c.toString().padStart(3, '0');
  }
  return out + '.';
}

/** The result of reading a name: the presentation name and the position after it in place, or a failure. */
export type DnsNameRead = { readonly ok: true; readonly name: string; readonly end: number } | ParseFailure;

/**
 * Reads a possibly compressed name at `pos` in the message bytes[msgOff, msgOff+msgLen)
 * (RFC 1035 §4.1.4). Pointers are relative to msgOff. `end` is where the name ends at `pos`
 * (after the first pointer, if any). Loops and over-long names are "malformed".
 */
export function readDnsName(b: Uint8Array, msgOff: number, msgLen: number, pos: number): DnsNameRead {
  const msgEnd = Math.min(b.length, msgOff + msgLen);
  let p = pos;
  let end = -1;
  let hops = 0;
  let wire = 1;
  let name = '';
  for (;;) {
    if (p >= msgEnd) return fail('truncated', `DNS name at offset ${pos - msgOff} runs past the message`);
    const n = b[p]!;
    if (n === 0) {
      if (end < 0) end = p + 1;
      return { ok: true, name: name === '' ? '.' : name, end };
    }
    const tag = n & 0xc0;
    if (tag === 0xc0) {
      if (p + 2 > msgEnd) return fail('truncated', `DNS compression pointer at offset ${p - msgOff} is cut off`);
      const target = ((n & 0x3f) << 8) | b[p + 1]!;
      if (end < 0) end = p + 2;
      if (++hops > MAX_POINTER_HOPS) return fail('malformed', `DNS compression pointers loop (name at offset ${pos - msgOff})`);
      if (msgOff + target >= msgEnd) return fail('malformed', `DNS compression pointer to offset ${target} is outside the message`);
      p = msgOff + target;
      continue;
    }
    if (tag !== 0) return fail('malformed', `DNS label type 0x${tag.toString(16)} at offset ${p - msgOff} is not supported (RFC 6891 §5)`);
    if (p + 1 + n > msgEnd) return fail('truncated', `DNS label at offset ${p - msgOff} runs past the message`);
    wire += n + 1;
    if (wire > MAX_NAME_WIRE) return fail('malformed', `DNS name at offset ${pos - msgOff} is longer than 255 bytes`);
    name = appendLabel(name, b, p + 1, n);
    p += 1 + n;
  }
}

const utf8 = new TextEncoder();
// ignoreBOM: a TXT string that starts with U+FEFF keeps it (the default decoder drops it).
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Splits a presentation name into label bytes (RFC 1035 §5.1 escapes; other text as UTF-8), or returns an error message. */
export function dnsNameLabels(name: string): Uint8Array[] | string {
  if (name === '.' || name === '') return [];
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let wire = 1;
  const push = (): string | null => {
    if (cur.length === 0) return `empty label in DNS name "${name}"`;
    if (cur.length > MAX_LABEL) return `label longer than 63 bytes in DNS name "${name}"`;
    wire += cur.length + 1;
    labels.push(Uint8Array.from(cur));
    cur = [];
    return null;
  };
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '.') {
      const e = push();
      if (e) return e;
    } else if (ch === '\\') {
      const d = /^\d{3}/.exec(name.slice(i + 1, i + 4));
      if (d) {
        const v = Number(d[0]);
        if (v > 255) return `escape \\${d[0]} above 255 in DNS name "${name}"`;
        cur.push(v);
        i += 3;
      } else if (i + 1 < name.length) {
        cur.push(...utf8.encode(name[i + 1]!));
        i += 1;
      } else return `trailing backslash in DNS name "${name}"`;
    } else {
      const c = name.charCodeAt(i);
      if (c < 0x80) cur.push(c);
      else cur.push(...utf8.encode(ch));
    }
  }
  if (cur.length > 0) {
    const e = push();
    if (e) return e;
  }
  if (wire > MAX_NAME_WIRE) return `DNS name "${name}" is longer than 255 bytes`;
  return labels;
}

/** Null when `name` can be encoded, else why not (empty or over-long label, name over 255 bytes). */
export function checkDnsName(name: string): string | null {
  const l = dnsNameLabels(name);
  return typeof l === 'string' ? l : null;
}

/** A name's labels, and the compression key of each suffix (labels i…end), made once per name. */
interface EncodedName {
  readonly labels: readonly Uint8Array[];
  readonly suffixKeys: readonly string[];
}

/**
 * Names recently encoded: a DNS server answering a cluster's lookups writes the same few
 * thousand names over and over. Entries are never changed; the cache is emptied when full.
 */
const encodedNames = new Map<string, EncodedName>();
const ENCODED_NAMES_MAX = 1024;

function encodedName(name: string): EncodedName {
  let e = encodedNames.get(name);
  if (e === undefined) {
    const l = dnsNameLabels(name);
    if (typeof l === 'string') throw new RangeError(l);
    const suffixKeys = l.map((_, i) =>
      l
        .slice(i)
        .map((x) => appendLabel('', x, 0, x.length))
        .join(''),
    );
    if (encodedNames.size >= ENCODED_NAMES_MAX) encodedNames.clear();
    encodedNames.set(name, (e = { labels: l, suffixKeys }));
  }
  return e;
}

function labelsOrThrow(name: string): readonly Uint8Array[] {
  return encodedName(name).labels;
}

function nameWireLen(name: string): number {
  let n = 1;
  for (const l of labelsOrThrow(name)) n += l.length + 1;
  return n;
}

/** Writes names into a message, optionally compressing (RFC 1035 §4.1.4). */
class NameWriter {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly b: Uint8Array,
    private readonly msgOff: number,
    private readonly compress: boolean,
  ) {}

  /** Writes `name` at `p`; `compressible` is false where RFCs forbid pointers (SRV target, RFC 2782). Returns the new position. */
  write(name: string, p: number, compressible = true): number {
    const { labels, suffixKeys } = encodedName(name);
    const useMap = this.compress && compressible;
    for (let i = 0; i < labels.length; i++) {
      if (useMap) {
        const key = suffixKeys[i]!;
        const at = this.seen.get(key);
        if (at !== undefined) {
          writeU16(this.b, p, 0xc000 | at);
          return p + 2;
        }
        const rel = p - this.msgOff;
        if (rel < 0x4000) this.seen.set(key, rel);
      }
      const l = labels[i]!;
      this.b[p] = l.length;
      this.b.set(l, p + 1);
      p += 1 + l.length;
    }
    this.b[p] = 0;
    return p + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Records

/** The result of reading a question: the entry and the position after it. */
export type DnsQuestionRead = { readonly ok: true; readonly question: DnsQuestion; readonly end: number } | ParseFailure;

/** Reads the question entry at `pos` in the message bytes[msgOff, msgOff+msgLen). */
export function readDnsQuestion(b: Uint8Array, msgOff: number, msgLen: number, pos: number): DnsQuestionRead {
  const n = readDnsName(b, msgOff, msgLen, pos);
  if (!n.ok) return n;
  const msgEnd = Math.min(b.length, msgOff + msgLen);
  if (n.end + 4 > msgEnd) return fail('truncated', `DNS question at offset ${pos - msgOff} is cut off`);
  return { ok: true, question: { name: n.name, type: readU16(b, n.end), class: readU16(b, n.end + 2) }, end: n.end + 4 };
}

/** The result of reading a resource record: the record, where its rdata lies, and the position after it. */
export type DnsRecordRead =
  | { readonly ok: true; readonly record: DnsRecord; readonly rdataOff: number; readonly rdataLen: number; readonly end: number }
  | ParseFailure;

function readRdata(b: Uint8Array, msgOff: number, msgLen: number, type: number, p: number, rdlen: number): Parsed<DnsRdata> {
  const end = p + rdlen;
  const nameIn = (at: number): DnsNameRead => {
    const n = readDnsName(b, msgOff, msgLen, at);
    if (n.ok && n.end > end) return fail('malformed', `DNS ${dnsTypeName(type)} rdata name runs past RDLENGTH`);
    return n;
  };
  const exact = (at: number): ParseFailure | null =>
    at === end ? null : fail('malformed', `DNS ${dnsTypeName(type)} rdata is ${rdlen} bytes, content used ${at - p}`);
  switch (type) {
    case DNS_TYPE.A:
      if (rdlen !== 4) return fail('malformed', `DNS A rdata is ${rdlen} bytes, not 4`);
      return ok({ kind: 'A', address: readU32(b, p) });
    case DNS_TYPE.AAAA:
      if (rdlen !== 16) return fail('malformed', `DNS AAAA rdata is ${rdlen} bytes, not 16`);
      return ok({ kind: 'AAAA', address: b.slice(p, end) });
    case DNS_TYPE.CNAME:
    case DNS_TYPE.NS:
    case DNS_TYPE.PTR: {
      const n = nameIn(p);
      if (!n.ok) return n;
      const e = exact(n.end);
      if (e) return e;
      return ok({ kind: type === DNS_TYPE.CNAME ? 'CNAME' : type === DNS_TYPE.NS ? 'NS' : 'PTR', target: n.name });
    }
    case DNS_TYPE.SOA: {
      const m = nameIn(p);
      if (!m.ok) return m;
      const r = nameIn(m.end);
      if (!r.ok) return r;
      const q = r.end;
      if (q + 20 > end) return fail('malformed', 'DNS SOA rdata is too short for its counters');
      const e = exact(q + 20);
      if (e) return e;
      return ok({
        kind: 'SOA',
        mname: m.name,
        rname: r.name,
        serial: readU32(b, q),
        refresh: readU32(b, q + 4),
        retry: readU32(b, q + 8),
        expire: readU32(b, q + 12),
        minimum: readU32(b, q + 16),
      });
    }
    case DNS_TYPE.SRV: {
      if (rdlen < 7) return fail('malformed', `DNS SRV rdata is ${rdlen} bytes, too short`);
      const t = nameIn(p + 6);
      if (!t.ok) return t;
      const e = exact(t.end);
      if (e) return e;
      return ok({ kind: 'SRV', priority: readU16(b, p), weight: readU16(b, p + 2), port: readU16(b, p + 4), target: t.name });
    }
    case DNS_TYPE.TXT: {
      const strings: string[] = [];
      let q = p;
      while (q < end) {
        const n = b[q]!;
        if (q + 1 + n > end) return fail('malformed', 'DNS TXT character-string runs past RDLENGTH');
        strings.push(utf8Decoder.decode(b.subarray(q + 1, q + 1 + n)));
        q += 1 + n;
      }
      return ok({ kind: 'TXT', strings });
    }
    case DNS_TYPE.OPT:
      return ok({ kind: 'OPT', options: b.slice(p, end) });
    default:
      return ok({ kind: 'raw', bytes: b.slice(p, end) });
  }
}

/** Reads the resource record at `pos` in the message bytes[msgOff, msgOff+msgLen). */
export function readDnsRecord(b: Uint8Array, msgOff: number, msgLen: number, pos: number): DnsRecordRead {
  const n = readDnsName(b, msgOff, msgLen, pos);
  if (!n.ok) return n;
  const msgEnd = Math.min(b.length, msgOff + msgLen);
  const p = n.end;
  if (p + 10 > msgEnd) return fail('truncated', `DNS record at offset ${pos - msgOff} is cut off`);
  const type = readU16(b, p);
  const cls = readU16(b, p + 2);
  const ttl = readU32(b, p + 4);
  const rdlen = readU16(b, p + 8);
  const rdOff = p + 10;
  if (rdOff + rdlen > msgEnd) return fail('truncated', `DNS ${dnsTypeName(type)} rdata at offset ${rdOff - msgOff} runs past the message`);
  const data = readRdata(b, msgOff, msgLen, type, rdOff, rdlen);
  if (!data.ok) return data;
  return { ok: true, record: { name: n.name, type, class: cls, ttl, data: data.repr }, rdataOff: rdOff, rdataLen: rdlen, end: rdOff + rdlen };
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Parses the DNS message bytes[off, off+len) (a UDP payload). Bytes after the last record are ignored. */
export function parseDns(b: Uint8Array, off = 0, len = b.length - off): Parsed<DnsMessage> {
  const have = Math.max(0, Math.min(len, b.length - off));
  if (have < DNS.HEADER_LEN) return fail('truncated', `DNS header needs 12 bytes, have ${have}`);
  const flags = dnsFlags(b, off);
  const counts = [readU16(b, off + DNS.QDCOUNT), readU16(b, off + DNS.ANCOUNT), readU16(b, off + DNS.NSCOUNT), readU16(b, off + DNS.ARCOUNT)];
  let p = off + DNS.HEADER_LEN;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const q = readDnsQuestion(b, off, have, p);
    if (!q.ok) return q;
    questions.push(q.question);
    p = q.end;
  }
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const r = readDnsRecord(b, off, have, p);
      if (!r.ok) return r;
      sections[s]!.push(r.record);
      p = r.end;
    }
  }
  return ok({
    id: dnsId(b, off),
    qr: (flags & DNS_FLAG.QR) !== 0,
    opcode: (flags & DNS_FLAG.OPCODE_MASK) >>> 11,
    aa: (flags & DNS_FLAG.AA) !== 0,
    tc: (flags & DNS_FLAG.TC) !== 0,
    rd: (flags & DNS_FLAG.RD) !== 0,
    ra: (flags & DNS_FLAG.RA) !== 0,
    z: (flags & DNS_FLAG.Z) !== 0,
    ad: (flags & DNS_FLAG.AD) !== 0,
    cd: (flags & DNS_FLAG.CD) !== 0,
    rcode: flags & DNS_FLAG.RCODE_MASK,
    questions,
    answers: sections[0]!,
    authority: sections[1]!,
    additional: sections[2]!,
  });
}

function txtBytes(strings: readonly string[]): Uint8Array[] {
  return strings.map((s) => {
    const e = utf8.encode(s);
    if (e.length > 255) throw new RangeError(`TXT character-string longer than 255 bytes: "${s.slice(0, 20)}…"`);
    return e;
  });
}

function rdataLen(d: DnsRdata): number {
  switch (d.kind) {
    case 'A':
      return 4;
    case 'AAAA':
      return 16;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return nameWireLen(d.target);
    case 'SOA':
      return nameWireLen(d.mname) + nameWireLen(d.rname) + 20;
    case 'SRV':
      return 6 + nameWireLen(d.target);
    case 'TXT':
      return txtBytes(d.strings).reduce((n, s) => n + 1 + s.length, 0);
    case 'OPT':
      return d.options.length;
    case 'raw':
      return d.bytes.length;
  }
}

/**
 * The uncompressed length of `msg`, an upper bound for the compressed form. Throws RangeError
 * when a name or TXT string cannot be encoded (see {@link checkDnsName}).
 */
export function dnsBufferLen(msg: DnsMessage): number {
  let n = DNS.HEADER_LEN;
  for (const q of msg.questions) n += nameWireLen(q.name) + 4;
  for (const sec of [msg.answers, msg.authority, msg.additional]) {
    for (const r of sec) n += nameWireLen(r.name) + 10 + rdataLen(r.data);
  }
  return n;
}

/** Options for {@link emitDns}. */
export interface DnsEmitOptions {
  /** Compress names with pointers (RFC 1035 §4.1.4); default false, as CoreDNS sends small replies. */
  readonly compress?: boolean;
}

function emitRdata(d: DnsRdata, w: NameWriter, b: Uint8Array, p: number): number {
  switch (d.kind) {
    case 'A':
      writeU32(b, p, d.address);
      return p + 4;
    case 'AAAA':
      b.set(d.address.subarray(0, 16), p);
      return p + 16;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return w.write(d.target, p);
    case 'SOA': {
      let q = w.write(d.mname, p);
      q = w.write(d.rname, q);
      writeU32(b, q, d.serial);
      writeU32(b, q + 4, d.refresh);
      writeU32(b, q + 8, d.retry);
      writeU32(b, q + 12, d.expire);
      writeU32(b, q + 16, d.minimum);
      return q + 20;
    }
    case 'SRV':
      writeU16(b, p, d.priority);
      writeU16(b, p + 2, d.weight);
      writeU16(b, p + 4, d.port);
      // RFC 2782: "name compression is not to be used for this field".
      return w.write(d.target, p + 6, false);
    case 'TXT': {
      let q = p;
      for (const s of txtBytes(d.strings)) {
        b[q] = s.length;
        b.set(s, q + 1);
        q += 1 + s.length;
      }
      return q;
    }
    case 'OPT':
      b.set(d.options, p);
      return p + d.options.length;
    case 'raw':
      b.set(d.bytes, p);
      return p + d.bytes.length;
  }
}

/**
 * Writes `msg` at `off`; returns its length. Counts come from the section arrays.
 * Preconditions: `b` has {@link dnsBufferLen} bytes from `off`; names are valid (RangeError
 * otherwise).
 */
export function emitDns(msg: DnsMessage, b: Uint8Array, off = 0, opts: DnsEmitOptions = {}): number {
  const w = new NameWriter(b, off, opts.compress === true);
  writeU16(b, off + DNS.ID, msg.id);
  writeU16(b, off + DNS.FLAGS, dnsFlagsOf(msg));
  writeU16(b, off + DNS.QDCOUNT, msg.questions.length);
  writeU16(b, off + DNS.ANCOUNT, msg.answers.length);
  writeU16(b, off + DNS.NSCOUNT, msg.authority.length);
  writeU16(b, off + DNS.ARCOUNT, msg.additional.length);
  let p = off + DNS.HEADER_LEN;
  for (const q of msg.questions) {
    p = w.write(q.name, p);
    writeU16(b, p, q.type);
    writeU16(b, p + 2, q.class);
    p += 4;
  }
  for (const sec of [msg.answers, msg.authority, msg.additional]) {
    for (const r of sec) {
      p = w.write(r.name, p);
      writeU16(b, p, r.type);
      writeU16(b, p + 2, r.class);
      writeU32(b, p + 4, r.ttl >>> 0);
      const rd = p + 10;
      const end = emitRdata(r.data, w, b, rd);
      writeU16(b, p + 8, end - rd);
      p = end;
    }
  }
  return p - off;
}

/** Encodes `msg` into a new exact-size array (see {@link emitDns}). */
export function encodeDns(msg: DnsMessage, opts: DnsEmitOptions = {}): Uint8Array {
  const buf = new Uint8Array(dnsBufferLen(msg));
  const n = emitDns(msg, buf, 0, opts);
  return n === buf.length ? buf : buf.slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// Presentation

function quoteTxt(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

/** The rdata in master-file form as dig prints it ("10.96.0.10", "0 100 53 kube-dns.kube-system.svc.cluster.local.", RFC 3597 "\# 4 0a000001" for raw). */
export function formatDnsRdata(d: DnsRdata): string {
  switch (d.kind) {
    case 'A':
      return formatIpv4(d.address);
    case 'AAAA':
      return d.address.length === 16 ? formatIpv6(d.address) : `\\# ${d.address.length} ${toHex(d.address)}`;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return d.target;
    case 'SOA':
      return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'SRV':
      return `${d.priority} ${d.weight} ${d.port} ${d.target}`;
    case 'TXT':
      return d.strings.map(quoteTxt).join(' ');
    case 'OPT':
      return `\\# ${d.options.length}${d.options.length ? ' ' + toHex(d.options) : ''}`;
    case 'raw':
      return `\\# ${d.bytes.length}${d.bytes.length ? ' ' + toHex(d.bytes) : ''}`;
  }
}

/** A record as one master-file line: "name. 30 IN A 10.96.0.10". */
export function formatDnsRecord(r: DnsRecord): string {
  if (r.type === DNS_TYPE.OPT) {
    const e = ednsInfo(r);
    return `; EDNS: version ${e.version}, flags${e.dnssecOk ? ' do' : ''}; udp ${e.udpPayloadSize}`;
  }
  return `${r.name} ${r.ttl} ${dnsClassName(r.class)} ${dnsTypeName(r.type)} ${formatDnsRdata(r.data)}`;
}
