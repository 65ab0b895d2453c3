/**
 * EventQueue: a binary min-heap ordered by (time, seq), stored in typed arrays with the keys
 * inline, as ns-3's MapScheduler orders events: equal times run in scheduling order (FIFO).
 * That tie-break is what makes runs deterministic and lets our star benchmark match ns-3 bit
 * for bit (shared/docs/performance.md §2.2).
 *
 * Payloads are (target object, kind, a, b) kept in slot arrays; the heap moves only
 * (time, seq, slot) triples. Cancellation sets a flag and the run loop skips the event
 * (ns-3 EventId::Cancel): no heap surgery. Nothing is allocated per event once the arrays
 * have grown to the peak number of pending events.
 *
 * When cancelled events come to outnumber live ones (a workload with 100,000 requests cancels
 * a timeout per request, TCP its retransmission timers), the heap is compacted: the cancelled
 * entries go, except the latest one, so the run loop stops ('idle' or 'time') exactly as it
 * would have, and their targets are released. Order is untouched: it depends only on
 * (time, seq).
 */

/** An object that receives events. `kind` says which of its events; `a`, `b` are integer/number payloads. */
export interface EventTarget {
  handleEvent(kind: number, a: number, b: number): void;
}

/** Opaque handle for cancelling a scheduled event: `seq * SLOT_SPACE + slot`. */
export type EventHandle = number;

const SLOT_SPACE = 1 << 22;
/** Compaction runs when at least this many cancelled events are pending and they are the majority. */
const COMPACT_MIN = 4096;

export class EventQueue {
  private cap = 1024;
  private size = 0;
  private hTime = new Float64Array(this.cap);
  private hSeq = new Float64Array(this.cap);
  private hSlot = new Int32Array(this.cap);

  private slotCap = 1024;
  private slotTarget: (EventTarget | null)[] = new Array(this.slotCap).fill(null);
  private slotKind = new Int32Array(this.slotCap);
  private slotA = new Float64Array(this.slotCap);
  private slotB = new Float64Array(this.slotCap);
  private slotSeq = new Float64Array(this.slotCap);
  private slotCancelled = new Uint8Array(this.slotCap);
  private freeSlots = new Int32Array(this.slotCap);
  private freeTop = 0;
  private nextSlot = 0;
  private seq = 0;
  /** Cancelled events still in the heap. */
  private cancelledCount = 0;

  /** Number of pending events, cancelled ones included until they are popped. */
  get length(): number {
    return this.size;
  }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? this.hTime[0]! : Infinity;
  }

  push(time: number, target: EventTarget, kind: number, a: number, b: number): EventHandle {
    const slot = this.allocSlot();
    const seq = this.seq++;
    this.slotTarget[slot] = target;
    this.slotKind[slot] = kind;
    this.slotA[slot] = a;
    this.slotB[slot] = b;
    this.slotSeq[slot] = seq;
    this.slotCancelled[slot] = 0;
    if (this.size === this.cap) this.growHeap();
    // sift up
    let i = this.size++;
    const hT = this.hTime, hS = this.hSeq, hSl = this.hSlot;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hT[p]!;
      if (pt < time || (pt === time && hS[p]! < seq)) break;
      hT[i] = pt;
      hS[i] = hS[p]!;
      hSl[i] = hSl[p]!;
      i = p;
    }
    hT[i] = time;
    hS[i] = seq;
    hSl[i] = slot;
    return seq * SLOT_SPACE + slot;
  }

  /**
   * Marks an event cancelled; a handle of an event that already ran, or was cancelled, is
   * ignored. `release` is told the target and payload of the event cancelled (the simulation
   * frees a callback's closure at once).
   */
  cancel(handle: EventHandle, release?: (target: EventTarget, a: number) => void): void {
    const slot = handle % SLOT_SPACE;
    const seq = (handle - slot) / SLOT_SPACE;
    if (slot < this.slotCap && this.slotSeq[slot] === seq && this.slotTarget[slot] !== null && this.slotCancelled[slot] === 0) {
      this.slotCancelled[slot] = 1;
      this.cancelledCount++;
      release?.(this.slotTarget[slot]!, this.slotA[slot]!);
      if (this.cancelledCount >= COMPACT_MIN && this.cancelledCount * 2 > this.size) this.compact();
    }
  }

  /** Drops the cancelled entries but the latest (by time, seq), frees their slots, and rebuilds the heap. */
  private compact(): void {
    const hT = this.hTime, hS = this.hSeq, hSl = this.hSlot;
    let keep = -1;
    for (let i = 0; i < this.size; i++) {
      if (this.slotCancelled[hSl[i]!] !== 1) continue;
      if (keep < 0 || hT[i]! > hT[keep]! || (hT[i] === hT[keep] && hS[i]! > hS[keep]!)) keep = i;
    }
    let w = 0;
    for (let i = 0; i < this.size; i++) {
      const sl = hSl[i]!;
      if (this.slotCancelled[sl] === 1 && i !== keep) {
        this.slotTarget[sl] = null;
        this.freeSlots[this.freeTop++] = sl;
        continue;
      }
      hT[w] = hT[i]!;
      hS[w] = hS[i]!;
      hSl[w] = sl;
      w++;
    }
    this.size = w;
    this.cancelledCount = keep < 0 ? 0 : 1;
    for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(start: number): void {
    const hT = this.hTime, hS = this.hSeq, hSl = this.hSlot;
    const n = this.size;
    const t = hT[start]!, s = hS[start]!, sl = hSl[start]!;
    let i = start;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (hT[r]! < hT[c]! || (hT[r] === hT[c] && hS[r]! < hS[c]!))) c = r;
      if (t < hT[c]! || (t === hT[c] && s < hS[c]!)) break;
      hT[i] = hT[c]!;
      hS[i] = hS[c]!;
      hSl[i] = hSl[c]!;
      i = c;
    }
    hT[i] = t;
    hS[i] = s;
    hSl[i] = sl;
  }

  /**
   * Removes the earliest event and dispatches it; returns its time, or -1 if it was
   * cancelled (nothing dispatched). `beforeDispatch` lets the simulation set its clock first.
   */
  popInto(out: PoppedEvent): boolean {
    if (this.size === 0) return false;
    const hT = this.hTime, hS = this.hSeq, hSl = this.hSlot;
    const slot = hSl[0]!;
    out.time = hT[0]!;
    const n = --this.size;
    if (n > 0) {
      // sift the last element down from the root
      const t = hT[n]!, s = hS[n]!, sl = hSl[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n) {
          const ct = hT[c]!, rt = hT[r]!;
          if (rt < ct || (rt === ct && hS[r]! < hS[c]!)) c = r;
        }
        const ct = hT[c]!;
        if (t < ct || (t === ct && s < hS[c]!)) break;
        hT[i] = ct;
        hS[i] = hS[c]!;
        hSl[i] = hSl[c]!;
        i = c;
      }
      hT[i] = t;
      hS[i] = s;
      hSl[i] = sl;
    }
    out.cancelled = this.slotCancelled[slot] === 1;
    if (out.cancelled) this.cancelledCount--;
    out.target = this.slotTarget[slot]!;
    out.kind = this.slotKind[slot]!;
    out.a = this.slotA[slot]!;
    out.b = this.slotB[slot]!;
    this.slotTarget[slot] = null;
    this.freeSlots[this.freeTop++] = slot;
    return true;
  }

  private allocSlot(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop]!;
    if (this.nextSlot === this.slotCap) this.growSlots();
    return this.nextSlot++;
  }

  private growHeap(): void {
    this.cap *= 2;
    this.hTime = grow(this.hTime, this.cap, Float64Array);
    this.hSeq = grow(this.hSeq, this.cap, Float64Array);
    this.hSlot = grow(this.hSlot, this.cap, Int32Array);
  }

  private growSlots(): void {
    const cap = this.slotCap * 2;
    if (cap > SLOT_SPACE) throw new RangeError('too many pending events');
    this.slotCap = cap;
    for (let i = this.slotTarget.length; i < cap; i++) this.slotTarget.push(null);
    this.slotKind = grow(this.slotKind, cap, Int32Array);
    this.slotA = grow(this.slotA, cap, Float64Array);
    this.slotB = grow(this.slotB, cap, Float64Array);
    this.slotSeq = grow(this.slotSeq, cap, Float64Array);
    this.slotCancelled = grow(this.slotCancelled, cap, Uint8Array);
    this.freeSlots = grow(this.freeSlots, cap, Int32Array);
  }
}

/** Scratch record that `popInto` fills, reused by the run loop (no allocation per event). */
export interface PoppedEvent {
  time: number;
  cancelled: boolean;
  target: EventTarget;
  kind: number;
  a: number;
  b: number;
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(
  old: T,
  cap: number,
  Ctor: { new (n: number): T },
): T {
  const next = new Ctor(cap);
  next.set(old);
  return next;
}
