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
  /** When each request went out, by its sequence number counted from 1 (not wrapped); -1: not yet. */
  private readonly sentAt: Float64Array;
  /** Whether request N has been answered (a second reply is a duplicate, as ping's DUP!). */
  private readonly answered: Uint8Array;
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
    this.sentAt = new Float64Array(this.count + 1).fill(-1);
    this.answered = new Uint8Array(this.count + 1);
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
    this.sentAt[seq] = this.host.now;
    // The ICMP field is 16 bits: past 65535 it wraps, as ping's icmp_seq does.
    const wire = seq & 0xffff;
    const uid = this.host.sendPing(this.dst, this.id, wire, this.opts.payloadLen ?? 56, this.flow);
    appNote(this.host, uid, `ping: echo request to ${formatIpv4(this.dst)} id ${this.id} seq ${wire}`, this.flow);
    const sim = this.host.net.sim;
    if (this.sent < this.count) this.timer = sim.after(this.opts.intervalNs ?? SECOND_NS, () => this.sendOne());
    else this.timer = sim.after(this.opts.waitNs ?? 10 * SECOND_NS, () => this.finish());
  }

  private onReply(src: number, wire: number, ttl: number): void {
    if (this.done) return;
    // The latest request sent with this 16-bit sequence number.
    const seq = this.sent - ((this.sent - wire) & 0xffff);
    if (seq < 1 || this.sentAt[seq]! < 0 || this.answered[seq] === 1) return; // unknown or duplicate
    this.answered[seq] = 1;
    const rtt = this.host.now - this.sentAt[seq]!;
    this.replies.push({ seq, from: src, ttl, rttNs: rtt, time: this.host.now });
    appNote(this.host, 0, `ping: ${(this.opts.payloadLen ?? 56) + 8} bytes from ${formatIpv4(src)}: icmp_seq=${wire} ttl=${ttl} time=${(rtt / 1e6).toFixed(3)} ms`, this.flow);
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
    const lost: number[] = [];
    for (let s = 1; s <= this.sent; s++) if (this.answered[s] !== 1) lost.push(s);
    const received = this.replies.length;
    // Loops, not Math.min(...xs): a long ping has more replies than a call has arguments.
    let min = Infinity, max = -Infinity, sum = 0;
    for (const r of this.replies) {
      if (r.rttNs < min) min = r.rttNs;
      if (r.rttNs > max) max = r.rttNs;
      sum += r.rttNs;
    }
    const result: PingResult = {
      errors: this.errors,
      dst: this.dst,
      id: this.id,
      transmitted: this.sent,
      received,
      replies: this.replies,
      lost,
      lossPercent: this.sent ? Math.round(((this.sent - received) * 100) / this.sent) : 0,
      minRttNs: received ? min : -1,
      avgRttNs: received ? Math.round(sum / received) : -1,
      maxRttNs: received ? max : -1,
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
