import { describe, expect, it } from 'vitest';
import { buildStar } from './testing/topology.ts';
import { ping, type PingResult } from './ping.ts';
import { ipv4 } from '../wire/addr.ts';

function run(fn: (done: (r: PingResult) => void) => void, sim: { run(): unknown }): PingResult[] {
  const out: PingResult[] = [];
  fn((r) => out.push(r));
  sim.run();
  return out;
}

describe('ping', () => {
  it('reports each reply with RTT and TTL (one router hop: 63)', () => {
    const w = buildStar({ a: '10.0.1.10', b: '10.0.2.20' }, { delayNs: 10_000 });
    const [r] = run((done) => ping(w.hosts.a!, ipv4('10.0.2.20'), { count: 3, intervalNs: 1e9 }, done), w.sim);
    expect([r!.transmitted, r!.received, r!.lossPercent, r!.lost]).toEqual([3, 3, 0, []]);
    expect(r!.replies.map((x) => [x.seq, x.ttl, x.from])).toEqual([
      [1, 63, ipv4('10.0.2.20')],
      [2, 63, ipv4('10.0.2.20')],
      [3, 63, ipv4('10.0.2.20')],
    ]);
    // Four link crossings of 10 µs plus serialisation of 98-byte frames at 1 Gbit/s (784 ns each).
    const wire = 4 * (10_000 + 784);
    expect(r!.replies[1]!.rttNs).toBe(wire);
    expect(r!.replies[2]!.rttNs).toBe(wire);
    // The first also waited for ARP on both links.
    expect(r!.replies[0]!.rttNs).toBeGreaterThan(wire);
    expect([r!.minRttNs, r!.maxRttNs]).toEqual([wire, r!.replies[0]!.rttNs]);
    expect(r!.replies[2]!.time - r!.replies[1]!.time).toBe(1e9);
    expect(r!.finishedAt).toBe(r!.replies[2]!.time); // done once all are answered
  });

  it('counts requests without replies as lost after the wait', () => {
    const w = buildStar({ a: '10.0.1.10', b: '10.0.2.20' });
    w.links.b!.loss = 1;
    const [r] = run((done) => ping(w.hosts.a!, ipv4('10.0.2.20'), { count: 2, intervalNs: 5e8, waitNs: 2e9 }, done), w.sim);
    expect([r!.transmitted, r!.received, r!.lost, r!.lossPercent, r!.minRttNs]).toEqual([2, 0, [1, 2], 100, -1]);
    expect(r!.finishedAt - r!.startedAt).toBe(2.5e9);
  });

  it('keeps concurrent pings apart by identifier', () => {
    const w = buildStar({ a: '10.0.1.10', b: '10.0.2.20', c: '10.0.3.30' });
    const rs = run((done) => {
      ping(w.hosts.a!, ipv4('10.0.2.20'), { count: 2, id: 100, intervalNs: 1e6 }, done);
      ping(w.hosts.a!, ipv4('10.0.3.30'), { count: 3, id: 200, intervalNs: 1e6 }, done);
    }, w.sim);
    expect(rs.map((r) => [r.id, r.received, r.replies.every((x) => x.from === r.dst)])).toEqual([
      [100, 2, true],
      [200, 3, true],
    ]);
  });
  it('keeps counting past 65,535 requests: icmp_seq wraps on the wire, every reply is matched', () => {
    const w = buildStar({ a: '10.0.1.10', b: '10.0.2.20' }, { delayNs: 1_000 });
    const count = 150_000;
    const [r] = run((done) => ping(w.hosts.a!, ipv4('10.0.2.20'), { count, intervalNs: 100_000 }, done), w.sim);
    expect([r!.transmitted, r!.received, r!.lost.length, r!.lossPercent]).toEqual([count, count, 0, 0]);
    // Logical sequence numbers keep growing; the one after 65535 went out as 0.
    expect(r!.replies[65_535]!.seq).toBe(65_536);
    expect(r!.replies[count - 1]!.seq).toBe(count);
    expect(r!.minRttNs).toBeGreaterThan(0);
    expect(r!.maxRttNs).toBeGreaterThanOrEqual(r!.minRttNs);
  });
});
