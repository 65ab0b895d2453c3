/**
 * ICMP for IPv4 (RFC 792): echo request/reply, destination unreachable (RFC 792, RFC 1191
 * next-hop MTU, RFC 1812 §5.2.7.1 code 13) and time exceeded. The checksum covers the whole
 * ICMP message (no pseudo-header). Error messages quote the original IP header plus the
 * first 8 bytes of its payload, enough for the ports (RFC 792 "Internet Header + 64 bits").
 */
import { readU16, readU32, writeU16, writeU32 } from './addr.ts';
import { fail, hexNum, nameOr, ok, placeBytes, type Parsed, type ParseOptions } from './bytes.ts';
import { internetChecksum } from './checksum.ts';

/** Byte offsets of the ICMP header fields; REST is the 4-byte type-specific word (echo IDENT/SEQ, unreachable MTU). */
export const ICMP = Object.freeze({
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  REST: 4,
  IDENT: 4,
  SEQ: 6,
  MTU: 6,
  HEADER_LEN: 8,
  DATA: 8,
} as const);

/** ICMP message types (RFC 792; IANA "ICMP Type Numbers"). */
export const ICMP_TYPE = Object.freeze({
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
} as const);

/** Destination Unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
export const ICMP_UNREACH = Object.freeze({
  NET: 0,
  HOST: 1,
  PROTOCOL: 2,
  PORT: 3,
  FRAG_NEEDED: 4,
  SOURCE_ROUTE_FAILED: 5,
  NET_UNKNOWN: 6,
  HOST_UNKNOWN: 7,
  NET_PROHIBITED: 9,
  HOST_PROHIBITED: 10,
  ADMIN_PROHIBITED: 13,
} as const);

/** Time Exceeded codes (RFC 792). */
export const ICMP_TIME_EXCEEDED = Object.freeze({
  TTL: 0,
  REASSEMBLY: 1,
} as const);

const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'echo reply',
  3: 'destination unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  9: 'router advertisement',
  10: 'router solicitation',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'timestamp request',
  14: 'timestamp reply',
});

const UNREACH_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'net unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed and DF set',
  5: 'source route failed',
  6: 'destination network unknown',
  7: 'destination host unknown',
  8: 'source host isolated',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  11: 'network unreachable for TOS',
  12: 'host unreachable for TOS',
  13: 'communication administratively prohibited',
  14: 'host precedence violation',
  15: 'precedence cutoff in effect',
});

const TIME_EXCEEDED_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'TTL exceeded in transit',
  1: 'fragment reassembly time exceeded',
});

/** The name of an ICMP type ("echo request", …) or "unknown N". */
export function icmpTypeName(type: number): string {
  return nameOr(ICMP_TYPE_NAMES, type);
}

/** The name of an ICMP code for its type ("port unreachable", …) or "unknown N"; codes of other types are "code N". */
export function icmpCodeName(type: number, code: number): string {
  if (type === ICMP_TYPE.DEST_UNREACHABLE) return nameOr(UNREACH_NAMES, code);
  if (type === ICMP_TYPE.TIME_EXCEEDED) return nameOr(TIME_EXCEEDED_NAMES, code);
  return `code ${code}`;
}

/** True for ICMP error types, which quote an offending datagram and must never be answered with another error (RFC 1122 §3.2.2). */
export function icmpIsError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** The Type of the ICMP message at `off`. Precondition: 8 bytes available. */
export function icmpType(b: Uint8Array, off: number): number {
  return b[off + ICMP.TYPE]!;
}

/** The Code of the ICMP message at `off`. */
export function icmpCode(b: Uint8Array, off: number): number {
  return b[off + ICMP.CODE]!;
}

/** The echo Identifier (conntrack's "port" for echo). */
export function icmpIdent(b: Uint8Array, off: number): number {
  return readU16(b, off + ICMP.IDENT);
}

/** The echo Sequence Number. */
export function icmpSeq(b: Uint8Array, off: number): number {
  return readU16(b, off + ICMP.SEQ);
}

/** True when the checksum over the `len`-byte message at `off` verifies. */
export function verifyIcmpChecksum(b: Uint8Array, off: number, len: number): boolean {
  return internetChecksum(b, off, len) === 0;
}

/** Computes and stores the checksum of the `len`-byte message at `off`. */
export function fillIcmpChecksum(b: Uint8Array, off: number, len: number): void {
  writeU16(b, off + ICMP.CHECKSUM, 0);
  writeU16(b, off + ICMP.CHECKSUM, internetChecksum(b, off, len));
}

/**
 * How many bytes of the offending datagram at bytes[ipOff, ipOff+available) an error should
 * quote: its IP header plus 8 bytes of payload (RFC 792), never more than the datagram.
 */
export function icmpQuoteLen(b: Uint8Array, ipOff: number, available: number): number {
  if (available < 1) return 0;
  const hl = (b[ipOff]! & 0x0f) << 2;
  const total = available >= 4 ? readU16(b, ipOff + 2) : available;
  return Math.max(0, Math.min(hl + 8, available, total));
}

/** An ICMP message. Kinds other than echo, unreachable and time exceeded (or those with non-standard fields) are kept as "other". */
export type IcmpRepr =
  | {
      readonly kind: 'echo-request' | 'echo-reply';
      readonly ident: number;
      readonly seq: number;
      readonly data: Uint8Array;
    }
  | {
      readonly kind: 'dest-unreachable';
      /** ICMP_UNREACH.* */
      readonly code: number;
      /** Next-hop MTU for code 4 (RFC 1191), else 0. */
      readonly mtu?: number;
      /** The quoted datagram: original IP header + 8 bytes of its payload. */
      readonly original: Uint8Array;
    }
  | {
      readonly kind: 'time-exceeded';
      /** ICMP_TIME_EXCEEDED.* */
      readonly code: number;
      readonly original: Uint8Array;
    }
  | {
      readonly kind: 'other';
      readonly type: number;
      readonly code: number;
      /** The 4-byte word after the checksum. */
      readonly rest: number;
      readonly data: Uint8Array;
    };

function icmpBody(repr: IcmpRepr): Uint8Array {
  return repr.kind === 'dest-unreachable' || repr.kind === 'time-exceeded' ? repr.original : repr.data;
}

/** The buffer length of `repr`: 8 + data/original. */
export function icmpBufferLen(repr: IcmpRepr): number {
  return ICMP.HEADER_LEN + icmpBody(repr).length;
}

/** Parses the ICMP message at bytes[off, off+len) (len = IP payload length), verifying the checksum by default. Data views share `b`. */
export function parseIcmp(b: Uint8Array, off = 0, len = b.length - off, opts: ParseOptions = {}): Parsed<IcmpRepr> {
  const have = Math.max(0, Math.min(len, b.length - off));
  if (have < ICMP.HEADER_LEN) return fail('truncated', `ICMP header needs ${ICMP.HEADER_LEN} bytes, have ${have}`);
  if (opts.verifyChecksum !== false && !verifyIcmpChecksum(b, off, have)) {
    const stored = readU16(b, off + ICMP.CHECKSUM);
    const copy = b.slice(off, off + have);
    writeU16(copy, ICMP.CHECKSUM, 0);
    return fail('bad checksum', `ICMP checksum ${hexNum(stored, 4)}, should be ${hexNum(internetChecksum(copy, 0, have), 4)}`);
  }
  const type = icmpType(b, off);
  const code = icmpCode(b, off);
  const rest = readU32(b, off + ICMP.REST);
  const body = b.subarray(off + ICMP.DATA, off + have);
  if ((type === ICMP_TYPE.ECHO_REQUEST || type === ICMP_TYPE.ECHO_REPLY) && code === 0) {
    return ok({
      kind: type === ICMP_TYPE.ECHO_REQUEST ? 'echo-request' : 'echo-reply',
      ident: rest >>> 16,
      seq: rest & 0xffff,
      data: body,
    });
  }
  if (type === ICMP_TYPE.DEST_UNREACHABLE && rest >>> 16 === 0) {
    return ok({ kind: 'dest-unreachable', code, mtu: rest & 0xffff, original: body });
  }
  if (type === ICMP_TYPE.TIME_EXCEEDED && rest === 0) {
    return ok({ kind: 'time-exceeded', code, original: body });
  }
  return ok({ kind: 'other', type, code, rest, data: body });
}

/** Writes `repr` at `off` (copying its data unless already in place) and fills the checksum; returns the message length. */
export function emitIcmp(repr: IcmpRepr, b: Uint8Array, off = 0): number {
  let type: number;
  let code: number;
  let rest: number;
  switch (repr.kind) {
    case 'echo-request':
    case 'echo-reply':
      type = repr.kind === 'echo-request' ? ICMP_TYPE.ECHO_REQUEST : ICMP_TYPE.ECHO_REPLY;
      code = 0;
      rest = ((repr.ident & 0xffff) * 0x10000 + (repr.seq & 0xffff)) >>> 0;
      break;
    case 'dest-unreachable':
      type = ICMP_TYPE.DEST_UNREACHABLE;
      code = repr.code;
      rest = (repr.mtu ?? 0) & 0xffff;
      break;
    case 'time-exceeded':
      type = ICMP_TYPE.TIME_EXCEEDED;
      code = repr.code;
      rest = 0;
      break;
    case 'other':
      type = repr.type;
      code = repr.code;
      rest = repr.rest >>> 0;
      break;
  }
  const body = icmpBody(repr);
  b[off + ICMP.TYPE] = type;
  b[off + ICMP.CODE] = code;
  writeU32(b, off + ICMP.REST, rest);
  placeBytes(b, off + ICMP.DATA, body);
  const len = ICMP.HEADER_LEN + body.length;
  fillIcmpChecksum(b, off, len);
  return len;
}
