/**
 * The engine facade: what the worker and the CLI call. It builds a run, executes it on the
 * simulation, and answers questions about the trace. (Scenario files arrive with the scenario
 * module; until then the facade runs the built-in NAT demo.)
 */
import { TraceRecorder } from './trace/recorder.ts';
import { traceHash, tracePcapng } from './trace/export.ts';
import type { TraceEvent } from './trace/recorder.ts';
import { buildNatDemo, type NatDemoLog } from './workloads/nat-demo.ts';
import { detailText, eventSummary } from './trace/summary.ts';

/** A summary row of one trace event (the packet list). */
export interface EventRow {
  index: number;
  time: number;
  kind: string;
  host: string;
  iface: string;
  summary: string;
  detail: string;
}

export interface DemoSummary {
  name: string;
  events: number;
  simulatedNs: number;
  traceHash: string;
  packetHops: number;
}

/** A finished demo run. */
export interface DemoSession {
  summary: DemoSummary;
  trace: TraceRecorder;
  log: NatDemoLog;
  rows(from: number, count: number): EventRow[];
  pcapng(): Uint8Array;
}

/** One-line summary of an event: the packet (tcpdump-like) or the detail's words. */
export function eventRow(ev: TraceEvent): EventRow {
  return { index: ev.index, time: ev.time, kind: ev.kind, host: ev.host, iface: ev.iface, summary: eventSummary(ev), detail: detailText(ev) };
}

/** Runs a built-in demo by name. */
export function runDemo(name: string, seed = 1): DemoSession {
  if (name !== 'nat-demo') throw new Error(`no built-in demo named "${name}" (have: nat-demo)`);
  const trace = new TraceRecorder();
  const demo = buildNatDemo({ seed, tracer: trace });
  demo.sim.run();
  return {
    summary: { name, events: trace.length, simulatedNs: demo.sim.now, traceHash: traceHash(trace), packetHops: demo.net.packetHops },
    trace,
    log: demo.log,
    rows(from, count) {
      const out: EventRow[] = [];
      for (const ev of trace.events(from, from + count)) out.push(eventRow(ev));
      return out;
    },
    pcapng: () => tracePcapng(trace),
  };
}
