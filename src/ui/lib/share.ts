/**
 * Share links (shared/docs/scenario-format.md, "In the browser"): `#s=` followed by the
 * base64url of the raw-deflate-compressed scenario text, optionally `&at=N` for the selected
 * event. Compression uses the platform's CompressionStream('deflate-raw').
 */

/** Longest `#s=` value accepted (base64url characters): links beyond it are refused, not parsed. */
export const MAX_SHARE_CHARS = 1 << 20;
/** Largest scenario text a link may inflate to: a deflate bomb stops here. */
export const MAX_SHARE_TEXT_BYTES = 4 << 20;

/** What a share link carries. */
export interface SharedState {
  text: string;
  /** The selected trace event, when the link names one. */
  at: number | null;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit = Infinity): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new RangeError(`inflates to more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Decodes base64url (padding optional); null when the text is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** The hash fragment (with its leading '#') for a scenario text and an optional selected event. */
export async function encodeShareHash(text: string, at: number | null): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
  return `#s=${toBase64Url(packed)}${at !== null && at >= 0 ? `&at=${at}` : ''}`;
}

/**
 * Reads a share hash (`#s=…&at=N`, with or without the '#'). Returns null when the hash carries
 * no scenario; throws an Error with a readable message when it carries a damaged one.
 */
export async function decodeShareHash(hash: string): Promise<SharedState | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const s = params.get('s');
  if (s === null) return null;
  if (s.length > MAX_SHARE_CHARS) throw new Error(`the share link is too long (${s.length} characters; at most ${MAX_SHARE_CHARS}): open the file instead`);
  const packed = fromBase64Url(s);
  if (!packed) throw new Error('the share link is damaged: its #s= part is not base64url');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await pipe(packed, new DecompressionStream('deflate-raw'), MAX_SHARE_TEXT_BYTES));
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`the share link's scenario is too large (it ${e.message}; at most ${MAX_SHARE_TEXT_BYTES} bytes)`);
    throw new Error('the share link is damaged: its #s= part does not inflate (was it cut short?)');
  }
  const atText = params.get('at');
  const at = atText !== null && /^\d+$/.test(atText) ? Number(atText) : null;
  return { text, at };
}
