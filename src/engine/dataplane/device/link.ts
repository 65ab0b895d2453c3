/**
 * Link: a full-duplex point-to-point channel between two devices (ns-3 PointToPointChannel,
 * also used for veth pairs and switch ports). Each direction serialises frames at the link's
 * bandwidth and delivers them `delay` later by scheduling one RX event on the far device.
 *
 * Devices are "lazy" (shared/docs/performance.md §6.2): instead of TX_END events, each direction
 * keeps `busyUntil` and a ring of the start times of frames still waiting, which gives the same
 * DropTail accounting as ns-3's queue of 100 waiting packets with one event per hop.
 */
import type { RandomStream } from '../../sim/rng.ts';
import { TraceKind } from '../../trace/events.ts';
import type { Network } from '../network.ts';
import type { Packet } from '../packet.ts';
import { EV_RX, type Device } from './device.ts';

export interface LinkOptions {
  /** Bits per second; Infinity for no serialisation delay (veth). */
  bandwidth?: number;
  /** Propagation delay in ns. */
  delay?: number;
  /** Frames that may wait behind the one being sent (ns-3 DropTail default 100). */
  queueLimit?: number;
  /** Probability of losing a frame in flight. */
  loss?: number;
}

class Direction {
  busyUntil = 0;
  /** Allocated on the first frame that takes time to send (veths never need one). */
  ring: Float64Array | null = null;
  head = 0;
  count = 0;
}

export class Link {
  bandwidth: number;
  delay: number;
  loss: number;
  readonly queueLimit: number;
  readonly ends: [Device, Device];
  private readonly dirs: [Direction, Direction];
  /** Made on the first lossy frame (a named stream: the same draws whenever it is made). */
  private lossRng: RandomStream | null = null;
  /** Frames dropped by a full queue, per direction. */
  readonly queueDrops = [0, 0];

  constructor(
    readonly net: Network,
    a: Device,
    b: Device,
    opts: LinkOptions = {},
  ) {
    this.bandwidth = opts.bandwidth ?? Infinity;
    this.delay = opts.delay ?? 0;
    this.loss = opts.loss ?? 0;
    this.queueLimit = opts.queueLimit ?? 100;
    this.ends = [a, b];
    a.link = this;
    a.linkEnd = 0;
    b.link = this;
    b.linkEnd = 1;
    this.dirs = [new Direction(), new Direction()];
    net.links.push(this);
  }

  /** Serialisation time of a frame of `bytes` bytes, in integer ns. */
  txTime(bytes: number): number {
    return this.bandwidth === Infinity ? 0 : Math.round((bytes * 8 * 1e9) / this.bandwidth);
  }

  /** Transmits from end `from`; schedules arrival at the other end or drops. */
  send(from: number, pkt: Packet): void {
    const net = this.net;
    const now = net.sim.now;
    const d = this.dirs[from]!;
    const tx = this.txTime(pkt.frameLen);
    let start = now;
    if (tx > 0) {
      // Frames whose transmission has begun by now are no longer waiting.
      const ring = d.ring ?? (d.ring = new Float64Array(this.queueLimit + 1));
      const cap = ring.length;
      while (d.count > 0 && ring[d.head]! < now) {
        d.head = d.head + 1 === cap ? 0 : d.head + 1;
        d.count--;
      }
      if (d.busyUntil > now) {
        if (d.count >= this.queueLimit) {
          this.queueDrops[from]!++;
          this.ends[from]!.host.dropPacket(pkt, this.ends[from]!, 5 /* QueueFull */);
          return;
        }
        start = d.busyUntil;
        let tail = d.head + d.count;
        if (tail >= cap) tail -= cap;
        ring[tail] = start;
        d.count++;
      }
      d.busyUntil = start + tx;
    }
    if (this.loss > 0 && (this.lossRng ??= net.sim.rng.stream(`link/${this.ends[0].host.name}:${this.ends[0].name}<->${this.ends[1].host.name}:${this.ends[1].name}/loss`)).next() < this.loss) {
      const dev = this.ends[from]!;
      if (net.tracer.enabled) net.tracer.note(TraceKind.Drop, now, dev.host.name, dev.name, pkt.uid, { reason: 'link loss' });
      net.pool.release(pkt);
      return;
    }
    net.sim.schedule(start - now + tx + this.delay, this.ends[1 - from]!, EV_RX, pkt.id);
  }
}
