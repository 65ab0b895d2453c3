import { describe, expect, it } from 'vitest';
import { EngineHost } from './engine-host.ts';
import { decodeBatch, unpackRunReply } from '../src/api/codec.ts';
import type { ProgressDto, TraceRow } from '../src/api/engine-api.ts';

const SMALL = `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata:
  name: small
spec:
  seed: 3
  cluster:
    nodes: 2
  traffic:
    - name: client calls backend
      at: 1ms
      from: pod/client
      http: {url: "http://backend:8080/hostname"}
      repeat: 3
      interval: 1ms
      expect:
        status: 200
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: node-1
  containers:
    - name: shell
      image: busybox
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 2
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
        - name: netexec
          args: [netexec, --http-port=8080]
          ports:
            - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: backend
spec:
  selector: {app: backend}
  ports:
    - {name: http, port: 8080, targetPort: http}
`;

/** A buffer holding exactly the array (what Comlink.transfer should be given). */
function exactBuffer(b: ArrayBufferView): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
}

describe('EngineHost before a run', () => {
  it('load returns positioned errors instead of throwing', async () => {
    const host = new EngineHost();
    const reply = await host.load(SMALL.replace('seed: 3', 'seed: [3'), 'broken.yaml');
    expect(reply.ok).toBe(false);
    expect(reply.errors[0]!.text).toMatch(/^broken\.yaml:\d+:\d+ /);
    // Running an invalid file answers valid: false, it does not throw.
    const run = await host.run();
    expect(run).toMatchObject({ valid: false, passed: false, events: 0 });
    expect(run.stopMessage).toMatch(/1 error; nothing was run/);
  });

  it('answers empty, or rejects with a worded Error, when nothing has run', async () => {
    const host = new EngineHost();
    await expect(host.run()).rejects.toThrow('nothing to run: load a scenario first');
    expect(decodeBatch(await host.traceBatch(0, 100))).toEqual({ seq: 0, rows: [] });
    await expect(host.event(0)).rejects.toThrow('no trace yet: run the scenario first');
    expect(await host.filter('tcp')).toMatchObject({ ok: true, indices: new Uint32Array(0) });
    expect(await host.stateAt(3)).toEqual({ time: 0, conntrack: [], neighbors: [], endpoints: [], dns: [] });
    expect((await host.topology()).nodes).toEqual([]);
    await expect(host.iptablesSave('node-1')).rejects.toThrow('no scenario loaded');
    expect((await host.pcapng()).length).toBe(0);
    expect(await host.traceJson()).toBe('');
    await host.cancel(); // harmless
    // A loaded but not yet run scenario already has a topology and rules.
    expect((await host.load(SMALL, 'small.yaml')).ok).toBe(true);
    expect((await host.topology()).nodes.length).toBe(2);
    expect(await host.iptablesSave('node-1')).toContain('KUBE-SERVICES');
    expect(await host.filter('ip.addr == ')).toMatchObject({ ok: false, error: "expected a value after '==' at column 12" });
  });
});

describe('EngineHost run and queries', () => {
  it('runs with throttled progress and answers with transferable bytes', async () => {
    const host = new EngineHost({ sliceEvents: 10 });
    await host.load(SMALL, 'small.yaml');
    const progress: ProgressDto[] = [];
    const t0 = performance.now();
    const reply = await host.run((p) => progress.push(p));
    const wall = performance.now() - t0;
    expect(reply).toMatchObject({ valid: true, passed: true, stop: 'done' });
    // Traffic crosses as counts, with the repeats packed in one transferable buffer.
    expect(reply.traffic.map((t) => [t.name, t.ok, t.total])).toEqual([['client calls backend', 3, 3]]);
    expect(exactBuffer(reply.repeatsPacked)).toBe(true);
    const repeats = unpackRunReply(reply).traffic[0]!.repeats;
    expect(repeats.map((r) => [r.ok, r.status])).toEqual([[true, 200], [true, 200], [true, 200]]);
    expect(new Set(repeats.map((r) => r.servedBy)).size).toBeGreaterThanOrEqual(1);
    // At most ~10 reports a second of wall time (the first comes at once).
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(wall / 100) + 1);
    expect(progress[0]).toEqual({ events: expect.any(Number), simulatedNs: expect.any(Number), traceEvents: expect.any(Number) });

    const batchBytes = await host.traceBatch(10, 50);
    expect(exactBuffer(batchBytes)).toBe(true);
    const batch = decodeBatch(batchBytes);
    expect(batch.seq).toBe(10);
    expect(batch.rows.map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => 10 + i));
    const all = decodeBatch(await host.traceBatch(0, reply.traceEvents + 100)).rows;
    expect(all.length).toBe(reply.traceEvents);
    for (const p of ['DNS', 'TCP', 'HTTP']) expect(all.some((r) => r.protocol === p)).toBe(true);

    const natIndex = all.findIndex((r) => r.kind === 'nat');
    const info = await host.event(natIndex);
    expect(info.row).toEqual(all[natIndex]);
    expect(info.bytes && exactBuffer(info.bytes)).toBe(true);
    expect(info.beforeBytes).not.toBeNull();
    await expect(host.event(reply.traceEvents)).rejects.toThrow(`no trace event ${reply.traceEvents}: the trace has ${reply.traceEvents} events`);
    await expect(host.event(1.5)).rejects.toThrow(/no trace event 1\.5/);
    // Several events' details in one call: the same as each event's own, null where there is none.
    const sentIndex = all.findIndex((r) => r.kind === 'sent');
    const many = await host.eventDetails([natIndex, sentIndex, natIndex]);
    expect(many).toEqual([info.detail, (await host.event(sentIndex)).detail, info.detail]);
    expect(info.detail?.after).toBeTruthy();
    await expect(host.eventDetails([0, reply.traceEvents])).rejects.toThrow(`no trace event ${reply.traceEvents}: the trace has ${reply.traceEvents} events`);

    const f = await host.filter('nat');
    expect(f.ok).toBe(true);
    expect(f.indices).toBeInstanceOf(Uint32Array);
    expect(exactBuffer(f.indices)).toBe(true);
    expect([...f.indices]).toEqual(all.filter((r) => r.kind === 'nat').map((r) => r.index));

    const early = await host.stateAt(0);
    const late = await host.stateAt(reply.traceEvents - 1);
    expect(late.conntrack.length).toBeGreaterThan(early.conntrack.length);

    const pcap = await host.pcapng();
    expect(exactBuffer(pcap)).toBe(true);
    expect(pcap.length).toBeGreaterThan(1000);
    expect((await host.traceJson()).split('\n').length).toBe(reply.traceEvents + 1);
    await expect(host.iptablesSave('node-7')).rejects.toThrow('no node named "node-7"');
  });

  it('cancel() stops a run at its next slice and keeps the trace so far', async () => {
    const host = new EngineHost({ sliceEvents: 5 });
    await host.load(SMALL, 'small.yaml');
    const running = host.run();
    await host.cancel();
    const reply = await running;
    expect(reply).toMatchObject({ valid: true, passed: false, stop: 'cancelled' });
    expect(reply.traceEvents).toBeGreaterThan(0);
    expect(decodeBatch(await host.traceBatch(0, 1_000_000)).rows.length).toBe(reply.traceEvents);
    // The same scenario runs again, to the end, with the same hash as an uninterrupted run.
    const again = await host.run();
    expect(again.stop).toBe('done');
    const other = new EngineHost();
    await other.load(SMALL, 'small.yaml');
    expect((await other.run()).traceHash).toBe(again.traceHash);
  });

  it('refuses a second run while one is going; a load during a run cancels it', async () => {
    const host = new EngineHost({ sliceEvents: 5 });
    await host.load(SMALL, 'small.yaml');
    const first = host.run();
    await expect(host.run()).rejects.toThrow('a run is already in progress');
    const reload = await host.load(SMALL.replace('seed: 3', 'seed: 4'), 'small.yaml');
    expect(reload.ok).toBe(true);
    // The new scenario's run may start at once: it waits for the old one to stop.
    const second = host.run();
    expect((await first).stop).toBe('cancelled');
    expect(await second).toMatchObject({ stop: 'done', passed: true });
    expect(decodeBatch(await host.traceBatch(0, 10)).rows.length).toBe(10);
  });

  it('streams the trace while the run goes on: rows read mid-run are the final rows', async () => {
    const host = new EngineHost({ sliceEvents: 5, progressIntervalMs: 0 });
    await host.load(SMALL, 'small.yaml');
    const seen: number[] = [];
    const midRun: TraceRow[][] = [];
    const reads: Promise<void>[] = [];
    const reply = await host.run((p) => {
      seen.push(p.traceEvents);
      reads.push(host.traceBatch(0, p.traceEvents).then((b) => void midRun.push(decodeBatch(b).rows)));
    });
    await Promise.all(reads);
    // Several partial reads, each a prefix of the finished trace.
    const partial = midRun.filter((rows) => rows.length > 0 && rows.length < reply.traceEvents);
    expect(partial.length).toBeGreaterThan(2);
    const final = decodeBatch(await host.traceBatch(0, reply.traceEvents)).rows;
    for (const rows of partial) expect(rows).toEqual(final.slice(0, rows.length));
    expect(Math.max(...seen)).toBeLessThanOrEqual(reply.traceEvents);
  });

  it('a progress callback that throws does not fail the run', async () => {
    const host = new EngineHost({ sliceEvents: 10, progressIntervalMs: 0 });
    await host.load(SMALL, 'small.yaml');
    const reply = await host.run(() => {
      throw new Error('page went away');
    });
    expect(reply.passed).toBe(true);
  });
});
