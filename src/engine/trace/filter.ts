/**
 * Display filters: a Wireshark-like expression (`ip.addr == 10.2.1.4 && tcp.port == 8080`,
 * `dns`, `!arp`, `kind == nat`, `host == node-1`) compiled once into a tree of small
 * predicates, then run over every trace event. Fields are read straight from the recorded
 * bytes (offsets found once per event, no layer trees, no strings except for DNS names), so a
 * million events filter in a fraction of a second. No eval: the tree is built from closures.
 *
 * Grammar (precedence low → high; `and`/`&&` binds tighter than `or`/`||`, as in Wireshark):
 *
 *   filter  := or?                                   (empty matches every event)
 *   or      := and (("||" | "or") and)*
 *   and     := not (("&&" | "and") not)*
 *   not     := ("!" | "not") not | "(" or ")" | test
 *   test    := WORD                                  protocol, event kind, or a field (see below)
 *            | FIELD OP VALUE
 *   OP      := == | != | < | <= | > | >= | contains  (also eq ne lt le gt ge)
 *   VALUE   := WORD | "quoted string"                IPv4, CIDR, number (decimal or 0x), MAC, text
 *
 * Comparisons follow Wireshark: a field that the event lacks never matches (not even `!=`);
 * fields with two values (ip.addr, tcp.port, udp.port, eth.addr) match `==` when either
 * does and `!=` when neither does. A bare field is true when present and, for numbers, not
 * zero: `tcp.flags.syn` means "SYN set", `flow` means "belongs to a traffic repeat".
 */
import { readMac, readU16, readU32 } from '../wire/addr.ts';
import { readDnsName } from '../wire/dns.ts';
import { HTTP_PORTS, looksLikeHttp } from '../wire/http.ts';
import { LinkLayer, TRACE_KIND_NAMES } from './events.ts';
import type { TraceEvent, TraceRecorder } from './recorder.ts';

// ---------------------------------------------------------------------------------------------
// The per-event cursor: where each layer starts, found once per event from the bytes.

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const PPP_IPV4 = 0x0021;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const DNS_PORT = 53;

/** One event's layer offsets (reused for every event: nothing is allocated per event). */
class Cursor {
  ev: TraceEvent = null as unknown as TraceEvent;
  b: Uint8Array = new Uint8Array(0);
  len = 0;
  /** Ethernet header offset, or -1. */
  eth = -1;
  /** ARP payload offset, or -1. */
  arp = -1;
  /** IPv4 header offset, or -1. */
  ip = -1;
  ipEnd = 0;
  proto = -1;
  /** TCP/UDP/ICMP header offset (first fragment only), or -1. */
  l4 = -1;
  /** Application payload offset and length (TCP/UDP), or -1. */
  pay = -1;
  payLen = 0;
  /** The first DNS question's name once read (undefined: not read yet for this event). */
  private qname: string | null | undefined = undefined;

  load(ev: TraceEvent, needsBytes: boolean): void {
    this.ev = ev;
    this.eth = this.arp = this.ip = this.l4 = this.pay = this.proto = -1;
    this.payLen = 0;
    this.qname = undefined;
    const b = ev.bytes;
    if (!needsBytes || b === null || ev.link === null) {
      this.len = 0;
      return;
    }
    this.b = b;
    const len = (this.len = b.length);
    let ip = -1;
    if (ev.link === LinkLayer.Ethernet) {
      if (len < 14) return;
      this.eth = 0;
      const type = (b[12]! << 8) | b[13]!;
      if (type === ETHERTYPE_IPV4) ip = 14;
      else if (type === ETHERTYPE_ARP && len >= 14 + 28) this.arp = 14;
    } else if (ev.link === LinkLayer.Ppp) {
      let p = 0;
      if (len >= 2 && b[0] === 0xff && b[1] === 0x03) p = 2;
      if (len >= p + 2 && ((b[p]! << 8) | b[p + 1]!) === PPP_IPV4) ip = p + 2;
      else if (len >= p + 1 && b[p] === PPP_IPV4) ip = p + 1;
    } else ip = 0;
    if (ip < 0 || len < ip + 20 || b[ip]! >> 4 !== 4) return;
    const hl = (b[ip]! & 15) * 4;
    if (hl < 20 || len < ip + hl) return;
    this.ip = ip;
    const total = (b[ip + 2]! << 8) | b[ip + 3]!;
    const end = (this.ipEnd = Math.min(len, ip + Math.max(total, hl)));
    const proto = (this.proto = b[ip + 9]!);
    if ((((b[ip + 6]! << 8) | b[ip + 7]!) & 0x1fff) !== 0) return; // a later fragment: no L4 header
    const l4 = ip + hl;
    if (proto === PROTO_TCP) {
      if (end < l4 + 20) return;
      this.l4 = l4;
      const thl = (b[l4 + 12]! >> 4) * 4;
      if (thl >= 20 && l4 + thl <= end) {
        this.pay = l4 + thl;
        this.payLen = end - this.pay;
      }
    } else if (proto === PROTO_UDP) {
      if (end < l4 + 8) return;
      this.l4 = l4;
      this.pay = l4 + 8;
      this.payLen = Math.max(0, Math.min(end, l4 + ((b[l4 + 4]! << 8) | b[l4 + 5]!)) - this.pay);
    } else if (proto === PROTO_ICMP) {
      if (end >= l4 + 4) this.l4 = l4;
    }
  }

  get tcp(): boolean {
    return this.l4 >= 0 && this.proto === PROTO_TCP;
  }

  get udp(): boolean {
    return this.l4 >= 0 && this.proto === PROTO_UDP;
  }

  get icmp(): boolean {
    return this.l4 >= 0 && this.proto === PROTO_ICMP;
  }

  /** A DNS message over UDP or TCP port 53 (the first question's name is read on demand). */
  get dns(): boolean {
    if (this.pay < 0 || this.payLen <= 0 || (this.proto !== PROTO_UDP && this.proto !== PROTO_TCP)) return false;
    const b = this.b;
    return readU16(b, this.l4) === DNS_PORT || readU16(b, this.l4 + 2) === DNS_PORT;
  }

  /** Any HTTP segment: a request or response head, or data on an HTTP port (as the protocol column). */
  get http(): boolean {
    if (!this.tcp || this.payLen <= 0) return false;
    const b = this.b;
    if (HTTP_PORTS.includes(readU16(b, this.l4)) || HTTP_PORTS.includes(readU16(b, this.l4 + 2))) return true;
    return looksLikeHttp(b, this.pay, this.payLen) !== null;
  }

  /** The first DNS question's name (lower case, no trailing dot), or null; read once per event. */
  dnsQueryName(): string | null {
    if (this.qname === undefined) this.qname = this.readQueryName();
    return this.qname;
  }

  private readQueryName(): string | null {
    if (!this.dns) return null;
    let off = this.pay;
    let len = this.payLen;
    if (this.proto === PROTO_TCP) {
      off += 2; // RFC 1035 §4.2.2: a TCP message is prefixed by its length
      len -= 2;
    }
    if (len < 12 || readU16(this.b, off + 4) === 0) return null;
    const r = readDnsName(this.b, off, len, off + 12);
    if (!r.ok) return null;
    return trimDot(r.name.toLowerCase());
  }
}

function trimDot(s: string): string {
  return s.length > 1 && s.endsWith('.') ? s.slice(0, -1) : s;
}

// ---------------------------------------------------------------------------------------------
// Fields

type FieldType = 'ipv4' | 'number' | 'string' | 'mac';

interface FieldDef {
  readonly type: FieldType;
  /** Reads bytes (so the cursor must decode them). */
  readonly packet: boolean;
  /** How many values the event has (0: absent). */
  count(c: Cursor): number;
  /** The k-th value (numbers, addresses as unsigned 32-bit, MACs as 48-bit numbers). */
  num(c: Cursor, k: number): number;
  /** The k-th value of a text field. */
  str(c: Cursor, k: number): string;
  /** Allowed values of a text field (then `==` checks them at compile time). */
  readonly values?: readonly string[];
}

const noStr = (): string => '';
const noNum = (): number => 0;

function numField(packet: boolean, count: (c: Cursor) => number, num: (c: Cursor, k: number) => number, type: FieldType = 'number'): FieldDef {
  return { type, packet, count, num, str: noStr };
}

function strField(count: (c: Cursor) => number, str: (c: Cursor, k: number) => string, values?: readonly string[], packet = false): FieldDef {
  return { type: 'string', packet, count, num: noNum, str, values };
}

const one = (): number => 1;
const ipCount = (c: Cursor): number => (c.ip >= 0 ? 1 : 0);
const ipBoth = (c: Cursor): number => (c.ip >= 0 ? 2 : 0);
const tcpOne = (c: Cursor): number => (c.tcp ? 1 : 0);
const tcpBoth = (c: Cursor): number => (c.tcp ? 2 : 0);
const udpOne = (c: Cursor): number => (c.udp ? 1 : 0);
const udpBoth = (c: Cursor): number => (c.udp ? 2 : 0);
const ethOne = (c: Cursor): number => (c.eth >= 0 ? 1 : 0);
const ethBoth = (c: Cursor): number => (c.eth >= 0 ? 2 : 0);
const srcIp = (c: Cursor): number => readU32(c.b, c.ip + 12) >>> 0;
const dstIp = (c: Cursor): number => readU32(c.b, c.ip + 16) >>> 0;
const tcpFlag = (bit: number): FieldDef => numField(true, tcpOne, (c) => (c.b[c.l4 + 13]! & bit ? 1 : 0));

const FIELDS: Readonly<Record<string, FieldDef>> = {
  'ip.addr': numField(true, ipBoth, (c, k) => (k === 0 ? srcIp(c) : dstIp(c)), 'ipv4'),
  'ip.src': numField(true, ipCount, srcIp, 'ipv4'),
  'ip.dst': numField(true, ipCount, dstIp, 'ipv4'),
  'ip.proto': numField(true, ipCount, (c) => c.proto),
  'ip.ttl': numField(true, ipCount, (c) => c.b[c.ip + 8]!),
  'ip.len': numField(true, ipCount, (c) => readU16(c.b, c.ip + 2)),
  'tcp.port': numField(true, tcpBoth, (c, k) => readU16(c.b, c.l4 + 2 * k)),
  'tcp.srcport': numField(true, tcpOne, (c) => readU16(c.b, c.l4)),
  'tcp.dstport': numField(true, tcpOne, (c) => readU16(c.b, c.l4 + 2)),
  'tcp.flags': numField(true, tcpOne, (c) => readU16(c.b, c.l4 + 12) & 0x0fff),
  'tcp.flags.fin': tcpFlag(0x01),
  'tcp.flags.syn': tcpFlag(0x02),
  'tcp.flags.rst': tcpFlag(0x04),
  'tcp.flags.push': tcpFlag(0x08),
  'tcp.flags.ack': tcpFlag(0x10),
  'tcp.len': numField(true, tcpOne, (c) => Math.max(0, c.payLen)),
  'udp.port': numField(true, udpBoth, (c, k) => readU16(c.b, c.l4 + 2 * k)),
  'udp.srcport': numField(true, udpOne, (c) => readU16(c.b, c.l4)),
  'udp.dstport': numField(true, udpOne, (c) => readU16(c.b, c.l4 + 2)),
  'udp.length': numField(true, udpOne, (c) => readU16(c.b, c.l4 + 4)),
  'icmp.type': numField(true, (c) => (c.icmp ? 1 : 0), (c) => c.b[c.l4]!),
  'icmp.code': numField(true, (c) => (c.icmp ? 1 : 0), (c) => c.b[c.l4 + 1]!),
  'arp.opcode': numField(true, (c) => (c.arp >= 0 ? 1 : 0), (c) => readU16(c.b, c.arp + 6)),
  'frame.len': numField(true, (c) => (c.len > 0 ? 1 : 0), (c) => c.len),
  'eth.addr': numField(true, ethBoth, (c, k) => readMac(c.b, k === 0 ? 6 : 0), 'mac'),
  'eth.src': numField(true, ethOne, (c) => readMac(c.b, 6), 'mac'),
  'eth.dst': numField(true, ethOne, (c) => readMac(c.b, 0), 'mac'),
  'dns.qry.name': strField((c) => (c.dnsQueryName() !== null ? 1 : 0), (c) => c.dnsQueryName() ?? '', undefined, true),
  kind: strField(one, (c) => c.ev.kind, TRACE_KIND_NAMES),
  host: strField(one, (c) => c.ev.host),
  iface: strField(one, (c) => c.ev.iface),
  uid: numField(false, one, (c) => c.ev.uid),
  flow: numField(false, one, (c) => c.ev.detail?.flow ?? 0),
  index: numField(false, one, (c) => c.ev.index),
  time: numField(false, one, (c) => c.ev.time),
};

/** Protocol words: true when the event's bytes carry that layer. */
const PROTOCOLS: Readonly<Record<string, (c: Cursor) => boolean>> = {
  eth: (c) => c.eth >= 0,
  arp: (c) => c.arp >= 0,
  ip: (c) => c.ip >= 0,
  icmp: (c) => c.icmp,
  tcp: (c) => c.tcp,
  udp: (c) => c.udp,
  dns: (c) => c.dns,
  http: (c) => c.http,
};

/** The names a filter may use, for help texts and completion. */
export const FILTER_FIELDS: readonly string[] = Object.keys(FIELDS);
/** Bare protocol words. */
export const FILTER_PROTOCOLS: readonly string[] = Object.keys(PROTOCOLS);
/** Bare event-kind words (`nat` is `kind == nat`). */
export const FILTER_KINDS: readonly string[] = TRACE_KIND_NAMES;

// ---------------------------------------------------------------------------------------------
// Tokens

type TokKind = 'word' | 'string' | 'op' | 'and' | 'or' | 'not' | '(' | ')' | 'end';

interface Tok {
  readonly kind: TokKind;
  /** The text (for strings: the unescaped value). */
  readonly text: string;
  /** 1-based column of the first character. */
  readonly col: number;
}

const OP_WORDS: Readonly<Record<string, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', contains: 'contains' };

/** A filter that cannot be compiled: the message names the column. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based column. */
    readonly column: number,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

const isWordChar = (ch: string): boolean => /[A-Za-z0-9_.\-/:]/.test(ch);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    const col = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&') out.push({ kind: 'and', text: two, col }), (i += 2);
    else if (two === '||') out.push({ kind: 'or', text: two, col }), (i += 2);
    else if (two === '==' || two === '!=' || two === '<=' || two === '>=') out.push({ kind: 'op', text: two, col }), (i += 2);
    else if (ch === '<' || ch === '>') out.push({ kind: 'op', text: ch, col }), i++;
    else if (ch === '!') out.push({ kind: 'not', text: ch, col }), i++;
    else if (ch === '(' || ch === ')') out.push({ kind: ch, text: ch, col }), i++;
    else if (ch === '=') throw new FilterSyntaxError(`'=' is not an operator (did you mean '=='?) at column ${col}`, col);
    else if (ch === '&' || ch === '|') throw new FilterSyntaxError(`'${ch}' is not an operator (did you mean '${ch}${ch}'?) at column ${col}`, col);
    else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= src.length) throw new FilterSyntaxError(`unterminated string starting at column ${col}`, col);
        const c = src[j]!;
        if (c === ch) break;
        if (c === '\\' && j + 1 < src.length) {
          text += src[j + 1];
          j += 2;
          continue;
        }
        text += c;
        j++;
      }
      out.push({ kind: 'string', text, col });
      i = j + 1;
    } else if (isWordChar(ch)) {
      let j = i;
      while (j < src.length && isWordChar(src[j]!)) j++;
      const w = src.slice(i, j);
      const lw = w.toLowerCase();
      if (lw === 'and') out.push({ kind: 'and', text: w, col });
      else if (lw === 'or') out.push({ kind: 'or', text: w, col });
      else if (lw === 'not') out.push({ kind: 'not', text: w, col });
      else if (OP_WORDS[lw]) out.push({ kind: 'op', text: OP_WORDS[lw]!, col });
      else out.push({ kind: 'word', text: w, col });
      i = j;
    } else throw new FilterSyntaxError(`unexpected character '${ch}' at column ${col}`, col);
  }
  out.push({ kind: 'end', text: '', col: src.length + 1 });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser → predicate tree

type Pred = (c: Cursor) => boolean;

interface Compiled {
  readonly pred: Pred;
  /** Some part reads bytes. */
  readonly packet: boolean;
}

function describeTok(t: Tok): string {
  if (t.kind === 'end') return 'the end of the filter';
  if (t.kind === 'string') return `"${t.text}"`;
  return `'${t.text}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }

  private next(): Tok {
    return this.toks[this.i++]!;
  }

  parse(): Compiled {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'end') {
      if (t.kind === ')') throw new FilterSyntaxError(`unexpected ')' at column ${t.col} (no '(' to close)`, t.col);
      throw new FilterSyntaxError(`expected '&&', '||' or the end of the filter at column ${t.col}, got ${describeTok(t)}`, t.col);
    }
    return e;
  }

  private or(): Compiled {
    let l = this.and();
    while (this.peek().kind === 'or') {
      this.next();
      const r = this.and();
      const a = l.pred;
      const b = r.pred;
      l = { pred: (c) => a(c) || b(c), packet: l.packet || r.packet };
    }
    return l;
  }

  private and(): Compiled {
    let l = this.not();
    while (this.peek().kind === 'and') {
      this.next();
      const r = this.not();
      const a = l.pred;
      const b = r.pred;
      l = { pred: (c) => a(c) && b(c), packet: l.packet || r.packet };
    }
    return l;
  }

  private not(): Compiled {
    const t = this.peek();
    if (t.kind === 'not') {
      this.next();
      const inner = this.not();
      const p = inner.pred;
      return { pred: (c) => !p(c), packet: inner.packet };
    }
    if (t.kind === '(') {
      this.next();
      const inner = this.or();
      const close = this.peek();
      if (close.kind !== ')') throw new FilterSyntaxError(`expected ')' at column ${close.col} to close the '(' at column ${t.col}, got ${describeTok(close)}`, close.col);
      this.next();
      return inner;
    }
    return this.test();
  }

  private test(): Compiled {
    const t = this.next();
    if (t.kind !== 'word') {
      const after = this.i >= 2 ? this.toks[this.i - 2]! : null;
      const where = after && (after.kind === 'and' || after.kind === 'or' || after.kind === 'not') ? ` after '${after.text}'` : '';
      throw new FilterSyntaxError(`expected a field, protocol or event kind${where} at column ${t.col}, got ${describeTok(t)}`, t.col);
    }
    const name = t.text.toLowerCase();
    const op = this.peek();
    if (op.kind !== 'op') return this.bare(name, t);
    this.next();
    const field = FIELDS[name];
    if (!field) {
      if (PROTOCOLS[name] || TRACE_KIND_NAMES.includes(name as never)) throw new FilterSyntaxError(`'${t.text}' at column ${t.col} is a protocol or event kind, not a field: it cannot be compared with '${op.text}'`, t.col);
      throw new FilterSyntaxError(unknownName(t), t.col);
    }
    const v = this.next();
    if (v.kind !== 'word' && v.kind !== 'string') throw new FilterSyntaxError(`expected a value after '${op.text}' at column ${v.col}`, v.col);
    return { pred: comparison(name, field, op, v), packet: field.packet };
  }

  private bare(name: string, t: Tok): Compiled {
    const proto = PROTOCOLS[name];
    if (proto) return { pred: proto, packet: true };
    const kind = TRACE_KIND_NAMES.indexOf(name as never);
    if (kind >= 0) {
      const k = TRACE_KIND_NAMES[kind]!;
      return { pred: (c) => c.ev.kind === k, packet: false };
    }
    const field = FIELDS[name];
    if (!field) throw new FilterSyntaxError(unknownName(t), t.col);
    if (field.type === 'number') return { pred: (c) => field.count(c) > 0 && field.num(c, 0) !== 0, packet: field.packet };
    if (field.type === 'string') return { pred: (c) => field.count(c) > 0 && field.str(c, 0) !== '', packet: field.packet };
    return { pred: (c) => field.count(c) > 0, packet: field.packet };
  }
}

function unknownName(t: Tok): string {
  const w = t.text.toLowerCase();
  const all = [...Object.keys(FIELDS), ...Object.keys(PROTOCOLS), ...TRACE_KIND_NAMES];
  const close = all.filter((n) => n.startsWith(w.split('.')[0]!) && n !== w).slice(0, 6);
  return `unknown field, protocol or event kind '${t.text}' at column ${t.col}${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Values and comparisons

function parseIpText(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v;
}

function parseNumber(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  if (s === 'true') return 1;
  if (s === 'false') return 0;
  return null;
}

function parseMacText(s: string): number | null {
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(s);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

const TYPE_WORDS: Record<FieldType, string> = { ipv4: 'an IPv4 address or CIDR', number: 'a number', string: 'text', mac: 'a MAC address' };

/** Any value of the field satisfies `test` (the Wireshark "any" rule); false when absent. */
function anyValue(field: FieldDef, test: (c: Cursor, k: number) => boolean): Pred {
  return (c) => {
    const n = field.count(c);
    for (let k = 0; k < n; k++) if (test(c, k)) return true;
    return false;
  };
}

/** The field is present and no value satisfies `eq` (Wireshark's `!=`: "all not equal"). */
function noValue(field: FieldDef, eq: (c: Cursor, k: number) => boolean): Pred {
  return (c) => {
    const n = field.count(c);
    if (n === 0) return false;
    for (let k = 0; k < n; k++) if (eq(c, k)) return false;
    return true;
  };
}

function comparison(name: string, field: FieldDef, opTok: Tok, v: Tok): Pred {
  const op = opTok.text;
  const bad = (why: string): never => {
    throw new FilterSyntaxError(`${why} at column ${v.col}`, v.col);
  };
  const ordering = op === '<' || op === '<=' || op === '>' || op === '>=';
  if (field.type === 'string') {
    if (ordering) throw new FilterSyntaxError(`'${op}' at column ${opTok.col} needs a numeric field; ${name} is text (use ==, != or contains)`, opTok.col);
    let want = v.text;
    if (name === 'dns.qry.name') want = trimDot(want.toLowerCase());
    if (field.values) want = want.toLowerCase();
    if (field.values && op !== 'contains' && !field.values.includes(want)) bad(`unknown ${name} '${v.text}' (one of ${field.values.join(', ')})`);
    if (op === 'contains') return anyValue(field, (c, k) => field.str(c, k).includes(want));
    const eq = (c: Cursor, k: number): boolean => field.str(c, k) === want;
    return op === '==' ? anyValue(field, eq) : noValue(field, eq);
  }
  if (op === 'contains') throw new FilterSyntaxError(`'contains' at column ${opTok.col} needs a text field; ${name} is ${TYPE_WORDS[field.type].replace(/^an? /, '')}`, opTok.col);
  let want: number | null;
  let mask = -1;
  if (field.type === 'ipv4') {
    const slash = v.text.indexOf('/');
    if (slash >= 0) {
      const base = parseIpText(v.text.slice(0, slash));
      const len = /^\d{1,2}$/.test(v.text.slice(slash + 1)) ? Number(v.text.slice(slash + 1)) : -1;
      if (base === null || len < 0 || len > 32) bad(`expected an IPv4 address or CIDR after '${op}', got '${v.text}'`);
      if (ordering) bad(`a CIDR can only be compared with == or !=, not '${op}'`);
      mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      want = (base! & mask) >>> 0;
    } else {
      want = parseIpText(v.text);
      if (want === null) bad(`expected an IPv4 address or CIDR after '${op}', got '${v.text}'`);
    }
  } else if (field.type === 'mac') {
    want = parseMacText(v.text);
    if (want === null) bad(`expected a MAC address (02:42:ac:11:00:02) after '${op}', got '${v.text}'`);
    if (ordering) bad(`a MAC address can only be compared with == or !=, not '${op}'`);
  } else {
    want = parseNumber(v.text);
    if (want === null) bad(`expected a number after '${op}', got '${v.text}'`);
  }
  const w = want!;
  if (mask !== -1) {
    const m = mask;
    const inNet = (c: Cursor, k: number): boolean => ((field.num(c, k) & m) >>> 0) === w;
    return op === '==' ? anyValue(field, inNet) : noValue(field, inNet);
  }
  switch (op) {
    case '==':
      return anyValue(field, (c, k) => field.num(c, k) === w);
    case '!=':
      return noValue(field, (c, k) => field.num(c, k) === w);
    case '<':
      return anyValue(field, (c, k) => field.num(c, k) < w);
    case '<=':
      return anyValue(field, (c, k) => field.num(c, k) <= w);
    case '>':
      return anyValue(field, (c, k) => field.num(c, k) > w);
    default:
      return anyValue(field, (c, k) => field.num(c, k) >= w);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** A compiled display filter. */
export interface DisplayFilter {
  /** The expression as given. */
  readonly text: string;
  /** True when the filter is empty (every event matches). */
  readonly all: boolean;
  /** Does the event match? */
  matches(ev: TraceEvent): boolean;
}

/** The outcome of compiling a filter: the filter, or the error (its message names the column). */
export type FilterCompileResult = { ok: true; filter: DisplayFilter } | { ok: false; error: string; column: number };

/** Compiles a display filter once; never throws. An empty filter matches every event. */
export function compileFilter(text: string): FilterCompileResult {
  try {
    const toks = tokenize(text);
    if (toks.length === 1) return { ok: true, filter: { text, all: true, matches: () => true } };
    const { pred, packet } = new Parser(toks).parse();
    const cur = new Cursor();
    return {
      ok: true,
      filter: {
        text,
        all: false,
        matches(ev: TraceEvent): boolean {
          cur.load(ev, packet);
          return pred(cur);
        },
      },
    };
  } catch (e) {
    if (e instanceof FilterSyntaxError) return { ok: false, error: e.message, column: e.column };
    throw e;
  }
}

/** The indices of the events in [from, to) that match (an exact-size array). */
export function filterTrace(trace: TraceRecorder, filter: DisplayFilter, from = 0, to = trace.length): Uint32Array {
  const end = Math.min(to, trace.length);
  const start = Math.max(0, from);
  if (filter.all) {
    const out = new Uint32Array(Math.max(0, end - start));
    for (let i = 0; i < out.length; i++) out[i] = start + i;
    return out;
  }
  let out = new Uint32Array(1024);
  let n = 0;
  const ev: TraceEvent = { index: 0, time: 0, kind: 'sent', host: '', iface: '', uid: 0, link: null, bytes: null, detail: null };
  for (let i = start; i < end; i++) {
    if (!filter.matches(trace.eventInto(i, ev))) continue;
    if (n === out.length) {
      const grown = new Uint32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = i;
  }
  return out.slice(0, n);
}
