/** msgpack encoding of trace batches: light enough for the main thread to import. */
import { decode, encode } from '@msgpack/msgpack';
import type { TraceBatch } from './engine-api.ts';

/** Encodes a batch into an exact-size buffer (safe to transfer). */
export function encodeBatch(batch: TraceBatch): Uint8Array {
  return encode(batch).slice();
}

export function decodeBatch(bytes: Uint8Array): TraceBatch {
  return decode(bytes) as TraceBatch;
}
