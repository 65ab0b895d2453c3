/**
 * The "star-echo v1" workload (shared/docs/performance.md §2): K hosts around one router, each
 * host a UDP echo server on port 9 and a client sending 100-byte requests every 10 µs over
 * 1 Gb/s, 10 µs point-to-point links with PPP framing and 100-packet DropTail queues. Every
 * hop does the engine's real work: bytes with checksums, the IPv4 stack with conntrack and the
 * netfilter hooks, routing, TTL decrement, and link serialisation. Run to completion, it must
 * reproduce the reference results of §2.3 exactly (same deliveries, packet-hops, RTT sum/max).
 */
import { Simulation } from '../sim/simulation.ts';
import type { EventTarget } from '../sim/queue.ts';
import { Network } from '../dataplane/network.ts';
import { Host, type PacketFilter, type UdpHandler } from '../dataplane/host.ts';
import { Link } from '../dataplane/device/link.ts';
import { LinkLayer } from '../trace/events.ts';
import type { Tracer } from '../trace/recorder.ts';
import type { Packet } from '../dataplane/packet.ts';
import { readU32 } from '../wire/addr.ts';

export interface StarOptions {
  /** Hosts around the router (default 16). */
  k?: number;
  /** Requests in total (default 1,000,000). */
  packets?: number;
  /** 0 = "pairs"; S > 0 = fan-in onto hosts 0..S−1. */
  servers?: number;
  seed?: number;
  tracer?: Tracer;
  /** Gives each host its netfilter (the benchmark installs empty tables so every hook runs). */
  makeFilter?: (host: Host) => PacketFilter;
}

export interface StarResult {
  requests: number;
  echoes: number;
  packetHops: number;
  events: number;
  rttSumNs: number;
  rttMaxNs: number;
  simulatedNs: number;
  queueDrops: number;
}

const ECHO_PORT = 9;
const CLIENT_PORT = 49153;
const PAYLOAD = 100;
const FIRST_SEND = 1_000_000_000;
const INTERVAL = 10_000;
const EV_SEND = 1;

/** The address of host i: 10.(1+⌊i/256⌋).(i mod 256).1 */
export function starHostAddr(i: number): number {
  return ((10 << 24) | ((1 + (i >> 8)) << 16) | ((i & 255) << 8) | 1) >>> 0;
}

class EchoServer implements UdpHandler {
  onDatagram(host: Host, pkt: Packet): boolean {
    host.echoUdpInPlace(pkt);
    return true;
  }
}

class Client implements EventTarget, UdpHandler {
  sent = 0;
  echoes = 0;
  rttSum = 0;
  rttMax = 0;
  private readonly fillFn = (buf: Uint8Array, off: number): void => this.fill(buf, off);

  constructor(
    readonly host: Host,
    readonly dst: number,
    readonly count: number,
  ) {}

  handleEvent(kind: number): void {
    if (kind !== EV_SEND) return;
    this.host.sendUdp(0, CLIENT_PORT, this.dst, ECHO_PORT, PAYLOAD, this.fillFn);
    this.sent++;
    if (this.sent < this.count) this.host.net.sim.schedule(INTERVAL, this, EV_SEND);
  }

  /** Payload: the send time (ns, as two 32-bit words), then a counter pattern. */
  private fill(buf: Uint8Array, off: number): void {
    const t = this.host.net.sim.now;
    const hi = Math.floor(t / 4294967296);
    const lo = t >>> 0;
    buf[off] = hi >>> 24;
    buf[off + 1] = (hi >>> 16) & 255;
    buf[off + 2] = (hi >>> 8) & 255;
    buf[off + 3] = hi & 255;
    buf[off + 4] = lo >>> 24;
    buf[off + 5] = (lo >>> 16) & 255;
    buf[off + 6] = (lo >>> 8) & 255;
    buf[off + 7] = lo & 255;
    for (let i = 8; i < PAYLOAD; i++) buf[off + i] = i;
  }

  onDatagram(host: Host, pkt: Packet, _src: number, _sport: number, _dst: number, _dport: number, payloadOff: number): boolean {
    const b = pkt.buf;
    const sentAt = readU32(b, payloadOff) * 4294967296 + readU32(b, payloadOff + 4);
    const rtt = host.net.sim.now - sentAt;
    this.echoes++;
    this.rttSum += rtt;
    if (rtt > this.rttMax) this.rttMax = rtt;
    return false;
  }
}

/** A built star topology, ready to run. */
export interface Star {
  sim: Simulation;
  net: Network;
  router: Host;
  hosts: Host[];
  run(): StarResult;
}

/** Builds the star (hosts, router, links, servers, clients) without running it. */
export function buildStar(opts: StarOptions = {}): Star {
  const k = opts.k ?? 16;
  const packets = opts.packets ?? 1_000_000;
  const servers = opts.servers ?? 0;
  if (k < 2) throw new Error('star-echo needs k ≥ 2');
  if (servers < 0 || servers >= k) throw new Error('servers must be in [0, k)');
  const sim = new Simulation(opts.seed ?? 1);
  const net = new Network(sim, opts.tracer);
  const router = new Host(net, 'R');
  router.ipForward = true;
  if (opts.makeFilter) router.netfilter = opts.makeFilter(router);
  const hosts: Host[] = [];
  for (let i = 0; i < k; i++) {
    const h = new Host(net, `h${i}`);
    if (opts.makeFilter) h.netfilter = opts.makeFilter(h);
    const addr = starHostAddr(i);
    const hDev = h.nic('ppp0', LinkLayer.Ppp);
    const rDev = router.nic(`ppp${i}`, LinkLayer.Ppp);
    h.addAddress(hDev, addr, 24);
    router.addAddress(rDev, addr + 1, 24);
    h.addRoute('0.0.0.0/0', hDev, addr + 1);
    new Link(net, hDev, rDev, { bandwidth: 1e9, delay: 10_000, queueLimit: 100 });
    h.bindUdp(ECHO_PORT, new EchoServer());
    hosts.push(h);
  }
  const clients: Client[] = [];
  const first = servers > 0 ? servers : 0;
  const clientCount = k - first;
  for (let i = first; i < k; i++) {
    const c = i - first;
    const n = Math.floor(packets / clientCount) + (c < packets % clientCount ? 1 : 0);
    const target = servers > 0 ? i % servers : (i + k / 2) % k;
    const client = new Client(hosts[i]!, starHostAddr(Math.floor(target)), n);
    hosts[i]!.bindUdp(CLIENT_PORT, client);
    clients.push(client);
    if (n > 0) sim.scheduleAt(FIRST_SEND + 100 * i, client, EV_SEND);
  }
  return {
    sim,
    net,
    router,
    hosts,
    run(): StarResult {
      sim.run();
      let echoes = 0, rttSum = 0, rttMax = 0, requests = 0;
      for (const c of clients) {
        requests += c.sent;
        echoes += c.echoes;
        rttSum += c.rttSum;
        if (c.rttMax > rttMax) rttMax = c.rttMax;
      }
      let queueDrops = 0;
      for (const l of net.links) queueDrops += l.queueDrops[0]! + l.queueDrops[1]!;
      return { requests, echoes, packetHops: net.packetHops, events: sim.eventsRun, rttSumNs: rttSum, rttMaxNs: rttMax, simulatedNs: sim.now, queueDrops };
    },
  };
}

/** Builds and runs the star; see StarOptions. */
export function runStar(opts: StarOptions = {}): StarResult {
  return buildStar(opts).run();
}
