/**
 * UDP (RFC 768): ports, length and a checksum over the IPv4 pseudo-header (source,
 * destination, zero, protocol 17, UDP length) plus the datagram.
 *
 * RFC 768: "If the computed checksum is zero, it is transmitted as all ones ... An all zero
 * transmitted checksum value means that the transmitter generated no checksum." Both rules
 * are applied here: emit never writes 0, and parse accepts 0 as "no checksum".
 */
import { readU16, writeU16, type Ipv4Addr } from './addr.ts';
import { fail, hexNum, ok, placeBytes, type Parsed, type ParseOptions } from './bytes.ts';
import { finishChecksum, onesSum, pseudoHeaderSum, updateChecksum16, updateChecksum32 } from './checksum.ts';

/** Byte offsets of the UDP header fields; HEADER_LEN follows the last field. */
export const UDP = Object.freeze({
  SRC_PORT: 0,
  DST_PORT: 2,
  LENGTH: 4,
  CHECKSUM: 6,
  HEADER_LEN: 8,
} as const);

/** The IP protocol number of UDP. */
const PROTO_UDP = 17;

/** The source port of the datagram at `off`. Precondition: 8 bytes available. */
export function udpSrcPort(b: Uint8Array, off: number): number {
  return readU16(b, off + UDP.SRC_PORT);
}

/** The destination port of the datagram at `off`. */
export function udpDstPort(b: Uint8Array, off: number): number {
  return readU16(b, off + UDP.DST_PORT);
}

/** The Length field (header + data). */
export function udpLength(b: Uint8Array, off: number): number {
  return readU16(b, off + UDP.LENGTH);
}

/** The Checksum field as stored (0 = none). */
export function udpChecksum(b: Uint8Array, off: number): number {
  return readU16(b, off + UDP.CHECKSUM);
}

/** Sets the source port without touching the checksum (see {@link udpRewriteSrcPort} for NAT). */
export function setUdpSrcPort(b: Uint8Array, off: number, port: number): void {
  writeU16(b, off + UDP.SRC_PORT, port);
}

/** Sets the destination port without touching the checksum. */
export function setUdpDstPort(b: Uint8Array, off: number, port: number): void {
  writeU16(b, off + UDP.DST_PORT, port);
}

/** Patches a non-zero checksum for a changed 16-bit word (RFC 1624); 0 stays 0 ("no checksum") and a result of 0 becomes 0xffff (RFC 768; Linux CSUM_MANGLED_0). */
function patchUdpChecksum(b: Uint8Array, off: number, c: number): void {
  writeU16(b, off + UDP.CHECKSUM, c === 0 ? 0xffff : c);
}

/** Rewrites the source port for NAT, patching the checksum incrementally (RFC 1624). */
export function udpRewriteSrcPort(b: Uint8Array, off: number, port: number): void {
  const old = udpSrcPort(b, off);
  writeU16(b, off + UDP.SRC_PORT, port);
  const c = udpChecksum(b, off);
  if (c !== 0) patchUdpChecksum(b, off, updateChecksum16(c, old, port));
}

/** Rewrites the destination port for NAT, patching the checksum incrementally (RFC 1624). */
export function udpRewriteDstPort(b: Uint8Array, off: number, port: number): void {
  const old = udpDstPort(b, off);
  writeU16(b, off + UDP.DST_PORT, port);
  const c = udpChecksum(b, off);
  if (c !== 0) patchUdpChecksum(b, off, updateChecksum16(c, old, port));
}

/** Patches the checksum after the IP source or destination changed from `oldAddr` to `newAddr` (the pseudo-header, RFC 768; RFC 1624). */
export function udpAdjustForAddr(b: Uint8Array, off: number, oldAddr: Ipv4Addr, newAddr: Ipv4Addr): void {
  const c = udpChecksum(b, off);
  if (c !== 0) patchUdpChecksum(b, off, updateChecksum32(c, oldAddr, newAddr));
}

/** The checksum the `udpLen`-byte datagram at `off` should carry, with the field taken as zero (never 0: RFC 768 sends all ones instead). */
export function udpComputeChecksum(b: Uint8Array, off: number, udpLen: number, src: Ipv4Addr, dst: Ipv4Addr): number {
  let sum = pseudoHeaderSum(src, dst, PROTO_UDP, udpLen);
  sum = onesSum(b, off, UDP.CHECKSUM, sum);
  sum = onesSum(b, off + UDP.HEADER_LEN, udpLen - UDP.HEADER_LEN, sum);
  const c = finishChecksum(sum);
  return c === 0 ? 0xffff : c;
}

/** Computes and stores the checksum of the `udpLen`-byte datagram at `off`. */
export function fillUdpChecksum(b: Uint8Array, off: number, udpLen: number, src: Ipv4Addr, dst: Ipv4Addr): void {
  writeU16(b, off + UDP.CHECKSUM, udpComputeChecksum(b, off, udpLen, src, dst));
}

/** True when the checksum verifies or is 0 (none sent, RFC 768). */
export function verifyUdpChecksum(b: Uint8Array, off: number, udpLen: number, src: Ipv4Addr, dst: Ipv4Addr): boolean {
  if (udpChecksum(b, off) === 0) return true;
  return finishChecksum(onesSum(b, off, udpLen, pseudoHeaderSum(src, dst, PROTO_UDP, udpLen))) === 0;
}

/**
 * Writes the 8-byte header at `off` and fills the checksum over the payload already at
 * off + 8, without allocating; returns the datagram length. For sockets on the hot path.
 */
export function writeUdpHeader(
  b: Uint8Array,
  off: number,
  srcPort: number,
  dstPort: number,
  payloadLen: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
): number {
  const len = UDP.HEADER_LEN + payloadLen;
  writeU16(b, off + UDP.SRC_PORT, srcPort);
  writeU16(b, off + UDP.DST_PORT, dstPort);
  writeU16(b, off + UDP.LENGTH, len);
  fillUdpChecksum(b, off, len, src, dst);
  return len;
}

/**
 * Validates the datagram at bytes[off, off+len) (len = IP payload length) without allocating:
 * null when well formed, else the error kind. After null, the datagram is udpLength bytes.
 */
export function checkUdp(b: Uint8Array, off: number, len: number, src: Ipv4Addr, dst: Ipv4Addr, verifyChecksum = true): 'truncated' | 'malformed' | 'bad checksum' | null {
  const have = Math.min(len, b.length - off);
  if (have < UDP.HEADER_LEN) return 'truncated';
  const ulen = udpLength(b, off);
  if (ulen < UDP.HEADER_LEN) return 'malformed';
  if (ulen > have) return 'truncated';
  if (verifyChecksum && !verifyUdpChecksum(b, off, ulen, src, dst)) return 'bad checksum';
  return null;
}

/** A UDP datagram. */
export interface UdpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
  /** The data; a view into the parsed buffer after parse. */
  readonly payload: Uint8Array;
}

/** The buffer length of `repr`: 8 + payload. */
export function udpBufferLen(repr: UdpRepr): number {
  return UDP.HEADER_LEN + repr.payload.length;
}

/** Parses the datagram at bytes[off, off+len) carried between `src` and `dst`, verifying the checksum by default. */
export function parseUdp(b: Uint8Array, off: number, len: number, src: Ipv4Addr, dst: Ipv4Addr, opts: ParseOptions = {}): Parsed<UdpRepr> {
  const err = checkUdp(b, off, len, src, dst, opts.verifyChecksum !== false);
  if (err === 'truncated') return fail(err, `UDP datagram shorter than its header or Length field (have ${Math.max(0, Math.min(len, b.length - off))})`);
  if (err === 'malformed') return fail(err, `UDP Length ${udpLength(b, off)} is below the 8-byte header`);
  if (err === 'bad checksum') {
    const ulen = udpLength(b, off);
    return fail(err, `UDP checksum ${hexNum(udpChecksum(b, off), 4)}, should be ${hexNum(udpComputeChecksum(b, off, ulen, src, dst), 4)}`);
  }
  return ok({
    srcPort: udpSrcPort(b, off),
    dstPort: udpDstPort(b, off),
    payload: b.subarray(off + UDP.HEADER_LEN, off + udpLength(b, off)),
  });
}

/** Writes `repr` at `off` (copying the payload unless already in place) and fills the checksum for `src`→`dst`; returns the datagram length. */
export function emitUdp(repr: UdpRepr, b: Uint8Array, off: number, src: Ipv4Addr, dst: Ipv4Addr): number {
  placeBytes(b, off + UDP.HEADER_LEN, repr.payload);
  return writeUdpHeader(b, off, repr.srcPort, repr.dstPort, repr.payload.length, src, dst);
}
