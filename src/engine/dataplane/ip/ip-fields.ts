/**
 * Transport-generic helpers for the IP stack on top of engine/wire: checksums for "TCP or UDP"
 * and NAT's in-place address/port rewrite with RFC 1624 incremental updates (as Linux NAT does:
 * never re-summing the packet). Everything protocol-specific lives in wire/.
 */
import { readU16, readU32, writeU16 } from '../../wire/addr.ts';
import { updateChecksum16 } from '../../wire/checksum.ts';
import { IPV4, IP_PROTO, ipv4HeaderLen, ipv4RewriteDst, ipv4RewriteSrc } from '../../wire/ipv4.ts';
import { ICMP_TYPE } from '../../wire/icmp.ts';
import { fillTcpChecksum, tcpAdjustForAddr, tcpRewriteDstPort, tcpRewriteSrcPort, verifyTcpChecksum } from '../../wire/tcp.ts';
import { fillUdpChecksum, udpAdjustForAddr, udpRewriteDstPort, udpRewriteSrcPort, verifyUdpChecksum } from '../../wire/udp.ts';

/** Computes and stores the TCP/UDP checksum of the segment at `l4` (length `l4len`) of the packet at `ip`. */
export function fillL4Checksum(b: Uint8Array, ip: number, l4: number, l4len: number, proto: number): void {
  const src = readU32(b, ip + IPV4.SRC), dst = readU32(b, ip + IPV4.DST);
  if (proto === IP_PROTO.TCP) fillTcpChecksum(b, l4, l4len, src, dst);
  else fillUdpChecksum(b, l4, l4len, src, dst);
}

/** True when the TCP/UDP checksum verifies (a UDP checksum of 0 means none was sent). */
export function verifyL4Checksum(b: Uint8Array, ip: number, l4: number, l4len: number, proto: number): boolean {
  const src = readU32(b, ip + IPV4.SRC), dst = readU32(b, ip + IPV4.DST);
  return proto === IP_PROTO.TCP ? verifyTcpChecksum(b, l4, l4len, src, dst) : verifyUdpChecksum(b, l4, l4len, src, dst);
}

/**
 * Rewrites the source (`which` = 0) or destination (1) address and port of the packet at `ip`,
 * fixing the IP and transport checksums incrementally. For ICMP echo the identifier plays the
 * source port's role.
 */
export function rewriteAddrPort(b: Uint8Array, ip: number, which: 0 | 1, addr: number, port: number): void {
  const proto = b[ip + IPV4.PROTO]!;
  const l4 = ip + ipv4HeaderLen(b, ip);
  const oldAddr = readU32(b, ip + (which === 0 ? IPV4.SRC : IPV4.DST));
  if (oldAddr !== addr) {
    if (which === 0) ipv4RewriteSrc(b, ip, addr);
    else ipv4RewriteDst(b, ip, addr);
    if (proto === IP_PROTO.TCP) tcpAdjustForAddr(b, l4, oldAddr, addr);
    else if (proto === IP_PROTO.UDP) udpAdjustForAddr(b, l4, oldAddr, addr);
  }
  if (proto === IP_PROTO.TCP) {
    if (readU16(b, l4 + (which === 0 ? 0 : 2)) !== port) (which === 0 ? tcpRewriteSrcPort : tcpRewriteDstPort)(b, l4, port);
  } else if (proto === IP_PROTO.UDP) {
    if (readU16(b, l4 + (which === 0 ? 0 : 2)) !== port) (which === 0 ? udpRewriteSrcPort : udpRewriteDstPort)(b, l4, port);
  } else if (proto === IP_PROTO.ICMP && which === 0 && isIcmpQuery(b[l4]!) && port !== 0) {
    const oldId = readU16(b, l4 + 4);
    if (oldId !== port) {
      writeU16(b, l4 + 4, port);
      writeU16(b, l4 + 2, updateChecksum16(readU16(b, l4 + 2), oldId, port));
    }
  }
}

/** ICMP echo request/reply carry an identifier (NAT's "port"); errors do not. */
export function isIcmpQuery(type: number): boolean {
  return type === ICMP_TYPE.ECHO_REQUEST || type === ICMP_TYPE.ECHO_REPLY;
}
