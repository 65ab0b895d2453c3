/**
 * `window.kubewire`: what the page offers to scripts and tests (shared/docs/scenario-format.md,
 * "In the browser"). Types only, so e2e tests can import it without the components.
 */
import type { LoadReply, RunReply, TraceRow } from '../api/engine-api.ts';

export interface KubewireScriptApi {
  /** Puts `text` in the editor and loads (validates) it. */
  load(text: string): Promise<LoadReply>;
  /** Runs the editor's text; resolves with the results (null when the file is invalid). */
  run(): Promise<RunReply | null>;
  /** Every trace event's row (fetched in batches). */
  trace(): Promise<TraceRow[]>;
  /** Selects event `n` (0-based) and resolves when its views are filled. */
  select(n: number): Promise<void>;
  /** The last run's result, if any. */
  readonly result: RunReply | null;
  /** Trace pages fetched from the worker since the page opened (during and after runs): batches, rows, msgpack bytes. */
  readonly streamed: { batches: number; rows: number; bytes: number };
}

declare global {
  interface Window {
    kubewire?: KubewireScriptApi;
  }
}
