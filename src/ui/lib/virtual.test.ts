import { describe, expect, it } from 'vitest';
import { MAX_SPACER_PX, scrollTopFor, virtualWindow } from './virtual.ts';

describe('virtualWindow', () => {
  it('renders only the rows on screen plus overscan', () => {
    const w = virtualWindow(1000, 20, 400, 2000, 5);
    expect(w.first).toBe(95);
    expect(w.last).toBe(100 + 21 + 5);
    expect(w.offset).toBe(95 * 20);
    expect(w.spacer).toBe(20_000);
    expect(w.scaled).toBe(false);
  });

  it('keeps a million rows to a screenful of DOM and reaches the last row', () => {
    const n = 1_000_000;
    const top = virtualWindow(n, 20, 600, 0);
    expect(top.last - top.first).toBeLessThan(50);
    const full = n * 20;
    const bottom = virtualWindow(n, 20, 600, full - 600);
    expect(bottom.last).toBe(n);
    expect(bottom.last - bottom.first).toBeLessThan(50);
  });

  it('caps the spacer for very long traces and maps the scroll position proportionally', () => {
    const n = 5_000_000;
    const w0 = virtualWindow(n, 20, 600, 0);
    expect(w0.scaled).toBe(true);
    expect(w0.spacer).toBe(MAX_SPACER_PX);
    expect(w0.first).toBe(0);
    const end = virtualWindow(n, 20, 600, MAX_SPACER_PX - 600);
    expect(end.last).toBe(n);
    const mid = virtualWindow(n, 20, 600, (MAX_SPACER_PX - 600) / 2);
    expect(Math.abs(mid.first - n / 2)).toBeLessThan(100);
  });
});

describe('scrollTopFor', () => {
  it('does not move when the row is visible, and moves minimally to a neighbour', () => {
    expect(scrollTopFor(10, 1000, 20, 400, 100)).toBe(100);
    expect(scrollTopFor(25, 1000, 20, 400, 100)).toBe(25 * 20 + 20 - 400);
    expect(scrollTopFor(4, 1000, 20, 400, 100)).toBe(80);
  });

  it('centres a far row, also in a scaled list', () => {
    expect(scrollTopFor(500, 1000, 20, 400, 0)).toBe(500 * 20 - 200);
    const n = 5_000_000;
    const top = scrollTopFor(n - 1, n, 20, 600, 0);
    const w = virtualWindow(n, 20, 600, top);
    expect(w.first).toBeLessThanOrEqual(n - 1);
    expect(w.last).toBeGreaterThan(n - 1);
  });
});
