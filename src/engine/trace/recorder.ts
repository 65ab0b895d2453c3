/**
 * TraceRecorder: the trace stored compactly — typed-array columns per event, one growing byte
 * arena for packet copies, interned host/interface names, and details only where an event has
 * one. No object graph per event; `event(i)` materialises one on demand for the UI and CLI.
 *
 * The dataplane reports through the `Tracer` interface; `NULL_TRACER` costs a virtual call and
 * nothing else, which is what benchmarks use.
 */
import { DROP_REASON_NAMES, TRACE_KIND_NAMES, type DropReason, type LinkLayer, type TraceDetail, type TraceKind, type TraceKindName } from './events.ts';

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

/** Options for the recorder's memory budget. */
export interface RecorderOptions {
  /** Stop recording (and say so) beyond this many bytes of packet copies. Default 512 MiB. */
  maxBytes?: number;
  /** Stop recording beyond this many events. Default 20 million. */
  maxEvents?: number;
}

export class TraceRecorder implements Tracer {
  readonly enabled = true;
  private n = 0;
  private cap = 4096;
  private time = new Float64Array(this.cap);
  private kind = new Uint8Array(this.cap);
  private link = new Uint8Array(this.cap);
  private host = new Uint32Array(this.cap);
  private iface = new Uint32Array(this.cap);
  private uid = new Float64Array(this.cap);
  private byteOff = new Float64Array(this.cap);
  private byteLen = new Uint32Array(this.cap);
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private readonly details = new Map<number, TraceDetail>();
  private readonly names: string[] = [''];
  private readonly nameIndex = new Map<string, number>([['', 0]]);
  private readonly maxBytes: number;
  private readonly maxEvents: number;
  /** Set when a budget stopped recording; the message says which. */
  truncated: string | null = null;

  constructor(opts: RecorderOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
    this.maxEvents = opts.maxEvents ?? 20_000_000;
  }

  /** Number of recorded events. */
  get length(): number {
    return this.n;
  }

  /** Bytes used by packet copies. */
  get bytesUsed(): number {
    return this.arenaUsed;
  }

  packet(kind: TraceKind, time: number, host: string, iface: string, uid: number, link: LinkLayer, bytes: Uint8Array, off: number, len: number, detail?: TraceDetail): void {
    const i = this.push(kind, time, host, iface, uid, detail);
    if (i < 0) return;
    if (this.arenaUsed + len > this.arena.length) {
      if (this.arenaUsed + len > this.maxBytes) {
        this.truncated = `trace stopped at ${this.n} events: packet copies would exceed ${this.maxBytes} bytes`;
        this.n--;
        return;
      }
      let size = this.arena.length * 2;
      while (size < this.arenaUsed + len) size *= 2;
      const next = new Uint8Array(Math.min(size, this.maxBytes));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    this.arena.set(bytes.subarray(off, off + len), this.arenaUsed);
    this.byteOff[i] = this.arenaUsed;
    this.byteLen[i] = len;
    this.link[i] = link;
    this.arenaUsed += len;
  }

  note(kind: TraceKind, time: number, host: string, iface: string, uid: number, detail: TraceDetail): void {
    this.push(kind, time, host, iface, uid, detail);
  }

  /** The i-th event (0-based). Bytes are a view into the arena: do not modify. */
  event(i: number): TraceEvent {
    if (i < 0 || i >= this.n) throw new RangeError(`no trace event ${i} (have ${this.n})`);
    const len = this.byteLen[i]!;
    return {
      index: i,
      time: this.time[i]!,
      kind: TRACE_KIND_NAMES[this.kind[i]!]!,
      host: this.names[this.host[i]!]!,
      iface: this.names[this.iface[i]!]!,
      uid: this.uid[i]!,
      link: len > 0 ? (this.link[i]! as LinkLayer) : null,
      bytes: len > 0 ? this.arena.subarray(this.byteOff[i]!, this.byteOff[i]! + len) : null,
      detail: this.details.get(i) ?? null,
    };
  }

  /**
   * Fills `out` with the i-th event instead of allocating one (for scans over millions of
   * events, like the display filter). `out.bytes` is a fresh view only when the event has bytes.
   */
  eventInto(i: number, out: TraceEvent): TraceEvent {
    const len = this.byteLen[i]!;
    out.index = i;
    out.time = this.time[i]!;
    out.kind = TRACE_KIND_NAMES[this.kind[i]!]!;
    out.host = this.names[this.host[i]!]!;
    out.iface = this.names[this.iface[i]!]!;
    out.uid = this.uid[i]!;
    out.link = len > 0 ? (this.link[i]! as LinkLayer) : null;
    out.bytes = len > 0 ? this.arena.subarray(this.byteOff[i]!, this.byteOff[i]! + len) : null;
    out.detail = this.details.size === 0 ? null : (this.details.get(i) ?? null);
    return out;
  }

  /** Iterates events in order. */
  *events(from = 0, to = this.n): IterableIterator<TraceEvent> {
    for (let i = from; i < Math.min(to, this.n); i++) yield this.event(i);
  }

  /**
   * The canonical encoding of the trace, fed to a hash by callers: per event the columns in
   * little-endian order, the bytes, and the detail as JSON with sorted keys.
   */
  *canonicalChunks(): IterableIterator<Uint8Array> {
    const enc = new TextEncoder();
    const head = new DataView(new ArrayBuffer(40));
    for (let i = 0; i < this.n; i++) {
      head.setFloat64(0, this.time[i]!, true);
      head.setUint32(8, this.kind[i]!, true);
      head.setUint32(12, this.link[i]!, true);
      head.setFloat64(16, this.uid[i]!, true);
      head.setUint32(24, this.byteLen[i]!, true);
      head.setUint32(28, 0, true);
      head.setUint32(32, 0, true);
      head.setUint32(36, 0, true);
      yield new Uint8Array(head.buffer.slice(0));
      yield enc.encode(`${this.names[this.host[i]!]}\u0000${this.names[this.iface[i]!]}\u0000`);
      const len = this.byteLen[i]!;
      if (len > 0) yield this.arena.subarray(this.byteOff[i]!, this.byteOff[i]! + len);
      const d = this.details.get(i);
      if (d) yield enc.encode(stableJson(d));
    }
  }

  private push(kind: TraceKind, time: number, host: string, iface: string, uid: number, detail?: TraceDetail): number {
    if (this.truncated) return -1;
    if (this.n >= this.maxEvents) {
      this.truncated = `trace stopped at ${this.n} events (the event budget)`;
      return -1;
    }
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.time[i] = time;
    this.kind[i] = kind;
    this.host[i] = this.intern(host);
    this.iface[i] = this.intern(iface);
    this.uid[i] = uid;
    this.byteLen[i] = 0;
    this.link[i] = 0;
    if (detail) this.details.set(i, detail);
    return i;
  }

  private intern(s: string): number {
    let i = this.nameIndex.get(s);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(s);
      this.nameIndex.set(s, i);
    }
    return i;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, C: { new (n: number): T }): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.time = g(this.time, Float64Array);
    this.kind = g(this.kind, Uint8Array);
    this.link = g(this.link, Uint8Array);
    this.host = g(this.host, Uint32Array);
    this.iface = g(this.iface, Uint32Array);
    this.uid = g(this.uid, Float64Array);
    this.byteOff = g(this.byteOff, Float64Array);
    this.byteLen = g(this.byteLen, Uint32Array);
    this.cap = cap;
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
