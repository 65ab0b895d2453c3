/**
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type 0x0800, 6-byte
 * hardware and 4-byte protocol addresses, 28 bytes in all.
 */
import { readMac, readU16, readU32, writeMac, writeU16, writeU32, type Ipv4Addr, type MacAddr } from './addr.ts';
import { fail, nameOr, ok, type Parsed } from './bytes.ts';
import { ETHERTYPE } from './ethernet.ts';

/** Byte offsets of the ARP fields (RFC 826 "Packet format"); LEN is the Ethernet/IPv4 packet length. */
export const ARP = Object.freeze({
  HTYPE: 0,
  PTYPE: 2,
  HLEN: 4,
  PLEN: 5,
  OPER: 6,
  SHA: 8,
  SPA: 14,
  THA: 18,
  TPA: 24,
  LEN: 28,
} as const);

/** ARP hardware type for Ethernet (IANA ARP parameters: 1). */
export const ARP_HTYPE_ETHERNET = 1;

/** ARP operation codes (RFC 826; RFC 5494 registry). */
export const ARP_OP = Object.freeze({
  REQUEST: 1,
  REPLY: 2,
} as const);

const ARP_OP_NAMES: Readonly<Record<number, string>> = Object.freeze({ 1: 'Request', 2: 'Reply', 3: 'Reverse Request', 4: 'Reverse Reply' });

/** The name of an ARP operation ("Request", "Reply") or "unknown N". */
export function arpOpName(op: number): string {
  return nameOr(ARP_OP_NAMES, op);
}

/** An Ethernet/IPv4 ARP packet. */
export interface ArpRepr {
  /** 1 request, 2 reply; other values are kept. */
  readonly operation: number;
  readonly senderMac: MacAddr;
  readonly senderIp: Ipv4Addr;
  /** Zero in a request (RFC 826: "does not matter"; Linux sends zeros). */
  readonly targetMac: MacAddr;
  readonly targetIp: Ipv4Addr;
}

/** The operation of the ARP packet at `off`. Precondition: 28 bytes available. */
export function arpOperation(b: Uint8Array, off: number): number {
  return readU16(b, off + ARP.OPER);
}

/** The sender protocol address of the ARP packet at `off`. */
export function arpSenderIp(b: Uint8Array, off: number): Ipv4Addr {
  return readU32(b, off + ARP.SPA);
}

/** The target protocol address of the ARP packet at `off`. */
export function arpTargetIp(b: Uint8Array, off: number): Ipv4Addr {
  return readU32(b, off + ARP.TPA);
}

/** The sender hardware address of the ARP packet at `off`. */
export function arpSenderMac(b: Uint8Array, off: number): MacAddr {
  return readMac(b, off + ARP.SHA);
}

/** The buffer length of an Ethernet/IPv4 ARP packet (28). */
export function arpBufferLen(): number {
  return ARP.LEN;
}

/** Parses an Ethernet/IPv4 ARP packet; other hardware/protocol types are "malformed" here (this emulator speaks only these). */
export function parseArp(b: Uint8Array, off = 0, len = b.length - off): Parsed<ArpRepr> {
  const have = Math.max(0, Math.min(len, b.length - off));
  if (have < 8) return fail('truncated', `ARP header needs 8 bytes, have ${have}`);
  const htype = readU16(b, off + ARP.HTYPE);
  const ptype = readU16(b, off + ARP.PTYPE);
  const hlen = b[off + ARP.HLEN]!;
  const plen = b[off + ARP.PLEN]!;
  if (htype !== ARP_HTYPE_ETHERNET || ptype !== ETHERTYPE.IPV4 || hlen !== 6 || plen !== 4) {
    return fail('malformed', `ARP for hardware type ${htype}/${hlen} and protocol 0x${ptype.toString(16)}/${plen} is not Ethernet/IPv4`);
  }
  if (have < ARP.LEN) return fail('truncated', `ARP packet needs ${ARP.LEN} bytes, have ${have}`);
  return ok({
    operation: readU16(b, off + ARP.OPER),
    senderMac: readMac(b, off + ARP.SHA),
    senderIp: readU32(b, off + ARP.SPA),
    targetMac: readMac(b, off + ARP.THA),
    targetIp: readU32(b, off + ARP.TPA),
  });
}

/** Writes `repr` at `off` as Ethernet/IPv4 ARP; returns 28. */
export function emitArp(repr: ArpRepr, b: Uint8Array, off = 0): number {
  writeU16(b, off + ARP.HTYPE, ARP_HTYPE_ETHERNET);
  writeU16(b, off + ARP.PTYPE, ETHERTYPE.IPV4);
  b[off + ARP.HLEN] = 6;
  b[off + ARP.PLEN] = 4;
  writeU16(b, off + ARP.OPER, repr.operation);
  writeMac(b, off + ARP.SHA, repr.senderMac);
  writeU32(b, off + ARP.SPA, repr.senderIp);
  writeMac(b, off + ARP.THA, repr.targetMac);
  writeU32(b, off + ARP.TPA, repr.targetIp);
  return ARP.LEN;
}
