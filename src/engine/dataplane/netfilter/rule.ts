/**
 * The netfilter ruleset as data: tables of chains of rules, each rule a structured set of
 * matches and one target, as `iptables-restore` reads them and `iptables-save` prints them
 * (shared/docs/kube-proxy-iptables.md §4-§9; architecture.md Practice 10: netfilter is data).
 *
 * Rule objects are immutable once parsed, except their counters. Anything that changes a
 * table's chains must reset `table.compiled` to null so eval.ts rebuilds its indexes.
 */
import type { Cidr, Ipv4Addr } from '../../wire/addr.ts';
import type { CompiledTable } from './eval.ts';
import type { RecentList } from './recent.ts';
import { HOOK_NAMES, type HookName } from './types.ts';

/** The tables kubewire models (iptables(8) "TABLES"; security is not modelled). */
export type TableName = 'filter' | 'nat' | 'mangle' | 'raw';

/** Every modelled table name. */
export const TABLE_NAMES: readonly TableName[] = ['filter', 'nat', 'mangle', 'raw'];

/** The built-in chains of each table, in hook order (how iptables-save lists them, §9). */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly HookName[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: HOOK_NAMES,
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** Packet and byte counters, as `[pkts:bytes]` in iptables-save. */
export interface Counters {
  packets: number;
  bytes: number;
}

/** A built-in chain's policy. */
export type Policy = 'ACCEPT' | 'DROP';

/** One chain: built-in (with a policy) or user-defined (policy null). */
export interface Chain {
  readonly name: string;
  readonly builtin: boolean;
  policy: Policy | null;
  rules: Rule[];
  /** For built-in chains, the packets that took the policy. */
  counters: Counters;
}

/** State shared by all tables of one Netfilter: the xt_recent lists (/proc/net/xt_recent). */
export interface NfState {
  readonly recent: Map<string, RecentList>;
  /** xt_recent's ip_list_tot: entries per list before the oldest is evicted (kernel default 100). */
  readonly recentListMax: number;
}

/** One table of one host. */
export interface Table {
  readonly name: TableName;
  /** name === 'nat' (checked on every hook evaluation, so kept as a flag). */
  readonly isNat: boolean;
  chains: Map<string, Chain>;
  /** eval.ts's compiled form with its indexes; null whenever the chains changed. */
  compiled: CompiledTable | null;
  /** Whether iptables-save shows this table (nft lists only tables that exist). */
  loaded: boolean;
  readonly state: NfState;
}

/** `[!] -s/-d addr[/prefix]`. */
export interface AddrSpec {
  readonly cidr: Cidr;
  readonly invert: boolean;
}

/** `[!] -i/-o name`; a trailing '+' makes the name a prefix (`-i cali+`). */
export interface IfaceSpec {
  readonly name: string;
  readonly invert: boolean;
}

/** `[!] -p proto`, as an IP protocol number (never 0: `-p all` is stored as no spec). */
export interface ProtoSpec {
  readonly proto: number;
  readonly invert: boolean;
}

/** An inclusive port range; a single port has min === max. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** A port range with `!`. */
export interface PortSpec extends PortRange {
  readonly invert: boolean;
}

/** A bit mask with `!` (conntrack states, address types, …). */
export interface MaskSpec {
  readonly mask: number;
  readonly invert: boolean;
}

/** `-m comment --comment text`. */
export interface CommentMatch {
  readonly module: 'comment';
  readonly comment: string;
}

/** `-m tcp` / `-m udp` with `[!] --sport` / `[!] --dport` (explicit or loaded implicitly by -p). */
export interface TcpUdpMatch {
  readonly module: 'tcp' | 'udp';
  readonly sport: PortSpec | null;
  readonly dport: PortSpec | null;
}

/** `-m multiport [!] --sports/--dports/--ports p[,a:b]…`. */
export interface MultiportMatch {
  readonly module: 'multiport';
  readonly direction: 'sports' | 'dports' | 'ports';
  readonly ports: readonly PortRange[];
  readonly invert: boolean;
}

/** `-m addrtype [!] --src-type T[,T] [!] --dst-type T`; masks of 1 << RTN_* (AddrType). */
export interface AddrtypeMatch {
  readonly module: 'addrtype';
  readonly src: MaskSpec | null;
  readonly dst: MaskSpec | null;
}

/** `-m statistic --mode random [!] --probability p`; `probability` is the kernel's value, round(p * 2^31). */
export interface StatisticMatch {
  readonly module: 'statistic';
  readonly mode: 'random';
  readonly probability: number;
  readonly invert: boolean;
}

/** `-m recent [!] --set|--rcheck|--update|--remove [--seconds N] [--reap] [--hitcount N] --name X --mask M --rsource|--rdest`. */
export interface RecentMatch {
  readonly module: 'recent';
  readonly command: 'set' | 'rcheck' | 'update' | 'remove';
  readonly invert: boolean;
  /** 0 when not given. */
  readonly seconds: number;
  readonly reap: boolean;
  /** 0 when not given. */
  readonly hitcount: number;
  readonly name: string;
  readonly mask: Ipv4Addr;
  readonly side: 'source' | 'dest';
}

/** `-m mark [!] --mark value[/mask]` (mask 0xffffffff when absent). */
export interface MarkMatch {
  readonly module: 'mark';
  readonly mark: number;
  readonly mask: number;
  readonly invert: boolean;
}

/** `-m conntrack [!] --ctstate S,… [!] --ctstatus S,…`; ctstate bits are CtState, ctstatus bits CtStatus. */
export interface ConntrackMatch {
  readonly module: 'conntrack';
  readonly ctstate: MaskSpec | null;
  readonly ctstatus: MaskSpec | null;
}

/** `-m state [!] --state S,…` (the older spelling of --ctstate). */
export interface StateMatch {
  readonly module: 'state';
  readonly state: MaskSpec;
}

/** `-m icmp [!] --icmp-type type[/code]`; type 255 means `any`. */
export interface IcmpMatch {
  readonly module: 'icmp';
  readonly type: number;
  readonly codeMin: number;
  readonly codeMax: number;
  readonly invert: boolean;
}

/** `-m nfacct --nfacct-name X` (kube-proxy's R2 counters, §5 step 4, §6.4): always matches. */
export interface NfacctMatch {
  readonly module: 'nfacct';
  readonly name: string;
}

/** A `-m` module match, kept in the order the rule gave them (iptables-save keeps it, §9). */
export type Match =
  | CommentMatch
  | TcpUdpMatch
  | MultiportMatch
  | AddrtypeMatch
  | StatisticMatch
  | RecentMatch
  | MarkMatch
  | ConntrackMatch
  | StateMatch
  | IcmpMatch
  | NfacctMatch;

/** A NAT address/port range (`--to-destination a[-b][:p[-q]]`). */
export interface NatRange {
  /** Null when only ports were given (`:8080`). */
  readonly addrMin: Ipv4Addr | null;
  readonly addrMax: Ipv4Addr | null;
  readonly ports: PortRange | null;
}

/** `--reject-with` values, as iptables-save prints them. */
export type RejectWith =
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-port-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'tcp-reset'
  | 'icmp-admin-prohibited';

/** A rule's target; `none` is a rule without -j (counts packets, e.g. the last KUBE-FW rule, §5 step 8). */
export type Target =
  | { readonly kind: 'none' }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { readonly kind: 'REJECT'; readonly rejectWith: RejectWith }
  | { readonly kind: 'DNAT'; readonly range: NatRange; readonly random: boolean; readonly persistent: boolean }
  | {
      readonly kind: 'SNAT';
      readonly range: NatRange;
      readonly random: boolean;
      readonly randomFully: boolean;
      readonly persistent: boolean;
    }
  | { readonly kind: 'MASQUERADE'; readonly ports: PortRange | null; readonly random: boolean; readonly randomFully: boolean }
  /** Every MARK form is stored as the kernel does: mark = (mark & ~mask) ^ value (`--set-xmark`). */
  | { readonly kind: 'MARK'; readonly value: number; readonly mask: number };

/** One rule: the IP header part (-s -d -i -o -p), then matches in order, then the target. */
export interface Rule {
  readonly src: AddrSpec | null;
  readonly dst: AddrSpec | null;
  readonly inIface: IfaceSpec | null;
  readonly outIface: IfaceSpec | null;
  readonly proto: ProtoSpec | null;
  readonly matches: readonly Match[];
  readonly target: Target;
  /** Matched packets/bytes. eval.ts may swap in its compiled rule as the live Counters object. */
  counters: Counters;
  /** The 1-based line of the restore text that added it (0 when unknown). */
  readonly line: number;
}

/** Creates an empty chain. */
export function newChain(name: string, builtin: boolean, policy: Policy | null = builtin ? 'ACCEPT' : null): Chain {
  return { name, builtin, policy, rules: [], counters: { packets: 0, bytes: 0 } };
}

/** The built-in chains of a table, empty with ACCEPT policies. */
export function builtinChains(name: TableName): Map<string, Chain> {
  const m = new Map<string, Chain>();
  for (const c of BUILTIN_CHAINS[name]) m.set(c, newChain(c, true));
  return m;
}

/** Creates a table holding only its built-in chains. */
export function newTable(name: TableName, state: NfState, loaded = true): Table {
  return { name, isNat: name === 'nat', chains: builtinChains(name), compiled: null, loaded, state };
}

/** A copy of a table's chains whose chains and rule lists may be changed freely (rules are shared). */
export function cloneChains(chains: ReadonlyMap<string, Chain>): Map<string, Chain> {
  const m = new Map<string, Chain>();
  for (const [k, c] of chains) {
    m.set(k, { name: c.name, builtin: c.builtin, policy: c.policy, rules: c.rules.slice(), counters: { ...c.counters } });
  }
  return m;
}

/** Whether `name` is one of the table's built-in chains. */
export function isBuiltinChain(table: TableName, name: string): boolean {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(name);
}

/**
 * Address types of `-m addrtype`, as Linux's RTN_* numbers; a match's mask has bit `1 << type`.
 * iptables-save lists them in this order.
 */
export const ADDR_TYPES = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
] as const;
