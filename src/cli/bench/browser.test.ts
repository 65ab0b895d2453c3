import { describe, expect, it } from 'vitest';
import { stepWork } from './browser.ts';

const MAIN = { pid: 7, tid: 7 };
const mark = (name: string, ms: number) => ({ name, ph: 'R', ts: ms * 1000, ...MAIN });
const task = (ms: number, durMs: number, where = MAIN) => ({ name: 'ThreadControllerImpl::RunTask', ph: 'X', ts: ms * 1000, dur: durMs * 1000, ...where });

describe('stepWork (a step key split into main-thread work and the wait for a frame)', () => {
  it('counts the outermost main-thread tasks between each key and its paint, the rest is waiting', () => {
    const trace = {
      traceEvents: [
        mark('kw-step-key', 100),
        task(99.5, 2), // the key's task (started just before the mark): 1.5 ms inside
        task(100.2, 0.5), // nested in it: not counted twice
        task(109, 3), // the frame
        task(104, 1, { pid: 7, tid: 9 }), // another thread
        mark('kw-step-painted', 112),
        mark('kw-step-key', 200),
        task(200, 4),
        mark('kw-step-painted', 204),
        mark('kw-step-key', 300), // overtaken: never painted
        mark('kw-step-key', 330),
        task(331, 2),
        mark('kw-step-painted', 340),
      ],
    };
    const w = stepWork(trace);
    expect(w.keys).toBe(3);
    // Work per key: 1.5 + 3 = 4.5, 4, 2; waits: 7.5, 0, 8.
    expect(w.mainThreadMsMax).toBe(4.5);
    expect(w.mainThreadMsMedian).toBe(4);
    expect(w.waitMsMedian).toBe(7.5);
    expect(w.waitMsP95).toBe(8);
    expect(w.repaintMsMedian).toBe(10);
    expect(w.repaintMsP95).toBe(12);
  });

  it('gives zeros for a trace without step marks', () => {
    expect(stepWork({ traceEvents: [task(0, 5)] })).toMatchObject({ keys: 0, mainThreadMsMedian: 0, waitMsMedian: 0 });
  });
});
