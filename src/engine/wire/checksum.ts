/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624), over byte ranges of a
 * Uint8Array. Sums are kept as plain numbers and folded at the end.
 */

/** One's-complement sum of bytes[off, off+len) as 16-bit big-endian words, added to `initial` (unfolded). */
export function onesSum(bytes: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (len & 1) sum += bytes[off + len - 1]! << 8;
  return sum;
}

/** Folds a sum to 16 bits and complements it: the value to store in a checksum field. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The checksum of a byte range (RFC 1071). A range that includes a correct checksum yields 0. */
export function internetChecksum(bytes: Uint8Array, off: number, len: number): number {
  return finishChecksum(onesSum(bytes, off, len));
}

/** The IPv4 pseudo-header sum for TCP/UDP (RFC 793 §3.1, RFC 768), unfolded. */
export function pseudoHeaderSum(src: number, dst: number, proto: number, l4len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + l4len;
}

/**
 * RFC 1624 eqn. 3: the new checksum after a 16-bit word changes from `oldWord` to `newWord`,
 * HC' = ~(~HC + ~m + m'). Used by NAT and TTL decrement so we never re-sum whole packets.
 */
export function updateChecksum16(checksum: number, oldWord: number, newWord: number): number {
  let sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** RFC 1624 update for a 32-bit field (an IPv4 address) changing. */
export function updateChecksum32(checksum: number, oldValue: number, newValue: number): number {
  const c = updateChecksum16(checksum, oldValue >>> 16, newValue >>> 16);
  return updateChecksum16(c, oldValue & 0xffff, newValue & 0xffff);
}
