/**
 * Bridge: a Linux bridge (cbr0) with MAC learning. Its ports are devices enslaved to it (veth
 * ends, switch ports); the bridge itself is a device of its host and may carry addresses (the
 * pods' gateway). Frames for the bridge's own MAC, and broadcasts, go up to the host's stack.
 */
import { BROADCAST_MAC, formatMac, readMac, readU16 } from '../../wire/addr.ts';
import { LinkLayer, TraceKind } from '../../trace/events.ts';
import type { Host } from '../host.ts';
import type { Network } from '../network.ts';
import type { Packet } from '../packet.ts';
import { Device } from './device.ts';

export class Bridge extends Device {
  readonly ports: Device[] = [];
  /** Forwarding database: MAC → port (no ageing: simulated runs are short). */
  private readonly fdb = new Map<number, Device>();

  constructor(net: Network, host: Host, name: string, mac: number) {
    super(net, host, name, LinkLayer.Ethernet, mac);
  }

  /** Enslaves a device as a port. */
  addPort(dev: Device): void {
    dev.master = this;
    dev.promiscuous = true;
    this.ports.push(dev);
  }

  /** A static forwarding entry (`bridge fdb add MAC dev PORT`): frames for `mac` go out of `port` without flooding. */
  learn(mac: number, port: Device): void {
    this.fdb.set(mac, port);
  }

  /** Frame from the host's stack out of the bridge device. */
  override transmit(pkt: Packet): void {
    if (!this.up) {
      this.host.dropPacket(pkt, this, 10);
      return;
    }
    this.forward(null, pkt);
  }

  /** Frame that arrived on a port. */
  input(port: Device, pkt: Packet): void {
    const b = pkt.buf;
    const src = readMac(b, pkt.start + 6);
    if (this.fdb.get(src) !== port) this.fdb.set(src, port);
    const dst = readMac(b, pkt.start);
    if (dst === this.mac) {
      this.host.receiveFrame(this, pkt);
      return;
    }
    if (dst === BROADCAST_MAC) {
      this.host.receiveFrame(this, this.net.pool.clone(pkt));
    } else if (this.host.bridgeNfCallIptables && readU16(b, pkt.start + 12) === 0x0800) {
      pkt.ipLen = pkt.frameLen - 14;
      if (!this.host.bridgeNetfilter(this, port, pkt)) return;
    }
    this.forward(port, pkt);
  }

  private forward(inPort: Device | null, pkt: Packet): void {
    const dst = readMac(pkt.buf, pkt.start);
    const out = dst === BROADCAST_MAC ? undefined : this.fdb.get(dst);
    if (out) {
      if (out === inPort) {
        this.net.pool.release(pkt);
        return;
      }
      out.transmit(pkt);
      return;
    }
    // Unknown unicast or broadcast: flood to every other port.
    const tr = this.net.tracer;
    if (tr.enabled && dst !== BROADCAST_MAC) {
      tr.note(TraceKind.L2, this.net.sim.now, this.host.name, this.name, pkt.uid, { text: `bridge ${this.name}: ${formatMac(dst)} unknown, flooding` });
    }
    let last: Device | null = null;
    for (const p of this.ports) {
      if (p === inPort || !p.up) continue;
      if (last) last.transmit(this.net.pool.clone(pkt));
      last = p;
    }
    if (last) last.transmit(pkt);
    else this.net.pool.release(pkt);
  }
}
