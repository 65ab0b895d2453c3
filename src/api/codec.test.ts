import { describe, expect, it } from 'vitest';
import { packRunReply, unpackRunReply } from './codec.ts';
import type { RunReply } from './engine-api.ts';

const reply: RunReply = {
  valid: true,
  passed: false,
  stop: 'cancelled',
  stopMessage: 'cancelled after 10 events',
  events: 10,
  traceEvents: 9,
  simulatedNs: 5_000_000,
  traceHash: 'ab'.repeat(32),
  expectations: [{ name: 'spread', status: 'fail', message: 'only one pod served', event: null }],
  traffic: [
    {
      name: 'calls',
      kind: 'http',
      from: 'pod/client',
      target: 'http://web/',
      repeats: [
        { ok: true, flow: 1, source: 'default/client', status: 200, servedBy: 'default/web-1', conntrack: [{ node: 'node-1', orig: 'a:1 > b:2', reply: 'c:3 > a:1' }], startedAt: 1, finishedAt: 2 },
        { ok: false, flow: 2, source: 'default/client', timeout: true, startedAt: 3, finishedAt: 4 },
      ],
    },
    { name: 'lookup', kind: 'dns', from: 'pod/client', target: 'web', repeats: [{ ok: true, flow: 3, source: 'default/client', rcode: 'NOERROR', answers: ['10.96.0.5'], startedAt: 5, finishedAt: 6 }] },
    { name: 'never ran', kind: 'ping', from: 'pod/client', target: '10.0.0.1', repeats: [] },
  ],
  timeline: [{ time: 1, text: 'start' }],
  traceKept: { complete: true, eventsOffered: 9, eventsKept: 9, bytes: 900, budgetBytes: 1 << 20, bytesPerEvent: 100, sampledFrom: null, keepOneIn: 1, message: '' },
};

describe('a run reply packed for the page', () => {
  it('carries every item with its counts, and the repeats in one transferable buffer', () => {
    const packed = packRunReply(reply);
    expect(packed.traffic.map((t) => [t.name, t.ok, t.total])).toEqual([
      ['calls', 1, 2],
      ['lookup', 1, 1],
      ['never ran', 0, 0],
    ]);
    expect(packed.traffic[0]).not.toHaveProperty('repeats');
    expect(packed.repeatsPacked.byteOffset).toBe(0);
    expect(packed.repeatsPacked.byteLength).toBe(packed.repeatsPacked.buffer.byteLength);
    expect(packed.expectations).toEqual(reply.expectations);
  });

  it('unpacks to the same reply (as JSON, as run --json prints it)', () => {
    const page = unpackRunReply(packRunReply(reply));
    expect(JSON.parse(JSON.stringify(page))).toEqual(JSON.parse(JSON.stringify({ ...reply, traffic: reply.traffic.map((t) => ({ ...t, ok: t.repeats.filter((r) => r.ok).length, total: t.repeats.length })) })));
    expect(page.traffic[0]!.repeats[1]).toEqual(reply.traffic[0]!.repeats[1]);
    expect(page.traffic[0]!.repeats[1]).not.toHaveProperty('status');
  });

  it('decodes the repeats only when they are read', () => {
    const packed = packRunReply(reply);
    packed.repeatsPacked = new Uint8Array([0xc1]); // never valid msgpack
    const page = unpackRunReply(packed);
    expect(page.traffic.map((t) => t.total)).toEqual([2, 1, 0]);
    expect(() => page.traffic[0]!.repeats).toThrow();
  });
});
