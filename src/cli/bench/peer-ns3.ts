/**
 * The ns-3 peer for `npm run bench`: builds `ns3-star.cc` (from the shared bench folder) against
 * Debian's libns3-dev into `<repo>/.bench/`, runs the star-echo v1 workload
 * (docs/performance.md §2) and returns its `key=value` figures plus the peer's peak RSS.
 *
 * Never installs anything: if libns3-dev (or g++/pkg-config) is missing it reports
 * `available: false` with the command to run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of {@link runNs3Peer}: the star-echo flags, plus how to run it. */
export interface Ns3PeerOptions {
  /** Total echo requests over all clients (`--packets`). */
  packets: number;
  /** Number of hosts around the router (`--k`). */
  k: number;
  /** 0 = pairs; S > 0 = fan-in to hosts 0..S-1 (`--servers`). */
  servers: number;
  /** Pass `--check` so the peer records RTT sum/max (slower: not for timing runs). */
  check?: boolean;
  /** Kill the peer after this many ms (default 30 min). */
  timeoutMs?: number;
  /** Called with one-line progress notes (building, running). */
  log?: (line: string) => void;
}

/** The peer's figures: the named fields below plus every `key=value` it printed, keyed as printed. */
export interface Ns3Figures {
  /** Wall seconds of `Simulator::Run()` alone (`run_wall_s`): the figure rates are based on. */
  seconds: number;
  /** Wall seconds building the topology before the run (`setup_s`). */
  setupSeconds: number | null;
  /** Wall seconds of the whole peer process, as measured by this runner. */
  processSeconds: number;
  /** Simulator events executed (`events`); ns-3 reports 9P + 162 for pairs. */
  events: number;
  /** Frames received off a link (`packet_hops`). */
  packetHops: number;
  /** Echoes back at their client (`echoes_delivered`), i.e. fully echoed requests. */
  deliveries: number;
  /** Requests that reached a server (`requests_delivered`). */
  requestsDelivered: number | null;
  /** Events per second of run time. */
  eventsPerSecond: number;
  /** Packet-hops per second of run time: the figure peers are compared on. */
  packetHopsPerSecond: number;
  /** Sum of all RTTs in ns (`rtt_sum_ns`); null unless run with `check`. */
  rttSumNs: number | null;
  /** Largest RTT in ns (`rtt_max_ns`); null unless run with `check`. */
  rttMaxNs: number | null;
  /** Peak resident set size of the peer process in MB (2^20 bytes); null if unknown. */
  peakRssMb: number | null;
  /** Where `peakRssMb` came from: GNU time's `%M`, or the peer's own getrusage (`maxrss_mb`). */
  peakRssSource: 'time' | 'peer' | null;
  /** Every other `key=value` the peer printed (numbers parsed, other values as strings). */
  [key: string]: number | string | null;
}

/** Result of {@link runNs3Peer}: figures and the command that reproduces them, or why not. */
export type Ns3PeerResult =
  | { available: true; figures: Ns3Figures; command: string }
  | { available: false; reason: string };

/** Parses `key=value` tokens (several per line allowed, separated by whitespace); later keys win. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    for (const token of line.trim().split(/\s+/)) {
      const eq = token.indexOf('=');
      if (eq <= 0) continue;
      out[token.slice(0, eq)] = token.slice(eq + 1);
    }
  }
  return out;
}

/** A `key=value` value as a number when it is a plain decimal number, else the string itself. */
export function parseFigure(value: string): number | string {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) ? Number(value) : value;
}

/** Keys whose values stay strings even when they look numeric (`version=3.40` is not 3.4). */
const TEXT_KEYS = new Set(['peer', 'version', 'profile', 'scheduler', 'qdisc']);

/**
 * Turns the peer's output into {@link Ns3Figures}; throws if a required key (`run_wall_s`,
 * `events`, `packet_hops`, `echoes_delivered`) is missing.
 */
export function ns3Figures(
  output: string,
  measured: { processSeconds: number; peakRssMb: number | null } = { processSeconds: NaN, peakRssMb: null },
): Ns3Figures {
  const kv = parseKeyValues(output);
  const raw: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(kv)) raw[k] = TEXT_KEYS.has(k) ? v : parseFigure(v);
  const num = (key: string): number | null => (typeof raw[key] === 'number' ? raw[key] : null);
  const need = (key: string): number => {
    const v = num(key);
    if (v === null) throw new Error(`ns-3 peer output has no numeric ${key}=…:\n${output.trim()}`);
    return v;
  };
  const seconds = need('run_wall_s');
  const events = need('events');
  const packetHops = need('packet_hops');
  const peerRss = num('maxrss_mb');
  const peakRssMb = measured.peakRssMb ?? peerRss;
  return {
    ...raw,
    seconds,
    setupSeconds: num('setup_s'),
    processSeconds: measured.processSeconds,
    events,
    packetHops,
    deliveries: need('echoes_delivered'),
    requestsDelivered: num('requests_delivered'),
    eventsPerSecond: seconds > 0 ? events / seconds : NaN,
    packetHopsPerSecond: seconds > 0 ? packetHops / seconds : NaN,
    rttSumNs: num('rtt_sum_ns'),
    rttMaxNs: num('rtt_max_ns'),
    peakRssMb,
    peakRssSource: measured.peakRssMb !== null ? 'time' : peerRss !== null ? 'peer' : null,
  };
}

/** The kubewire checkout: the nearest ancestor of this file whose package.json is named kubewire. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kubewire') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) throw new Error(`no kubewire package.json above ${from}`);
  }
}

/** The folder holding ns3-star.cc and build-ns3.sh: `$KUBEWIRE_NS3_PEER_DIR` or `<repo>/../shared/bench`. */
export function ns3PeerDir(repoRoot: string = findRepoRoot()): string {
  const env = process.env['KUBEWIRE_NS3_PEER_DIR'];
  return env ? resolve(env) : resolve(repoRoot, '..', 'shared', 'bench');
}

/** Builds the peer if needed, runs star-echo once, and returns its figures (or why it cannot). */
export async function runNs3Peer(opts: Ns3PeerOptions): Promise<Ns3PeerResult> {
  for (const [name, v] of [['packets', opts.packets], ['k', opts.k], ['servers', opts.servers]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`runNs3Peer: ${name}=${v} is not an integer ≥ 0`);
  }
  if (opts.k < 2 || opts.servers >= opts.k) {
    throw new RangeError(`runNs3Peer: need k ≥ 2 and servers < k (k=${opts.k}, servers=${opts.servers})`);
  }
  const log = opts.log ?? (() => {});
  let repoRoot: string;
  try {
    repoRoot = findRepoRoot();
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
  const built = await ensureBinary(repoRoot, log);
  if (!built.ok) return { available: false, reason: built.reason };

  const args = [`--packets=${opts.packets}`, `--k=${opts.k}`, `--servers=${opts.servers}`];
  if (opts.check) args.push('--check');
  const command = [built.binary, ...args].map(shellQuote).join(' ');
  const time = gnuTimeWorks() ? GNU_TIME : null;
  const rssDir = time ? mkdtempSync(join(tmpdir(), 'kubewire-ns3-')) : null;
  const rssFile = rssDir ? join(rssDir, 'maxrss') : null;
  try {
    log(`ns-3 peer: ${command}`);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const t0 = performance.now();
    const r = time && rssFile
      ? await run(time, ['-f', '%M', '-o', rssFile, built.binary, ...args], dirname(built.binary), timeoutMs)
      : await run(built.binary, args, dirname(built.binary), timeoutMs);
    const processSeconds = (performance.now() - t0) / 1000;
    if (r.code !== 0) {
      const how = r.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${r.code ?? r.signal}`;
      return { available: false, reason: `${command} ${how}:\n${tail(r.stderr || r.stdout)}` };
    }
    const kb = rssFile && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
    const peakRssMb = Number.isFinite(kb) && kb > 0 ? Math.round((kb / 1024) * 10) / 10 : null;
    try {
      return { available: true, figures: ns3Figures(r.stdout, { processSeconds, peakRssMb }), command };
    } catch (e) {
      return { available: false, reason: (e as Error).message };
    }
  } finally {
    if (rssDir) rmSync(rssDir, { recursive: true, force: true });
  }
}

const GNU_TIME = '/usr/bin/time';
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
let gnuTime: boolean | undefined;

/** Whether /usr/bin/time is GNU time (supports `-f %M -o FILE`). */
function gnuTimeWorks(): boolean {
  if (gnuTime === undefined) {
    gnuTime = false;
    if (existsSync(GNU_TIME)) {
      const dir = mkdtempSync(join(tmpdir(), 'kubewire-time-'));
      try {
        const r = spawnSyncQuiet(GNU_TIME, ['-f', '%M', '-o', join(dir, 'm'), 'true']);
        gnuTime = r === 0 && /^\d+\s*$/.test(readFileSync(join(dir, 'm'), 'utf8'));
      } catch {
        gnuTime = false;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return gnuTime;
}

type Built = { ok: true; binary: string } | { ok: false; reason: string };

/**
 * Builds `<repo>/.bench/ns3-star` with the shared build-ns3.sh when it is missing, older than its
 * sources, or was built from different sources (a sha256 stamp sits beside it).
 */
async function ensureBinary(repoRoot: string, log: (line: string) => void): Promise<Built> {
  const peerDir = ns3PeerDir(repoRoot);
  const source = join(peerDir, 'ns3-star.cc');
  const script = join(peerDir, 'build-ns3.sh');
  for (const f of [source, script]) {
    if (!existsSync(f)) {
      return {
        ok: false,
        reason: `ns-3 peer sources not found: ${f} is missing (set KUBEWIRE_NS3_PEER_DIR to the folder with ns3-star.cc and build-ns3.sh)`,
      };
    }
  }
  const cacheDir = join(repoRoot, '.bench');
  const binary = join(cacheDir, 'ns3-star');
  const stampFile = `${binary}.source-sha256`;
  const stamp = createHash('sha256').update(readFileSync(source)).update(readFileSync(script)).digest('hex');
  const newest = Math.max(statSync(source).mtimeMs, statSync(script).mtimeMs);
  const fresh =
    existsSync(binary) &&
    statSync(binary).mtimeMs >= newest &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === stamp;
  if (fresh) return { ok: true, binary };

  // build-ns3.sh would apt-get install what is missing; never let that happen mid-bench.
  const missing: string[] = [];
  if (spawnSyncQuiet('pkg-config', ['--exists', 'ns3-core']) !== 0) missing.push('libns3-dev');
  if (spawnSyncQuiet('g++', ['--version']) !== 0) missing.push('g++');
  if (spawnSyncQuiet('pkg-config', ['--version']) !== 0) missing.push('pkg-config');
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `the ns-3 peer needs ${missing.join(', ')}; run: apt-get install ${missing.join(' ')}`,
    };
  }

  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  log(`ns-3 peer: building ${binary} (bash ${script})`);
  const r = await run('bash', [script, tmp], cacheDir, 10 * 60_000);
  if (r.code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    return { ok: false, reason: `building the ns-3 peer failed (bash ${script} ${tmp}):\n${tail(r.stderr || r.stdout)}` };
  }
  renameSync(tmp, binary);
  writeFileSync(stampFile, `${stamp}\n`);
  return { ok: true, binary };
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a program to completion, collecting its output. It gets its own process group, so a
 * timeout (or this process exiting) kills the program together with anything it started (the
 * peer under /usr/bin/time).
 */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', killGroup);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const done = (r: Omit<RunResult, 'timedOut'>): void => {
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      resolvePromise({ ...r, timedOut });
    };
    child.on('error', (e) => done({ code: null, signal: null, stdout, stderr: `${stderr}${e.message}\n` }));
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** Exit status of a short command with its output discarded; -1 if it cannot be started. */
function spawnSyncQuiet(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  return r.error ? -1 : (r.status ?? -1);
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
