/**
 * EngineController: owns the engine worker for the app shell (a Lit ReactiveController). It
 * starts the worker, wraps it with comlink, and turns every way a worker can fail — it does not
 * load, it throws, it stops answering — into one `failure` message the shell shows with a restart
 * button. Calls race a watchdog; a run's watchdog is fed by its progress reports. The engine
 * itself never runs on the main thread.
 */
import * as Comlink from 'comlink';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EngineApi, ProgressDto } from '../../api/engine-api.ts';
import { unpackRunReply, type PageRunReply } from '../../api/codec.ts';

/** Where the worker is. */
export type EngineStatus = 'starting' | 'ready' | 'busy' | 'running' | 'failed';

/** How long a single call may take before the worker counts as hung. */
const CALL_TIMEOUT_MS = 20_000;
/** How long a run may go without a progress report. */
const RUN_SILENCE_MS = 30_000;
/**
 * How long a cancelled run may take to stop before the worker is terminated instead. The worker
 * stops at its next slice, then still evaluates expectations and hashes the trace so far, which
 * takes a few seconds for a trace of a million events.
 */
const CANCEL_GRACE_MS = 20_000;

/** The error a call rejects with when the worker failed or was replaced. */
export class EngineFailure extends Error {
  override name = 'EngineFailure';
}

/** The error of a run that was stopped by terminating the worker (cancel did not answer in time). */
export class RunAborted extends Error {
  override name = 'RunAborted';
}

export class EngineController implements ReactiveController {
  /** The worker's state, for the UI. */
  status: EngineStatus = 'starting';
  /** Why the worker failed (shown with a restart button), or ''. */
  failure = '';
  /** Progress of the run in flight. */
  progress: ProgressDto | null = null;
  /** A cancel was asked for and the run has not ended yet. */
  cancelling = false;
  /** Incremented on every (re)start: results from an older worker are ignored. */
  generation = 0;

  private worker: Worker | null = null;
  private api: Comlink.Remote<EngineApi> | null = null;
  private pending = 0;
  private failWaiters = new Set<(e: Error) => void>();
  private abortRun: ((e: Error) => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Called after a restart (the shell reloads its scenario). */
    private readonly onRestart: () => void = () => {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!this.worker) this.start();
  }

  hostDisconnected(): void {
    this.stop('the page closed');
  }

  /** Starts a fresh worker. */
  private start(): void {
    this.generation++;
    this.failure = '';
    this.status = 'starting';
    let worker: Worker;
    try {
      // Written inline so Vite emits the worker chunk (shared/docs/toolchain.md, gotcha 5).
      worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
    } catch (e) {
      this.fail(`the engine worker could not be created: ${message(e)}`);
      return;
    }
    const gen = this.generation;
    worker.addEventListener('error', (e: ErrorEvent) => {
      if (gen !== this.generation) return;
      e.preventDefault();
      const where = e.filename ? ` (${e.filename.split('/').pop()}${e.lineno ? `:${e.lineno}` : ''})` : '';
      this.fail(e.message ? `the engine worker crashed: ${e.message}${where}` : 'the engine worker could not be loaded (its script failed to download or to parse)');
    });
    worker.addEventListener('messageerror', () => {
      if (gen === this.generation) this.fail('the engine worker sent a message the page could not read');
    });
    this.worker = worker;
    this.api = Comlink.wrap<EngineApi>(worker);
    this.status = 'ready';
    this.host.requestUpdate();
  }

  private stop(reason: string): void {
    const w = this.worker;
    this.worker = null;
    if (this.api) this.api[Comlink.releaseProxy]?.();
    this.api = null;
    w?.terminate();
    this.rejectAll(new EngineFailure(reason));
  }

  /** Marks the worker failed: every pending call rejects and the UI offers a restart. */
  fail(reason: string): void {
    if (this.status === 'failed') return;
    this.failure = reason;
    this.status = 'failed';
    this.progress = null;
    this.stop(reason);
    this.host.requestUpdate();
  }

  /** Terminates the worker (whatever it is doing) and starts a new one. */
  restart(): void {
    this.stop('the engine worker was restarted');
    this.progress = null;
    this.start();
    this.onRestart();
  }

  private rejectAll(e: Error): void {
    const waiters = [...this.failWaiters];
    this.failWaiters.clear();
    for (const w of waiters) w(e);
    this.abortRun?.(e);
    this.abortRun = null;
  }

  /**
   * Calls the worker. Rejects with EngineFailure when the worker fails or restarts meanwhile, and
   * fails the worker when the call takes longer than `timeoutMs` (a hung worker).
   */
  async call<T>(what: string, fn: (api: Comlink.Remote<EngineApi>) => Promise<T>, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    const api = this.api;
    if (!api || this.status === 'failed') throw new EngineFailure(this.failure || 'the engine worker is not running');
    const gen = this.generation;
    let onFail!: (e: Error) => void;
    let timer = 0;
    const guard = new Promise<never>((_, reject) => {
      onFail = reject;
      this.failWaiters.add(reject);
      timer = window.setTimeout(() => {
        if (gen === this.generation) this.fail(`the engine worker stopped answering (no reply to ${what} within ${timeoutMs / 1000} s)`);
      }, timeoutMs);
    });
    this.pending++;
    if (this.status === 'ready') this.status = 'busy';
    try {
      return await Promise.race([fn(api), guard]);
    } catch (e) {
      if (e instanceof EngineFailure) throw e;
      if (gen !== this.generation) throw new EngineFailure('the engine worker was restarted');
      throw new Error(`the engine failed in ${what}: ${message(e)}`);
    } finally {
      window.clearTimeout(timer);
      this.failWaiters.delete(onFail);
      this.pending--;
      if (this.pending === 0 && (this.status === 'busy')) this.status = 'ready';
    }
  }

  /**
   * Runs the loaded scenario with progress. The watchdog fails the worker when no progress
   * arrives for a long time; `cancel()` asks the worker to stop and terminates it if it does not.
   */
  async run(onProgress?: (p: ProgressDto) => void): Promise<PageRunReply> {
    const api = this.api;
    if (!api || this.status === 'failed') throw new EngineFailure(this.failure || 'the engine worker is not running');
    const gen = this.generation;
    let timer = 0;
    const feed = (): void => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        if (gen === this.generation) this.fail(`the engine worker stopped answering (no progress from the run for ${RUN_SILENCE_MS / 1000} s)`);
      }, RUN_SILENCE_MS);
    };
    const guard = new Promise<never>((_, reject) => {
      this.abortRun = reject;
      this.failWaiters.add(reject);
    });
    this.status = 'running';
    this.progress = { events: 0, simulatedNs: 0, traceEvents: 0 };
    this.host.requestUpdate();
    feed();
    const progress = Comlink.proxy((p: ProgressDto) => {
      if (gen !== this.generation) return;
      feed();
      this.progress = p;
      onProgress?.(p);
      this.host.requestUpdate();
    });
    try {
      return unpackRunReply(await Promise.race([api.run(progress), guard]));
    } catch (e) {
      if (e instanceof EngineFailure || e instanceof RunAborted) throw e;
      if (gen !== this.generation) throw new EngineFailure('the engine worker was restarted');
      throw new Error(`the engine failed while running: ${message(e)}`);
    } finally {
      window.clearTimeout(timer);
      this.abortRun = null;
      if (gen === this.generation && this.status === 'running') this.status = 'ready';
      this.progress = null;
      this.cancelling = false;
      this.host.requestUpdate();
    }
  }

  /** True while a run is in flight. */
  get running(): boolean {
    return this.status === 'running';
  }

  /**
   * Stops the run in flight: asks the worker (the trace so far is kept); when it does not stop
   * within a few seconds (a slice that never ends), terminates it and starts a new one.
   */
  async cancel(): Promise<void> {
    if (!this.running || !this.api || this.cancelling) return;
    const gen = this.generation;
    this.cancelling = true;
    this.host.requestUpdate();
    void this.api.cancel().catch(() => {});
    const deadline = performance.now() + CANCEL_GRACE_MS;
    while (gen === this.generation && this.running && performance.now() < deadline) await new Promise((r) => window.setTimeout(r, 100));
    this.cancelling = false;
    this.host.requestUpdate();
    if (gen === this.generation && this.running) {
      const abort = this.abortRun;
      this.abortRun = null;
      this.stop('the run was stopped by restarting the engine worker');
      this.start();
      abort?.(new RunAborted('the run did not stop when asked, so the engine worker was restarted; its trace is gone'));
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
