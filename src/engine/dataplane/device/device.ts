/**
 * Device: a network interface of a host (ns-3 NetDevice, Linux net_device). Frames arrive by
 * an RX event scheduled by the link; a device either hands them to its host's IP stack or, when
 * enslaved to a bridge, to the bridge. Capture into the trace happens here, once per frame and
 * direction, so the stack has no tracing branches.
 */
import type { EventTarget } from '../../sim/queue.ts';
import { LinkLayer, TraceKind } from '../../trace/events.ts';
import type { Host } from '../host.ts';
import type { Network } from '../network.ts';
import type { Packet } from '../packet.ts';
import type { Link } from './link.ts';
import type { Bridge } from './bridge.ts';

/** Event kind: a frame arrives (a = packet id). */
export const EV_RX = 1;

/** An address assigned to an interface. */
export interface IfAddr {
  addr: number;
  prefixLen: number;
}

export class Device implements EventTarget {
  /** Interface index inside the host (1 = lo is implicit, so devices start at 2). */
  ifindex = 0;
  up = true;
  mtu = 1500;
  readonly addrs: IfAddr[] = [];
  link: Link | null = null;
  /** Which end of `link` this device is (0 or 1). */
  linkEnd = 0;
  /** The bridge this device is a port of, if any (then it has no addresses of its own). */
  master: Bridge | null = null;
  /** Accept frames for any MAC (bridge ports are promiscuous). */
  promiscuous = false;

  constructor(
    readonly net: Network,
    readonly host: Host,
    readonly name: string,
    readonly l2: LinkLayer,
    readonly mac: number,
  ) {}

  /** Sends a frame that starts at `pkt.start`; ownership passes to the link. */
  transmit(pkt: Packet): void {
    const net = this.net;
    if (!this.up || !this.link) {
      this.host.dropPacket(pkt, this, 10 /* InterfaceDown */);
      return;
    }
    const tr = net.tracer;
    if (tr.enabled) tr.packet(TraceKind.Sent, net.sim.now, this.host.name, this.name, pkt.uid, this.l2, pkt.buf, pkt.start, pkt.frameLen, pkt.flow ? { flow: pkt.flow } : undefined);
    this.link.send(this.linkEnd, pkt);
  }

  handleEvent(_kind: number, a: number): void {
    const net = this.net;
    const pkt = net.pool.get(a);
    net.packetHops++;
    if (!this.up || !this.host.up) {
      this.host.dropPacket(pkt, this, 10 /* InterfaceDown */);
      return;
    }
    const tr = net.tracer;
    if (tr.enabled) tr.packet(TraceKind.Received, net.sim.now, this.host.name, this.name, pkt.uid, this.l2, pkt.buf, pkt.start, pkt.frameLen, pkt.flow ? { flow: pkt.flow } : undefined);
    if (this.master) this.master.input(this, pkt);
    else this.host.receiveFrame(this, pkt);
  }

  /** The primary IPv4 address (the first assigned), or 0. */
  get primaryAddr(): number {
    return this.addrs.length > 0 ? this.addrs[0]!.addr : 0;
  }
}
