/**
 * Running a scenario: load → build the world → schedule traffic, faults and snapshots → run the
 * simulation within its budgets → evaluate expectations. Used by the CLI, the worker and tests.
 */
import { loadScenario, type LoadResult } from './parse.ts';
import { buildWorld, type World } from './world.ts';
import { scheduleTraffic, type TrafficResult } from './traffic.ts';
import { scheduleFaults } from './faults.ts';
import { annotateRepeats, evaluateExpectations, flowFacts, snapshotWide, type ExpectationResult, type WideSnapshot } from './expect.ts';
import type { ScenarioProblem } from './model.ts';
import type { TraceKept, TraceRecorder } from '../trace/recorder.ts';

/** Why the run stopped. (The trace's memory budget never stops a run: past it the trace is sampled, see `traceKept`.) */
export type RunStop = 'done' | 'max-events' | 'max-time' | 'cancelled';

/** Progress reported while the simulation runs. */
export interface RunProgress {
  events: number;
  simulatedNs: number;
  traceEvents: number;
  /** The trace being recorded: its events so far never change, so a viewer may read them mid-run. */
  trace: TraceRecorder;
}

/** Options of a run. */
export interface RunOptions {
  /** Called every `progressEvery` events. Return false to cancel the run. */
  onProgress?: (p: RunProgress) => boolean | void;
  progressEvery?: number;
}

/** Everything a run produced. */
export interface RunOutcome {
  /** False when the file has errors (then nothing ran). */
  valid: boolean;
  errors: ScenarioProblem[];
  warnings: ScenarioProblem[];
  loaded: LoadResult;
  world?: World;
  traffic: TrafficResult[];
  expectations: ExpectationResult[];
  stop: RunStop;
  /** Human-readable reason when a budget stopped the run. */
  stopMessage: string;
  /** True when the file is valid, the run completed and every expectation passed. */
  passed: boolean;
  /** How much of the trace was kept: all of it, or a sample past the memory budget (and the words saying so). */
  traceKept: TraceKept;
}

/** What `traceKept` says when nothing ran. */
export function nothingKept(): TraceKept {
  return { complete: true, eventsOffered: 0, eventsKept: 0, bytes: 0, budgetBytes: 0, bytesPerEvent: 0, sampledFrom: null, keepOneIn: 1, message: '' };
}

/** Slices the run so progress can be reported and a budget checked between slices. */
const SLICE_EVENTS = 50_000;
/** How long the simulation goes on after the last traffic finished (teardown packets, late replies). */
const GRACE_NS = 100_000_000;

/** Loads and runs a scenario file's text. Never throws for bad input. */
export function runScenario(text: string, fileName: string, opts: RunOptions = {}): RunOutcome {
  const steps = runSteps(loadScenario(text, fileName), opts.progressEvery);
  for (;;) {
    const n = steps.next(false);
    if (n.done) return n.value;
    if (opts.onProgress?.(n.value) === false) {
      const last = steps.next(true);
      if (last.done) return last.value;
    }
  }
}

/**
 * The run as a generator: it yields progress between slices of the simulation (so a worker can
 * yield to its event loop and take a cancel message); pass `true` to `next()` to cancel.
 * Slicing never changes the trace: the end time is decided inside the simulation.
 */
export function* runSteps(loaded: LoadResult, progressEvery = SLICE_EVENTS, until = Infinity): Generator<RunProgress, RunOutcome, boolean | undefined> {
  const built = buildWorld(loaded);
  const base = { loaded, errors: built.errors, warnings: built.warnings, traffic: [] as TrafficResult[], expectations: [] as ExpectationResult[] };
  if (!built.world) return { ...base, valid: false, stop: 'done', stopMessage: '', passed: false, traceKept: nothingKept() };
  const world = built.world;
  const sim = world.sim;
  // The run ends a grace period after the last traffic repeat, fault and snapshot, at a time
  // that depends only on the simulation (never on how the loop is sliced), so the trace is the
  // same in the CLI and in the worker.
  let endScheduled = false;
  let finished = false;
  const maybeDone = (): void => {
    if (endScheduled || !allDone()) return;
    endScheduled = true;
    sim.after(GRACE_NS, () => {
      finished = true;
      sim.stop();
    });
  };
  const traffic = scheduleTraffic(world, () => maybeDone());
  const faultsDone = scheduleFaults(world, () => maybeDone());
  const snapshots = new Map<number, WideSnapshot>();
  const wide = world.scenario.spec.expect;
  wide.forEach((x, i) => {
    if (x.at !== undefined)
      sim.at(x.at, () => {
        snapshots.set(i, snapshotWide(world));
        maybeDone();
      });
  });
  const allDone = (): boolean =>
    traffic.every((t) => t.repeats.every((r) => r.finishedAt >= 0)) && faultsDone() && wide.every((x, i) => x.at === undefined || snapshots.has(i));
  maybeDone();

  let stop: RunStop = 'done';
  let stopMessage = '';
  const every = progressEvery;
  const b = world.budgets;
  for (;;) {
    const reason = sim.run(Math.min(b.maxSimulatedTime, until), Math.min(every, b.maxEvents - sim.eventsRun));
    if (finished || reason === 'idle') break;
    if (reason === 'time' && sim.now >= until && until < b.maxSimulatedTime) break; // stopped where the caller asked (--at)
    const cancel = yield { events: sim.eventsRun, simulatedNs: sim.now, traceEvents: world.trace.length, trace: world.trace };
    if (cancel === true) {
      stop = 'cancelled';
      stopMessage = `cancelled after ${sim.eventsRun} events at ${(sim.now / 1e6).toFixed(3)} ms`;
      break;
    }
    if (reason === 'time') {
      stop = 'max-time';
      stopMessage = `stopped at the simulated-time budget (${b.maxSimulatedTime / 1e9}s, maxSimulatedTime); the trace so far is kept`;
      break;
    }
    if (sim.eventsRun >= b.maxEvents) {
      stop = 'max-events';
      stopMessage = `stopped after ${sim.eventsRun} events (maxEvents budget); the trace so far is kept`;
      break;
    }
  }
  const facts = flowFacts(world);
  annotateRepeats(world, traffic, facts);
  const expectations = evaluateExpectations(world, traffic, facts, snapshots, snapshotWide(world));
  const passed = stop === 'done' && expectations.every((e) => e.status === 'pass');
  // Facts come from every offered event (flow-facts.ts), so a sampled trace changes no expectation.
  const traceKept = world.trace.kept('every packet was simulated and expectations saw all of them');
  return { ...base, valid: true, world, traffic, expectations, stop, stopMessage, passed, traceKept };
}
