/**
 * An ICMP echo client like iputils `ping -c COUNT -i INTERVAL`: sends echo requests with one
 * identifier and increasing sequence numbers (from 1, as ping does), matches replies by
 * (identifier, sequence), and reports each reply's round-trip time and TTL and the sequences
 * that got no reply. After the last request it waits up to `waitNs` (ping's linger time,
 * default 10 s) for outstanding replies, and finishes early once every request is answered.
 *
 * Note: a ClusterIP does not answer ping in iptables mode (no rule matches ICMP), which is
 * exactly what a scenario can show with this.
 */
import type { EchoErrorHandler, EchoReplyHandler, Host } from '../dataplane/host.ts';
import type { EventHandle } from '../sim/simulation.ts';
import { formatIpv4 } from '../wire/addr.ts';
import { SECOND_NS, appNote } from './common.ts';

/** How to ping. */
export interface PingOptions {
  /** Echo requests to send (default 1). */
  readonly count?: number;
  /** Between requests (default 1 s, ping's default). */
  readonly intervalNs?: number;
  /** ICMP identifier (default: drawn from the host's seeded stream). */
  readonly id?: number;
  /** ICMP data bytes (default 56, giving 84-byte IP packets). */
  readonly payloadLen?: number;
  /** How long to wait for replies after the last request (default 10 s). */
  readonly waitNs?: number;
  /** Trace flow tag. */
  readonly flow?: number;
}

/** One echo reply. */
export interface PingReply {
  readonly seq: number;
  /** Who answered. */
  readonly from: number;
  readonly ttl: number;
  readonly rttNs: number;
  /** When it arrived. */
  readonly time: number;
}

/** An ICMP error about one of our requests (ping's "From X icmp_seq=N Destination Host Unreachable"). */
export interface PingError {
  readonly seq: number;
  readonly from: number;
  readonly type: number;
  readonly code: number;
  readonly text: string;
  readonly time: number;
}

/** The outcome of a ping run. */
export interface PingResult {
  /** ICMP errors reported about our requests. */
  readonly errors: readonly PingError[];
  readonly dst: number;
  readonly id: number;
  readonly transmitted: number;
  readonly received: number;
  readonly replies: readonly PingReply[];
  /** Sequence numbers without a reply. */
  readonly lost: readonly number[];
  /** 0-100, as ping's summary line. */
  readonly lossPercent: number;
  /** RTT statistics over the replies (-1 without replies). */
  readonly minRttNs: number;
  readonly avgRttNs: number;
  readonly maxRttNs: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** A ping run in progress. */
export interface PingHandle {
  /** Stops sending; the callback is not called. */
  cancel(): void;
  readonly done: boolean;
}

/** Per host: the running pings by identifier, behind one echo-reply handler. */
const dispatchers = new WeakMap<Host, { byId: Map<number, EchoReplyHandler>; errById: Map<number, EchoErrorHandler>; previous: EchoReplyHandler | null }>();

function register(host: Host, id: number, h: EchoReplyHandler, e: EchoErrorHandler): void {
  let d = dispatchers.get(host);
  if (!d || host.echoReplyHandler !== dispatch) {
    d = { byId: d?.byId ?? new Map(), errById: d?.errById ?? new Map(), previous: host.echoReplyHandler === dispatch ? null : host.echoReplyHandler };
    dispatchers.set(host, d);
    host.echoReplyHandler = dispatch;
    host.echoErrorHandler = dispatchError;
  }
  d.byId.set(id, h);
  d.errById.set(id, e);
}

function unregister(host: Host, id: number): void {
  dispatchers.get(host)?.byId.delete(id);
  dispatchers.get(host)?.errById.delete(id);
}

const dispatchError: EchoErrorHandler = (host, type, code, dst, id, seq, from) => {
  dispatchers.get(host)?.errById.get(id)?.(host, type, code, dst, id, seq, from);
};

const ICMP_ERROR_TEXT: Record<string, string> = {
  '3/0': 'Destination Net Unreachable',
  '3/1': 'Destination Host Unreachable',
  '3/3': 'Destination Port Unreachable',
  '3/13': 'Communication Administratively Prohibited',
  '11/0': 'Time to live exceeded',
};

const dispatch: EchoReplyHandler = (host, src, id, seq, ttl) => {
  const d = dispatchers.get(host);
  const h = d?.byId.get(id);
  if (h) h(host, src, id, seq, ttl);
  else d?.previous?.(host, src, id, seq, ttl);
};

class PingRun implements PingHandle {
  done = false;
  private readonly id: number;
  private readonly count: number;
  private readonly sentAt = new Map<number, number>();
  private readonly replies: PingReply[] = [];
  private readonly errors: PingError[] = [];
  private sent = 0;
  private timer: EventHandle | null = null;
  private readonly start: number;
  private readonly flow: number;

  constructor(
    private readonly host: Host,
    private readonly dst: number,
    private readonly opts: PingOptions,
    private readonly callback: (r: PingResult) => void,
  ) {
    this.count = Math.max(1, opts.count ?? 1);
    this.id = (opts.id ?? host.net.sim.rng.stream(`host/${host.name}/ping-ids`).int(1, 0xffff)) & 0xffff;
    this.start = host.now;
    this.flow = opts.flow ?? 0;
  }

  begin(): void {
    register(
      this.host,
      this.id,
      (_h, src, _id, seq, ttl) => this.onReply(src, seq, ttl),
      (_h, type, code, _dst, _id, seq, from) => this.onError(type, code, seq, from),
    );
    this.sendOne();
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.cleanup();
  }

  private sendOne(): void {
    this.timer = null;
    if (this.done) return;
    const seq = ++this.sent;
    this.sentAt.set(seq, this.host.now);
    const uid = this.host.sendPing(this.dst, this.id, seq, this.opts.payloadLen ?? 56, this.flow);
    appNote(this.host, uid, `ping: echo request to ${formatIpv4(this.dst)} id ${this.id} seq ${seq}`, this.flow);
    const sim = this.host.net.sim;
    if (this.sent < this.count) this.timer = sim.after(this.opts.intervalNs ?? SECOND_NS, () => this.sendOne());
    else this.timer = sim.after(this.opts.waitNs ?? 10 * SECOND_NS, () => this.finish());
  }

  private onReply(src: number, seq: number, ttl: number): void {
    if (this.done) return;
    const at = this.sentAt.get(seq);
    if (at === undefined || this.replies.some((r) => r.seq === seq)) return; // unknown or duplicate
    const rtt = this.host.now - at;
    this.replies.push({ seq, from: src, ttl, rttNs: rtt, time: this.host.now });
    appNote(this.host, 0, `ping: ${(this.opts.payloadLen ?? 56) + 8} bytes from ${formatIpv4(src)}: icmp_seq=${seq} ttl=${ttl} time=${(rtt / 1e6).toFixed(3)} ms`, this.flow);
    if (this.sent >= this.count && this.replies.length >= this.count) this.finish();
  }

  private onError(type: number, code: number, seq: number, from: number): void {
    if (this.done) return;
    const text = ICMP_ERROR_TEXT[`${type}/${code}`] ?? `ICMP type ${type} code ${code}`;
    this.errors.push({ seq, from, type, code, text, time: this.host.now });
    appNote(this.host, 0, `ping: From ${formatIpv4(from)} icmp_seq=${seq} ${text}`, this.flow);
  }

  private cleanup(): void {
    if (this.timer !== null) this.host.net.sim.cancel(this.timer);
    this.timer = null;
    unregister(this.host, this.id);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.cleanup();
    const rtts = this.replies.map((r) => r.rttNs);
    const answered = new Set(this.replies.map((r) => r.seq));
    const lost: number[] = [];
    for (let s = 1; s <= this.sent; s++) if (!answered.has(s)) lost.push(s);
    const received = this.replies.length;
    const result: PingResult = {
      errors: this.errors,
      dst: this.dst,
      id: this.id,
      transmitted: this.sent,
      received,
      replies: this.replies,
      lost,
      lossPercent: this.sent ? Math.round(((this.sent - received) * 100) / this.sent) : 0,
      minRttNs: rtts.length ? Math.min(...rtts) : -1,
      avgRttNs: rtts.length ? Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length) : -1,
      maxRttNs: rtts.length ? Math.max(...rtts) : -1,
      startedAt: this.start,
      finishedAt: this.host.now,
    };
    appNote(this.host, 0, `ping: ${formatIpv4(this.dst)}: ${this.sent} transmitted, ${received} received, ${result.lossPercent}% packet loss`, this.flow);
    this.callback(result);
  }
}

/** Pings `dst` from `host`; `callback` gets the summary once (see {@link PingResult}). */
export function ping(host: Host, dst: number, opts: PingOptions, callback: (r: PingResult) => void): PingHandle {
  const r = new PingRun(host, dst, opts, callback);
  r.begin();
  return r;
}
