/**
 * Node-only test utility: decode pcapng bytes with Wireshark's `tshark` and return what it saw.
 * Imported only by `*.test.ts` files; never by engine code (it uses node:child_process and fs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What tshark made of a capture. */
export interface TsharkDecoded {
  /**
   * One entry per frame: every field tshark printed (`frame.time_epoch`, `ip.src`, `udp.dstport`,
   * `frame.interface_name`, `_ws.expert.message`, …), flattened out of the protocol tree. A field
   * that occurs more than once in a frame has several values, in tree order.
   */
  packets: Array<Record<string, string[]>>;
  /** Number of frames in which tshark flagged a malformed packet (`_ws.malformed`). */
  malformed: number;
  /**
   * Expert items of severity warning or error from `tshark -z expert,warn`, one per distinct
   * item, as `"Error/Checksum UDP: Bad checksum [should be 0x22bc] (x1)"`.
   */
  expertWarnings: string[];
  /** tshark's stderr lines, minus the notice it prints when run as root. */
  stderr: string[];
}

/** Options of {@link tsharkDecode}. */
export interface TsharkDecodeOptions {
  /** Validate IPv4, UDP and TCP checksums (off by default in Wireshark). Default true. */
  checkChecksums?: boolean;
  /** Extra tshark arguments for both runs, e.g. `['-o', 'udp.try_heuristic_first:TRUE']`. */
  extraArgs?: string[];
  /** Timeout per tshark run in ms (default 60 s). */
  timeoutMs?: number;
}

/** The tshark binary used: `$TSHARK` if set, else `tshark` from PATH. */
export const TSHARK = process.env['TSHARK'] || 'tshark';

let available: boolean | undefined;

/** Whether a working tshark can be run (checked once per process). */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(TSHARK, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    available = r.status === 0 && /TShark/i.test(r.stdout);
  }
  return available;
}

/** Decodes a pcapng (or pcap) capture with tshark; throws with tshark's stderr if tshark fails. */
export function tsharkDecode(pcapngBytes: Uint8Array, options: TsharkDecodeOptions = {}): TsharkDecoded {
  const dir = mkdtempSync(join(tmpdir(), 'kubewire-tshark-'));
  const file = join(dir, 'capture.pcapng');
  try {
    writeFileSync(file, pcapngBytes);
    const common = ['-r', file, '-n', ...preferenceArgs(options), ...(options.extraArgs ?? [])];
    const timeout = options.timeoutMs ?? 60_000;

    const json = runTshark([...common, '-T', 'json', '--no-duplicate-keys'], timeout);
    const frames = json.stdout.trim() === '' ? [] : (JSON.parse(json.stdout) as unknown[]);
    const packets = frames.map((f) => flattenFrame(f));
    const malformed = packets.filter((p) => p['_ws.malformed'] !== undefined).length;

    const expert = runTshark([...common, '-q', '-z', 'expert,warn'], timeout);
    return {
      packets,
      malformed,
      expertWarnings: parseExpertStats(expert.stdout),
      stderr: [...json.stderr, ...expert.stderr],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses the text of `tshark -q -z expert[,level]` into one string per warning/error item. */
export function parseExpertStats(text: string): string[] {
  const out: string[] = [];
  let severity: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const head = /^(Errors|Warnings|Notes|Chats|Comments) \(\d+\)\s*$/.exec(line);
    if (head) {
      severity = head[1] === 'Errors' ? 'Error' : head[1] === 'Warnings' ? 'Warning' : undefined;
      continue;
    }
    const row = /^\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*?)\s*$/.exec(line);
    if (severity && row && row[1] !== undefined) {
      out.push(`${severity}/${row[2]} ${row[3]}: ${row[4]} (x${row[1]})`);
    }
  }
  return out;
}

function preferenceArgs(options: TsharkDecodeOptions): string[] {
  if (options.checkChecksums === false) return [];
  return ['ip.check_checksum', 'udp.check_checksum', 'tcp.check_checksum'].flatMap((p) => [
    '-o',
    `${p}:TRUE`,
  ]);
}

const ROOT_NOTICE = /^Running as user ".*" and group ".*"\. This could be dangerous\.$/;

/** Runs tshark; throws unless it exits with 0. Drops root's notice and blank lines from stderr. */
function runTshark(args: string[], timeout: number): { stdout: string; stderr: string[] } {
  const r = spawnSync(TSHARK, args, { encoding: 'utf8', timeout, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`tshark ${args.join(' ')}: ${r.error.message}`);
  const stderr = (r.stderr ?? '').split(/\r?\n/).filter((l) => l.trim() !== '' && !ROOT_NOTICE.test(l));
  if (r.status !== 0) {
    const how = r.status ?? r.signal;
    throw new Error(`tshark ${args.join(' ')} exited with ${how}:\n${stderr.join('\n')}`);
  }
  return { stdout: r.stdout, stderr };
}

/** Flattens one `-T json` frame (`{_source: {layers: {...}}}`) into field → values. */
function flattenFrame(frame: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const layers = (frame as { _source?: { layers?: unknown } })._source?.layers;
  const visit = (key: string, value: unknown): void => {
    if (typeof value === 'string') {
      (out[key] ??= []).push(value);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(key, v);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(k, v);
    }
  };
  visit('', layers);
  return out;
}
