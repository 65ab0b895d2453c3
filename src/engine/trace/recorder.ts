/**
 * TraceRecorder: the trace stored compactly — typed-array columns per event in fixed pages,
 * packet copies in fixed-size chunks, interned host/interface names, and details only where an
 * event has one. No object graph per event; `event(i)` materialises one on demand for the UI and
 * CLI.
 *
 * Memory is bounded: everything the recorder allocates counts against `maxBytes` (about 42 bytes
 * of columns per event, plus its packet copy, plus an estimate for its detail object: see
 * SLOT_BYTES and DETAIL_BYTES). Past 3/4 of the budget the trace is sampled by packet — 1 packet
 * in 4, past 7/8 1 in 16, and so on — keeping a sampled packet with every event it has, so memory
 * never exceeds the budget and nothing throws; `kept()` says what was kept. An observer sees
 * every event that carries a flow before that decision, so facts about flows stay whole.
 *
 * The dataplane reports through the `Tracer` interface; `NULL_TRACER` costs a virtual call and
 * nothing else, which is what benchmarks use.
 */
import { DROP_REASON_NAMES, LinkLayer, TRACE_KIND_NAMES, type DropReason, type TraceDetail, type TraceKind, type TraceKindName } from './events.ts';

/** Where the dataplane reports events. */
export interface Tracer {
  /** False for the null tracer: callers skip building details when nothing records them. */
  readonly enabled: boolean;
  /** Records an event that carries the packet's bytes (copied now; the caller may reuse its buffer). */
  packet(kind: TraceKind, time: number, host: string, iface: string, uid: number, link: LinkLayer, bytes: Uint8Array, off: number, len: number, detail?: TraceDetail): void;
  /** Records an event without bytes. */
  note(kind: TraceKind, time: number, host: string, iface: string, uid: number, detail: TraceDetail): void;
}

/** A tracer that records nothing. */
export const NULL_TRACER: Tracer = {
  enabled: false,
  packet() {},
  note() {},
};

/** One event as callers see it. */
export interface TraceEvent {
  index: number;
  time: number;
  kind: TraceKindName;
  host: string;
  iface: string;
  /** Packet id (stable across hops; a rewritten packet keeps its id). */
  uid: number;
  link: LinkLayer | null;
  /** The packet's bytes at this event, or null for events without bytes. */
  bytes: Uint8Array | null;
  detail: TraceDetail | null;
}

/**
 * Called live for every event offered to the recorder whose detail has a `flow`, kept or not, so
 * facts about flows (conntrack entries, NAT rewrites, hops) never depend on what was sampled.
 */
export interface TraceObserver {
  /**
   * `index` is the event's place in the stored trace, or -1 when it was not kept. `bytes` (the
   * packet from `off`, `len` bytes, framed as `link`) is null for events without bytes and is
   * valid only during the call.
   */
  flowEvent(kind: TraceKind, host: string, uid: number, link: LinkLayer, bytes: Uint8Array | null, off: number, len: number, detail: TraceDetail, index: number): void;
}

/** Options for the recorder's memory budget. */
export interface RecorderOptions {
  /**
   * Memory the recorder may allocate (columns, packet copies, details), default 512 MiB. Past 3/4
   * of it the trace is sampled by packet (1 in 4, then 1 in 16 past 7/8, …) so it never exceeds it.
   */
  maxBytes?: number;
  /** Keep at most this many events (default: as many as indices allow); later ones are counted, not kept. */
  maxEvents?: number;
  /** The budget's name in messages (default "maxBytes"). */
  budgetName?: string;
}

/** How much of the offered trace was kept, and the words saying so. */
export interface TraceKept {
  /** True when every offered event was kept. */
  complete: boolean;
  eventsOffered: number;
  eventsKept: number;
  /** Bytes the recorder allocated (`memoryBytes`). */
  bytes: number;
  budgetBytes: number;
  /** bytes / eventsKept. */
  bytesPerEvent: number;
  /** The first index after which events may be missing (the trace before it is complete), or null. */
  sampledFrom: number | null;
  /** The last sampling rate: 1 packet in this many (1: all; 0: nothing was kept any more at the end). */
  keepOneIn: number;
  /** '' when complete, else what was kept and from where. */
  message: string;
}

// Storage layout. Columns live in pages of 2^16 event slots (index → page i >>> 16, slot
// i & 0xffff); a page starts small when memory is short (the first page always does, so a small
// trace stays small) and grows by doubling up to 2^16, copying at most one page. Packet copies go
// into chunks of up to 4 MiB (the first 64 KiB, each next one twice the previous); a copy never
// straddles two chunks and its place is one Uint32: chunk number × 2^22 + offset in the chunk.
const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;
const FIRST_PAGE = 1024;
const MIN_PAGE = 64;
const CHUNK_BITS = 22;
const CHUNK_MAX = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_MAX - 1;
const MAX_CHUNKS = 2 ** (32 - CHUNK_BITS);
const FIRST_CHUNK = 1 << 16;
const MIN_CHUNK = 4096;

/**
 * Bytes per event slot: time 8, uid 8, host 4, iface 4, byte place 4, byte length 4, kind 1,
 * link 1, and 8 for the reference to its detail (a JS array slot; 4 in a browser's compressed heap).
 */
export const SLOT_BYTES = 42;
/** Fixed cost of a page (nine array objects) and of a chunk, beyond their elements. */
const PAGE_OVERHEAD = 1024;
const CHUNK_OVERHEAD = 128;
/**
 * What a kept detail object costs the heap, by event kind: measured in Node 20 (64-bit, no
 * pointer compression; a browser's heap is smaller, so this is on the safe side) as the heap
 * freed per detail when the details of one kind were replaced by a shared object, over the
 * bundled scenarios and a 100k-packet ping flood (conntrack and NAT details carry several
 * tuple strings, routes one new string each; sent/received details are just `{flow}`).
 */
const DETAIL_BYTES: readonly number[] = [
  40, // sent
  32, // received
  170, // netfilter
  372, // nat
  900, // conntrack
  306, // route
  74, // delivered
  120, // drop
  200, // l2
  385, // app
];
/** An interned name: the string, its Map entry and its array slot. */
const NAME_OVERHEAD = 96;
/**
 * Stage k keeps 1 packet in 4^k while it spends half of the memory still free: the rate falls
 * faster than the memory, so each stage covers twice as many offered events as the one before
 * and a budget reaches the end of runs many times longer than what it holds in full. Past
 * stage 15 (1 packet in 4^15 ≈ 10^9) nothing more is kept.
 */
const MAX_STAGE = 15;

/** Stage k keeps 1 packet in 2^(RATE_BITS·k). */
const RATE_BITS = 2;

/** The keep mask of stage k: keep iff (hash & mask) === 0 (a table: it is read for every event
 * offered once sampling starts). */
const STAGE_MASK: readonly number[] = Array.from({ length: MAX_STAGE + 1 }, (_, k) => (2 ** (RATE_BITS * k) - 1) | 0);

/** Mixes a packet uid into 32 well-spread bits: stage k keeps it iff its low 2k bits are 0 (nested in k). */
function mixUid(uid: number): number {
  let h = (uid | 0) ^ Math.imul((uid / 4294967296) | 0, 0x27d4eb2d);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** 1234567 → "1,234,567" (no locale data needed). */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes in words: "192 MiB", "1.5 MiB", "48 KiB". */
function bytesText(n: number): string {
  const unit = n >= 2 ** 30 ? ['GiB', 2 ** 30] : n >= 2 ** 20 ? ['MiB', 2 ** 20] : n >= 1024 ? ['KiB', 1024] : [n === 1 ? 'byte' : 'bytes', 1];
  return `${(n / (unit[1] as number)).toFixed(1).replace(/\.0$/, '')} ${unit[0]}`;
}

export class TraceRecorder implements Tracer {
  readonly enabled = true;
  /** Sees every offered event with a flow, before the sampling decision (see TraceObserver). */
  observer: TraceObserver | null = null;
  private n = 0;
  // Column pages, and the current (last) page's arrays for the hot path.
  private readonly timeP: Float64Array[] = [];
  private readonly kindP: Uint8Array[] = [];
  private readonly linkP: Uint8Array[] = [];
  private readonly hostP: Uint32Array[] = [];
  private readonly ifaceP: Uint32Array[] = [];
  private readonly uidP: Float64Array[] = [];
  private readonly placeP: Uint32Array[] = [];
  private readonly lenP: Uint32Array[] = [];
  private readonly detailP: (TraceDetail | undefined)[][] = [];
  /** Slots in the current page (0 before the first). */
  private cap = 0;
  /** The first index the current page (or the event limit) has no slot for. */
  private end = 0;
  private cTime: Float64Array = new Float64Array(0);
  private cKind: Uint8Array = new Uint8Array(0);
  private cLink: Uint8Array = new Uint8Array(0);
  private cHost: Uint32Array = new Uint32Array(0);
  private cIface: Uint32Array = new Uint32Array(0);
  private cUid: Float64Array = new Float64Array(0);
  private cPlace: Uint32Array = new Uint32Array(0);
  private cLen: Uint32Array = new Uint32Array(0);
  private cDetail: (TraceDetail | undefined)[] = [];
  // Packet copies: chunks, the current one, how much of it is used and its place base.
  private readonly chunks: Uint8Array[] = [];
  private chunk = new Uint8Array(0);
  private chunkUsed = 0;
  private chunkBase = 0;
  private copied = 0;
  private readonly names: string[] = [''];
  private readonly nameIndex = new Map<string, number>([['', 0]]);
  private lastHost = '';
  private lastHostId = 0;
  private lastIface = '';
  private lastIfaceId = 0;
  // The budget and sampling state.
  private readonly maxBytes: number;
  private readonly maxEvents: number;
  private readonly budgetName: string;
  private mem = 0;
  private offered = 0;
  /** False while every event is kept; the hot path checks only this. */
  private sampling = false;
  /** Keep 1 packet in 4^stage. */
  private stage = 0;
  /** The memory at which the next stage begins. */
  private nextStageAt: number;
  /** Largest uid offered so far, and per stage the largest when it began: a packet keeps the rate of the stage it was born in. */
  private maxUid = 0;
  private readonly stageUid: number[] = [0];
  /** Events without a packet (uid 0) offered while sampling: they are kept 1 in 4^stage by this count. */
  private zeroSeen = 0;
  private sampledFromIndex: number | null = null;
  private sampledAtBytes = 0;
  /** Set when nothing more is kept: why (the budget is full, the event limit is reached, or the last stage is), and from which offered event. */
  private fullReason: 'budget' | 'events' | 'stages' | null = null;
  private fullAtOffered = 0;

  constructor(opts: RecorderOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
    this.maxEvents = Math.min(opts.maxEvents ?? 0xffffffff, 0xffffffff);
    this.budgetName = opts.budgetName ?? 'maxBytes';
    this.nextStageAt = this.stageLimit(1);
  }

  /** Number of recorded (kept) events. */
  get length(): number {
    return this.n;
  }

  /** Bytes of packet copies kept. */
  get bytesUsed(): number {
    return this.copied;
  }

  /** Bytes the recorder has allocated: column pages, packet-copy chunks, names, and an estimate for the details it holds. Never above `maxBytes`. */
  get memoryBytes(): number {
    return this.mem;
  }

  /** Events offered to the recorder (kept or not). */
  get eventsOffered(): number {
    return this.offered;
  }

  /** The offered event from which on nothing more was kept (the budget or the event limit was full), or null. */
  get keptNothingFrom(): number | null {
    return this.fullReason === null ? null : this.fullAtOffered;
  }

  packet(kind: TraceKind, time: number, host: string, iface: string, uid: number, link: LinkLayer, bytes: Uint8Array, off: number, len: number, detail?: TraceDetail): void {
    this.offered++;
    if (uid > this.maxUid) this.maxUid = uid;
    let i = -1;
    if (!this.sampling || this.keep(uid)) {
      i = this.push(kind, time, host, iface, uid, detail, len);
      if (i >= 0) this.cLink[i & PAGE_MASK] = link;
      if (i >= 0 && len > 0) {
        const at = this.chunkUsed;
        if (len <= 64) {
          // A loop beats subarray + set for the small frames most hops carry (ACKs, ARP, pings).
          const c = this.chunk;
          for (let k = 0; k < len; k++) c[at + k] = bytes[off + k]!;
        } else this.chunk.set(bytes.subarray(off, off + len), at);
        this.chunkUsed = at + len;
        this.copied += len;
        const s = i & PAGE_MASK;
        this.cPlace[s] = this.chunkBase + at;
        this.cLen[s] = len;
      }
    }
    if (detail !== undefined && this.observer !== null && detail.flow) this.observer.flowEvent(kind, host, uid, link, bytes, off, len, detail, i);
  }

  note(kind: TraceKind, time: number, host: string, iface: string, uid: number, detail: TraceDetail): void {
    this.offered++;
    if (uid > this.maxUid) this.maxUid = uid;
    let i = -1;
    if (!this.sampling || this.keep(uid)) i = this.push(kind, time, host, iface, uid, detail, 0);
    if (detail !== undefined && this.observer !== null && detail.flow) this.observer.flowEvent(kind, host, uid, LinkLayer.Ethernet, null, 0, 0, detail, i);
  }

  /** The i-th event (0-based). Bytes are a view into the recorder's memory: do not modify. */
  event(i: number): TraceEvent {
    if (!(i >= 0 && i < this.n)) throw new RangeError(`no trace event ${i} (have ${this.n})`);
    return this.eventInto(i, { index: 0, time: 0, kind: 'sent', host: '', iface: '', uid: 0, link: null, bytes: null, detail: null });
  }

  /**
   * Fills `out` with the i-th event (0 ≤ i < length: unchecked) instead of allocating one (for
   * scans over millions of events, like the display filter). `out.bytes` is a fresh view only
   * when the event has bytes.
   */
  eventInto(i: number, out: TraceEvent): TraceEvent {
    const p = i >>> PAGE_BITS;
    const s = i & PAGE_MASK;
    const len = this.lenP[p]![s]!;
    out.index = i;
    out.time = this.timeP[p]![s]!;
    out.kind = TRACE_KIND_NAMES[this.kindP[p]![s]!]!;
    out.host = this.names[this.hostP[p]![s]!]!;
    out.iface = this.names[this.ifaceP[p]![s]!]!;
    out.uid = this.uidP[p]![s]!;
    if (len > 0) {
      const place = this.placeP[p]![s]!;
      const at = place & CHUNK_MASK;
      out.link = this.linkP[p]![s]! as LinkLayer;
      out.bytes = this.chunks[place >>> CHUNK_BITS]!.subarray(at, at + len);
    } else {
      out.link = null;
      out.bytes = null;
    }
    out.detail = this.detailP[p]![s] ?? null;
    return out;
  }

  /** Iterates events in order. */
  *events(from = 0, to = this.n): IterableIterator<TraceEvent> {
    for (let i = from; i < Math.min(to, this.n); i++) yield this.event(i);
  }

  /**
   * The canonical encoding of the trace, fed to a hash by callers: per event the columns in
   * little-endian order, the bytes, and the detail as JSON with sorted keys. It comes in chunks
   * of about 64 KiB written into one reused buffer (a chunk is valid until the next is asked
   * for), so hashing a trace of millions of events makes no garbage per event. Events [from, to)
   * only: recorded events never change, so a hash can be fed as the trace grows.
   */
  *canonicalChunks(from = 0, to = this.n): IterableIterator<Uint8Array> {
    const enc = new TextEncoder();
    const CHUNK = 1 << 16;
    const buf = new Uint8Array(CHUNK);
    const view = new DataView(buf.buffer);
    // Each name once, with its NUL: `host\0iface\0` is two of these.
    const names = this.names.map((s) => enc.encode(`${s}\u0000`));
    let at = 0;
    for (let i = Math.max(0, from); i < Math.min(to, this.n); i++) {
      const p = i >>> PAGE_BITS;
      const s = i & PAGE_MASK;
      const host = names[this.hostP[p]![s]!]!;
      const iface = names[this.ifaceP[p]![s]!]!;
      const len = this.lenP[p]![s]!;
      if (at + 40 + host.length + iface.length > CHUNK) {
        yield buf.subarray(0, at);
        at = 0;
      }
      view.setFloat64(at, this.timeP[p]![s]!, true);
      view.setUint32(at + 8, this.kindP[p]![s]!, true);
      view.setUint32(at + 12, this.linkP[p]![s]!, true);
      view.setFloat64(at + 16, this.uidP[p]![s]!, true);
      view.setUint32(at + 24, len, true);
      view.setUint32(at + 28, 0, true);
      view.setUint32(at + 32, 0, true);
      view.setUint32(at + 36, 0, true);
      at += 40;
      // Names longer than a chunk cannot happen in practice, but stay correct if they do.
      for (const name of [host, iface]) {
        if (at + name.length > CHUNK) {
          yield buf.subarray(0, at);
          at = 0;
          yield name;
        } else {
          buf.set(name, at);
          at += name.length;
        }
      }
      if (len > 0) {
        const place = this.placeP[p]![s]!;
        const from = place & CHUNK_MASK;
        const bytes = this.chunks[place >>> CHUNK_BITS]!.subarray(from, from + len);
        if (at + len > CHUNK) {
          yield buf.subarray(0, at);
          at = 0;
        }
        if (len > CHUNK) yield bytes;
        else {
          buf.set(bytes, at);
          at += len;
        }
      }
      const d = this.detailP[p]![s];
      if (d) {
        const json = stableJson(d);
        // UTF-8 takes at most 3 bytes per UTF-16 code unit.
        if (at + json.length * 3 > CHUNK) {
          yield buf.subarray(0, at);
          at = 0;
        }
        if (json.length * 3 > CHUNK) yield enc.encode(json);
        else at += enc.encodeInto(json, buf.subarray(at)).written;
      }
    }
    if (at > 0) yield buf.subarray(0, at);
  }

  /** How much of the offered trace was kept, with the words saying so (`after` is appended to a non-empty message). */
  kept(after = ''): TraceKept {
    const complete = this.n === this.offered;
    const keepOneIn = this.fullReason !== null ? 0 : 2 ** (RATE_BITS * this.stage);
    let message = '';
    if (!complete) {
      const from = this.sampledFromIndex ?? 0;
      const tally = `${count(this.n)} of ${count(this.offered)} events`;
      const budget = `the ${bytesText(this.maxBytes)} budget (${this.budgetName})`;
      const rate = this.stage <= 1 ? '1 packet in 4' : `1 packet in 4…1 in ${count(2 ** (RATE_BITS * this.stage))}`;
      const why =
        this.fullReason === 'events'
          ? `the event limit of ${count(this.maxEvents)} was reached`
          : this.fullReason === 'stages'
            ? `not even 1 packet in ${count(2 ** (RATE_BITS * MAX_STAGE))} would fit`
            : this.stage > 0
              ? 'the budget was full'
              : `${budget} was full`;
      if (this.stage > 0) {
        message = `trace sampled: memory reached ${bytesText(this.sampledAtBytes)} of ${budget} at event ${count(from)}; after it ${rate} was kept with all its hops`;
        if (this.fullReason !== null) message += `, and from event ${count(this.fullAtOffered)} on nothing more (${why})`;
        message += ` (${tally})`;
      } else {
        message = `trace cut: ${why} at event ${count(this.fullAtOffered)}; nothing after it was kept (${tally})`;
      }
      if (after) message += `; ${after}`;
    }
    return {
      complete,
      eventsOffered: this.offered,
      eventsKept: this.n,
      bytes: this.mem,
      budgetBytes: this.maxBytes,
      bytesPerEvent: this.n === 0 ? 0 : Math.round((10 * this.mem) / this.n) / 10,
      sampledFrom: this.sampledFromIndex,
      keepOneIn,
      message,
    };
  }

  /** While sampling: whether to keep an event of this packet (uid 0: no packet). */
  private keep(uid: number): boolean {
    if (this.fullReason !== null) return false;
    let k = this.stage;
    if (uid === 0) return (this.zeroSeen++ & STAGE_MASK[k]!) === 0;
    // A packet keeps the rate of the stage it was born in, so one that was being kept keeps all its hops.
    while (k > 0 && uid <= this.stageUid[k]!) k--;
    return k === 0 || (mixUid(uid) & STAGE_MASK[k]!) === 0;
  }

  /** Stores an event's columns and detail; the caller writes its bytes. -1 when it could not be kept. */
  private push(kind: TraceKind, time: number, host: string, iface: string, uid: number, detail: TraceDetail | undefined, len: number): number {
    const i = this.n;
    const s = i & PAGE_MASK;
    if (i >= this.end || (len > 0 && this.chunkUsed + len > this.chunk.length)) {
      if (!this.reserve(i, s, len)) return -1;
    }
    const hostId = host === this.lastHost ? this.lastHostId : this.hostId(host);
    const ifaceId = iface === this.lastIface ? this.lastIfaceId : this.ifaceId(iface);
    if (hostId < 0 || ifaceId < 0) return -1;
    if (detail !== undefined) {
      const cost = DETAIL_BYTES[kind]!;
      if (this.mem + cost > this.maxBytes) {
        this.stop('budget', this.offered - 1);
        return -1;
      }
      this.mem += cost;
    }
    this.n = i + 1;
    this.cTime[s] = time;
    this.cKind[s] = kind;
    this.cHost[s] = hostId;
    this.cIface[s] = ifaceId;
    this.cUid[s] = uid;
    this.cDetail[s] = detail;
    // A slot is fresh (zero) unless its page grew by copying, which copies only used slots.
    if (this.mem >= this.nextStageAt) this.escalate();
    return i;
  }

  private hostId(host: string): number {
    const id = this.intern(host);
    if (id >= 0) {
      this.lastHost = host;
      this.lastHostId = id;
    }
    return id;
  }

  private ifaceId(iface: string): number {
    const id = this.intern(iface);
    if (id >= 0) {
      this.lastIface = iface;
      this.lastIfaceId = id;
    }
    return id;
  }

  private intern(s: string): number {
    let i = this.nameIndex.get(s);
    if (i === undefined) {
      const cost = NAME_OVERHEAD + 2 * s.length;
      if (this.mem + cost > this.maxBytes) {
        this.stop('budget', this.offered - 1);
        return -1;
      }
      this.mem += cost;
      i = this.names.length;
      this.names.push(s);
      this.nameIndex.set(s, i);
    }
    return i;
  }

  /** Memory at which stage k begins: B − B/2^(k+1) (3/4 B, 7/8 B, …). */
  private stageLimit(k: number): number {
    return this.maxBytes - this.maxBytes / 2 ** (k + 1);
  }

  /** Memory passed the next stage's mark: quarter the rate (as often as needed). */
  private escalate(): void {
    while (this.mem >= this.nextStageAt && this.fullReason === null) {
      if (this.stage === 0) {
        this.sampledFromIndex = this.n;
        this.sampledAtBytes = this.mem;
      }
      if (this.stage >= MAX_STAGE) {
        // The event just kept was the last.
        this.stop('stages', this.offered);
        return;
      }
      this.stage++;
      this.stageUid.push(this.maxUid);
      this.sampling = true;
      this.nextStageAt = this.stageLimit(this.stage + 1);
    }
  }

  /** Keeps nothing more from offered event `from` on. */
  private stop(reason: 'budget' | 'events' | 'stages', from: number): void {
    if (this.fullReason !== null) return;
    this.fullReason = reason;
    this.fullAtOffered = from;
    if (this.sampledFromIndex === null) {
      this.sampledFromIndex = this.n;
      this.sampledAtBytes = this.mem;
    }
    this.sampling = true;
  }

  /**
   * The size to allocate: `want` units, halved while it takes more than a quarter of the memory
   * left (so allocations shrink as the budget fills and sampling keeps its pace), but never below
   * `min`; 0 when not even `min` fits.
   */
  private fit(want: number, min: number, unit: number, overhead: number): number {
    const left = this.maxBytes - this.mem - overhead;
    let n = want;
    while (n > min && n * unit > left / 4) n = Math.max(min, n >>> 1);
    return n * unit <= left ? n : 0;
  }

  /** Makes room for event i (slot s) and `len` bytes of copy; false (and nothing more is kept) when the budget cannot. */
  private reserve(i: number, s: number, len: number): boolean {
    if (i >= this.maxEvents) {
      this.stop('events', this.offered - 1);
      return false;
    }
    if (len > 0 && this.chunkUsed + len > this.chunk.length && !this.newChunk(len)) {
      this.stop('budget', this.offered - 1);
      return false;
    }
    if (i >= this.end && !this.growPage(i, s)) {
      this.stop('budget', this.offered - 1);
      return false;
    }
    return true;
  }

  private newChunk(len: number): boolean {
    const k = this.chunks.length;
    if (k >= MAX_CHUNKS) return false;
    let size: number;
    if (len > CHUNK_MAX) size = this.fit(len, len, 1, CHUNK_OVERHEAD); // a copy larger than a chunk gets one of its own
    else size = this.fit(Math.max(len, Math.min(CHUNK_MAX, FIRST_CHUNK * 2 ** k)), Math.max(len, MIN_CHUNK), 1, CHUNK_OVERHEAD);
    if (size === 0) return false;
    this.chunk = new Uint8Array(size);
    this.chunks.push(this.chunk);
    this.chunkUsed = 0;
    this.chunkBase = k * CHUNK_MAX;
    this.mem += size + CHUNK_OVERHEAD;
    return true;
  }

  private growPage(i: number, s: number): boolean {
    const p = i >>> PAGE_BITS;
    if (p === this.timeP.length) {
      // A new page.
      const cap = this.fit(p === 0 ? FIRST_PAGE : PAGE, MIN_PAGE, SLOT_BYTES, PAGE_OVERHEAD);
      if (cap === 0) return false;
      this.setPage(p, cap, 0);
      this.mem += cap * SLOT_BYTES + PAGE_OVERHEAD;
      return true;
    }
    // The current page is full below 2^16 slots: double it (or less when memory is short).
    const more = this.fit(Math.min(this.cap, PAGE - this.cap), Math.min(MIN_PAGE, PAGE - this.cap), SLOT_BYTES, 0);
    if (more === 0) return false;
    this.setPage(p, this.cap + more, s);
    this.mem += more * SLOT_BYTES;
    return true;
  }

  /** Allocates page p with `cap` slots, copying its first `used` slots from the page it replaces. */
  private setPage(p: number, cap: number, used: number): void {
    const g = <T extends Float64Array | Uint32Array | Uint8Array>(list: T[], C: { new (n: number): T }): T => {
      const a = new C(cap);
      if (used > 0) a.set(list[p]!.subarray(0, used));
      list[p] = a;
      return a;
    };
    this.cTime = g(this.timeP, Float64Array);
    this.cKind = g(this.kindP, Uint8Array);
    this.cLink = g(this.linkP, Uint8Array);
    this.cHost = g(this.hostP, Uint32Array);
    this.cIface = g(this.ifaceP, Uint32Array);
    this.cUid = g(this.uidP, Float64Array);
    this.cPlace = g(this.placeP, Uint32Array);
    this.cLen = g(this.lenP, Uint32Array);
    const d = new Array<TraceDetail | undefined>(cap);
    for (let k = 0; k < used; k++) d[k] = this.detailP[p]![k];
    this.detailP[p] = d;
    this.cDetail = d;
    this.cap = cap;
    this.end = Math.min(p * PAGE + cap, this.maxEvents);
  }
}

/** The drop reason's words. */
export function dropReasonText(r: DropReason): string {
  return DROP_REASON_NAMES[r] ?? `drop reason ${r}`;
}

/** JSON with object keys sorted, so equal details always encode equally. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}
