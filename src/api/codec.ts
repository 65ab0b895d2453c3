/** msgpack encodings that cross the worker boundary: light enough for the main thread to import. */
import { decode, encode } from '@msgpack/msgpack';
import type { RepeatDto, RunReply, RunReplyPacked, TraceBatch, TrafficDto, TrafficItemDto } from './engine-api.ts';

/** Encodes a batch into an exact-size buffer (safe to transfer). */
export function encodeBatch(batch: TraceBatch): Uint8Array {
  return encode(batch).slice();
}

export function decodeBatch(bytes: Uint8Array): TraceBatch {
  return decode(bytes) as TraceBatch;
}

/** Packs a run's answer for the page: repeats as one exact-size msgpack buffer (safe to transfer). */
export function packRunReply(reply: RunReply): RunReplyPacked {
  const { traffic, ...rest } = reply;
  return {
    ...rest,
    traffic: traffic.map(({ repeats, ...item }) => ({ ...item, ok: repeats.reduce((n, r) => n + (r.ok ? 1 : 0), 0), total: repeats.length })),
    repeatsPacked: encode(traffic.map((t) => t.repeats), { ignoreUndefined: true }).slice(),
  };
}

/** A traffic item as the page holds it: its counts at once, its repeats decoded on first read. */
export type PageTrafficDto = TrafficDto & TrafficItemDto;

/** `run`'s answer as the page uses it: a RunReply whose traffic items also carry their counts. */
export interface PageRunReply extends Omit<RunReply, 'traffic'> {
  traffic: PageTrafficDto[];
}

/** Unpacks a packed answer; every item's `repeats` decodes the buffer once, when first read. */
export function unpackRunReply(packed: RunReplyPacked): PageRunReply {
  const { traffic, repeatsPacked, ...rest } = packed;
  let all: RepeatDto[][] | null = null;
  const repeatsOf = (i: number): RepeatDto[] => (all ??= decode(repeatsPacked) as RepeatDto[][])[i] ?? [];
  return {
    ...rest,
    traffic: traffic.map((item, i) => {
      const t = { ...item } as PageTrafficDto;
      Object.defineProperty(t, 'repeats', { get: () => repeatsOf(i), enumerable: true, configurable: true });
      return t;
    }),
  };
}
