/**
 * The flow ladder's layout: one lifeline per host in order of first appearance, one slot per
 * trace event, and an arrow from each frame's `sent` to every `received` of the same packet id
 * on another host (a bridge flood gives several arrows from one send).
 */
import type { TraceRow } from '../../api/engine-api.ts';

/** An arrow between lifelines. */
export interface LadderArrow {
  from: number;
  to: number;
  /** Slot (row) of the send and of the receive. */
  fromSlot: number;
  toSlot: number;
  /** The event number of the receive (the arrow selects it). */
  index: number;
  label: string;
  kind: string;
}

/** A marker on one lifeline: any event, drawn at its slot. */
export interface LadderMark {
  lane: number;
  slot: number;
  index: number;
  kind: string;
  label: string;
}

/** The whole diagram. */
export interface LadderLayout {
  lanes: string[];
  marks: LadderMark[];
  arrows: LadderArrow[];
  slots: number;
}

/** Lays out `rows` (the events of one flow, in order). */
export function layoutLadder(rows: readonly TraceRow[]): LadderLayout {
  const lanes: string[] = [];
  const laneOf = new Map<string, number>();
  const lane = (host: string): number => {
    let l = laneOf.get(host);
    if (l === undefined) {
      l = lanes.length;
      lanes.push(host);
      laneOf.set(host, l);
    }
    return l;
  };
  const marks: LadderMark[] = [];
  const arrows: LadderArrow[] = [];
  const lastSent = new Map<number, { lane: number; slot: number }>();
  rows.forEach((r, slot) => {
    const l = lane(r.host);
    marks.push({ lane: l, slot, index: r.index, kind: r.kind, label: r.kind === 'sent' || r.kind === 'received' ? r.summary : r.detail || r.summary });
    if (r.uid === 0) return;
    if (r.kind === 'sent') lastSent.set(r.uid, { lane: l, slot });
    else if (r.kind === 'received') {
      const s = lastSent.get(r.uid);
      if (s && s.lane !== l) arrows.push({ from: s.lane, to: l, fromSlot: s.slot, toSlot: slot, index: r.index, label: r.summary, kind: r.protocol });
    }
  });
  return { lanes, marks, arrows, slots: rows.length };
}

/** The hosts a flow visits, in order, without consecutive repeats (the path drawn on the topology). */
export function hostPath(rows: readonly TraceRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) if (out[out.length - 1] !== r.host) out.push(r.host);
  return out;
}
