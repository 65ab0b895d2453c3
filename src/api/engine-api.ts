/**
 * The worker contract: what the page may ask the engine worker, and the serialisable shapes it
 * gets back. Type-only imports from the engine keep engine code out of the main bundle.
 */

/** One trace event as the page lists it (row of the packet list). */
export interface TraceRow {
  /** 0-based event index in the trace. */
  index: number;
  /** Simulated time in ns. */
  time: number;
  kind: string;
  host: string;
  iface: string;
  summary: string;
  /** Extra detail: rule text, NAT rewrite, drop reason. */
  detail: string;
}

/** A batch of trace rows, streamed from the worker as msgpack. */
export interface TraceBatch {
  seq: number;
  rows: TraceRow[];
}

/** What a finished run reports. */
export interface RunSummary {
  name: string;
  events: number;
  simulatedNs: number;
  traceHash: string;
  packetHops: number;
}

/** The worker's RPC surface (comlink). Batches arrive msgpack-encoded (Uint8Array, transferred). */
export interface EngineApi {
  /** Runs the built-in demo and returns its summary. */
  runDemo(name: string): Promise<RunSummary>;
  /** Trace rows [from, from+count) of the last run, msgpack-encoded TraceBatch. */
  traceBatch(from: number, count: number): Promise<Uint8Array>;
}
