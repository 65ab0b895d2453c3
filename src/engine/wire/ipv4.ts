/**
 * The IPv4 header (RFC 791 §3.1) with its header checksum (RFC 791, computed as RFC 1071).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options (IHL > 5)                          |
 *
 * Hot path: the IP stack reads and rewrites fields by offset with the `ipv4*` functions (no
 * allocation); NAT and TTL changes patch the checksum incrementally (RFC 1624).
 */
import { readU16, readU32, writeU16, writeU32, type Ipv4Addr } from './addr.ts';
import { fail, nameOr, ok, type Parsed, type ParseOptions } from './bytes.ts';
import { finishChecksum, internetChecksum, onesSum, updateChecksum16, updateChecksum32 } from './checksum.ts';

/** Byte offsets of the IPv4 header fields; options start at OPTIONS when IHL > 5. */
export const IPV4 = Object.freeze({
  VER_IHL: 0,
  TOS: 1,
  TOTAL_LEN: 2,
  IDENT: 4,
  FLAGS_FRAG: 6,
  TTL: 8,
  PROTO: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
  OPTIONS: 20,
  MIN_HEADER_LEN: 20,
  MAX_HEADER_LEN: 60,
} as const);

/** Bits of the Flags/Fragment Offset word (RFC 791): reserved, DF, MF and the 13-bit offset in 8-byte units. */
export const IPV4_FLAG = Object.freeze({
  RESERVED: 0x8000,
  DF: 0x4000,
  MF: 0x2000,
  FRAG_MASK: 0x1fff,
} as const);

/** pcap link type for raw IP (LINKTYPE_RAW = 101; tcpdump.org link-layer header types). */
export const LINKTYPE_RAW = 101;

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
export const IP_PROTO = Object.freeze({
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  SCTP: 132,
} as const);

const IP_PROTO_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  132: 'SCTP',
});

/** The name of an IP protocol ("TCP", "UDP", "ICMP", …) or "unknown N". */
export function ipProtoName(p: number): string {
  return nameOr(IP_PROTO_NAMES, p);
}

/** The Version nibble of the packet at `off`. Precondition: 1 byte available. */
export function ipv4Version(b: Uint8Array, off: number): number {
  return b[off + IPV4.VER_IHL]! >>> 4;
}

/** The header length in bytes (IHL × 4) of the packet at `off`. */
export function ipv4HeaderLen(b: Uint8Array, off: number): number {
  return (b[off + IPV4.VER_IHL]! & 0x0f) << 2;
}

/** The Type of Service byte (DSCP << 2 | ECN, RFC 2474/3168). */
export function ipv4Tos(b: Uint8Array, off: number): number {
  return b[off + IPV4.TOS]!;
}

/** The Total Length field (header + payload). */
export function ipv4TotalLen(b: Uint8Array, off: number): number {
  return readU16(b, off + IPV4.TOTAL_LEN);
}

/** The Identification field. */
export function ipv4Ident(b: Uint8Array, off: number): number {
  return readU16(b, off + IPV4.IDENT);
}

/** True when Don't Fragment is set. */
export function ipv4DontFrag(b: Uint8Array, off: number): boolean {
  return (b[off + IPV4.FLAGS_FRAG]! & 0x40) !== 0;
}

/** True when More Fragments is set. */
export function ipv4MoreFrags(b: Uint8Array, off: number): boolean {
  return (b[off + IPV4.FLAGS_FRAG]! & 0x20) !== 0;
}

/** The fragment offset in bytes (the field counts 8-byte units). */
export function ipv4FragOffset(b: Uint8Array, off: number): number {
  return (readU16(b, off + IPV4.FLAGS_FRAG) & IPV4_FLAG.FRAG_MASK) << 3;
}

/** True when the packet is a fragment (MF set or a non-zero offset). */
export function ipv4IsFragment(b: Uint8Array, off: number): boolean {
  return (readU16(b, off + IPV4.FLAGS_FRAG) & (IPV4_FLAG.MF | IPV4_FLAG.FRAG_MASK)) !== 0;
}

/** The Time to Live. */
export function ipv4Ttl(b: Uint8Array, off: number): number {
  return b[off + IPV4.TTL]!;
}

/** The Protocol field. */
export function ipv4Proto(b: Uint8Array, off: number): number {
  return b[off + IPV4.PROTO]!;
}

/** The Header Checksum field as stored. */
export function ipv4Checksum(b: Uint8Array, off: number): number {
  return readU16(b, off + IPV4.CHECKSUM);
}

/** The Source Address. */
export function ipv4Src(b: Uint8Array, off: number): Ipv4Addr {
  return readU32(b, off + IPV4.SRC);
}

/** The Destination Address. */
export function ipv4Dst(b: Uint8Array, off: number): Ipv4Addr {
  return readU32(b, off + IPV4.DST);
}

/** The checksum the header at `off` should carry (computed with the field treated as zero). */
export function ipv4ComputeChecksum(b: Uint8Array, off: number): number {
  // Sum the header around the checksum field, as if it were zero (RFC 791).
  const sum = onesSum(b, off, IPV4.CHECKSUM, 0);
  return finishChecksum(onesSum(b, off + IPV4.SRC, ipv4HeaderLen(b, off) - IPV4.SRC, sum));
}

/** True when the header checksum verifies (RFC 1071: the sum over the header is all ones). Precondition: the IHL bytes are available. */
export function verifyIpv4Checksum(b: Uint8Array, off: number): boolean {
  return internetChecksum(b, off, ipv4HeaderLen(b, off)) === 0;
}

/** Computes and stores the header checksum. */
export function fillIpv4Checksum(b: Uint8Array, off: number): void {
  writeU16(b, off + IPV4.CHECKSUM, 0);
  writeU16(b, off + IPV4.CHECKSUM, internetChecksum(b, off, ipv4HeaderLen(b, off)));
}

/** Rewrites the Source Address and patches the header checksum incrementally (RFC 1624); for SNAT. Transport checksums are the caller's job. */
export function ipv4RewriteSrc(b: Uint8Array, off: number, addr: Ipv4Addr): void {
  const old = readU32(b, off + IPV4.SRC);
  writeU32(b, off + IPV4.SRC, addr);
  writeU16(b, off + IPV4.CHECKSUM, updateChecksum32(readU16(b, off + IPV4.CHECKSUM), old, addr));
}

/** Rewrites the Destination Address and patches the header checksum incrementally (RFC 1624); for DNAT. */
export function ipv4RewriteDst(b: Uint8Array, off: number, addr: Ipv4Addr): void {
  const old = readU32(b, off + IPV4.DST);
  writeU32(b, off + IPV4.DST, addr);
  writeU16(b, off + IPV4.CHECKSUM, updateChecksum32(readU16(b, off + IPV4.CHECKSUM), old, addr));
}

/** Decrements the TTL by one when forwarding (RFC 1812 §5.3.1), patching the checksum (RFC 1624); returns the new TTL. Precondition: TTL > 0. */
export function ipv4DecrementTtl(b: Uint8Array, off: number): number {
  const oldWord = readU16(b, off + IPV4.TTL);
  const ttl = b[off + IPV4.TTL]! - 1;
  b[off + IPV4.TTL] = ttl;
  const newWord = readU16(b, off + IPV4.TTL);
  writeU16(b, off + IPV4.CHECKSUM, updateChecksum16(readU16(b, off + IPV4.CHECKSUM), oldWord, newWord));
  return ttl;
}

/**
 * Writes a 20-byte header (no options) at `off` and fills its checksum, without allocating;
 * returns 20. `flags` is the Flags/Fragment Offset word, e.g. IPV4_FLAG.DF.
 */
export function writeIpv4Header(
  b: Uint8Array,
  off: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  proto: number,
  ttl: number,
  ident: number,
  payloadLen: number,
  flags = 0,
  tos = 0,
): number {
  b[off] = 0x45;
  b[off + IPV4.TOS] = tos;
  writeU16(b, off + IPV4.TOTAL_LEN, IPV4.MIN_HEADER_LEN + payloadLen);
  writeU16(b, off + IPV4.IDENT, ident);
  writeU16(b, off + IPV4.FLAGS_FRAG, flags);
  b[off + IPV4.TTL] = ttl;
  b[off + IPV4.PROTO] = proto;
  writeU16(b, off + IPV4.CHECKSUM, 0);
  writeU32(b, off + IPV4.SRC, src);
  writeU32(b, off + IPV4.DST, dst);
  writeU16(b, off + IPV4.CHECKSUM, internetChecksum(b, off, IPV4.MIN_HEADER_LEN));
  return IPV4.MIN_HEADER_LEN;
}

/** Options for {@link parseIpv4} and {@link checkIpv4}. */
export interface Ipv4ParseOptions extends ParseOptions {
  /** The header is quoted inside an ICMP error (RFC 792): Total Length may exceed the bytes present. */
  readonly quoted?: boolean;
}

/**
 * Validates the packet at bytes[off, off+len) without allocating (smoltcp `check_len` plus
 * the checksum): returns null when it is a well-formed IPv4 packet, or the error kind.
 * After null, every `ipv4*` accessor is in bounds and the payload is
 * [off + ipv4HeaderLen, off + ipv4TotalLen).
 */
export function checkIpv4(b: Uint8Array, off: number, len: number, verifyChecksum = true, quoted = false): 'truncated' | 'malformed' | 'bad checksum' | null {
  const have = Math.min(len, b.length - off);
  if (have < IPV4.MIN_HEADER_LEN) return 'truncated';
  if (ipv4Version(b, off) !== 4) return 'malformed';
  const hl = ipv4HeaderLen(b, off);
  if (hl < IPV4.MIN_HEADER_LEN) return 'malformed';
  if (hl > have) return 'truncated';
  const total = ipv4TotalLen(b, off);
  if (total < hl) return 'malformed';
  if (total > have && !quoted) return 'truncated';
  if (verifyChecksum && !verifyIpv4Checksum(b, off)) return 'bad checksum';
  return null;
}

/** An IPv4 header. Optional fields default as in {@link emitIpv4}; {@link parseIpv4} fills them all. */
export interface Ipv4Repr {
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  /** The Protocol field (IP_PROTO.*), kept as a number so unknown protocols survive. */
  readonly proto: number;
  readonly ttl: number;
  /** Bytes after the header: Total Length − header length. */
  readonly payloadLen: number;
  /** Type of Service / DSCP+ECN byte (default 0). */
  readonly tos?: number;
  /** Identification (default 0). */
  readonly ident?: number;
  /** Don't Fragment (default false; Linux sets it on TCP and on UDP under PMTU discovery). */
  readonly dontFrag?: boolean;
  /** More Fragments (default false). */
  readonly moreFrags?: boolean;
  /** Fragment offset in bytes, a multiple of 8 (default 0). */
  readonly fragOffset?: number;
  /** Raw options, a multiple of 4 bytes and at most 40 (default none). Kept verbatim. */
  readonly options?: Uint8Array;
}

/** The header length `repr` emits (20 + options). */
export function ipv4HeaderLenOf(repr: Ipv4Repr): number {
  return IPV4.MIN_HEADER_LEN + (repr.options ? (repr.options.length + 3) & ~3 : 0);
}

/** The buffer length of the whole packet: header + payloadLen. */
export function ipv4BufferLen(repr: Ipv4Repr): number {
  return ipv4HeaderLenOf(repr) + repr.payloadLen;
}

const IPV4_ERROR_DETAIL = {
  truncated: 'IPv4 packet is shorter than its header or Total Length',
  malformed: 'IPv4 version, IHL or Total Length is invalid',
  'bad checksum': 'IPv4 header checksum does not verify',
} as const;

/** Parses the IPv4 header at bytes[off, off+len), verifying lengths and (by default) the checksum. */
export function parseIpv4(b: Uint8Array, off = 0, len = b.length - off, opts: Ipv4ParseOptions = {}): Parsed<Ipv4Repr> {
  const err = checkIpv4(b, off, len, opts.verifyChecksum !== false, opts.quoted === true);
  if (err) {
    let detail: string = IPV4_ERROR_DETAIL[err];
    if (err === 'bad checksum') {
      detail += ` (0x${ipv4Checksum(b, off).toString(16).padStart(4, '0')}, should be 0x${ipv4ComputeChecksum(b, off).toString(16).padStart(4, '0')})`;
    }
    return fail(err, detail);
  }
  const hl = ipv4HeaderLen(b, off);
  const ff = readU16(b, off + IPV4.FLAGS_FRAG);
  return ok({
    src: ipv4Src(b, off),
    dst: ipv4Dst(b, off),
    proto: ipv4Proto(b, off),
    ttl: ipv4Ttl(b, off),
    payloadLen: ipv4TotalLen(b, off) - hl,
    tos: ipv4Tos(b, off),
    ident: ipv4Ident(b, off),
    dontFrag: (ff & IPV4_FLAG.DF) !== 0,
    moreFrags: (ff & IPV4_FLAG.MF) !== 0,
    fragOffset: (ff & IPV4_FLAG.FRAG_MASK) << 3,
    options: b.slice(off + IPV4.OPTIONS, off + hl),
  });
}

/** Writes the header of `repr` at `off` and fills the checksum; returns the header length. The caller writes payloadLen bytes after it. */
export function emitIpv4(repr: Ipv4Repr, b: Uint8Array, off = 0): number {
  const hl = ipv4HeaderLenOf(repr);
  b[off] = 0x40 | (hl >>> 2);
  b[off + IPV4.TOS] = repr.tos ?? 0;
  writeU16(b, off + IPV4.TOTAL_LEN, hl + repr.payloadLen);
  writeU16(b, off + IPV4.IDENT, repr.ident ?? 0);
  const ff =
    (repr.dontFrag ? IPV4_FLAG.DF : 0) | (repr.moreFrags ? IPV4_FLAG.MF : 0) | (((repr.fragOffset ?? 0) >>> 3) & IPV4_FLAG.FRAG_MASK);
  writeU16(b, off + IPV4.FLAGS_FRAG, ff);
  b[off + IPV4.TTL] = repr.ttl;
  b[off + IPV4.PROTO] = repr.proto;
  writeU32(b, off + IPV4.SRC, repr.src);
  writeU32(b, off + IPV4.DST, repr.dst);
  if (repr.options && repr.options.length > 0) {
    b.set(repr.options, off + IPV4.OPTIONS);
    // RFC 791: the header is padded with zeros (End of Option List) to a 32-bit boundary.
    b.fill(0, off + IPV4.OPTIONS + repr.options.length, off + hl);
  }
  fillIpv4Checksum(b, off);
  return hl;
}
