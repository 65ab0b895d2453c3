/**
 * RouteTable: a host's main routing table with longest-prefix match. Routes are bucketed by
 * prefix length (a Map per length, searched from the longest), so a lookup costs one map probe
 * per distinct prefix length present — O(1) for the handful of lengths a cluster uses, where a
 * linear scan over 5,000 node routes would not be.
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

export class RouteTable {
  private readonly byLen = new Map<number, Map<number, Route>>();
  private lens: number[] = [];
  private readonly all: Route[] = [];

  add(route: Route): void {
    const len = route.dst.prefixLen;
    let m = this.byLen.get(len);
    if (!m) {
      m = new Map();
      this.byLen.set(len, m);
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    }
    if (m.has(route.dst.network)) throw new Error(`route to ${route.dst} exists already`);
    m.set(route.dst.network, route);
    this.all.push(route);
  }

  remove(dst: Cidr): void {
    this.byLen.get(dst.prefixLen)?.delete(dst.network);
    const i = this.all.findIndex((r) => r.dst.network === dst.network && r.dst.prefixLen === dst.prefixLen);
    if (i >= 0) this.all.splice(i, 1);
  }

  /** The route for exactly this prefix, if any. */
  lookupExact(dst: Cidr): Route | null {
    return this.byLen.get(dst.prefixLen)?.get(dst.network) ?? null;
  }

  /** Longest-prefix match; null when no route (not even a default) covers `dst`. */
  lookup(dst: number): Route | null {
    const lens = this.lens;
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i]!;
      const r = this.byLen.get(len)!.get((dst & prefixMask(len)) >>> 0);
      if (r) return r;
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
