/**
 * CloudLoadBalancer: the cloud provider's load balancer for Services of type LoadBalancer, as a
 * passthrough L4 balancer (GCP's external passthrough Network Load Balancer, MetalLB in BGP
 * mode): a host on the node network that external clients route the LB pool through
 * (`cloud.loadBalancer.ipPool`, shared/docs/scenario-format.md). It never rewrites a packet:
 *
 *   client ── [LB host: pick a node per flow] ── node eth0 (dst still the LB IP)
 *                                                  └ kube-proxy KUBE-EXT / KUBE-FW → DNAT → pod
 *   client ◄──────────────── node (un-DNAT: source = LB IP), direct, not through the LB
 *
 * so packets reach a node addressed to the LB IP and kube-proxy's LB-IP rules (source ranges,
 * externalTrafficPolicy) decide there, as on a real cluster.
 *
 * - Forwarding rules: every (LB IP, protocol, port) of every LoadBalancer Service's
 *   status.loadBalancer.ingress (ipMode Proxy excepted) × spec.ports. Packets to an LB IP or the
 *   pool that match none are dropped silently (no ICMP), as a cloud LB does.
 * - Backends: every node of the cluster. Each flow's node is chosen by rendezvous hashing of
 *   the 5-tuple over the healthy nodes (a consistent hash, like Maglev: a change of health
 *   moves only the flows of the node that changed), then remembered: later packets of the flow
 *   follow it, and a flow keeps its node even if that node turns unhealthy (GCP's default
 *   connection persistence for TCP), until it is idle for `flowIdleTimeoutNs` or a new TCP
 *   SYN starts the tuple over.
 * - Health checks: HTTP GET over real TCP from the LB host to each node's address,
 *   `User-Agent: GoogleHC/1.0`, `Connection: close`; only a 200 passes. externalTrafficPolicy
 *   Local → the Service's healthCheckNodePort `/healthz` (kube-proxy answers 503 on nodes
 *   without a local ready endpoint); Cluster → kube-proxy's 10256 `/healthz`, one check
 *   shared by all such Services. Defaults are GKE's (ingress-gce L4): Local every 3 s,
 *   Cluster every 8 s, timeout 1 s, healthy after 1 success, unhealthy after 2 (Local) / 3
 *   (Cluster) failures. The first round runs at start(); a node is unhealthy until it has
 *   passed once.
 * - Fail open: when no node of a Service is healthy (e.g. before the first round completes,
 *   or every node fails), new flows go to all nodes, as GCP and AWS NLBs do.
 *
 * The trace gets App notes on the LB host for each probe result, each health change and each
 * new flow's backend choice. `state()` exposes per-Service backends for the UI and
 * expectations.
 */
import type { ForwardPolicy, Host, PacketFilter } from '../dataplane/host.ts';
import type { Packet } from '../dataplane/packet.ts';
import { HEADROOM } from '../dataplane/packet.ts';
import type { Route } from '../dataplane/ip/route-table.ts';
import type { Device } from '../dataplane/device/device.ts';
import type { TcpConnection } from '../dataplane/socket/tcp.ts';
import { resetTraverseResult } from '../dataplane/netfilter/eval.ts';
import { Hook, Verdict, type NfEnv, type NfPacket, type TraverseResult } from '../dataplane/netfilter/types.ts';
import type { EventHandle } from '../sim/simulation.ts';
import { Cidr, formatIpv4, parseIpv4, readU16, readU32 } from '../wire/addr.ts';
import { IPV4, IP_PROTO, ipv4HeaderLen } from '../wire/ipv4.ts';
import { parseHttpResponse } from '../wire/http.ts';
import { appNote } from '../apps/common.ts';
import type { ClusterNetwork, ClusterNode } from './cluster.ts';
import { namespaceOf, type Service } from './model/index.ts';
import { KUBE_PROXY_HEALTHZ_PORT } from './kube-proxy/healthz.ts';

/** A health check's timing (GCP HealthCheck checkIntervalSec, timeoutSec, healthy/unhealthyThreshold). */
export interface HealthCheckSettings {
  readonly intervalNs: number;
  readonly timeoutNs: number;
  /** Consecutive passes that make a node healthy. */
  readonly healthyThreshold: number;
  /** Consecutive failures that make a node unhealthy. */
  readonly unhealthyThreshold: number;
}

const SECOND = 1_000_000_000;

/** GKE's check for externalTrafficPolicy Local (ingress-gce gceLocalHc*): 3 s, 1 s, 1, 2. */
export const GKE_LOCAL_HEALTH_CHECK: HealthCheckSettings = Object.freeze({ intervalNs: 3 * SECOND, timeoutNs: SECOND, healthyThreshold: 1, unhealthyThreshold: 2 });

/** GKE's shared node check for externalTrafficPolicy Cluster (ingress-gce gceSharedHc*): 8 s, 1 s, 1, 3. */
export const GKE_SHARED_HEALTH_CHECK: HealthCheckSettings = Object.freeze({ intervalNs: 8 * SECOND, timeoutNs: SECOND, healthyThreshold: 1, unhealthyThreshold: 3 });

/** How the load balancer is set up. */
export interface CloudLoadBalancerOptions {
  /** The pool the LB IPs come from (cloud.loadBalancer.ipPool): external clients route it via the LB. */
  readonly ipPool: string;
  /** Host name (default "cloud-lb"). */
  readonly name?: string;
  /** Its address on the node network (default: the node CIDR's last usable address). */
  readonly ip?: string;
  /** Overrides of the externalTrafficPolicy Local check (default {@link GKE_LOCAL_HEALTH_CHECK}). */
  readonly localHealthCheck?: Partial<HealthCheckSettings>;
  /** Overrides of the shared Cluster-policy check (default {@link GKE_SHARED_HEALTH_CHECK}). */
  readonly clusterHealthCheck?: Partial<HealthCheckSettings>;
  /** kube-proxy's health port the Cluster-policy check probes (default 10256). */
  readonly healthzPort?: number;
  /** A flow with no packet for this long is forgotten (default 600 s, GCP's TCP idle timeout). */
  readonly flowIdleTimeoutNs?: number;
}

/** One node behind a Service, as the LB sees it. */
export interface LbBackendState {
  readonly node: string;
  readonly ip: string;
  readonly healthy: boolean;
  /** The last probe's result: "200", "503", "timeout", "refused", "reset", "unreachable", "malformed"; "" before any. */
  readonly lastResult: string;
  /** When the last probe finished (ns), or null before any. */
  readonly lastCheckedAt: number | null;
  readonly consecutivePasses: number;
  readonly consecutiveFailures: number;
  /** New flows the LB sent to this node for this Service. */
  readonly flows: number;
}

/** One Service the LB fronts. */
export interface LbServiceState {
  readonly namespace: string;
  readonly name: string;
  readonly vips: readonly string[];
  /** "tcp/80", "udp/53": the forwarding rules' protocols and ports. */
  readonly ports: readonly string[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** What the health check probes. */
  readonly healthCheck: { readonly port: number; readonly path: string; readonly settings: HealthCheckSettings };
  readonly backends: readonly LbBackendState[];
  /** No node is healthy: new flows go to every node. */
  readonly failOpen: boolean;
}

/** Per-node health as one health check sees it. */
interface NodeHealth {
  healthy: boolean;
  lastResult: string;
  lastCheckedAt: number | null;
  passes: number;
  failures: number;
  probing: boolean;
}

/** A health check (GCP HealthCheck resource): one port and path, probed on every node. */
class HealthCheck {
  readonly nodes = new Map<string, NodeHealth>();
  private timer: EventHandle | null = null;
  private readonly probes = new Set<TcpConnection>();
  users = 0;

  constructor(
    private readonly lb: CloudLoadBalancer,
    readonly port: number,
    readonly path: string,
    readonly settings: HealthCheckSettings,
    readonly label: string,
  ) {}

  health(node: string): NodeHealth {
    let h = this.nodes.get(node);
    if (!h) this.nodes.set(node, (h = { healthy: false, lastResult: '', lastCheckedAt: null, passes: 0, failures: 0, probing: false }));
    return h;
  }

  /** Runs a round now and schedules the next ones. */
  start(): void {
    if (this.timer !== null) return;
    this.round();
  }

  stop(): void {
    if (this.timer !== null) this.lb.host.net.sim.cancel(this.timer);
    this.timer = null;
    for (const c of [...this.probes]) c.abort();
    this.probes.clear();
  }

  private round(): void {
    this.timer = this.lb.host.net.sim.after(this.settings.intervalNs, () => this.round());
    for (const n of this.lb.cluster.nodes.values()) {
      const h = this.health(n.name);
      if (!h.probing) this.probe(n, h);
    }
  }

  private probe(node: ClusterNode, h: NodeHealth): void {
    const host = this.lb.host;
    const sim = host.net.sim;
    h.probing = true;
    let buf = new Uint8Array(0);
    let done = false;
    let conn: TcpConnection | null = null;
    const finish = (result: string): void => {
      if (done) return;
      done = true;
      sim.cancel(timer);
      h.probing = false;
      if (conn) {
        this.probes.delete(conn);
        conn.callbacks = { onPeerClose: (x) => x.close() };
        if (conn.state === 'SYN_SENT' || conn.state === 'SYN_RECEIVED') conn.abort();
        else if (conn.state !== 'CLOSED' && conn.state !== 'TIME_WAIT') conn.close();
      }
      this.result(node, h, result);
    };
    const timer = sim.after(this.settings.timeoutNs, () => finish('timeout'));
    const target = `${formatIpv4(node.ip)}:${this.port}`;
    conn = host.tcp.connect(node.ip, this.port, {
      onConnect: (c) => c.send(new TextEncoder().encode(`GET ${this.path} HTTP/1.1\r\nHost: ${target}\r\nUser-Agent: GoogleHC/1.0\r\nConnection: close\r\n\r\n`)),
      onData: (_c, data) => {
        const next = new Uint8Array(buf.length + data.length);
        next.set(buf);
        next.set(data, buf.length);
        buf = next;
        const r = parseHttpResponse(buf);
        if (r.ok) finish(String(r.repr.status));
        else if (r.error !== 'incomplete') finish('malformed');
      },
      onPeerClose: (c) => {
        const r = parseHttpResponse(buf, 0, buf.length, { eof: true });
        finish(r.ok ? String(r.repr.status) : 'malformed');
        c.close();
      },
      onError: (_c, err) => finish(err),
    });
    this.probes.add(conn);
  }

  private result(node: ClusterNode, h: NodeHealth, result: string): void {
    const s = this.settings;
    const pass = result === '200';
    h.lastResult = result;
    h.lastCheckedAt = this.lb.host.now;
    if (pass) {
      h.passes++;
      h.failures = 0;
    } else {
      h.failures++;
      h.passes = 0;
    }
    const was = h.healthy;
    if (!h.healthy && pass && h.passes >= s.healthyThreshold) h.healthy = true;
    else if (h.healthy && !pass && h.failures >= s.unhealthyThreshold) h.healthy = false;
    const change = was !== h.healthy ? ` — ${node.name} is now ${h.healthy ? 'HEALTHY' : `UNHEALTHY (${h.failures} consecutive failures)`}` : '';
    appNote(this.lb.host, 0, `${this.lb.name} health check ${this.label}: GET http://${formatIpv4(node.ip)}:${this.port}${this.path} → ${result}${change}`);
  }
}

/** A Service the LB fronts. */
interface Fronted {
  readonly namespace: string;
  readonly name: string;
  readonly vips: readonly number[];
  readonly ports: readonly string[];
  readonly policy: 'Cluster' | 'Local';
  readonly check: HealthCheck;
  readonly flows: Map<string, number>;
}

/** A remembered flow: its node and when it last carried a packet. */
interface Flow {
  node: string;
  lastSeen: number;
}

const PROTO_NAMES: Readonly<Record<number, string>> = { [IP_PROTO.TCP]: 'tcp', [IP_PROTO.UDP]: 'udp', 132: 'sctp' };

/** FNV-1a over 32-bit words, for the rendezvous hash. */
function fnv(words: readonly number[], text: string): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (const w of words) for (let i = 0; i < 4; i++) mix(w >>> (8 * i));
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
  return h >>> 0;
}

/** The cloud's passthrough load balancer on the node network (see the module comment). */
export class CloudLoadBalancer implements ForwardPolicy, PacketFilter {
  readonly host: Host;
  /** Its node-network address. */
  readonly ip: number;
  readonly pool: Cidr;
  readonly name: string;
  private readonly nic: Device;
  private readonly services = new Map<string, Fronted>();
  /** "proto vip:port" → the Service it belongs to. */
  private readonly rules = new Map<string, Fronted>();
  private readonly vips = new Set<number>();
  private readonly checks = new Map<string, HealthCheck>();
  private readonly flowTable = new Map<string, Flow>();
  private readonly salt: number;
  private running = false;
  private newFlows = 0;

  constructor(
    readonly cluster: ClusterNetwork,
    readonly opts: CloudLoadBalancerOptions,
  ) {
    this.name = opts.name ?? 'cloud-lb';
    const nodeCidr = cluster.opts.nodeCIDR;
    const ext = cluster.addExternal(this.name, opts.ip ?? formatIpv4(nodeCidr.at(nodeCidr.size - 2)));
    this.host = ext.host;
    this.nic = ext.nic;
    this.ip = ext.ip;
    this.pool = Cidr.of(opts.ipPool);
    this.host.ipForward = true;
    this.host.forwardPolicy = this;
    this.host.netfilter = this;
    this.salt = this.host.net.sim.rng.stream(`cloud-lb/${this.name}/hash`).nextUint32();
    cluster.addExternalRoute(this.pool, this.ip);
  }

  /** Takes the current Services: forwarding rules and health checks follow the LoadBalancer ones. */
  update(services: readonly Service[]): void {
    const before = new Map(this.services);
    this.services.clear();
    this.rules.clear();
    this.vips.clear();
    for (const svc of services) {
      if (svc.spec.type !== 'LoadBalancer') continue;
      const vips: number[] = [];
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ipMode === 'Proxy' || !ing.ip) continue;
        const ip = parseIpv4(ing.ip.trim());
        if (ip !== null && !vips.includes(ip)) vips.push(ip);
      }
      if (vips.length === 0) continue;
      const namespace = namespaceOf(svc.metadata);
      const key = `${namespace}/${svc.metadata.name}`;
      const local = svc.spec.externalTrafficPolicy === 'Local' && (svc.spec.healthCheckNodePort ?? 0) > 0;
      const check = local ? this.healthCheck(svc.spec.healthCheckNodePort!, key, 'Local') : this.healthCheck(this.opts.healthzPort ?? KUBE_PROXY_HEALTHZ_PORT, 'kube-proxy', 'Cluster');
      const ports = (svc.spec.ports ?? []).map((p) => `${(p.protocol ?? 'TCP').toLowerCase()}/${p.port}`);
      const f: Fronted = { namespace, name: svc.metadata.name, vips, ports, policy: local ? 'Local' : 'Cluster', check, flows: before.get(key)?.flows ?? new Map() };
      this.services.set(key, f);
      for (const vip of vips) {
        this.vips.add(vip);
        for (const p of ports) {
          const [proto, port] = p.split('/');
          this.rules.set(`${proto} ${vip}:${port}`, f);
        }
      }
    }
    // Health checks no Service uses any more are deleted; new ones start probing.
    for (const [key, hc] of this.checks) {
      hc.users = [...this.services.values()].filter((s) => s.check === hc).length;
      if (hc.users === 0) {
        hc.stop();
        this.checks.delete(key);
      } else if (this.running) hc.start();
    }
  }

  private healthCheck(port: number, label: string, policy: 'Local' | 'Cluster'): HealthCheck {
    const key = `${port}/healthz`;
    let hc = this.checks.get(key);
    if (!hc) {
      const settings = policy === 'Local' ? { ...GKE_LOCAL_HEALTH_CHECK, ...this.opts.localHealthCheck } : { ...GKE_SHARED_HEALTH_CHECK, ...this.opts.clusterHealthCheck };
      hc = new HealthCheck(this, port, '/healthz', settings, label);
      this.checks.set(key, hc);
    }
    return hc;
  }

  /** Starts health checking: the first round runs now. */
  start(): this {
    this.running = true;
    for (const hc of this.checks.values()) hc.start();
    return this;
  }

  /** Stops health checking (no more timers: the simulation can go idle). Forwarding goes on with the last known health. */
  stop(): void {
    this.running = false;
    for (const hc of this.checks.values()) hc.stop();
  }

  /** Every fronted Service with its backends, in Service order. */
  state(): LbServiceState[] {
    return [...this.services.values()].map((f) => {
      const backends = [...this.cluster.nodes.values()].map((n): LbBackendState => {
        const h = f.check.health(n.name);
        return { node: n.name, ip: formatIpv4(n.ip), healthy: h.healthy, lastResult: h.lastResult, lastCheckedAt: h.lastCheckedAt, consecutivePasses: h.passes, consecutiveFailures: h.failures, flows: f.flows.get(n.name) ?? 0 };
      });
      return {
        namespace: f.namespace,
        name: f.name,
        vips: f.vips.map(formatIpv4),
        ports: f.ports,
        externalTrafficPolicy: f.policy,
        healthCheck: { port: f.check.port, path: f.check.path, settings: f.check.settings },
        backends,
        failOpen: !backends.some((b) => b.healthy),
      };
    });
  }

  // ---- PacketFilter: drop what no forwarding rule covers -------------------------------------

  /** Drops, before routing, packets to the pool (assigned or not) that match no forwarding rule. */
  evaluateHook(hook: Hook, pkt: NfPacket, _env: NfEnv, out: TraverseResult, recordPath: boolean, _natAllowed: boolean): void {
    resetTraverseResult(out);
    if (hook !== Hook.PREROUTING || (!this.vips.has(pkt.dst) && !this.pool.contains(pkt.dst))) return;
    const proto = PROTO_NAMES[pkt.proto];
    if (proto && this.rules.has(`${proto} ${pkt.dst}:${pkt.dport}`)) return;
    out.verdict = Verdict.DROP;
    out.rulesEvaluated = 1;
    if (recordPath) {
      const what = proto ? `${formatIpv4(pkt.dst)}:${pkt.dport}/${proto}` : `${formatIpv4(pkt.dst)} protocol ${pkt.proto}`;
      out.path.push({ table: 'cloud-lb', chain: 'forwarding-rules', index: 1, text: `${this.name}: no forwarding rule for ${what}` });
    }
  }

  // ---- ForwardPolicy: the per-flow backend choice ----------------------------------------------

  /** Next hop for a packet to an LB IP: the flow's node (unchanged packet, node IP as gateway). */
  route(host: Host, pkt: Packet, dst: number): Route | null {
    const b = pkt.buf;
    const ip = HEADROOM;
    const protoNum = b[ip + IPV4.PROTO]!;
    const proto = PROTO_NAMES[protoNum];
    if (!proto) return null;
    const l4 = ip + ipv4HeaderLen(b, ip);
    const dport = readU16(b, l4 + 2);
    const f = this.rules.get(`${proto} ${dst}:${dport}`);
    if (!f) return null;
    const src = readU32(b, ip + IPV4.SRC);
    const sport = readU16(b, l4);
    const key = `${proto} ${formatIpv4(src)}:${sport} > ${formatIpv4(dst)}:${dport}`;
    const now = host.now;
    const syn = protoNum === IP_PROTO.TCP && (b[l4 + 13]! & 0x12) === 0x02;
    let flow = this.flowTable.get(key);
    if (flow && (syn || now - flow.lastSeen > (this.opts.flowIdleTimeoutNs ?? 600 * SECOND) || !this.cluster.nodes.has(flow.node))) flow = undefined;
    if (!flow) {
      const pick = this.pick(f, [src, sport, dst, dport, protoNum]);
      if (!pick) return null;
      flow = { node: pick.node.name, lastSeen: now };
      if (++this.newFlows % 4096 === 0) this.sweep(now);
      this.flowTable.set(key, flow);
      f.flows.set(pick.node.name, (f.flows.get(pick.node.name) ?? 0) + 1);
      appNote(host, pkt.uid, `${this.name}: new flow ${key} (${f.namespace}/${f.name}) → ${pick.node.name} ${formatIpv4(pick.node.ip)} ${pick.why}`, pkt.flow);
    }
    flow.lastSeen = now;
    const node = this.cluster.nodes.get(flow.node)!;
    return { dst: new Cidr(dst, 32), gateway: node.ip, dev: this.nic, src: this.ip };
  }

  /** Forgets idle flows (run now and then, so the table does not grow without bound). */
  private sweep(now: number): void {
    const idle = this.opts.flowIdleTimeoutNs ?? 600 * SECOND;
    for (const [k, f] of this.flowTable) if (now - f.lastSeen > idle) this.flowTable.delete(k);
  }

  /** Rendezvous hashing of the 5-tuple over the healthy nodes (all nodes when none is healthy). */
  private pick(f: Fronted, tuple: readonly number[]): { node: ClusterNode; why: string } | null {
    const all = [...this.cluster.nodes.values()];
    const healthy = all.filter((n) => f.check.health(n.name).healthy);
    const candidates = healthy.length > 0 ? healthy : all;
    let best: ClusterNode | null = null;
    let bestScore = -1;
    for (const n of candidates) {
      const score = fnv([this.salt, ...tuple], n.name);
      if (score > bestScore || (score === bestScore && best !== null && n.name < best.name)) {
        best = n;
        bestScore = score;
      }
    }
    if (!best) return null;
    const why = healthy.length > 0 ? `(healthy: ${healthy.map((n) => n.name).join(', ')})` : `(no healthy node: failing open to all ${all.length})`;
    return { node: best, why };
  }
}
