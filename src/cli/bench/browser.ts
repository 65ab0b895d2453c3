/**
 * The browser workload of `kubewire bench`: the app as users get it (a production build served
 * by `vite preview`), driven by Playwright in Chromium. The page runs a scenario of about a
 * million packets in its engine worker while the packet list streams the trace, and the page
 * itself measures what a user feels:
 * - the run's wall time, seen from the page;
 * - trace batches (pages of rows) streamed from the worker during and after the run;
 * - the longest main-thread task while the trace streams (Long Tasks API) and the longest gap
 *   between two animation frames;
 * - memory: the renderer process (page + worker; /proc on Linux), sampled every 200 ms, and the
 *   page's JS heap;
 * - a step key, pressed at a person's pace and held down: from the key event to the next paint
 *   (the selected row moves), and to the paint of the detail views for the new event (they need a
 *   round trip to the worker).
 * Node-only (Playwright, Vite, /proc): nothing here is engine code.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadReply, RunReply } from '../../api/engine-api.ts';
import { Session } from '../../engine/engine.ts';

/** The browser workload's figures. */
export interface BrowserBenchReport {
  workload: 'browser';
  scenario: string;
  /** IP packets the hosts sent (ping requests and replies, HTTP, DNS), counted by the Node run of the same file. */
  packets: number;
  /** Simulated events (each packet hop is several). */
  events: number;
  /** Trace events recorded (and streamable to the page). */
  traceEvents: number;
  /** Links those packets crossed (Node run; the page's trace hash proves it ran the same). */
  packetHops: number;
  /** From the page's `run()` call to its answer (the worker's run, expectations and trace hash). */
  seconds: number;
  /** The same scenario run by the same engine in this Node process, for the ratio. */
  nodeSeconds: number;
  /** The page's trace hash equals the Node run's. */
  sameTraceAsNode: boolean;
  packetHopsPerSec: number;
  eventsPerSec: number;
  packetsPerSec: number;
  /** Peak resident memory of the renderer process (the page and its engine worker). */
  peakRssBytes: number | null;
  /** All Chromium processes together at the renderer's peak. */
  peakBrowserRssBytes: number | null;
  pageHeapBytes: number | null;
  stop: string;
  passed: boolean;
  traceKept: unknown;
  streaming: {
    /** Trace pages fetched by the page while the run went on, and in all (run and first view). */
    batchesDuringRun: number;
    rowsDuringRun: number;
    bytesDuringRun: number;
    batches: number;
  };
  mainThread: {
    /** Longest task on the page's main thread from the start of the run to the list's first view after it, ms. */
    longestTaskMs: number;
    longTasks: number;
    /** Longest gap between two animation frames in that time, ms. */
    longestFrameGapMs: number;
    targetMs: 50;
  };
  /** Step keys (ArrowDown) pressed at a person's pace and as a held key. */
  step: { tap: StepFigures; hold: StepFigures; targetMs: 16 };
  browser: string;
}

/** Key → paint figures for step keys pressed every `intervalMs`. */
export interface StepFigures {
  intervalMs: number;
  keys: number;
  /** Key event to the next paint (the selection moved), ms. */
  repaintMsMedian: number;
  repaintMsP95: number;
  repaintMsMax: number;
  /** Keys whose repaint came later than 16 ms. */
  over16: number;
  /** Keys whose selection was drawn (`repaint`), and whose details were painted; the others
   * were overtaken by the next key first. */
  drawn: number;
  detailsShown: number;
  /** Key event to the paint that shows the new event's details (a worker round trip), ms. */
  detailsMsMedian: number;
  detailsMsP95: number;
  detailsMsMax: number;
  /** The same pace again under a Chromium trace: each key → repaint split into work and waiting. */
  traced?: StepWork;
}

/** Key → repaint split from a trace: main-thread tasks in between, and the rest (the frame wait). */
export interface StepWork {
  keys: number;
  repaintMsMedian: number;
  repaintMsP95: number;
  /** Main-thread task time between the key and its repaint (handler, render, style, layout, paint). */
  mainThreadMsMedian: number;
  mainThreadMsP95: number;
  mainThreadMsMax: number;
  /** Key → repaint minus that work: the time the step waited for the display's next frame. */
  waitMsMedian: number;
  waitMsP95: number;
}

export interface BrowserBenchOptions {
  /** Scenario file (default scenarios/large/million-packets.yaml). */
  scenario?: string;
  /** Step keys to time at each pace. */
  steps?: number;
}

/** The part of the page's `window.kubewire` (src/ui/script-api.ts) the benchmark uses. */
interface PageApi {
  load(text: string): Promise<LoadReply>;
  run(): Promise<RunReply | null>;
  select(n: number): Promise<void>;
  readonly streamed: { batches: number; rows: number; bytes: number };
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Debian's chromium when present (shared/docs/toolchain.md); PLAYWRIGHT_CHROMIUM_EXECUTABLE overrides ('' = Playwright's own). */
function chromiumPath(): string | undefined {
  const env = process.env['PLAYWRIGHT_CHROMIUM_EXECUTABLE'];
  if (env !== undefined) return env || undefined;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** RSS of every process below `root` (its Chromium), by pid, with their command lines. Linux only. */
function descendants(root: number): { pid: number; rss: number; renderer: boolean }[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const n of names) {
    const pid = Number(n);
    if (!Number.isInteger(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const pp = /^PPid:\s+(\d+)/m.exec(status);
      const r = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (pp) parent.set(pid, Number(pp[1]));
      if (r) rss.set(pid, Number(r[1]) * 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: { pid: number; rss: number; renderer: boolean }[] = [];
  for (const [pid] of parent) {
    let p: number | undefined = pid;
    let depth = 0;
    while (p !== undefined && p !== root && p > 1 && depth++ < 64) p = parent.get(p);
    if (p !== root || pid === root) continue;
    let renderer = false;
    try {
      renderer = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      continue;
    }
    out.push({ pid, rss: rss.get(pid) ?? 0, renderer });
  }
  return out;
}

/** Splits each key → repaint of a Chromium trace (marks kw-step-key, kw-step-painted) into main-thread work and waiting. */
export function stepWork(trace: { traceEvents: { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number }[] }): StepWork {
  const ev = trace.traceEvents;
  const marks = ev.filter((e) => e.name === 'kw-step-key' || e.name === 'kw-step-painted').sort((a, b) => a.ts - b.ts);
  const main = marks[0];
  const tasks = main
    ? ev.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts)
    : [];
  // Only outermost tasks (a nested run loop would count twice).
  const top: { ts: number; end: number }[] = [];
  for (const t of tasks) {
    const end = t.ts + (t.dur ?? 0);
    if (top.length && t.ts < top[top.length - 1]!.end) continue;
    top.push({ ts: t.ts, end });
  }
  const repaint: number[] = [];
  const work: number[] = [];
  const wait: number[] = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    if (marks[i]!.name !== 'kw-step-key' || marks[i + 1]!.name !== 'kw-step-painted') continue;
    const a = marks[i]!.ts;
    const b = marks[i + 1]!.ts;
    let busy = 0;
    for (const t of top) if (t.end > a && t.ts < b) busy += Math.min(b, t.end) - Math.max(a, t.ts);
    repaint.push((b - a) / 1000);
    work.push(busy / 1000);
    wait.push((b - a - busy) / 1000);
  }
  return {
    keys: repaint.length,
    repaintMsMedian: r1(quantile(repaint, 0.5)),
    repaintMsP95: r1(quantile(repaint, 0.95)),
    mainThreadMsMedian: r1(quantile(work, 0.5)),
    mainThreadMsP95: r1(quantile(work, 0.95)),
    mainThreadMsMax: r1(work.length ? Math.max(...work) : 0),
    waitMsMedian: r1(quantile(wait, 0.5)),
    waitMsP95: r1(quantile(wait, 0.95)),
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Runs the browser workload; `log` gets progress lines. */
export async function benchBrowser(opts: BrowserBenchOptions, log: (s: string) => void): Promise<BrowserBenchReport> {
  const file = opts.scenario ?? join(ROOT, 'scenarios', 'large', 'million-packets.yaml');
  const text = readFileSync(file, 'utf8');
  const steps = opts.steps ?? 40;

  // Imported here: only this workload needs them (and they are dev dependencies).
  const vite = await import('vite');
  const { chromium } = await import('@playwright/test');

  const outDir = join(ROOT, '.bench', 'dist');
  log(`browser: building the app (vite build → ${outDir}) …`);
  await vite.build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await vite.preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');

  log('browser: the same scenario in Node first (the same engine, for the packet counts and the ratio) …');
  const t0 = performance.now();
  const { session } = Session.load(text, file);
  if (!session) throw new Error(`${file} does not load`);
  const nodeReply = session.runToEnd();
  const nodeSeconds = (performance.now() - t0) / 1000;
  const world = session.world!;
  const packetHops = world.net.packetHops;
  let packets = 0;
  for (const h of world.net.hosts) packets += h.stats.ipOut;

  const executablePath = chromiumPath();
  log(`browser: Chromium ${executablePath ?? "(Playwright's own)"} …`);
  const browser = await chromium.launch({
    ...(executablePath ? { executablePath } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let peakRss: number | null = null;
  let peakAll: number | null = null;
  const sampler = setInterval(() => {
    const procs = descendants(process.pid);
    if (!procs.length) return;
    const renderer = Math.max(0, ...procs.filter((p) => p.renderer).map((p) => p.rss));
    if (renderer > (peakRss ?? 0)) {
      peakRss = renderer;
      peakAll = procs.reduce((a, p) => a + p.rss, 0);
    }
  }, 200);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Observers installed before the app starts: long tasks, and the gaps between frames while
    // armed. The frame loop runs only while armed: an idle app requests no frames, and a loop left
    // running would put every later step key behind a vsync wait that the app itself never causes.
    await page.addInitScript(() => {
      const b = { longTasks: [] as { start: number; duration: number }[], armed: false, lastFrame: 0, maxGap: 0, arm: (on: boolean) => {} };
      (window as unknown as { __bench: typeof b }).__bench = b;
      new PerformanceObserver((l) => l.getEntries().forEach((e) => b.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: true });
      const frame = (t: number) => {
        if (!b.armed) return;
        if (b.lastFrame) b.maxGap = Math.max(b.maxGap, t - b.lastFrame);
        b.lastFrame = t;
        requestAnimationFrame(frame);
      };
      b.arm = (on: boolean) => {
        const was = b.armed;
        b.armed = on;
        b.lastFrame = 0;
        if (on && !was) requestAnimationFrame(frame);
      };
    });
    await page.goto(url);
    const shell = page.locator('kw-app-shell');
    await shell.waitFor();
    // The app opens on its default scenario and runs it: wait for that first.
    await page.waitForFunction(() => ['ready', 'invalid', 'error', 'failed'].includes(document.querySelector('kw-app-shell')?.getAttribute('data-status') ?? ''), null, { timeout: 120_000 });
    log(`browser: running ${file.split('/').pop()} in the page's engine worker …`);
    const run = await page.evaluate(async (scenario) => {
      const kw = (window as unknown as { kubewire: PageApi }).kubewire;
      const b = (window as unknown as { __bench: { longTasks: { start: number; duration: number }[]; arm: (on: boolean) => void; maxGap: number } }).__bench;
      const load = await kw.load(scenario);
      if (!load.ok) return { error: load.errors.map((e) => e.text).join('\n') };
      const before = kw.streamed;
      let during = before;
      // What had been streamed by the last moment the status still said "running".
      const shellEl = document.querySelector('kw-app-shell')!;
      const tick = setInterval(() => {
        if (shellEl.getAttribute('data-status') === 'running') during = kw.streamed;
      }, 50);
      b.arm(true);
      const t0 = performance.now();
      const result = await kw.run();
      const t1 = performance.now();
      b.arm(false);
      clearInterval(tick);
      const after = kw.streamed;
      const tasks = b.longTasks.filter((t) => t.start + t.duration >= t0 && t.start <= t1);
      const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return {
        seconds: (t1 - t0) / 1000,
        result: result && {
          stop: result.stop,
          passed: result.passed,
          events: result.events,
          traceEvents: result.traceEvents,
          traceKept: (result as unknown as { traceKept?: unknown }).traceKept ?? null,
          traceHash: result.traceHash,
        },
        during: { batches: during.batches - before.batches, rows: during.rows - before.rows, bytes: during.bytes - before.bytes },
        batches: after.batches - before.batches,
        longest: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
        longTasks: tasks.length,
        maxGap: b.maxGap,
        heap: mem?.usedJSHeapSize ?? null,
      };
    }, text);
    if ('error' in run) throw new Error(`the scenario does not load in the page: ${run.error}`);
    if (!run.result) throw new Error(`the run gave no result${pageErrors.length ? `: ${pageErrors[0]}` : ''}`);
    log(`browser: ${run.seconds.toFixed(2)} s; timing step keys (tapped and held, each also traced) …`);

    // Step keys at two paces: a person tapping ArrowDown (one key per 100 ms) and a held key
    // (GNOME's default auto-repeat, one per 30 ms). A recorder in the page times every key to the
    // paint that shows the new selection and to the paint that shows its details. Each pass starts
    // at the first event, so every key moves the selection (a short trace gets fewer keys).
    const keysPerPass = Math.max(1, Math.min(steps, run.result.traceEvents - 1));
    await page.evaluate(() => {
      type Key = { paint: number; details: number; superseded: boolean };
      const keys: Key[] = [];
      (window as unknown as { __keys: Key[] }).__keys = keys;
      const shellEl = document.querySelector('kw-app-shell')!;
      // A task posted from the next animation frame runs once that frame's rendering task is
      // done. At user-blocking priority it runs before other waiting tasks (a worker reply, the
      // frame that reply asks for), which would otherwise be counted as this paint's time.
      const sched = (window as unknown as { scheduler?: { postTask(cb: () => void, o: { priority: string }): Promise<void> } }).scheduler;
      const afterPaint = (then: () => void) =>
        requestAnimationFrame(() => {
          if (sched) return void sched.postTask(then, { priority: 'user-blocking' });
          const ch = new MessageChannel();
          ch.port1.onmessage = () => then();
          ch.port2.postMessage(0);
        });
      let pending: { key: Key; mo: MutationObserver } | null = null;
      addEventListener(
        'keydown',
        (e) => {
          const t0 = e.timeStamp;
          const key: Key = { paint: -1, details: -1, superseded: false };
          keys.push(key);
          performance.mark('kw-step-key');
          if (pending) {
            pending.mo.disconnect();
            pending.key.superseded = true;
          }
          // The app draws the new selection (data-selected changes in that render) and later its
          // details (data-shown catches up); each is timed to the paint after that render. No
          // frame is requested before the app's own, so the recorder does not take its frame.
          const before = shellEl.getAttribute('data-selected');
          let drawn = false;
          const check = () => {
            const sel = shellEl.getAttribute('data-selected');
            if (!drawn && sel !== before) {
              drawn = true;
              afterPaint(() => {
                key.paint = performance.now() - t0;
                performance.mark('kw-step-painted');
              });
            }
            if (drawn && shellEl.getAttribute('data-shown') === sel) {
              mo.disconnect();
              if (pending?.key === key) pending = null;
              afterPaint(() => (key.details = performance.now() - t0));
            }
          };
          const mo = new MutationObserver(check);
          pending = { key, mo };
          mo.observe(shellEl, { attributes: true, attributeFilter: ['data-shown', 'data-selected'] });
        },
        { capture: true },
      );
    });
    type KeyTimes = { paint: number; details: number; superseded: boolean };
    const pressKeys = async (intervalMs: number): Promise<KeyTimes[]> => {
      await page.evaluate(() => window.kubewire!.select(0));
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await new Promise((r) => setTimeout(r, 300));
      await page.evaluate(() => ((window as unknown as { __keys: unknown[] }).__keys.length = 0));
      let next = performance.now();
      for (let i = 0; i < keysPerPass; i++) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next = performance.now() + intervalMs;
        await page.keyboard.press('ArrowDown');
      }
      await page.waitForFunction(() => (window as unknown as { __keys: KeyTimes[] }).__keys.every((k) => k.superseded || (k.paint >= 0 && k.details >= 0)), null, { timeout: 30_000 });
      const keys = await page.evaluate(() => (window as unknown as { __keys: KeyTimes[] }).__keys);
      await new Promise((r) => setTimeout(r, 300));
      return keys;
    };
    const paces = { tap: 100, hold: 30 } as const;
    const stepFigures = {} as Record<keyof typeof paces, StepFigures>;
    for (const [pace, intervalMs] of Object.entries(paces) as [keyof typeof paces, number][]) {
      const keys = await pressKeys(intervalMs);
      const repaint = keys.filter((k) => k.paint >= 0).map((k) => k.paint);
      const details = keys.filter((k) => k.details >= 0).map((k) => k.details);
      stepFigures[pace] = {
        intervalMs,
        keys: keys.length,
        repaintMsMedian: r1(quantile(repaint, 0.5)),
        repaintMsP95: r1(quantile(repaint, 0.95)),
        repaintMsMax: r1(Math.max(...repaint)),
        over16: repaint.filter((t) => t > 16).length,
        drawn: repaint.length,
        detailsShown: details.length,
        detailsMsMedian: r1(quantile(details, 0.5)),
        detailsMsP95: r1(quantile(details, 0.95)),
        detailsMsMax: r1(details.length ? Math.max(...details) : 0),
      };
    }
    // Where a step's time goes: the same keys again under a Chromium trace, splitting each key →
    // repaint into the main thread's work and the wait for the display's next frame.
    for (const [pace, intervalMs] of Object.entries(paces) as [keyof typeof paces, number][]) {
      await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
      await pressKeys(intervalMs);
      stepFigures[pace].traced = stepWork(JSON.parse((await browser.stopTracing()).toString('utf8')));
    }
    const res = run.result;
    const report: BrowserBenchReport = {
      workload: 'browser',
      scenario: file.replace(`${ROOT}/`, ''),
      packets,
      events: res.events,
      traceEvents: res.traceEvents,
      packetHops,
      seconds: Math.round(run.seconds * 1000) / 1000,
      nodeSeconds: Math.round(nodeSeconds * 1000) / 1000,
      sameTraceAsNode: res.traceHash === nodeReply.traceHash,
      packetHopsPerSec: Math.round(packetHops / run.seconds),
      eventsPerSec: Math.round(res.events / run.seconds),
      packetsPerSec: Math.round(packets / run.seconds),
      peakRssBytes: peakRss,
      peakBrowserRssBytes: peakAll,
      pageHeapBytes: run.heap,
      stop: res.stop,
      passed: res.passed,
      traceKept: res.traceKept,
      streaming: { batchesDuringRun: run.during.batches, rowsDuringRun: run.during.rows, bytesDuringRun: run.during.bytes, batches: run.batches },
      mainThread: { longestTaskMs: r1(run.longest), longTasks: run.longTasks, longestFrameGapMs: r1(run.maxGap), targetMs: 50 },
      step: { ...stepFigures, targetMs: 16 },
      browser: `${browser.browserType().name()} ${browser.version()}`,
    };
    return report;
  } finally {
    clearInterval(sampler);
    await browser.close();
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
}

/** Human-readable lines for the browser report. */
export function formatBrowser(r: BrowserBenchReport): string {
  const n = (x: number) => x.toLocaleString('en');
  const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 1048576).toFixed(0)} MB`);
  const s = r.step;
  return [
    `workload browser: ${r.scenario} in ${r.browser} (page + engine worker, production build)`,
    `  run       ${r.seconds.toFixed(2)} s in the page (Node, same engine: ${r.nodeSeconds.toFixed(2)} s; page/Node ${(r.seconds / r.nodeSeconds).toFixed(2)}×); stop ${r.stop}, expectations ${r.passed ? 'pass' : 'FAIL'}, trace ${r.sameTraceAsNode ? 'identical to' : 'DIFFERENT from'} Node's`,
    `  packets   ${n(r.packets)} packets, ${n(r.packetHops)} packet-hops (${n(r.packetHopsPerSec)}/s), ${n(r.events)} events (${n(r.eventsPerSec)}/s), ${n(r.traceEvents)} trace events kept`,
    `  streaming ${n(r.streaming.batchesDuringRun)} trace batches (${n(r.streaming.rowsDuringRun)} rows, ${mb(r.streaming.bytesDuringRun)}) while running; ${n(r.streaming.batches)} in all`,
    `  main      longest task ${r.mainThread.longestTaskMs} ms (${r.mainThread.longTasks} over 50 ms; target ≤ 50), longest frame gap ${r.mainThread.longestFrameGapMs} ms`,
    ...(['tap', 'hold'] as const).map((pace) => {
      const f = s[pace];
      const what = pace === 'tap' ? `tapped (1 per ${f.intervalMs} ms)` : `held (1 per ${f.intervalMs} ms)`;
      const w = f.traced;
      return (
        `  step      ${what.padEnd(21)} key → repaint median ${f.repaintMsMedian} ms, p95 ${f.repaintMsP95} ms, max ${f.repaintMsMax} ms, ${f.over16} of ${f.drawn} over 16 ms (target ≤ 16); → details painted median ${f.detailsMsMedian} ms, p95 ${f.detailsMsP95} ms (${f.detailsShown} shown)` +
        (w ? `\n            traced: main-thread work per step median ${w.mainThreadMsMedian} ms, p95 ${w.mainThreadMsP95} ms, max ${w.mainThreadMsMax} ms; waiting for the next frame median ${w.waitMsMedian} ms, p95 ${w.waitMsP95} ms` : '')
      );
    }),
    `  memory    renderer (page + worker) peak RSS ${mb(r.peakRssBytes)}; all Chromium processes ${mb(r.peakBrowserRssBytes)}; page JS heap ${mb(r.pageHeapBytes)}`,
  ].join('\n');
}
