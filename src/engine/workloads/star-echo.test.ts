import { describe, expect, it } from 'vitest';
import { runStar } from './star-echo.ts';
import { kubeNodeFilter } from './filters.ts';

// shared/docs/performance.md §2.3: every peer must reproduce these exactly.
describe('star-echo v1 reproduces the reference results bit for bit', () => {
  it('P=100k pairs', () => {
    const r = runStar({ packets: 100_000, makeFilter: kubeNodeFilter });
    expect([r.echoes, r.packetHops, r.rttSumNs, r.rttMaxNs]).toEqual([100000, 400000, 4416000000, 44160]);
  });

  it('P=100k fan-in S=2 (queues, no drops)', () => {
    const r = runStar({ packets: 100_000, servers: 2, makeFilter: kubeNodeFilter });
    expect([r.echoes, r.packetHops, r.rttSumNs, r.rttMaxNs, r.queueDrops]).toEqual([100000, 400000, 4667994960, 49200, 0]);
  });

  it('P=100k fan-in S=1 (DropTail drops)', () => {
    const r = runStar({ packets: 100_000, servers: 1 });
    expect([r.echoes, r.packetHops, r.rttSumNs, r.rttMaxNs]).toEqual([64198, 292594, 9239362800, 148140]);
    expect(r.queueDrops).toBeGreaterThan(0);
  });

  it('K=256 pairs routes every /24 (10k requests)', () => {
    const r = runStar({ packets: 10_000, k: 256 });
    expect([r.echoes, r.packetHops]).toEqual([10000, 40000]);
    expect(r.rttMaxNs).toBe(44480); // as in the P=1M K=256 reference: host 255's start offset shifts ties
  });
});
