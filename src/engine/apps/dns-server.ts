/**
 * A DNS server program (CoreDNS-like) on UDP and TCP port 53, fed by a chain of RecordSources:
 * the first source that returns an answer wins; when every source returns null the query is
 * forwarded to an upstream server over UDP and the answer relayed (CoreDNS
 * `forward . /etc/resolv.conf`), or answered SERVFAIL when there is no upstream.
 *
 * The reply follows shared/docs/cluster-dns.md §5: ID, opcode, RD and CD copied; QR set; AA
 * from the source; RA as configured (CoreDNS: 0); the question echoed byte for byte; answer
 * owner names that equal the question (ignoring case) spelled as the question spells them;
 * names uncompressed unless the reply would not fit the client's buffer (512 bytes without
 * EDNS, else the advertised size, never less than 512; over UDP/IPv4 anything above 1480 bytes
 * is compressed anyway); if even the compressed reply does not fit, records are dropped from
 * the end and TC is set. A query with an OPT record gets one back (version 0, the client's UDP
 * size, DO echoed); EDNS versions above 0 get BADVERS (RFC 6891 §6.1.3).
 *
 * Malformed queries follow miekg/dns's acceptance rules: fewer than 12 bytes or QR set → no
 * reply; an opcode other than QUERY → NOTIMP; QDCOUNT ≠ 1, ANCOUNT > 1, NSCOUNT > 1,
 * ARCOUNT > 2, a body that does not parse, or two OPT records → FORMERR with the header only.
 * TCP messages carry the 2-byte length prefix of RFC 1035 §4.2.2 and are never truncated.
 *
 * Also here: StaticZone, the RecordSource of the resolver outside the cluster.
 */
import type { Host, UdpHandler } from '../dataplane/host.ts';
import type { TcpCallbacks, TcpConnection } from '../dataplane/socket/tcp.ts';
import type { EventHandle } from '../sim/simulation.ts';
import type { RandomStream } from '../sim/rng.ts';
import { formatIpv4, parseIpv4, readU16, writeU16 } from '../wire/addr.ts';
import {
  DNS,
  DNS_CLASS,
  DNS_FLAG,
  DNS_OPCODE,
  DNS_RCODE,
  DNS_TYPE,
  dnsBufferLen,
  dnsNameLabels,
  dnsRcodeName,
  dnsTypeName,
  ednsInfo,
  encodeDns,
  parseDns,
  type DnsMessage,
  type DnsQuestion,
  type DnsRdata,
  type DnsRecord,
  type EdnsInfo,
} from '../wire/dns.ts';
import type { DnsAnswer, DnsClient, RecordSource } from './record-source.ts';
import { SECOND_NS, appNote, formatEndpoint, listenTcp, unlistenTcp } from './common.ts';

/** RCODE 16, BADVERS (RFC 6891 §9): 1 in the OPT's extended-RCODE byte, 0 in the header. */
export const DNS_RCODE_BADVERS = 16;

/** Minimum UDP message size every resolver accepts (RFC 1035 §4.2.1). */
export const DNS_MIN_UDP_SIZE = 512;

/** Over UDP/IPv4, CoreDNS compresses any reply above this size even when the client's buffer is larger (request/request.go). */
export const DNS_COMPRESS_ABOVE_UDP4 = 1480;

/** The largest DNS message (TCP's 16-bit length prefix). */
export const DNS_MAX_TCP_SIZE = 65535;

// ---------------------------------------------------------------------------------------------
// Deciding a reply (pure)

/** How the server treats one incoming message. */
export type DnsDecision =
  | { readonly kind: 'drop'; readonly why: string }
  | { readonly kind: 'reply'; readonly reply: DnsMessage; readonly question: DnsQuestion | null; readonly bufSize: number; readonly source: 'answer' | 'error' }
  | { readonly kind: 'forward'; readonly query: DnsMessage; readonly bufSize: number };

/** Behaviour switches of the server. */
export interface DnsReplyOptions {
  /** RA on the server's own answers (CoreDNS: false; a recursive resolver: true). */
  readonly recursionAvailable?: boolean;
  /** Whether an upstream exists to forward to (else unknown names get SERVFAIL). */
  readonly canForward?: boolean;
}

function headerOnly(id: number, opcode: number, rd: boolean, cd: boolean, rcode: number): DnsMessage {
  return { id, qr: true, opcode, rd, cd, rcode, questions: [], answers: [], authority: [], additional: [] };
}

function optRecord(size: number, dnssecOk: boolean, extRcode = 0): DnsRecord {
  return { name: '.', type: DNS_TYPE.OPT, class: size, ttl: ((extRcode & 0xff) << 24) | (dnssecOk ? 0x8000 : 0), data: { kind: 'OPT', options: new Uint8Array(0) } };
}

function lowerAbs(name: string): string {
  return (name.endsWith('.') ? name : name + '.').toLowerCase();
}

/** The client's buffer: 512 without EDNS, else its advertised size (at least 512); TCP's is the 64 KiB maximum. */
export function clientBufferSize(edns: EdnsInfo | null, transport: 'udp' | 'tcp'): number {
  if (transport === 'tcp') return DNS_MAX_TCP_SIZE;
  return edns ? Math.max(DNS_MIN_UDP_SIZE, edns.udpPayloadSize) : DNS_MIN_UDP_SIZE;
}

/**
 * Decides what to do with the DNS message `bytes` from `client` over `transport`: drop it,
 * answer it (asking `sources` in order), or forward it.
 */
export function decideDnsReply(bytes: Uint8Array, client: DnsClient, transport: 'udp' | 'tcp', sources: readonly RecordSource[], opts: DnsReplyOptions = {}): DnsDecision {
  if (bytes.length < DNS.HEADER_LEN) return { kind: 'drop', why: `${bytes.length}-byte message is shorter than a DNS header` };
  const id = readU16(bytes, DNS.ID);
  const flags = readU16(bytes, DNS.FLAGS);
  if (flags & DNS_FLAG.QR) return { kind: 'drop', why: 'a response, not a query' };
  const opcode = (flags & DNS_FLAG.OPCODE_MASK) >>> 11;
  const rd = (flags & DNS_FLAG.RD) !== 0;
  const cd = (flags & DNS_FLAG.CD) !== 0;
  const small = clientBufferSize(null, transport);
  if (opcode !== DNS_OPCODE.QUERY) return { kind: 'reply', reply: headerOnly(id, opcode, false, false, DNS_RCODE.NOTIMP), question: null, bufSize: small, source: 'error' };
  const qd = readU16(bytes, DNS.QDCOUNT), an = readU16(bytes, DNS.ANCOUNT), ns = readU16(bytes, DNS.NSCOUNT), ar = readU16(bytes, DNS.ARCOUNT);
  const formerr = (): DnsDecision => ({ kind: 'reply', reply: headerOnly(id, opcode, rd, cd, DNS_RCODE.FORMERR), question: null, bufSize: small, source: 'error' });
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return formerr();
  const parsed = parseDns(bytes);
  if (!parsed.ok) return formerr();
  const query = parsed.repr;
  const opts_ = query.additional.filter((r) => r.type === DNS_TYPE.OPT);
  if (opts_.length > 1) return formerr();
  const edns = opts_.length === 1 ? ednsInfo(opts_[0]!) : null;
  const bufSize = clientBufferSize(edns, transport);
  const question = query.questions[0]!;
  const base = { id, qr: true, opcode, rd, cd, ra: opts.recursionAvailable === true, questions: [question] };
  if (edns && edns.version > 0) {
    return {
      kind: 'reply',
      reply: { ...base, rcode: DNS_RCODE_BADVERS & 0xf, answers: [], authority: [], additional: [optRecord(edns.udpPayloadSize, edns.dnssecOk, DNS_RCODE_BADVERS >> 4)] },
      question,
      bufSize,
      source: 'error',
    };
  }
  let answer: DnsAnswer | null = null;
  for (const s of sources) {
    answer = s.lookup(question, client);
    if (answer) break;
  }
  if (!answer) {
    if (opts.canForward) return { kind: 'forward', query, bufSize };
    return { kind: 'reply', reply: { ...base, rcode: DNS_RCODE.SERVFAIL, answers: [], authority: [], additional: edns ? [optRecord(edns.udpPayloadSize, edns.dnssecOk)] : [] }, question, bufSize, source: 'error' };
  }
  const qn = lowerAbs(question.name);
  const answers = answer.answers.map((r) => (lowerAbs(r.name) === qn && r.name !== question.name ? { ...r, name: question.name } : r));
  const additional = [...answer.additional.filter((r) => r.type !== DNS_TYPE.OPT)];
  if (edns) additional.push(optRecord(edns.udpPayloadSize, edns.dnssecOk, answer.rcode >> 4));
  return {
    kind: 'reply',
    reply: { ...base, aa: answer.authoritative, rcode: answer.rcode & 0xf, answers, authority: answer.authority, additional },
    question,
    bufSize,
    source: 'answer',
  };
}

/** An encoded reply and how it was made to fit. */
export interface EncodedReply {
  readonly bytes: Uint8Array;
  readonly compressed: boolean;
  /** Records were dropped and TC set. */
  readonly truncated: boolean;
  /** The message as sent (after any truncation). */
  readonly message: DnsMessage;
}

/**
 * Encodes `reply` for a client whose buffer is `bufSize` bytes: uncompressed when it fits
 * (and, over UDP, is at most 1480 bytes), else compressed, else compressed with records
 * dropped from the end (the OPT record is kept) and TC set (miekg/dns msg_truncate.go).
 */
export function encodeReply(reply: DnsMessage, bufSize: number, transport: 'udp' | 'tcp'): EncodedReply {
  const plainLen = dnsBufferLen(reply);
  if (plainLen <= bufSize && (transport === 'tcp' || plainLen <= DNS_COMPRESS_ABOVE_UDP4)) {
    return { bytes: encodeDns(reply), compressed: false, truncated: false, message: reply };
  }
  const full = encodeDns(reply, { compress: true });
  if (full.length <= bufSize) return { bytes: full, compressed: true, truncated: false, message: reply };
  const opt = reply.additional.filter((r) => r.type === DNS_TYPE.OPT);
  const flat: [0 | 1 | 2, DnsRecord][] = [
    ...reply.answers.map((r) => [0, r] as [0, DnsRecord]),
    ...reply.authority.map((r) => [1, r] as [1, DnsRecord]),
    ...reply.additional.filter((r) => r.type !== DNS_TYPE.OPT).map((r) => [2, r] as [2, DnsRecord]),
  ];
  const build = (k: number): DnsMessage => {
    const secs: DnsRecord[][] = [[], [], []];
    for (let i = 0; i < k; i++) secs[flat[i]![0]]!.push(flat[i]![1]);
    return { ...reply, tc: true, answers: secs[0]!, authority: secs[1]!, additional: [...secs[2]!, ...opt] };
  };
  // The largest prefix of the records that fits (the compressed length grows with k).
  let lo = 0, hi = flat.length - 1;
  let best = build(0);
  let bestBytes = encodeDns(best, { compress: true });
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = build(mid);
    const b = encodeDns(m, { compress: true });
    if (b.length <= bufSize) {
      best = m;
      bestBytes = b;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return { bytes: bestBytes, compressed: true, truncated: true, message: best };
}

// ---------------------------------------------------------------------------------------------
// The server program

/** One query the server handled (so expectations can say which DNS pod answered). */
export interface DnsServeEvent {
  readonly time: number;
  /** The server's label (e.g. the CoreDNS pod name). */
  readonly server: string;
  readonly transport: 'udp' | 'tcp';
  /** "ip:port" of the client as the server saw it (after any SNAT). */
  readonly client: string;
  readonly clientIp: number;
  readonly clientPort: number;
  /** The address the query was sent to as the server saw it (after DNAT). */
  readonly local: string;
  readonly id: number;
  readonly question: DnsQuestion | null;
  /** RCODE of the reply sent (-1 when none was sent). */
  readonly rcode: number;
  readonly answerCount: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  /** Answered from upstream. */
  readonly forwarded: boolean;
  /** Reply size in bytes (DNS payload). */
  readonly bytes: number;
  readonly flow: number;
}

/** Configuration of a DNS server program. */
export interface DnsServerOptions {
  /** Label for logs and trace notes (e.g. "kube-system/coredns-0"). Default: the host's name. */
  readonly name?: string;
  /** Asked in order; the first non-null answer wins. */
  readonly sources: readonly RecordSource[];
  /** Where queries no source answers go (UDP); null or absent → SERVFAIL. */
  readonly upstream?: number | null;
  readonly upstreamPort?: number;
  /** How long to wait for the upstream before answering SERVFAIL (default 5 s, forward's overall deadline). */
  readonly upstreamTimeoutNs?: number;
  /** RA on the server's own answers (default false, as CoreDNS). */
  readonly recursionAvailable?: boolean;
  /** Listening port (default 53). */
  readonly port?: number;
  /** Serve over UDP / TCP (default both). */
  readonly udp?: boolean;
  readonly tcp?: boolean;
  /** Called for every query handled. */
  readonly onServe?: (e: DnsServeEvent) => void;
  /** Keep every query in `log` (default true; a benchmark answering 400,000 queries does not). */
  readonly keepLog?: boolean;
}

interface PendingForward {
  readonly clientId: number;
  readonly question: DnsQuestion;
  readonly clientIp: number;
  readonly clientPort: number;
  readonly local: number;
  readonly transport: 'udp' | 'tcp';
  readonly conn: TcpConnection | null;
  readonly bufSize: number;
  readonly flow: number;
  readonly query: DnsMessage;
  timer: EventHandle;
}

/** A running DNS server on one host. */
export class DnsServer {
  /** Every query handled, in order. */
  readonly log: DnsServeEvent[] = [];
  readonly name: string;
  private readonly port: number;
  private running = false;
  private upstreamPort = -1;
  private readonly pending = new Map<number, PendingForward>();
  private readonly idRand: RandomStream;

  constructor(
    readonly host: Host,
    readonly opts: DnsServerOptions,
  ) {
    this.name = opts.name ?? host.name;
    this.port = opts.port ?? 53;
    this.idRand = host.net.sim.rng.stream(`host/${host.name}/dns-server/${this.port}/forward-ids`);
  }

  /** Binds UDP and listens on TCP. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    const self = this;
    if (this.opts.udp !== false) {
      const h: UdpHandler = {
        onDatagram(_h, pkt, src, sport, dst, _dport, off, len) {
          if (!self.running) return false;
          const bytes = pkt.buf.slice(off, off + len);
          self.handle(bytes, 'udp', src, sport, dst === 0xffffffff ? 0 : dst, null, pkt.flow, pkt.uid);
          return false;
        },
      };
      this.host.bindUdp(this.port, h);
    }
    if (this.opts.tcp !== false) listenTcp(this.host, this.port, (c) => this.accept(c));
    return this;
  }

  /**
   * Stops serving: the UDP port is released (queries then get ICMP port unreachable). The TCP
   * stack has no way to stop listening, so new TCP connections are reset once established.
   */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.opts.udp !== false) this.host.unbindUdp(this.port);
    if (this.opts.tcp !== false) unlistenTcp(this.host, this.port);
    if (this.upstreamPort >= 0) this.host.unbindUdp(this.upstreamPort);
    this.upstreamPort = -1;
    for (const p of this.pending.values()) this.host.net.sim.cancel(p.timer);
    this.pending.clear();
  }

  private accept(_c: TcpConnection): TcpCallbacks {
    let buf = new Uint8Array(0);
    return {
      onConnect: (c: TcpConnection) => {
        if (!this.running) c.abort();
      },
      onData: (c: TcpConnection, data: Uint8Array) => {
        if (!this.running) return c.abort();
        const next = new Uint8Array(buf.length + data.length);
        next.set(buf);
        next.set(data, buf.length);
        buf = next;
        while (buf.length >= 2) {
          const len = readU16(buf, 0);
          if (buf.length < 2 + len) break;
          const msg = buf.slice(2, 2 + len);
          buf = buf.slice(2 + len);
          this.handle(msg, 'tcp', c.remoteIp, c.remotePort, c.localIp, c, c.flow, 0);
        }
      },
      onPeerClose: (c: TcpConnection) => c.close(),
    };
  }

  private handle(bytes: Uint8Array, transport: 'udp' | 'tcp', src: number, sport: number, local: number, conn: TcpConnection | null, flow: number, uid: number): void {
    const canForward = this.opts.upstream !== undefined && this.opts.upstream !== null;
    const d = decideDnsReply(bytes, { ip: src }, transport, this.opts.sources, { recursionAvailable: this.opts.recursionAvailable, canForward });
    if (d.kind === 'drop') {
      appNote(this.host, uid, `dns-server ${this.name}: ignored a message from ${formatEndpoint(src, sport)}: ${d.why}`, flow);
      return;
    }
    if (d.kind === 'forward') {
      this.forward(d.query, d.bufSize, transport, src, sport, local, conn, flow, uid);
      return;
    }
    this.respond(d.reply, d.question, d.bufSize, transport, src, sport, local, conn, flow, false);
  }

  private respond(reply: DnsMessage, question: DnsQuestion | null, bufSize: number, transport: 'udp' | 'tcp', src: number, sport: number, local: number, conn: TcpConnection | null, flow: number, forwarded: boolean): void {
    const enc = encodeReply(reply, bufSize, transport);
    let uid = 0;
    if (transport === 'udp') {
      uid = this.host.sendUdp(local, this.port, src, sport, enc.bytes.length, (b, off) => b.set(enc.bytes, off), flow);
    } else if (conn && (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT')) {
      const framed = new Uint8Array(2 + enc.bytes.length);
      writeU16(framed, 0, enc.bytes.length);
      framed.set(enc.bytes, 2);
      conn.send(framed);
    }
    const m = enc.message;
    if (this.opts.keepLog === false && this.opts.onServe === undefined && !this.host.net.tracer.enabled) return;
    const ev: DnsServeEvent = {
      time: this.host.now,
      server: this.name,
      transport,
      client: formatEndpoint(src, sport),
      clientIp: src,
      clientPort: sport,
      local: formatEndpoint(local || this.host.sourceFor(src), this.port),
      id: m.id,
      question,
      rcode: m.rcode ?? 0,
      answerCount: m.answers.length,
      authoritative: m.aa === true,
      truncated: enc.truncated,
      forwarded,
      bytes: enc.bytes.length,
      flow,
    };
    if (this.opts.keepLog !== false) this.log.push(ev);
    this.opts.onServe?.(ev);
    if (!this.host.net.tracer.enabled) return;
    const flagsText = [m.qr && 'qr', m.aa && 'aa', m.tc && 'tc', m.rd && 'rd', m.ra && 'ra'].filter(Boolean).join(',');
    appNote(
      this.host,
      uid,
      `dns-server ${this.name}: ${question ? `${dnsTypeName(question.type)}? ${question.name}` : 'query'} from ${ev.client} → ${dnsRcodeName(m.rcode ?? 0)} ${flagsText}, ${m.answers.length} answer(s), ${enc.bytes.length} bytes${forwarded ? ' (from upstream)' : ''}${enc.truncated ? ' (truncated)' : ''}`,
      flow,
    );
  }

  // ---- forwarding ----------------------------------------------------------------------------

  private upstreamSocket(): number {
    if (this.upstreamPort >= 0) return this.upstreamPort;
    const upstream = this.opts.upstream!;
    const uport = this.opts.upstreamPort ?? 53;
    const self = this;
    this.upstreamPort = this.host.bindUdpEphemeral({
      onDatagram(_h, pkt, src, sport, _dst, _dport, off, len) {
        if (src !== upstream || sport !== uport) return false;
        self.upstreamReply(pkt.buf.slice(off, off + len));
        return false;
      },
      onIcmpError(_h, type, code, dst, dport) {
        if (dst !== upstream || dport !== uport) return;
        appNote(self.host, 0, `dns-server ${self.name}: upstream ${formatEndpoint(dst, dport)} unreachable (ICMP type ${type} code ${code})`);
        for (const id of [...self.pending.keys()]) self.upstreamFailed(id);
      },
    });
    return this.upstreamPort;
  }

  private forward(query: DnsMessage, bufSize: number, transport: 'udp' | 'tcp', src: number, sport: number, local: number, conn: TcpConnection | null, flow: number, uid: number): void {
    const upstream = this.opts.upstream!;
    const port = this.upstreamSocket();
    let id = this.idRand.nextUint32() & 0xffff;
    while (this.pending.has(id)) id = this.idRand.nextUint32() & 0xffff;
    const question = query.questions[0]!;
    const timer = this.host.net.sim.after(this.opts.upstreamTimeoutNs ?? 5 * SECOND_NS, () => this.upstreamFailed(id));
    this.pending.set(id, { clientId: query.id, question, clientIp: src, clientPort: sport, local, transport, conn, bufSize, flow, query, timer });
    // CoreDNS forward sends the client's query under a new random ID and restores it in the reply.
    const out = encodeDns({ ...query, id });
    appNote(this.host, uid, `dns-server ${this.name}: ${dnsTypeName(question.type)}? ${question.name} not served here → forward to ${formatEndpoint(upstream, this.opts.upstreamPort ?? 53)} (id 0x${id.toString(16).padStart(4, '0')})`, flow);
    this.host.sendUdp(0, port, upstream, this.opts.upstreamPort ?? 53, out.length, (b, off) => b.set(out, off), flow);
  }

  private upstreamReply(bytes: Uint8Array): void {
    const parsed = parseDns(bytes);
    if (!parsed.ok || !parsed.repr.qr) return;
    const m = parsed.repr;
    const p = this.pending.get(m.id);
    if (!p) return;
    const q = m.questions[0];
    if (!q || q.type !== p.question.type || lowerAbs(q.name) !== lowerAbs(p.question.name)) return;
    this.pending.delete(m.id);
    this.host.net.sim.cancel(p.timer);
    this.respond({ ...m, id: p.clientId }, p.question, p.bufSize, p.transport, p.clientIp, p.clientPort, p.local, p.conn, p.flow, true);
  }

  private upstreamFailed(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.host.net.sim.cancel(p.timer);
    const q = p.query;
    const edns = q.additional.find((r) => r.type === DNS_TYPE.OPT);
    const reply: DnsMessage = {
      id: p.clientId,
      qr: true,
      opcode: DNS_OPCODE.QUERY,
      rd: q.rd,
      cd: q.cd,
      ra: this.opts.recursionAvailable === true,
      rcode: DNS_RCODE.SERVFAIL,
      questions: [p.question],
      answers: [],
      authority: [],
      additional: edns ? [optRecord(ednsInfo(edns).udpPayloadSize, ednsInfo(edns).dnssecOk)] : [],
    };
    this.respond(reply, p.question, p.bufSize, p.transport, p.clientIp, p.clientPort, p.local, p.conn, p.flow, true);
  }
}

/** Starts a DNS server program on `host` (see {@link DnsServer}). */
export function startDnsServer(host: Host, opts: DnsServerOptions): DnsServer {
  return new DnsServer(host, opts).start();
}

// ---------------------------------------------------------------------------------------------
// StaticZone: the resolver outside the cluster

/** A record as a scenario writes it (`cluster.dns.upstream: [{name, type, ttl, data}]`). */
export interface StaticRecordSpec {
  readonly name: string;
  /** A mnemonic ("A", "CNAME", "TYPE65") or a number. */
  readonly type: string | number;
  /** Seconds (default 300). */
  readonly ttl?: number;
  /** Master-file text ("93.184.215.14", "10 mail.example.com.", "\# 4 0a000001") or typed rdata. */
  readonly data: string | DnsRdata;
}

/** Options of a StaticZone. */
export interface StaticZoneOptions {
  /** AA on answers (default false: a recursive resolver answering from its cache). */
  readonly authoritative?: boolean;
  /** TTL for records that give none (default 300). */
  readonly defaultTtl?: number;
}

/** The root zone's SOA, which public resolvers put in negative answers for names under no known zone. */
export const ROOT_SOA: DnsRecord = Object.freeze({
  name: '.',
  type: DNS_TYPE.SOA,
  class: DNS_CLASS.IN,
  ttl: 86400,
  data: { kind: 'SOA', mname: 'a.root-servers.net.', rname: 'nstld.verisign-grs.com.', serial: 2026010100, refresh: 1800, retry: 900, expire: 604800, minimum: 86400 },
}) as DnsRecord;

/** The RR type number of a mnemonic or "TYPEnn" (RFC 3597 §5); throws on unknown text. */
export function dnsTypeFromName(t: string | number): number {
  if (typeof t === 'number') return t;
  const up = t.trim().toUpperCase();
  const m = /^TYPE(\d{1,5})$/.exec(up);
  if (m) return Number(m[1]);
  const known = (DNS_TYPE as Record<string, number>)[up];
  if (known !== undefined) return known;
  for (let n = 1; n < 300; n++) if (dnsTypeName(n) === up) return n;
  throw new RangeError(`unknown DNS type "${t}"`);
}

/** Parses IPv6 text (RFC 4291 §2.2, with "::" and an embedded IPv4 tail) into 16 bytes, or null. */
export function parseIpv6(text: string): Uint8Array | null {
  let s = text.trim();
  if (s.includes('.')) {
    // An IPv4 tail ("::ffff:10.0.0.1") stands for the last two groups.
    const at = s.lastIndexOf(':');
    const v4 = at >= 0 ? parseIpv4(s.slice(at + 1)) : null;
    if (v4 === null) return null;
    s = `${s.slice(0, at + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (p: string): number[] | null => {
    if (p === '') return [];
    const out: number[] = [];
    for (const g of p.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const b = new Uint8Array(16);
  groups.forEach((g, i) => writeU16(b, i * 2, g));
  return b;
}

function absoluteName(n: string): string {
  return n === '' || n === '.' ? '.' : n.endsWith('.') ? n : n + '.';
}

function nameWire(name: string): number[] {
  const labels = dnsNameLabels(absoluteName(name));
  if (typeof labels === 'string') throw new RangeError(labels);
  const out: number[] = [];
  for (const l of labels) out.push(l.length, ...l);
  out.push(0);
  return out;
}

function parseTxt(text: string): string[] {
  const t = text.trim();
  if (!t.startsWith('"')) return [t];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

/** Typed rdata from master-file text for `type`; throws RangeError naming what is wrong. */
export function rdataFromText(type: number, text: string): DnsRdata {
  const t = text.trim();
  const raw = /^\\#\s+(\d+)\s*([0-9a-fA-F\s]*)$/.exec(t);
  if (raw) {
    const hexText = raw[2]!.replace(/\s+/g, '');
    const bytes = new Uint8Array(hexText.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hexText.slice(i * 2, i * 2 + 2), 16);
    if (bytes.length !== Number(raw[1])) throw new RangeError(`"${t}": length ${raw[1]} but ${bytes.length} bytes given`);
    return { kind: 'raw', bytes };
  }
  const f = t.split(/\s+/);
  const num = (s: string | undefined, what: string): number => {
    if (s === undefined || !/^\d+$/.test(s)) throw new RangeError(`${dnsTypeName(type)} data "${t}": ${what} is not a number`);
    return Number(s);
  };
  switch (type) {
    case DNS_TYPE.A: {
      const a = parseIpv4(t);
      if (a === null) throw new RangeError(`A data "${t}" is not an IPv4 address`);
      return { kind: 'A', address: a };
    }
    case DNS_TYPE.AAAA: {
      const a = parseIpv6(t);
      if (!a) throw new RangeError(`AAAA data "${t}" is not an IPv6 address`);
      return { kind: 'AAAA', address: a };
    }
    case DNS_TYPE.CNAME:
      return { kind: 'CNAME', target: absoluteName(t) };
    case DNS_TYPE.NS:
      return { kind: 'NS', target: absoluteName(t) };
    case DNS_TYPE.PTR:
      return { kind: 'PTR', target: absoluteName(t) };
    case DNS_TYPE.TXT:
      return { kind: 'TXT', strings: parseTxt(t) };
    case DNS_TYPE.SRV:
      if (f.length !== 4) throw new RangeError(`SRV data "${t}" is not "priority weight port target"`);
      return { kind: 'SRV', priority: num(f[0], 'priority'), weight: num(f[1], 'weight'), port: num(f[2], 'port'), target: absoluteName(f[3]!) };
    case DNS_TYPE.SOA:
      if (f.length !== 7) throw new RangeError(`SOA data "${t}" is not "mname rname serial refresh retry expire minimum"`);
      return { kind: 'SOA', mname: absoluteName(f[0]!), rname: absoluteName(f[1]!), serial: num(f[2], 'serial'), refresh: num(f[3], 'refresh'), retry: num(f[4], 'retry'), expire: num(f[5], 'expire'), minimum: num(f[6], 'minimum') };
    case DNS_TYPE.MX: {
      if (f.length !== 2) throw new RangeError(`MX data "${t}" is not "preference exchange"`);
      const pref = num(f[0], 'preference');
      return { kind: 'raw', bytes: Uint8Array.from([pref >> 8, pref & 0xff, ...nameWire(f[1]!)]) };
    }
    default:
      throw new RangeError(`no text form for ${dnsTypeName(type)} data here; use "\\# <length> <hex>"`);
  }
}

/**
 * A fixed set of records, answering like a recursive resolver with them in its cache: the
 * records of the asked type; CNAMEs followed inside the set (up to 10 hops, CNAME first);
 * NODATA when the name has other records (or names below it); NXDOMAIN otherwise (RFC 6604:
 * the RCODE speaks for the last name of a CNAME chain). Negative answers carry the SOA of the
 * closest enclosing zone given among the records, or the root zone's SOA, with TTL
 * min(SOA TTL, SOA minimum) (RFC 2308 §5). Never returns null.
 */
export class StaticZone implements RecordSource {
  private readonly byName = new Map<string, DnsRecord[]>();
  private readonly soas: DnsRecord[] = [];
  private readonly authoritative: boolean;

  constructor(records: readonly StaticRecordSpec[], opts: StaticZoneOptions = {}) {
    this.authoritative = opts.authoritative ?? false;
    const ttl0 = opts.defaultTtl ?? 300;
    for (const spec of records) {
      const type = dnsTypeFromName(spec.type);
      const name = absoluteName(spec.name);
      const rec: DnsRecord = { name, type, class: DNS_CLASS.IN, ttl: spec.ttl ?? ttl0, data: typeof spec.data === 'string' ? rdataFromText(type, spec.data) : spec.data };
      const key = name.toLowerCase();
      let list = this.byName.get(key);
      if (!list) this.byName.set(key, (list = []));
      list.push(rec);
      if (type === DNS_TYPE.SOA) this.soas.push(rec);
    }
  }

  /** The records in the zone, in the order given. */
  records(): DnsRecord[] {
    return [...this.byName.values()].flat();
  }

  lookup(question: DnsQuestion, _client: DnsClient): DnsAnswer {
    const chain: DnsRecord[] = [];
    let name = absoluteName(question.name).toLowerCase();
    const seen = new Set<string>();
    for (let hop = 0; hop <= 10; hop++) {
      const rrs = this.byName.get(name);
      if (!rrs) return this.negative(name, chain, this.hasBelow(name) ? DNS_RCODE.NOERROR : DNS_RCODE.NXDOMAIN);
      const match = rrs.filter((r) => r.type === question.type || question.type === DNS_TYPE.ANY);
      if (match.length) return { rcode: DNS_RCODE.NOERROR, authoritative: this.authoritative, answers: [...chain, ...match], authority: [], additional: [] };
      const cname = rrs.find((r) => r.type === DNS_TYPE.CNAME);
      if (!cname || cname.data.kind !== 'CNAME' || seen.has(name)) return this.negative(name, chain, DNS_RCODE.NOERROR);
      seen.add(name);
      chain.push(cname);
      name = cname.data.target.toLowerCase();
    }
    return { rcode: DNS_RCODE.SERVFAIL, authoritative: false, answers: [], authority: [], additional: [] };
  }

  private hasBelow(name: string): boolean {
    const suffix = name === '.' ? '' : '.' + name;
    for (const k of this.byName.keys()) if (k !== name && (name === '.' || k.endsWith(suffix))) return true;
    return false;
  }

  private negative(name: string, chain: DnsRecord[], rcode: number): DnsAnswer {
    let soa = ROOT_SOA;
    for (const s of this.soas) {
      const z = s.name.toLowerCase();
      if ((z === '.' || name === z || name.endsWith('.' + z)) && z.length > soa.name.length) soa = s;
    }
    const min = soa.data.kind === 'SOA' ? soa.data.minimum : soa.ttl;
    return { rcode, authoritative: this.authoritative, answers: chain, authority: [{ ...soa, ttl: Math.min(soa.ttl, min) }], additional: [] };
  }
}
