/** Small text formatters shared by the views. */

/** Simulated time (ns) as seconds with nanosecond digits, the way the CLI trace prints it: "0.001050000". */
export function formatSeconds(ns: number): string {
  const s = Math.floor(ns / 1e9);
  const frac = String(Math.round(ns - s * 1e9)).padStart(9, '0');
  return `${s}.${frac}`;
}

/** Simulated time as seconds with microsecond digits (the packet list's Time column): "0.001050". */
export function formatSecondsUs(ns: number): string {
  const us = Math.floor(ns / 1e3);
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** A duration in the largest unit that keeps it readable: "50 µs", "1.250 ms", "2.000 s". */
export function formatDuration(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns % 1e3 === 0 ? 0 : 3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** 1234567 → "1,234,567" (locale-independent so screenshots and tests agree). */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Short labels of the trace event kinds, as the CLI trace writes them. */
export const KIND_LABEL: Readonly<Record<string, string>> = {
  sent: '→ sent',
  received: '← recv',
  netfilter: 'NF',
  nat: 'NAT',
  conntrack: 'CT',
  route: 'RT',
  delivered: 'DLV',
  drop: 'DROP',
  l2: 'L2',
  app: 'APP',
};

/** Longer names of the kinds, for explanations. */
export const KIND_TITLE: Readonly<Record<string, string>> = {
  sent: 'frame sent on an interface',
  received: 'frame received on an interface',
  netfilter: 'netfilter verdict',
  nat: 'NAT rewrite',
  conntrack: 'conntrack entry created',
  route: 'routing decision',
  delivered: 'delivered to a local socket',
  drop: 'packet dropped',
  l2: 'ARP / bridge decision',
  app: 'application event',
};

/** The CSS class of a packet-list row: NAT rewrites and drops are loud, decisions quiet, packets tinted by protocol. */
export function rowClass(kind: string, protocol: string): string {
  if (kind === 'nat') return 'nat';
  if (kind === 'drop') return 'drop';
  if (kind !== 'sent' && kind !== 'received' && kind !== 'delivered') return 'decision';
  switch (protocol) {
    case 'TCP':
      return 'tcp';
    case 'UDP':
      return 'udp';
    case 'DNS':
      return 'dns';
    case 'HTTP':
      return 'http';
    case 'ARP':
      return 'arp';
    case 'ICMP':
      return 'icmp';
    default:
      return 'other';
  }
}
