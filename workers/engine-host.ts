/**
 * EngineHost: the object the worker exposes (comlink). It owns the engine session and answers
 * the page with serialisable summaries and msgpack-encoded trace batches (transferred, not
 * copied). Kept out of the worker file so it can be unit-tested in Node.
 */
import * as Comlink from 'comlink';
import { runDemo, type DemoSession } from '../src/engine/engine.ts';
import { encodeBatch } from '../src/api/codec.ts';
import type { EngineApi, RunSummary, TraceRow } from '../src/api/engine-api.ts';

export class EngineHost implements EngineApi {
  private session: DemoSession | null = null;

  async runDemo(name: string): Promise<RunSummary> {
    this.session = runDemo(name);
    return this.session.summary;
  }

  async traceBatch(from: number, count: number): Promise<Uint8Array> {
    const s = this.session;
    const rows: TraceRow[] = s ? s.rows(from, count) : [];
    const bytes = encodeBatch({ seq: from, rows });
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }
}
