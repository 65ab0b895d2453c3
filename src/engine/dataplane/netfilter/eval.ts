/**
 * Packet evaluation: walks a table's chains for one hook the way the kernel's ipt_do_table
 * does (shared/docs/kube-proxy-iptables.md §8 "Evaluation"): rules top-down, the IP header part
 * (-s -d -i -o -p) first and then the matches in order, `-j chain` pushes a return point,
 * `-g chain` does not, RETURN or the end of a user chain goes back to the caller, and the end
 * (or a RETURN) of the built-in chain applies its policy.
 *
 * Speed. A table is compiled lazily into flat rule records (no allocation per packet) and
 * every chain of INDEX_MIN or more rules gets an index. Each rule lands in exactly one bucket:
 *  - (dst, proto, dport): `-d a.b.c.d/32 -p tcp|udp … --dport N` (KUBE-SERVICES, §5 step 1-3);
 *  - (dst): `-d a.b.c.d/32` with no usable port;
 *  - (proto, dport): `-p tcp|udp … --dport N` with no exact destination (KUBE-NODEPORTS, §5 step 4);
 *  - wildcard: everything else.
 * A packet's candidates are the four sorted position lists for its (dst, proto, dport), merged
 * in rule order. A rule outside them cannot match the packet, and it would have failed without
 * side effects: the header check runs before any match, and a port is used as a key only when
 * no statistic/recent match (the only matches with side effects: a random draw, list updates)
 * comes before the tcp/udp match in that rule. So the indexed walk takes the same path, draws
 * the same random numbers in the same order and leaves the same state as a linear walk, which
 * `traverseLinear` does and the tests compare against. `rulesEvaluated` counts the skipped rules
 * as a linear walk would have evaluated them. The keys only read dst, proto and dport, which no
 * target changes during a traversal (MARK changes the mark; NAT is applied by the stack later).
 *
 * Compiled rules also hoist that first pure tcp/udp port check next to the header check, and
 * each compiled rule is its Rule's live counters object, so a typical kube-proxy rule is
 * decided without touching a second object.
 */
import type { Netfilter } from './netfilter.ts';
import { RECENT_CHECK, RECENT_REMOVE, RECENT_SET, RECENT_UPDATE, RecentList, recentMatch } from './recent.ts';
import type { Chain, Counters, Match, Rule, Table } from './rule.ts';
import { formatRule } from './save.ts';
import {
  HOOK_NAMES,
  NatKind,
  Verdict,
  type Hook,
  type NfEnv,
  type NfPacket,
  type RuleRef,
  type TraverseResult,
} from './types.ts';

/** Chains with at least this many rules get an index. */
export const INDEX_MIN = 8;

// Target kinds.
const T_NONE = 0;
const T_JUMP = 1;
const T_GOTO = 2;
const T_ACCEPT = 3;
const T_DROP = 4;
const T_RETURN = 5;
const T_REJECT = 6;
const T_DNAT = 7;
const T_SNAT = 8;
const T_MASQUERADE = 9;
const T_MARK = 10;

// Match kinds (comment and nfacct always match and are left out).
const M_PORTS = 1;
const M_MULTIPORT = 2;
const M_ADDRTYPE = 3;
const M_STATISTIC = 4;
const M_RECENT = 5;
const M_MARK = 6;
const M_CONNTRACK = 7;
const M_ICMP = 8;

const EMPTY = new Int32Array(0);

/** A compiled match: one shape for every kind so the evaluator's property loads stay monomorphic. */
class CMatch {
  kind = 0;
  inv = false;
  inv2 = false;
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;
  ports: Int32Array = EMPTY;
  recent: RecentList | null = null;
}

/**
 * A compiled rule. Addresses and masks are int32 so `pkt.src & mask` compares without
 * conversion. It is also the rule's Counters object (compileRule points `rule.counters` at it),
 * so counting a match touches no other object.
 */
class CRule implements Counters {
  packets = 0;
  bytes = 0;
  pos = 0;
  srcNet = 0;
  srcMask = 0;
  srcInv = false;
  dstNet = 0;
  dstMask = 0;
  dstInv = false;
  proto = 0;
  protoInv = false;
  inName: string | null = null;
  inPrefix = false;
  inInv = false;
  outName: string | null = null;
  outPrefix = false;
  outInv = false;
  /** A tcp/udp port match hoisted next to the header check (see compileRule). */
  hasPorts = false;
  sMin = 0;
  sMax = 65535;
  sInv = false;
  dMin = 0;
  dMax = 65535;
  dInv = false;
  matches: CMatch[] = [];
  nMatches = 0;
  tk = T_NONE;
  chain: CChain | null = null;
  rejectWith = '';
  natHasAddr = false;
  natMin = 0;
  natMax = 0;
  portMin = 0;
  portMax = 0;
  randomFully = false;
  markValue = 0;
  markMask = 0;
  ref: RuleRef | null = null;
  constructor(
    readonly rule: Rule,
    readonly tableName: string,
    readonly chainName: string,
  ) {}
}

/** Position lists of one destination address: dst-only rules, and (proto, dport) lists. */
class DstBucket {
  constructor(
    readonly all: Int32Array,
    /** Port keys and their lists, searched linearly when few (a VIP has a handful of ports)… */
    readonly keys: Int32Array,
    readonly lists: Int32Array[],
    /** …or through a Map when there are many. */
    readonly map: Map<number, Int32Array> | null,
  ) {}

  byPort(key: number): Int32Array {
    if (this.map !== null) return this.map.get(key) ?? EMPTY;
    const k = this.keys;
    for (let i = 0; i < k.length; i++) if (k[i] === key) return this.lists[i]!;
    return EMPTY;
  }
}

/** Above this many ports per destination a DstBucket uses a Map. */
const BUCKET_LINEAR_MAX = 8;

/** A chain's index (module doc). Keys: dst as int32; ports as proto << 16 | dport. */
class ChainIndex {
  constructor(
    readonly byDst: Map<number, DstBucket>,
    readonly byPort: Map<number, Int32Array>,
    readonly wild: Int32Array,
  ) {}
}

/** A compiled chain. */
class CChain {
  rules: CRule[] = [];
  index: ChainIndex | null = null;
  constructor(readonly chain: Chain, readonly policy: Verdict) {}
}

/** A table compiled for evaluation; rebuilt lazily whenever `table.compiled` was reset. */
export class CompiledTable {
  /** The built-in chain of each hook (by Hook number), or null when the table has none there. */
  readonly base: (CChain | null)[] = [null, null, null, null, null];
  /**
   * An overlay's replacements (compileOverlay): a jump to a key chain goes to its value. Null
   * for a table compiled on its own.
   */
  redirect: Map<CChain, CChain> | null = null;
  constructor(readonly chains: Map<string, CChain>) {}
}

/** Chain lookup by name while compiling. */
interface ChainResolver {
  get(name: string): CChain | undefined;
}

/**
 * Compiles an overlay of `base` (the compiled form of another host's table): `changed` names the
 * chains whose rules differ, each with its rules, or null for a chain this table lacks. Only
 * those chains are compiled; every other chain is `base`'s own compiled chain, shared (with its
 * rule counters), and jumps into a changed chain are redirected to its replacement at
 * evaluation. Evaluation walks exactly the rules a table compiled from the merged chains would.
 * Preconditions: no chain the overlay keeps jumps to a chain it lacks (true of any valid ruleset).
 */
export function compileOverlay(table: Table, base: CompiledTable, changed: ReadonlyMap<string, Chain | null>): CompiledTable {
  const own = new Map<string, CChain>();
  for (const [name, c] of changed) if (c !== null) own.set(name, new CChain(c, c.policy === 'DROP' ? Verdict.DROP : Verdict.ACCEPT));
  const resolve: ChainResolver = { get: (name) => own.get(name) ?? (changed.has(name) ? undefined : base.chains.get(name)) };
  for (const cc of own.values()) {
    cc.rules = cc.chain.rules.map((r, pos) => compileRule(table, cc.chain.name, r, pos, resolve));
    cc.index = buildIndex(cc.rules);
  }
  const ct = new CompiledTable(own);
  const redirect = new Map<CChain, CChain>();
  for (const [name, cc] of own) {
    const old = base.chains.get(name);
    if (old !== undefined) redirect.set(old, cc);
  }
  ct.redirect = redirect.size > 0 ? redirect : null;
  HOOK_NAMES.forEach((h, i) => {
    const b = base.base[i] ?? null;
    ct.base[i] = b === null ? null : (redirect.get(b) ?? b);
  });
  return ct;
}

/** Compiles (or returns the cached compilation of) a table. */
export function compileTable(table: Table): CompiledTable {
  if (table.compiled !== null) return table.compiled;
  const chains = new Map<string, CChain>();
  for (const c of table.chains.values()) chains.set(c.name, new CChain(c, c.policy === 'DROP' ? Verdict.DROP : Verdict.ACCEPT));
  for (const cc of chains.values()) {
    cc.rules = cc.chain.rules.map((r, pos) => compileRule(table, cc.chain.name, r, pos, chains));
    cc.index = buildIndex(cc.rules);
  }
  const ct = new CompiledTable(chains);
  HOOK_NAMES.forEach((h, i) => {
    const c = chains.get(h);
    if (c !== undefined && c.chain.builtin) ct.base[i] = c;
  });
  table.compiled = ct;
  return ct;
}

function compileRule(table: Table, chainName: string, r: Rule, pos: number, chains: ChainResolver): CRule {
  const c = new CRule(r, table.name, chainName);
  c.pos = pos;
  c.packets = r.counters.packets;
  c.bytes = r.counters.bytes;
  r.counters = c;
  if (r.src) {
    c.srcNet = r.src.cidr.network | 0;
    c.srcMask = r.src.cidr.mask | 0;
    c.srcInv = r.src.invert;
  }
  if (r.dst) {
    c.dstNet = r.dst.cidr.network | 0;
    c.dstMask = r.dst.cidr.mask | 0;
    c.dstInv = r.dst.invert;
  }
  if (r.proto) {
    c.proto = r.proto.proto;
    c.protoInv = r.proto.invert;
  }
  if (r.inIface) {
    c.inPrefix = r.inIface.name.endsWith('+');
    c.inName = c.inPrefix ? r.inIface.name.slice(0, -1) : r.inIface.name;
    c.inInv = r.inIface.invert;
  }
  if (r.outIface) {
    c.outPrefix = r.outIface.name.endsWith('+');
    c.outName = c.outPrefix ? r.outIface.name.slice(0, -1) : r.outIface.name;
    c.outInv = r.outIface.invert;
  }
  for (const m of r.matches) {
    const cm = compileMatch(m, table);
    if (cm !== null) c.matches.push(cm);
  }
  // The first tcp/udp match moves next to the header check when no match with side effects
  // (statistic, recent) precedes it: the matches before it are pure, so the rule's outcome and
  // side effects do not depend on which of them fails first.
  for (let i = 0; i < c.matches.length; i++) {
    const m = c.matches[i]!;
    if (m.kind === M_STATISTIC || m.kind === M_RECENT) break;
    if (m.kind === M_PORTS) {
      c.hasPorts = true;
      [c.sMin, c.sMax, c.sInv, c.dMin, c.dMax, c.dInv] = [m.a, m.b, m.inv, m.c, m.d, m.inv2];
      c.matches.splice(i, 1);
      break;
    }
  }
  c.nMatches = c.matches.length;
  const t = r.target;
  switch (t.kind) {
    case 'none':
      c.tk = T_NONE;
      break;
    case 'jump':
    case 'goto':
      c.chain = chains.get(t.chain) ?? null;
      // A dangling jump cannot survive a restore's COMMIT checks; if one did, it does nothing.
      c.tk = c.chain === null ? T_NONE : t.kind === 'jump' ? T_JUMP : T_GOTO;
      break;
    case 'ACCEPT':
      c.tk = T_ACCEPT;
      break;
    case 'DROP':
      c.tk = T_DROP;
      break;
    case 'RETURN':
      c.tk = T_RETURN;
      break;
    case 'REJECT':
      c.tk = T_REJECT;
      c.rejectWith = t.rejectWith;
      break;
    case 'DNAT':
    case 'SNAT':
      c.tk = t.kind === 'DNAT' ? T_DNAT : T_SNAT;
      c.natHasAddr = t.range.addrMin !== null;
      c.natMin = t.range.addrMin ?? 0;
      c.natMax = t.range.addrMax ?? 0;
      c.portMin = t.range.ports?.min ?? 0;
      c.portMax = t.range.ports?.max ?? 0;
      c.randomFully = t.kind === 'SNAT' && t.randomFully;
      break;
    case 'MASQUERADE':
      c.tk = T_MASQUERADE;
      c.portMin = t.ports?.min ?? 0;
      c.portMax = t.ports?.max ?? 0;
      c.randomFully = t.randomFully;
      break;
    case 'MARK':
      c.tk = T_MARK;
      c.markValue = t.value;
      c.markMask = t.mask;
      break;
  }
  return c;
}

function compileMatch(m: Match, table: Table): CMatch | null {
  const c = new CMatch();
  switch (m.module) {
    case 'comment':
    case 'nfacct':
      return null;
    case 'tcp':
    case 'udp':
      c.kind = M_PORTS;
      c.a = m.sport?.min ?? 0;
      c.b = m.sport?.max ?? 65535;
      c.inv = m.sport?.invert ?? false;
      c.c = m.dport?.min ?? 0;
      c.d = m.dport?.max ?? 65535;
      c.inv2 = m.dport?.invert ?? false;
      return c;
    case 'multiport':
      c.kind = M_MULTIPORT;
      c.a = m.direction === 'sports' ? 1 : m.direction === 'dports' ? 2 : 3;
      c.ports = Int32Array.from(m.ports.flatMap((p) => [p.min, p.max]));
      c.inv = m.invert;
      return c;
    case 'addrtype':
      c.kind = M_ADDRTYPE;
      c.a = m.src?.mask ?? 0;
      c.inv = m.src?.invert ?? false;
      c.b = m.dst?.mask ?? 0;
      c.inv2 = m.dst?.invert ?? false;
      return c;
    case 'statistic':
      c.kind = M_STATISTIC;
      c.a = m.probability;
      c.inv = m.invert;
      return c;
    case 'recent': {
      c.kind = M_RECENT;
      c.a = { set: RECENT_SET, rcheck: RECENT_CHECK, update: RECENT_UPDATE, remove: RECENT_REMOVE }[m.command];
      c.b = m.seconds;
      c.c = m.hitcount;
      c.d = m.mask | 0;
      c.e = m.side === 'dest' ? 1 : 0;
      c.inv = m.invert;
      c.inv2 = m.reap;
      const lists = table.state.recent;
      let list = lists.get(m.name);
      if (list === undefined) {
        list = new RecentList(m.name, table.state.recentListMax);
        lists.set(m.name, list);
      }
      c.recent = list;
      return c;
    }
    case 'mark':
      c.kind = M_MARK;
      c.a = m.mark | 0;
      c.b = m.mask | 0;
      c.inv = m.invert;
      return c;
    case 'conntrack':
      c.kind = M_CONNTRACK;
      if (m.ctstate) {
        c.c |= 1;
        c.a = m.ctstate.mask;
        c.inv = m.ctstate.invert;
      }
      if (m.ctstatus) {
        c.c |= 2;
        c.b = m.ctstatus.mask;
        c.inv2 = m.ctstatus.invert;
      }
      return c;
    case 'state':
      c.kind = M_CONNTRACK;
      c.c = 1;
      c.a = m.state.mask;
      c.inv = m.state.invert;
      return c;
    case 'icmp':
      c.kind = M_ICMP;
      c.a = m.type;
      c.inv = m.invert;
      return c;
  }
}

/**
 * The (proto << 16 | dport) key of a rule, or -1 when its port cannot be an index key. Only a
 * hoisted port match qualifies: compileRule hoists it only when no statistic/recent precedes it.
 */
function portKey(r: CRule): number {
  if (r.protoInv || (r.proto !== 6 && r.proto !== 17) || !r.hasPorts) return -1;
  return r.dMin === r.dMax && !r.dInv ? (r.proto << 16) | r.dMin : -1;
}

function buildIndex(rules: CRule[]): ChainIndex | null {
  if (rules.length < INDEX_MIN) return null;
  const byDst = new Map<number, { all: number[]; byPort: Map<number, number[]> }>();
  const byPort = new Map<number, number[]>();
  const wild: number[] = [];
  for (const r of rules) {
    const exactDst = r.dstMask === -1 && !r.dstInv;
    const key = portKey(r);
    if (exactDst) {
      let b = byDst.get(r.dstNet);
      if (b === undefined) byDst.set(r.dstNet, (b = { all: [], byPort: new Map() }));
      if (key < 0) b.all.push(r.pos);
      else {
        let l = b.byPort.get(key);
        if (l === undefined) b.byPort.set(key, (l = []));
        l.push(r.pos);
      }
    } else if (key >= 0) {
      let l = byPort.get(key);
      if (l === undefined) byPort.set(key, (l = []));
      l.push(r.pos);
    } else wild.push(r.pos);
  }
  if (wild.length === rules.length) return null;
  const dst = new Map<number, DstBucket>();
  for (const [k, b] of byDst) {
    const keys = [...b.byPort.keys()];
    const lists = [...b.byPort.values()].map((l) => Int32Array.from(l));
    const small = keys.length <= BUCKET_LINEAR_MAX;
    const map = small ? null : new Map(keys.map((pk, i) => [pk, lists[i]!] as const));
    dst.set(k, new DstBucket(b.all.length ? Int32Array.from(b.all) : EMPTY, small ? Int32Array.from(keys) : EMPTY, small ? lists : [], map));
  }
  const port = new Map<number, Int32Array>();
  for (const [k, l] of byPort) port.set(k, Int32Array.from(l));
  return new ChainIndex(dst, port, wild.length ? Int32Array.from(wild) : EMPTY);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** One level of the jump stack; pooled, so a traversal allocates nothing. */
class Frame {
  chain: CChain | null = null;
  /** The next position a linear walk would evaluate (for rulesEvaluated). */
  cursor = 0;
  indexed = false;
  l0: Int32Array = EMPTY;
  l1: Int32Array = EMPTY;
  l2: Int32Array = EMPTY;
  l3: Int32Array = EMPTY;
  c0 = 0;
  c1 = 0;
  c2 = 0;
  c3 = 0;
}

const frames: Frame[] = [];

function frameAt(i: number): Frame {
  let f = frames[i];
  if (f === undefined) frames[i] = f = new Frame();
  return f;
}

function enter(f: Frame, chain: CChain, pkt: NfPacket, useIndex: boolean): void {
  f.chain = chain;
  f.cursor = 0;
  const ix = useIndex ? chain.index : null;
  if (ix === null) {
    f.indexed = false;
    return;
  }
  f.indexed = true;
  const key = (pkt.proto << 16) | pkt.dport;
  const b = ix.byDst.get(pkt.dst | 0);
  if (b !== undefined) {
    f.l0 = b.all;
    f.l1 = b.byPort(key);
  } else {
    f.l0 = EMPTY;
    f.l1 = EMPTY;
  }
  f.l2 = ix.byPort.get(key) ?? EMPTY;
  f.l3 = ix.wild;
  f.c0 = f.c1 = f.c2 = f.c3 = 0;
}

/** The next candidate position of an indexed frame (smallest head of the four lists), or -1. */
function nextIndexed(f: Frame): number {
  let best = 0x7fffffff;
  let which = -1;
  if (f.c0 < f.l0.length && f.l0[f.c0]! < best) {
    best = f.l0[f.c0]!;
    which = 0;
  }
  if (f.c1 < f.l1.length && f.l1[f.c1]! < best) {
    best = f.l1[f.c1]!;
    which = 1;
  }
  if (f.c2 < f.l2.length && f.l2[f.c2]! < best) {
    best = f.l2[f.c2]!;
    which = 2;
  }
  if (f.c3 < f.l3.length && f.l3[f.c3]! < best) {
    best = f.l3[f.c3]!;
    which = 3;
  }
  if (which === 0) f.c0++;
  else if (which === 1) f.c1++;
  else if (which === 2) f.c2++;
  else if (which === 3) f.c3++;
  else return -1;
  return best;
}

/** The RTN_* type of an address as Linux's inet_addr_type sees it (only what kubewire knows). */
function addrType(a: number, env: NfEnv): number {
  if (a >>> 24 === 0 || a >>> 0 === 0xffffffff) return 3; // zeronet and limited broadcast: BROADCAST
  if (a >>> 28 === 14) return 5; // 224.0.0.0/4: MULTICAST
  return env.isLocal(a >>> 0) ? 2 : 1; // LOCAL : UNICAST
}

function matchOne(m: CMatch, pkt: NfPacket, env: NfEnv): boolean {
  switch (m.kind) {
    case M_PORTS:
      if ((pkt.sport >= m.a && pkt.sport <= m.b) === m.inv) return false;
      return (pkt.dport >= m.c && pkt.dport <= m.d) !== m.inv2;
    case M_MULTIPORT: {
      const p = m.ports;
      let hit = false;
      for (let i = 0; i < p.length; i += 2) {
        if (((m.a & 1) !== 0 && pkt.sport >= p[i]! && pkt.sport <= p[i + 1]!) || ((m.a & 2) !== 0 && pkt.dport >= p[i]! && pkt.dport <= p[i + 1]!)) {
          hit = true;
          break;
        }
      }
      return hit !== m.inv;
    }
    case M_ADDRTYPE:
      if (m.a !== 0 && (((m.a >> addrType(pkt.src, env)) & 1) !== 0) === m.inv) return false;
      if (m.b !== 0 && (((m.b >> addrType(pkt.dst, env)) & 1) !== 0) === m.inv2) return false;
      return true;
    case M_STATISTIC:
      // xt_statistic: (get_random_u32() & 0x7fffffff) < probability, the draw scaled to 31 bits.
      return Math.floor(env.random() * 2147483648) < m.a !== m.inv;
    case M_RECENT:
      return recentMatch(m.recent!, ((m.e === 0 ? pkt.src : pkt.dst) & m.d) >>> 0, env.now, m.a, m.inv, m.b, m.inv2, m.c);
    case M_MARK:
      return ((pkt.mark & m.b) === m.a) !== m.inv;
    case M_CONNTRACK:
      if ((m.c & 1) !== 0 && ((pkt.ctState & m.a) !== 0) === m.inv) return false;
      if ((m.c & 2) !== 0 && (((pkt.ctStatus ?? 0) & m.b) !== 0) === m.inv2) return false;
      return true;
    case M_ICMP:
      // NfPacket carries no ICMP code, so a type/code match checks the type only.
      return (m.a === 255 || pkt.icmpType === m.a) !== m.inv;
  }
  return true;
}

function matchRule(r: CRule, pkt: NfPacket, env: NfEnv): boolean {
  if (((pkt.src & r.srcMask) === r.srcNet) === r.srcInv) return false;
  if (((pkt.dst & r.dstMask) === r.dstNet) === r.dstInv) return false;
  if (r.proto !== 0 && (pkt.proto === r.proto) === r.protoInv) return false;
  if (r.inName !== null && (r.inPrefix ? pkt.inIface.startsWith(r.inName) : pkt.inIface === r.inName) === r.inInv) return false;
  if (r.outName !== null && (r.outPrefix ? pkt.outIface.startsWith(r.outName) : pkt.outIface === r.outName) === r.outInv) return false;
  if (r.hasPorts) {
    if ((pkt.sport >= r.sMin && pkt.sport <= r.sMax) === r.sInv) return false;
    if ((pkt.dport >= r.dMin && pkt.dport <= r.dMax) === r.dInv) return false;
  }
  const n = r.nMatches;
  if (n === 0) return true;
  const ms = r.matches;
  for (let i = 0; i < n; i++) if (!matchOne(ms[i]!, pkt, env)) return false;
  return true;
}

function refOf(r: CRule): RuleRef {
  return (r.ref ??= { table: r.tableName, chain: r.chainName, index: r.pos + 1, text: formatRule(r.tableName, r.chainName, r.rule) });
}

function applyPolicy(base: CChain, pkt: NfPacket, out: TraverseResult): void {
  out.verdict = base.policy;
  out.byPolicy = true;
  base.chain.counters.packets++;
  base.chain.counters.bytes += pkt.length ?? 0;
}

function run(table: Table, hook: Hook, pkt: NfPacket, env: NfEnv, out: TraverseResult, recordPath: boolean, useIndex: boolean): void {
  const ct = table.compiled ?? compileTable(table);
  const base = ct.base[hook];
  const redirect = ct.redirect;
  out.byPolicy = false;
  if (base === null || base === undefined) {
    out.verdict = Verdict.ACCEPT;
    return;
  }
  if (base.rules.length === 0) {
    applyPolicy(base, pkt, out);
    return;
  }
  let sp = 0;
  let f = frameAt(0);
  enter(f, base, pkt, useIndex);
  for (;;) {
    const ch = f.chain!;
    const p = f.indexed ? nextIndexed(f) : f.cursor < ch.rules.length ? f.cursor : -1;
    if (p < 0) {
      // Fell off the end: every remaining rule was evaluated and failed.
      out.rulesEvaluated += ch.rules.length - f.cursor;
      if (sp === 0) {
        applyPolicy(base, pkt, out);
        return;
      }
      f = frames[--sp]!;
      continue;
    }
    out.rulesEvaluated += p - f.cursor + 1;
    f.cursor = p + 1;
    const r = ch.rules[p]!;
    if (!matchRule(r, pkt, env)) continue;
    r.packets++;
    r.bytes += pkt.length ?? 0;
    if (recordPath) out.path.push(refOf(r));
    switch (r.tk) {
      case T_NONE:
        continue;
      case T_MARK:
        pkt.mark = ((pkt.mark & ~r.markMask) ^ r.markValue) >>> 0;
        continue;
      case T_JUMP:
        f = frameAt(++sp);
        enter(f, redirect === null ? r.chain! : (redirect.get(r.chain!) ?? r.chain!), pkt, useIndex);
        continue;
      case T_GOTO:
        enter(f, redirect === null ? r.chain! : (redirect.get(r.chain!) ?? r.chain!), pkt, useIndex);
        continue;
      case T_RETURN:
        if (sp === 0) {
          applyPolicy(base, pkt, out);
          return;
        }
        f = frames[--sp]!;
        continue;
      case T_ACCEPT:
        out.verdict = Verdict.ACCEPT;
        return;
      case T_DROP:
        out.verdict = Verdict.DROP;
        return;
      case T_REJECT:
        out.verdict = Verdict.REJECT;
        out.rejectWith = r.rejectWith;
        return;
      case T_DNAT:
      case T_SNAT:
        out.verdict = Verdict.ACCEPT;
        out.nat = r.tk === T_DNAT ? NatKind.DNAT : NatKind.SNAT;
        if (r.natHasAddr) {
          out.natAddrMin = r.natMin;
          out.natAddrMax = r.natMax;
        } else {
          // Port-only mapping (`--to-destination :8080`): the address stays.
          out.natAddrMin = out.natAddrMax = r.tk === T_DNAT ? pkt.dst : pkt.src;
        }
        out.natPortMin = r.portMin;
        out.natPortMax = r.portMax;
        out.natRandomFully = r.randomFully;
        return;
      case T_MASQUERADE:
        out.verdict = Verdict.ACCEPT;
        out.nat = NatKind.MASQUERADE;
        out.natAddrMin = out.natAddrMax = 0;
        out.natPortMin = r.portMin;
        out.natPortMax = r.portMax;
        out.natRandomFully = r.randomFully;
        return;
    }
  }
}

/** Resets a TraverseResult before a hook's evaluation (keeps the path array, emptied). */
export function resetTraverseResult(out: TraverseResult): void {
  out.verdict = Verdict.ACCEPT;
  out.rejectWith = '';
  out.nat = NatKind.NONE;
  out.natAddrMin = 0;
  out.natAddrMax = 0;
  out.natPortMin = 0;
  out.natPortMax = 0;
  out.natRandomFully = false;
  out.rulesEvaluated = 0;
  if (out.path.length !== 0) out.path.length = 0;
  out.byPolicy = false;
}

/**
 * Runs one table's chain for `hook` (indexed). Sets `out.verdict`/`byPolicy` (and the reject
 * and nat fields when a rule decides them); adds to `out.rulesEvaluated` and `out.path` without
 * clearing them (call resetTraverseResult first). MARK rules update `pkt.mark`.
 */
export function traverse(table: Table, hook: Hook, pkt: NfPacket, env: NfEnv, out: TraverseResult, recordPath: boolean): void {
  run(table, hook, pkt, env, out, recordPath, true);
}

/** The same walk as `traverse` without indexes: a plain linear scan, the reference the index must equal. */
export function traverseLinear(table: Table, hook: Hook, pkt: NfPacket, env: NfEnv, out: TraverseResult, recordPath: boolean): void {
  run(table, hook, pkt, env, out, recordPath, false);
}

/**
 * Runs every table of `hook` in Linux order (netfilter.ts HOOK_TABLES) and leaves the combined
 * outcome in `out` (reset first). Stops at the first DROP or REJECT. The nat table is skipped
 * unless `natAllowed` (the caller says this is the first packet of its connection, §8 "Hooks").
 * `byPolicy` ends up true for a DROP/REJECT that came from the dropping table's policy, and for
 * an ACCEPT only when every table consulted accepted by policy (no rule said ACCEPT or NAT).
 */
export function evaluateHook(
  nf: Netfilter,
  hook: Hook,
  pkt: NfPacket,
  env: NfEnv,
  out: TraverseResult,
  recordPath: boolean,
  natAllowed: boolean,
): void {
  resetTraverseResult(out);
  const tables = nf.hookTables[hook]!;
  let allPolicy = true;
  for (let i = 0; i < tables.length; i++) {
    const t = tables[i]!;
    if (!natAllowed && t.isNat) continue;
    // Fast path: a built-in chain with no rules just applies its policy (most hooks, most packets).
    const base = (t.compiled ?? compileTable(t)).base[hook];
    if (base === null || base === undefined) continue;
    if (base.rules.length === 0) {
      base.chain.counters.packets++;
      base.chain.counters.bytes += pkt.length ?? 0;
      if (base.policy !== Verdict.ACCEPT) {
        out.verdict = base.policy;
        out.byPolicy = true;
        return;
      }
      continue;
    }
    run(t, hook, pkt, env, out, recordPath, true);
    if (out.verdict !== Verdict.ACCEPT) return;
    if (!out.byPolicy) allPolicy = false;
  }
  out.byPolicy = allPolicy;
}
