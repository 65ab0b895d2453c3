/**
 * Addresses: IPv4 addresses as unsigned 32-bit numbers, CIDR prefixes, and 48-bit MAC
 * addresses as numbers (exact in a double). Parsing is strict and reports what was wrong.
 */

/** An IPv4 address as an unsigned 32-bit integer (10.0.0.1 = 0x0a000001). */
export type Ipv4Addr = number;
/** A MAC address as a 48-bit integer. */
export type MacAddr = number;

export const BROADCAST_MAC: MacAddr = 0xffffffffffff;

/**
 * Parses dotted-quad IPv4. Legacy spellings with leading zeros ("010.001.002.003") are read as
 * decimal, as Kubernetes' legacy parser keeps them. Returns null when it is not an address.
 */
export function parseIpv4(text: string): Ipv4Addr | null {
  // Four parts of one to three ASCII digits, each at most 255, joined by dots.
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3 || part > 255) return null;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return null;
      part = part * 10 + (c - 48);
    } else return null;
  }
  if (dots !== 3 || digits === 0 || part > 255) return null;
  return v * 256 + part;
}

/** Parses or throws with a message naming the bad text. */
export function ipv4(text: string): Ipv4Addr {
  const v = parseIpv4(text);
  if (v === null) throw new Error(`not an IPv4 address: "${text}"`);
  return v;
}

export function formatIpv4(a: Ipv4Addr): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The netmask for a prefix length, as an unsigned 32-bit number. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** An IPv4 prefix such as 10.2.0.0/16. */
export class Cidr {
  readonly mask: number;
  constructor(readonly network: Ipv4Addr, readonly prefixLen: number) {
    this.mask = prefixMask(prefixLen);
    this.network = (network & this.mask) >>> 0;
  }

  static parse(text: string): Cidr | null {
    const m = /^([\d.]+)(?:\/(\d{1,2}))?$/.exec(text.trim());
    if (!m) return null;
    const a = parseIpv4(m[1]!);
    const len = m[2] === undefined ? 32 : Number(m[2]);
    if (a === null || len > 32) return null;
    return new Cidr(a, len);
  }

  static of(text: string): Cidr {
    const c = Cidr.parse(text);
    if (!c) throw new Error(`not an IPv4 CIDR: "${text}"`);
    return c;
  }

  contains(a: Ipv4Addr): boolean {
    return ((a & this.mask) >>> 0) === this.network;
  }

  /** The i-th address of the prefix (0 = the network address). */
  at(i: number): Ipv4Addr {
    return (this.network + i) >>> 0;
  }

  get size(): number {
    return 2 ** (32 - this.prefixLen);
  }

  toString(): string {
    return `${formatIpv4(this.network)}/${this.prefixLen}`;
  }
}

export function parseMac(text: string): MacAddr | null {
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(text);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

export function formatMac(m: MacAddr): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push((Math.floor(m / 2 ** (8 * i)) & 255).toString(16).padStart(2, '0'));
  return out.join(':');
}

/** Reads a 48-bit MAC at `off`. */
export function readMac(b: Uint8Array, off: number): MacAddr {
  return (b[off]! * 0x10000 + ((b[off + 1]! << 8) | b[off + 2]!)) * 0x1000000 + ((b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!);
}

/** Writes a 48-bit MAC at `off`. */
export function writeMac(b: Uint8Array, off: number, m: MacAddr): void {
  const hi = Math.floor(m / 0x1000000);
  const lo = m % 0x1000000;
  b[off] = (hi >>> 16) & 255;
  b[off + 1] = (hi >>> 8) & 255;
  b[off + 2] = hi & 255;
  b[off + 3] = (lo >>> 16) & 255;
  b[off + 4] = (lo >>> 8) & 255;
  b[off + 5] = lo & 255;
}

/** Reads a big-endian unsigned 32-bit value (an IPv4 address) at `off`. */
export function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 255;
  b[off + 2] = (v >>> 8) & 255;
  b[off + 3] = v & 255;
}

export function readU16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 255;
  b[off + 1] = v & 255;
}

/** Formats the 16-byte IPv6 address at `off` in RFC 5952 text form (lower case, longest zero run of 2+ groups as "::"). */
export function formatIpv6(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = g.map((x) => x.toString(16));
  if (bestAt < 0) return hexes.join(':');
  return `${hexes.slice(0, bestAt).join(':')}::${hexes.slice(bestAt + bestLen).join(':')}`;
}
