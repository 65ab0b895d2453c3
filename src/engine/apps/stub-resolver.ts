/**
 * A pod's stub resolver, behaving as glibc's (`resolv/res_query.c` search walk, `res_send.c`
 * transport) does for getaddrinfo() and res_search(); see shared/docs/cluster-dns.md §6-§7.
 *
 * The search walk (res_search): a name ending in "." is queried as written and nothing else. A
 * name with at least `ndots` dots is tried as written first; then every search domain is
 * appended in order; finally the name as written, unless it was tried already (or "." is on
 * the list). A candidate succeeds when either reply is NOERROR with answers. NXDOMAIN and
 * NODATA move on (NODATA is remembered), SERVFAIL moves on, any other failure (a timeout,
 * REFUSED, NOTIMP) ends the search loop — but the name as written is still tried after it. A
 * nameserver that answers every attempt with ICMP port unreachable (ECONNREFUSED) stops
 * everything at once.
 *
 * The transport (res_send): per candidate, one query per type — A and AAAA for getaddrinfo —
 * built once (so retransmissions carry the same IDs), sent in parallel from one UDP socket per
 * nameserver, RD set, AD only with `trust-ad`, EDNS0 OPT only with `edns0`, names uncompressed
 * in the case written. Each (attempt, nameserver) pair waits `(timeout << i) / nscount` seconds
 * for nameserver i > 0 and `timeout` for nameserver 0, rotating through the nameservers for
 * `attempts` rounds. A reply with SERVFAIL, NOTIMP or REFUSED (or a lame NOERROR without AA,
 * RA or records) sends the query on to the next nameserver; a truncated reply repeats both
 * queries over TCP to the same nameserver (2-byte length prefix, both in one write). When one
 * of two answers arrived and the other timed out, glibc falls back to `single-request` and
 * then `single-request-reopen` for the rest of the lookup. Sockets are closed after each
 * candidate, so each candidate uses a fresh ephemeral port.
 *
 * /etc/hosts is consulted first for getaddrinfo lookups when the caller passes its entries.
 * Every query and reply is recorded in the result and as TraceKind.App notes.
 */
import type { Host, UdpHandler } from '../dataplane/host.ts';
import type { Packet } from '../dataplane/packet.ts';
import type { TcpConnection } from '../dataplane/socket/tcp.ts';
import type { EventHandle } from '../sim/simulation.ts';
import type { RandomStream } from '../sim/rng.ts';
import { formatIpv4, parseIpv4, readU16, writeU16 } from '../wire/addr.ts';
import {
  DNS_CLASS,
  DNS_RCODE,
  DNS_TYPE,
  checkDnsName,
  dnsRcodeName,
  dnsTypeName,
  encodeDns,
  formatDnsRdata,
  parseDns,
  type DnsMessage,
  type DnsRecord,
} from '../wire/dns.ts';
import { SECOND_NS, appNote } from './common.ts';

// ---------------------------------------------------------------------------------------------
// resolv.conf

/** The resolver configuration of one host or pod (resolv.conf(5) as glibc reads it). */
export interface ResolvConf {
  /** Nameserver IPv4 addresses, at most 3 used (MAXNS). */
  readonly nameservers: readonly number[];
  /** Search domains, without trailing dots ("default.svc.cluster.local"). */
  readonly search: readonly string[];
  /** `options ndots:N`: glibc's default is 1; kubelet writes 5. */
  readonly ndots?: number;
  /** `options timeout:N` in seconds (default 5). */
  readonly timeout?: number;
  /** `options attempts:N` (default 2). */
  readonly attempts?: number;
  /** The other `options` tokens as written: edns0, rotate, single-request, single-request-reopen, trust-ad, use-vc, no-aaaa, no-tld-query, … */
  readonly options?: readonly string[];
}

/** glibc's limits and defaults (resolv/resolv.h: MAXNS, RES_TIMEOUT, RES_DFLRETRY, RES_MAXNDOTS, RES_MAXRETRANS, RES_MAXRETRY). */
export const RESOLV_DEFAULTS = Object.freeze({ ndots: 1, timeout: 5, attempts: 2, maxNameservers: 3, maxNdots: 15, maxTimeout: 30, maxAttempts: 5 });

/** The EDNS0 UDP payload size glibc advertises with `options edns0` (RESOLV_EDNS_BUFFER_SIZE). */
export const GLIBC_EDNS_BUFFER_SIZE = 1200;

/**
 * Parses resolv.conf text as glibc does: `nameserver` (IPv4 only here, first 3 kept),
 * `search` and `domain` (the last of them wins; `domain` sets a one-entry list), `options`
 * (ndots/timeout/attempts capped at glibc's limits, other tokens kept). `#` and `;` start
 * comments; unknown keywords are ignored.
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: number[] = [];
  let search: string[] = [];
  let ndots: number = RESOLV_DEFAULTS.ndots;
  let timeout: number = RESOLV_DEFAULTS.timeout;
  let attempts: number = RESOLV_DEFAULTS.attempts;
  const options: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver') {
      const ip = rest[0] ? parseIpv4(rest[0]) : null;
      if (ip !== null && nameservers.length < RESOLV_DEFAULTS.maxNameservers) nameservers.push(ip);
    } else if (key === 'search') {
      search = rest.map((d) => d.replace(/\.$/, '') || '.');
    } else if (key === 'domain') {
      search = rest[0] ? [rest[0].replace(/\.$/, '')] : [];
    } else if (key === 'options') {
      for (const opt of rest) {
        const m = /^(ndots|timeout|attempts):(\d+)$/.exec(opt);
        if (!m) {
          if (!options.includes(opt)) options.push(opt);
          continue;
        }
        const v = Number(m[2]);
        if (m[1] === 'ndots') ndots = Math.min(v, RESOLV_DEFAULTS.maxNdots);
        else if (m[1] === 'timeout') timeout = Math.max(1, Math.min(v, RESOLV_DEFAULTS.maxTimeout));
        else attempts = Math.max(1, Math.min(v, RESOLV_DEFAULTS.maxAttempts));
      }
    }
  }
  return { nameservers, search, ndots, timeout, attempts, options };
}

/**
 * Formats a configuration as kubelet/containerd write it: the `search` line, one `nameserver`
 * line each, then `options` (ndots always when not glibc's default; timeout/attempts only when
 * not the defaults; then the other tokens).
 */
export function formatResolvConf(conf: ResolvConf): string {
  const lines: string[] = [];
  if (conf.search.length) lines.push(`search ${conf.search.join(' ')}`);
  for (const ns of conf.nameservers) lines.push(`nameserver ${formatIpv4(ns)}`);
  const opts: string[] = [];
  if (conf.ndots !== undefined && conf.ndots !== RESOLV_DEFAULTS.ndots) opts.push(`ndots:${conf.ndots}`);
  if (conf.timeout !== undefined && conf.timeout !== RESOLV_DEFAULTS.timeout) opts.push(`timeout:${conf.timeout}`);
  if (conf.attempts !== undefined && conf.attempts !== RESOLV_DEFAULTS.attempts) opts.push(`attempts:${conf.attempts}`);
  for (const o of conf.options ?? []) opts.push(o);
  if (opts.length) lines.push(`options ${opts.join(' ')}`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Results

/** What to ask: one RR type (res_search, as `dig +search` or a `dns:` traffic item does) or 'getaddrinfo' (A and AAAA in parallel, AF_UNSPEC). */
export type ResolveKind = number | 'getaddrinfo';

/** How a lookup (or one candidate of it) ended. */
export type ResolveStatus = 'ok' | 'nxdomain' | 'nodata' | 'servfail' | 'timeout' | 'refused' | 'error';

/** One event of the exchange with the nameservers, in time order. */
export interface DnsWireEvent {
  readonly time: number;
  /** query: sent; answer: accepted reply; ignored: a reply that matched no outstanding query; timeout; icmp: an ICMP error on the socket; tcp-error. */
  readonly event: 'query' | 'answer' | 'ignored' | 'timeout' | 'icmp' | 'tcp-error';
  readonly transport: 'udp' | 'tcp';
  /** The nameserver and our local port. */
  readonly server: number;
  readonly localPort: number;
  /** Query name (as sent) and type; for answers, the question of the query they answer. */
  readonly name: string;
  readonly type: number;
  readonly id: number;
  /** Answers: RCODE, ANCOUNT, whether TC was set, and the parsed reply. */
  readonly rcode?: number;
  readonly ancount?: number;
  readonly truncated?: boolean;
  readonly message?: DnsMessage;
  /** DNS payload length in bytes. */
  readonly bytes?: number;
  /** Free text (error details). */
  readonly text?: string;
}

/** How one search candidate ended. */
export interface CandidateOutcome {
  /** The query name (absolute, as sent). */
  readonly name: string;
  readonly status: ResolveStatus;
  /** The deciding reply's RCODE, or -1 without one. */
  readonly rcode: number;
}

/** The result of a lookup. */
export interface ResolveResult {
  readonly ok: boolean;
  /** The name as asked. */
  readonly name: string;
  readonly kind: ResolveKind;
  readonly status: ResolveStatus;
  /** RCODE of the reply that ended the walk (0 on success; -1 when no reply decided it). */
  readonly rcode: number;
  /** The candidate that succeeded (absolute name), or null. */
  readonly answeredName: string | null;
  /** IPv4 addresses from A records of the successful replies, in answer order. */
  readonly addresses: readonly number[];
  /** The answer sections of the replies of the candidate that ended the walk. */
  readonly answers: readonly DnsRecord[];
  /** The replies of the candidate that ended the walk (the full messages, e.g. for dig-style output). */
  readonly replies: readonly DnsMessage[];
  /** Every query put on the wire, in order, retransmissions included. */
  readonly queries: readonly { readonly name: string; readonly type: number; readonly transport: 'udp' | 'tcp' }[];
  /** Each candidate tried and how it ended. */
  readonly candidates: readonly CandidateOutcome[];
  /** The full exchange. */
  readonly log: readonly DnsWireEvent[];
  /** Answered from the hosts file without any query. */
  readonly fromHosts: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Options of one lookup. */
export interface ResolveOptions {
  /** Trace flow tag put on every packet. */
  readonly flow?: number;
  /** /etc/hosts entries (lower-case names without trailing dot → IPv4 addresses), consulted first for getaddrinfo. */
  readonly hosts?: ReadonlyMap<string, readonly number[]>;
}

/** A lookup in progress. */
export interface Resolution {
  /** Stops the lookup (closes its sockets); the callback is not called. */
  cancel(): void;
  /** True once the callback ran or the lookup was cancelled. */
  readonly done: boolean;
}

// ---------------------------------------------------------------------------------------------

/** res_query's h_errno values (netdb.h). */
const enum HErrno {
  None = 0,
  HostNotFound = 1,
  TryAgain = 2,
  NoRecovery = 3,
  NoData = 4,
}

interface Query {
  readonly name: string;
  readonly type: number;
  readonly id: number;
  readonly bytes: Uint8Array;
}

/** What res_send returned for a candidate. */
interface SendOutcome {
  /** The reply buffers as glibc fills them: the first received (possibly a kept SERVFAIL), then the second (valid only). */
  readonly replies: DnsMessage[];
  /** null on success; else why res_send failed. */
  readonly errno: null | 'ETIMEDOUT' | 'ECONNREFUSED';
  /** The last reply read into the answer buffer (for res_search's `hp->rcode` check after a failure). */
  readonly lastReply: DnsMessage | null;
}

interface CandidateResult {
  readonly success: boolean;
  readonly herrno: HErrno;
  readonly status: ResolveStatus;
  readonly rcode: number;
  readonly send: SendOutcome;
  readonly econnrefused: boolean;
}

const BAD_RCODES = new Set<number>([DNS_RCODE.SERVFAIL, DNS_RCODE.NOTIMP, DNS_RCODE.REFUSED]);

function absolute(name: string): string {
  return name.endsWith('.') ? name : name + '.';
}

function sameName(a: string, b: string): boolean {
  return absolute(a).toLowerCase() === absolute(b).toLowerCase();
}

/** Does `reply` answer `q` (same ID, and a question with the same name, type and class; res_queriesmatch)? */
function answers(reply: DnsMessage, q: Query): boolean {
  if (reply.id !== q.id || reply.questions.length !== 1) return false;
  const rq = reply.questions[0]!;
  return rq.type === q.type && rq.class === DNS_CLASS.IN && sameName(rq.name, q.name);
}

function isGood(m: DnsMessage | undefined): boolean {
  return !!m && m.rcode === DNS_RCODE.NOERROR && m.answers.length > 0;
}

/** A NOERROR without answers, AA, RA or additional records: a lame referral to glibc, which asks the next server. */
function isLame(m: DnsMessage): boolean {
  return m.rcode === DNS_RCODE.NOERROR && m.answers.length === 0 && !m.aa && !m.ra && m.additional.length === 0;
}

class Lookup implements Resolution {
  done = false;
  private readonly conf: ResolvConf;
  private readonly servers: readonly number[];
  private readonly timeoutS: number;
  private readonly attempts: number;
  private readonly ndots: number;
  private readonly flags: Set<string>;
  private singleRequest: boolean;
  private singleRequestReopen: boolean;
  private readonly rng: RandomStream;
  private readonly log: DnsWireEvent[] = [];
  private readonly candidates: CandidateOutcome[] = [];
  private readonly startedAt: number;
  private readonly flow: number;
  /** Open UDP sockets by nameserver index → local port. */
  private readonly socks = new Map<number, number>();
  private timer: EventHandle | null = null;
  private tcp: TcpConnection | null = null;
  /** The exchange in progress: receives datagrams for the current (nameserver, attempt). */
  private onDatagram: ((ns: number, msg: DnsMessage, bytes: number, uid: number) => void) | null = null;
  private onIcmp: ((ns: number) => void) | null = null;

  constructor(
    private readonly host: Host,
    conf: ResolvConf,
    private readonly name: string,
    private readonly kind: ResolveKind,
    private readonly callback: (r: ResolveResult) => void,
    private readonly opts: ResolveOptions,
  ) {
    this.servers = conf.nameservers.slice(0, RESOLV_DEFAULTS.maxNameservers);
    this.timeoutS = conf.timeout ?? RESOLV_DEFAULTS.timeout;
    this.attempts = conf.attempts ?? RESOLV_DEFAULTS.attempts;
    this.ndots = conf.ndots ?? RESOLV_DEFAULTS.ndots;
    this.flags = new Set(conf.options ?? []);
    this.singleRequestReopen = this.flags.has('single-request-reopen');
    this.singleRequest = this.flags.has('single-request') || this.singleRequestReopen;
    this.rng = host.net.sim.rng.stream(`host/${host.name}/dns-stub`);
    this.startedAt = host.now;
    this.flow = opts.flow ?? 0;
    this.conf = conf;
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.closeAll();
  }

  // ---- the search walk (res_search) -----------------------------------------------------------

  private triedAsIs = false;
  private rootOnList = false;
  private gotNodata = false;
  private gotServfail = false;
  private savedFailure: CandidateResult | null = null;
  private searchIndex = 0;
  private searchDone = false;
  private last: CandidateResult | null = null;

  start(): void {
    const name = this.name;
    if (this.kind === 'getaddrinfo' && this.opts.hosts) {
      const key = name.replace(/\.$/, '').toLowerCase();
      const addrs = this.opts.hosts.get(key);
      if (addrs && addrs.length) {
        appNote(this.host, 0, `resolver: ${name} → ${addrs.map(formatIpv4).join(', ')} (/etc/hosts)`, this.flow);
        this.finish({ ok: true, status: 'ok', rcode: 0, answeredName: null, replies: [], addresses: addrs, fromHosts: true });
        return;
      }
    }
    if (name === '' || checkDnsName(absolute(name)) !== null) {
      this.finish({ ok: false, status: 'error', rcode: -1, answeredName: null, replies: [], addresses: [], fromHosts: false });
      return;
    }
    if (this.servers.length === 0) {
      // res_send: no nameservers configured (ESRCH): nothing goes on the wire.
      this.finish({ ok: false, status: 'refused', rcode: -1, answeredName: null, replies: [], addresses: [], fromHosts: false });
      return;
    }
    let dots = 0;
    for (const ch of name) if (ch === '.') dots++;
    const trailingDot = name.endsWith('.');
    if (dots >= this.ndots || trailingDot) {
      this.queryCandidate(absolute(name), (r) => {
        if (r.success || trailingDot) return this.finishWith(r, absolute(name));
        this.savedFailure = r;
        this.triedAsIs = true;
        this.nextSearchDomain();
      });
      return;
    }
    this.nextSearchDomain();
  }

  private nextSearchDomain(): void {
    if (this.done) return;
    const search = this.conf.search;
    if (this.searchDone || this.searchIndex >= search.length) return this.finalAsIs();
    let domain = search[this.searchIndex++]!;
    if (domain.startsWith('.')) domain = domain.slice(1);
    if (domain.endsWith('.')) domain = domain.slice(0, -1);
    if (domain === '') this.rootOnList = true;
    const candidate = absolute(domain === '' ? this.name : `${this.name}.${domain}`);
    if (checkDnsName(candidate) !== null) {
      // Too long once the domain is appended: res_querydomain fails without a query.
      this.searchDone = true;
      return this.nextSearchDomain();
    }
    this.queryCandidate(candidate, (r) => {
      if (r.success) return this.finishWith(r, candidate);
      if (r.econnrefused) return this.finishWith(r, candidate); // no nameserver reachable: give up
      switch (r.herrno) {
        case HErrno.NoData:
          this.gotNodata = true;
          break;
        case HErrno.HostNotFound:
          break;
        case HErrno.TryAgain:
          if (r.send.lastReply?.rcode === DNS_RCODE.SERVFAIL) {
            this.gotServfail = true;
            break;
          }
          this.searchDone = true;
          break;
        default:
          this.searchDone = true;
      }
      this.nextSearchDomain();
    });
  }

  private finalAsIs(): void {
    if (!this.triedAsIs && !this.rootOnList) {
      this.triedAsIs = true;
      const asIs = absolute(this.name);
      this.queryCandidate(asIs, (r) => {
        if (r.success) return this.finishWith(r, asIs);
        this.finishFailure(r);
      });
      return;
    }
    this.finishFailure(this.last);
  }

  private finishFailure(last: CandidateResult | null): void {
    // The as-is query's error if one was made first; else NODATA if any candidate had it;
    // else SERVFAIL if any had it; else the last error.
    let status: ResolveStatus = last?.status ?? 'error';
    let rcode = last?.rcode ?? -1;
    if (this.savedFailure) {
      status = this.savedFailure.status;
      rcode = this.savedFailure.rcode;
    } else if (this.gotNodata) {
      status = 'nodata';
      rcode = DNS_RCODE.NOERROR;
    } else if (this.gotServfail) {
      status = 'servfail';
      rcode = DNS_RCODE.SERVFAIL;
    }
    this.finish({ ok: false, status, rcode, answeredName: null, replies: last?.send.replies ?? [], addresses: [], fromHosts: false });
  }

  private finishWith(r: CandidateResult, candidate: string): void {
    if (!r.success) {
      this.finish({ ok: false, status: r.status, rcode: r.rcode, answeredName: null, replies: r.send.replies, addresses: [], fromHosts: false });
      return;
    }
    const addresses: number[] = [];
    for (const m of r.send.replies) {
      if (m.rcode !== DNS_RCODE.NOERROR) continue;
      for (const rr of m.answers) if (rr.data.kind === 'A') addresses.push(rr.data.address);
    }
    this.finish({ ok: true, status: 'ok', rcode: DNS_RCODE.NOERROR, answeredName: candidate, replies: r.send.replies, addresses, fromHosts: false });
  }

  private finish(p: { ok: boolean; status: ResolveStatus; rcode: number; answeredName: string | null; replies: readonly DnsMessage[]; addresses: readonly number[]; fromHosts: boolean }): void {
    if (this.done) return;
    this.done = true;
    this.closeAll();
    const answersOut: DnsRecord[] = [];
    for (const m of p.replies) answersOut.push(...m.answers);
    const result: ResolveResult = {
      ok: p.ok,
      name: this.name,
      kind: this.kind,
      status: p.status,
      rcode: p.rcode,
      answeredName: p.answeredName,
      addresses: p.addresses,
      answers: answersOut,
      replies: p.replies,
      queries: this.log.filter((e) => e.event === 'query').map((e) => ({ name: e.name, type: e.type, transport: e.transport })),
      candidates: this.candidates,
      log: this.log,
      fromHosts: p.fromHosts,
      startedAt: this.startedAt,
      finishedAt: this.host.now,
    };
    if (!p.fromHosts) {
      appNote(
        this.host,
        0,
        p.ok
          ? `resolver: ${this.name} → ${p.addresses.length ? p.addresses.map(formatIpv4).join(', ') : `${answersOut.length} record(s)`} (${p.answeredName})`
          : `resolver: ${this.name} failed: ${p.status}${p.rcode >= 0 ? ` (${dnsRcodeName(p.rcode)})` : ''}`,
        this.flow,
      );
    }
    this.callback(result);
  }

  // ---- one candidate (res_query) --------------------------------------------------------------

  private queryCandidate(qname: string, then: (r: CandidateResult) => void): void {
    const types: number[] = this.kind === 'getaddrinfo' ? (this.flags.has('no-aaaa') ? [DNS_TYPE.A] : [DNS_TYPE.A, DNS_TYPE.AAAA]) : [this.kind];
    const queries: Query[] = [];
    for (const type of types) {
      let id = this.rng.nextUint32() & 0xffff;
      while (queries.some((q) => q.id === id)) id = this.rng.nextUint32() & 0xffff;
      queries.push({ name: qname, type, id, bytes: this.encodeQuery(qname, type, id) });
    }
    this.send(queries, (send) => {
      const r = this.classify(send);
      this.last = r;
      this.candidates.push({ name: qname, status: r.status, rcode: r.rcode });
      then(r);
    });
  }

  private encodeQuery(name: string, type: number, id: number): Uint8Array {
    return encodeDns({
      id,
      rd: true,
      ad: this.flags.has('trust-ad'),
      questions: [{ name, type, class: DNS_CLASS.IN }],
      answers: [],
      authority: [],
      additional: this.flags.has('edns0') ? [{ name: '.', type: DNS_TYPE.OPT, class: GLIBC_EDNS_BUFFER_SIZE, ttl: 0, data: { kind: 'OPT', options: new Uint8Array(0) } }] : [],
    });
  }

  /** res_query's verdict on what res_send brought back. */
  private classify(send: SendOutcome): CandidateResult {
    if (send.errno !== null) {
      const last = send.lastReply;
      const servfail = last?.rcode === DNS_RCODE.SERVFAIL;
      const status: ResolveStatus = send.errno === 'ECONNREFUSED' ? 'refused' : servfail ? 'servfail' : last && BAD_RCODES.has(last.rcode ?? 0) ? 'error' : 'timeout';
      return { success: false, herrno: HErrno.TryAgain, status, rcode: last?.rcode ?? -1, send, econnrefused: send.errno === 'ECONNREFUSED' };
    }
    const [hp, hp2] = send.replies;
    if (isGood(hp) || isGood(hp2)) return { success: true, herrno: HErrno.None, status: 'ok', rcode: DNS_RCODE.NOERROR, send, econnrefused: false };
    const rc = hp && hp.rcode === DNS_RCODE.NOERROR && hp2 ? (hp2.rcode ?? 0) : (hp?.rcode ?? DNS_RCODE.SERVFAIL);
    if (rc === DNS_RCODE.NXDOMAIN) return { success: false, herrno: HErrno.HostNotFound, status: 'nxdomain', rcode: rc, send, econnrefused: false };
    if (rc === DNS_RCODE.SERVFAIL) return { success: false, herrno: HErrno.TryAgain, status: 'servfail', rcode: rc, send, econnrefused: false };
    if (rc === DNS_RCODE.NOERROR) return { success: false, herrno: HErrno.NoData, status: 'nodata', rcode: rc, send, econnrefused: false };
    return { success: false, herrno: HErrno.NoRecovery, status: 'error', rcode: rc, send, econnrefused: false };
  }

  // ---- the transport (res_send) ---------------------------------------------------------------

  private send(queries: Query[], done: (o: SendOutcome) => void): void {
    const n = this.servers.length;
    const offset = this.flags.has('rotate') ? this.rng.int(0, n - 1) : 0;
    let attempt = 0;
    let shift = 0;
    let viaTcp = this.flags.has('use-vc');
    let gotSomewhere = false;
    let lastReply: DnsMessage | null = null;
    const absorb = (r: ExchangeResult): boolean => {
      if (r.lastReply) lastReply = r.lastReply;
      if (r.gotSomewhere) gotSomewhere = true;
      if (r.kind !== 'ok') return false;
      this.closeAll();
      done({ replies: r.replies, errno: null, lastReply });
      return true;
    };
    const tryServer = (ns: number): void => {
      if (viaTcp) {
        // TCP gets one attempt per server: this round through the servers is the last.
        attempt = this.attempts - 1;
        this.exchangeTcp(queries, ns, (r) => {
          if (!absorb(r)) step();
        });
        return;
      }
      this.exchangeUdp(queries, ns, (r) => {
        if (absorb(r)) return;
        if (r.kind === 'tcp') {
          // Truncated: ask the same server again over TCP.
          viaTcp = true;
          return tryServer(ns);
        }
        step();
      });
    };
    const step = (): void => {
      if (this.done) return;
      if (shift >= n) {
        shift = 0;
        attempt++;
      }
      if (attempt >= this.attempts) {
        this.closeAll();
        done({ replies: [], errno: gotSomewhere ? 'ETIMEDOUT' : 'ECONNREFUSED', lastReply });
        return;
      }
      const ns = (shift + offset) % n;
      shift++;
      tryServer(ns);
    };
    step();
  }

  /** One send_dg: the queries to nameserver `ns` over UDP, until answered, failed or timed out. */
  private exchangeUdp(queries: Query[], ns: number, done: (r: ExchangeResult) => void): void {
    const server = this.servers[ns]!;
    const n = this.servers.length;
    let seconds = ns > 0 ? Math.floor((this.timeoutS << ns) / n) : this.timeoutS;
    if (seconds <= 0) seconds = 1;
    let port = this.openSocket(ns);
    let received: (DnsMessage | null)[] = [];
    let buffers: DnsMessage[] = [];
    let firstLen = 0;
    let sent = 0;
    let lastReply: DnsMessage | null = null;
    let finished = false;
    const end = (r: ExchangeResult): void => {
      if (finished) return;
      finished = true;
      this.clearTimer();
      this.onDatagram = null;
      this.onIcmp = null;
      done({ ...r, lastReply: r.lastReply ?? lastReply });
    };
    const sendOne = (i: number): void => {
      const q = queries[i]!;
      this.sendUdpQuery(q, server, port);
      sent = i + 1;
    };
    const restart = (): void => {
      // The "retry" label: a fresh deadline, nothing received, the queries sent again.
      received = queries.map(() => null);
      buffers = [];
      firstLen = 0;
      sent = 0;
      this.clearTimer();
      this.timer = this.host.net.sim.after(seconds * SECOND_NS, onTimeout);
      sendOne(0);
      if (queries.length > 1 && !this.singleRequest) sendOne(1);
    };
    const onTimeout = (): void => {
      this.timer = null;
      this.record({ event: 'timeout', transport: 'udp', server, localPort: port, name: queries[0]!.name, type: queries[0]!.type, id: queries[0]!.id, text: `no answer within ${seconds} s` });
      appNote(this.host, 0, `resolver: no answer from ${formatIpv4(server)} within ${seconds} s`, this.flow);
      const gotOne = firstLen > 0 && received.some((r) => r !== null);
      if (gotOne && queries.length > 1) {
        // One answer came, the other did not: a server or firewall that drops the second of
        // two parallel queries. Go on one query at a time (and then with a new socket).
        if (!this.singleRequest) {
          this.singleRequest = true;
          return restart();
        }
        if (!this.singleRequestReopen) {
          this.singleRequestReopen = true;
          this.closeSocket(ns);
          port = this.openSocket(ns);
          return restart();
        }
        return end({ kind: 'ok', replies: buffers, gotSomewhere: true, lastReply: null });
      }
      end({ kind: 'next', replies: [], gotSomewhere: true, lastReply: null });
    };
    this.onIcmp = (fromNs) => {
      if (fromNs !== ns) return;
      // A connected UDP socket reports ICMP errors (port unreachable) as ECONNREFUSED.
      this.closeSocket(ns);
      end({ kind: 'next', replies: [], gotSomewhere: false, lastReply: null });
    };
    this.onDatagram = (fromNs, msg, bytes, uid) => {
      if (fromNs !== ns || finished) return;
      let which = -1;
      for (let i = 0; i < queries.length; i++) if (received[i] === null && i < sent && answers(msg, queries[i]!)) which = i;
      const q = which >= 0 ? queries[which]! : null;
      this.record({
        event: q ? 'answer' : 'ignored',
        transport: 'udp',
        server,
        localPort: port,
        name: q?.name ?? msg.questions[0]?.name ?? '',
        type: q?.type ?? msg.questions[0]?.type ?? 0,
        id: msg.id,
        rcode: msg.rcode,
        ancount: msg.answers.length,
        truncated: msg.tc,
        message: msg,
        bytes,
      });
      if (!q) return; // spurious: keep waiting
      this.noteAnswer(msg, uid, 'UDP');
      lastReply = msg;
      const others = received.some((r) => r !== null);
      if (BAD_RCODES.has(msg.rcode ?? 0) || isLame(msg)) {
        if (others && buffers.length > 0 && firstLen > 0) return end({ kind: 'ok', replies: buffers, gotSomewhere: true, lastReply: msg });
        if (queries.length > 1 && !others) {
          // Keep it as the first buffer (with no usable length) and wait for the other reply.
          received[which] = msg;
          buffers.push(msg);
          firstLen = 0;
          if (this.singleRequest && sent < queries.length) {
            port = this.reopenIfNeeded(ns, port);
            sendOne(1);
          }
          return;
        }
        if (others) return end({ kind: 'next', replies: [], gotSomewhere: true, lastReply: msg });
        this.closeSocket(ns);
        return end({ kind: 'next', replies: [], gotSomewhere: true, lastReply: msg });
      }
      if (msg.tc && !this.flags.has('ign-tc')) {
        this.closeSocket(ns);
        return end({ kind: 'tcp', replies: [], gotSomewhere: true, lastReply: msg });
      }
      received[which] = msg;
      // After a kept SERVFAIL-like first buffer, this reply is the usable second one.
      if (buffers.length === 0) firstLen = bytes;
      buffers.push(msg);
      if (received.every((r) => r !== null)) return end({ kind: 'ok', replies: buffers, gotSomewhere: true, lastReply: msg });
      if (this.singleRequest && sent < queries.length) {
        port = this.reopenIfNeeded(ns, port);
        sendOne(1);
      }
    };
    restart();
  }

  private reopenIfNeeded(ns: number, port: number): number {
    if (!this.singleRequestReopen) return port;
    this.closeSocket(ns);
    return this.openSocket(ns);
  }

  /** One send_vc: both queries over one TCP connection to nameserver `ns`, length-prefixed (RFC 1035 §4.2.2). */
  private exchangeTcp(queries: Query[], ns: number, done: (r: ExchangeResult) => void, connReset = false): void {
    const server = this.servers[ns]!;
    const host = this.host;
    let buf = new Uint8Array(0);
    const got: (DnsMessage | null)[] = queries.map(() => null);
    const order: DnsMessage[] = [];
    let finished = false;
    let lastReply: DnsMessage | null = null;
    const end = (r: ExchangeResult, conn: TcpConnection | null, how: 'close' | 'abort' | 'none'): void => {
      if (finished) return;
      finished = true;
      this.tcp = null;
      if (conn && how === 'close') conn.close();
      else if (conn && how === 'abort') conn.abort();
      done({ ...r, lastReply: r.lastReply ?? lastReply });
    };
    const fail = (c: TcpConnection, text: string, retry: boolean, gotSomewhere = true): void => {
      if (finished) return;
      this.record({ event: 'tcp-error', transport: 'tcp', server, localPort: c.localPort, name: queries[0]!.name, type: queries[0]!.type, id: queries[0]!.id, text });
      if (retry && !connReset) {
        finished = true;
        this.tcp = null;
        return this.exchangeTcp(queries, ns, done, true);
      }
      end({ kind: 'next', replies: [], gotSomewhere, lastReply: null }, null, 'none');
    };
    this.tcp = host.tcp.connect(
      server,
      53,
      {
        onConnect: (c) => {
          let total = 0;
          for (const q of queries) total += 2 + q.bytes.length;
          const out = new Uint8Array(total);
          let p = 0;
          for (const q of queries) {
            writeU16(out, p, q.bytes.length);
            out.set(q.bytes, p + 2);
            p += 2 + q.bytes.length;
            this.record({ event: 'query', transport: 'tcp', server, localPort: c.localPort, name: q.name, type: q.type, id: q.id, bytes: q.bytes.length });
            appNote(host, 0, `resolver: ${dnsTypeName(q.type)}? ${q.name} id 0x${q.id.toString(16).padStart(4, '0')} → ${formatIpv4(server)}:53 (TCP)`, this.flow);
          }
          c.send(out);
        },
        onData: (c, data) => {
          const next = new Uint8Array(buf.length + data.length);
          next.set(buf);
          next.set(data, buf.length);
          buf = next;
          while (buf.length >= 2) {
            const len = readU16(buf, 0);
            if (buf.length < 2 + len) break;
            const frame = buf.slice(2, 2 + len);
            buf = buf.slice(2 + len);
            const parsed = parseDns(frame);
            if (!parsed.ok) continue;
            const msg = parsed.repr;
            let which = -1;
            for (let i = 0; i < queries.length; i++) if (got[i] === null && msg.id === queries[i]!.id) which = i;
            const q = which >= 0 ? queries[which]! : null;
            this.record({ event: q ? 'answer' : 'ignored', transport: 'tcp', server, localPort: c.localPort, name: q?.name ?? '', type: q?.type ?? 0, id: msg.id, rcode: msg.rcode, ancount: msg.answers.length, truncated: msg.tc, message: msg, bytes: len });
            if (!q) continue;
            this.noteAnswer(msg, 0, 'TCP');
            got[which] = msg;
            order.push(msg);
            lastReply = msg;
            if (got.every((g) => g !== null)) return end({ kind: 'ok', replies: order, gotSomewhere: true, lastReply: msg }, c, 'close');
          }
        },
        onPeerClose: (c) => {
          fail(c, 'connection closed before all answers', false);
          c.close();
        },
        onError: (c, err) => fail(c, `TCP ${err}`, err === 'reset', err !== 'refused'),
      },
      0,
      this.flow,
    );
  }

  // ---- sockets ----------------------------------------------------------------------------------

  private openSocket(ns: number): number {
    const existing = this.socks.get(ns);
    if (existing !== undefined) return existing;
    const server = this.servers[ns]!;
    const self = this;
    const handler: UdpHandler = {
      onDatagram(_h, pkt: Packet, src, sport, _dst, _dport, off, len) {
        // A connected socket: only the nameserver's port 53 gets through.
        if (src !== server || sport !== 53 || self.socks.get(ns) !== port) return false;
        const bytes = pkt.buf.slice(off, off + len);
        const parsed = parseDns(bytes);
        if (!parsed.ok || !parsed.repr.qr) return false;
        self.onDatagram?.(ns, parsed.repr, len, pkt.uid);
        return false;
      },
      onIcmpError(_h, type, code, dst, dport) {
        if (dst !== server || dport !== 53 || self.socks.get(ns) !== port) return;
        self.record({ event: 'icmp', transport: 'udp', server, localPort: port, name: '', type: 0, id: 0, text: `ICMP type ${type} code ${code}` });
        appNote(self.host, 0, `resolver: ICMP type ${type} code ${code} from ${formatIpv4(server)}:53 (connection refused)`, self.flow);
        self.onIcmp?.(ns);
      },
    };
    const port = this.host.bindUdpEphemeral(handler);
    this.socks.set(ns, port);
    return port;
  }

  private closeSocket(ns: number): void {
    const port = this.socks.get(ns);
    if (port === undefined) return;
    this.socks.delete(ns);
    this.host.unbindUdp(port);
  }

  /** res_iclose: every UDP socket (and a TCP connection in progress) goes. */
  private closeAll(): void {
    this.clearTimer();
    for (const ns of [...this.socks.keys()]) this.closeSocket(ns);
    this.onDatagram = null;
    this.onIcmp = null;
    if (this.tcp) {
      const c = this.tcp;
      this.tcp = null;
      c.callbacks = { onPeerClose: (x) => x.close() };
      if (c.state === 'SYN_SENT') c.close();
      else if (c.state !== 'CLOSED' && c.state !== 'TIME_WAIT') c.close();
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) this.host.net.sim.cancel(this.timer);
    this.timer = null;
  }

  private sendUdpQuery(q: Query, server: number, port: number): void {
    const uid = this.host.sendUdp(0, port, server, 53, q.bytes.length, (b, off) => b.set(q.bytes, off), this.flow);
    this.record({ event: 'query', transport: 'udp', server, localPort: port, name: q.name, type: q.type, id: q.id, bytes: q.bytes.length });
    appNote(this.host, uid, `resolver: ${dnsTypeName(q.type)}? ${q.name} id 0x${q.id.toString(16).padStart(4, '0')} → ${formatIpv4(server)}:53 from port ${port}`, this.flow);
  }

  private noteAnswer(m: DnsMessage, uid: number, transport: string): void {
    const q = m.questions[0];
    const rrs = m.answers.map((r) => `${dnsTypeName(r.type)} ${formatDnsRdata(r.data)}`).join(', ');
    appNote(
      this.host,
      uid,
      `resolver: answer id 0x${m.id.toString(16).padStart(4, '0')} ${dnsRcodeName(m.rcode ?? 0)}${q ? ` ${dnsTypeName(q.type)} ${q.name}` : ''}${rrs ? `: ${rrs}` : ''}${m.tc ? ' (truncated)' : ''} (${transport})`,
      this.flow,
    );
  }

  private record(e: Omit<DnsWireEvent, 'time'>): void {
    this.log.push({ time: this.host.now, ...e });
  }
}

interface ExchangeResult {
  readonly kind: 'ok' | 'next' | 'tcp';
  readonly replies: DnsMessage[];
  readonly gotSomewhere: boolean;
  readonly lastReply: DnsMessage | null;
}

/**
 * Looks `name` up from `host` through `conf` as glibc would, calling `callback` once with the
 * result (never synchronously before this returns, unless answered from the hosts file, the
 * name is invalid, or there is no nameserver).
 */
export function resolve(host: Host, conf: ResolvConf, name: string, kind: ResolveKind, callback: (r: ResolveResult) => void, opts: ResolveOptions = {}): Resolution {
  const l = new Lookup(host, conf, name, kind, callback, opts);
  l.start();
  return l;
}

/** The type mnemonic of a query kind ("A", "SRV", "A+AAAA"). */
export function resolveKindName(kind: ResolveKind): string {
  return kind === 'getaddrinfo' ? 'A+AAAA' : dnsTypeName(kind);
}
