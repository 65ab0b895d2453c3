import { describe, expect, it } from 'vitest';
import { formatFixed10, ladderProbability } from './probability.ts';

describe('ladderProbability (Go %0.10f of 1/k)', () => {
  it('gives the ladder values of kube-proxy-iptables.md §5', () => {
    expect(ladderProbability(2)).toBe('0.5000000000');
    expect([3, 2].map(ladderProbability)).toEqual(['0.3333333333', '0.5000000000']);
    expect([4, 3, 2].map(ladderProbability)).toEqual(['0.2500000000', '0.3333333333', '0.5000000000']);
    expect(ladderProbability(100001)).toBe('0.0000099999'); // TestComputeProbability
  });

  it('rounds the exact tie at k = 2048 half-to-even, as Go does', () => {
    expect(ladderProbability(2048)).toBe('0.0004882812');
  });

  it('agrees with toFixed(10) wherever the value is not an exact tie', () => {
    for (let k = 1; k <= 5000; k++) {
      if (k === 2048) continue;
      expect(ladderProbability(k), `k=${k}`).toBe((1 / k).toFixed(10));
    }
  });
});

describe('formatFixed10', () => {
  it('formats integers, zero and subnormals', () => {
    expect(formatFixed10(0)).toBe('0.0000000000');
    expect(formatFixed10(1)).toBe('1.0000000000');
    expect(formatFixed10(12.5)).toBe('12.5000000000');
    expect(formatFixed10(Number.MIN_VALUE)).toBe('0.0000000000');
  });

  it('rounds exact binary ties to even in both directions', () => {
    expect(formatFixed10(0.00000000005)).toBe('0.0000000001'); // not a tie in binary: above half
    expect(formatFixed10(1 / 2 ** 11)).toBe('0.0004882812'); // …8125 → even 2
    expect(formatFixed10(3 / 2 ** 11)).toBe('0.0014648438'); // …84375 → even 8
  });

  it('rejects negative and non-finite input', () => {
    expect(() => formatFixed10(-1)).toThrow(RangeError);
    expect(() => formatFixed10(Number.NaN)).toThrow(RangeError);
  });
});
