/** xt_recent list semantics (recent.ts; shared/docs/kube-proxy-iptables.md §8 "Affinity"). */
import { describe, expect, it } from 'vitest';
import { RECENT_CHECK, RECENT_REMOVE, RECENT_SET, RECENT_UPDATE, RecentList, recentMatch } from './recent.ts';

const S = 1e9;

describe('recent lists', () => {
  it('--set always matches and records; --rcheck --seconds matches within the window only', () => {
    const l = new RecentList('L', 100);
    expect(recentMatch(l, 1, 0, RECENT_CHECK, false, 10, false, 0)).toBe(false);
    expect(recentMatch(l, 1, 0, RECENT_SET, false, 0, false, 0)).toBe(true);
    expect(recentMatch(l, 1, 10 * S, RECENT_CHECK, false, 10, false, 0)).toBe(true);
    expect(recentMatch(l, 1, 10 * S + 1, RECENT_CHECK, false, 10, false, 0)).toBe(false);
    expect(recentMatch(l, 1, 10 * S + 1, RECENT_CHECK, true, 10, false, 0)).toBe(true);
  });

  it('--update refreshes the stamp only when it matched', () => {
    const l = new RecentList('L', 100);
    recentMatch(l, 1, 0, RECENT_SET, false, 0, false, 0);
    expect(recentMatch(l, 1, 5 * S, RECENT_UPDATE, false, 10, false, 0)).toBe(true);
    expect(recentMatch(l, 1, 14 * S, RECENT_UPDATE, false, 10, false, 0)).toBe(true); // stamp at 5 s
    expect(recentMatch(l, 1, 30 * S, RECENT_UPDATE, false, 10, false, 0)).toBe(false);
    expect(l.entries.get(1)!.last).toBe(14 * S);
  });

  it('--hitcount needs that many stamps in the window', () => {
    const l = new RecentList('L', 100);
    for (let t = 0; t < 3; t++) recentMatch(l, 1, t * S, RECENT_SET, false, 0, false, 0);
    expect(recentMatch(l, 1, 3 * S, RECENT_CHECK, false, 10, false, 3)).toBe(true);
    expect(recentMatch(l, 1, 3 * S, RECENT_CHECK, false, 10, false, 4)).toBe(false);
    expect(recentMatch(l, 1, 11.5 * S, RECENT_CHECK, false, 10, false, 2)).toBe(false);
  });

  it('--reap drops only the least recently updated entry, when stale and not the one checked', () => {
    const l = new RecentList('L', 100);
    recentMatch(l, 1, 0, RECENT_SET, false, 0, false, 0);
    recentMatch(l, 2, 1 * S, RECENT_SET, false, 0, false, 0);
    recentMatch(l, 3, 100 * S, RECENT_SET, false, 0, false, 0);
    recentMatch(l, 3, 100 * S, RECENT_CHECK, false, 10, true, 0);
    expect([...l.entries.keys()]).toEqual([2, 3]);
    recentMatch(l, 2, 100 * S, RECENT_CHECK, false, 10, true, 0); // 2 is the oldest but is the one checked
    expect([...l.entries.keys()]).toEqual([2, 3]);
  });

  it('--remove deletes the entry; a full list evicts its oldest entry', () => {
    const l = new RecentList('L', 2);
    for (const a of [1, 2, 3]) recentMatch(l, a, a, RECENT_SET, false, 0, false, 0);
    expect([...l.entries.keys()]).toEqual([2, 3]);
    expect(recentMatch(l, 2, 5, RECENT_REMOVE, false, 0, false, 0)).toBe(true);
    expect([...l.entries.keys()]).toEqual([3]);
  });
});
