/**
 * A run whose trace outgrows its memory budget (spec.budgets.maxTraceBytes) runs to its end: the
 * trace past 3/4 of the budget is a sample of whole packets, the run says so, and expectations —
 * which see every packet, kept or not — come out exactly as with room for the whole trace.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type RunOutcome } from './run.ts';
import { runJson } from '../../cli/commands/run.ts';
import { traceHash } from '../trace/export.ts';
import { Session } from '../engine.ts';
import type { TraceEvent } from '../trace/recorder.ts';

/** A ping flood (20,000 echo requests 50 µs apart) and, while it floods, HTTP requests through a ClusterIP Service. */
function flood(budgets: string): string {
  return `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: flood-and-request}
spec:
  seed: 1
${budgets}
  cluster: {nodes: 2}
  traffic:
    - name: flood
      at: 1ms
      from: pod/pinger
      ping: {address: 10.244.2.3, count: 20000, interval: 50us}
    - name: request during the flood
      at: 600ms
      from: pod/client
      http: {url: "http://web/hostname"}
      repeat: 3
      interval: 100ms
      expect:
        status: 200
        servedBy: pod/web
        hops: [node-1, node-2]
        dnat: {from: "service:web:80", to: "pod/web:8080"}
---
apiVersion: v1
kind: Pod
metadata: {name: pinger}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: node-2
  containers: [{name: app, image: agnhost, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
}

const SMALL = '  budgets: {maxTraceBytes: 2Mi}';

/** An event's identity for comparing two traces of one run. */
function key(e: TraceEvent): string {
  return `${e.time} ${e.kind} ${e.host} ${e.iface} ${e.uid} ${e.bytes ? e.bytes.join(',') : '-'} ${JSON.stringify(e.detail)}`;
}

describe('a trace past its memory budget is sampled; the run and its expectations are not', () => {
  let sampled: RunOutcome;
  let whole: RunOutcome;

  it('runs to its end within 2 MiB of trace, every expectation passing, and says the trace is a sample', () => {
    sampled = runScenario(flood(SMALL), 'flood.yaml');
    expect(sampled.errors).toEqual([]);
    expect(sampled.stop, sampled.stopMessage).toBe('done');
    expect(sampled.expectations.map((e) => `${e.status} ${e.name}`)).toEqual([
      'pass request during the flood: status',
      'pass request during the flood: servedBy',
      'pass request during the flood: hops',
      'pass request during the flood: dnat',
    ]);
    expect(sampled.passed).toBe(true);
    const trace = sampled.world!.trace;
    expect(trace.memoryBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    const k = sampled.traceKept;
    expect(k.complete).toBe(false);
    expect(k.budgetBytes).toBe(2 * 1024 * 1024);
    expect(k.bytes).toBe(trace.memoryBytes);
    expect(k.eventsKept).toBe(trace.length);
    expect(k.eventsOffered).toBeGreaterThan(500_000);
    expect(k.eventsKept).toBeLessThan(k.eventsOffered / 10);
    expect(k.message).toMatch(/^trace sampled: memory reached [\d.]+ MiB of the 2 MiB budget \(maxTraceBytes\) at event [\d,]+; after it 1 packet in 4(…1 in [\d,]+)? was kept with all its hops.* \([\d,]+ of [\d,]+ events\); every packet was simulated and expectations saw all of them$/);
    // The CLI prints it, and --json carries it.
    expect(runJson('flood.yaml', sampled).traceKept).toEqual(k);
  });

  it('gives the same expectations and traffic as a run with room for the whole trace', () => {
    whole = runScenario(flood(''), 'flood.yaml');
    expect(whole.stop).toBe('done');
    expect(whole.traceKept.complete).toBe(true);
    expect(whole.traceKept.message).toBe('');
    expect(whole.world!.sim.eventsRun).toBe(sampled.world!.sim.eventsRun);
    expect(whole.traceKept.eventsOffered).toBe(sampled.traceKept.eventsOffered);
    // Event numbers point into each run's own stored trace; names, verdicts and words are the same.
    const words = (r: RunOutcome) => r.expectations.map(({ name, status, message }) => ({ name, status, message }));
    expect(words(sampled)).toEqual(words(whole));
    expect(runJson('flood.yaml', sampled).traffic).toEqual(runJson('flood.yaml', whole).traffic);
  });

  it('keeps a subsequence of the whole trace, each kept packet with all its events', () => {
    const all = whole.world!.trace;
    const part = sampled.world!.trace;
    const from = sampled.traceKept.sampledFrom!;
    const stopAt = part.keptNothingFrom ?? Infinity;
    // Before sampling started, the two are the same event for event.
    for (let i = 0; i < from; i += 97) expect(key(part.event(i))).toBe(key(all.event(i)));
    // After it, the sample is the whole trace with the other packets left out.
    const keptUids = new Set<number>();
    let j = from;
    for (let i = from; i < part.length; i++) {
      const e = part.event(i);
      const want = key(e);
      while (j < all.length && key(all.event(j)) !== want) j++;
      expect(j, `sampled event ${i} is in the whole trace`).toBeLessThan(all.length);
      j++;
      if (e.uid) keptUids.add(e.uid);
    }
    expect(keptUids.size).toBeGreaterThan(10);
    // Every event a kept packet had before nothing more was kept is in the sample.
    const inWhole = new Map<number, number>();
    for (let i = 0; i < Math.min(all.length, stopAt); i++) {
      const uid = all.event(i).uid;
      if (keptUids.has(uid)) inWhole.set(uid, (inWhole.get(uid) ?? 0) + 1);
    }
    const inPart = new Map<number, number>();
    for (const e of part.events()) if (keptUids.has(e.uid)) inPart.set(e.uid, (inPart.get(e.uid) ?? 0) + 1);
    for (const [uid, n] of inWhole) expect(inPart.get(uid), `events of packet ${uid}`).toBe(n);
  });

  it('points expectations at kept events only', () => {
    const trace = sampled.world!.trace;
    for (const e of sampled.expectations) {
      if (e.event === null) continue;
      expect(e.event).toBeGreaterThanOrEqual(0);
      expect(e.event).toBeLessThan(trace.length);
      expect(trace.event(e.event).detail?.flow).toBeGreaterThan(0);
    }
  });

  it('the hash a session feeds slice by slice is the hash of the finished trace', () => {
    const { session } = Session.load(flood(SMALL), 'flood.yaml');
    const reply = session!.runToEnd(500);
    expect(reply.traceKept.complete).toBe(false);
    expect(reply.traceHash).toBe(traceHash(session!.world!.trace));
    expect(reply.traceHash).toBe(traceHash(sampled.world!.trace));
  });

  it('samples the same way every time', () => {
    const again = runScenario(flood(SMALL), 'flood.yaml');
    expect(traceHash(again.world!.trace)).toBe(traceHash(sampled.world!.trace));
    expect(again.traceKept).toEqual(sampled.traceKept);
  });
});
