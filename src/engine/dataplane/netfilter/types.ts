/**
 * The contract between the IP stack and netfilter. The stack extracts the fields that
 * matches read into an NfPacket once per hook, asks the tables for a verdict, and applies
 * NAT through conntrack itself (NAT is decided on a flow's first packet only).
 *
 * Linux's order of hooks and tables (net/netfilter, iptables(8) "TABLES"):
 *
 *   --> PREROUTING --> [route] --> FORWARD --> POSTROUTING -->
 *        (raw, mangle, nat)    |    (mangle, filter)  (mangle, nat)
 *                              v                         ^
 *                            INPUT                     OUTPUT
 *                     (mangle, filter, nat)   (raw, mangle, nat, filter)
 *                              |                         ^
 *                              +----> local process -----+
 *
 * kubewire evaluates raw, mangle, nat and filter in that Linux order per hook (kube-proxy only
 * writes nat and filter; raw/mangle stay empty unless a scenario adds rules):
 * PREROUTING raw, mangle, nat; INPUT mangle, filter, nat; FORWARD mangle, filter;
 * OUTPUT raw, mangle, nat, filter; POSTROUTING mangle, nat. nat is consulted only for a
 * connection's first packet (eval.ts evaluateHook's `natAllowed`).
 */
import type { Ipv4Addr } from '../../wire/addr.ts';

/** The five netfilter hooks, in Linux's numbering (NF_INET_PRE_ROUTING = 0 …). */
export const enum Hook {
  PREROUTING = 0,
  INPUT = 1,
  FORWARD = 2,
  OUTPUT = 3,
  POSTROUTING = 4,
}

/** Hook names by Hook number, as iptables names the built-in chains. */
export const HOOK_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;
/** A hook's name. */
export type HookName = (typeof HOOK_NAMES)[number];

/** Conntrack state bits as `-m conntrack --ctstate` and `--ctstatus` name them. */
export const CtState = {
  INVALID: 1,
  NEW: 2,
  ESTABLISHED: 4,
  RELATED: 8,
  UNTRACKED: 16,
  /** Pseudo-states `--ctstate SNAT/DNAT`: the connection's original destination/source was rewritten. */
  SNAT: 32,
  DNAT: 64,
} as const;

/** Conntrack status bits as `-m conntrack --ctstatus` names them (IPS_* in Linux); what the stack puts in NfPacket.ctStatus. */
export const NfCtStatus = {
  EXPECTED: 1,
  SEEN_REPLY: 2,
  ASSURED: 4,
  CONFIRMED: 8,
} as const;

/** The fields of a packet that matches read; filled by the stack before each hook traversal. */
export interface NfPacket {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  /** IP protocol number: 1 ICMP, 6 TCP, 17 UDP. */
  proto: number;
  /** Ports for TCP/UDP (0 otherwise). */
  sport: number;
  dport: number;
  /** ICMP type (or -1) for `--icmp-type`. */
  icmpType: number;
  /** Interface names for -i / -o ('' when not known at this hook, e.g. -o in PREROUTING). */
  inIface: string;
  outIface: string;
  /** skb->mark; targets may change it (MARK) and matches read it (-m mark). */
  mark: number;
  /** CtState bits of the packet's conntrack entry. */
  ctState: number;
  /** NfCtStatus bits of the packet's conntrack entry (`--ctstatus`); 0 when absent. */
  ctStatus?: number;
  /** IP total length in bytes, for the byte counters iptables-save -c prints; 0 when absent. */
  length?: number;
}

/** What the host offers matches and targets. */
export interface NfEnv {
  /** Current simulated time in ns (xt_recent). */
  readonly now: number;
  /** `-m addrtype --src-type/--dst-type LOCAL`: is this address assigned to this host? */
  isLocal(addr: Ipv4Addr): boolean;
  /** `-m statistic --mode random`: a uniform draw in [0, 1) from the host's seeded stream. */
  random(): number;
}

/** Final verdicts of a table traversal. */
export const enum Verdict {
  ACCEPT = 0,
  DROP = 1,
  /** REJECT: the stack answers with `rejectWith` (ICMP port unreachable or TCP RST). */
  REJECT = 2,
}

/** NAT requested by the nat table on a connection's first packet. */
export const enum NatKind {
  NONE = 0,
  DNAT = 1,
  SNAT = 2,
  MASQUERADE = 3,
}

/**
 * The outcome of one table traversal at one hook, filled in place (no allocation per packet).
 * `nat*` are set only by the nat table. `mark` changes are written to the NfPacket.
 */
export interface TraverseResult {
  verdict: Verdict;
  /** For REJECT: 'icmp-port-unreachable' | 'tcp-reset' | … as iptables names it. */
  rejectWith: string;
  nat: NatKind;
  /** DNAT/SNAT address range (inclusive); for MASQUERADE the stack picks the out-interface address. */
  natAddrMin: Ipv4Addr;
  natAddrMax: Ipv4Addr;
  /** Port range (inclusive); 0/0 means keep the port. */
  natPortMin: number;
  natPortMax: number;
  /** MASQUERADE/SNAT --random-fully. */
  natRandomFully: boolean;
  /** How many rules real iptables would have evaluated (linear order), for the trace and the UI. */
  rulesEvaluated: number;
  /**
   * The rules that matched along the way, in order (jumps and the deciding rule), when
   * `recordPath` was set on the call; left empty otherwise. Each is a RuleRef.
   */
  path: RuleRef[];
  /** True when the verdict came from a chain policy rather than a rule. */
  byPolicy: boolean;
}

/** Identifies a rule for traces and the UI: table, chain, 1-based position, and its iptables-save text. */
export interface RuleRef {
  table: string;
  chain: string;
  /** 1-based index inside the chain, as `iptables -L --line-numbers` counts. */
  index: number;
  /** The rule as iptables-save prints it (`-A CHAIN ...`). */
  text: string;
}

/** A fresh TraverseResult to reuse across packets. */
export function newTraverseResult(): TraverseResult {
  return {
    verdict: Verdict.ACCEPT,
    rejectWith: '',
    nat: NatKind.NONE,
    natAddrMin: 0,
    natAddrMax: 0,
    natPortMin: 0,
    natPortMax: 0,
    natRandomFully: false,
    rulesEvaluated: 0,
    path: [],
    byPolicy: false,
  };
}
