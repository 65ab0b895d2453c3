/**
 * `kubewire bench`: the workloads of docs/performance.md, timed in this process.
 * - star: the star-echo workload run by our engine and, in the same command, by the ns-3 peer
 *   (shared/docs/performance.md), printed side by side with the ratio;
 * - cluster: "cluster-at-limits", a generated cluster at Kubernetes' scalability thresholds
 *   built through the control plane, then HTTP requests by DNS name from random pods.
 * `--json` prints one JSON object per workload, one per line. The engine reads no clock, so the
 * phases are timed here.
 */
import { runStar, type StarResult } from '../../engine/workloads/star-echo.ts';
import { kubeNodeFilter } from '../../engine/workloads/filters.ts';
import { ClusterAtLimits, type ClusterAtLimitsResult } from '../../engine/workloads/cluster-at-limits.ts';
import { TraceRecorder } from '../../engine/trace/recorder.ts';
import { runNs3Peer, type Ns3PeerResult } from './peer-ns3.ts';
import { formatBrowser, type BrowserBenchReport } from './browser.ts';

export type BenchWorkload = 'star' | 'cluster' | 'browser' | 'all';

export interface BenchOptions {
  json: boolean;
  workload: BenchWorkload;
  packets: number;
  k: number;
  servers: number;
  peer: boolean;
  repeats: number;
  /** cluster-at-limits sizes. */
  nodes: number;
  podsPerNode: number;
  services: number;
  requests: number;
  localShare: number;
  /** Record the cluster run's trace (columnar recorder) and report its size. */
  trace: boolean;
  /** browser: the scenario file (default scenarios/large/million-packets.yaml) and step keys to time. */
  scenario?: string;
  steps: number;
}

/** One workload's figures, as `--json` prints them. */
export type BenchReport = StarBenchReport | ClusterBenchReport | BrowserBenchReport;

/** The star workload's figures. */
export interface StarBenchReport {
  workload: 'star';
  packets: number;
  packetHops: number;
  events: number;
  seconds: number;
  packetHopsPerSec: number;
  eventsPerSec: number;
  peakRssBytes: number;
  check: { echoes: number; rttSumNs: number; rttMaxNs: number; queueDrops: number };
  netfilter: string;
  peer: null | {
    name: string;
    available: boolean;
    reason?: string;
    command?: string;
    seconds?: number;
    packetHops?: number;
    events?: number;
    packetHopsPerSec?: number;
    eventsPerSec?: number;
    peakRssBytes?: number | null;
    rttSumNs?: number | null;
    rttMaxNs?: number | null;
    /** Our packet-hops/s over the peer's, from this same run. */
    ratio?: number;
  };
  /** Our packet-hops/s divided by the peer's, from this same run. */
  ratio: number | null;
  /** Whether our run reproduced the peer's delivered packet-hops and RTT sum exactly. */
  matchesPeer: boolean | null;
}

/** Heap and RSS at one point, bytes. */
export interface MemoryFigures {
  heapUsedBytes: number;
  rssBytes: number;
}

/** The cluster-at-limits workload's figures (seconds are wall-clock medians over the repeats). */
export interface ClusterBenchReport {
  workload: 'cluster';
  /** IP packets the hosts originated during the requests (packet-hops count each link they crossed). */
  packets: number;
  packetHops: number;
  events: number;
  /** The request phase: from the first request to the last answer. */
  seconds: number;
  packetHopsPerSec: number;
  eventsPerSec: number;
  peakRssBytes: number;
  /** Generating the objects plus the control plane (API server, controllers, scheduler, IPAM, EndpointSlices). */
  loadSeconds: number;
  generateSeconds: number;
  controllersSeconds: number;
  /** kube-proxy's full sync on one node: the iptables-restore text. */
  renderOneNodeSeconds: number;
  /** iptables-restore of that text into a netfilter, then compiling it for evaluation. */
  rulesLoadSeconds: number;
  /** The network: every node (sharing its ruleset), deferred pods, CoreDNS, the DNS records. */
  worldSeconds: number;
  /** Rules in one node's netfilter (all tables), user chains, and the restore text's lines and bytes. */
  rulesPerNode: number;
  chainsPerNode: number;
  rulesLinesPerNode: number;
  rulesBytesPerNode: number;
  requests: number;
  /** Requests answered 200 by a pod of the Service asked for. */
  ok: number;
  failures: Record<string, number>;
  latencyP50Ns: number;
  latencyP99Ns: number;
  latencyMaxNs: number;
  /** Distinct kube-proxy rulesets among the nodes; rulesets parsed and compiled in full; overlays (own chains and rules). */
  distinctRulesets: number;
  netfilterRulesetsBuilt: number;
  overlays: number;
  overlayChains: number;
  overlayRules: number;
  sharing: string[];
  cluster: {
    nodes: number;
    pods: number;
    services: number;
    endpointSlices: number;
    endpoints: number;
    podsMaterialized: number;
    conntrackEntries: number;
    nodeDependentServicePorts: number;
    /** Packet buffers ever allocated (2 KiB each; the pool's high-water mark). */
    packetBuffers: number;
  };
  memory: { afterLoad: MemoryFigures; afterRun: MemoryFigures };
  /** CPU seconds (user + system, this process) per phase of the last repeat. */
  cpuSeconds: Record<string, number>;
  /** With --trace: the trace of the request phase (memory is everything the recorder allocated). */
  trace?: { events: number; eventsOffered: number; memoryBytes: number; packetBytes: number; bytesPerEvent: number; sampled: string | null };
}

/** Parses bench flags; throws with a usage message on junk. */
export function parseBenchArgs(args: string[]): BenchOptions {
  const o: BenchOptions = {
    json: false,
    workload: 'all',
    packets: 1_000_000,
    k: 16,
    servers: 0,
    peer: true,
    repeats: 1,
    nodes: 5_000,
    podsPerNode: 30,
    services: 10_000,
    requests: 100_000,
    localShare: 0.5,
    trace: false,
    steps: 40,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = (): number => {
      const v = inline ?? args[++i];
      const n = Number(v);
      if (v === undefined || !Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} takes a whole number, got ${v ?? 'nothing'}`);
      return n;
    };
    switch (flag) {
      case '--json': o.json = true; break;
      case '--workload': {
        const v = inline ?? args[++i];
        if (v !== 'star' && v !== 'cluster' && v !== 'browser' && v !== 'all') throw new Error(`--workload takes star, cluster, browser or all, got ${v ?? 'nothing'}`);
        o.workload = v;
        break;
      }
      case '--nodes': o.nodes = Math.max(1, val()); break;
      case '--pods-per-node': o.podsPerNode = Math.max(1, val()); break;
      case '--services': o.services = Math.max(1, val()); break;
      case '--requests': o.requests = val(); break;
      case '--local-share': {
        const v = Number(inline ?? args[++i]);
        if (!(v >= 0 && v <= 1)) throw new Error('--local-share takes a fraction from 0 to 1');
        o.localShare = v;
        break;
      }
      case '--packets': o.packets = val(); break;
      case '--k': o.k = val(); break;
      case '--servers': o.servers = val(); break;
      case '--repeats': o.repeats = Math.max(1, val()); break;
      case '--no-peer': o.peer = false; break;
      case '--trace': o.trace = true; break;
      case '--scenario': {
        const v = inline ?? args[++i];
        if (!v) throw new Error('--scenario takes a scenario file');
        o.scenario = v;
        break;
      }
      case '--steps': o.steps = Math.max(1, val()); break;
      default: throw new Error(`unknown bench option ${a} (options: --workload star|cluster|all --json --packets N --k K --servers S --repeats R --no-peer --nodes N --pods-per-node P --services S --requests R --local-share F --trace --scenario FILE --steps N)`);
    }
  }
  return o;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs the star workload (best of `repeats` by median time) and its peer; returns the report. */
export async function benchStar(o: BenchOptions, log: (s: string) => void): Promise<StarBenchReport> {
  let peer: Ns3PeerResult | null = null;
  if (o.peer) {
    log(`ns-3 peer: star-echo k=${o.k} packets=${o.packets} servers=${o.servers} …`);
    peer = await runNs3Peer({ packets: o.packets, k: o.k, servers: o.servers, log });
  }
  const times: number[] = [];
  let result: StarResult | null = null;
  for (let r = 0; r < o.repeats; r++) {
    log(`kubewire: star-echo run ${r + 1}/${o.repeats} …`);
    const t0 = performance.now();
    result = runStar({ k: o.k, packets: o.packets, servers: o.servers, makeFilter: kubeNodeFilter });
    times.push((performance.now() - t0) / 1000);
  }
  const seconds = median(times);
  const res = result!;
  const report: StarBenchReport = {
    workload: 'star',
    packets: o.packets,
    packetHops: res.packetHops,
    events: res.events,
    seconds: round(seconds, 4),
    packetHopsPerSec: Math.round(res.packetHops / seconds),
    eventsPerSec: Math.round(res.events / seconds),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    check: { echoes: res.echoes, rttSumNs: res.rttSumNs, rttMaxNs: res.rttMaxNs, queueDrops: res.queueDrops },
    netfilter: 'conntrack + kube-proxy node ruleset (built-in jumps + baseline sync, no Services) on every host and the router',
    peer: null,
    ratio: null,
    matchesPeer: null,
  };
  if (peer) {
    if (peer.available) {
      const f = peer.figures;
      report.peer = {
        name: 'ns-3 (Debian libns3-dev)',
        available: true,
        command: peer.command,
        seconds: f.seconds,
        packetHops: f.packetHops,
        events: f.events,
        packetHopsPerSec: Math.round(f.packetHopsPerSecond),
        eventsPerSec: Math.round(f.eventsPerSecond),
        peakRssBytes: f.peakRssMb === null ? null : Math.round(f.peakRssMb * 1024 * 1024),
        rttSumNs: f.rttSumNs,
        rttMaxNs: f.rttMaxNs,
      };
      report.ratio = round(report.packetHopsPerSec / f.packetHopsPerSecond, 2);
      report.peer.ratio = report.ratio;
      report.matchesPeer = f.packetHops === res.packetHops && (f.rttSumNs === null || f.rttSumNs === res.rttSumNs);
    } else {
      report.peer = { name: 'ns-3', available: false, reason: peer.reason };
    }
  }
  return report;
}

function memoryNow(): MemoryFigures {
  const m = process.memoryUsage();
  return { heapUsedBytes: m.heapUsed, rssBytes: m.rss };
}

/**
 * Runs cluster-at-limits `repeats` times (each from scratch), timing each phase; reports the
 * medians and the last run's figures.
 */
export function benchCluster(o: BenchOptions, log: (s: string) => void): ClusterBenchReport {
  const times = new Map<string, number[]>();
  let cpu: Record<string, number> = {};
  let res: ClusterAtLimitsResult | null = null;
  let afterLoad = memoryNow();
  let afterRun = memoryNow();
  let rules = { rules: 0, chains: 0, lines: 0, bytes: 0 };
  let recorder: TraceRecorder | null = null;
  for (let r = 0; r < o.repeats; r++) {
    log(`kubewire: cluster-at-limits run ${r + 1}/${o.repeats}: ${o.nodes} nodes, ${o.nodes * o.podsPerNode} pods, ${o.services} services, ${o.requests} requests …`);
    recorder = o.trace ? new TraceRecorder({ maxBytes: 2 ** 30, maxEvents: 100_000_000 }) : null;
    const w = new ClusterAtLimits({ nodes: o.nodes, podsPerNode: o.podsPerNode, services: o.services, requests: o.requests, localTrafficShare: o.localShare, ...(recorder ? { tracer: recorder } : {}) });
    cpu = {};
    const phase = <T>(name: string, f: () => T): T => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = f();
      const s = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      cpu[name] = round((c.user + c.system) / 1e6, 3);
      times.set(name, [...(times.get(name) ?? []), s]);
      const m = process.memoryUsage();
      log(`  ${name.padEnd(11)} ${s.toFixed(2)} s  heap ${(m.heapUsed / 1048576).toFixed(0)} MB  rss ${(m.rss / 1048576).toFixed(0)} MB`);
      return out;
    };
    phase('generate', () => w.generate());
    phase('controllers', () => w.reconcile());
    phase('render', () => w.renderRules());
    rules = phase('rulesLoad', () => w.loadRules());
    phase('world', () => w.buildWorld());
    afterLoad = memoryNow();
    res = phase('run', () => w.run());
    afterRun = memoryNow();
  }
  const t = (name: string): number => round(median(times.get(name) ?? [0]), 3);
  const x = res!;
  const seconds = t('run');
  const sharing = [
    x.distinctRulesets === 1
      ? `all ${x.nodes} nodes have byte-identical kube-proxy rules (no generated Service uses a Local traffic policy), so they share one parsed and compiled netfilter ruleset`
      : `${x.distinctRulesets} distinct kube-proxy rulesets among ${x.nodes} nodes (${x.nodeDependentServicePorts} service ports use node-local endpoints, externalTrafficPolicy Local): nodes with equal rules share one object; ${x.netfilterRulesetsBuilt} ruleset(s) parsed and compiled in full, ${x.overlays} overlay(s) holding only their differing chains (${x.overlayChains} chains, ${x.overlayRules} rules in all, ${(x.overlayRules / Math.max(1, x.overlays)).toFixed(1)} rules per overlay against ${rules.rules} in a full ruleset)`,
    'shared: the rules, their compiled indexes and packet counters (iptables-save -c would show cluster-wide counts); per node: conntrack, routes, ARP, sockets, the random streams of -m statistic',
    `pods are deferred: ${x.podsMaterialized} of ${x.pods} pod network namespaces were made, when traffic first reached them or they sent`,
    'node network: a cloud fabric (pod-subnet routes in the underlay router, ARP answered by the fabric, no conntrack in the fabric)',
  ];
  return {
    workload: 'cluster',
    packets: x.ipPacketsSent,
    packetHops: x.packetHops,
    events: x.events,
    seconds,
    packetHopsPerSec: Math.round(x.packetHops / seconds),
    eventsPerSec: Math.round(x.events / seconds),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    loadSeconds: round(t('generate') + t('controllers'), 3),
    generateSeconds: t('generate'),
    controllersSeconds: t('controllers'),
    renderOneNodeSeconds: t('render'),
    rulesLoadSeconds: t('rulesLoad'),
    worldSeconds: t('world'),
    rulesPerNode: rules.rules,
    chainsPerNode: rules.chains,
    rulesLinesPerNode: rules.lines,
    rulesBytesPerNode: rules.bytes,
    requests: x.requests,
    ok: x.ok,
    failures: { ...x.failures },
    latencyP50Ns: x.latencyP50Ns,
    latencyP99Ns: x.latencyP99Ns,
    latencyMaxNs: x.latencyMaxNs,
    distinctRulesets: x.distinctRulesets,
    netfilterRulesetsBuilt: x.netfilterRulesetsBuilt,
    overlays: x.overlays,
    overlayChains: x.overlayChains,
    overlayRules: x.overlayRules,
    sharing,
    cluster: {
      nodes: x.nodes,
      pods: x.pods,
      services: x.services,
      endpointSlices: x.endpointSlices,
      endpoints: x.endpoints,
      podsMaterialized: x.podsMaterialized,
      conntrackEntries: x.conntrackEntries,
      nodeDependentServicePorts: x.nodeDependentServicePorts,
      packetBuffers: x.packetBuffers,
    },
    memory: { afterLoad, afterRun },
    cpuSeconds: cpu,
    ...(recorder
      ? { trace: ((k) => ({ events: k.eventsKept, eventsOffered: k.eventsOffered, memoryBytes: k.bytes, packetBytes: recorder.bytesUsed, bytesPerEvent: k.bytesPerEvent, sampled: k.complete ? null : k.message }))(recorder.kept()) }
      : {}),
  };
}

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}

/** Human-readable lines for a report. */
export function formatBench(r: BenchReport): string {
  return r.workload === 'star' ? formatStar(r) : r.workload === 'cluster' ? formatCluster(r) : formatBrowser(r);
}

const mb = (b: number | null | undefined) => (b == null ? 'n/a' : `${(b / 1048576).toFixed(0)} MB`);

function formatCluster(r: ClusterBenchReport): string {
  const c = r.cluster;
  const n = (x: number) => x.toLocaleString('en');
  const fails = Object.entries(r.failures).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `workload cluster: ${n(c.nodes)} nodes, ${n(c.pods)} pods, ${n(c.services)} services, ${n(c.endpoints)} endpoints in ${n(c.endpointSlices)} EndpointSlices`,
    `  load      ${r.loadSeconds.toFixed(2)} s (objects ${r.generateSeconds.toFixed(2)} s, controllers ${r.controllersSeconds.toFixed(2)} s); render one node ${r.renderOneNodeSeconds.toFixed(2)} s → ${(r.loadSeconds + r.renderOneNodeSeconds).toFixed(2)} s`,
    `  rules     ${n(r.rulesPerNode)} rules, ${n(r.chainsPerNode)} chains, ${n(r.rulesLinesPerNode)} lines, ${mb(r.rulesBytesPerNode)} of restore text per node; iptables-restore + compile ${r.rulesLoadSeconds.toFixed(2)} s; world ${r.worldSeconds.toFixed(2)} s`,
    `  sharing   ${n(r.distinctRulesets)} distinct ruleset(s): ${r.netfilterRulesetsBuilt} parsed in full, ${n(r.overlays)} overlays (${(r.overlayRules / Math.max(1, r.overlays)).toFixed(1)} rules each); ${n(c.podsMaterialized)} pods made on demand`,
    `  requests  ${n(r.requests)} (${n(r.ok)} ok${fails ? `; ${fails}` : ''}), latency p50 ${(r.latencyP50Ns / 1000).toFixed(1)} µs, p99 ${(r.latencyP99Ns / 1000).toFixed(1)} µs`,
    `  kubewire  ${r.seconds.toFixed(3)} s  ${n(r.packetHopsPerSec)} packet-hops/s  ${n(r.eventsPerSec)} events/s  (${n(r.packetHops)} packet-hops, ${n(r.events)} events)`,
    `  memory    peak RSS ${mb(r.peakRssBytes)}; after load heap ${mb(r.memory.afterLoad.heapUsedBytes)}, after run heap ${mb(r.memory.afterRun.heapUsedBytes)}`,
    ...(r.trace ? [`  trace     ${n(r.trace.events)} events, ${mb(r.trace.memoryBytes)} allocated (${r.trace.bytesPerEvent} B/event; ${mb(r.trace.packetBytes)} of packet copies)${r.trace.sampled ? `; ${r.trace.sampled}` : ''}`] : []),
  ].join('\n');
}

function formatStar(r: StarBenchReport): string {
  const lines = [
    `workload ${r.workload}: ${r.packets.toLocaleString('en')} requests, ${r.packetHops.toLocaleString('en')} packet-hops, ${r.events.toLocaleString('en')} events`,
    `  kubewire  ${r.seconds.toFixed(3)} s  ${r.packetHopsPerSec.toLocaleString('en')} packet-hops/s  ${r.eventsPerSec.toLocaleString('en')} events/s  peak RSS ${mb(r.peakRssBytes)}`,
  ];
  if (r.peer?.available) {
    lines.push(`  ns-3      ${r.peer.seconds!.toFixed(3)} s  ${r.peer.packetHopsPerSec!.toLocaleString('en')} packet-hops/s  ${r.peer.eventsPerSec!.toLocaleString('en')} events/s  peak RSS ${mb(r.peer.peakRssBytes)}`);
    lines.push(`  ratio     ${r.ratio}× ns-3's packet-hops/s; results ${r.matchesPeer ? 'identical to' : 'DIFFER from'} the peer's (hops ${r.packetHops} vs ${r.peer.packetHops}, rtt sum ${r.check.rttSumNs} vs ${r.peer.rttSumNs})`);
  } else if (r.peer) {
    lines.push(`  ns-3      not run: ${r.peer.reason}`);
  }
  lines.push(`  check     echoes ${r.check.echoes}, rtt sum ${r.check.rttSumNs} ns, rtt max ${r.check.rttMaxNs} ns, queue drops ${r.check.queueDrops}`);
  return lines.join('\n');
}
