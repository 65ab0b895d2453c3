/**
 * Per-flow facts (conntrack entries, DNAT rewrites, the nodes a request visited, where the flow
 * is in the trace), gathered live as the dataplane reports events — before the recorder decides
 * whether to keep them — so expectations see every packet even when the trace past its memory
 * budget is only a sample. The World attaches one to its recorder; only events whose detail
 * names a flow reach it.
 */
import { LinkLayer, TraceKind, type TraceDetail } from '../trace/events.ts';
import type { TraceObserver } from '../trace/recorder.ts';

/** Per-flow facts. Event numbers are places in the stored trace (for "jump to event"). */
export interface FlowFacts {
  /** The flow's first kept event, or -1 when none of its events was kept. */
  first: number;
  /** The flow's last kept event, or -1. */
  last: number;
  conntrack: { node: string; orig: string; reply: string }[];
  /** `index`: the rewrite's event, or when that one was not kept the flow's last kept event before it (-1: none). */
  dnat: { node: string; before: string; after: string; index: number; dns: boolean }[];
  /** uid of the flow's first non-DNS packet and the hosts that received it, in order. */
  firstUid: number;
  receivedBy: string[];
}

/** The IP header's offset in a frame of this framing. */
function ipOffset(link: LinkLayer): number {
  return link === LinkLayer.Ethernet ? 14 : link === LinkLayer.Ppp ? 2 : 0;
}

/** A UDP packet to or from port 53. */
function isDns(b: Uint8Array, off: number, len: number, link: LinkLayer): boolean {
  const ip = off + ipOffset(link);
  if (len < ip - off + 24 || b[ip + 9] !== 17) return false;
  const l4 = ip + (b[ip]! & 15) * 4;
  const end = off + len;
  // Bytes past the packet read as 0 (a header longer than the packet has no ports).
  const sport = ((l4 < end ? b[l4]! : 0) << 8) | (l4 + 1 < end ? b[l4 + 1]! : 0);
  const dport = ((l4 + 2 < end ? b[l4 + 2]! : 0) << 8) | (l4 + 3 < end ? b[l4 + 3]! : 0);
  return sport === 53 || dport === 53;
}

function isArp(b: Uint8Array, off: number, link: LinkLayer): boolean {
  return link === LinkLayer.Ethernet && b[off + 12] === 0x08 && b[off + 13] === 0x06;
}

/** Builds the facts of every flow from the events offered to a recorder. */
export class FlowFactsBuilder implements TraceObserver {
  readonly facts = new Map<number, FlowFacts>();

  flowEvent(kind: TraceKind, host: string, uid: number, link: LinkLayer, bytes: Uint8Array | null, off: number, len: number, detail: TraceDetail, index: number): void {
    const flow = detail.flow!;
    let f = this.facts.get(flow);
    if (!f) {
      f = { first: index, last: index, conntrack: [], dnat: [], firstUid: 0, receivedBy: [] };
      this.facts.set(flow, f);
    } else if (index >= 0) {
      if (f.first < 0) f.first = index;
      f.last = index;
    }
    if (kind === TraceKind.Conntrack) {
      if (detail.orig) f.conntrack.push({ node: host, orig: detail.orig, reply: detail.reply ?? '' });
    } else if (kind === TraceKind.Nat) {
      if (detail.manip === 'DNAT') {
        const before = detail.before ?? '';
        const after = detail.after ?? '';
        // One entry per rewrite, not per packet: later packets of a connection repeat it.
        if (!f.dnat.some((d) => d.node === host && d.before === before && d.after === after)) {
          f.dnat.push({ node: host, before, after, index: index >= 0 ? index : f.last, dns: bytes !== null && len > 0 && isDns(bytes, off, len, link) });
        }
      }
    } else if (kind === TraceKind.Sent) {
      if (f.firstUid === 0 && bytes !== null && len > 0 && !isDns(bytes, off, len, link) && !isArp(bytes, off, link)) f.firstUid = uid;
    } else if (kind === TraceKind.Received) {
      if (uid === f.firstUid && f.firstUid !== 0) f.receivedBy.push(host);
    }
  }
}
