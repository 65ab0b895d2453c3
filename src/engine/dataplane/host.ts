/**
 * Host: one network namespace — its devices, routes, neighbour (ARP) table, netfilter,
 * conntrack and sockets — and the IPv4 stack that moves packets between them, in Linux's order:
 *
 *   receive → [conntrack] → PREROUTING (nat: DNAT) → route ─┬─ local → INPUT (filter, nat) → socket
 *                                                           └─ forward → FORWARD (filter) → TTL−1 ─┐
 *   socket → route → [conntrack] → OUTPUT (nat: DNAT, filter) → reroute ───────────────────────────┤
 *                                               POSTROUTING (nat: SNAT/MASQUERADE) → confirm → out ┘
 *
 * NAT is decided on a connection's first packet and replayed from conntrack on every later one:
 * destination rewrites at PREROUTING/OUTPUT, source rewrites at POSTROUTING/INPUT, so replies
 * have their SNAT undone on the way in and their DNAT undone on the way out.
 */
import { readMac, readU16, readU32, writeMac, writeU16, writeU32, formatIpv4, formatMac, BROADCAST_MAC, Cidr } from '../wire/addr.ts';
import { DROP_REASON_NAMES, DropReason, LinkLayer, TraceKind, type TraceDetail } from '../trace/events.ts';
import type { RandomStream } from '../sim/rng.ts';
import type { EventTarget } from '../sim/queue.ts';
import { Device, type IfAddr } from './device/device.ts';
import { HEADROOM, type Packet } from './packet.ts';
import type { Network } from './network.ts';
import { RouteTable, describeRoute, type Route } from './ip/route-table.ts';
import { fillL4Checksum, isIcmpQuery, rewriteAddrPort, verifyL4Checksum } from './ip/ip-fields.ts';
import { IPV4, IPV4_FLAG, IP_PROTO, ipv4DecrementTtl, ipv4HeaderLen, writeIpv4Header } from '../wire/ipv4.ts';
import { fillIcmpChecksum, icmpIsError } from '../wire/icmp.ts';
import { onesSum, finishChecksum, updateChecksum16 } from '../wire/checksum.ts';
import { ConntrackTable, CtStatus, type ConnEntry } from './conntrack/table.ts';
import { CtState, Hook, HOOK_NAMES, NatKind, Verdict, newTraverseResult, type NfEnv, type NfPacket, type TraverseResult } from './netfilter/types.ts';
import { TcpStack } from './socket/tcp.ts';

/** What the stack needs from a netfilter ruleset (implemented by netfilter/Netfilter). */
export interface PacketFilter {
  /**
   * Runs the tables registered at `hook` in Linux's order and fills `out`. The nat table is
   * consulted only when `natAllowed` (the packet is its connection's first).
   */
  evaluateHook(hook: Hook, pkt: NfPacket, env: NfEnv, out: TraverseResult, recordPath: boolean, natAllowed: boolean): void;
}

/** Receives UDP datagrams on a bound port. Return true to keep the packet (e.g. to reuse it for a reply). */
export interface UdpHandler {
  onDatagram(host: Host, pkt: Packet, src: number, sport: number, dst: number, dport: number, payloadOff: number, payloadLen: number): boolean;
  /** An ICMP error (e.g. port unreachable) about a datagram this socket sent. */
  onIcmpError?(host: Host, type: number, code: number, dst: number, dport: number, sport: number): void;
}

/**
 * Policy routing for forwarded packets (`ip rule` + a per-flow table): a load balancer uses it
 * to pick a backend as next hop. Returning null falls back to the main table.
 */
export interface ForwardPolicy {
  route(host: Host, pkt: Packet, dst: number): Route | null;
}

/** Receives ICMP echo replies (ping). */
export type EchoReplyHandler = (host: Host, src: number, id: number, seq: number, ttl: number) => void;

/** Receives ICMP errors about an echo request we sent to `dst`: reported by `from`. */
export type EchoErrorHandler = (host: Host, type: number, code: number, dst: number, id: number, seq: number, from: number) => void;

const ETH_HDR = 14;
const PPP_HDR = 2;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const PPP_IPV4 = 0x0021;
const ARP_RETRY_NS = 1_000_000_000;
const ARP_TRIES = 3;
const EV_ARP_RETRY = 1;

/** The traversal result of hosts without a netfilter: nat is always NONE (it is never evaluated into). */
const NO_FILTER: TraverseResult = newTraverseResult();

/** A host's addresses are LOCAL for `-m addrtype`; so is 127/8. */
const LOOPBACK = new Cidr(0x7f000000, 8);

export class Host implements NfEnv, EventTarget {
  readonly devices: Device[] = [];
  readonly routes = new RouteTable();
  readonly conntrack = new ConntrackTable();
  /** ARP cache: IPv4 → MAC. */
  readonly neighbors = new Map<number, number>();
  /** Packets waiting for ARP, by next-hop address. */
  /** Made on the first ARP request this host sends. */
  private arpPending: Map<number, { dev: Device; queue: Packet[]; tries: number }> | null = null;
  netfilter: PacketFilter | null = null;
  /** Consulted before the main routing table for forwarded packets. */
  forwardPolicy: ForwardPolicy | null = null;
  /**
   * Called when a next hop's MAC is not in the neighbour table, before ARP: returns the MAC when
   * something answers at once (a cloud fabric's ARP responder, as VPC networks have), or
   * undefined to ARP as usual — after perhaps bringing the neighbour into being (a network
   * namespace created on demand). Null: always ARP.
   */
  neighborMiss: ((addr: number, dev: Device) => number | undefined) | null = null;
  /** net.ipv4.ip_forward */
  ipForward = false;
  /** net.bridge.bridge-nf-call-iptables: bridged IPv4 crosses iptables (see bridgeNetfilter). */
  bridgeNfCallIptables = false;
  /**
   * nf_conntrack is loaded, as on every Linux host kubewire models. False for a router that
   * keeps no connection state (a cloud fabric): its packets carry no conntrack entry.
   */
  tracksConnections = true;
  /** net.ipv4.conf.all.route_localnet-free view of which addresses are ours. */
  private readonly localAddrs = new Map<number, Device>();
  readonly udpSockets = new Map<number, UdpHandler>();
  private tcpStack: TcpStack | null = null;
  echoReplyHandler: EchoReplyHandler | null = null;
  /** ICMP errors about our echo requests ("Destination Host Unreachable", "Time to live exceeded"). */
  echoErrorHandler: EchoErrorHandler | null = null;
  up = true;
  private randStream: RandomStream | null = null;
  private portRandStream: RandomStream | null = null;
  private ipId = 1;
  /** Made when a netfilter is first consulted: most pods of a cluster have none. */
  private nfPkt: NfPacket | null = null;
  /** NO_FILTER (nat NONE, never written) until a netfilter is first consulted. */
  private nfOut: TraverseResult = NO_FILTER;
  /** Per-protocol counters, like `netstat -s`. */
  readonly stats = { ipIn: 0, ipForwarded: 0, ipDelivered: 0, ipOut: 0, dropped: 0 };

  constructor(
    readonly net: Network,
    readonly name: string,
  ) {
    net.hosts.push(this);
  }

  // The TCP stack and the seeded streams are made on first use (the same streams, since a
  // stream is named): a cluster has many hosts that never open a socket or draw a number.

  /** The host's TCP sockets. */
  get tcp(): TcpStack {
    return (this.tcpStack ??= new TcpStack(this));
  }

  /** Seeded stream for netfilter statistic draws and NAT port choice. */
  get rand(): RandomStream {
    return (this.randStream ??= this.net.sim.rng.stream(`host/${this.name}/netfilter`));
  }

  /** Seeded stream for ephemeral ports. */
  get portRand(): RandomStream {
    return (this.portRandStream ??= this.net.sim.rng.stream(`host/${this.name}/ports`));
  }

  // ---- NfEnv -------------------------------------------------------------------------------

  get now(): number {
    return this.net.sim.now;
  }

  isLocal(addr: number): boolean {
    return this.localAddrs.has(addr) || LOOPBACK.contains(addr);
  }

  random(): number {
    return this.rand.next();
  }

  // ---- configuration -----------------------------------------------------------------------

  /** Adds a device (NIC, veth end, bridge) to this host. */
  addDevice(dev: Device): Device {
    dev.ifindex = this.devices.length + 2;
    this.devices.push(dev);
    return dev;
  }

  /** Creates a plain NIC. */
  nic(name: string, l2: LinkLayer = LinkLayer.Ethernet): Device {
    return this.addDevice(new Device(this.net, this, name, l2, this.net.nextMac()));
  }

  device(name: string): Device {
    const d = this.devices.find((x) => x.name === name);
    if (!d) throw new Error(`${this.name} has no device ${name}`);
    return d;
  }

  /** `ip addr add ADDR/LEN dev DEV`: also installs the connected route, as Linux does. */
  addAddress(dev: Device, addr: number, prefixLen: number): void {
    const a: IfAddr = { addr, prefixLen };
    dev.addrs.push(a);
    this.localAddrs.set(addr, dev);
    if (prefixLen < 32) {
      const c = new Cidr(addr, prefixLen);
      if (!this.routes.lookupExact(c)) this.routes.add({ dst: c, gateway: 0, dev, src: addr });
    }
  }

  /** `ip route add DST [via GW] dev DEV`. */
  addRoute(dst: string | Cidr, dev: Device, gateway = 0, src = 0): void {
    this.routes.add({ dst: typeof dst === 'string' ? Cidr.of(dst) : dst, gateway, dev, src });
  }

  /** The first address of the host (for labels). */
  get primaryAddr(): number {
    for (const d of this.devices) if (d.addrs.length) return d.addrs[0]!.addr;
    return 0;
  }

  /** Binds a UDP handler to a port. */
  bindUdp(port: number, h: UdpHandler): void {
    if (this.udpSockets.has(port)) throw new Error(`${this.name}: UDP port ${port} in use`);
    this.udpSockets.set(port, h);
  }

  /** Releases a UDP port. */
  unbindUdp(port: number): void {
    this.udpSockets.delete(port);
  }

  /** Binds a handler to a free ephemeral UDP port and returns the port. */
  bindUdpEphemeral(h: UdpHandler): number {
    const port = this.ephemeralPort((p) => this.udpSockets.has(p));
    this.udpSockets.set(port, h);
    return port;
  }

  /** A free ephemeral port in Linux's default range 32768–60999, chosen from the host's seeded stream. */
  ephemeralPort(inUse: (p: number) => boolean): number {
    for (let i = 0; i < 28232; i++) {
      const p = 32768 + this.portRand.int(0, 28231);
      if (!inUse(p)) return p;
    }
    throw new Error(`${this.name}: no free ephemeral port`);
  }

  handleEvent(kind: number, a: number): void {
    if (kind === EV_ARP_RETRY) this.arpRetry(a);
  }

  // ---- receive -----------------------------------------------------------------------------

  /** A frame arrived on `dev` (after the device traced it). */
  receiveFrame(dev: Device, pkt: Packet): void {
    pkt.owner = this;
    const b = pkt.buf;
    const s = pkt.start;
    const frameLen = pkt.frameLen;
    if (dev.l2 === LinkLayer.Ethernet) {
      if (frameLen < ETH_HDR) return this.dropPacket(pkt, dev, DropReason.Malformed);
      const dst = readMac(b, s);
      if (dst !== dev.mac && dst !== BROADCAST_MAC && !dev.promiscuous) return this.dropPacket(pkt, dev, DropReason.NotForThisHost);
      const type = readU16(b, s + 12);
      if (type === ETHERTYPE_ARP) return this.arpInput(dev, pkt);
      if (type !== ETHERTYPE_IPV4) return this.dropPacket(pkt, dev, DropReason.Malformed);
    } else if (dev.l2 === LinkLayer.Ppp) {
      if (frameLen < PPP_HDR || readU16(b, s) !== PPP_IPV4) return this.dropPacket(pkt, dev, DropReason.Malformed);
    }
    this.ipInput(dev, pkt);
  }

  private ipInput(dev: Device, pkt: Packet): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    const avail = pkt.ipLen;
    if (avail < 20 || b[ip]! >> 4 !== 4) return this.dropPacket(pkt, dev, DropReason.Malformed);
    const hl = ipv4HeaderLen(b, ip);
    const total = readU16(b, ip + IPV4.TOTAL_LEN);
    if (hl < 20 || total < hl || total > avail) return this.dropPacket(pkt, dev, DropReason.Malformed);
    if (finishChecksum(onesSum(b, ip, hl)) !== 0) return this.dropPacket(pkt, dev, DropReason.BadChecksum);
    pkt.ipLen = total; // strip link-layer padding
    pkt.inIface = dev.name;
    this.stats.ipIn++;

    // conntrack (PREROUTING, priority -200), then nat PREROUTING for a new connection.
    this.ctLookup(pkt);
    if (!this.runHook(Hook.PREROUTING, pkt, dev.name, '')) return;
    this.natDestination(pkt, Hook.PREROUTING);
    this.routeInput(dev, pkt);
  }

  /** The input routing decision after PREROUTING: local delivery or forwarding. */
  private routeInput(dev: Device, pkt: Packet): void {
    const dst = readU32(pkt.buf, HEADROOM + IPV4.DST);
    if (this.isLocal(dst) || dst === 0xffffffff) {
      this.localInput(dev, pkt);
      return;
    }
    this.forward(dev, pkt);
  }

  /**
   * br_netfilter (net.bridge.bridge-nf-call-iptables = 1, which kubelet requires): an IPv4
   * frame bridged between two ports of `bridge` still crosses conntrack and the iptables
   * PREROUTING, FORWARD and POSTROUTING hooks, so a pod's reply to a same-node client is
   * un-DNATed. Returns true when the bridge should forward the (possibly rewritten) frame;
   * false when it was dropped or, rewritten by DNAT, handed to the IP layer to be routed.
   */
  bridgeNetfilter(bridge: Device, inPort: Device, pkt: Packet): boolean {
    const b = pkt.buf;
    const ip = HEADROOM;
    const avail = pkt.ipLen;
    if (avail < 20 || b[ip]! >> 4 !== 4) return true;
    const hl = ipv4HeaderLen(b, ip);
    const total = readU16(b, ip + IPV4.TOTAL_LEN);
    if (hl < 20 || total < hl || total > avail) return true;
    pkt.ipLen = total;
    pkt.inIface = bridge.name;
    this.ctLookup(pkt);
    if (!this.runHook(Hook.PREROUTING, pkt, bridge.name, '')) return false;
    if (this.natDestination(pkt, Hook.PREROUTING)) {
      // br_nf_pre_routing_finish: the destination changed, so the packet is routed instead.
      this.routeInput(bridge, pkt);
      return false;
    }
    if (!this.runHook(Hook.FORWARD, pkt, bridge.name, bridge.name)) return false;
    if (!this.runHook(Hook.POSTROUTING, pkt, bridge.name, bridge.name)) return false;
    this.natSource(pkt, Hook.POSTROUTING);
    this.ctConfirm(pkt);
    return true;
  }

  private localInput(dev: Device, pkt: Packet): void {
    if (!this.runHook(Hook.INPUT, pkt, dev.name, '')) return;
    this.natSource(pkt, Hook.INPUT);
    this.ctConfirm(pkt);
    this.stats.ipDelivered++;
    this.deliver(dev, pkt);
  }

  private forward(inDev: Device, pkt: Packet): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    if (!this.ipForward) return this.dropPacket(pkt, inDev, DropReason.ForwardingDisabled);
    const dst = readU32(b, ip + IPV4.DST);
    const route = this.forwardPolicy?.route(this, pkt, dst) ?? this.routes.lookup(dst);
    if (!route) {
      this.sendIcmpError(pkt, inDev, 3, 0); // net unreachable
      return this.dropPacket(pkt, inDev, DropReason.NoRoute);
    }
    this.traceRoute(pkt, route, dst);
    if (b[ip + IPV4.TTL]! <= 1) {
      this.sendIcmpError(pkt, inDev, 11, 0);
      return this.dropPacket(pkt, inDev, DropReason.TtlExceeded);
    }
    if (!this.runHook(Hook.FORWARD, pkt, inDev.name, route.dev.name)) return;
    ipv4DecrementTtl(b, ip);
    this.stats.ipForwarded++;
    this.postrouting(pkt, route, dst);
  }

  // ---- output ------------------------------------------------------------------------------

  /**
   * Sends a locally generated IP packet (header complete, source may be 0 = pick from the route).
   * Runs OUTPUT (nat DNAT may redirect it), then POSTROUTING.
   */
  ipOutput(pkt: Packet): void {
    pkt.owner = this;
    const b = pkt.buf;
    const ip = HEADROOM;
    let dst = readU32(b, ip + IPV4.DST);
    let route = this.routeLocal(dst);
    if (!route) {
      this.stats.dropped++;
      return this.dropPacket(pkt, null, DropReason.NoRoute);
    }
    if (readU32(b, ip + IPV4.SRC) === 0) {
      rewriteAddrPort(b, ip, 0, route.src || route.dev.primaryAddr, readU16(b, ip + ipv4HeaderLen(b, ip)));
    }
    pkt.inIface = '';
    this.stats.ipOut++;
    this.ctLookup(pkt);
    if (!this.runHook(Hook.OUTPUT, pkt, '', route.dev.name)) return;
    if (this.natDestination(pkt, Hook.OUTPUT)) {
      dst = readU32(b, ip + IPV4.DST);
      route = this.routeLocal(dst); // ip_route_me_harder: DNAT changed the destination
      if (!route) return this.dropPacket(pkt, null, DropReason.NoRoute);
    }
    this.traceRoute(pkt, route, dst);
    this.postrouting(pkt, route, dst);
  }

  private routeLocal(dst: number): Route | null {
    if (this.isLocal(dst)) {
      const dev = this.localAddrs.get(dst) ?? this.devices[0];
      if (!dev) return null;
      return { dst: new Cidr(dst, 32), gateway: 0, dev, src: dst };
    }
    return this.routes.lookup(dst);
  }

  private postrouting(pkt: Packet, route: Route, dst: number): void {
    if (!this.runHook(Hook.POSTROUTING, pkt, pkt.inIface, route.dev.name, route)) return;
    this.natSource(pkt, Hook.POSTROUTING, route);
    this.ctConfirm(pkt);
    if (this.isLocal(dst)) {
      // Loopback: straight into INPUT without touching a wire.
      this.localInput(route.dev, pkt);
      return;
    }
    this.l2Output(route.dev, route.gateway || dst, pkt);
  }

  /** Frames the packet for `dev` and sends it toward `nextHop`, resolving its MAC by ARP on Ethernet. */
  l2Output(dev: Device, nextHop: number, pkt: Packet): void {
    if (pkt.ipLen > dev.mtu) {
      this.sendIcmpError(pkt, null, 3, 4); // fragmentation needed (we always set DF)
      return this.dropPacket(pkt, dev, DropReason.MtuExceeded);
    }
    const b = pkt.buf;
    if (dev.l2 === LinkLayer.Ppp) {
      pkt.start = HEADROOM - PPP_HDR;
      writeU16(b, pkt.start, PPP_IPV4);
      dev.transmit(pkt);
      return;
    }
    if (dev.l2 === LinkLayer.RawIpv4) {
      pkt.start = HEADROOM;
      dev.transmit(pkt);
      return;
    }
    let mac = nextHop === 0xffffffff ? BROADCAST_MAC : this.neighbors.get(nextHop);
    if (mac === undefined && this.neighborMiss !== null) {
      mac = this.neighborMiss(nextHop, dev);
      if (mac !== undefined) this.neighbors.set(nextHop, mac);
    }
    if (mac === undefined) {
      this.arpQueue(dev, nextHop, pkt);
      return;
    }
    this.ethTransmit(dev, mac, ETHERTYPE_IPV4, pkt);
  }

  private ethTransmit(dev: Device, dstMac: number, type: number, pkt: Packet): void {
    const b = pkt.buf;
    const s = HEADROOM - ETH_HDR;
    pkt.start = s;
    writeMac(b, s, dstMac);
    writeMac(b, s + 6, dev.mac);
    writeU16(b, s + 12, type);
    dev.transmit(pkt);
  }

  // ---- ARP (RFC 826) -----------------------------------------------------------------------

  private arpQueue(dev: Device, nextHop: number, pkt: Packet): void {
    const pending = (this.arpPending ??= new Map());
    let p = pending.get(nextHop);
    if (!p) {
      p = { dev, queue: [], tries: 0 };
      pending.set(nextHop, p);
      this.sendArp(dev, 1, BROADCAST_MAC, nextHop, 0);
      p.tries = 1;
      this.net.sim.schedule(ARP_RETRY_NS, this, EV_ARP_RETRY, nextHop);
    }
    if (p.queue.length >= 101) return this.dropPacket(pkt, dev, DropReason.NeighborUnreachable); // unres_qlen
    p.queue.push(pkt);
  }

  private arpRetry(nextHop: number): void {
    const p = this.arpPending?.get(nextHop);
    if (!p) return;
    if (p.tries >= ARP_TRIES) {
      this.arpPending!.delete(nextHop);
      for (const q of p.queue) {
        this.sendIcmpError(q, null, 3, 1); // host unreachable
        this.dropPacket(q, p.dev, DropReason.NeighborUnreachable);
      }
      return;
    }
    p.tries++;
    this.sendArp(p.dev, 1, BROADCAST_MAC, nextHop, 0);
    this.net.sim.schedule(ARP_RETRY_NS, this, EV_ARP_RETRY, nextHop);
  }

  private sendArp(dev: Device, op: number, dstMac: number, targetIp: number, targetMac: number): void {
    const src = dev.addrs.find((a) => new Cidr(a.addr, a.prefixLen).contains(targetIp))?.addr ?? dev.primaryAddr;
    const pkt = this.net.pool.alloc();
    pkt.owner = this;
    const b = pkt.buf;
    const a = HEADROOM;
    writeU16(b, a, 1); // hardware type: Ethernet
    writeU16(b, a + 2, ETHERTYPE_IPV4);
    b[a + 4] = 6;
    b[a + 5] = 4;
    writeU16(b, a + 6, op);
    writeMac(b, a + 8, dev.mac);
    writeU32(b, a + 14, src);
    writeMac(b, a + 18, targetMac);
    writeU32(b, a + 24, targetIp);
    pkt.ipLen = 28;
    if (this.net.tracer.enabled) {
      this.net.tracer.note(TraceKind.L2, this.now, this.name, dev.name, pkt.uid, {
        text: op === 1 ? `ARP who-has ${formatIpv4(targetIp)} tell ${formatIpv4(src)}` : `ARP ${formatIpv4(src)} is-at ${formatMac(dev.mac)}`,
      });
    }
    this.ethTransmit(dev, dstMac, ETHERTYPE_ARP, pkt);
  }

  private arpInput(dev: Device, pkt: Packet): void {
    const b = pkt.buf;
    const a = pkt.start + ETH_HDR;
    if (pkt.frameLen < ETH_HDR + 28 || readU16(b, a) !== 1 || readU16(b, a + 2) !== ETHERTYPE_IPV4) {
      return this.dropPacket(pkt, dev, DropReason.Malformed);
    }
    const op = readU16(b, a + 6);
    const senderMac = readMac(b, a + 8);
    const senderIp = readU32(b, a + 14);
    const targetIp = readU32(b, a + 24);
    const forUs = dev.addrs.some((x) => x.addr === targetIp);
    // Linux learns the sender when the request is for us, or updates an existing entry.
    if (forUs || this.neighbors.has(senderIp)) this.learnNeighbor(senderIp, senderMac);
    this.net.pool.release(pkt);
    if (op === 1 && forUs) {
      this.sendArp(dev, 2, senderMac, senderIp, senderMac);
    }
  }

  private learnNeighbor(ip: number, mac: number): void {
    this.neighbors.set(ip, mac);
    const p = this.arpPending?.get(ip);
    if (p) {
      this.arpPending!.delete(ip);
      for (const q of p.queue) this.ethTransmit(p.dev, mac, ETHERTYPE_IPV4, q);
    }
  }

  // ---- conntrack and NAT -------------------------------------------------------------------

  /** Finds or creates the packet's conntrack entry (nf_conntrack_in). */
  private ctLookup(pkt: Packet): void {
    if (!this.tracksConnections) {
      pkt.ct = null;
      pkt.ctNew = false;
      pkt.ctRelated = false;
      return;
    }
    const b = pkt.buf;
    const ip = HEADROOM;
    const proto = b[ip + IPV4.PROTO]!;
    const l4 = ip + ipv4HeaderLen(b, ip);
    const src = readU32(b, ip + IPV4.SRC);
    const dst = readU32(b, ip + IPV4.DST);
    let sport = 0, dport = 0, flags = 0;
    pkt.ctRelated = false;
    pkt.ctNew = false;
    if (proto === IP_PROTO.TCP || proto === IP_PROTO.UDP) {
      sport = readU16(b, l4);
      dport = readU16(b, l4 + 2);
      if (proto === IP_PROTO.TCP) flags = b[l4 + 13]!;
    } else if (proto === IP_PROTO.ICMP) {
      const type = b[l4]!;
      if (isIcmpQuery(type)) {
        sport = readU16(b, l4 + 4); // the echo id stands in for both ports
        dport = sport;
      } else if (icmpIsError(type)) {
        // RELATED: find the connection the quoted packet belongs to (seen from its sender).
        const q = l4 + 8;
        const qp = b[q + IPV4.PROTO]!;
        const ql4 = q + ipv4HeaderLen(b, q);
        const qs = readU32(b, q + IPV4.SRC), qd = readU32(b, q + IPV4.DST);
        const qsp = qp === IP_PROTO.ICMP ? readU16(b, ql4 + 4) : readU16(b, ql4);
        const qdp = qp === IP_PROTO.ICMP ? qsp : readU16(b, ql4 + 2);
        const n = this.conntrack.lookup(qs, qd, qsp, qdp, qp, this.now);
        if (n) {
          pkt.ct = n.entry;
          pkt.ctDir = 1 - n.dir;
          pkt.ctRelated = true;
          return;
        }
        pkt.ct = null;
        return;
      }
    }
    const now = this.now;
    let node = this.conntrack.lookup(src, dst, sport, dport, proto, now);
    if (!node) {
      const e = this.conntrack.create(src, dst, sport, dport, proto, now);
      node = e.orig;
      pkt.ctNew = true;
    }
    pkt.ct = node.entry;
    pkt.ctDir = node.dir;
    this.conntrack.refresh(node.entry, node.dir, flags, now);
  }

  /** Applies (and on a new connection decides) destination NAT; returns true if the destination changed. */
  private natDestination(pkt: Packet, hook: Hook): boolean {
    const e = pkt.ct;
    if (!e) return false;
    const out = this.nfOut;
    if (pkt.ctNew && out.nat === NatKind.DNAT) {
      const addr = out.natAddrMin;
      const port = out.natPortMin || e.orig.dport;
      const r = e.reply;
      this.conntrack.setReply(e, addr, r.dst, port, r.dport);
      e.status |= CtStatus.DST_NAT;
    }
    return this.applyNat(pkt, 1, hook);
  }

  /** Applies (and on a new connection decides) source NAT. */
  private natSource(pkt: Packet, hook: Hook, route?: Route): void {
    const e = pkt.ct;
    if (!e) return;
    const out = this.nfOut;
    if (pkt.ctNew && (out.nat === NatKind.SNAT || out.nat === NatKind.MASQUERADE)) {
      let addr = out.natAddrMin;
      if (out.nat === NatKind.MASQUERADE) {
        const dev = route?.dev;
        addr = (route?.src || dev?.primaryAddr) ?? 0;
      }
      const r = e.reply;
      let port = r.dport;
      const lo = out.natPortMin, hi = out.natPortMax;
      const clash = (p: number) => this.conntrack.inUse(r.src, addr, r.sport, p, e.proto, this.now);
      if (out.natRandomFully && e.proto !== IP_PROTO.ICMP) {
        // --random-fully: a random port from the range (default 1024–65535) for every connection.
        const pmin = lo || 1024, pmax = hi || 65535;
        for (let i = 0; i < 64; i++) {
          port = pmin + this.rand.int(0, pmax - pmin);
          if (!clash(port)) break;
        }
      } else if ((lo && (port < lo || port > hi)) || clash(port)) {
        const pmin = lo || 1024, pmax = hi || 65535;
        for (let p = pmin; p <= pmax; p++) {
          if (!clash(p)) {
            port = p;
            break;
          }
        }
      }
      this.conntrack.setReply(e, r.src, addr, r.sport, port);
      e.status |= CtStatus.SRC_NAT;
    }
    this.applyNat(pkt, 0, hook);
  }

  /**
   * Rewrites the packet's source (`which` 0) or destination (1) to what the entry says this
   * direction should carry after NAT: the inverse of the other direction's tuple.
   */
  private applyNat(pkt: Packet, which: 0 | 1, hook: Hook): boolean {
    const e = pkt.ct!;
    if (!(e.status & (CtStatus.SRC_NAT | CtStatus.DST_NAT))) return false;
    const b = pkt.buf;
    const ip = HEADROOM;
    const other = e.tuple(1 - pkt.ctDir);
    const wantAddr = which === 0 ? other.dst : other.src;
    const wantPort = which === 0 ? other.dport : other.sport;
    if (pkt.ctRelated) return this.natIcmpError(pkt, which, hook);
    const proto = b[ip + IPV4.PROTO]!;
    const l4 = ip + ipv4HeaderLen(b, ip);
    const curAddr = readU32(b, ip + (which === 0 ? IPV4.SRC : IPV4.DST));
    const curPort = proto === IP_PROTO.ICMP ? readU16(b, l4 + 4) : readU16(b, l4 + (which === 0 ? 0 : 2));
    if (curAddr === wantAddr && (curPort === wantPort || proto === IP_PROTO.ICMP)) return false;
    const tr = this.net.tracer;
    const before = tr.enabled ? this.tupleText(pkt) : '';
    rewriteAddrPort(b, ip, which, wantAddr, wantPort);
    if (tr.enabled) {
      const manip = which === 1 ? (pkt.ctDir === 0 ? 'DNAT' : 'un-SNAT') : pkt.ctDir === 0 ? 'SNAT' : 'un-DNAT';
      tr.packet(TraceKind.Nat, this.now, this.name, pkt.inIface, pkt.uid, LinkLayer.RawIpv4, b, HEADROOM, pkt.ipLen, {
        hook: HOOK_NAMES[hook],
        manip,
        before,
        after: this.tupleText(pkt),
        flow: pkt.flow || undefined,
      });
    }
    return which === 1;
  }

  /** NAT for an ICMP error about a NATed connection: the outer header and the quoted one (Linux nf_nat_icmp_reply_translation). */
  private natIcmpError(pkt: Packet, which: 0 | 1, hook: Hook): boolean {
    const e = pkt.ct!;
    const b = pkt.buf;
    const ip = HEADROOM;
    const l4 = ip + ipv4HeaderLen(b, ip);
    const q = l4 + 8;
    // The quoted packet travelled in the opposite direction; give it that direction's post-NAT tuple.
    const dir = pkt.ctDir;
    const quotedTarget = e.tuple(dir); // inverse of what the quoted packet should show
    const before = this.net.tracer.enabled ? this.tupleText(pkt) : '';
    const outerAddr = readU32(b, ip + (which === 0 ? IPV4.SRC : IPV4.DST));
    // Quoted packet: its src/dst swap roles relative to the outer header.
    rewriteAddrPort(b, q, which === 0 ? 1 : 0, which === 0 ? quotedTarget.dst : quotedTarget.src, which === 0 ? quotedTarget.dport : quotedTarget.sport);
    // The outer address follows: for un-DNAT the error's source becomes the original destination.
    const other = e.tuple(1 - dir);
    const want = which === 0 ? other.dst : other.src;
    let changed = false;
    if (outerAddr !== want && !this.isLocal(outerAddr)) {
      rewriteAddrPort(b, ip, which, want, 0);
      changed = true;
    }
    fillIcmpChecksum(b, l4, pkt.ipLen - (l4 - ip));
    if (this.net.tracer.enabled) {
      this.net.tracer.packet(TraceKind.Nat, this.now, this.name, pkt.inIface, pkt.uid, LinkLayer.RawIpv4, b, HEADROOM, pkt.ipLen, {
        hook: HOOK_NAMES[hook],
        manip: which === 1 ? 'un-SNAT' : 'un-DNAT',
        before,
        after: this.tupleText(pkt),
        text: 'ICMP error about a NATed connection: outer and quoted headers rewritten',
      });
    }
    return changed && which === 1;
  }

  private ctConfirm(pkt: Packet): void {
    const e = pkt.ct;
    if (!e || !pkt.ctNew) return;
    this.conntrack.confirm(e);
    pkt.ctNew = false;
    const tr = this.net.tracer;
    if (tr.enabled) {
      tr.note(TraceKind.Conntrack, this.now, this.name, pkt.inIface, pkt.uid, {
        orig: e.orig.toString(),
        reply: e.reply.toString(),
        state: 'NEW',
        text: e.format(this.now),
        flow: pkt.flow || undefined,
      });
    }
  }

  // ---- netfilter ---------------------------------------------------------------------------

  /** Runs `hook`; returns false when the packet was dropped or rejected (already handled). */
  private runHook(hook: Hook, pkt: Packet, inIface: string, outIface: string, _route?: Route): boolean {
    const nf = this.netfilter;
    let out = this.nfOut;
    if (!nf) {
      if (out !== NO_FILTER) out.nat = NatKind.NONE;
      return true;
    }
    if (out === NO_FILTER) out = this.nfOut = newTraverseResult();
    out.nat = NatKind.NONE;
    const p = (this.nfPkt ??= { src: 0, dst: 0, proto: 0, sport: 0, dport: 0, icmpType: -1, inIface: '', outIface: '', mark: 0, ctState: 0, ctStatus: 0, length: 0 });
    const b = pkt.buf;
    const ip = HEADROOM;
    const proto = b[ip + IPV4.PROTO]!;
    const l4 = ip + ipv4HeaderLen(b, ip);
    p.src = readU32(b, ip + IPV4.SRC);
    p.dst = readU32(b, ip + IPV4.DST);
    p.proto = proto;
    if (proto === IP_PROTO.TCP || proto === IP_PROTO.UDP) {
      p.sport = readU16(b, l4);
      p.dport = readU16(b, l4 + 2);
      p.icmpType = -1;
    } else {
      p.sport = 0;
      p.dport = 0;
      p.icmpType = proto === IP_PROTO.ICMP ? b[l4]! : -1;
    }
    p.inIface = inIface;
    p.outIface = outIface;
    p.mark = pkt.mark;
    p.length = pkt.ipLen;
    const e = pkt.ct;
    let st = 0;
    if (pkt.ctRelated) st = CtState.RELATED;
    else if (e) st = pkt.ctDir === 1 || e.status & CtStatus.SEEN_REPLY ? CtState.ESTABLISHED : CtState.NEW;
    else st = CtState.INVALID;
    if (e) {
      if (e.status & CtStatus.DST_NAT) st |= CtState.DNAT;
      if (e.status & CtStatus.SRC_NAT) st |= CtState.SNAT;
    }
    p.ctState = st;
    const tr = this.net.tracer;
    const record = tr.enabled;
    nf.evaluateHook(hook, p, this, out, record, pkt.ctNew);
    pkt.mark = p.mark;
    if (record && out.path.length > 0) {
      const last = out.path[out.path.length - 1]!;
      tr.note(TraceKind.Netfilter, this.now, this.name, inIface || outIface, pkt.uid, {
        hook: HOOK_NAMES[hook],
        table: last.table,
        chain: last.chain,
        rule: last.text,
        ruleIndex: last.index,
        verdict: verdictText(out),
        rulesEvaluated: out.rulesEvaluated,
        path: out.path.map((r) => r.text),
        flow: pkt.flow || undefined,
      });
    }
    if (out.verdict === Verdict.ACCEPT) return true;
    const why = `${HOOK_NAMES[hook]}: ${out.byPolicy ? 'chain policy DROP' : (out.path.at(-1)?.text ?? (out.verdict === Verdict.REJECT ? 'REJECT' : 'DROP'))}`;
    if (out.verdict === Verdict.REJECT) {
      this.reject(pkt, out.rejectWith); // re-enters the stack: `out` is not read after this
      this.dropPacket(pkt, null, DropReason.NetfilterReject, why);
    } else {
      this.dropPacket(pkt, null, DropReason.NetfilterDrop, why);
    }
    return false;
  }

  /** iptables REJECT: ICMP port unreachable by default, or a TCP RST for `tcp-reset`. */
  private reject(pkt: Packet, how: string): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    if (how === 'tcp-reset' && b[ip + IPV4.PROTO] === IP_PROTO.TCP) {
      this.tcp.sendResetFor(pkt);
      return;
    }
    const code = ({ 'icmp-net-unreachable': 0, 'icmp-host-unreachable': 1, 'icmp-proto-unreachable': 2, 'icmp-port-unreachable': 3, 'icmp-net-prohibited': 9, 'icmp-host-prohibited': 10, 'icmp-admin-prohibited': 13 } as Record<string, number>)[how || 'icmp-port-unreachable'] ?? 3;
    this.sendIcmpError(pkt, null, 3, code);
  }

  // ---- delivery to sockets -----------------------------------------------------------------

  private deliver(dev: Device, pkt: Packet): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    const proto = b[ip + IPV4.PROTO]!;
    const hl = ipv4HeaderLen(b, ip);
    const l4 = ip + hl;
    const l4len = pkt.ipLen - hl;
    const src = readU32(b, ip + IPV4.SRC);
    const dst = readU32(b, ip + IPV4.DST);
    if (proto === IP_PROTO.UDP) {
      if (l4len < 8 || readU16(b, l4 + 4) > l4len) return this.dropPacket(pkt, dev, DropReason.Malformed);
      if (!verifyL4Checksum(b, ip, l4, readU16(b, l4 + 4), proto)) return this.dropPacket(pkt, dev, DropReason.BadChecksum);
      const sport = readU16(b, l4);
      const dport = readU16(b, l4 + 2);
      const h = this.udpSockets.get(dport);
      if (!h) {
        if (dst !== 0xffffffff) this.sendIcmpError(pkt, dev, 3, 3);
        return this.dropPacket(pkt, dev, DropReason.PortUnreachable);
      }
      this.traceDelivered(pkt, dev, `UDP port ${dport}`);
      if (!h.onDatagram(this, pkt, src, sport, dst, dport, l4 + 8, readU16(b, l4 + 4) - 8)) this.net.pool.release(pkt);
      return;
    }
    if (proto === IP_PROTO.TCP) {
      if (l4len < 20 || !verifyL4Checksum(b, ip, l4, l4len, proto)) return this.dropPacket(pkt, dev, DropReason.BadChecksum);
      this.tcp.segmentIn(dev, pkt, src, dst, l4, l4len);
      return;
    }
    if (proto === IP_PROTO.ICMP) {
      if (l4len < 8 || finishChecksum(onesSum(b, l4, l4len)) !== 0) return this.dropPacket(pkt, dev, DropReason.BadChecksum);
      const type = b[l4]!;
      if (type === 8) {
        // Echo request: answer from the same buffer (Linux icmp_echo).
        this.traceDelivered(pkt, dev, 'ICMP echo');
        this.icmpEchoReply(pkt, src, dst, l4, l4len);
        return;
      }
      if (type === 0) {
        this.traceDelivered(pkt, dev, 'ICMP echo reply');
        this.echoReplyHandler?.(this, src, readU16(b, l4 + 4), readU16(b, l4 + 6), b[ip + IPV4.TTL]!);
        this.net.pool.release(pkt);
        return;
      }
      if (icmpIsError(type)) {
        this.traceDelivered(pkt, dev, `ICMP type ${type} code ${b[l4 + 1]}`);
        this.icmpErrorToSocket(pkt, l4);
        this.net.pool.release(pkt);
        return;
      }
      this.net.pool.release(pkt);
      return;
    }
    this.sendIcmpError(pkt, dev, 3, 2); // protocol unreachable
    this.dropPacket(pkt, dev, DropReason.PortUnreachable);
  }

  private icmpErrorToSocket(pkt: Packet, l4: number): void {
    const b = pkt.buf;
    const type = b[l4]!, code = b[l4 + 1]!;
    const q = l4 + 8;
    const qp = b[q + IPV4.PROTO]!;
    const ql4 = q + ipv4HeaderLen(b, q);
    const qdst = readU32(b, q + IPV4.DST);
    const qsport = readU16(b, ql4), qdport = readU16(b, ql4 + 2);
    if (qp === IP_PROTO.UDP) this.udpSockets.get(qsport)?.onIcmpError?.(this, type, code, qdst, qdport, qsport);
    else if (qp === IP_PROTO.TCP) this.tcp.icmpError(readU32(b, q + IPV4.SRC), qsport, qdst, qdport, type, code);
    else if (qp === IP_PROTO.ICMP && b[ql4] === 8) this.echoErrorHandler?.(this, type, code, qdst, readU16(b, ql4 + 4), readU16(b, ql4 + 6), readU32(b, HEADROOM + IPV4.SRC));
  }

  private icmpEchoReply(pkt: Packet, src: number, dst: number, l4: number, l4len: number): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    const data = b.slice(l4, l4 + l4len);
    this.net.pool.release(pkt);
    const r = this.net.pool.alloc();
    r.uid = pkt.uid; // the reply continues the same flow in the trace
    const rb = r.buf;
    writeIpv4Header(rb, ip, dst, src, IP_PROTO.ICMP, 64, this.ipId++, l4len, 0);
    rb.set(data, ip + 20);
    rb[ip + 20] = 0;
    fillIcmpChecksum(rb, ip + 20, l4len);
    r.ipLen = 20 + l4len;
    this.ipOutput(r);
  }

  /** Sends an ICMP error about `orig` (RFC 792/1812): header + as much of the original as fits in 576 bytes. */
  sendIcmpError(orig: Packet, inDev: Device | null, type: number, code: number): void {
    const b = orig.buf;
    const ip = HEADROOM;
    const osrc = readU32(b, ip + IPV4.SRC);
    const odst = readU32(b, ip + IPV4.DST);
    // Never answer an ICMP error with another, nor a broadcast.
    if (b[ip + IPV4.PROTO] === IP_PROTO.ICMP && icmpIsError(b[ip + ipv4HeaderLen(b, ip)]!)) return;
    if (odst === 0xffffffff || osrc === 0) return;
    const quoted = Math.min(orig.ipLen, 576 - 28);
    const src = this.isLocal(odst) ? odst : (inDev?.primaryAddr || this.routes.lookup(osrc)?.src || this.primaryAddr);
    const p = this.net.pool.alloc();
    p.flow = orig.flow;
    const pb = p.buf;
    writeIpv4Header(pb, ip, src, osrc, IP_PROTO.ICMP, 64, this.ipId++, 8 + quoted, 0);
    pb[ip + 20] = type;
    pb[ip + 21] = code;
    pb[ip + 22] = 0;
    pb[ip + 23] = 0;
    writeU32(pb, ip + 24, type === 3 && code === 4 ? 1500 : 0); // next-hop MTU for "fragmentation needed"
    pb.set(b.subarray(ip, ip + quoted), ip + 28);
    fillIcmpChecksum(pb, ip + 20, 8 + quoted);
    p.ipLen = 28 + quoted;
    this.ipOutput(p);
  }

  // ---- building packets for sockets --------------------------------------------------------

  /**
   * Sends a UDP datagram; `fill` writes `payloadLen` bytes at the given offset of the buffer.
   * `src` 0 picks the route's source address. Returns the packet uid.
   */
  sendUdp(src: number, sport: number, dst: number, dport: number, payloadLen: number, fill: (buf: Uint8Array, off: number) => void, flow = 0): number {
    const pkt = this.net.pool.alloc();
    pkt.flow = flow;
    const b = pkt.buf;
    const ip = HEADROOM;
    if (src === 0) src = this.sourceFor(dst);
    const udpLen = 8 + payloadLen;
    writeIpv4Header(b, ip, src, dst, IP_PROTO.UDP, 64, this.ipId++, udpLen, IPV4_FLAG.DF);
    const l4 = ip + 20;
    writeU16(b, l4, sport);
    writeU16(b, l4 + 2, dport);
    writeU16(b, l4 + 4, udpLen);
    fill(b, l4 + 8);
    fillL4Checksum(b, ip, l4, udpLen, IP_PROTO.UDP);
    pkt.ipLen = 20 + udpLen;
    this.ipOutput(pkt);
    return pkt.uid;
  }

  /**
   * Turns a received UDP datagram into its echo in place: addresses and ports swapped (the
   * checksums are unchanged by a swap), TTL reset to 64, then sent (RFC 862 echo).
   */
  echoUdpInPlace(pkt: Packet): void {
    const b = pkt.buf;
    const ip = HEADROOM;
    const l4 = ip + ipv4HeaderLen(b, ip);
    for (let i = 0; i < 4; i++) {
      const t = b[ip + IPV4.SRC + i]!;
      b[ip + IPV4.SRC + i] = b[ip + IPV4.DST + i]!;
      b[ip + IPV4.DST + i] = t;
    }
    for (let i = 0; i < 2; i++) {
      const t = b[l4 + i]!;
      b[l4 + i] = b[l4 + 2 + i]!;
      b[l4 + 2 + i] = t;
    }
    if (b[ip + IPV4.TTL] !== 64) {
      const oldWord = readU16(b, ip + IPV4.TTL);
      b[ip + IPV4.TTL] = 64;
      writeU16(b, ip + IPV4.CHECKSUM, updateChecksum16(readU16(b, ip + IPV4.CHECKSUM), oldWord, readU16(b, ip + IPV4.TTL)));
    }
    pkt.ct = null;
    pkt.mark = 0;
    this.ipOutput(pkt);
  }

  /** Sends an ICMP echo request (ping). */
  sendPing(dst: number, id: number, seq: number, payloadLen = 56, flow = 0): number {
    const pkt = this.net.pool.alloc();
    pkt.flow = flow;
    const b = pkt.buf;
    const ip = HEADROOM;
    const src = this.sourceFor(dst);
    writeIpv4Header(b, ip, src, dst, IP_PROTO.ICMP, 64, this.ipId++, 8 + payloadLen, IPV4_FLAG.DF);
    const l4 = ip + 20;
    b[l4] = 8;
    b[l4 + 1] = 0;
    writeU16(b, l4 + 4, id);
    writeU16(b, l4 + 6, seq);
    for (let i = 0; i < payloadLen; i++) b[l4 + 8 + i] = (0x10 + i) & 0xff;
    fillIcmpChecksum(b, l4, 8 + payloadLen);
    pkt.ipLen = 28 + payloadLen;
    this.ipOutput(pkt);
    return pkt.uid;
  }

  /** Whether a local socket could send to `dst` (a route exists, or it is local). */
  hasRouteTo(dst: number): boolean {
    return this.routeLocal(dst) !== null;
  }

  /** The source address this host would use toward `dst` (the route's preferred source). */
  sourceFor(dst: number): number {
    const r = this.routeLocal(dst);
    return r ? r.src || r.dev.primaryAddr : this.primaryAddr;
  }

  /** The MTU of the device that leads to `dst`. */
  mtuFor(dst: number): number {
    return this.routeLocal(dst)?.dev.mtu ?? 1500;
  }

  /** The next IP identification value. */
  nextIpId(): number {
    return this.ipId++ & 0xffff;
  }

  // ---- drops and trace ---------------------------------------------------------------------

  /** Drops a packet with a reason (traced) and returns it to the pool. */
  dropPacket(pkt: Packet, dev: Device | null, reason: DropReason, text?: string): void {
    this.stats.dropped++;
    const tr = this.net.tracer;
    if (tr.enabled) {
      tr.packet(TraceKind.Drop, this.now, this.name, dev?.name ?? pkt.inIface, pkt.uid, pkt.start < HEADROOM && dev ? dev.l2 : LinkLayer.RawIpv4, pkt.buf, pkt.start < HEADROOM && dev ? pkt.start : HEADROOM, pkt.start < HEADROOM && dev ? pkt.frameLen : pkt.ipLen, {
        reason: DROP_REASON_NAMES[reason],
        text,
        flow: pkt.flow || undefined,
      });
    }
    if (pkt.ct && pkt.ctNew && !(pkt.ct.status & CtStatus.CONFIRMED)) this.conntrack.remove(pkt.ct);
    this.net.pool.release(pkt);
  }

  private traceRoute(pkt: Packet, route: Route, dst: number): void {
    const tr = this.net.tracer;
    if (tr.enabled) tr.note(TraceKind.Route, this.now, this.name, route.dev.name, pkt.uid, { route: `${formatIpv4(dst)} via ${describeRoute(route)}`, flow: pkt.flow || undefined });
  }

  private traceDelivered(pkt: Packet, dev: Device, what: string): void {
    const tr = this.net.tracer;
    if (tr.enabled) tr.packet(TraceKind.Delivered, this.now, this.name, dev.name, pkt.uid, LinkLayer.RawIpv4, pkt.buf, HEADROOM, pkt.ipLen, { text: what, flow: pkt.flow || undefined });
  }

  /** "src:sport > dst:dport" of the packet as it is now. */
  tupleText(pkt: Packet): string {
    const b = pkt.buf;
    const ip = HEADROOM;
    const proto = b[ip + IPV4.PROTO]!;
    const l4 = ip + ipv4HeaderLen(b, ip);
    const s = formatIpv4(readU32(b, ip + IPV4.SRC)), d = formatIpv4(readU32(b, ip + IPV4.DST));
    if (proto === IP_PROTO.TCP || proto === IP_PROTO.UDP) return `${s}:${readU16(b, l4)} > ${d}:${readU16(b, l4 + 2)}`;
    return `${s} > ${d}`;
  }

  /** The conntrack table as `conntrack -L` prints it. */
  conntrackList(): string[] {
    return this.conntrack.entries(this.now).map((e) => e.format(this.now));
  }

  /** Looks up the conntrack entry for a tuple as seen by the original sender. */
  conntrackFind(src: number, dst: number, sport: number, dport: number, proto: number): ConnEntry | null {
    return this.conntrack.lookup(src, dst, sport, dport, proto, this.now)?.entry ?? null;
  }
}

function verdictText(out: TraverseResult): string {
  if (out.verdict === Verdict.DROP) return 'DROP';
  if (out.verdict === Verdict.REJECT) return `REJECT${out.rejectWith ? ` --reject-with ${out.rejectWith}` : ''}`;
  if (out.nat === NatKind.DNAT) return `DNAT to ${formatIpv4(out.natAddrMin)}${out.natPortMin ? `:${out.natPortMin}` : ''}`;
  if (out.nat === NatKind.SNAT) return `SNAT to ${formatIpv4(out.natAddrMin)}`;
  if (out.nat === NatKind.MASQUERADE) return 'MASQUERADE';
  return 'ACCEPT';
}


export type { TraceDetail };
