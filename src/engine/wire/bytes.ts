/**
 * Shared vocabulary of the wire codecs: the parse result shape, parse options, and small byte
 * helpers (hex, Latin-1 text) used by tests, describe.ts and the text protocols.
 *
 * Every `parseX` in this folder returns a {@link Parsed}: it never throws on bad input, it says
 * what was wrong (smoltcp's `Result<Repr>` with `Error::Truncated` / `Error::Checksum`).
 */

/** Why a parse failed: the input ended early, a checksum did not verify, or a field is invalid. HTTP adds "incomplete" for a message whose end has not arrived yet. */
export type WireError = 'truncated' | 'bad checksum' | 'malformed' | 'incomplete';

/** The result of a parse: the repr, or an error kind plus a human-readable detail. */
export type Parsed<T> =
  | { readonly ok: true; readonly repr: T }
  | { readonly ok: false; readonly error: WireError; readonly detail: string };

/** A failed {@link Parsed} (assignable to every `Parsed<T>`). */
export type ParseFailure = { readonly ok: false; readonly error: WireError; readonly detail: string };

/** Options shared by the checksummed decoders. */
export interface ParseOptions {
  /** Verify the checksum (default true). Off for packets whose checksum is known to be stale, e.g. the header quoted inside an ICMP error after NAT. */
  readonly verifyChecksum?: boolean;
}

/** Builds a successful {@link Parsed}. */
export function ok<T>(repr: T): Parsed<T> {
  return { ok: true, repr };
}

/** Builds a failed {@link Parsed}. */
export function fail(error: WireError, detail: string): ParseFailure {
  return { ok: false, error, detail };
}

/** The name of a value from a name table, or "unknown N" (smoltcp's `enum_with_unknown!`: unfamiliar values are kept, never rejected). */
export function nameOr(table: Readonly<Record<number, string>>, value: number, radix: 10 | 16 = 10, width = 0): string {
  const n = table[value];
  if (n !== undefined) return n;
  return radix === 16 ? `unknown 0x${value.toString(16).padStart(width, '0')}` : `unknown ${value}`;
}

/** Parses hex text ("4500 0073", "45:00", "0x45 0x00") into bytes; returns null on an odd digit count or a non-hex character. */
export function parseHex(text: string): Uint8Array | null {
  const clean = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Parses hex text or throws naming the problem; for tests and fixtures. */
export function hex(text: string): Uint8Array {
  const b = parseHex(text);
  if (!b) throw new Error(`not hex: "${text.slice(0, 40)}"`);
  return b;
}

/** Formats bytes[off, off+len) as lower-case hex with no separators. */
export function toHex(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = '';
  const end = Math.min(b.length, off + len);
  for (let i = off; i < end; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Decodes bytes as ISO-8859-1 (one char per byte, lossless): HTTP header octets and DNS label bytes. */
export function latin1(b: Uint8Array, off: number, len: number): string {
  let s = '';
  const end = Math.min(b.length, off + len);
  for (let i = off; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Writes a string as ISO-8859-1 at `off` (code points above 0xff become "?"); returns the byte count. */
export function writeLatin1(b: Uint8Array, off: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[off + i] = c > 0xff ? 0x3f : c;
  }
  return s.length;
}

/** Formats a number as 0x-prefixed hex padded to `width` digits. */
export function hexNum(v: number, width: number): string {
  return `0x${v.toString(16).padStart(width, '0')}`;
}

/** Copies `src` into `dst` at `off` unless it already sits exactly there (zero-copy emit when the caller built the payload in place). */
export function placeBytes(dst: Uint8Array, off: number, src: Uint8Array): void {
  if (src.buffer === dst.buffer && src.byteOffset === dst.byteOffset + off) return;
  dst.set(src, off);
}
