/**
 * Traffic: drives each traffic item of a scenario through real programs on its source host —
 * curl-like HTTP, TCP and UDP clients, the pod's stub resolver, ping — and records what each
 * repeat saw. Every repeat carries its own flow tag, so its packets (DNS lookups included) can
 * be picked out of the trace afterwards.
 */
import type { Host } from '../dataplane/host.ts';
import { formatIpv4, parseIpv4 } from '../wire/addr.ts';
import { DNS_TYPE, dnsRcodeName, formatDnsRdata, type DnsRecord } from '../wire/dns.ts';
import { httpGet } from '../apps/http-client.ts';
import { resolve, type ResolvConf } from '../apps/stub-resolver.ts';
import { ping } from '../apps/ping.ts';
import { namespaceOf, type Pod } from '../k8s/model/index.ts';
import type { World } from './world.ts';
import type { HostTarget, PingAction, TrafficItem } from './model.ts';
import { formatRef } from './model.ts';

/** What one repeat of a traffic item saw (client side; the server side is filled from the trace). */
export interface RepeatResult {
  index: number;
  flow: number;
  /** The host the repeat ran on (pod key, node or client name). */
  source: string;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  status?: number;
  body?: string;
  refused?: boolean;
  timeout?: boolean;
  error?: string;
  /** The client socket, "ip:port". */
  local?: string;
  /** Where the client sent it (before any DNAT), "ip:port". */
  remote?: string;
  rcode?: string;
  answers?: string[];
  records?: { name: string; ttl: number; type: string; data: string }[];
  /** DNS queries put on the wire for this repeat ("name TYPE"). */
  queries?: string[];
  /** Filled from the trace and the servers after the run. */
  servedBy?: string;
  serverLocal?: string;
  clientSeen?: string;
  conntrack?: { node: string; orig: string; reply: string }[];
  hops?: string[];
  dnat?: { node: string; before: string; after: string }[];
  /** Called once when the repeat finishes (not serialised). */
  done?: () => void;
}

/** A traffic item's results. */
export interface TrafficResult {
  name: string;
  kind: TrafficItem['kind'];
  from: string;
  target: string;
  repeats: RepeatResult[];
}

const DEFAULT_TIMEOUT = 5_000_000_000;
const TCP_IDLE = 1_000_000_000;

/** A host able to send for a `from:` reference, with its resolver. */
interface Source {
  name: string;
  host: Host;
  resolv: ResolvConf;
}

/** Picks the source host of repeat `i` (deployments and the like rotate over their ready pods). */
function sourceFor(world: World, item: TrafficItem, i: number): Source | string {
  const ref = item.from;
  const ns = ref.namespace ?? 'default';
  switch (ref.kind) {
    case 'pod': {
      const rt = world.pods.get(`${ns}/${ref.name}`);
      return rt ? { name: rt.key, host: rt.net.host, resolv: rt.resolv } : `pod ${ns}/${ref.name} is not running`;
    }
    case 'node': {
      const n = world.cluster.nodes.get(ref.name);
      return n ? { name: `node/${n.name}`, host: n.host, resolv: world.externalResolv } : `no node ${ref.name}`;
    }
    case 'client': {
      const e = world.cluster.externals.get(ref.name);
      return e ? { name: `client/${e.name}`, host: e.host, resolv: world.externalResolv } : `no client ${ref.name}`;
    }
    default: {
      const owned = world.current.pods
        .filter((p) => namespaceOf(p.metadata) === ns && ownedBy(p, ref.kind, ref.name) && world.pods.has(`${ns}/${p.metadata.name}`))
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      if (owned.length === 0) return `${formatRef(ref)} has no running pods`;
      const rt = world.pods.get(`${ns}/${owned[i % owned.length]!.metadata.name}`)!;
      return { name: rt.key, host: rt.net.host, resolv: rt.resolv };
    }
  }
}

function ownedBy(p: Pod, kind: string, name: string): boolean {
  const owners = p.metadata.ownerReferences ?? [];
  if (kind === 'deployment') return owners.some((o) => o.kind === 'ReplicaSet' && o.name.startsWith(`${name}-`) && o.name.slice(name.length + 1).indexOf('-') < 0);
  if (kind === 'statefulset') return owners.some((o) => o.kind === 'StatefulSet' && o.name === name);
  if (kind === 'daemonset') return owners.some((o) => o.kind === 'DaemonSet' && o.name === name);
  return false;
}

/** The address a target names, or an error text; names are left to the resolver (null). */
function targetAddress(world: World, t: HostTarget): number | null | string {
  if (t.kind === 'ip') return parseIpv4(t.ip) ?? `not an IPv4 address: ${t.ip}`;
  if (t.kind === 'name') return parseIpv4(t.name) ?? null;
  const ns = t.service.namespace ?? 'default';
  const svc = world.service(ns, t.service.name);
  if (!svc) return `no Service ${ns}/${t.service.name}`;
  const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
  if (!ip) return `Service ${ns}/${t.service.name} has no load-balancer address (is it type LoadBalancer, with a cloud ipPool?)`;
  return parseIpv4(ip) ?? `bad load-balancer address ${ip}`;
}

function targetText(item: TrafficItem): string {
  switch (item.kind) {
    case 'http':
      return item.http.url;
    case 'tcp':
      return `tcp ${hostTargetText(item.tcp.target)}:${item.tcp.port}`;
    case 'udp':
      return `udp ${hostTargetText(item.udp.target)}:${item.udp.port}`;
    case 'dns':
      return `dns ${item.dns.name} ${item.dns.type}`;
    case 'ping':
      return `ping ${hostTargetText(item.ping.target)}`;
  }
}

function hostTargetText(t: HostTarget): string {
  return t.kind === 'ip' ? t.ip : t.kind === 'name' ? t.name : `service:${t.service.namespace ? `${t.service.namespace}/` : ''}${t.service.name}`;
}

/** Formats a record as the answers list shows it (A: the address; SRV: "prio weight port target"; …). */
export function recordData(r: DnsRecord): string {
  return formatDnsRdata(r.data);
}

/** Schedules every traffic item; returns the result holders filled as the simulation runs. */
export function scheduleTraffic(world: World, onRepeatDone: () => void = () => {}): TrafficResult[] {
  const results: TrafficResult[] = [];
  let nextFlow = 1;
  for (const item of world.scenario.spec.traffic) {
    const res: TrafficResult = { name: item.name, kind: item.kind, from: formatRef(item.from), target: targetText(item), repeats: [] };
    results.push(res);
    for (let i = 0; i < item.repeat; i++) {
      const flow = nextFlow++;
      const at = item.at + i * (item.interval ?? 0);
      const rep: RepeatResult = { index: i, flow, source: '', startedAt: at, finishedAt: -1, ok: false, done: onRepeatDone };
      res.repeats.push(rep);
      world.sim.at(Math.max(at, world.sim.now), () => startRepeat(world, item, rep));
    }
  }
  return results;
}

function finish(world: World, rep: RepeatResult): void {
  if (rep.finishedAt >= 0) return;
  rep.finishedAt = world.sim.now;
  rep.done?.();
}

function startRepeat(world: World, item: TrafficItem, rep: RepeatResult): void {
  const src = sourceFor(world, item, rep.index);
  if (typeof src === 'string') {
    rep.error = src;
    finish(world, rep);
    return;
  }
  rep.source = src.name;
  const timeout = item.timeout ?? DEFAULT_TIMEOUT;
  const flow = rep.flow;
  switch (item.kind) {
    case 'http': {
      const a = item.http;
      const addr = targetAddress(world, a.target);
      if (typeof addr === 'string') return fail(world, rep, addr);
      const hostName = a.target.kind === 'name' ? a.target.name : addr !== null ? formatIpv4(addr) : '';
      const hostHeader = a.host ?? (a.port === 80 ? hostName : `${hostName}:${a.port}`);
      const opts =
        addr === null
          ? { url: `http://${hostName}:${a.port}${a.path}`, resolver: src.resolv, hostHeader: a.host, method: a.method, timeoutNs: timeout, flow }
          : { target: { ip: addr, port: a.port, path: a.path, hostHeader }, method: a.method, timeoutNs: timeout, flow };
      httpGet(src.host, opts, (r) => {
        rep.ok = r.ok;
        rep.local = r.local;
        rep.remote = r.remote;
        if (r.ok) {
          rep.status = r.status;
          rep.body = r.body;
        }
        if (r.error === 'refused') rep.refused = true;
        if (r.error === 'timeout') rep.timeout = true;
        if (r.error) rep.error = r.errorText || r.error;
        if (r.resolution) rep.queries = r.resolution.queries.map((q) => `${q.name} ${dnsTypeText(q.type)}`);
        finish(world, rep);
      });
      return;
    }
    case 'dns': {
      const type = DNS_TYPE[item.dns.type as keyof typeof DNS_TYPE] ?? DNS_TYPE.A;
      resolve(
        src.host,
        src.resolv,
        item.dns.name,
        type,
        (r) => {
          rep.ok = r.ok;
          rep.rcode = r.rcode >= 0 ? dnsRcodeName(r.rcode) : r.status;
          if (r.status === 'timeout') rep.timeout = true;
          rep.answers = r.answers.filter((x) => x.type === type || item.dns.type === 'ANY').map(recordData);
          rep.records = r.answers.map((x) => ({ name: x.name, ttl: x.ttl, type: dnsTypeText(x.type), data: recordData(x) }));
          rep.queries = r.queries.map((q) => `${q.name} ${dnsTypeText(q.type)}`);
          const first = r.log.find((l) => l.event === 'query');
          if (first) rep.local = `${formatIpv4(src.host.sourceFor(first.server))}:${first.localPort}`;
          finish(world, rep);
        },
        { flow },
      );
      return;
    }
    case 'ping': {
      const addr = targetAddress(world, item.ping.target);
      if (addr === null) return withResolved(world, src, item.ping.target, flow, rep, (ip) => runPing(world, src, ip, item.ping, rep));
      if (typeof addr === 'string') return fail(world, rep, addr);
      runPing(world, src, addr, item.ping, rep);
      return;
    }
    case 'tcp': {
      const t = item.tcp;
      const addr = targetAddress(world, t.target);
      if (addr === null) return withResolved(world, src, t.target, flow, rep, (ip) => runTcp(world, src, ip, t.port, t.send, timeout, rep));
      if (typeof addr === 'string') return fail(world, rep, addr);
      runTcp(world, src, addr, t.port, t.send, timeout, rep);
      return;
    }
    case 'udp': {
      const u = item.udp;
      const addr = targetAddress(world, u.target);
      if (addr === null) return withResolved(world, src, u.target, flow, rep, (ip) => runUdp(world, src, ip, u.port, u.send, timeout, rep));
      if (typeof addr === 'string') return fail(world, rep, addr);
      runUdp(world, src, addr, u.port, u.send, timeout, rep);
      return;
    }
  }
}

function dnsTypeText(t: number): string {
  for (const [k, v] of Object.entries(DNS_TYPE)) if (v === t) return k;
  return `TYPE${t}`;
}

function fail(world: World, rep: RepeatResult, why: string): void {
  rep.error = why;
  finish(world, rep);
}

/** Resolves a hostname target through the source's resolver, then continues. */
function withResolved(world: World, src: Source, t: HostTarget, flow: number, rep: RepeatResult, then: (ip: number) => void): void {
  const name = t.kind === 'name' ? t.name : '';
  resolve(
    src.host,
    src.resolv,
    name,
    'getaddrinfo',
    (r) => {
      rep.queries = r.queries.map((q) => `${q.name} ${dnsTypeText(q.type)}`);
      if (!r.ok || r.addresses.length === 0) return fail(world, rep, `could not resolve ${name} (${r.status})`);
      then(r.addresses[0]!);
    },
    { flow },
  );
}

function runPing(world: World, src: Source, dst: number, action: PingAction, rep: RepeatResult): void {
  rep.remote = formatIpv4(dst);
  const opts = { count: action.count, flow: rep.flow, waitNs: 2_000_000_000, ...(action.interval !== undefined ? { intervalNs: action.interval } : {}) };
  ping(src.host, dst, opts, (r) => {
    rep.ok = r.received > 0;
    if (!rep.ok) {
      rep.timeout = r.errors.length === 0;
      if (r.errors.length) rep.error = r.errors[0]!.text;
      else rep.error = `${r.transmitted} packets transmitted, 0 received`;
    }
    rep.body = `${r.transmitted} transmitted, ${r.received} received`;
    finish(world, rep);
  });
}

function runTcp(world: World, src: Source, dst: number, port: number, send: string | undefined, timeout: number, rep: RepeatResult): void {
  const sim = world.sim;
  let done = false;
  let body = '';
  let idle: number | null = null;
  const dec = new TextDecoder();
  const end = (fn: () => void) => {
    if (done) return;
    done = true;
    sim.cancel(guard);
    if (idle !== null) sim.cancel(idle);
    fn();
    finish(world, rep);
  };
  rep.remote = `${formatIpv4(dst)}:${port}`;
  const conn = src.host.tcp.connect(
    dst,
    port,
    {
      onConnect(c) {
        rep.local = `${formatIpv4(c.localIp)}:${c.localPort}`;
        if (send === undefined) {
          c.close();
          end(() => (rep.ok = true));
          return;
        }
        c.send(new TextEncoder().encode(send));
        idle = sim.after(TCP_IDLE, () => {
          c.close();
          end(() => ((rep.ok = true), (rep.body = body)));
        });
      },
      onData(_c, d) {
        body += dec.decode(d);
      },
      onPeerClose(c) {
        c.close();
        end(() => ((rep.ok = true), (rep.body = body)));
      },
      onError(_c, err) {
        end(() => {
          if (err === 'refused') rep.refused = true;
          if (err === 'timeout') rep.timeout = true;
          rep.error = err === 'refused' ? 'Connection refused' : err === 'timeout' ? 'Connection timed out' : err;
        });
      },
    },
    0,
    rep.flow,
  );
  const guard = sim.after(timeout, () =>
    end(() => {
      conn.abort();
      rep.timeout = true;
      rep.error = `no answer within ${timeout / 1e9}s`;
    }),
  );
}

function runUdp(world: World, src: Source, dst: number, port: number, send: string, timeout: number, rep: RepeatResult): void {
  const sim = world.sim;
  const host = src.host;
  let done = false;
  const payload = new TextEncoder().encode(send);
  const end = (fn: () => void) => {
    if (done) return;
    done = true;
    sim.cancel(guard);
    host.unbindUdp(sport);
    fn();
    finish(world, rep);
  };
  const sport = host.bindUdpEphemeral({
    onDatagram(_h, pkt, s, sp, _d, _dp, off, len) {
      const text = new TextDecoder().decode(pkt.buf.subarray(off, off + len));
      end(() => {
        rep.ok = true;
        rep.body = text;
        rep.remote = rep.remote ?? `${formatIpv4(s)}:${sp}`;
      });
      return false;
    },
    onIcmpError(_h, type, code) {
      end(() => {
        if (type === 3 && code === 3) rep.refused = true;
        rep.error = type === 3 && code === 3 ? 'ICMP port unreachable' : `ICMP type ${type} code ${code}`;
      });
    },
  });
  rep.local = `${formatIpv4(host.sourceFor(dst))}:${sport}`;
  rep.remote = `${formatIpv4(dst)}:${port}`;
  host.sendUdp(0, sport, dst, port, payload.length, (b, o) => b.set(payload, o), rep.flow);
  const guard = sim.after(timeout, () => end(() => ((rep.timeout = true), (rep.error = `no reply within ${timeout / 1e9}s`))));
}
