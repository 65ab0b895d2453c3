/**
 * SimTime: simulated time as an integer count of nanoseconds in a plain number.
 * Exact up to 2^53 ns (about 104 days); the engine never reads a real clock.
 */
export type SimTime = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const S = 1_000_000_000;

const UNITS: Record<string, number> = { ns: NS, us: US, µs: US, ms: MS, s: S, m: 60 * S, min: 60 * S, h: 3600 * S };

/** Parses a duration such as "50us", "1.5ms", "2s" or a bare number of nanoseconds. Throws on junk. */
export function parseDuration(text: string | number): SimTime {
  if (typeof text === 'number') return checkTime(Math.round(text));
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|min|h)?\s*$/.exec(text);
  if (!m) throw new Error(`not a duration: "${text}" (expected e.g. 50us, 1ms, 2s)`);
  const unit = UNITS[m[2] ?? 'ns']!;
  return checkTime(Math.round(Number(m[1]) * unit));
}

/** Asserts that t is a safe integer number of nanoseconds. */
export function checkTime(t: number): SimTime {
  if (!Number.isSafeInteger(t)) throw new RangeError(`simulated time out of range: ${t}`);
  return t;
}

/** Formats a time for people: "1.234567ms", "12us", "3s". */
export function formatTime(t: SimTime): string {
  if (t === 0) return '0s';
  if (t % S === 0) return `${t / S}s`;
  if (t >= MS) return `${trim((t / MS).toFixed(6))}ms`;
  if (t >= US) return `${trim((t / US).toFixed(3))}us`;
  return `${t}ns`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Parses a bandwidth such as "10Gbps", "1Gb/s", "100Mbps"; returns bits per second. */
export function parseBandwidth(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:bps|b\/s|bit\/s)\s*$/.exec(text);
  if (!m) throw new Error(`not a bandwidth: "${text}" (expected e.g. 1Gbps, 100Mbps)`);
  const mult: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
  return Number(m[1]) * mult[m[2]!.toLowerCase()]!;
}

/** The wall-clock instant simulated time 0 stands for (2026-01-01T00:00:00Z), for Date headers and timestamps. */
export const SIM_EPOCH_MS = 1_767_225_600_000;
