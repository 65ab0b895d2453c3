/**
 * PPP framing as ns-3's point-to-point devices write it (ns-3 `PppHeader`): only the 2-byte
 * Protocol field of RFC 1661 §2, with no HDLC flag, Address, Control or FCS. pcap's
 * LINKTYPE_PPP (9) decodes it: a frame that starts with 0xff 0x03 carries the RFC 1662
 * Address/Control bytes first, otherwise it starts at the Protocol field.
 */
import { readU16, writeU16 } from './addr.ts';
import { fail, nameOr, ok, type Parsed } from './bytes.ts';

/** Byte offsets of the PPP header as emitted (Protocol only). */
export const PPP = Object.freeze({
  PROTOCOL: 0,
  HEADER_LEN: 2,
} as const);

/** The pcap/pcapng link type for PPP (tcpdump.org link-layer header types). */
export const LINKTYPE_PPP = 9;

/** PPP Protocol field values (IANA "PPP DLL Protocol Numbers"). */
export const PPP_PROTO = Object.freeze({
  IPV4: 0x0021,
  IPV6: 0x0057,
  IPCP: 0x8021,
  LCP: 0xc021,
} as const);

const PPP_PROTO_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [PPP_PROTO.IPV4]: 'IPv4',
  [PPP_PROTO.IPV6]: 'IPv6',
  [PPP_PROTO.IPCP]: 'IPCP',
  [PPP_PROTO.LCP]: 'LCP',
});

/** The name of a PPP protocol ("IPv4", …) or "unknown 0x8057". */
export function pppProtoName(p: number): string {
  return nameOr(PPP_PROTO_NAMES, p, 16, 4);
}

/** A PPP header. */
export interface PppRepr {
  /** The Protocol field, kept as a number so unknown protocols survive. */
  readonly protocol: number;
}

/** The Protocol field of an ns-3-style PPP frame at `off`. Precondition: 2 bytes available. */
export function pppProtocol(b: Uint8Array, off: number): number {
  return readU16(b, off + PPP.PROTOCOL);
}

/** Writes the 2-byte PPP header at `off`; returns 2. */
export function writePppHeader(b: Uint8Array, off: number, protocol: number): number {
  writeU16(b, off + PPP.PROTOCOL, protocol);
  return PPP.HEADER_LEN;
}

/** The header length and protocol of a LINKTYPE_PPP frame, tolerating RFC 1662 Address/Control (ff 03) and a compressed 1-byte Protocol (RFC 1661 §6.5). */
export interface PppDecoded extends PppRepr {
  /** Bytes before the payload: 2 as ns-3 writes it, up to 4 with Address/Control. */
  readonly headerLen: number;
}

/** Parses the PPP header at bytes[off, off+len). */
export function parsePpp(b: Uint8Array, off = 0, len = b.length - off): Parsed<PppDecoded> {
  const end = Math.min(b.length, off + len);
  let p = off;
  if (end - p >= 2 && b[p] === 0xff && b[p + 1] === 0x03) p += 2;
  if (end - p < 1) return fail('truncated', 'PPP frame has no Protocol field');
  // RFC 1661 §2: Protocol values have an odd low octet and an even high octet, so an odd
  // first octet means the compressed 1-byte form.
  if (b[p]! & 1) return ok({ protocol: b[p]!, headerLen: p + 1 - off });
  if (end - p < 2) return fail('truncated', 'PPP Protocol field needs 2 bytes');
  return ok({ protocol: readU16(b, p), headerLen: p + 2 - off });
}

/** Writes `repr` at `off` as ns-3 does (Protocol only); returns 2. */
export function emitPpp(repr: PppRepr, b: Uint8Array, off = 0): number {
  return writePppHeader(b, off, repr.protocol);
}

/** The buffer length of a PPP frame carrying `payloadLen` bytes. */
export function pppBufferLen(payloadLen: number): number {
  return PPP.HEADER_LEN + payloadLen;
}
