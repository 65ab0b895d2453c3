/**
 * TraceCache: the last run's rows on the main thread, fetched on demand in pages through
 * `traceBatch` (msgpack, decoded with api/codec) and kept in a bounded LRU, so a trace of a
 * million events scrolls without ever being copied whole. Fetches are queued, a few at a time,
 * and decoding yields between pages so no task runs long.
 */
import { decodeBatch } from '../../api/codec.ts';
import type { TraceRow } from '../../api/engine-api.ts';

/** Rows per page (one traceBatch call). */
export const PAGE = 256;
/** Pages kept (about 100k rows). */
const MAX_PAGES = 400;
/** Fetches in flight at once. */
const PARALLEL = 2;

/** Fetches one page's bytes: traceBatch(from, count). */
export type BatchFetcher = (from: number, count: number) => Promise<Uint8Array>;

export class TraceCache {
  /** Rows in the trace. */
  total = 0;
  private pages = new Map<number, TraceRow[]>();
  private wanted: number[] = [];
  private inFlight = new Map<number, Promise<void>>();
  private generation = 0;
  private notifyScheduled = false;

  constructor(
    private fetcher: BatchFetcher | null,
    /** Called (at most once a frame) when pages arrive. */
    private readonly onChange: () => void,
    /** Called when a fetch fails. */
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Forgets everything: a new run (or none). */
  reset(total: number, fetcher: BatchFetcher | null): void {
    this.generation++;
    this.total = total;
    this.fetcher = fetcher;
    this.pages.clear();
    this.wanted = [];
    this.inFlight.clear();
  }

  /**
   * The trace has grown to `total` events (a run streaming its trace): cached pages stay, except
   * a last page fetched before it was full, which is fetched again when next wanted.
   */
  grow(total: number): void {
    if (total <= this.total) return;
    const p = Math.floor(this.total / PAGE);
    if ((this.pages.get(p)?.length ?? PAGE) < PAGE) this.pages.delete(p);
    this.total = total;
  }

  /** Traffic so far: pages fetched from the worker and their rows and msgpack bytes. */
  readonly stats = { batches: 0, rows: 0, bytes: 0 };

  /** The row of event `index` if it is cached (touching it in the LRU). */
  get(index: number): TraceRow | undefined {
    const p = Math.floor(index / PAGE);
    const page = this.pages.get(p);
    if (!page) return undefined;
    this.pages.delete(p);
    this.pages.set(p, page);
    return page[index - p * PAGE];
  }

  /** Asks for the pages holding these event numbers (the visible ones first). */
  want(indices: Iterable<number>): void {
    const need: number[] = [];
    for (const i of indices) {
      if (i < 0 || i >= this.total) continue;
      const p = Math.floor(i / PAGE);
      if (!this.pages.has(p) && !this.inFlight.has(p) && !need.includes(p)) need.push(p);
    }
    if (!need.length) return;
    // Newest request first: the rows on screen now matter more than the ones scrolled past.
    this.wanted = [...need, ...this.wanted.filter((p) => !need.includes(p))].slice(0, 64);
    this.pump();
  }

  /** Asks for the pages covering event numbers [from, to). */
  wantRange(from: number, to: number): void {
    const idx: number[] = [];
    for (let p = Math.floor(Math.max(0, from) / PAGE); p * PAGE < Math.min(to, this.total); p++) idx.push(p * PAGE);
    this.want(idx);
  }

  /** Resolves with the rows of these event numbers, fetching what is missing. */
  async rows(indices: readonly number[]): Promise<TraceRow[]> {
    const gen = this.generation;
    const pages = [...new Set(indices.map((i) => Math.floor(i / PAGE)))];
    for (const p of pages) if (!this.pages.has(p)) await this.fetchPage(p);
    if (gen !== this.generation) return [];
    const out: TraceRow[] = [];
    for (const i of indices) {
      const r = this.get(i) ?? (await this.fetchPage(Math.floor(i / PAGE)), this.get(i));
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * Reads rows [from, to) page by page without keeping them (search, export of summaries),
   * yielding to the event loop between pages. Stops when `visit` returns false.
   */
  async scan(from: number, to: number, visit: (rows: TraceRow[]) => boolean, backwards = false): Promise<void> {
    const gen = this.generation;
    const fetcher = this.fetcher;
    if (!fetcher) return;
    const first = Math.floor(Math.max(0, from) / PAGE);
    const last = Math.floor((Math.min(to, this.total) - 1) / PAGE);
    for (let k = 0; k <= last - first; k++) {
      const p = backwards ? last - k : first + k;
      let rows = this.pages.get(p);
      if (!rows) rows = decodeBatch(await fetcher(p * PAGE, PAGE)).rows;
      if (gen !== this.generation) return;
      const lo = Math.max(from, p * PAGE) - p * PAGE;
      const hi = Math.min(to, (p + 1) * PAGE) - p * PAGE;
      if (!visit(rows.slice(lo, hi))) return;
      await yieldToEventLoop();
      if (gen !== this.generation) return;
    }
  }

  private pump(): void {
    while (this.inFlight.size < PARALLEL && this.wanted.length) {
      const p = this.wanted.shift()!;
      if (this.pages.has(p) || this.inFlight.has(p)) continue;
      void this.fetchPage(p).catch((e) => this.onError(e));
    }
  }

  private fetchPage(p: number): Promise<void> {
    const existing = this.inFlight.get(p);
    if (existing) return existing;
    const fetcher = this.fetcher;
    if (!fetcher) return Promise.resolve();
    const gen = this.generation;
    const job = (async () => {
      try {
        const bytes = await fetcher(p * PAGE, PAGE);
        if (gen !== this.generation) return;
        const batch = decodeBatch(bytes);
        this.stats.batches++;
        this.stats.rows += batch.rows.length;
        this.stats.bytes += bytes.byteLength;
        this.pages.set(p, batch.rows);
        while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
        this.scheduleNotify();
      } finally {
        if (gen === this.generation) {
          this.inFlight.delete(p);
          this.pump();
        }
      }
    })();
    this.inFlight.set(p, job);
    return job;
  }

  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    requestAnimationFrame(() => {
      this.notifyScheduled = false;
      this.onChange();
    });
  }
}

/** Lets the browser paint and take input between chunks of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
