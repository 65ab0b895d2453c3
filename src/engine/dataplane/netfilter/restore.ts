/**
 * An `iptables-restore` parser for the subset kube-proxy and people write
 * (shared/docs/kube-proxy-iptables.md §4-§6 for what kube-proxy writes, §9 for how it comes back).
 *
 * Supported: `*table`, `:CHAIN POLICY [p:b]`, `COMMIT`, `#` comments, an optional `[p:b]`
 * counter prefix, and the commands -A/--append, -I/--insert [n], -D/--delete (by number or by
 * rule spec), -R/--replace, -N/--new-chain, -X/--delete-chain, -F/--flush, -P/--policy. Words
 * are split on blanks; `"…"` groups with backslash escapes (`\"`, `\\`, any `\c` is c) and `'…'`
 * groups literally, as a shell would.
 *
 * Semantics, as iptables-restore 1.8 (nf_tables) behaves:
 * - without `noflush`, `*table` empties the table first (all rules and user chains go, built-in
 *   policies return to ACCEPT unless declared again);
 * - with `noflush` (what kube-proxy uses, §4), a `:CHAIN - [0:0]` line flushes that user chain if
 *   it exists or creates it; chains not declared keep their rules; declaring a built-in chain sets
 *   its policy and does not flush it;
 * - jumps may name chains declared later in the same table; they are checked at COMMIT, as are
 *   ruleset loops and targets used from hooks they do not support (the kernel's checks).
 *
 * Errors: `restoreNetfilter` never throws. It returns `{ok: false, errors}`, each error with a
 * 1-based line and column and a message; parsing continues after a bad line so that several
 * errors can be reported at once (at most MAX_ERRORS). A restore is all or nothing: when there
 * is any error, no table changes. (Real iptables-restore keeps the tables it already
 * COMMITted before the failing one; kubewire prefers leaving the host untouched.)
 */
import { Cidr, parseIpv4, type Ipv4Addr } from '../../wire/addr.ts';
import type { Netfilter } from './netfilter.ts';
import {
  ADDR_TYPES,
  BUILTIN_CHAINS,
  builtinChains,
  cloneChains,
  newChain,
  TABLE_NAMES,
  type AddrSpec,
  type Chain,
  type IfaceSpec,
  type MaskSpec,
  type Match,
  type NatRange,
  type Policy,
  type PortRange,
  type PortSpec,
  type ProtoSpec,
  type RejectWith,
  type Rule,
  type TableName,
  type Target,
} from './rule.ts';
import { formatRule, protoNumber } from './save.ts';
import { CtState, NfCtStatus, HOOK_NAMES } from './types.ts';

/** Options of a restore, as the iptables-restore flags of the same names. */
export interface RestoreOptions {
  /** `--noflush`: keep chains the text does not declare; a declared chain is flushed. */
  noflush?: boolean;
  /** `--counters`: take `[pkts:bytes]` from chain lines and rule prefixes. */
  counters?: boolean;
}

/** One problem in a restore text, at a 1-based line and column. */
export interface NfRestoreError {
  line: number;
  column: number;
  message: string;
}

/** The outcome of a restore: applied, or not applied with the reasons. */
export type RestoreResult = { ok: true } | { ok: false; errors: NfRestoreError[] };

/** At most this many errors are reported for one text. */
export const MAX_ERRORS = 100;

/** An error as one line of text: `line 12: unknown match module 'foo'`. */
export function formatRestoreError(e: NfRestoreError): string {
  return `line ${e.line}: ${e.message}`;
}

/** A word of a line and its 1-based column. */
interface Tok {
  readonly t: string;
  readonly col: number;
}

/** Raised inside this module only and always turned into an NfRestoreError. */
class LineError {
  constructor(readonly col: number, readonly message: string) {}
}

/** Splits one line into words (module doc: quoting rules). */
export function tokenize(line: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const start = i;
    // Fast path: a word without quotes is a slice of the line (no string built char by char).
    let j = i;
    for (; j < n; j++) {
      const cc = line.charCodeAt(j);
      if (cc === 32 || cc === 9 || cc === 34 || cc === 39) break;
    }
    if (j === n || line.charCodeAt(j) === 32 || line.charCodeAt(j) === 9) {
      out.push({ t: line.slice(i, j), col: start + 1 });
      i = j;
      continue;
    }
    let word = line.slice(i, j);
    i = j;
    while (i < n && line[i] !== ' ' && line[i] !== '\t') {
      const ch = line[i]!;
      if (ch === '"') {
        const q = i++;
        for (;;) {
          if (i >= n) throw new LineError(q + 1, 'unterminated quoted string');
          const d = line[i]!;
          if (d === '\\') {
            if (i + 1 >= n) throw new LineError(q + 1, 'unterminated quoted string');
            word += line[i + 1]!;
            i += 2;
          } else if (d === '"') {
            i++;
            break;
          } else {
            word += d;
            i++;
          }
        }
      } else if (ch === "'") {
        const q = i++;
        const end = line.indexOf("'", i);
        if (end < 0) throw new LineError(q + 1, 'unterminated quoted string');
        word += line.slice(i, end);
        i = end + 1;
      } else {
        word += ch;
        i++;
      }
    }
    out.push({ t: word, col: start + 1 });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

const MAX_CHAIN_NAME = 28; // XT_EXTENSION_MAXNAMELEN - 1
const MAX_COMMENT = 255; // XT_MAX_COMMENT_LEN - 1
const MAX_IFNAME = 15; // IFNAMSIZ - 1

/** Target names that can never be chains (the ones kubewire implements). */
const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK']);

/** Real iptables targets kubewire does not implement: named in the error instead of "undefined chain". */
const UNSUPPORTED_TARGETS = new Set([
  'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CONNMARK', 'CONNSECMARK', 'CT', 'DSCP', 'HMARK', 'IDLETIMER', 'LED', 'LOG',
  'NETMAP', 'NFLOG', 'NFQUEUE', 'NOTRACK', 'QUEUE', 'RATEEST', 'REDIRECT', 'SECMARK', 'SET', 'SYNPROXY', 'TCPMSS',
  'TEE', 'TOS', 'TPROXY', 'TRACE', 'TTL', 'ULOG',
]);

function checkChainName(name: string, col: number): void {
  if (name === '') throw new LineError(col, 'empty chain name');
  if (name.length > MAX_CHAIN_NAME) throw new LineError(col, `chain name '${name}' is longer than ${MAX_CHAIN_NAME} characters`);
  if (name[0] === '-' || name[0] === '!') throw new LineError(col, `invalid chain name '${name}'`);
  // A blank or a quote (possible through quoting) could not be written back by iptables-save.
  if (/[\s"']/.test(name)) throw new LineError(col, `invalid chain name '${name}'`);
  if (TARGETS.has(name)) throw new LineError(col, `chain name '${name}' clashes with a target name`);
}

function parseUint(text: string, col: number, what: string, max: number): number {
  if (!/^\d+$/.test(text)) throw new LineError(col, `invalid ${what} '${text}'`);
  const v = Number(text);
  if (v > max) throw new LineError(col, `${what} '${text}' out of range (max ${max})`);
  return v;
}

/** strtoul(…, 0): 0x hex, leading-0 octal, else decimal; 32 bits. */
function parseU32(text: string, col: number, what: string): number {
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) v = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) v = parseInt(text.slice(1), 8);
  else if (/^\d+$/.test(text)) v = Number(text);
  else throw new LineError(col, `invalid ${what} '${text}'`);
  if (!(v <= 0xffffffff)) throw new LineError(col, `${what} '${text}' out of range`);
  return v >>> 0;
}

/** `value[/mask]`; the mask defaults to 0xffffffff. */
function parseMarkMask(text: string, col: number, what: string): { value: number; mask: number } {
  const slash = text.indexOf('/');
  if (slash < 0) return { value: parseU32(text, col, what), mask: 0xffffffff };
  return { value: parseU32(text.slice(0, slash), col, what), mask: parseU32(text.slice(slash + 1), col, what) };
}

/** Prefix length of a dotted netmask, or -1 when not contiguous. */
function maskPrefix(m: number): number {
  let len = 0;
  while (len < 32 && (m & (0x80000000 >>> len)) !== 0) len++;
  const rest = len === 32 ? 0 : (m << len) >>> 0;
  return rest === 0 ? len : -1;
}

function parseAddr(text: string, col: number): Cidr {
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const a = parseIpv4(text.slice(0, slash));
    const m = text.slice(slash + 1);
    if (a !== null && m.includes('.')) {
      const mask = parseIpv4(m);
      const len = mask === null ? -1 : maskPrefix(mask);
      if (len < 0) throw new LineError(col, `invalid mask '${m}' (kubewire supports contiguous masks only)`);
      return new Cidr(a, len);
    }
  }
  const c = Cidr.parse(text);
  if (c === null || text.trim() !== text) throw new LineError(col, `invalid address '${text}'`);
  return c;
}

const PORT_NAMES: Readonly<Record<string, number>> = { ssh: 22, smtp: 25, domain: 53, http: 80, ntp: 123, https: 443 };

function parsePort(text: string, col: number): number {
  const named = PORT_NAMES[text];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new LineError(col, `invalid port '${text}'`);
  return Number(text);
}

/** `a`, `a:b`, `:b`, `a:` (libxt_tcp). */
function parsePortRange(text: string, col: number): PortRange {
  const i = text.indexOf(':');
  if (i < 0) {
    const p = parsePort(text, col);
    return { min: p, max: p };
  }
  const min = i === 0 ? 0 : parsePort(text.slice(0, i), col);
  const max = i === text.length - 1 ? 65535 : parsePort(text.slice(i + 1), col);
  if (min > max) throw new LineError(col, `invalid port range '${text}' (min > max)`);
  return { min, max };
}

function parseNatRange(text: string, col: number, portsAllowed: boolean): NatRange {
  const i = text.indexOf(':');
  const a = i < 0 ? text : text.slice(0, i);
  const p = i < 0 ? null : text.slice(i + 1);
  let addrMin: Ipv4Addr | null = null;
  let addrMax: Ipv4Addr | null = null;
  if (a !== '') {
    const dash = a.indexOf('-');
    addrMin = parseIpv4(dash < 0 ? a : a.slice(0, dash));
    addrMax = dash < 0 ? addrMin : parseIpv4(a.slice(dash + 1));
    if (addrMin === null || addrMax === null) throw new LineError(col, `invalid address range '${a}'`);
    if (addrMax < addrMin) throw new LineError(col, `invalid address range '${a}' (min > max)`);
  }
  let ports: PortRange | null = null;
  if (p !== null) {
    if (!portsAllowed) throw new LineError(col, 'need -p tcp, udp, sctp or dccp with a port specification');
    const dash = p.indexOf('-');
    const min = parsePort(dash < 0 ? p : p.slice(0, dash), col);
    const max = dash < 0 ? min : parsePort(p.slice(dash + 1), col);
    if (min > max) throw new LineError(col, `invalid port range '${p}' (min > max)`);
    ports = { min, max };
  }
  if (addrMin === null && ports === null) throw new LineError(col, `invalid range '${text}'`);
  return { addrMin, addrMax, ports };
}

function parseBits(text: string, col: number, names: Readonly<Record<string, number>>, what: string): number {
  let mask = 0;
  for (const part of text.split(',')) {
    const b = names[part.toUpperCase()];
    if (b === undefined) throw new LineError(col, `unknown ${what} '${part}'`);
    mask |= b;
  }
  return mask;
}

const CTSTATE_NAMES: Readonly<Record<string, number>> = CtState;
const STATE_NAMES: Readonly<Record<string, number>> = {
  INVALID: CtState.INVALID,
  NEW: CtState.NEW,
  ESTABLISHED: CtState.ESTABLISHED,
  RELATED: CtState.RELATED,
  UNTRACKED: CtState.UNTRACKED,
};
const CTSTATUS_NAMES: Readonly<Record<string, number>> = { NONE: 0, ...NfCtStatus };
const ADDRTYPE_NAMES: Readonly<Record<string, number>> = Object.fromEntries(ADDR_TYPES.map((n, i) => [n, 1 << i]));

/** `--icmp-type` names (iptables --help's list, the common ones) → [type, codeMin, codeMax]. */
const ICMP_TYPES: Readonly<Record<string, readonly [number, number, number]>> = {
  any: [255, 0, 255],
  'echo-reply': [0, 0, 255],
  pong: [0, 0, 255],
  'destination-unreachable': [3, 0, 255],
  'network-unreachable': [3, 0, 0],
  'host-unreachable': [3, 1, 1],
  'protocol-unreachable': [3, 2, 2],
  'port-unreachable': [3, 3, 3],
  'fragmentation-needed': [3, 4, 4],
  'source-quench': [4, 0, 255],
  redirect: [5, 0, 255],
  'echo-request': [8, 0, 255],
  ping: [8, 0, 255],
  'time-exceeded': [11, 0, 255],
  'ttl-exceeded': [11, 0, 255],
  'ttl-zero-during-transit': [11, 0, 0],
  'parameter-problem': [12, 0, 255],
  'timestamp-request': [13, 0, 255],
  'timestamp-reply': [14, 0, 255],
};

const REJECT_WITH: Readonly<Record<string, RejectWith>> = {
  'icmp-net-unreachable': 'icmp-net-unreachable',
  'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable',
  'host-unreach': 'icmp-host-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable',
  'port-unreach': 'icmp-port-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable',
  'proto-unreach': 'icmp-proto-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited',
  'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited',
  'host-prohib': 'icmp-host-prohibited',
  'tcp-reset': 'tcp-reset',
  'tcp-rst': 'tcp-reset',
  'icmp-admin-prohibited': 'icmp-admin-prohibited',
  'admin-prohib': 'icmp-admin-prohibited',
};

// ---------------------------------------------------------------------------------------------
// Rule specs

/** What a module or target builder sees when the rule is complete. */
interface FinishCtx {
  readonly proto: ProtoSpec | null;
  readonly table: TableName;
}

/** Reads the next word as an option's argument. */
type ArgFn = () => Tok;

/** Collects the options of one -m module or the -j target. */
interface Builder {
  readonly name: string;
  readonly col: number;
  /** Takes `--opt` if it is this builder's (true), else false. `inv` is a preceding `!`. */
  option(opt: string, inv: boolean, arg: ArgFn, col: number): boolean;
  finish(ctx: FinishCtx): Match | Target;
}

function noInvert(opt: string, inv: boolean, col: number): void {
  if (inv) throw new LineError(col, `'!' is not allowed before --${opt}`);
}

function once(seen: Set<string>, opt: string, col: number): void {
  if (seen.has(opt)) throw new LineError(col, `multiple --${opt} options are not allowed`);
  seen.add(opt);
}

function isProto(ctx: FinishCtx, ...protos: number[]): boolean {
  return ctx.proto !== null && !ctx.proto.invert && protos.includes(ctx.proto.proto);
}

function matchBuilder(name: string, col: number): Builder {
  const seen = new Set<string>();
  switch (name) {
    case 'comment': {
      let comment: string | null = null;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt !== 'comment') return false;
          noInvert(opt, inv, c);
          once(seen, opt, c);
          const a = arg();
          if (a.t.length > MAX_COMMENT) throw new LineError(a.col, `comment may not be longer than ${MAX_COMMENT} characters`);
          comment = a.t;
          return true;
        },
        finish() {
          if (comment === null) throw new LineError(col, 'comment match needs --comment');
          return { module: 'comment', comment };
        },
      };
    }
    case 'tcp':
    case 'udp': {
      let sport: PortSpec | null = null;
      let dport: PortSpec | null = null;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          let key: 'sport' | 'dport';
          if (opt === 'sport' || opt === 'source-port') key = 'sport';
          else if (opt === 'dport' || opt === 'destination-port') key = 'dport';
          else if (name === 'tcp' && (opt === 'syn' || opt === 'tcp-flags' || opt === 'tcp-option'))
            throw new LineError(c, `tcp option --${opt} is not supported by kubewire`);
          else return false;
          once(seen, key, c);
          const a = arg();
          const spec = { ...parsePortRange(a.t, a.col), invert: inv };
          if (key === 'sport') sport = spec;
          else dport = spec;
          return true;
        },
        finish(ctx) {
          if (!isProto(ctx, name === 'tcp' ? 6 : 17)) throw new LineError(col, `${name} match requires -p ${name}`);
          return { module: name, sport, dport };
        },
      };
    }
    case 'multiport': {
      let direction: 'sports' | 'dports' | 'ports' | null = null;
      let ports: PortRange[] = [];
      let invert = false;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          let d: 'sports' | 'dports' | 'ports';
          if (opt === 'sports' || opt === 'source-ports') d = 'sports';
          else if (opt === 'dports' || opt === 'destination-ports') d = 'dports';
          else if (opt === 'ports') d = 'ports';
          else return false;
          if (direction !== null) throw new LineError(c, 'multiport accepts only one of --sports, --dports, --ports');
          direction = d;
          invert = inv;
          const a = arg();
          ports = a.t.split(',').map((p) => parsePortRange(p, a.col));
          const slots = ports.reduce((n, p) => n + (p.min === p.max ? 1 : 2), 0);
          if (slots > 15) throw new LineError(a.col, 'multiport accepts at most 15 ports (a range counts as two)');
          return true;
        },
        finish(ctx) {
          if (direction === null) throw new LineError(col, 'multiport needs --sports, --dports or --ports');
          if (!isProto(ctx, 6, 17, 33, 132, 136)) throw new LineError(col, 'multiport needs -p tcp, udp, udplite, sctp or dccp');
          return { module: 'multiport', direction, ports, invert };
        },
      };
    }
    case 'addrtype': {
      let src: MaskSpec | null = null;
      let dst: MaskSpec | null = null;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt === 'limit-iface-in' || opt === 'limit-iface-out')
            throw new LineError(c, `addrtype option --${opt} is not supported by kubewire`);
          if (opt !== 'src-type' && opt !== 'dst-type') return false;
          once(seen, opt, c);
          const a = arg();
          const spec = { mask: parseBits(a.t, a.col, ADDRTYPE_NAMES, 'address type'), invert: inv };
          if (opt === 'src-type') src = spec;
          else dst = spec;
          return true;
        },
        finish() {
          if (src === null && dst === null) throw new LineError(col, 'addrtype needs --src-type or --dst-type');
          return { module: 'addrtype', src, dst };
        },
      };
    }
    case 'statistic': {
      let mode: string | null = null;
      let probability: number | null = null;
      let invert = false;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt === 'mode') {
            noInvert(opt, inv, c);
            once(seen, opt, c);
            const a = arg();
            if (a.t === 'nth') throw new LineError(a.col, 'statistic --mode nth is not supported by kubewire');
            if (a.t !== 'random') throw new LineError(a.col, `unknown statistic mode '${a.t}'`);
            mode = a.t;
            return true;
          }
          if (opt === 'probability') {
            once(seen, opt, c);
            const a = arg();
            const p = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(a.t) ? Number(a.t) : NaN;
            if (!(p >= 0 && p <= 1)) throw new LineError(a.col, `invalid probability '${a.t}' (must be 0..1)`);
            // libxt_statistic: lround(0x80000000 * p), the kernel's fixed-point value.
            probability = Math.round(0x80000000 * p);
            invert = inv;
            return true;
          }
          if (opt === 'every' || opt === 'packet') throw new LineError(c, `statistic --${opt} is not supported by kubewire`);
          return false;
        },
        finish() {
          if (mode === null) throw new LineError(col, 'statistic needs --mode');
          if (probability === null) throw new LineError(col, 'statistic --mode random needs --probability');
          return { module: 'statistic', mode: 'random', probability, invert };
        },
      };
    }
    case 'recent': {
      let command: 'set' | 'rcheck' | 'update' | 'remove' | null = null;
      let invert = false;
      let seconds = 0;
      let reap = false;
      let hitcount = 0;
      let rname = 'DEFAULT';
      let mask = 0xffffffff;
      let side: 'source' | 'dest' = 'source';
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          switch (opt) {
            case 'set':
            case 'rcheck':
            case 'update':
            case 'remove':
              if (command !== null) throw new LineError(c, 'recent accepts only one of --set, --rcheck, --update, --remove');
              command = opt;
              invert = inv;
              return true;
            case 'seconds': {
              noInvert(opt, inv, c);
              once(seen, opt, c);
              const a = arg();
              seconds = parseUint(a.t, a.col, 'seconds', 0xffffffff);
              if (seconds === 0) throw new LineError(a.col, '--seconds must be greater than 0');
              return true;
            }
            case 'hitcount': {
              noInvert(opt, inv, c);
              once(seen, opt, c);
              const a = arg();
              hitcount = parseUint(a.t, a.col, 'hitcount', 255);
              return true;
            }
            case 'reap':
              noInvert(opt, inv, c);
              reap = true;
              return true;
            case 'name': {
              noInvert(opt, inv, c);
              once(seen, opt, c);
              const a = arg();
              if (a.t === '' || a.t.length > 200 || /[/\s]/.test(a.t)) throw new LineError(a.col, `invalid recent list name '${a.t}'`);
              rname = a.t;
              return true;
            }
            case 'mask': {
              noInvert(opt, inv, c);
              const a = arg();
              const m = parseIpv4(a.t);
              if (m === null) throw new LineError(a.col, `invalid mask '${a.t}'`);
              mask = m;
              return true;
            }
            case 'rsource':
            case 'rdest':
              noInvert(opt, inv, c);
              side = opt === 'rsource' ? 'source' : 'dest';
              return true;
            case 'rttl':
              throw new LineError(c, 'recent --rttl is not supported by kubewire');
            default:
              return false;
          }
        },
        finish() {
          if (command === null) throw new LineError(col, 'recent needs one of --set, --rcheck, --update, --remove');
          if ((command === 'set' || command === 'remove') && (seconds || hitcount || reap))
            throw new LineError(col, `recent --${command} cannot be combined with --seconds, --hitcount or --reap`);
          if (reap && !seconds) throw new LineError(col, 'recent --reap requires --seconds');
          return { module: 'recent', command, invert, seconds, reap, hitcount, name: rname, mask, side };
        },
      };
    }
    case 'mark': {
      let spec: { value: number; mask: number } | null = null;
      let invert = false;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt !== 'mark') return false;
          once(seen, opt, c);
          const a = arg();
          spec = parseMarkMask(a.t, a.col, 'mark');
          invert = inv;
          return true;
        },
        finish() {
          if (spec === null) throw new LineError(col, 'mark match needs --mark');
          return { module: 'mark', mark: spec.value, mask: spec.mask, invert };
        },
      };
    }
    case 'conntrack': {
      let ctstate: MaskSpec | null = null;
      let ctstatus: MaskSpec | null = null;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt === 'ctstate') {
            once(seen, opt, c);
            const a = arg();
            ctstate = { mask: parseBits(a.t, a.col, CTSTATE_NAMES, 'conntrack state'), invert: inv };
            return true;
          }
          if (opt === 'ctstatus') {
            once(seen, opt, c);
            const a = arg();
            ctstatus = { mask: parseBits(a.t, a.col, CTSTATUS_NAMES, 'conntrack status'), invert: inv };
            return true;
          }
          if (opt.startsWith('ct')) throw new LineError(c, `conntrack option --${opt} is not supported by kubewire`);
          return false;
        },
        finish() {
          if (ctstate === null && ctstatus === null) throw new LineError(col, 'conntrack needs --ctstate or --ctstatus');
          return { module: 'conntrack', ctstate, ctstatus };
        },
      };
    }
    case 'state': {
      let state: MaskSpec | null = null;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt !== 'state') return false;
          once(seen, opt, c);
          const a = arg();
          state = { mask: parseBits(a.t, a.col, STATE_NAMES, 'state'), invert: inv };
          return true;
        },
        finish() {
          if (state === null) throw new LineError(col, 'state match needs --state');
          return { module: 'state', state };
        },
      };
    }
    case 'icmp': {
      let spec: readonly [number, number, number] | null = null;
      let invert = false;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt !== 'icmp-type') return false;
          once(seen, opt, c);
          const a = arg();
          const named = ICMP_TYPES[a.t.toLowerCase()];
          if (named) spec = named;
          else {
            const m = /^(\d+)(?:\/(\d+))?$/.exec(a.t);
            if (!m) throw new LineError(a.col, `invalid ICMP type '${a.t}'`);
            const type = parseUint(m[1]!, a.col, 'ICMP type', 255);
            const code = m[2] === undefined ? null : parseUint(m[2], a.col, 'ICMP code', 255);
            spec = code === null ? [type, 0, 255] : [type, code, code];
          }
          invert = inv;
          return true;
        },
        finish(ctx) {
          if (spec === null) throw new LineError(col, 'icmp match needs --icmp-type');
          if (!isProto(ctx, 1)) throw new LineError(col, 'icmp match requires -p icmp');
          return { module: 'icmp', type: spec[0], codeMin: spec[1], codeMax: spec[2], invert };
        },
      };
    }
    case 'nfacct': {
      let acct: string | null = null;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt !== 'nfacct-name') return false;
          noInvert(opt, inv, c);
          once(seen, opt, c);
          const a = arg();
          if (a.t === '' || a.t.length > 31) throw new LineError(a.col, `invalid nfacct name '${a.t}'`);
          acct = a.t;
          return true;
        },
        finish() {
          if (acct === null) throw new LineError(col, 'nfacct match needs --nfacct-name');
          return { module: 'nfacct', name: acct };
        },
      };
    }
    default:
      throw new LineError(col, `unknown match module '${name}'`);
  }
}

function targetBuilder(name: string, col: number, table: TableName): Builder {
  const seen = new Set<string>();
  const plain = (target: Target): Builder => ({ name, col, option: () => false, finish: () => target });
  const natOnly = (): void => {
    if (table !== 'nat') throw new LineError(col, `${name} target is only valid in the nat table, not '${table}'`);
  };
  switch (name) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return plain({ kind: name });
    case 'REJECT': {
      if (table !== 'filter') throw new LineError(col, `REJECT target is only valid in the filter table, not '${table}'`);
      let rejectWith: RejectWith = 'icmp-port-unreachable';
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt !== 'reject-with') return false;
          noInvert(opt, inv, c);
          once(seen, opt, c);
          const a = arg();
          const w = REJECT_WITH[a.t];
          if (w === undefined) throw new LineError(a.col, `unknown --reject-with type '${a.t}'`);
          rejectWith = w;
          return true;
        },
        finish(ctx) {
          if (rejectWith === 'tcp-reset' && !isProto(ctx, 6)) throw new LineError(col, 'REJECT --reject-with tcp-reset requires -p tcp');
          return { kind: 'REJECT', rejectWith };
        },
      };
    }
    case 'DNAT':
    case 'SNAT': {
      natOnly();
      const toOpt = name === 'DNAT' ? 'to-destination' : 'to-source';
      let to: Tok | null = null;
      let random = false;
      let randomFully = false;
      let persistent = false;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt === toOpt) {
            noInvert(opt, inv, c);
            once(seen, opt, c);
            to = arg();
            return true;
          }
          if (opt === 'random' || opt === 'persistent' || (opt === 'random-fully' && name === 'SNAT')) {
            noInvert(opt, inv, c);
            if (opt === 'random') random = true;
            else if (opt === 'persistent') persistent = true;
            else randomFully = true;
            return true;
          }
          return false;
        },
        finish(ctx) {
          if (to === null) throw new LineError(col, `${name} needs --${toOpt}`);
          const range = parseNatRange(to.t, to.col, isProto(ctx, 6, 17, 33, 132));
          if (name === 'DNAT') return { kind: 'DNAT', range, random, persistent };
          return { kind: 'SNAT', range, random, randomFully, persistent };
        },
      };
    }
    case 'MASQUERADE': {
      natOnly();
      let ports: Tok | null = null;
      let random = false;
      let randomFully = false;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (opt === 'to-ports') {
            noInvert(opt, inv, c);
            once(seen, opt, c);
            ports = arg();
            return true;
          }
          if (opt === 'random' || opt === 'random-fully') {
            noInvert(opt, inv, c);
            if (opt === 'random') random = true;
            else randomFully = true;
            return true;
          }
          return false;
        },
        finish(ctx) {
          let pr: PortRange | null = null;
          if (ports !== null) {
            const p: Tok = ports;
            pr = parseNatRange(`:${p.t}`, p.col, isProto(ctx, 6, 17, 33, 132)).ports;
          }
          return { kind: 'MASQUERADE', ports: pr, random, randomFully };
        },
      };
    }
    case 'MARK': {
      let value: number | null = null;
      let mask = 0;
      return {
        name,
        col,
        option(opt, inv, arg, c) {
          if (!['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'].includes(opt)) return false;
          noInvert(opt, inv, c);
          if (value !== null) throw new LineError(c, 'MARK accepts only one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark');
          const a = arg();
          // libxt_MARK (revision 2) turns every form into (value, mask): mark = (mark & ~mask) ^ value.
          if (opt === 'set-xmark' || opt === 'set-mark') {
            const vm = parseMarkMask(a.t, a.col, 'mark');
            value = vm.value;
            mask = opt === 'set-mark' ? (vm.mask | vm.value) >>> 0 : vm.mask;
          } else {
            const v = parseU32(a.t, a.col, 'mark');
            if (opt === 'and-mark') [value, mask] = [0, ~v >>> 0];
            else if (opt === 'or-mark') [value, mask] = [v, v];
            else [value, mask] = [v, 0];
          }
          return true;
        },
        finish() {
          if (value === null) throw new LineError(col, 'MARK needs one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark');
          return { kind: 'MARK', value, mask };
        },
      };
    }
    default:
      throw new LineError(col, `unsupported target '${name}'`);
  }
}

/** A parsed rule and where its jump target was written (for COMMIT errors). */
interface ParsedRule {
  rule: Rule;
  jumpCol: number;
}

/** Parses the words of a rule spec (everything after `-A CHAIN`). */
function parseRuleTokens(toks: readonly Tok[], start: number, table: TableName, line: number, counters: { packets: number; bytes: number }): ParsedRule {
  let src: AddrSpec | null = null;
  let dst: AddrSpec | null = null;
  let inIface: IfaceSpec | null = null;
  let outIface: IfaceSpec | null = null;
  let proto: ProtoSpec | null = null;
  let protoSeen = false;
  const mods: Builder[] = [];
  let target: Builder | null = null;
  let jump: { kind: 'jump' | 'goto'; chain: string } | null = null;
  let jumpCol = 0;
  let inv = false;
  let invCol = 0;
  let i = start;

  const takeArg = (opt: string, col: number): Tok => {
    const a = toks[i];
    if (a === undefined) throw new LineError(col, `option ${opt} requires an argument`);
    i++;
    return a;
  };

  while (i < toks.length) {
    const tok = toks[i++]!;
    const t = tok.t;
    if (t === '!') {
      if (inv) throw new LineError(tok.col, "multiple '!' are not allowed");
      inv = true;
      invCol = tok.col;
      continue;
    }
    if (t.length < 2 || t[0] !== '-') throw new LineError(tok.col, `unexpected argument '${t}'`);
    let opt = t;
    let inline: Tok | null = null;
    const eq = t.startsWith('--') ? t.indexOf('=') : -1;
    if (eq > 0) {
      opt = t.slice(0, eq);
      inline = { t: t.slice(eq + 1), col: tok.col + eq + 1 };
    }
    const arg = (): Tok => {
      if (inline !== null) {
        const a = inline;
        inline = null;
        return a;
      }
      return takeArg(opt, tok.col);
    };
    const wasInv = inv;
    inv = false;
    switch (opt) {
      case '-s':
      case '--source':
      case '--src':
      case '-d':
      case '--destination':
      case '--dst': {
        const isSrc = opt === '-s' || opt === '--source' || opt === '--src';
        if (isSrc ? src : dst) throw new LineError(tok.col, `multiple ${isSrc ? '-s' : '-d'} options are not allowed`);
        const a = arg();
        if (a.t.includes(',')) throw new LineError(a.col, 'address lists are not supported by kubewire; write one rule per address');
        const spec = { cidr: parseAddr(a.t, a.col), invert: wasInv };
        if (isSrc) src = spec;
        else dst = spec;
        break;
      }
      case '-p':
      case '--protocol': {
        if (protoSeen) throw new LineError(tok.col, 'multiple -p options are not allowed');
        protoSeen = true;
        const a = arg();
        const n = protoNumber(a.t);
        if (n === null) throw new LineError(a.col, `unknown protocol '${a.t}'`);
        if (n === 0 && wasInv) throw new LineError(a.col, "'! -p all' matches nothing");
        proto = n === 0 ? null : { proto: n, invert: wasInv };
        break;
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const isIn = opt === '-i' || opt === '--in-interface';
        if (isIn ? inIface : outIface) throw new LineError(tok.col, `multiple ${isIn ? '-i' : '-o'} options are not allowed`);
        const a = arg();
        if (a.t === '' || a.t.length > MAX_IFNAME || /[\s/]/.test(a.t) || a.t.slice(0, -1).includes('+'))
          throw new LineError(a.col, `invalid interface name '${a.t}'`);
        const spec = { name: a.t, invert: wasInv };
        if (isIn) inIface = spec;
        else outIface = spec;
        break;
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        if (wasInv) throw new LineError(invCol, `'!' is not allowed before ${opt}`);
        if (target || jump) throw new LineError(tok.col, 'multiple -j/-g options are not allowed');
        const a = arg();
        const isGoto = opt === '-g' || opt === '--goto';
        if (TARGETS.has(a.t) || UNSUPPORTED_TARGETS.has(a.t)) {
          if (isGoto) throw new LineError(a.col, `-g needs a chain, and '${a.t}' is a target`);
          target = targetBuilder(a.t, a.col, table);
        } else {
          checkChainName(a.t, a.col);
          jump = { kind: isGoto ? 'goto' : 'jump', chain: a.t };
          jumpCol = a.col;
        }
        break;
      }
      case '-m':
      case '--match': {
        if (wasInv) throw new LineError(invCol, `'!' is not allowed before ${opt}`);
        const a = arg();
        mods.push(matchBuilder(a.t, a.col));
        break;
      }
      case '-f':
      case '--fragment':
        throw new LineError(tok.col, '-f is not supported by kubewire');
      case '-c':
      case '--set-counters': {
        const p = arg();
        const b = takeArg(opt, tok.col);
        counters.packets = parseUint(p.t, p.col, 'packet counter', Number.MAX_SAFE_INTEGER);
        counters.bytes = parseUint(b.t, b.col, 'byte counter', Number.MAX_SAFE_INTEGER);
        break;
      }
      default: {
        if (!opt.startsWith('--')) throw new LineError(tok.col, `unknown option '${opt}'`);
        const name = opt.slice(2);
        let taken = target !== null && target.option(name, wasInv, arg, tok.col);
        for (let k = mods.length - 1; !taken && k >= 0; k--) taken = mods[k]!.option(name, wasInv, arg, tok.col);
        if (!taken && proto !== null) {
          // iptables loads the protocol's match implicitly for an option it does not know yet.
          const p = proto as ProtoSpec;
          const implicit = p.proto === 6 ? 'tcp' : p.proto === 17 ? 'udp' : p.proto === 1 ? 'icmp' : null;
          if (implicit !== null && !mods.some((m) => m.name === implicit)) {
            const b = matchBuilder(implicit, tok.col);
            if (b.option(name, wasInv, arg, tok.col)) {
              mods.push(b);
              taken = true;
            }
          }
        }
        if (!taken) throw new LineError(tok.col, `unknown option '${opt}'`);
        if (inline !== null) throw new LineError(tok.col, `option ${opt} takes no argument`);
      }
    }
  }
  if (inv) throw new LineError(invCol, "'!' must be followed by an option");
  const ctx: FinishCtx = { proto, table };
  const matches = mods.map((m) => m.finish(ctx) as Match);
  let tgt: Target;
  if (target !== null) tgt = (target as Builder).finish(ctx) as Target;
  else if (jump !== null) tgt = jump;
  else tgt = { kind: 'none' };
  return {
    rule: { src, dst, inIface, outIface, proto, matches, target: tgt, counters: { ...counters }, line },
    jumpCol,
  };
}

/** Parses a rule spec such as `-d 10.0.0.1/32 -p tcp --dport 80 -j ACCEPT` for `table`. */
export function parseRule(spec: string, table: TableName = 'filter'): { ok: true; rule: Rule } | { ok: false; error: NfRestoreError } {
  try {
    return { ok: true, rule: parseRuleTokens(tokenize(spec), 0, table, 0, { packets: 0, bytes: 0 }).rule };
  } catch (e) {
    if (e instanceof LineError) return { ok: false, error: { line: 1, column: e.col, message: e.message } };
    return { ok: false, error: { line: 1, column: 1, message: `internal error: ${String(e)}` } };
  }
}

// ---------------------------------------------------------------------------------------------
// Restore

/** A table being rebuilt by a restore, applied only if the whole text is valid. */
interface Staged {
  readonly name: TableName;
  chains: Map<string, Chain>;
  /** Chains deleted by -X, with the line of the -X, for "still referenced" errors. */
  readonly deleted: Map<string, number>;
  /** The rules this restore added, with the column of their jump target (0 when none). */
  readonly fresh: Map<Rule, number>;
  errored: boolean;
}

const COUNTERS_RE = /^\[(\d+):(\d+)\]$/;

/** Which hooks each target may be used from (the kernel's xt_target .hooks). */
const TARGET_HOOKS: Readonly<Record<string, readonly string[]>> = {
  DNAT: ['PREROUTING', 'OUTPUT'],
  SNAT: ['INPUT', 'POSTROUTING'],
  MASQUERADE: ['POSTROUTING'],
  REJECT: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/**
 * Applies `text` to `nf` like `iptables-restore [--noflush] [--counters]`. Never throws;
 * on any error nothing changes (module doc).
 */
export function restoreNetfilter(nf: Netfilter, text: string, opts: RestoreOptions = {}): RestoreResult {
  const errors: NfRestoreError[] = [];
  const done = new Map<TableName, Staged>();
  let cur: Staged | null = null;
  let lineNo = 0;
  let lastLine = 1;
  const add = (line: number, column: number, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ line, column, message });
  };
  try {
    const lines = text.split('\n');
    for (const raw of lines) {
      lineNo++;
      if (errors.length >= MAX_ERRORS) break;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const trimmed = line.trimStart();
      if (trimmed === '' || trimmed[0] === '#') continue;
      lastLine = lineNo;
      const indent = line.length - trimmed.length;
      try {
        if (trimmed[0] === '*') {
          if (cur !== null) throw new LineError(indent + 1, `table '${cur.name}' was not committed (COMMIT expected before a new table)`);
          const name = trimmed.slice(1).trim();
          if (!(TABLE_NAMES as readonly string[]).includes(name)) throw new LineError(indent + 2, `table '${name}' does not exist`);
          const tn = name as TableName;
          const base = done.get(tn)?.chains ?? nf.table(tn).chains;
          cur = { name: tn, chains: opts.noflush ? cloneChains(base) : builtinChains(tn), deleted: new Map(), fresh: new Map(), errored: false };
          continue;
        }
        const toks = tokenize(line);
        if (trimmed === 'COMMIT' || toks[0]?.t === 'COMMIT') {
          if (cur === null) throw new LineError(indent + 1, 'COMMIT without a table');
          if (toks.length > 1) throw new LineError(toks[1]!.col, `unexpected argument '${toks[1]!.t}'`);
          if (!cur.errored) validate(cur, lineNo, add);
          done.set(cur.name, cur);
          cur = null;
          continue;
        }
        if (cur === null) throw new LineError(indent + 1, 'no table specified (a *table line must come first)');
        if (trimmed[0] === ':') declareChain(cur, toks, opts);
        else command(cur, toks, lineNo, opts);
      } catch (e) {
        if (!(e instanceof LineError)) throw e;
        add(lineNo, e.col, e.message);
        if (cur !== null) cur.errored = true;
      }
    }
    if (cur !== null) add(lastLine, 1, `COMMIT expected at the end of table '${cur.name}'`);
  } catch (e) {
    add(lineNo, 1, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  for (const st of done.values()) {
    const t = nf.table(st.name);
    t.chains = st.chains;
    t.compiled = null;
    t.loaded = true;
  }
  collectRecentLists(nf);
  return { ok: true };
}

function declareChain(st: Staged, toks: Tok[], opts: RestoreOptions): void {
  const first = toks[0]!;
  const name = first.t.slice(1);
  checkChainName(name, first.col + 1);
  const pol = toks[1];
  if (pol === undefined) throw new LineError(first.col, `chain line for '${name}' needs a policy ('-' for user chains)`);
  let counters: { packets: number; bytes: number } | null = null;
  if (toks[2] !== undefined) {
    const m = COUNTERS_RE.exec(toks[2].t);
    if (!m) throw new LineError(toks[2].col, `invalid counters '${toks[2].t}' (expected [packets:bytes])`);
    counters = { packets: Number(m[1]), bytes: Number(m[2]) };
  }
  if (toks[3] !== undefined) throw new LineError(toks[3].col, `unexpected argument '${toks[3].t}'`);
  const builtin = (BUILTIN_CHAINS[st.name] as readonly string[]).includes(name);
  if (builtin) {
    if (pol.t !== 'ACCEPT' && pol.t !== 'DROP') throw new LineError(pol.col, `invalid policy '${pol.t}' for built-in chain ${name}`);
    const c = st.chains.get(name)!;
    c.policy = pol.t;
    if (opts.counters && counters) c.counters = counters;
    return;
  }
  if (pol.t !== '-') throw new LineError(pol.col, `cannot set policy '${pol.t}' on user-defined chain ${name}`);
  if (st.chains.get(name)?.builtin) throw new LineError(first.col, `'${name}' is a built-in chain`);
  st.chains.set(name, newChain(name, false));
  st.deleted.delete(name);
}

function needChain(st: Staged, tok: Tok | undefined, what: string): Chain {
  if (tok === undefined) throw new LineError(1, `${what} needs a chain name`);
  const c = st.chains.get(tok.t);
  if (c === undefined) throw new LineError(tok.col, `chain '${tok.t}' does not exist in table '${st.name}'`);
  return c;
}

function noMore(toks: Tok[], i: number): void {
  const t = toks[i];
  if (t !== undefined) throw new LineError(t.col, `unexpected argument '${t.t}'`);
}

function command(st: Staged, toks: Tok[], line: number, opts: RestoreOptions): void {
  let i = 0;
  const counters = { packets: 0, bytes: 0 };
  const cm = COUNTERS_RE.exec(toks[0]!.t);
  if (cm) {
    if (opts.counters) {
      counters.packets = Number(cm[1]);
      counters.bytes = Number(cm[2]);
    }
    i++;
  }
  const cmd = toks[i];
  if (cmd === undefined) throw new LineError(toks[0]!.col, 'missing command after counters');
  const parse = (from: number): Rule => {
    const p = parseRuleTokens(toks, from, st.name, line, counters);
    st.fresh.set(p.rule, p.jumpCol);
    return p.rule;
  };
  const index = (tok: Tok | undefined): number | null => (tok !== undefined && /^\d+$/.test(tok.t) ? Number(tok.t) : null);
  switch (cmd.t) {
    case '-A':
    case '--append': {
      const c = needChain(st, toks[i + 1], cmd.t);
      c.rules.push(parse(i + 2));
      return;
    }
    case '-I':
    case '--insert': {
      const c = needChain(st, toks[i + 1], cmd.t);
      const n = index(toks[i + 2]);
      const pos = n ?? 1;
      if (pos < 1 || pos > c.rules.length + 1) throw new LineError(toks[i + 2]!.col, `index of insertion too big (chain ${c.name} has ${c.rules.length} rules)`);
      c.rules.splice(pos - 1, 0, parse(i + (n === null ? 2 : 3)));
      return;
    }
    case '-R':
    case '--replace': {
      const c = needChain(st, toks[i + 1], cmd.t);
      const n = index(toks[i + 2]);
      if (n === null) throw new LineError(toks[i + 2]?.col ?? cmd.col, `${cmd.t} needs a rule number`);
      if (n < 1 || n > c.rules.length) throw new LineError(toks[i + 2]!.col, `index of replacement too big (chain ${c.name} has ${c.rules.length} rules)`);
      c.rules[n - 1] = parse(i + 3);
      return;
    }
    case '-D':
    case '--delete': {
      const c = needChain(st, toks[i + 1], cmd.t);
      const n = index(toks[i + 2]);
      if (n !== null && toks.length === i + 3) {
        if (n < 1 || n > c.rules.length) throw new LineError(toks[i + 2]!.col, `index of deletion too big (chain ${c.name} has ${c.rules.length} rules)`);
        c.rules.splice(n - 1, 1);
        return;
      }
      const want = formatRule(st.name, c.name, parse(i + 2));
      const k = c.rules.findIndex((r) => formatRule(st.name, c.name, r) === want);
      if (k < 0) throw new LineError(cmd.col, `bad rule (does a matching rule exist in chain ${c.name}?)`);
      c.rules.splice(k, 1);
      return;
    }
    case '-N':
    case '--new-chain': {
      const t = toks[i + 1];
      if (t === undefined) throw new LineError(cmd.col, `${cmd.t} needs a chain name`);
      checkChainName(t.t, t.col);
      noMore(toks, i + 2);
      if (st.chains.has(t.t)) throw new LineError(t.col, `chain '${t.t}' already exists`);
      st.chains.set(t.t, newChain(t.t, false));
      st.deleted.delete(t.t);
      return;
    }
    case '-X':
    case '--delete-chain': {
      const t = toks[i + 1];
      noMore(toks, i + 2);
      if (t === undefined) {
        for (const c of [...st.chains.values()]) {
          if (c.builtin) continue;
          st.chains.delete(c.name);
          st.deleted.set(c.name, line);
        }
        return;
      }
      const c = needChain(st, t, cmd.t);
      if (c.builtin) throw new LineError(t.col, `cannot delete built-in chain ${c.name}`);
      // iptables-nft deletes a chain together with its rules; references are checked at COMMIT.
      st.chains.delete(c.name);
      st.deleted.set(c.name, line);
      return;
    }
    case '-F':
    case '--flush': {
      const t = toks[i + 1];
      noMore(toks, i + 2);
      if (t === undefined) for (const c of st.chains.values()) c.rules = [];
      else needChain(st, t, cmd.t).rules = [];
      return;
    }
    case '-P':
    case '--policy': {
      const c = needChain(st, toks[i + 1], cmd.t);
      const p = toks[i + 2];
      noMore(toks, i + 3);
      if (!c.builtin) throw new LineError(toks[i + 1]!.col, `cannot set a policy on user-defined chain ${c.name}`);
      if (p === undefined || (p.t !== 'ACCEPT' && p.t !== 'DROP')) throw new LineError(p?.col ?? cmd.col, `invalid policy '${p?.t ?? ''}'`);
      c.policy = p.t as Policy;
      return;
    }
    default:
      if (cmd.t.startsWith('-')) throw new LineError(cmd.col, `unsupported command '${cmd.t}'`);
      throw new LineError(cmd.col, `unexpected '${cmd.t}' (expected a command such as -A)`);
  }
}

/** Which hooks each target may be used from, as a mask of 1 << hook number. */
const TARGET_HOOK_MASK: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(TARGET_HOOKS).map(([k, hooks]) => [k, hooks.reduce((m, h) => m | (1 << HOOK_NAMES.indexOf(h as never)), 0)]),
);

/**
 * The checks iptables-restore and the kernel make at COMMIT. Chains are numbered in table
 * order and the jump graph kept in flat arrays: a kube-proxy sync at 10,000 Services has
 * 160,000 chains and 470,000 rules.
 */
function validate(st: Staged, commitLine: number, add: (line: number, col: number, msg: string) => void): void {
  const where = (r: Rule): [number, number] => (st.fresh.has(r) ? [r.line, st.fresh.get(r) || 1] : [commitLine, 1]);
  const chains = [...st.chains.values()];
  const n = chains.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(chains[i]!.name, i);
  // 1. Every jump names an existing user chain. Edges: chain i's are edgeTo[edgeStart[i] … edgeStart[i+1]).
  const edgeStart = new Int32Array(n + 1);
  const edgeTo: number[] = [];
  const edgeRule: Rule[] = [];
  let bad = false;
  for (let i = 0; i < n; i++) {
    edgeStart[i] = edgeTo.length;
    const c = chains[i]!;
    for (const r of c.rules) {
      const t = r.target;
      if (t.kind !== 'jump' && t.kind !== 'goto') continue;
      const j = index.get(t.chain);
      if (j === undefined) {
        bad = true;
        const del = st.deleted.get(t.chain);
        if (!st.fresh.has(r) && del !== undefined) add(del, 1, `cannot delete chain '${t.chain}': still referenced from chain ${c.name}`);
        else if (UNSUPPORTED_TARGETS.has(t.chain)) add(...where(r), `unsupported target '${t.chain}'`);
        else add(...where(r), `jump to undefined chain ${t.chain}`);
      } else if (chains[j]!.builtin) {
        bad = true;
        add(...where(r), `cannot jump to built-in chain ${t.chain}`);
      } else {
        edgeTo.push(j);
        edgeRule.push(r);
      }
    }
  }
  edgeStart[n] = edgeTo.length;
  if (bad) return;
  // 2. No loops (the kernel refuses them with ELOOP); DFS that also yields a topological order.
  const state = new Uint8Array(n); // 1 = on stack, 2 = done
  const order = new Int32Array(n);
  let done = 0;
  const stackNode = new Int32Array(n);
  const stackNext = new Int32Array(n);
  for (let s0 = 0; s0 < n; s0++) {
    if (state[s0] !== 0) continue;
    let sp = 0;
    stackNode[0] = s0;
    stackNext[0] = edgeStart[s0]!;
    state[s0] = 1;
    while (sp >= 0) {
      const top = stackNode[sp]!;
      const e = stackNext[sp]!;
      if (e < edgeStart[top + 1]!) {
        stackNext[sp] = e + 1;
        const to = edgeTo[e]!;
        const s = state[to];
        if (s === 1) {
          add(...where(edgeRule[e]!), `ruleset loop: chain ${chains[top]!.name} jumps to ${chains[to]!.name}, which leads back to ${chains[top]!.name}`);
          return;
        }
        if (s === 0) {
          state[to] = 1;
          sp++;
          stackNode[sp] = to;
          stackNext[sp] = edgeStart[to]!;
        }
      } else {
        state[top] = 2;
        order[done++] = top;
        sp--;
      }
    }
  }
  // 3. Targets used only from the hooks they support (xt_check_target).
  const hooks = new Int32Array(n);
  for (let i = 0; i < n; i++) hooks[i] = chains[i]!.builtin ? 1 << HOOK_NAMES.indexOf(chains[i]!.name as never) : 0;
  for (let k = n - 1; k >= 0; k--) {
    const from = order[k]!;
    const h = hooks[from]!;
    if (h === 0) continue;
    for (let e = edgeStart[from]!; e < edgeStart[from + 1]!; e++) hooks[edgeTo[e]!] |= h;
  }
  for (let i = 0; i < n; i++) {
    const h = hooks[i]!;
    for (const r of chains[i]!.rules) {
      const mask = TARGET_HOOK_MASK[r.target.kind];
      if (mask === undefined || (h & ~mask) === 0) continue;
      const allowed = TARGET_HOOKS[r.target.kind]!;
      const badHooks = HOOK_NAMES.filter((hn, k) => h & (1 << k) && !allowed.includes(hn));
      const [l] = where(r);
      add(l, 1, `${r.target.kind} target: used from hooks ${badHooks.join('/')}, but only usable from ${allowed.join('/')}`);
    }
  }
}

/** xt_recent frees a list when the last rule naming it goes; do the same after each restore. */
function collectRecentLists(nf: Netfilter): void {
  const used = new Set<string>();
  for (const t of TABLE_NAMES)
    for (const c of nf.table(t).chains.values())
      for (const r of c.rules) for (const m of r.matches) if (m.module === 'recent') used.add(m.name);
  for (const name of [...nf.state.recent.keys()]) if (!used.has(name)) nf.state.recent.delete(name);
}
