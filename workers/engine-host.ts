/**
 * EngineHost: the object the worker exposes over comlink (EngineApi). It owns one engine
 * Session, drives its run slice by slice — yielding to the worker's event loop between slices
 * so a `cancel()` message gets in — and answers the page with DTOs: trace rows as msgpack
 * batches, filter indices as a Uint32Array and pcapng as bytes, all transferred, not copied.
 * Bad input never throws raw errors at the page: `load` returns the problems, and every other
 * call either answers empty (nothing has run yet) or rejects with a plain, worded Error.
 * Kept out of the worker file so Node tests can drive it.
 */
import * as Comlink from 'comlink';
import { Session, emptyRunReply } from '../src/engine/engine.ts';
import { encodeBatch, packRunReply } from '../src/api/codec.ts';
import type { EngineApi, EventDetailDto, EventInfo, FilterReply, LoadReply, ProgressDto, RunReply, RunReplyPacked, StateAtDto, TopologyDto } from '../src/api/engine-api.ts';

/** Options for tests and tuning. */
export interface EngineHostOptions {
  /** Simulated events per slice (between two chances to cancel). Default 20 000. */
  sliceEvents?: number;
  /** Minimum wall time between two progress reports, ms. Default 100 (at most ~10 a second). */
  progressIntervalMs?: number;
}

/** Lets queued messages (cancel, reads) run: one macrotask. Allowed here, never in src/engine. */
const macrotask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A message safe to show on the page, from anything thrown. */
function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A buffer that is exactly the array's bytes, so transferring it ships nothing else. */
function exact(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : (b.slice() as Uint8Array<ArrayBuffer>);
}

/** The worker's engine: EngineApi over one Session. */
export class EngineHost implements EngineApi {
  private session: Session | null = null;
  private lastLoad: LoadReply | null = null;
  /** The run going on, if any: its session and a promise settled when it has stopped. */
  private active: { session: Session; done: Promise<void> } | null = null;
  private cancelRequested = false;
  private readonly sliceEvents: number;
  private readonly progressIntervalMs: number;

  constructor(opts: EngineHostOptions = {}) {
    this.sliceEvents = opts.sliceEvents ?? 20_000;
    this.progressIntervalMs = opts.progressIntervalMs ?? 100;
  }

  async load(text: string, fileName: string): Promise<LoadReply> {
    if (typeof text !== 'string') text = '';
    if (typeof fileName !== 'string' || fileName === '') fileName = 'scenario.yaml';
    // A load during a run replaces the scenario: stop the old run at its next slice.
    if (this.active) this.cancelRequested = true;
    const { session, reply } = Session.load(text, fileName);
    this.session = session;
    this.lastLoad = reply;
    return reply;
  }

  async run(onProgress?: (p: ProgressDto) => void): Promise<RunReplyPacked> {
    const packed = packRunReply(await this.runToReply(onProgress));
    return Comlink.transfer(packed, [packed.repeatsPacked.buffer as ArrayBuffer]);
  }

  private async runToReply(onProgress?: (p: ProgressDto) => void): Promise<RunReply> {
    const session = this.session;
    if (!session) {
      if (!this.lastLoad) throw new Error('nothing to run: load a scenario first');
      const n = this.lastLoad.errors.length;
      return emptyRunReply(`the file has ${n} error${n === 1 ? '' : 's'}; nothing was run (see load's errors)`);
    }
    if (this.active) {
      if (this.active.session === session) throw new Error('a run is already in progress: cancel it or wait for it to end');
      // The scenario was replaced while its run was winding down: let that run stop first.
      await this.active.done;
      if (this.active) throw new Error('a run is already in progress: cancel it or wait for it to end');
    }
    let finish = (): void => {};
    const done = new Promise<void>((r) => (finish = r));
    this.active = { session, done };
    this.cancelRequested = false;
    let lastReport = -Infinity;
    const report = (p: ProgressDto): void => {
      if (!onProgress) return;
      const now = performance.now();
      if (now - lastReport < this.progressIntervalMs) return;
      lastReport = now;
      try {
        // A comlink proxy returns a promise; a page that went away must not fail the run.
        void Promise.resolve(onProgress(p)).catch(() => {});
      } catch {
        // the callback's own error is not the run's
      }
    };
    try {
      const steps = session.run(this.sliceEvents);
      let n = steps.next(false);
      while (!n.done) {
        report(n.value);
        await macrotask();
        n = steps.next(this.cancelRequested || this.session !== session);
      }
      return n.value;
    } catch (e) {
      throw new Error(`the run failed: ${message(e)}`);
    } finally {
      this.active = null;
      this.cancelRequested = false;
      finish();
    }
  }

  async cancel(): Promise<void> {
    if (this.active) this.cancelRequested = true;
  }

  async traceBatch(from: number, count: number): Promise<Uint8Array> {
    // Also between slices of a run: the events recorded so far never change, so the page can
    // stream them while the run goes on.
    const s = this.session;
    const rows = s ? this.guard(() => s.rows(Number(from), Number(count))) : [];
    const bytes = exact(encodeBatch({ seq: Number(from) || 0, rows }));
    return Comlink.transfer(bytes, [bytes.buffer]);
  }

  /** Throws the page-facing error unless there is a trace and `index` is one of its events. */
  private checkEvent(index: number): void {
    if (!this.ready()) throw new Error('no trace yet: run the scenario first');
    const len = this.session!.length;
    if (!Number.isInteger(index) || index < 0 || index >= len) throw new Error(`no trace event ${index}: the trace has ${len} events (0…${len - 1})`);
  }

  async event(index: number): Promise<EventInfo> {
    this.checkEvent(index);
    const info = this.guard(() => this.session!.eventInfo(index));
    const buffers: ArrayBuffer[] = [];
    if (info.bytes) buffers.push((info.bytes = exact(info.bytes)).buffer);
    if (info.beforeBytes) buffers.push((info.beforeBytes = exact(info.beforeBytes)).buffer);
    return Comlink.transfer(info, buffers);
  }

  async eventDetails(indices: number[]): Promise<(EventDetailDto | null)[]> {
    if (!Array.isArray(indices)) throw new Error('eventDetails takes an array of event indices');
    if (!this.ready()) throw new Error('no trace yet: run the scenario first');
    for (const i of indices) this.checkEvent(i);
    return this.guard(() => this.session!.eventDetails(indices));
  }

  async filter(expr: string): Promise<FilterReply> {
    const s = this.session;
    const reply = s ? this.guard(() => s.filter(typeof expr === 'string' ? expr : '')) : { ok: true, indices: new Uint32Array(0) };
    const indices = reply.indices.byteOffset === 0 && reply.indices.byteLength === reply.indices.buffer.byteLength ? reply.indices : reply.indices.slice();
    const out: FilterReply = reply.ok ? { ok: true, indices } : { ok: false, error: reply.error, indices };
    return Comlink.transfer(out, [indices.buffer as ArrayBuffer]);
  }

  async topology(): Promise<TopologyDto> {
    if (!this.session) return { nodes: [], services: [], externals: [], nodeCIDR: '', podCIDR: '', serviceCIDR: '' };
    return this.guard(() => this.session!.topology());
  }

  async iptablesSave(node: string): Promise<string> {
    if (!this.session) throw new Error('no scenario loaded: load one first');
    return this.guard(() => this.session!.iptablesSave(String(node)));
  }

  async stateAt(index: number): Promise<StateAtDto> {
    if (!this.ready()) return { time: 0, conntrack: [], neighbors: [], endpoints: [], dns: [] };
    return this.guard(() => this.session!.stateAt(Number(index)));
  }

  async pcapng(): Promise<Uint8Array> {
    const bytes = exact(this.ready() ? this.guard(() => this.session!.pcapng()) : new Uint8Array(0));
    return Comlink.transfer(bytes, [bytes.buffer]);
  }

  async traceJson(): Promise<string> {
    if (!this.ready()) return '';
    return this.guard(() => this.session!.traceJson());
  }

  /** A run has finished (the session has a trace) and none is going on. */
  private ready(): boolean {
    return this.active === null && this.session !== null && this.session.lastRun !== null;
  }

  /** Runs `f`, turning anything it throws into a plain Error with a worded message. */
  private guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw new Error(message(e));
    }
  }
}
