/**
 * Conntrack: the connection tracking table of one network namespace (Linux nf_conntrack).
 * Each entry holds the original tuple and the reply tuple; NAT is expressed by making the reply
 * tuple differ from the inverse of the original (the kernel's model), and every later packet of
 * either direction is rewritten from the entry. Both tuples are hashed for lookup; entries
 * expire lazily (checked on lookup) with Linux's default timeouts, so no timer events exist.
 */
import { formatIpv4 } from '../../wire/addr.ts';

/** One direction's 5-tuple, linked into its hash bucket. */
export class TupleNode {
  next: TupleNode | null = null;
  /**
   * The addresses as int32 bits: V8 keeps small integers unboxed in a field, but an address above
   * 127.255.255.255 read unsigned is a double, boxed on the heap (2 of them per tuple, for 100,000s
   * of entries). `src` and `dst` read them back unsigned.
   */
  srcBits: number;
  dstBits: number;
  constructor(
    src: number,
    dst: number,
    public sport: number,
    public dport: number,
    readonly proto: number,
    readonly dir: number,
    readonly entry: ConnEntry,
  ) {
    this.srcBits = src | 0;
    this.dstBits = dst | 0;
  }

  get src(): number {
    return this.srcBits >>> 0;
  }
  set src(v: number) {
    this.srcBits = v | 0;
  }
  get dst(): number {
    return this.dstBits >>> 0;
  }
  set dst(v: number) {
    this.dstBits = v | 0;
  }

  /** "10.2.1.4:43210 > 10.96.0.10:53" (ICMP: "10.2.1.4 > 10.2.2.5 id 7"). */
  toString(): string {
    if (this.proto === 1) return `${formatIpv4(this.src)} > ${formatIpv4(this.dst)} id ${this.sport}`;
    return `${formatIpv4(this.src)}:${this.sport} > ${formatIpv4(this.dst)}:${this.dport}`;
  }
}

/** Status bits (IPS_*). */
export const CtStatus = {
  SEEN_REPLY: 1,
  ASSURED: 2,
  SRC_NAT: 4,
  DST_NAT: 8,
  CONFIRMED: 16,
} as const;

/** TCP conntrack states (nf_conntrack_proto_tcp), by number. */
export const TCP_CT_STATES = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE'] as const;

const SEC = 1_000_000_000;
/** Linux default timeouts (net.netfilter.nf_conntrack_*_timeout*), seconds, by TCP state. */
const TCP_TIMEOUTS = [10, 120, 60, 432000, 120, 60, 30, 120, 10];

export class ConnEntry {
  /** The original and reply tuples (fields rather than an array: a busy host holds 100,000s of entries). */
  readonly orig: TupleNode;
  readonly reply: TupleNode;
  status = 0;
  tcpState = 0;
  expiresAt = 0;
  mark = 0;
  constructor(
    readonly id: number,
    readonly proto: number,
    src: number,
    dst: number,
    sport: number,
    dport: number,
    readonly createdAt: number,
  ) {
    this.orig = new TupleNode(src, dst, sport, dport, proto, 0, this);
    this.reply = new TupleNode(dst, src, dport, sport, proto, 1, this);
  }

  /** The tuple of direction `dir` (0 original, 1 reply). */
  tuple(dir: number): TupleNode {
    return dir === 0 ? this.orig : this.reply;
  }

  /** The `conntrack -L` line for this entry at time `now`. */
  format(now: number): string {
    const o = this.orig, r = this.reply;
    const name = this.proto === 6 ? 'tcp' : this.proto === 17 ? 'udp' : this.proto === 1 ? 'icmp' : 'unknown';
    const ttl = Math.max(0, Math.floor((this.expiresAt - now) / SEC));
    const state = this.proto === 6 ? ` ${TCP_CT_STATES[this.tcpState]}` : '';
    const ports = (t: TupleNode) => (this.proto === 1 ? ` type=8 code=0 id=${t.sport}` : ` sport=${t.sport} dport=${t.dport}`);
    const unreplied = this.status & CtStatus.SEEN_REPLY ? '' : ' [UNREPLIED]';
    const assured = this.status & CtStatus.ASSURED ? ' [ASSURED]' : '';
    return `${name} ${this.proto} ${ttl}${state} src=${formatIpv4(o.src)} dst=${formatIpv4(o.dst)}${ports(o)}${unreplied} src=${formatIpv4(r.src)} dst=${formatIpv4(r.dst)}${ports(r)}${assured} mark=${this.mark} use=1`;
  }
}

/**
 * The bucket key of a tuple: an int32, which V8 keeps unboxed as a Map key (a double would be
 * boxed and hashed on every lookup). Tuples of different protocols may share a bucket; the
 * chain compares the protocol.
 */
function hashTuple(src: number, dst: number, sport: number, dport: number, proto: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ dst, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((sport << 16) | dport), 0x27d4eb2d);
  h ^= (h >>> 15) ^ Math.imul(proto, 0x9e3779b1);
  return h | 0;
}

/** The buckets of every table without entries yet: empty, never written. */
const NO_BUCKETS: Map<number, TupleNode> = new Map();

export class ConntrackTable {
  /** Hash buckets; the shared empty NO_BUCKETS until the first entry (most pods of a cluster never have one). */
  private buckets: Map<number, TupleNode> = NO_BUCKETS;
  private nextId = 1;
  /** Live entries (including ones not yet confirmed). */
  count = 0;

  /** Finds the tuple node for a packet's tuple, expiring a stale entry on the way. */
  lookup(src: number, dst: number, sport: number, dport: number, proto: number, now: number): TupleNode | null {
    let n = this.buckets.get(hashTuple(src, dst, sport, dport, proto)) ?? null;
    const s = src | 0;
    const d = dst | 0;
    while (n) {
      if (n.srcBits === s && n.dstBits === d && n.sport === sport && n.dport === dport && n.proto === proto) {
        if (n.entry.expiresAt < now && n.entry.status & CtStatus.CONFIRMED) {
          this.remove(n.entry);
          return null;
        }
        return n;
      }
      n = n.next;
    }
    return null;
  }

  /** Whether a tuple is in use by a live entry (for NAT port choice). */
  inUse(src: number, dst: number, sport: number, dport: number, proto: number, now: number): boolean {
    return this.lookup(src, dst, sport, dport, proto, now) !== null;
  }

  /** A new, unconfirmed entry whose reply tuple is the inverse of the original. */
  create(src: number, dst: number, sport: number, dport: number, proto: number, now: number): ConnEntry {
    const e = new ConnEntry(this.nextId++, proto, src, dst, sport, dport, now);
    e.expiresAt = now + (proto === 17 ? 30 : proto === 6 ? 120 : 30) * SEC;
    this.insertNode(e.orig);
    this.count++;
    return e;
  }

  /** Confirms an entry (the packet left POSTROUTING/INPUT): its reply tuple becomes findable. */
  confirm(e: ConnEntry): void {
    if (e.status & CtStatus.CONFIRMED) return;
    e.status |= CtStatus.CONFIRMED;
    this.insertNode(e.reply);
  }

  /** Changes the reply tuple (NAT) before confirmation. */
  setReply(e: ConnEntry, src: number, dst: number, sport: number, dport: number): void {
    const r = e.reply;
    r.src = src;
    r.dst = dst;
    r.sport = sport;
    r.dport = dport;
  }

  remove(e: ConnEntry): void {
    if (this.unlink(e.orig)) this.count--;
    this.unlink(e.reply);
  }

  /** Refreshes the timeout after a packet in direction `dir` with TCP flags `flags` (0 for non-TCP). */
  refresh(e: ConnEntry, dir: number, flags: number, now: number): void {
    if (dir === 1 && !(e.status & CtStatus.SEEN_REPLY)) e.status |= CtStatus.SEEN_REPLY;
    if (e.proto === 6) {
      e.tcpState = nextTcpState(e.tcpState, dir, flags);
      if (e.tcpState === 3) e.status |= CtStatus.ASSURED;
      e.expiresAt = now + TCP_TIMEOUTS[e.tcpState]! * SEC;
    } else if (e.proto === 17) {
      // 30 s unreplied, 120 s once traffic was seen both ways (nf_conntrack_udp_timeout_stream).
      if (e.status & CtStatus.SEEN_REPLY) {
        if (dir === 0) e.status |= CtStatus.ASSURED;
        e.expiresAt = now + 120 * SEC;
      } else e.expiresAt = now + 30 * SEC;
    } else {
      e.expiresAt = now + 30 * SEC;
    }
  }

  /** All live entries at `now`, oldest first. */
  entries(now: number): ConnEntry[] {
    const seen = new Set<ConnEntry>();
    for (const head of this.buckets.values()) {
      for (let n: TupleNode | null = head; n; n = n.next) {
        if (n.dir === 0 && (n.entry.expiresAt >= now || !(n.entry.status & CtStatus.CONFIRMED))) seen.add(n.entry);
      }
    }
    return [...seen].sort((a, b) => a.id - b.id);
  }

  private insertNode(n: TupleNode): void {
    const k = hashTuple(n.srcBits, n.dstBits, n.sport, n.dport, n.proto);
    if (this.buckets === NO_BUCKETS) this.buckets = new Map();
    n.next = this.buckets.get(k) ?? null;
    this.buckets.set(k, n);
  }

  private unlink(n: TupleNode): boolean {
    const k = hashTuple(n.srcBits, n.dstBits, n.sport, n.dport, n.proto);
    let cur = this.buckets.get(k) ?? null;
    let prev: TupleNode | null = null;
    while (cur) {
      if (cur === n) {
        if (prev) prev.next = cur.next;
        else if (cur.next) this.buckets.set(k, cur.next);
        else this.buckets.delete(k);
        n.next = null;
        return true;
      }
      prev = cur;
      cur = cur.next;
    }
    return false;
  }
}

const FIN = 1, SYN = 2, RST = 4, ACK = 16;

/** A compact version of nf_conntrack_proto_tcp's state table (enough for the flows we model). */
function nextTcpState(s: number, dir: number, flags: number): number {
  if (flags & RST) return 8;
  if (flags & SYN) {
    if (!(flags & ACK)) return s === 0 || s >= 7 ? 1 : s;
    return dir === 1 && s <= 2 ? 2 : s;
  }
  if (flags & FIN) {
    if (s === 3) return 4; // ESTABLISHED → FIN_WAIT on the first FIN, either way
    if (s === 4 || s === 5) return 6; // the second FIN → LAST_ACK
    return s;
  }
  if (flags & ACK) {
    if (s === 2 && dir === 0) return 3;
    if (s === 4) return 5; // the first FIN acknowledged → CLOSE_WAIT
    if (s === 6) return 7; // the last ACK → TIME_WAIT
  }
  return s;
}
