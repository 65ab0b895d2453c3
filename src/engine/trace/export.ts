/**
 * Trace exports: pcapng (one interface per host NIC/veth, with the frames that interface sent
 * and received, as tcpdump on it would see them) and the trace hash (SHA-256 over the
 * canonical encoding) that shows two runs — in Node and in the browser — made the same trace.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { LinkLayer } from './events.ts';
import { LINKTYPE, PcapngWriter } from './pcapng.ts';
import type { TraceRecorder } from './recorder.ts';

const KIND_SENT = 'sent';
const KIND_RECEIVED = 'received';

function linkType(l: LinkLayer): number {
  return l === LinkLayer.Ethernet ? LINKTYPE.ETHERNET : l === LinkLayer.Ppp ? LINKTYPE.PPP : LINKTYPE.RAW;
}

/** Options for the pcapng export. */
export interface PcapngExportOptions {
  /** Only events in [from, to). */
  from?: number;
  to?: number;
  /** Add each frame's trace event number as a packet comment (default true). */
  comments?: boolean;
}

/** The trace's frames as a pcapng file: one interface per `host:iface`, in order of first use. */
export function tracePcapng(trace: TraceRecorder, opts: PcapngExportOptions = {}): Uint8Array {
  const w = new PcapngWriter();
  const ifaces = new Map<string, number>();
  const comments = opts.comments ?? true;
  for (const ev of trace.events(opts.from ?? 0, opts.to ?? trace.length)) {
    if ((ev.kind !== KIND_SENT && ev.kind !== KIND_RECEIVED) || !ev.bytes || ev.link === null) continue;
    const key = `${ev.host}:${ev.iface}`;
    let idx = ifaces.get(key);
    if (idx === undefined) {
      idx = w.addInterface({ name: key, description: `${ev.iface} on ${ev.host}`, linkType: linkType(ev.link) });
      ifaces.set(key, idx);
    }
    w.addPacket(idx, ev.time, ev.bytes, comments ? `kubewire event ${ev.index + 1} (${ev.kind}, packet ${ev.uid})` : undefined);
  }
  return w.finish();
}

/**
 * SHA-256 over a trace's canonical encoding, fed while the trace grows (its recorded events never
 * change), so the end of a run, or a Cancel, only hashes what was recorded since the last feed.
 */
export class TraceHasher {
  private readonly h = sha256.create();
  private fed = 0;

  constructor(private readonly trace: TraceRecorder) {}

  /** Hashes the events recorded since the last call. */
  feed(): void {
    const n = this.trace.length;
    for (const chunk of this.trace.canonicalChunks(this.fed, n)) this.h.update(chunk);
    this.fed = n;
  }

  /** The hash (hex) of the whole trace; the hasher is done after this. */
  digest(): string {
    this.feed();
    return bytesToHex(this.h.digest());
  }
}

/** SHA-256 (hex) over the trace's canonical encoding. */
export function traceHash(trace: TraceRecorder): string {
  return new TraceHasher(trace).digest();
}
