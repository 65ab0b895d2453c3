/**
 * `kubewire bench`: the star-echo workload run by our engine and, in the same command, by the
 * ns-3 peer (shared/docs/performance.md), printed side by side with the ratio. `--json` prints
 * one JSON object per workload.
 */
import { runStar, type StarResult } from '../../engine/workloads/star-echo.ts';
import { kubeNodeFilter } from '../../engine/workloads/filters.ts';
import { runNs3Peer, type Ns3PeerResult } from './peer-ns3.ts';

export interface BenchOptions {
  json: boolean;
  packets: number;
  k: number;
  servers: number;
  peer: boolean;
  repeats: number;
}

/** One workload's figures, as `--json` prints them. */
export interface BenchReport {
  workload: string;
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

/** Parses bench flags; throws with a usage message on junk. */
export function parseBenchArgs(args: string[]): BenchOptions {
  const o: BenchOptions = { json: false, packets: 1_000_000, k: 16, servers: 0, peer: true, repeats: 1 };
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
      case '--packets': o.packets = val(); break;
      case '--k': o.k = val(); break;
      case '--servers': o.servers = val(); break;
      case '--repeats': o.repeats = Math.max(1, val()); break;
      case '--no-peer': o.peer = false; break;
      default: throw new Error(`unknown bench option ${a} (options: --json --packets N --k K --servers S --repeats R --no-peer)`);
    }
  }
  return o;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs the star workload (best of `repeats` by median time) and its peer; returns the report. */
export async function benchStar(o: BenchOptions, log: (s: string) => void): Promise<BenchReport> {
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
  const report: BenchReport = {
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

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}

/** Human-readable lines for a report. */
export function formatBench(r: BenchReport): string {
  const mb = (b: number | null | undefined) => (b == null ? 'n/a' : `${(b / 1048576).toFixed(0)} MB`);
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
