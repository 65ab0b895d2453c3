import { describe, expect, it } from 'vitest';
import type { TraceRow } from '../../api/engine-api.ts';
import { hostPath, layoutLadder } from './ladder.ts';

const row = (index: number, host: string, kind: string, uid: number): TraceRow => ({
  index, time: index * 1000, kind, host, iface: 'eth0', uid, flow: 1, protocol: kind === 'sent' || kind === 'received' ? 'TCP' : '', src: '', dst: '', summary: `s${index}`, detail: `d${index}`,
});

describe('layoutLadder', () => {
  it('gives each host a lifeline in order of appearance and draws send → receive arrows per packet', () => {
    const rows = [row(0, 'pod-a', 'sent', 7), row(1, 'node-1', 'received', 7), row(2, 'node-1', 'nat', 7), row(3, 'node-1', 'sent', 7), row(4, 'pod-b', 'received', 7), row(5, 'pod-b', 'sent', 8), row(6, 'node-1', 'received', 8)];
    const L = layoutLadder(rows);
    expect(L.lanes).toEqual(['pod-a', 'node-1', 'pod-b']);
    expect(L.slots).toBe(7);
    expect(L.arrows.map((a) => [a.from, a.to, a.fromSlot, a.toSlot, a.index])).toEqual([
      [0, 1, 0, 1, 1],
      [1, 2, 3, 4, 4],
      [2, 1, 5, 6, 6],
    ]);
    expect(L.marks.find((m) => m.index === 2)).toMatchObject({ lane: 1, kind: 'nat', label: 'd2' });
  });

  it('draws one arrow per receiver of a flooded frame and none for events without a packet', () => {
    const rows = [row(0, 'node-1', 'sent', 3), row(1, 'pod-a', 'received', 3), row(2, 'pod-b', 'received', 3), row(3, 'pod-b', 'app', 0)];
    expect(layoutLadder(rows).arrows.map((a) => a.to)).toEqual([1, 2]);
  });
});

describe('hostPath', () => {
  it('lists the hosts visited without consecutive repeats', () => {
    expect(hostPath([row(0, 'a', 'sent', 1), row(1, 'b', 'received', 1), row(2, 'b', 'nat', 1), row(3, 'a', 'received', 1)])).toEqual(['a', 'b', 'a']);
  });
});
