/**
 * IPv4 address and CIDR handling the way kube-proxy does it: parse "sloppily" (legacy
 * leading zeros read as decimal, as k8s.io/utils/net ParseIPSloppy/ParseCIDRSloppy), then
 * print the canonical form. Values of the other family, or garbage, come back as null so
 * callers can drop them as a single-family proxier does (kube-proxy-iptables.md §3).
 */
import { formatIpv4, parseIpv4, prefixMask, type Ipv4Addr } from '../../wire/addr.ts';

/** An IPv4 prefix as kube-proxy prints it: network address (host bits cleared) and length. */
export interface Ipv4Prefix {
  readonly network: Ipv4Addr;
  readonly prefixLen: number;
  /** Canonical text, e.g. "203.0.113.0/25". */
  readonly text: string;
}

/** Parses an IPv4 address sloppily; null when it is not one (IPv6 included). */
export function parseIpv4Sloppy(text: string): Ipv4Addr | null {
  return parseIpv4(text);
}

/** The canonical text of an IPv4 address ("172.30.0.041" → "172.30.0.41"), or null. */
export function normalizeIpv4(text: string): string | null {
  const a = parseIpv4(text);
  return a === null ? null : formatIpv4(a);
}

/** Parses "a.b.c.d/n" sloppily, clearing host bits as Go's ParseCIDR does; null otherwise. */
export function parseIpv4PrefixSloppy(text: string): Ipv4Prefix | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const addr = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (addr === null || !/^\d{1,3}$/.test(lenText)) return null;
  const prefixLen = Number(lenText);
  if (prefixLen > 32) return null;
  const network = (addr & prefixMask(prefixLen)) >>> 0;
  return { network, prefixLen, text: `${formatIpv4(network)}/${prefixLen}` };
}

/** Whether an IPv4 prefix contains an address. */
export function prefixContains(prefix: Ipv4Prefix, addr: Ipv4Addr): boolean {
  return ((addr & prefixMask(prefix.prefixLen)) >>> 0) === prefix.network;
}

/** Whether an address is in 127.0.0.0/8 (Go's IP.IsLoopback for IPv4). */
export function isIpv4Loopback(addr: Ipv4Addr): boolean {
  return addr >>> 24 === 127;
}
