/**
 * The trace recorder's storage and memory budget: paged columns and chunked packet copies give
 * back exactly what was recorded (and the canonical byte stream the trace hash has always been
 * over), memory never exceeds the budget, and past 3/4 of it the trace is a deterministic sample
 * of whole packets, with words saying so.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { SLOT_BYTES, TraceRecorder, stableJson, type TraceEvent, type TraceObserver } from './recorder.ts';
import { TRACE_KIND_NAMES, TraceKind, type LinkLayer, type TraceDetail } from './events.ts';
import { traceHash } from './export.ts';

/** One offered event, as the reference keeps it (bytes as a place in the shared source). */
interface Offered {
  kind: TraceKind;
  time: number;
  host: string;
  iface: string;
  uid: number;
  link: LinkLayer;
  /** -1: a note (no bytes). */
  off: number;
  len: number;
  detail: TraceDetail | undefined;
}

/** Source bytes the synthetic packets are cut from (5 MiB + a bit, for the oversize copy). */
const SOURCE = (() => {
  const b = new Uint8Array(5 * 1024 * 1024 + 4096);
  let x = 12345;
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
})();

const HOSTS = ['node-1', 'node-2', 'pod/a', 'pod/b', 'client', 'a-host-with-a-rather-long-name'];
const IFACES = ['eth0', 'cbr0', 'veth1234', ''];
const KINDS = [TraceKind.Sent, TraceKind.Received, TraceKind.Netfilter, TraceKind.Nat, TraceKind.Conntrack, TraceKind.Route, TraceKind.Delivered, TraceKind.Drop, TraceKind.L2, TraceKind.App];

/**
 * A deterministic stream of events: packets (increasing uids) of 3–14 hops each, six in flight
 * at a time and interleaved, with frames of 40–1,500 bytes, details on most events (a flow on
 * some), byte-less packet events, and notes without a packet (uid 0) now and then.
 */
function* stream(count: number, opts: { big?: boolean } = {}): Generator<Offered> {
  let x = 42;
  const rnd = (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return (x >>> 8) % n;
  };
  let nextUid = 1;
  const active = Array.from({ length: 6 }, () => ({ uid: nextUid++, left: 3 + rnd(12) }));
  for (let i = 0; i < count; i++) {
    const time = i * 1000 + rnd(1000);
    if (rnd(50) === 0) {
      yield { kind: TraceKind.App, time, host: 'control-plane', iface: '', uid: 0, link: 0, off: -1, len: 0, detail: { text: `note ${i}` } };
      continue;
    }
    const a = active[rnd(active.length)]!;
    const kind = KINDS[rnd(KINDS.length)]!;
    const host = HOSTS[rnd(HOSTS.length)]!;
    const iface = IFACES[rnd(IFACES.length)]!;
    const flow = a.uid % 5 === 0 ? undefined : (a.uid % 97) + 1;
    const r = rnd(10);
    const detail: TraceDetail | undefined = r === 0 ? undefined : r < 4 ? { flow } : { text: `hop ${i} of ${a.uid}`, verdict: r === 5 ? 'ACCEPT' : undefined, flow };
    const link = rnd(3) as LinkLayer;
    if (rnd(4) === 0) yield { kind, time, host, iface, uid: a.uid, link, off: -1, len: 0, detail };
    else {
      let len = rnd(8) === 0 ? 0 : 40 + rnd(1460);
      if (opts.big && i === 1000) len = 70_000; // longer than the hash's 64 KiB buffer
      if (opts.big && i === 2000) len = 5 * 1024 * 1024; // longer than a 4 MiB chunk
      yield { kind, time, host, iface, uid: a.uid, link, off: rnd(4096), len, detail };
    }
    if (--a.left === 0) {
      a.uid = nextUid++;
      a.left = 3 + rnd(12);
    }
  }
}

function offer(t: TraceRecorder, e: Offered): void {
  if (e.off < 0) t.note(e.kind, e.time, e.host, e.iface, e.uid, e.detail!);
  else t.packet(e.kind, e.time, e.host, e.iface, e.uid, e.link, SOURCE, e.off, e.len, e.detail);
}

/** The canonical encoding as the recorder wrote it before pages and chunks, event by event. */
function referenceHash(events: Iterable<Offered>): string {
  const h = sha256.create();
  const enc = new TextEncoder();
  for (const e of events) {
    const head = new DataView(new ArrayBuffer(40));
    const len = e.off < 0 ? 0 : e.len;
    head.setFloat64(0, e.time, true);
    head.setUint32(8, e.kind, true);
    head.setUint32(12, e.off < 0 ? 0 : e.link, true);
    head.setFloat64(16, e.uid, true);
    head.setUint32(24, len, true);
    h.update(new Uint8Array(head.buffer));
    h.update(enc.encode(`${e.host}\u0000${e.iface}\u0000`));
    if (len > 0) h.update(SOURCE.subarray(e.off, e.off + len));
    if (e.detail) h.update(enc.encode(stableJson(e.detail)));
  }
  return bytesToHex(h.digest());
}

/** Where a stored event differs from what was offered ('' when it does not): one check per field without an expect each, for hundreds of thousands of events. */
function differs(ev: TraceEvent, e: Offered, i: number): string {
  const bytes = e.off < 0 || e.len === 0 ? null : SOURCE.subarray(e.off, e.off + e.len);
  if (ev.index !== i) return `index ${ev.index}`;
  if (ev.time !== e.time || ev.kind !== TRACE_KIND_NAMES[e.kind] || ev.host !== e.host || ev.iface !== e.iface || ev.uid !== e.uid) return `event ${i}: columns`;
  if (ev.detail !== (e.detail ?? null)) return `event ${i}: detail`;
  if (bytes === null) return ev.bytes === null && ev.link === null ? '' : `event ${i}: bytes where none were`;
  if (ev.link !== e.link || ev.bytes === null || ev.bytes.length !== bytes.length) return `event ${i}: link or length`;
  for (let k = 0; k < bytes.length; k++) if (ev.bytes[k] !== bytes[k]) return `event ${i}: byte ${k}`;
  return '';
}

function same(ev: TraceEvent, e: Offered, i: number): void {
  expect(differs(ev, e, i)).toBe('');
}

describe('trace recorder: paged storage', () => {
  it('gives back every event, its bytes and the old canonical stream across pages and chunks', () => {
    const N = 200_000; // three pages of 2^16 and a bit
    const offered = [...stream(N, { big: true })];
    const t = new TraceRecorder({ maxBytes: 1024 * 1024 * 1024 });
    for (const e of offered) offer(t, e);
    expect(t.length).toBe(N);
    expect(t.eventsOffered).toBe(N);
    const out: TraceEvent = { index: 0, time: 0, kind: 'sent', host: '', iface: '', uid: 0, link: null, bytes: null, detail: null };
    let bad = '';
    for (let i = 0; i < N && !bad; i++) bad = differs(t.eventInto(i, out), offered[i]!, i);
    expect(bad).toBe('');
    for (const i of [0, 1023, 1024, 65_535, 65_536, 131_071, 131_072, N - 1]) same(t.event(i), offered[i]!, i);
    expect(() => t.event(N)).toThrow(RangeError);
    expect([...t.events(65_530, 65_540)].map((e) => e.index)).toEqual([65_530, 65_531, 65_532, 65_533, 65_534, 65_535, 65_536, 65_537, 65_538, 65_539]);
    expect(traceHash(t)).toBe(referenceHash(offered));
    const copies = offered.reduce((n, e) => n + (e.off < 0 ? 0 : e.len), 0);
    expect(t.bytesUsed).toBe(copies);
    // Allocated: at least the slots and the copies, and not much more (chunk tails, page rounding, details).
    expect(t.memoryBytes).toBeGreaterThan(copies + N * SLOT_BYTES);
    expect(t.memoryBytes).toBeLessThan(copies + N * SLOT_BYTES + N * 400 + 8 * 1024 * 1024);
    expect(t.kept()).toMatchObject({ complete: true, eventsOffered: N, eventsKept: N, sampledFrom: null, keepOneIn: 1, message: '' });
    expect(t.kept().complete).toBe(true);
  });

  it('a small trace allocates little', () => {
    const t = new TraceRecorder();
    for (const e of stream(100)) offer(t, e);
    expect(t.memoryBytes).toBeLessThan(200 * 1024);
  });
});

describe('trace recorder: the memory budget', () => {
  it('never exceeds it: 2 million events into 16 MiB are sampled to the end, and it says so', () => {
    const B = 16 * 1024 * 1024;
    const t = new TraceRecorder({ maxBytes: B });
    let i = 0;
    let max = 0;
    let kept = 0;
    let lastTime = 0;
    for (const e of stream(2_000_000)) {
      offer(t, e);
      lastTime = e.time;
      if (++i % 1000 === 0) {
        max = Math.max(max, t.memoryBytes);
        expect(t.length).toBeGreaterThanOrEqual(kept);
        kept = t.length;
      }
    }
    expect(max).toBeLessThanOrEqual(B);
    expect(t.memoryBytes).toBeLessThanOrEqual(B);
    expect(t.memoryBytes).toBeGreaterThan(B * 0.75);
    const k = t.kept();
    expect(k.complete).toBe(false);
    expect(k.eventsOffered).toBe(2_000_000);
    expect(k.eventsKept).toBe(t.length);
    expect(k.bytes).toBe(t.memoryBytes);
    expect(k.budgetBytes).toBe(B);
    expect(k.sampledFrom).toBeGreaterThan(0);
    // The rate falls faster than the memory left: the sample reaches the end of the stream.
    expect(k.keepOneIn).toBeGreaterThanOrEqual(16);
    expect(t.keptNothingFrom).toBeNull();
    expect(t.event(t.length - 1).time).toBeGreaterThan(0.75 * lastTime);
    expect(k.message).toMatch(/^trace sampled: memory reached 12 MiB of the 16 MiB budget \(maxBytes\) at event [\d,]+; after it 1 packet in 4…1 in [\d,]+ was kept with all its hops \([\d,]+ of 2,000,000 events\)$/);
  });

  it('keeps whole packets: a packet with one event kept has every event kept', () => {
    const B = 4 * 1024 * 1024;
    const t = new TraceRecorder({ maxBytes: B });
    const offered: Offered[] = [];
    // Offer until the sample is 1 packet in 16, before the budget is full.
    for (const e of stream(2_000_000)) {
      offered.push(e);
      offer(t, e);
      if (t.kept().keepOneIn >= 16) break;
    }
    expect(t.keptNothingFrom).toBeNull();
    const k = t.kept();
    expect(k.sampledFrom).not.toBeNull();
    const from = k.sampledFrom!;
    const offeredPer = new Map<number, number>();
    for (const e of offered) if (e.uid) offeredPer.set(e.uid, (offeredPer.get(e.uid) ?? 0) + 1);
    const keptPer = new Map<number, number>();
    for (const ev of t.events()) if (ev.uid) keptPer.set(ev.uid, (keptPer.get(ev.uid) ?? 0) + 1);
    let partial = 0;
    for (const [uid, n] of keptPer) if (n !== offeredPer.get(uid)) partial++;
    expect(partial).toBe(0);
    // Every event before sampling started was kept, in order.
    let before = '';
    for (let i = 0; i < from && !before; i++) before = differs(t.event(i), offered[i]!, i);
    expect(before).toBe('');
    // After it, a fair share of packets: each stage quarters the rate.
    const after = new Set<number>();
    for (const ev of t.events(from)) if (ev.uid) after.add(ev.uid);
    const offeredAfter = new Set(offered.slice(from).map((e) => e.uid).filter((u) => u > 0));
    expect(after.size).toBeGreaterThan(offeredAfter.size / 256);
    expect(after.size).toBeLessThan(offeredAfter.size / 3);
    // The stored trace is the offered stream with the unkept packets taken out.
    let j = 0;
    let bad = '';
    for (const ev of t.events()) {
      while (j < offered.length && offered[j]!.time !== ev.time) j++;
      bad = j < offered.length ? differs(ev, offered[j]!, ev.index) : `event ${ev.index} was never offered`;
      if (bad) break;
      j++;
    }
    expect(bad).toBe('');
    expect(k.message).toMatch(/after it 1 packet in 4…1 in 16 was kept with all its hops/);
  });

  it('is deterministic: the same events give the same sample and hash', () => {
    const run = () => {
      const t = new TraceRecorder({ maxBytes: 2 * 1024 * 1024 });
      for (const e of stream(300_000)) offer(t, e);
      return { hash: traceHash(t), kept: t.kept() };
    };
    const a = run();
    expect(a.kept.complete).toBe(false);
    expect(run()).toEqual(a);
  });

  it('a budget too small for anything keeps nothing and says so', () => {
    const t = new TraceRecorder({ maxBytes: 1024 });
    for (const e of stream(1000)) offer(t, e);
    expect(t.length).toBe(0);
    expect(t.memoryBytes).toBeLessThanOrEqual(1024);
    expect(t.kept().message).toBe('trace cut: the 1 KiB budget (maxBytes) was full at event 0; nothing after it was kept (0 of 1,000 events)');
  });

  it('maxEvents keeps the first events and counts the rest', () => {
    const t = new TraceRecorder({ maxEvents: 5000 });
    for (const e of stream(8000)) offer(t, e);
    expect(t.length).toBe(5000);
    const k = t.kept();
    expect(k).toMatchObject({ complete: false, eventsOffered: 8000, eventsKept: 5000, sampledFrom: 5000, keepOneIn: 0 });
    expect(k.message).toBe('trace cut: the event limit of 5,000 was reached at event 5,000; nothing after it was kept (5,000 of 8,000 events)');
  });

  it('the observer sees every event with a flow, kept or not, with its place in the trace', () => {
    const seen: { kind: TraceKind; uid: number; host: string; index: number; flow: number }[] = [];
    const obs: TraceObserver = { flowEvent: (kind, host, uid, _l, _b, _o, _n, detail, index) => void seen.push({ kind, uid, host, index, flow: detail.flow! }) };
    const t = new TraceRecorder({ maxBytes: 2 * 1024 * 1024 });
    t.observer = obs;
    const offered = [...stream(100_000)];
    for (const e of offered) offer(t, e);
    expect(t.kept().complete).toBe(false);
    expect(seen.length).toBe(offered.filter((e) => e.detail?.flow).length);
    let kept = 0;
    for (const s of seen) {
      if (s.index < 0) continue;
      kept++;
      const ev = t.event(s.index);
      expect([ev.kind, ev.uid, ev.host, ev.detail?.flow]).toEqual([TRACE_KIND_NAMES[s.kind], s.uid, s.host, s.flow]);
    }
    expect(kept).toBe([...t.events()].filter((e) => e.detail?.flow).length);
    expect(kept).toBeLessThan(seen.length);
  });
});
