/**
 * The TCP header (RFC 9293 §3.1): ports, sequence and acknowledgment numbers, data offset,
 * flags, window, checksum over the IPv4 pseudo-header (RFC 9293 §3.1 "Checksum"), urgent
 * pointer and options. Options decode to known kinds (MSS RFC 9293 §3.2, window scale and
 * timestamps RFC 7323, SACK RFC 2018) and every other kind is kept raw.
 *
 * Hot path: the `tcp*` accessors read by offset, `writeTcpHeader` builds a segment and the
 * `tcpRewrite*` functions patch the checksum incrementally for NAT (RFC 1624).
 */
import { readU16, readU32, writeU16, writeU32, type Ipv4Addr } from './addr.ts';
import { fail, hexNum, nameOr, ok, placeBytes, toHex, type Parsed, type ParseOptions } from './bytes.ts';
import { finishChecksum, onesSum, pseudoHeaderSum, updateChecksum16, updateChecksum32 } from './checksum.ts';

/** Byte offsets of the TCP header fields; options start at OPTIONS when the data offset is above 5. */
export const TCP = Object.freeze({
  SRC_PORT: 0,
  DST_PORT: 2,
  SEQ: 4,
  ACK: 8,
  DATA_OFF: 12,
  FLAGS: 13,
  WINDOW: 14,
  CHECKSUM: 16,
  URGENT: 18,
  OPTIONS: 20,
  MIN_HEADER_LEN: 20,
  MAX_HEADER_LEN: 60,
} as const);

/** TCP control bits (RFC 9293 §3.1; ECE/CWR RFC 3168). The low 8 bits are byte 13; 0x100..0x800 are the reserved/NS bits of byte 12. */
export const TCP_FLAG = Object.freeze({
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const);

/** TCP option kinds (IANA "TCP Option Kind Numbers"). */
export const TCP_OPT = Object.freeze({
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
} as const);

const TCP_OPT_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  8: 'TS',
  19: 'md5',
  28: 'uto',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
});

/** The name of a TCP option kind (tcpdump spelling: "mss", "sackOK", "TS", …) or "unknown N". */
export function tcpOptionName(kind: number): string {
  return nameOr(TCP_OPT_NAMES, kind);
}

/** The IP protocol number of TCP. */
const PROTO_TCP = 6;

/** The source port of the segment at `off`. Precondition: 20 bytes available. */
export function tcpSrcPort(b: Uint8Array, off: number): number {
  return readU16(b, off + TCP.SRC_PORT);
}

/** The destination port of the segment at `off`. */
export function tcpDstPort(b: Uint8Array, off: number): number {
  return readU16(b, off + TCP.DST_PORT);
}

/** The Sequence Number (unsigned 32-bit). */
export function tcpSeq(b: Uint8Array, off: number): number {
  return readU32(b, off + TCP.SEQ);
}

/** The Acknowledgment Number (unsigned 32-bit). */
export function tcpAck(b: Uint8Array, off: number): number {
  return readU32(b, off + TCP.ACK);
}

/** The header length in bytes (Data Offset × 4). */
export function tcpHeaderLen(b: Uint8Array, off: number): number {
  return (b[off + TCP.DATA_OFF]! >>> 4) << 2;
}

/** The control bits: byte 13 plus the 4 reserved/NS bits of byte 12 shifted to 0x100..0x800 (see {@link TCP_FLAG}). */
export function tcpFlags(b: Uint8Array, off: number): number {
  return readU16(b, off + TCP.DATA_OFF) & 0x0fff;
}

/** The Window field (unscaled). */
export function tcpWindow(b: Uint8Array, off: number): number {
  return readU16(b, off + TCP.WINDOW);
}

/** The Checksum field as stored. */
export function tcpChecksum(b: Uint8Array, off: number): number {
  return readU16(b, off + TCP.CHECKSUM);
}

/** The Urgent Pointer. */
export function tcpUrgent(b: Uint8Array, off: number): number {
  return readU16(b, off + TCP.URGENT);
}

/**
 * The offset of the first option of `kind` in the header at `off`, or -1; walks the options
 * without allocating. Precondition: the header (tcpHeaderLen bytes) is available.
 */
export function tcpFindOption(b: Uint8Array, off: number, kind: number): number {
  const end = off + tcpHeaderLen(b, off);
  let p = off + TCP.OPTIONS;
  while (p < end) {
    const k = b[p]!;
    if (k === TCP_OPT.EOL) return -1;
    if (k === kind) return p;
    if (k === TCP_OPT.NOP) {
      p++;
      continue;
    }
    if (p + 1 >= end) return -1;
    const l = b[p + 1]!;
    if (l < 2) return -1;
    p += l;
  }
  return -1;
}

/** The MSS option value of the segment at `off`, or -1 when absent or malformed. */
export function tcpMss(b: Uint8Array, off: number): number {
  const p = tcpFindOption(b, off, TCP_OPT.MSS);
  if (p < 0 || b[p + 1] !== 4 || p + 4 > off + tcpHeaderLen(b, off)) return -1;
  return readU16(b, p + 2);
}

/** The checksum the `tcpLen`-byte segment at `off` should carry, with the field taken as zero. */
export function tcpComputeChecksum(b: Uint8Array, off: number, tcpLen: number, src: Ipv4Addr, dst: Ipv4Addr): number {
  let sum = pseudoHeaderSum(src, dst, PROTO_TCP, tcpLen);
  sum = onesSum(b, off, TCP.CHECKSUM, sum);
  sum = onesSum(b, off + TCP.CHECKSUM + 2, tcpLen - TCP.CHECKSUM - 2, sum);
  return finishChecksum(sum);
}

/** Computes and stores the checksum of the `tcpLen`-byte segment at `off`. */
export function fillTcpChecksum(b: Uint8Array, off: number, tcpLen: number, src: Ipv4Addr, dst: Ipv4Addr): void {
  writeU16(b, off + TCP.CHECKSUM, tcpComputeChecksum(b, off, tcpLen, src, dst));
}

/** True when the checksum of the `tcpLen`-byte segment at `off` verifies. */
export function verifyTcpChecksum(b: Uint8Array, off: number, tcpLen: number, src: Ipv4Addr, dst: Ipv4Addr): boolean {
  return finishChecksum(onesSum(b, off, tcpLen, pseudoHeaderSum(src, dst, PROTO_TCP, tcpLen))) === 0;
}

/** Rewrites the source port for NAT, patching the checksum incrementally (RFC 1624). */
export function tcpRewriteSrcPort(b: Uint8Array, off: number, port: number): void {
  const old = tcpSrcPort(b, off);
  writeU16(b, off + TCP.SRC_PORT, port);
  writeU16(b, off + TCP.CHECKSUM, updateChecksum16(tcpChecksum(b, off), old, port));
}

/** Rewrites the destination port for NAT, patching the checksum incrementally (RFC 1624). */
export function tcpRewriteDstPort(b: Uint8Array, off: number, port: number): void {
  const old = tcpDstPort(b, off);
  writeU16(b, off + TCP.DST_PORT, port);
  writeU16(b, off + TCP.CHECKSUM, updateChecksum16(tcpChecksum(b, off), old, port));
}

/** Patches the checksum after the IP source or destination changed (pseudo-header; RFC 1624). */
export function tcpAdjustForAddr(b: Uint8Array, off: number, oldAddr: Ipv4Addr, newAddr: Ipv4Addr): void {
  writeU16(b, off + TCP.CHECKSUM, updateChecksum32(tcpChecksum(b, off), oldAddr, newAddr));
}

/**
 * Writes a TCP header at `off` without allocating and fills the checksum over the payload
 * already in place; returns the header length: 24 with an MSS option when `mss` > 0, else
 * 20. The caller must have put `payloadLen` bytes at off + that length.
 */
export function writeTcpHeader(
  b: Uint8Array,
  off: number,
  srcPort: number,
  dstPort: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  payloadLen: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  mss = 0,
): number {
  const hl = mss > 0 ? 24 : 20;
  writeU16(b, off + TCP.SRC_PORT, srcPort);
  writeU16(b, off + TCP.DST_PORT, dstPort);
  writeU32(b, off + TCP.SEQ, seq >>> 0);
  writeU32(b, off + TCP.ACK, ack >>> 0);
  writeU16(b, off + TCP.DATA_OFF, ((hl >>> 2) << 12) | (flags & 0x0fff));
  writeU16(b, off + TCP.WINDOW, window);
  writeU16(b, off + TCP.URGENT, 0);
  if (mss > 0) {
    b[off + TCP.OPTIONS] = TCP_OPT.MSS;
    b[off + TCP.OPTIONS + 1] = 4;
    writeU16(b, off + TCP.OPTIONS + 2, mss);
  }
  fillTcpChecksum(b, off, hl + payloadLen, src, dst);
  return hl;
}

/**
 * Validates the segment at bytes[off, off+len) (len = IP payload length) without allocating:
 * null when the header fits and the checksum verifies, else the error kind. Options are not
 * walked here; {@link parseTcp} reports malformed options.
 */
export function checkTcp(b: Uint8Array, off: number, len: number, src: Ipv4Addr, dst: Ipv4Addr, verifyChecksum = true): 'truncated' | 'malformed' | 'bad checksum' | null {
  const have = Math.min(len, b.length - off);
  if (have < TCP.MIN_HEADER_LEN) return 'truncated';
  const hl = tcpHeaderLen(b, off);
  if (hl < TCP.MIN_HEADER_LEN) return 'malformed';
  if (hl > have) return 'truncated';
  if (verifyChecksum && !verifyTcpChecksum(b, off, have, src, dst)) return 'bad checksum';
  return null;
}

/** One TCP option. Known kinds with a wrong length are kept as "unknown" so nothing is lost. */
export type TcpOption =
  | { readonly kind: 'nop' }
  | { readonly kind: 'mss'; readonly mss: number }
  | { readonly kind: 'wscale'; readonly shift: number }
  | { readonly kind: 'sack-permitted' }
  | { readonly kind: 'sack'; readonly blocks: readonly (readonly [left: number, right: number])[] }
  | { readonly kind: 'timestamp'; readonly tsval: number; readonly tsecr: number }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

/** The encoded length of one option. */
export function tcpOptionLen(o: TcpOption): number {
  switch (o.kind) {
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sack-permitted':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamp':
      return 10;
    case 'unknown':
      return 2 + o.data.length;
  }
}

/** Formats options as tcpdump does: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7". */
export function tcpOptionsString(options: readonly TcpOption[]): string {
  return options
    .map((o) => {
      switch (o.kind) {
        case 'nop':
          return 'nop';
        case 'mss':
          return `mss ${o.mss}`;
        case 'wscale':
          return `wscale ${o.shift}`;
        case 'sack-permitted':
          return 'sackOK';
        case 'sack':
          return `sack ${o.blocks.length} ${o.blocks.map(([l, r]) => `{${l}:${r}}`).join('')}`;
        case 'timestamp':
          return `TS val ${o.tsval} ecr ${o.tsecr}`;
        case 'unknown':
          return `${tcpOptionName(o.type)}${o.data.length ? ` 0x${toHex(o.data)}` : ''}`;
      }
    })
    .join(',');
}

/** Formats control bits as tcpdump does: "S", "S.", "P.", "F.", "R", or "none" (letters F S R P . U E W). */
export function tcpFlagsString(flags: number): string {
  let s = '';
  if (flags & TCP_FLAG.FIN) s += 'F';
  if (flags & TCP_FLAG.SYN) s += 'S';
  if (flags & TCP_FLAG.RST) s += 'R';
  if (flags & TCP_FLAG.PSH) s += 'P';
  if (flags & TCP_FLAG.ACK) s += '.';
  if (flags & TCP_FLAG.URG) s += 'U';
  if (flags & TCP_FLAG.ECE) s += 'E';
  if (flags & TCP_FLAG.CWR) s += 'W';
  if (flags & 0x100) s += 'e';
  return s === '' ? 'none' : s;
}

/** Decodes the options in bytes[p, end); null when an option's length runs past `end` or is below 2. Parsing stops at End of Option List. */
export function parseTcpOptions(b: Uint8Array, p: number, end: number): TcpOption[] | null {
  const out: TcpOption[] = [];
  while (p < end) {
    const k = b[p]!;
    if (k === TCP_OPT.EOL) break;
    if (k === TCP_OPT.NOP) {
      out.push({ kind: 'nop' });
      p++;
      continue;
    }
    if (p + 2 > end) return null;
    const l = b[p + 1]!;
    if (l < 2 || p + l > end) return null;
    if (k === TCP_OPT.MSS && l === 4) out.push({ kind: 'mss', mss: readU16(b, p + 2) });
    else if (k === TCP_OPT.WSCALE && l === 3) out.push({ kind: 'wscale', shift: b[p + 2]! });
    else if (k === TCP_OPT.SACK_PERMITTED && l === 2) out.push({ kind: 'sack-permitted' });
    else if (k === TCP_OPT.TIMESTAMP && l === 10) out.push({ kind: 'timestamp', tsval: readU32(b, p + 2), tsecr: readU32(b, p + 6) });
    else if (k === TCP_OPT.SACK && l >= 2 && (l - 2) % 8 === 0) {
      const blocks: (readonly [number, number])[] = [];
      for (let q = p + 2; q < p + l; q += 8) blocks.push([readU32(b, q), readU32(b, q + 4)] as const);
      out.push({ kind: 'sack', blocks });
    } else out.push({ kind: 'unknown', type: k, data: b.slice(p + 2, p + l) });
    p += l;
  }
  return out;
}

/** Writes options at `p`, padding with zeros (End of Option List) to a 4-byte boundary; returns the padded length. */
export function emitTcpOptions(options: readonly TcpOption[], b: Uint8Array, p: number): number {
  const start = p;
  for (const o of options) {
    switch (o.kind) {
      case 'nop':
        b[p++] = TCP_OPT.NOP;
        continue;
      case 'mss':
        b[p] = TCP_OPT.MSS;
        b[p + 1] = 4;
        writeU16(b, p + 2, o.mss);
        break;
      case 'wscale':
        b[p] = TCP_OPT.WSCALE;
        b[p + 1] = 3;
        b[p + 2] = o.shift;
        break;
      case 'sack-permitted':
        b[p] = TCP_OPT.SACK_PERMITTED;
        b[p + 1] = 2;
        break;
      case 'sack':
        b[p] = TCP_OPT.SACK;
        b[p + 1] = 2 + 8 * o.blocks.length;
        o.blocks.forEach(([l, r], i) => {
          writeU32(b, p + 2 + 8 * i, l >>> 0);
          writeU32(b, p + 6 + 8 * i, r >>> 0);
        });
        break;
      case 'timestamp':
        b[p] = TCP_OPT.TIMESTAMP;
        b[p + 1] = 10;
        writeU32(b, p + 2, o.tsval >>> 0);
        writeU32(b, p + 6, o.tsecr >>> 0);
        break;
      case 'unknown':
        b[p] = o.type;
        b[p + 1] = 2 + o.data.length;
        b.set(o.data, p + 2);
        break;
    }
    p += tcpOptionLen(o);
  }
  const padded = (p - start + 3) & ~3;
  b.fill(0, p, start + padded);
  return padded;
}

/** A TCP segment. */
export interface TcpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
  /** Sequence number, unsigned 32-bit. */
  readonly seq: number;
  /** Acknowledgment number, unsigned 32-bit (meaningful with ACK). */
  readonly ack: number;
  /** Control bits, TCP_FLAG.* or-ed. */
  readonly flags: number;
  readonly window: number;
  /** Urgent pointer (default 0). */
  readonly urgent?: number;
  /** Options in order (default none); End of Option List and padding are implicit. */
  readonly options?: readonly TcpOption[];
  /** The data; a view into the parsed buffer after parse. */
  readonly payload: Uint8Array;
}

/** The header length `repr` emits: 20 + options padded to 4 bytes. Precondition: at most 40 option bytes. */
export function tcpHeaderLenOf(repr: TcpRepr): number {
  let n = 0;
  for (const o of repr.options ?? []) n += tcpOptionLen(o);
  return TCP.MIN_HEADER_LEN + ((n + 3) & ~3);
}

/** The buffer length of `repr`: header + payload. */
export function tcpBufferLen(repr: TcpRepr): number {
  return tcpHeaderLenOf(repr) + repr.payload.length;
}

/** Parses the segment at bytes[off, off+len) carried between `src` and `dst` (len = IP payload length), verifying the checksum by default. */
export function parseTcp(b: Uint8Array, off: number, len: number, src: Ipv4Addr, dst: Ipv4Addr, opts: ParseOptions = {}): Parsed<TcpRepr> {
  const have = Math.max(0, Math.min(len, b.length - off));
  const err = checkTcp(b, off, len, src, dst, opts.verifyChecksum !== false);
  if (err === 'truncated') return fail(err, `TCP segment shorter than its header (have ${have})`);
  if (err === 'malformed') return fail(err, `TCP data offset ${tcpHeaderLen(b, off) >>> 2} is below 5`);
  if (err === 'bad checksum') {
    return fail(err, `TCP checksum ${hexNum(tcpChecksum(b, off), 4)}, should be ${hexNum(tcpComputeChecksum(b, off, have, src, dst), 4)}`);
  }
  const hl = tcpHeaderLen(b, off);
  const options = parseTcpOptions(b, off + TCP.OPTIONS, off + hl);
  if (!options) return fail('malformed', 'TCP option length is invalid or runs past the header');
  return ok({
    srcPort: tcpSrcPort(b, off),
    dstPort: tcpDstPort(b, off),
    seq: tcpSeq(b, off),
    ack: tcpAck(b, off),
    flags: tcpFlags(b, off),
    window: tcpWindow(b, off),
    urgent: tcpUrgent(b, off),
    options,
    payload: b.subarray(off + hl, off + have),
  });
}

/** Writes `repr` at `off` (copying the payload unless already in place) and fills the checksum for `src`→`dst`; returns the segment length. */
export function emitTcp(repr: TcpRepr, b: Uint8Array, off: number, src: Ipv4Addr, dst: Ipv4Addr): number {
  const hl = tcpHeaderLenOf(repr);
  placeBytes(b, off + hl, repr.payload);
  writeU16(b, off + TCP.SRC_PORT, repr.srcPort);
  writeU16(b, off + TCP.DST_PORT, repr.dstPort);
  writeU32(b, off + TCP.SEQ, repr.seq >>> 0);
  writeU32(b, off + TCP.ACK, repr.ack >>> 0);
  writeU16(b, off + TCP.DATA_OFF, ((hl >>> 2) << 12) | (repr.flags & 0x0fff));
  writeU16(b, off + TCP.WINDOW, repr.window);
  writeU16(b, off + TCP.URGENT, repr.urgent ?? 0);
  emitTcpOptions(repr.options ?? [], b, off + TCP.OPTIONS);
  const len = hl + repr.payload.length;
  fillTcpChecksum(b, off, len, src, dst);
  return len;
}
