/**
 * The trace vocabulary: one record per event at a named place in the stack (ns-3's
 * Tx/Rx/Drop/LocalDeliver, gVisor's dispositions). Drops always carry a reason.
 */

/** What happened. Numeric for compact storage; `TRACE_KIND_NAMES` gives the words. */
export const enum TraceKind {
  /** A frame left an interface. */
  Sent = 0,
  /** A frame arrived on an interface. */
  Received = 1,
  /** A netfilter table decided at a hook (detail names table, chain, rule, verdict). */
  Netfilter = 2,
  /** NAT rewrote the packet (detail: before → after). */
  Nat = 3,
  /** A conntrack entry was created (detail: original and reply tuples). */
  Conntrack = 4,
  /** The routing decision (detail: destination, gateway, device). */
  Route = 5,
  /** Delivered to a local socket. */
  Delivered = 6,
  /** Dropped (detail: DropReason). */
  Drop = 7,
  /** ARP / bridge decisions (detail says which). */
  L2 = 8,
  /** An application-level note (HTTP response, DNS answer, connection events). */
  App = 9,
}

export const TRACE_KIND_NAMES = ['sent', 'received', 'netfilter', 'nat', 'conntrack', 'route', 'delivered', 'drop', 'l2', 'app'] as const;
export type TraceKindName = (typeof TRACE_KIND_NAMES)[number];

/** Why a packet was dropped (ns-3 DropReason, gVisor dispositions). */
export const enum DropReason {
  NoRoute = 0,
  TtlExceeded = 1,
  NetfilterDrop = 2,
  NetfilterReject = 3,
  NeighborUnreachable = 4,
  QueueFull = 5,
  LinkLoss = 6,
  PortUnreachable = 7,
  BadChecksum = 8,
  NotForThisHost = 9,
  InterfaceDown = 10,
  Malformed = 11,
  NoListener = 12,
  ForwardingDisabled = 13,
  MtuExceeded = 14,
}

export const DROP_REASON_NAMES = [
  'no route to host',
  'TTL exceeded',
  'netfilter DROP',
  'netfilter REJECT',
  'neighbour unreachable (ARP failed)',
  'device queue full',
  'link loss',
  'port unreachable',
  'bad checksum',
  'not addressed to this host',
  'interface down',
  'malformed packet',
  'no listening socket (TCP RST)',
  'forwarding disabled',
  'larger than the MTU',
] as const;

/** Link-layer framing of recorded bytes (pcapng linktype follows from it). */
export const enum LinkLayer {
  Ethernet = 0,
  Ppp = 1,
  RawIpv4 = 2,
}

/**
 * Structured detail attached to an event. Kept small and JSON-safe: the UI, the CLI and
 * expectations read it. Fields depend on the event kind.
 */
export interface TraceDetail {
  /** Netfilter: hook, table, chain, rule (iptables-save text), verdict, rules evaluated. */
  hook?: string;
  table?: string;
  chain?: string;
  rule?: string;
  ruleIndex?: number;
  verdict?: string;
  rulesEvaluated?: number;
  /** Jumps taken before the deciding rule, as iptables-save text. */
  path?: string[];
  /** NAT: "src:sport > dst:dport" before and after; which manipulation. */
  before?: string;
  after?: string;
  manip?: 'SNAT' | 'DNAT' | 'un-SNAT' | 'un-DNAT';
  /** Conntrack: tuples and state. */
  orig?: string;
  reply?: string;
  state?: string;
  /** Route: chosen route. */
  route?: string;
  /** Drop: reason. */
  reason?: string;
  /** Free text for L2/App events. */
  text?: string;
  /** The flow (connection/traffic item) this packet belongs to, if known. */
  flow?: number;
}
