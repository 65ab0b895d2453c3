/**
 * Test helpers for the wire codecs: poisoned buffers (smoltcp's 0xa5 fill, so a field that
 * emit forgets shows up), a seeded generator for mutation tests, and a result unwrapper.
 */
import type { Parsed } from '../bytes.ts';

/** A buffer of `n` bytes filled with 0xa5. */
export function poisoned(n: number): Uint8Array {
  return new Uint8Array(n).fill(0xa5);
}

/** The repr of a successful parse, or a thrown error naming the failure (tests only). */
export function must<T>(r: Parsed<T>): T {
  if (!r.ok) throw new Error(`parse failed: ${r.error}: ${r.detail}`);
  return r.repr;
}

/** A small deterministic generator (xorshift32) for mutation tests; the engine never uses ambient randomness. */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
