/**
 * Tiny topologies for the apps tests: hosts on their own /24, each one link away from a
 * router (router .1, host as given), optionally with iptables-restore rules on the router.
 *
 *   a 10.0.1.10 ── eth0 [router 10.0.1.1 | 10.0.2.1 | …] eth1 ── b 10.0.2.20 …
 */
import { Simulation } from '../../sim/simulation.ts';
import { Network } from '../../dataplane/network.ts';
import { Host } from '../../dataplane/host.ts';
import { Link } from '../../dataplane/device/link.ts';
import { Netfilter } from '../../dataplane/netfilter/netfilter.ts';
import type { Tracer } from '../../trace/recorder.ts';
import { ipv4 } from '../../wire/addr.ts';

/** The built world. */
export interface StarWorld {
  readonly sim: Simulation;
  readonly net: Network;
  readonly router: Host;
  readonly hosts: Readonly<Record<string, Host>>;
  /** The link from each host to the router. */
  readonly links: Readonly<Record<string, Link>>;
}

/** Options for {@link buildStar}. */
export interface StarOptions {
  readonly seed?: number;
  readonly tracer?: Tracer;
  /** Propagation delay of every link (default 10 µs) at 1 Gbit/s. */
  readonly delayNs?: number;
  /** iptables-restore text for the router. */
  readonly routerRules?: string;
}

/** Builds a router with one /24 per host: `hosts` maps names to addresses ("10.0.1.10"). */
export function buildStar(hosts: Readonly<Record<string, string>>, opts: StarOptions = {}): StarWorld {
  const sim = new Simulation(opts.seed ?? 1);
  const net = new Network(sim, opts.tracer);
  const router = new Host(net, 'router');
  router.ipForward = true;
  const out: Record<string, Host> = {};
  const links: Record<string, Link> = {};
  let i = 0;
  for (const [name, ipText] of Object.entries(hosts)) {
    const ip = ipv4(ipText);
    const h = new Host(net, name);
    const hd = h.nic('eth0');
    const rd = router.nic(`eth${i++}`);
    links[name] = new Link(net, hd, rd, { bandwidth: 1e9, delay: opts.delayNs ?? 10_000 });
    const gw = ((ip & 0xffffff00) | 1) >>> 0;
    h.addAddress(hd, ip, 24);
    router.addAddress(rd, gw, 24);
    h.addRoute('0.0.0.0/0', hd, gw);
    out[name] = h;
  }
  if (opts.routerRules) {
    const nf = new Netfilter();
    nf.restore(opts.routerRules);
    router.netfilter = nf;
  }
  return { sim, net, router, hosts: out, links };
}

/** A raw TCP client for tests: connects, sends the given chunks with gaps, and collects what comes back. */
export function rawTcp(
  host: Host,
  dst: number,
  port: number,
  chunks: readonly (string | Uint8Array)[],
  opts: { gapNs?: number; closeAfterNs?: number } = {},
): { data: () => Uint8Array; text: () => string; state: { connected: boolean; peerClosed: boolean; error: string; localPort: number } } {
  const enc = new TextEncoder();
  let data = new Uint8Array(0);
  const state = { connected: false, peerClosed: false, error: '', localPort: 0 };
  const c = host.tcp.connect(dst, port, {
    onConnect(conn) {
      state.connected = true;
      state.localPort = conn.localPort;
      chunks.forEach((ch, i) => {
        const bytes = typeof ch === 'string' ? enc.encode(ch) : ch;
        if (i === 0) conn.send(bytes);
        else host.net.sim.after(i * (opts.gapNs ?? 1_000_000), () => conn.send(bytes));
      });
      if (opts.closeAfterNs !== undefined) host.net.sim.after(opts.closeAfterNs, () => conn.close());
    },
    onData(_c, d) {
      const n = new Uint8Array(data.length + d.length);
      n.set(data);
      n.set(d, data.length);
      data = n;
    },
    onPeerClose(conn) {
      state.peerClosed = true;
      conn.close();
    },
    onError(_c, e) {
      state.error = e;
    },
  });
  state.localPort = c.localPort;
  return { data: () => data, text: () => new TextDecoder().decode(data), state };
}
