import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from './run.ts';
import { traceHash } from '../trace/export.ts';

const root = join(__dirname, '..', '..', '..');

/** A cluster with a busy client: 200 HTTP requests, enough to hit small budgets. */
function busy(budgets: string): string {
  return `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: busy}
spec:
  seed: 1
${budgets}
  cluster: {nodes: 2}
  traffic:
    - name: many requests
      from: pod/client
      http: {url: "http://web/hostname"}
      repeat: 200
      interval: 1ms
      expect: {status: 200}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec: {containers: [{name: c, image: agnhost}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: agnhost, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
}

describe('run budgets: a run that would exceed one stops with a clear message and keeps its trace (the trace budget samples instead)', () => {
  it('without budgets the run completes and passes', () => {
    const r = runScenario(busy(''), 'busy.yaml');
    expect(r.stop).toBe('done');
    expect(r.passed).toBe(true);
  });

  it('maxEvents', () => {
    const r = runScenario(busy('  budgets: {maxEvents: 5000}'), 'busy.yaml');
    expect(r.stop).toBe('max-events');
    expect(r.stopMessage).toMatch(/stopped after 5000 events \(maxEvents budget\); the trace so far is kept/);
    expect(r.world!.trace.length).toBeGreaterThan(1000);
    expect(r.passed).toBe(false);
  });

  it('maxSimulatedTime', () => {
    const r = runScenario(busy('  budgets: {maxSimulatedTime: 50ms}'), 'busy.yaml');
    expect(r.stop).toBe('max-time');
    expect(r.stopMessage).toMatch(/simulated-time budget \(0.05s, maxSimulatedTime\)/);
    expect(r.world!.sim.now).toBe(50_000_000);
    expect(r.world!.trace.length).toBeGreaterThan(100);
  });

  it('maxTraceBytes does not stop the run: past it the trace is a sample, and the run says so', () => {
    const r = runScenario(busy('  budgets: {maxTraceBytes: 256Ki}'), 'busy.yaml');
    expect(r.stop).toBe('done');
    expect(r.stopMessage).toBe('');
    expect(r.passed).toBe(true);
    expect(r.world!.trace.memoryBytes).toBeLessThanOrEqual(256 * 1024);
    expect(r.traceKept.complete).toBe(false);
    expect(r.traceKept.message).toMatch(/^trace sampled: memory reached [\d.]+ KiB of the 256 KiB budget \(maxTraceBytes\) at event [\d,]+; .*; every packet was simulated and expectations saw all of them$/);
  });
});

describe('determinism: same file and seed, same trace, every time', () => {
  const files = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  for (const f of files) {
    it(`${f}: three runs, one trace hash; another seed, another trace`, () => {
      const text = readFileSync(join(root, 'scenarios', f), 'utf8');
      const hashes = [0, 1, 2].map(() => traceHash(runScenario(text, f).world!.trace));
      expect(new Set(hashes).size).toBe(1);
      const reseeded = text.replace(/^(\s*seed:\s*)(\d+)/m, (_m, a: string, n: string) => `${a}${Number(n) + 1}`);
      expect(traceHash(runScenario(reseeded, f).world!.trace)).not.toBe(hashes[0]);
    });
  }
});
