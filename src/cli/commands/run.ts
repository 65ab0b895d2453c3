/**
 * `kubewire run FILE [--json] [--trace] [--pcap OUT.pcapng]`: runs a scenario and reports each
 * expectation. Exit 0 when all pass, 1 when some fail, 2 when the file is invalid.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runScenario, type RunOutcome } from '../../engine/scenario/run.ts';
import { formatProblem } from '../../engine/scenario/parse.ts';
import { traceHash, tracePcapng } from '../../engine/trace/export.ts';
import { eventLine } from '../../engine/trace/summary.ts';
import type { RepeatResult } from '../../engine/scenario/traffic.ts';

export interface RunArgs {
  file: string;
  json: boolean;
  trace: boolean;
  pcap?: string;
}

/** Parses run's arguments; throws with a usage message. */
export function parseRunArgs(args: string[]): RunArgs {
  const out: RunArgs = { file: '', json: false, trace: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--trace') out.trace = true;
    else if (a === '--pcap') out.pcap = args[++i] ?? '';
    else if (a.startsWith('--pcap=')) out.pcap = a.slice(7);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (run takes --json, --trace, --pcap OUT)`);
    else if (!out.file) out.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!out.file) throw new Error('usage: kubewire run FILE [--json] [--trace] [--pcap OUT.pcapng]');
  if (out.pcap === '') throw new Error('--pcap needs a file name');
  return out;
}

/** Reads a scenario file, or explains why it cannot. */
export function readScenarioFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file}: is a directory` : `${file}: ${(e as Error).message}`);
  }
}

/** A repeat as `run --json` prints it. */
function repeatJson(r: RepeatResult): Record<string, unknown> {
  const o: Record<string, unknown> = { ok: r.ok };
  if (r.status !== undefined) o.status = r.status;
  if (r.refused) o.refused = true;
  if (r.timeout) o.timeout = true;
  if (r.error) o.error = r.error;
  if (r.rcode) o.rcode = r.rcode;
  if (r.answers) o.answers = r.answers;
  if (r.local) o.local = r.local;
  if (r.remote) o.remote = r.remote;
  if (r.servedBy) o.servedBy = r.servedBy;
  if (r.serverLocal) o.serverLocal = r.serverLocal;
  if (r.clientSeen) o.clientSeen = r.clientSeen;
  o.conntrack = r.conntrack ?? [];
  if (r.dnat?.length) o.dnat = r.dnat;
  if (r.hops?.length) o.hops = r.hops;
  if (r.queries?.length) o.queries = r.queries;
  o.startedAt = r.startedAt;
  o.finishedAt = r.finishedAt;
  return o;
}

/** The `--json` document for a run. */
export function runJson(file: string, r: RunOutcome): Record<string, unknown> {
  const w = r.world;
  return {
    file,
    scenario: r.loaded.scenario?.metadata.name ?? null,
    valid: r.valid,
    passed: r.passed,
    errors: r.errors.map((p) => ({ ...p, text: formatProblem(p) })),
    warnings: r.warnings.map((p) => ({ ...p, text: formatProblem(p) })),
    ...(w
      ? {
          seed: w.scenario.spec.seed,
          traceHash: traceHash(w.trace),
          events: w.sim.eventsRun,
          traceEvents: w.trace.length,
          simulatedNs: w.sim.now,
          stop: r.stop,
          stopMessage: r.stopMessage || undefined,
          traceKept: r.traceKept,
        }
      : {}),
    expectations: r.expectations.map((e) => ({ name: e.name, status: e.status, message: e.message, event: e.event })),
    traffic: r.traffic.map((t) => ({ name: t.name, from: t.from, src: t.repeats[0]?.source ?? '', target: t.target, repeats: t.repeats.map(repeatJson) })),
  };
}

function summarizeRepeats(reps: RepeatResult[]): string {
  const ok = reps.filter((r) => r.ok).length;
  const parts = [`${ok}/${reps.length} ok`];
  const refused = reps.filter((r) => r.refused).length;
  const timeout = reps.filter((r) => r.timeout).length;
  const other = reps.filter((r) => !r.ok && !r.refused && !r.timeout).length;
  if (refused) parts.push(`${refused} refused`);
  if (timeout) parts.push(`${timeout} timed out`);
  if (other) parts.push(`${other} failed (${reps.find((r) => !r.ok && !r.refused && !r.timeout)?.error ?? '?'})`);
  const servers = new Map<string, number>();
  for (const r of reps) if (r.servedBy) servers.set(r.servedBy, (servers.get(r.servedBy) ?? 0) + 1);
  if (servers.size) parts.push(`served by ${[...servers].map(([k, n]) => `${k.replace(/^default\//, '')}×${n}`).join(', ')}`);
  return parts.join(', ');
}

/** The human-readable report of a run. */
export function runText(file: string, r: RunOutcome): string {
  const lines: string[] = [];
  for (const p of r.errors) lines.push(formatProblem(p));
  for (const p of r.warnings) lines.push(formatProblem(p));
  if (!r.valid) {
    lines.push(`${file}: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}; nothing was run`);
    return lines.join('\n');
  }
  const w = r.world!;
  const s = w.current;
  lines.push(
    `scenario ${w.scenario.metadata.name} (${file}): ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}, ${w.pods.size} running pods, ${s.services.length} services; seed ${w.scenario.spec.seed}`,
  );
  lines.push(`ran ${w.sim.eventsRun.toLocaleString('en')} events to ${(w.sim.now / 1e6).toFixed(3)} ms simulated; ${w.trace.length.toLocaleString('en')} trace records; trace sha256 ${traceHash(w.trace)}`);
  if (r.stopMessage) lines.push(`stopped early: ${r.stopMessage}`);
  if (!r.traceKept.complete) lines.push(r.traceKept.message);
  if (w.timeline.length) {
    lines.push('', 'timeline:');
    for (const n of w.timeline) lines.push(`  ${(n.time / 1e6).toFixed(3).padStart(10)} ms  ${n.text}`);
  }
  if (r.traffic.length) {
    lines.push('', 'traffic:');
    for (const t of r.traffic) lines.push(`  ${t.name}: ${t.from} → ${t.target}: ${summarizeRepeats(t.repeats)}`);
  }
  if (r.expectations.length) {
    lines.push('', 'expectations:');
    for (const e of r.expectations) lines.push(`  ${e.status === 'pass' ? 'PASS' : 'FAIL'}  ${e.name} — ${e.message}`);
  }
  const pass = r.expectations.filter((e) => e.status === 'pass').length;
  const fail = r.expectations.length - pass;
  lines.push('', `${pass} passed, ${fail} failed`);
  return lines.join('\n');
}

/** `kubewire run`. */
export function runCommand(args: string[]): number {
  const a = parseRunArgs(args);
  const text = readScenarioFile(a.file);
  const r = runScenario(text, basename(a.file));
  if (a.pcap && r.world) writeFileSync(a.pcap, tracePcapng(r.world.trace));
  if (a.json) {
    console.log(JSON.stringify(runJson(a.file, r), null, 2));
  } else {
    if (a.trace && r.world) for (const ev of r.world.trace.events()) console.log(eventLine(ev));
    console.log(runText(a.file, r));
    if (a.pcap && r.world) console.log(`wrote ${a.pcap} (${r.world.trace.length} trace records)`);
  }
  if (!r.valid) return 2;
  return r.passed ? 0 : 1;
}
