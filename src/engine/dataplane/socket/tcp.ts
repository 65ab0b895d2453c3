/**
 * TCP (RFC 9293) for simulated hosts: a real state machine with the three-way handshake, MSS
 * option, in-order data with cumulative ACKs, retransmission on timeout (RFC 6298 initial RTO
 * 1 s, doubling), FIN teardown in both orders, TIME_WAIT, and RST for closed ports. No
 * congestion control or window scaling: simulated links are short and the point is what a
 * connection puts on the wire, not throughput.
 */
import type { EventTarget } from '../../sim/queue.ts';
import { formatIpv4, readU16, readU32, writeU16, writeU32 } from '../../wire/addr.ts';
import { DropReason, TraceKind } from '../../trace/events.ts';
import type { Device } from '../device/device.ts';
import type { Host } from '../host.ts';
import { HEADROOM, type Packet } from '../packet.ts';
import { fillL4Checksum } from '../ip/ip-fields.ts';
import { IPV4, IPV4_FLAG, IP_PROTO, ipv4HeaderLen, writeIpv4Header } from '../../wire/ipv4.ts';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** RFC 9293 connection states. */
export type TcpState =
  | 'CLOSED'
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSING'
  | 'TIME_WAIT'
  | 'CLOSE_WAIT'
  | 'LAST_ACK';

/** Why a connection ended without a normal close. */
export type TcpError = 'refused' | 'reset' | 'timeout' | 'unreachable';

/** Callbacks of one connection. */
export interface TcpCallbacks {
  onConnect?(c: TcpConnection): void;
  onData?(c: TcpConnection, data: Uint8Array): void;
  /** The peer sent FIN (no more data will come). */
  onPeerClose?(c: TcpConnection): void;
  /** Fully closed (after our FIN was acknowledged, or TIME_WAIT entered). */
  onClosed?(c: TcpConnection): void;
  onError?(c: TcpConnection, err: TcpError): void;
}

const WINDOW = 64240;
const RTO_INITIAL = 1_000_000_000;
const RTO_MAX = 120_000_000_000;
const SYN_RETRIES = 6; // net.ipv4.tcp_syn_retries
const DATA_RETRIES = 15; // net.ipv4.tcp_retries2
const TIME_WAIT_NS = 60_000_000_000;
const EV_RTO = 1;

export class TcpConnection implements EventTarget {
  state: TcpState = 'CLOSED';
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  rcvNxt = 0;
  mss = 536;
  /** Bytes sent or queued but not yet acknowledged, starting at sequence sndUna (+1 before the SYN is acked). */
  private unacked: Uint8Array = NO_PAYLOAD;
  private finQueued = false;
  private finSent = false;
  private rtoHandle = -1;
  private rto = RTO_INITIAL;
  private retries = 0;
  /** When TIME_WAIT ends (lazy: the entry is reaped on the next lookup). */
  timeWaitUntil = 0;
  callbacks: TcpCallbacks;
  /** Trace flow tag copied onto every segment. */
  flow = 0;

  constructor(
    readonly stack: TcpStack,
    readonly localIp: number,
    readonly localPort: number,
    readonly remoteIp: number,
    readonly remotePort: number,
    callbacks: TcpCallbacks,
  ) {
    this.callbacks = callbacks;
  }

  /** "localIp:localPort>remoteIp:remotePort" (addresses as numbers). */
  get key(): string {
    return `${this.localIp}:${this.localPort}>${this.remoteIp}:${this.remotePort}`;
  }

  /** The next connection in the stack's hash bucket. */
  bucketNext: TcpConnection | null = null;

  /** "10.2.1.4:43210 > 10.96.0.20:80" */
  toString(): string {
    return `${formatIpv4(this.localIp)}:${this.localPort} > ${formatIpv4(this.remoteIp)}:${this.remotePort}`;
  }

  /** Queues data and sends what the peer's window allows. */
  send(data: Uint8Array): void {
    if (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT' && this.state !== 'SYN_SENT' && this.state !== 'SYN_RECEIVED') {
      throw new Error(`send() in state ${this.state}`);
    }
    const next = new Uint8Array(this.unacked.length + data.length);
    next.set(this.unacked);
    next.set(data, this.unacked.length);
    this.unacked = next;
    if (this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT') this.pump();
  }

  /** Closes our side (FIN after any queued data). */
  close(): void {
    if (this.finQueued) return;
    if (this.state === 'SYN_SENT' || this.state === 'CLOSED') {
      this.stack.forget(this);
      this.state = 'CLOSED';
      return;
    }
    this.finQueued = true;
    if (this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT') this.pump();
  }

  /** Aborts with a RST. */
  abort(): void {
    // Linux sends a RST only for a synchronised connection (tcp_disconnect); not in SYN_SENT.
    if (this.state !== 'CLOSED' && this.state !== 'TIME_WAIT' && this.state !== 'SYN_SENT') this.emit(TCP_RST | TCP_ACK, this.sndNxt, this.rcvNxt, 0);
    this.teardown();
  }

  handleEvent(kind: number): void {
    if (kind !== EV_RTO) return;
    this.rtoHandle = -1;
    if (this.state === 'CLOSED' || this.state === 'TIME_WAIT') return;
    this.retries++;
    const limit = this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED' ? SYN_RETRIES : DATA_RETRIES;
    if (this.retries > limit) {
      this.fail('timeout');
      return;
    }
    this.rto = Math.min(this.rto * 2, RTO_MAX);
    // Go back to the first unacknowledged byte and resend.
    this.sndNxt = this.sndUna;
    if (this.state === 'SYN_SENT') this.sendSyn(false);
    else if (this.state === 'SYN_RECEIVED') this.sendSyn(true);
    else {
      this.finSent = false; // pump() re-sends data, then the FIN
      this.pump();
    }
  }

  // ---- internal ----------------------------------------------------------------------------

  /** Active open: send SYN. */
  connect(): void {
    this.state = 'SYN_SENT';
    this.sendSyn(false);
  }

  sendSyn(ack: boolean): void {
    this.emit(ack ? TCP_SYN | TCP_ACK : TCP_SYN, this.iss, ack ? this.rcvNxt : 0, 0, true);
    this.sndNxt = (this.iss + 1) >>> 0;
    this.armRto();
  }

  /** Sends unsent data (and FIN when queued) from sndNxt. */
  private pump(): void {
    const sentOffset = seqDiff(this.sndNxt, this.sndUna);
    let off = sentOffset;
    while (off < this.unacked.length) {
      const n = Math.min(this.mss, this.unacked.length - off);
      const seq = (this.sndUna + off) >>> 0;
      const last = off + n === this.unacked.length;
      this.emit(TCP_ACK | (last ? TCP_PSH : 0), seq, this.rcvNxt, n, false, this.unacked, off);
      off += n;
      this.sndNxt = (this.sndUna + off) >>> 0;
    }
    if (this.finQueued && !this.finSent && off === this.unacked.length) {
      this.emit(TCP_FIN | TCP_ACK, this.sndNxt, this.rcvNxt, 0);
      this.sndNxt = (this.sndNxt + 1) >>> 0;
      this.finSent = true;
      if (this.state === 'ESTABLISHED') this.state = 'FIN_WAIT_1';
      else if (this.state === 'CLOSE_WAIT') this.state = 'LAST_ACK';
    }
    if (this.sndNxt !== this.sndUna) this.armRto();
  }

  /** A segment for this connection arrived. Returns nothing; the packet is released by the caller. */
  input(flags: number, seq: number, ack: number, payload: Uint8Array, mss: number): void {
    if (flags & TCP_RST) {
      if (this.state === 'SYN_SENT') {
        if (flags & TCP_ACK && ack === this.sndNxt) this.fail('refused');
        return;
      }
      if (seq === this.rcvNxt || this.state === 'SYN_RECEIVED') this.fail('reset');
      return;
    }
    switch (this.state) {
      case 'SYN_SENT': {
        if (!(flags & TCP_SYN) || !(flags & TCP_ACK) || ack !== this.sndNxt) {
          if (flags & TCP_ACK && ack !== this.sndNxt) this.emit(TCP_RST, ack, 0, 0);
          return;
        }
        this.rcvNxt = (seq + 1) >>> 0;
        this.sndUna = ack;
        if (mss) this.mss = Math.min(this.mss, mss);
        this.state = 'ESTABLISHED';
        this.clearRto();
        this.emit(TCP_ACK, this.sndNxt, this.rcvNxt, 0);
        this.callbacks.onConnect?.(this);
        if (this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT') this.pump();
        return;
      }
      case 'SYN_RECEIVED': {
        if (flags & TCP_SYN) {
          // Our SYN-ACK was lost: the peer retransmitted its SYN.
          this.sendSyn(true);
          return;
        }
        if (!(flags & TCP_ACK) || ack !== this.sndNxt) return;
        this.sndUna = ack;
        this.state = 'ESTABLISHED';
        this.clearRto();
        this.stack.accepted(this);
        break; // the ACK may carry data
      }
      case 'CLOSED':
        return;
      case 'TIME_WAIT':
        if (flags & TCP_FIN) this.emit(TCP_ACK, this.sndNxt, this.rcvNxt, 0);
        return;
      default:
        break;
    }
    if (flags & TCP_SYN) {
      // A retransmitted SYN-ACK after we already ACKed it: ACK again.
      this.emit(TCP_ACK, this.sndNxt, this.rcvNxt, 0);
      return;
    }
    if (flags & TCP_ACK) this.processAck(ack);
    if (this.isClosed()) return;
    let needAck = false;
    if (payload.length > 0) {
      if (seq === this.rcvNxt && this.state !== 'CLOSE_WAIT' && this.state !== 'LAST_ACK' && this.state !== 'CLOSING') {
        this.rcvNxt = (this.rcvNxt + payload.length) >>> 0;
        needAck = true;
        this.callbacks.onData?.(this, payload);
      } else {
        needAck = true; // duplicate or out of order: re-ACK what we have
      }
    }
    if (flags & TCP_FIN && seqDiff(seq + payload.length, this.rcvNxt) === 0) {
      this.rcvNxt = (this.rcvNxt + 1) >>> 0;
      needAck = false;
      this.emit(TCP_ACK, this.sndNxt, this.rcvNxt, 0);
      if (this.state === 'ESTABLISHED') {
        this.state = 'CLOSE_WAIT';
        this.callbacks.onPeerClose?.(this);
      } else if (this.state === 'FIN_WAIT_1') {
        this.state = 'CLOSING';
        this.callbacks.onPeerClose?.(this);
      } else if (this.state === 'FIN_WAIT_2') {
        this.callbacks.onPeerClose?.(this);
        this.enterTimeWait();
      }
      return;
    }
    if (needAck && !this.isClosed()) this.emit(TCP_ACK, this.sndNxt, this.rcvNxt, 0);
  }

  /** State re-read after callbacks that may have closed the connection. */
  private isClosed(): boolean {
    return this.state === 'CLOSED';
  }

  private processAck(ack: number): void {
    const acked = seqDiff(ack, this.sndUna);
    if (acked <= 0 || seqDiff(ack, this.sndNxt) > 0) return;
    let dataAcked = acked;
    if (this.finSent && ack === this.sndNxt) dataAcked--; // the FIN's sequence number
    // Fully acknowledged: drop the view, which would keep the sent bytes alive through TIME_WAIT.
    if (dataAcked > 0) this.unacked = dataAcked >= this.unacked.length ? NO_PAYLOAD : this.unacked.subarray(dataAcked);
    this.sndUna = ack;
    this.retries = 0;
    this.rto = RTO_INITIAL;
    if (this.sndUna === this.sndNxt) this.clearRto();
    else this.armRto(true);
    if (this.finSent && ack === this.sndNxt) {
      if (this.state === 'FIN_WAIT_1') this.state = 'FIN_WAIT_2';
      else if (this.state === 'CLOSING') this.enterTimeWait();
      else if (this.state === 'LAST_ACK') {
        this.teardown();
        this.callbacks.onClosed?.(this);
      }
    }
  }

  private enterTimeWait(): void {
    this.state = 'TIME_WAIT';
    this.clearRto();
    this.timeWaitUntil = this.stack.host.now + TIME_WAIT_NS;
    this.callbacks.onClosed?.(this);
  }

  private fail(err: TcpError): void {
    this.teardown();
    this.callbacks.onError?.(this, err);
  }

  private teardown(): void {
    this.clearRto();
    this.state = 'CLOSED';
    this.stack.forget(this);
  }

  private armRto(restart = false): void {
    if (this.rtoHandle >= 0 && !restart) return;
    if (this.rtoHandle >= 0) this.stack.host.net.sim.cancel(this.rtoHandle);
    this.rtoHandle = this.stack.host.net.sim.schedule(this.rto, this, EV_RTO);
  }

  private clearRto(): void {
    if (this.rtoHandle >= 0) this.stack.host.net.sim.cancel(this.rtoHandle);
    this.rtoHandle = -1;
  }

  /** Builds and sends one segment. */
  emit(flags: number, seq: number, ack: number, len: number, mssOption = false, data?: Uint8Array, dataOff = 0): void {
    this.stack.emitSegment(this.localIp, this.localPort, this.remoteIp, this.remotePort, flags, seq, ack, len, mssOption ? this.mss : 0, data, dataOff, this.flow);
  }

  /** Handles an ICMP error about this connection (RFC 1122 §4.2.3.9: hard errors abort a connection attempt). */
  icmpError(type: number, code: number): void {
    if (this.state === 'SYN_SENT' && type === 3) this.fail(code === 3 ? 'refused' : 'unreachable');
  }
}

/** The TCP layer of one host: listeners, connections, and RST for everything else. */
export class TcpStack {
  private readonly listeners = new Map<number, (c: TcpConnection) => TcpCallbacks>();
  /**
   * Connections by 4-tuple: hash buckets keyed by an int32 (no string is built per segment),
   * chained through bucketNext; `live` keeps them in the order they were made.
   */
  private readonly buckets = new Map<number, TcpConnection>();
  private readonly live = new Set<TcpConnection>();
  private readonly isnRand;

  constructor(readonly host: Host) {
    this.isnRand = host.net.sim.rng.stream(`host/${host.name}/tcp-isn`);
  }

  /** Listens on `port` (all addresses); `accept` returns the callbacks for each new connection. */
  listen(port: number, accept: (c: TcpConnection) => TcpCallbacks): void {
    if (this.listeners.has(port)) throw new Error(`${this.host.name}: TCP port ${port} already listening`);
    this.listeners.set(port, accept);
  }

  /** Stops listening on `port`: new SYNs get a RST, as after close() of a listening socket. */
  unlisten(port: number): void {
    this.listeners.delete(port);
  }

  isListening(port: number): boolean {
    return this.listeners.has(port);
  }

  /** Opens a connection (active open) from an ephemeral port. `src` 0 picks the route's source. */
  connect(dst: number, dport: number, callbacks: TcpCallbacks, src = 0, flow = 0): TcpConnection {
    if (!this.host.hasRouteTo(dst)) {
      // connect() fails at once with ENETUNREACH; report it on the next event, as an error.
      const dead = new TcpConnection(this, src, 0, dst, dport, callbacks);
      this.host.net.sim.after(0, () => callbacks.onError?.(dead, 'unreachable'));
      return dead;
    }
    if (src === 0) src = this.host.sourceFor(dst);
    const sport = this.host.ephemeralPort((p) => this.find(src, p, dst, dport) !== null && !this.reapIfDone(src, p, dst, dport));
    const c = new TcpConnection(this, src, sport, dst, dport, callbacks);
    c.flow = flow;
    c.mss = this.mssFor(dst);
    c.iss = this.isnRand.nextUint32();
    c.sndUna = c.iss;
    c.sndNxt = c.iss;
    this.add(c);
    c.connect();
    return c;
  }

  /** Live connections (for the UI's socket table). */
  connections(): TcpConnection[] {
    return [...this.live];
  }

  forget(c: TcpConnection): void {
    if (!this.live.has(c)) return;
    this.live.delete(c);
    const k = connHash(c.localIp, c.localPort, c.remoteIp, c.remotePort);
    let cur = this.buckets.get(k) ?? null;
    let prev: TcpConnection | null = null;
    while (cur !== null && cur !== c) {
      prev = cur;
      cur = cur.bucketNext;
    }
    if (cur === null) return;
    if (prev !== null) prev.bucketNext = c.bucketNext;
    else if (c.bucketNext !== null) this.buckets.set(k, c.bucketNext);
    else this.buckets.delete(k);
    c.bucketNext = null;
  }

  private add(c: TcpConnection): void {
    const k = connHash(c.localIp, c.localPort, c.remoteIp, c.remotePort);
    c.bucketNext = this.buckets.get(k) ?? null;
    this.buckets.set(k, c);
    this.live.add(c);
  }

  /** The connection of a 4-tuple, or null. */
  private find(lip: number, lport: number, rip: number, rport: number): TcpConnection | null {
    for (let c = this.buckets.get(connHash(lip, lport, rip, rport)) ?? null; c !== null; c = c.bucketNext) {
      if (c.localPort === lport && c.remotePort === rport && c.localIp === lip && c.remoteIp === rip) return c;
    }
    return null;
  }

  accepted(c: TcpConnection): void {
    const accept = this.listeners.get(c.localPort);
    if (!accept) return;
    c.callbacks = accept(c);
    c.callbacks.onConnect?.(c);
  }

  private reapIfDone(lip: number, lport: number, rip: number, rport: number): boolean {
    const c = this.find(lip, lport, rip, rport);
    if (c !== null && c.state === 'TIME_WAIT' && c.timeWaitUntil <= this.host.now) {
      this.forget(c);
      return true;
    }
    return false;
  }

  private mssFor(dst: number): number {
    return Math.max(536, this.host.mtuFor(dst) - 40);
  }

  /** A TCP segment addressed to this host (checksum verified by the caller). */
  segmentIn(dev: Device, pkt: Packet, src: number, dst: number, l4: number, l4len: number): void {
    const b = pkt.buf;
    const sport = readU16(b, l4);
    const dport = readU16(b, l4 + 2);
    const seq = readU32(b, l4 + 4);
    const ack = readU32(b, l4 + 8);
    const doff = (b[l4 + 12]! >> 4) * 4;
    const flags = b[l4 + 13]!;
    if (doff < 20 || doff > l4len) return this.host.dropPacket(pkt, dev, DropReason.Malformed);
    const mss = parseMss(b, l4 + 20, doff - 20);
    this.reapIfDone(dst, dport, src, sport);
    let c = this.find(dst, dport, src, sport);
    const payload = l4len > doff ? b.slice(l4 + doff, l4 + l4len) : NO_PAYLOAD;
    if (c === null) {
      const accept = this.listeners.get(dport);
      if (accept && flags & TCP_SYN && !(flags & TCP_ACK)) {
        c = new TcpConnection(this, dst, dport, src, sport, {});
        c.flow = pkt.flow;
        c.mss = Math.min(this.mssFor(src), mss || 536);
        c.iss = this.isnRand.nextUint32();
        c.sndUna = c.iss;
        c.rcvNxt = (seq + 1) >>> 0;
        c.state = 'SYN_RECEIVED';
        this.add(c);
        this.traceDelivered(pkt, dev, `TCP port ${dport} (listening)`);
        this.host.net.pool.release(pkt);
        c.sendSyn(true);
        return;
      }
      // No socket: answer with a RST (RFC 9293 §3.10.7.1), never to a RST.
      if (!(flags & TCP_RST)) this.sendResetFor(pkt);
      return this.host.dropPacket(pkt, dev, DropReason.NoListener);
    }
    this.traceDelivered(pkt, dev, `TCP ${c.state}`);
    this.host.net.pool.release(pkt);
    c.input(flags, seq, ack, payload, mss);
  }

  /** RST in answer to the TCP segment in `pkt` (also iptables REJECT --reject-with tcp-reset). */
  sendResetFor(pkt: Packet): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    const l4 = ip + ipv4HeaderLen(b, ip);
    const src = readU32(b, ip + IPV4.SRC), dst = readU32(b, ip + IPV4.DST);
    const sport = readU16(b, l4), dport = readU16(b, l4 + 2);
    const seq = readU32(b, l4 + 4), ack = readU32(b, l4 + 8);
    const flags = b[l4 + 13]!;
    if (flags & TCP_RST) return;
    const doff = (b[l4 + 12]! >> 4) * 4;
    const segLen = pkt.ipLen - (l4 - ip) - doff + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0);
    if (flags & TCP_ACK) this.emitSegment(dst, dport, src, sport, TCP_RST, ack, 0, 0, 0, undefined, 0, pkt.flow);
    else this.emitSegment(dst, dport, src, sport, TCP_RST | TCP_ACK, 0, (seq + segLen) >>> 0, 0, 0, undefined, 0, pkt.flow);
  }

  /** ICMP error about a segment we sent from srcIp:sport to dst:dport. */
  icmpError(srcIp: number, sport: number, dst: number, dport: number, type: number, code: number): void {
    this.find(srcIp, sport, dst, dport)?.icmpError(type, code);
  }

  /** Writes an IPv4 + TCP segment and sends it through the host's output path. */
  emitSegment(src: number, sport: number, dst: number, dport: number, flags: number, seq: number, ack: number, len: number, mss: number, data: Uint8Array | undefined, dataOff: number, flow: number): void {
    const host = this.host;
    const pkt = host.net.pool.alloc();
    pkt.flow = flow;
    const b = pkt.buf;
    const ip = HEADROOM;
    const optLen = mss ? 4 : 0;
    const tcpLen = 20 + optLen + len;
    writeIpv4Header(b, ip, src, dst, IP_PROTO.TCP, 64, host.nextIpId(), tcpLen, IPV4_FLAG.DF);
    const l4 = ip + 20;
    writeU16(b, l4, sport);
    writeU16(b, l4 + 2, dport);
    writeU32(b, l4 + 4, seq >>> 0);
    writeU32(b, l4 + 8, flags & TCP_ACK ? ack >>> 0 : 0);
    b[l4 + 12] = ((20 + optLen) / 4) << 4;
    b[l4 + 13] = flags;
    writeU16(b, l4 + 14, flags & TCP_RST ? 0 : WINDOW);
    writeU16(b, l4 + 16, 0);
    writeU16(b, l4 + 18, 0);
    if (mss) {
      b[l4 + 20] = 2; // kind: MSS
      b[l4 + 21] = 4;
      writeU16(b, l4 + 22, mss);
    }
    if (len > 0 && data) b.set(data.subarray(dataOff, dataOff + len), l4 + 20 + optLen);
    fillL4Checksum(b, ip, l4, tcpLen, IP_PROTO.TCP);
    pkt.ipLen = 20 + tcpLen;
    host.ipOutput(pkt);
  }

  private traceDelivered(pkt: Packet, dev: Device, what: string): void {
    const tr = this.host.net.tracer;
    if (tr.enabled) tr.packet(TraceKind.Delivered, this.host.now, this.host.name, dev.name, pkt.uid, 2, pkt.buf, HEADROOM, pkt.ipLen, { text: what, flow: pkt.flow || undefined });
  }
}

/** The bucket of a 4-tuple: an int32 (kept unboxed as a Map key). */
function connHash(lip: number, lport: number, rip: number, rport: number): number {
  let h = Math.imul(lip ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ rip, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((lport << 16) | rport), 0x27d4eb2d);
  return (h ^ (h >>> 15)) | 0;
}

/** The payload of a segment without data (never written to). */
const NO_PAYLOAD = new Uint8Array(0);

/** Signed distance a − b in sequence space (RFC 1982 style). */
function seqDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

function parseMss(b: Uint8Array, off: number, len: number): number {
  let i = off;
  const end = off + len;
  while (i < end) {
    const kind = b[i]!;
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const l = b[i + 1]!;
    if (l < 2 || i + l > end) break;
    if (kind === 2 && l === 4) return readU16(b, i + 2);
    i += l;
  }
  return 0;
}
