/**
 * Ethernet II framing (IEEE 802.3 clause 3.2.6 "Length/Type" used as a type, RFC 894 for IPv4):
 * destination MAC, source MAC, EtherType, payload. The FCS is not carried, as in pcap
 * captures (LINKTYPE_ETHERNET = 1) and in Linux sk_buffs.
 *
 * Hot path: read fields with the `eth*` functions and the {@link ETH} offsets; the
 * {@link EthernetRepr} is for tests, describe and apps.
 */
import { readMac, writeMac, readU16, writeU16, type MacAddr } from './addr.ts';
import { fail, nameOr, ok, type Parsed } from './bytes.ts';

/** Byte offsets of the Ethernet II header fields; HEADER_LEN follows the last field. */
export const ETH = Object.freeze({
  DST: 0,
  SRC: 6,
  TYPE: 12,
  HEADER_LEN: 14,
} as const);

/** The smallest Ethernet frame without FCS (64 bytes on the wire minus 4 FCS); shorter frames are padded (IEEE 802.3 clause 4.2.3.3). */
export const ETH_MIN_FRAME_LEN = 60;

/** The pcap/pcapng link type for Ethernet (tcpdump.org link-layer header types). */
export const LINKTYPE_ETHERNET = 1;

/** EtherType values this emulator speaks or names (IEEE registry). */
export const ETHERTYPE = Object.freeze({
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
} as const);

const ETHERTYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [ETHERTYPE.IPV4]: 'IPv4',
  [ETHERTYPE.ARP]: 'ARP',
  [ETHERTYPE.VLAN]: '802.1Q',
  [ETHERTYPE.IPV6]: 'IPv6',
});

/** The name of an EtherType ("IPv4", "ARP", …) or "unknown 0x88cc". */
export function etherTypeName(t: number): string {
  return nameOr(ETHERTYPE_NAMES, t, 16, 4);
}

/** An Ethernet II header. */
export interface EthernetRepr {
  readonly dst: MacAddr;
  readonly src: MacAddr;
  /** The EtherType, kept as a number so unknown types survive a round trip. */
  readonly etherType: number;
}

/** The destination MAC of the frame at `off`. Precondition: 14 bytes available. */
export function ethDst(b: Uint8Array, off: number): MacAddr {
  return readMac(b, off + ETH.DST);
}

/** The source MAC of the frame at `off`. Precondition: 14 bytes available. */
export function ethSrc(b: Uint8Array, off: number): MacAddr {
  return readMac(b, off + ETH.SRC);
}

/** The EtherType of the frame at `off`. Precondition: 14 bytes available. */
export function ethType(b: Uint8Array, off: number): number {
  return readU16(b, off + ETH.TYPE);
}

/** Writes a whole Ethernet II header at `off` without allocating; returns the header length (14). */
export function writeEthernetHeader(b: Uint8Array, off: number, dst: MacAddr, src: MacAddr, etherType: number): number {
  writeMac(b, off + ETH.DST, dst);
  writeMac(b, off + ETH.SRC, src);
  writeU16(b, off + ETH.TYPE, etherType);
  return ETH.HEADER_LEN;
}

/** True when a 6-byte MAC is a group (multicast/broadcast) address: the I/G bit, the lowest bit of the first octet (IEEE 802 §8.2). */
export function isGroupMac(b: Uint8Array, off: number): boolean {
  return (b[off]! & 1) === 1;
}

/** The buffer length for a frame with `payloadLen` payload bytes (no padding added). */
export function ethernetBufferLen(payloadLen: number): number {
  return ETH.HEADER_LEN + payloadLen;
}

/** Parses the Ethernet II header of bytes[off, off+len); the payload starts at off + 14. */
export function parseEthernet(b: Uint8Array, off = 0, len = b.length - off): Parsed<EthernetRepr> {
  if (len < ETH.HEADER_LEN || off + ETH.HEADER_LEN > b.length) {
    return fail('truncated', `Ethernet header needs ${ETH.HEADER_LEN} bytes, have ${Math.max(0, Math.min(len, b.length - off))}`);
  }
  return ok({ dst: ethDst(b, off), src: ethSrc(b, off), etherType: ethType(b, off) });
}

/** Writes `repr` at `off`; returns the header length (14). The caller writes the payload after it. */
export function emitEthernet(repr: EthernetRepr, b: Uint8Array, off = 0): number {
  return writeEthernetHeader(b, off, repr.dst, repr.src, repr.etherType);
}
