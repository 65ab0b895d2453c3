/**
 * Packets in flight: pooled objects, each owning a fixed buffer with headroom for a link-layer
 * header, referred to by integer id in events (so scheduling carries no object references).
 * The IPv4 header always starts at HEADROOM; link-layer headers are written just before it.
 */
import type { Host } from './host.ts';
import type { ConnEntry } from './conntrack/table.ts';

/** Bytes reserved before the IP header: enough for Ethernet (14) or PPP (2). */
export const HEADROOM = 16;
/** Largest IP packet a buffer holds (jumbo-free MTU 1500 plus slack). */
export const MAX_IP = 2048 - HEADROOM;

export class Packet {
  /** Index in the pool. */
  readonly id: number;
  readonly buf = new Uint8Array(HEADROOM + MAX_IP);
  /** Offset of the link-layer header (HEADROOM − its length), or HEADROOM when none. */
  start = HEADROOM;
  /** Length of the IP packet (from HEADROOM). */
  ipLen = 0;
  /** skb->mark. */
  mark = 0;
  /** Packet identity for the trace: kept across hops and rewrites. */
  uid = 0;
  /** Conntrack entry and direction (0 original, 1 reply) once looked up. */
  ct: ConnEntry | null = null;
  ctDir = 0;
  /** Set when conntrack created the entry for this packet (first packet of the flow). */
  ctNew = false;
  /** Set for ICMP errors that relate to a tracked connection. */
  ctRelated = false;
  /** Flow tag (traffic item / connection) for the trace; never in the bytes. */
  flow = 0;
  /** Host that owns the packet right now (for debugging leaks). */
  owner: Host | null = null;
  /** Input interface name for netfilter -i. */
  inIface = '';

  constructor(id: number) {
    this.id = id;
  }

  /** Length of the whole frame from `start`. */
  get frameLen(): number {
    return HEADROOM - this.start + this.ipLen;
  }
}

/** A free list of packets. */
export class PacketPool {
  private readonly all: Packet[] = [];
  private readonly free: Packet[] = [];
  private nextUid = 1;
  /** Packets currently handed out. */
  live = 0;

  /** A packet with a fresh uid, cleared metadata, and undefined bytes. */
  alloc(): Packet {
    let p = this.free.pop();
    if (!p) {
      p = new Packet(this.all.length);
      this.all.push(p);
    }
    p.uid = this.nextUid++;
    p.start = HEADROOM;
    p.ipLen = 0;
    p.mark = 0;
    p.ct = null;
    p.ctDir = 0;
    p.ctNew = false;
    p.ctRelated = false;
    p.flow = 0;
    p.inIface = '';
    this.live++;
    return p;
  }

  /** A copy of `src` (bytes and metadata, same uid) — for bridge flooding. */
  clone(src: Packet): Packet {
    const p = this.alloc();
    this.nextUid--;
    p.uid = src.uid;
    p.start = src.start;
    p.ipLen = src.ipLen;
    p.mark = src.mark;
    p.flow = src.flow;
    p.buf.set(src.buf.subarray(src.start, HEADROOM + src.ipLen), src.start);
    return p;
  }

  get(id: number): Packet {
    return this.all[id]!;
  }

  release(p: Packet): void {
    p.ct = null;
    p.owner = null;
    this.live--;
    this.free.push(p);
  }

  /** Total packet objects ever created (the pool's high-water mark). */
  get size(): number {
    return this.all.length;
  }
}
