import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/simulation.ts';
import { Network } from './network.ts';
import { Host } from './host.ts';
import { Link } from './device/link.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { formatIpv4, ipv4 } from '../wire/addr.ts';
import { ping, type PingResult } from '../apps/ping.ts';

/** a (10.0.0.1) ── (10.0.0.2) r1 (10.0.1.1) ── (10.0.1.2) r2 */
function line(seed = 1, loss = 0) {
  const sim = new Simulation(seed);
  const trace = new TraceRecorder();
  const net = new Network(sim, trace);
  const a = new Host(net, 'a');
  const r1 = new Host(net, 'r1');
  const r2 = new Host(net, 'r2');
  r1.ipForward = r2.ipForward = true;
  const a0 = a.nic('eth0'), r10 = r1.nic('eth0'), r11 = r1.nic('eth1'), r20 = r2.nic('eth0');
  new Link(net, a0, r10, { bandwidth: 1e9, delay: 10_000, loss });
  new Link(net, r11, r20, { bandwidth: 1e9, delay: 10_000 });
  a.addAddress(a0, ipv4('10.0.0.1'), 24);
  r1.addAddress(r10, ipv4('10.0.0.2'), 24);
  r1.addAddress(r11, ipv4('10.0.1.1'), 24);
  r2.addAddress(r20, ipv4('10.0.1.2'), 24);
  a.addRoute('0.0.0.0/0', a0, ipv4('10.0.0.2'));
  return { sim, net, trace, a, r1, r2, r11, r20 };
}

function runPing(sim: Simulation, h: Host, dst: string, count = 1): { r: PingResult | null } {
  const out: { r: PingResult | null } = { r: null };
  sim.after(1000, () => ping(h, ipv4(dst), { count, waitNs: 5e9 }, (r) => (out.r = r)));
  return out;
}

describe('IPv4 stack edge cases', () => {
  it('a routing loop ends by TTL: ICMP time exceeded comes back, the drop is traced', () => {
    const w = line();
    // r1 sends 10.9.0.0/16 to r2, and r2 sends it back to r1.
    w.r1.addRoute('10.9.0.0/16', w.r11, ipv4('10.0.1.2'));
    w.r2.addRoute('10.9.0.0/16', w.r20, ipv4('10.0.1.1'));
    w.r2.addRoute('10.0.0.0/24', w.r20, ipv4('10.0.1.1'));
    const p = runPing(w.sim, w.a, '10.9.9.9');
    w.sim.run();
    expect(p.r!.received).toBe(0);
    expect(p.r!.errors.map((e) => `${formatIpv4(e.from)} ${e.text}`)).toEqual(['10.0.1.2 Time to live exceeded']);
    const drops = [...w.trace.events()].filter((e) => e.kind === 'drop' && e.detail?.reason === 'TTL exceeded');
    expect(drops).toHaveLength(1);
    // 64 hops were taken across the r1–r2 link before TTL ran out.
    const hops = [...w.trace.events()].filter((e) => e.kind === 'received' && (e.host === 'r1' || e.host === 'r2')).length;
    expect(hops).toBeGreaterThanOrEqual(63);
  });

  it('ARP that never gets an answer: 3 requests, then host unreachable', () => {
    const w = line();
    const p = runPing(w.sim, w.a, '10.0.0.99');
    w.sim.run();
    const who = [...w.trace.events()].filter((e) => e.kind === 'l2' && e.detail?.text === 'ARP who-has 10.0.0.99 tell 10.0.0.1');
    expect(who).toHaveLength(3);
    expect(p.r!.received).toBe(0);
    expect(p.r!.errors.map((e) => `${formatIpv4(e.from)} ${e.text}`)).toEqual(['10.0.0.1 Destination Host Unreachable']);
    expect([...w.trace.events()].some((e) => e.kind === 'drop' && e.detail?.reason === 'neighbour unreachable (ARP failed)')).toBe(true);
  });

  it('connect() without a route fails at once (ENETUNREACH), sending nothing', () => {
    const w = line();
    let err = '';
    w.sim.after(0, () => w.r2.tcp.connect(ipv4('192.0.2.1'), 80, { onError: (_c, e) => (err = e) }));
    w.sim.run();
    expect(err).toBe('unreachable');
    expect([...w.trace.events()].filter((e) => e.kind === 'sent')).toHaveLength(0);
  });

  it('a closed TCP port answers RST (refused); unlisten closes a port', () => {
    const w = line();
    w.r2.addRoute('10.0.0.0/24', w.r20, ipv4('10.0.1.1'));
    w.r2.tcp.listen(80, () => ({}));
    w.r2.tcp.unlisten(80);
    let err = '';
    w.sim.after(0, () => w.a.tcp.connect(ipv4('10.0.1.2'), 80, { onError: (_c, e) => (err = e) }));
    w.sim.run();
    expect(err).toBe('refused');
  });

  it('TCP retransmits through a lossy link and delivers every byte in order', () => {
    const w = line(3, 0.3);
    w.r2.addRoute('10.0.0.0/24', w.r20, ipv4('10.0.1.1'));
    const data = new Uint8Array(20_000).map((_, i) => i % 251);
    let got = new Uint8Array(0);
    w.r2.tcp.listen(9000, () => ({
      onData(_c, d) {
        const n = new Uint8Array(got.length + d.length);
        n.set(got);
        n.set(d, got.length);
        got = n;
      },
      onPeerClose(c) {
        c.close();
      },
    }));
    let closed = false;
    w.sim.after(0, () =>
      w.a.tcp.connect(ipv4('10.0.1.2'), 9000, {
        onConnect(c) {
          c.send(data);
          c.close();
        },
        onClosed() {
          closed = true;
        },
      }),
    );
    w.sim.run();
    expect(got).toEqual(data);
    expect(closed).toBe(true);
    expect([...w.trace.events()].some((e) => e.kind === 'drop' && e.detail?.reason === 'link loss')).toBe(true);
  });
});
