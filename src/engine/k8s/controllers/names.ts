/**
 * The names and ids the API server and controllers make up: `generateName` suffixes, the
 * pod-template-hash, and object uids. Kubernetes draws suffixes from an alphabet without
 * vowels or look-alike characters (k8s.io/apimachinery util/rand) so that no generated name
 * spells a word; kubewire uses the same alphabet, drawing from seeded streams instead of the
 * global random source.
 */
import type { RandomStream } from '../../sim/rng.ts';

/** The characters generated names use (apimachinery util/rand's alphanums): no vowels, no 0/1/3. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** How many random characters `generateName` appends (the API server's SimpleNameGenerator). */
export const GENERATED_SUFFIX_LENGTH = 5;

/** The longest name an object may have that generated names must fit (DNS-1123 label). */
const MAX_NAME_LENGTH = 63;

/**
 * Maps every character of `s` into SAFE_ALPHABET by its code modulo the alphabet size, as
 * apimachinery's SafeEncodeString does. Applied to the decimal digits of a hash, this is how
 * Kubernetes spells a pod-template-hash (so such hashes only use "bcdf456789").
 */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of a string. */
export function fnv32a(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * JSON with object keys sorted at every level and undefined members left out, so that two
 * templates that differ only in key order hash alike.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The pod-template-hash of a pod template: FNV-32a over its canonical JSON, printed in
 * decimal and safe-encoded, as the Deployment controller's ComputeHash does (it hashes Go's
 * object dump rather than JSON, so the values differ from a real cluster's, but the shape
 * is the same: up to 10 characters, 10 for most templates, drawn from "bcdf456789").
 * `collisionCount` is mixed in as Kubernetes does when it is non-zero.
 */
export function computeHash(template: unknown, collisionCount = 0): string {
  let h = fnv32a(canonicalJson(template));
  if (collisionCount !== 0) {
    // Kubernetes writes the collision count's 4 little-endian bytes into the hasher.
    for (let i = 0; i < 4; i++) {
      h ^= (collisionCount >>> (8 * i)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return safeEncodeString(String(h >>> 0));
}

/** `n` random characters of SAFE_ALPHABET drawn from a stream. */
export function randomSuffix(stream: RandomStream, n = GENERATED_SUFFIX_LENGTH): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE_ALPHABET[stream.int(0, SAFE_ALPHABET.length - 1)];
  return out;
}

/**
 * Completes a `generateName` prefix as the API server does: the prefix is cut to 58
 * characters so the name stays within 63, then 5 random characters are appended.
 */
export function generateName(prefix: string, stream: RandomStream): string {
  const base = prefix.length > MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH ? prefix.slice(0, MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH) : prefix;
  return base + randomSuffix(stream);
}

/**
 * Completes a `generateName` prefix, drawing again while the result is in `taken` (the API
 * server would answer AlreadyExists and the controller retry with a fresh name).
 */
export function generateUniqueName(prefix: string, stream: RandomStream, taken: (name: string) => boolean): string {
  for (;;) {
    const name = generateName(prefix, stream);
    if (!taken(name)) return name;
  }
}

/** A random (version 4) UUID drawn from a stream, as the API server gives every object. */
export function randomUid(stream: RandomStream): string {
  const w0 = stream.nextUint32();
  const w1 = ((stream.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0; // version 4
  const w2 = ((stream.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122 variant
  const w3 = stream.nextUint32();
  // 8-4-4-4-12 hex digits, written into one code buffer (a cluster's 150,000 pods each get one).
  const c = UID_CODES;
  hexInto(c, 0, w0, 8);
  c[8] = 45;
  hexInto(c, 9, w1 >>> 16, 4);
  c[13] = 45;
  hexInto(c, 14, w1 & 0xffff, 4);
  c[18] = 45;
  hexInto(c, 19, w2 >>> 16, 4);
  c[23] = 45;
  hexInto(c, 24, w2 & 0xffff, 4);
  hexInto(c, 28, w3, 8);
  return String.fromCharCode.apply(null, c as unknown as number[]);
}

const UID_CODES = new Uint16Array(36);
const HEX_CODES = Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));

/** The low `digits` hex digits of `v`, lower case, most significant first, at c[at…]. */
function hexInto(c: Uint16Array, at: number, v: number, digits: number): void {
  for (let i = digits - 1; i >= 0; i--) {
    c[at + i] = HEX_CODES[v & 15]!;
    v >>>= 4;
  }
}
