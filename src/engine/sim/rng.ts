/**
 * Seeded random numbers, split into named streams (as smoltcp's netsim seeds each direction):
 * `rng.stream('kube-proxy/node-2')` always yields the same sequence for the same seed and
 * name, so adding a traffic item never reshuffles the choices made elsewhere.
 * Pure 32-bit integer arithmetic: identical in every JS engine.
 */

/** FNV-1a over the UTF-16 code units of a string, mixed with a seed. */
function hashName(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** One deterministic stream (sfc32, seeded through splitmix32). */
export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    // Kept as int32 bits (V8 stores them unboxed; every step below is modulo 2^32 either way).
    this.a = next() | 0;
    this.b = next() | 0;
    this.c = next() | 0;
    this.d = next() | 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/** The scenario's root of randomness; hands out named streams. */
export class Rng {
  private readonly streams = new Map<string, RandomStream>();
  constructor(readonly seed: number) {}

  /** The stream for a purpose; the same name always returns the same stream object. */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(hashName(this.seed, name));
      this.streams.set(name, s);
    }
    return s;
  }
}
