/**
 * Simulation: the discrete-event loop. It owns the clock (SimTime, integer ns), the event queue
 * and the seeded random streams. Components schedule events on themselves with `schedule`
 * (kind + two numeric payloads, no closures on hot paths) or, for rare one-off work, `at`/`after`
 * with a callback.
 *
 * Trade-off (as ns-3 documents for its SimulatorImpl): a single binary heap with FIFO ties is
 * simple and deterministic; per-link monotone FIFOs merged through a heap would be a few
 * percent faster with many pending events, and can come later behind the same API.
 */
import { EventQueue, type EventHandle, type EventTarget, type PoppedEvent } from './queue.ts';
import { Rng } from './rng.ts';
import { checkTime, type SimTime } from './time.ts';

export type { EventHandle, EventTarget } from './queue.ts';

/** Why a run loop returned. */
export type StopReason = 'idle' | 'time' | 'events' | 'stopped';

const CALLBACK = 0;

/** Runs queued callbacks; one instance per simulation. */
class CallbackRunner implements EventTarget {
  readonly fns: (() => void)[] = [];
  private readonly free: number[] = [];
  add(fn: () => void): number {
    const i = this.free.pop();
    if (i !== undefined) {
      this.fns[i] = fn;
      return i;
    }
    this.fns.push(fn);
    return this.fns.length - 1;
  }
  handleEvent(_kind: number, a: number): void {
    const fn = this.fns[a]!;
    this.fns[a] = noop;
    this.free.push(a);
    fn();
  }
  /** A cancelled callback never runs: drop its closure now (what it captured can be collected) and reuse its place. */
  release(a: number): void {
    this.fns[a] = noop;
    this.free.push(a);
  }
}
function noop(): void {}

export class Simulation {
  /** Current simulated time (ns). */
  now: SimTime = 0;
  /** Events dispatched so far (cancelled ones excluded). */
  eventsRun = 0;
  readonly rng: Rng;
  private readonly queue = new EventQueue();
  private readonly callbacks = new CallbackRunner();
  private readonly popped: PoppedEvent = { time: 0, cancelled: false, target: null as unknown as EventTarget, kind: 0, a: 0, b: 0 };
  private stopRequested = false;
  private readonly releaseCancelled = (target: EventTarget, a: number): void => {
    if (target === this.callbacks) this.callbacks.release(a);
  };

  constructor(seed = 1) {
    this.rng = new Rng(seed);
  }

  /** Schedules `target.handleEvent(kind, a, b)` after `delay` ns. */
  schedule(delay: SimTime, target: EventTarget, kind: number, a = 0, b = 0): EventHandle {
    return this.queue.push(this.now + delay, target, kind, a, b);
  }

  /** Schedules at an absolute time (must not be in the past). */
  scheduleAt(time: SimTime, target: EventTarget, kind: number, a = 0, b = 0): EventHandle {
    if (time < this.now) throw new RangeError(`cannot schedule in the past (${time} < ${this.now})`);
    return this.queue.push(time, target, kind, a, b);
  }

  /** Runs a callback after `delay` ns. For rare events; hot paths use `schedule`. */
  after(delay: SimTime, fn: () => void): EventHandle {
    checkTime(delay);
    return this.queue.push(this.now + delay, this.callbacks, CALLBACK, this.callbacks.add(fn), 0);
  }

  /** Runs a callback at an absolute time. */
  at(time: SimTime, fn: () => void): EventHandle {
    return this.after(time - this.now, fn);
  }

  cancel(handle: EventHandle): void {
    this.queue.cancel(handle, this.releaseCancelled);
  }

  /** Number of events waiting (cancelled ones included until popped, or dropped by a compaction). */
  get pending(): number {
    return this.queue.length;
  }

  /** Time of the next event, or Infinity. */
  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Asks a running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Runs one event; returns false when the queue is empty. */
  step(): boolean {
    const ev = this.popped;
    while (this.queue.popInto(ev)) {
      if (ev.cancelled) continue;
      this.now = ev.time;
      this.eventsRun++;
      ev.target.handleEvent(ev.kind, ev.a, ev.b);
      return true;
    }
    return false;
  }

  /** Runs until the queue is empty, `until` is passed, `maxEvents` have run, or `stop()`. */
  run(until: SimTime = Infinity, maxEvents = Infinity): StopReason {
    this.stopRequested = false;
    const q = this.queue;
    const ev = this.popped;
    const limit = this.eventsRun + maxEvents;
    for (;;) {
      if (this.stopRequested) return 'stopped';
      if (this.eventsRun >= limit) return 'events';
      const t = q.peekTime();
      if (t === Infinity) return 'idle';
      if (t > until) {
        this.now = until;
        return 'time';
      }
      q.popInto(ev);
      if (ev.cancelled) continue;
      this.now = ev.time;
      this.eventsRun++;
      ev.target.handleEvent(ev.kind, ev.a, ev.b);
    }
  }

  /** Runs every event with time ≤ t, then sets the clock to t. */
  runUntil(t: SimTime): StopReason {
    return this.run(t);
  }
}
