/**
 * xt_recent's per-name address lists (`-m recent`), which kube-proxy uses for ClientIP session
 * affinity (shared/docs/kube-proxy-iptables.md §5 step 9-10, §7.7, §8 "Affinity").
 *
 * Modelled on the kernel's behaviour (net/netfilter/xt_recent.c): each list holds at most
 * `max` entries (ip_list_tot, default 100; the least recently updated is evicted), each entry
 * keeps its last 32 time stamps (ip_pkt_list_tot 20 rounded up to a power of two), entries
 * are kept in least-recently-updated order, and `--reap` removes at most the single oldest
 * entry per check, and only if it is stale and not the entry being checked.
 */

/** Stamps kept per entry: ip_pkt_list_tot (20) rounded up to a power of two, as the kernel sizes it. */
const STAMPS = 32;

/** One address in a recent list. */
export class RecentEntry {
  /** Time stamps in ns (a ring of STAMPS). */
  readonly stamps = new Float64Array(STAMPS);
  /** Next write position in the ring (the kernel's `index`). */
  index = 1;
  /** How many stamps are valid. */
  count = 1;

  constructor(now: number) {
    this.stamps[0] = now;
  }

  /** The most recent stamp. */
  get last(): number {
    return this.stamps[(this.index - 1) & (STAMPS - 1)]!;
  }
}

/** One named list (`--name X`): address (after --mask) → entry, in LRU order (oldest first). */
export class RecentList {
  readonly entries = new Map<number, RecentEntry>();
  constructor(readonly name: string, readonly max: number) {}

  /** Adds `addr` with one stamp, evicting the oldest entry when full (recent_entry_init). */
  add(addr: number, now: number): RecentEntry {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const e = new RecentEntry(now);
    this.entries.set(addr, e);
    return e;
  }

  /** Records a new stamp and moves the entry to the most recent end (recent_entry_update). */
  touch(addr: number, e: RecentEntry, now: number): void {
    e.index &= STAMPS - 1;
    e.stamps[e.index++] = now;
    if (e.index > e.count) e.count = e.index;
    this.entries.delete(addr);
    this.entries.set(addr, e);
  }

  /** `--reap`: drops the least recently updated entry if older than `cutoff` and not `working`. */
  reap(cutoff: number, working: RecentEntry): void {
    const it = this.entries.entries().next();
    if (it.done) return;
    const [addr, e] = it.value;
    if (e === working) return;
    if (e.last < cutoff) this.entries.delete(addr);
  }
}

/** `--set`: a compiled recent match's command code. */
export const RECENT_SET = 1;
/** `--rcheck`. */
export const RECENT_CHECK = 2;
/** `--update`. */
export const RECENT_UPDATE = 4;
/** `--remove`. */
export const RECENT_REMOVE = 8;

/**
 * Evaluates one recent match for `addr` (already masked) at time `now` (ns), updating the
 * list as the kernel's recent_mt does. `seconds` 0 means no age limit, `hitcount` 0 means any.
 */
export function recentMatch(
  list: RecentList,
  addr: number,
  now: number,
  command: number,
  invert: boolean,
  seconds: number,
  reap: boolean,
  hitcount: number,
): boolean {
  let ret = invert;
  const e = list.entries.get(addr);
  if (e === undefined) {
    if (command !== RECENT_SET) return ret;
    list.add(addr, now);
    return !ret;
  }
  if (command === RECENT_SET) {
    ret = !ret;
  } else if (command === RECENT_REMOVE) {
    list.entries.delete(addr);
    return !ret;
  } else {
    // --rcheck / --update: a stamp counts if it is not older than `seconds`.
    const cutoff = now - seconds * 1e9;
    let hits = 0;
    for (let i = 0; i < e.count; i++) {
      if (seconds !== 0 && e.stamps[i]! < cutoff) continue;
      if (hitcount === 0 || ++hits >= hitcount) {
        ret = !ret;
        break;
      }
    }
    if (reap) list.reap(cutoff, e);
  }
  if (command === RECENT_SET || (command === RECENT_UPDATE && ret)) list.touch(addr, e, now);
  return ret;
}
