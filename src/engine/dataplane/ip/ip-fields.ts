/**
 * Hot-path field access for the IP stack: IPv4/UDP/TCP/ICMP header offsets and in-place
 * rewrites with RFC 1624 incremental checksum updates. The full codecs (parse/emit/describe)
 * live in engine/wire; this is the part every hop runs, kept allocation-free.
 */
import { readU16, readU32, writeU16, writeU32 } from '../../wire/addr.ts';
import { onesSum, finishChecksum, pseudoHeaderSum, updateChecksum16, updateChecksum32 } from '../../wire/checksum.ts';

/** IPv4 header field offsets (RFC 791). */
export const IP = { VER_IHL: 0, TOS: 1, LEN: 2, ID: 4, FRAG: 6, TTL: 8, PROTO: 9, CSUM: 10, SRC: 12, DST: 16 } as const;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

/** IPv4 header length in bytes (IHL × 4). */
export function ipHeaderLen(b: Uint8Array, ip: number): number {
  return (b[ip]! & 0x0f) * 4;
}

/** Offset of the transport checksum field for TCP/UDP, or -1 (ICMP has no pseudo-header). */
export function l4ChecksumOffset(proto: number): number {
  return proto === PROTO_TCP ? 16 : proto === PROTO_UDP ? 6 : -1;
}

/** Writes a 20-byte IPv4 header at `ip` with a correct header checksum. */
export function writeIpv4Header(b: Uint8Array, ip: number, totalLen: number, id: number, ttl: number, proto: number, src: number, dst: number, df = true): void {
  b[ip] = 0x45;
  b[ip + 1] = 0;
  writeU16(b, ip + IP.LEN, totalLen);
  writeU16(b, ip + IP.ID, id & 0xffff);
  writeU16(b, ip + IP.FRAG, df ? 0x4000 : 0);
  b[ip + IP.TTL] = ttl;
  b[ip + IP.PROTO] = proto;
  b[ip + IP.CSUM] = 0;
  b[ip + IP.CSUM + 1] = 0;
  writeU32(b, ip + IP.SRC, src);
  writeU32(b, ip + IP.DST, dst);
  writeU16(b, ip + IP.CSUM, finishChecksum(onesSum(b, ip, 20)));
}

/** Computes and stores the TCP/UDP checksum of the segment at `l4` (length `l4len`). */
export function fillL4Checksum(b: Uint8Array, ip: number, l4: number, l4len: number, proto: number): void {
  const off = l4 + l4ChecksumOffset(proto);
  b[off] = 0;
  b[off + 1] = 0;
  const sum = onesSum(b, l4, l4len, pseudoHeaderSum(readU32(b, ip + IP.SRC), readU32(b, ip + IP.DST), proto, l4len));
  let c = finishChecksum(sum);
  if (proto === PROTO_UDP && c === 0) c = 0xffff; // RFC 768: zero means "no checksum"
  writeU16(b, off, c);
}

/** True when the TCP/UDP checksum verifies (a UDP checksum of 0 means none was sent). */
export function verifyL4Checksum(b: Uint8Array, ip: number, l4: number, l4len: number, proto: number): boolean {
  if (proto === PROTO_UDP && readU16(b, l4 + 6) === 0) return true;
  const sum = onesSum(b, l4, l4len, pseudoHeaderSum(readU32(b, ip + IP.SRC), readU32(b, ip + IP.DST), proto, l4len));
  return finishChecksum(sum) === 0;
}

/** Fills the ICMP checksum of the message at `l4`. */
export function fillIcmpChecksum(b: Uint8Array, l4: number, len: number): void {
  b[l4 + 2] = 0;
  b[l4 + 3] = 0;
  writeU16(b, l4 + 2, finishChecksum(onesSum(b, l4, len)));
}

/** Rewrites the source (`which` = 0) or destination (1) address and port, fixing both checksums incrementally (as Linux NAT does). */
export function rewriteAddrPort(b: Uint8Array, ip: number, which: 0 | 1, addr: number, port: number): void {
  const aOff = ip + (which === 0 ? IP.SRC : IP.DST);
  const oldAddr = readU32(b, aOff);
  const proto = b[ip + IP.PROTO]!;
  const l4 = ip + ipHeaderLen(b, ip);
  const csOff = l4ChecksumOffset(proto);
  if (oldAddr !== addr) {
    writeU32(b, aOff, addr);
    writeU16(b, ip + IP.CSUM, updateChecksum32(readU16(b, ip + IP.CSUM), oldAddr, addr));
    if (csOff >= 0 && !(proto === PROTO_UDP && readU16(b, l4 + 6) === 0)) {
      writeU16(b, l4 + csOff, fixUdpZero(proto, updateChecksum32(readU16(b, l4 + csOff), oldAddr, addr)));
    }
  }
  if (csOff >= 0) {
    const pOff = l4 + (which === 0 ? 0 : 2);
    const oldPort = readU16(b, pOff);
    if (oldPort !== port) {
      writeU16(b, pOff, port);
      if (!(proto === PROTO_UDP && readU16(b, l4 + 6) === 0)) {
        writeU16(b, l4 + csOff, fixUdpZero(proto, updateChecksum16(readU16(b, l4 + csOff), oldPort, port)));
      }
    }
  } else if (proto === PROTO_ICMP && which === 0 && isIcmpQuery(b[l4]!)) {
    // ICMP echo: the identifier plays the port's role for NAT.
    const oldId = readU16(b, l4 + 4);
    if (oldId !== port && port !== 0) {
      writeU16(b, l4 + 4, port);
      writeU16(b, l4 + 2, updateChecksum16(readU16(b, l4 + 2), oldId, port));
    }
  }
}

function fixUdpZero(proto: number, c: number): number {
  return proto === PROTO_UDP && c === 0 ? 0xffff : c;
}

/** ICMP echo request/reply (types 8 and 0) carry an identifier; errors do not. */
export function isIcmpQuery(type: number): boolean {
  return type === 8 || type === 0;
}

/** ICMP error types whose payload quotes the offending packet. */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 11 || type === 12 || type === 4 || type === 5;
}

/** Decrements TTL in place with an incremental header-checksum update (RFC 1624). */
export function decrementTtl(b: Uint8Array, ip: number): void {
  const oldWord = readU16(b, ip + IP.TTL);
  b[ip + IP.TTL] = b[ip + IP.TTL]! - 1;
  writeU16(b, ip + IP.CSUM, updateChecksum16(readU16(b, ip + IP.CSUM), oldWord, readU16(b, ip + IP.TTL)));
}
