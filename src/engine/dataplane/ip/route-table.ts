/**
 * RouteTable: a host's main routing table with longest-prefix match. Routes are bucketed by
 * prefix length (a Map per length, searched from the longest), so a lookup costs one map probe
 * per distinct prefix length present — O(1) for the handful of lengths a cluster uses, where a
 * linear scan over 5,000 node routes would not be. Maps are keyed by the network as an int32
 * (`| 0`), which V8 keeps unboxed, rather than the unsigned value, which above 127.255.255.255
 * is a boxed double costing a hash and an allocation per lookup.
 */
import { Cidr, formatIpv4, prefixMask } from '../../wire/addr.ts';
import type { Device } from '../device/device.ts';

export interface Route {
  dst: Cidr;
  /** Next hop, or 0 for a directly connected destination. */
  gateway: number;
  dev: Device;
  /** Preferred source address (`ip route ... src`), or 0. */
  src: number;
}

/** The (empty, never written) byLen of a table still scanned as a list. */
const NO_LENGTHS: Map<number, Map<number, Route>> = new Map();

/** Up to this many routes, lookups scan the list (a pod has two routes; three Maps would cost more than the scan). */
const SMALL_MAX = 8;

export class RouteTable {
  /** Made when the table outgrows SMALL_MAX. */
  private byLen: Map<number, Map<number, Route>> = NO_LENGTHS;
  private lens: number[] = [];
  /** The Map of each length in `lens`, and its mask as int32, for the lookup loop. */
  private lenMaps: Map<number, Route>[] = [];
  private lenMasks: number[] = [];
  private readonly all: Route[] = [];
  /** Whether the Maps are built (once the table outgrew SMALL_MAX). */
  private indexed = false;

  add(route: Route): void {
    if (!this.indexed) {
      if (this.all.some((r) => r.dst.prefixLen === route.dst.prefixLen && r.dst.network === route.dst.network)) throw new Error(`route to ${route.dst} exists already`);
      this.all.push(route);
      if (this.all.length > SMALL_MAX) {
        this.indexed = true;
        this.byLen = new Map();
        for (const r of this.all) this.index(r);
      }
      return;
    }
    this.index(route);
    this.all.push(route);
  }

  private index(route: Route): void {
    const len = route.dst.prefixLen;
    let m = this.byLen.get(len);
    if (!m) {
      m = new Map();
      this.byLen.set(len, m);
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
      this.lenMaps = this.lens.map((l) => this.byLen.get(l)!);
      this.lenMasks = this.lens.map((l) => prefixMask(l) | 0);
    }
    if (m.has(route.dst.network | 0)) throw new Error(`route to ${route.dst} exists already`);
    m.set(route.dst.network | 0, route);
  }

  remove(dst: Cidr): void {
    if (this.indexed) this.byLen.get(dst.prefixLen)?.delete(dst.network | 0);
    const i = this.all.findIndex((r) => r.dst.network === dst.network && r.dst.prefixLen === dst.prefixLen);
    if (i >= 0) this.all.splice(i, 1);
  }

  /** The route for exactly this prefix, if any. */
  lookupExact(dst: Cidr): Route | null {
    if (!this.indexed) return this.all.find((r) => r.dst.prefixLen === dst.prefixLen && r.dst.network === dst.network) ?? null;
    return this.byLen.get(dst.prefixLen)?.get(dst.network | 0) ?? null;
  }

  /** Longest-prefix match; null when no route (not even a default) covers `dst`. */
  lookup(dst: number): Route | null {
    if (!this.indexed) {
      let best: Route | null = null;
      const all = this.all;
      for (let i = 0; i < all.length; i++) {
        const r = all[i]!;
        if ((dst & r.dst.mask) === (r.dst.network | 0) && (best === null || r.dst.prefixLen > best.dst.prefixLen)) best = r;
      }
      return best;
    }
    const maps = this.lenMaps;
    const masks = this.lenMasks;
    for (let i = 0; i < maps.length; i++) {
      const r = maps[i]!.get(dst & masks[i]!);
      if (r !== undefined) return r;
    }
    return null;
  }

  /** Routes as `ip route` prints them. */
  list(): string[] {
    return [...this.all]
      .sort((a, b) => b.dst.prefixLen - a.dst.prefixLen || a.dst.network - b.dst.network)
      .map((r) => {
        const dst = r.dst.prefixLen === 0 ? 'default' : r.dst.toString();
        const via = r.gateway ? ` via ${formatIpv4(r.gateway)}` : '';
        const src = r.src ? ` src ${formatIpv4(r.src)}` : '';
        return `${dst}${via} dev ${r.dev.name}${r.gateway ? '' : ' scope link'}${src}`;
      });
  }
}

/** Formats a route decision for the trace. */
export function describeRoute(r: Route): string {
  const dst = r.dst.prefixLen === 0 ? 'default' : r.dst.toString();
  return `${dst}${r.gateway ? ` via ${formatIpv4(r.gateway)}` : ''} dev ${r.dev.name}`;
}
