import { describe, expect, it } from 'vitest';
import { describePacket } from '../../engine/wire/describe.ts';
import { fieldAtByte, keyedFields, rewrittenBytes, rewrittenFields } from './fields.ts';

/** A 28-byte IPv4/UDP packet from 10.2.1.4:40000 to `dst`:53 (checksums left zero: describe reports them). */
function udp(dst: number[]): Uint8Array {
  return new Uint8Array([
    0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 2, 1, 4, ...dst,
    0x9c, 0x40, 0, 53, 0, 8, 0, 0,
  ]);
}

describe('packet-detail field helpers', () => {
  const after = describePacket(udp([10, 2, 2, 7]), 'ipv4');
  const before = describePacket(udp([10, 96, 0, 10]), 'ipv4');

  it('keys fields by layer and name so two copies of a packet line up', () => {
    const keys = keyedFields(after).map((k) => k.key);
    expect(keys).toContain('IPv4#0/destination#0');
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('reports the fields a DNAT rewrote, with their old values, and their bytes', () => {
    const changed = rewrittenFields(after, before);
    expect(changed.get('IPv4#0/destination#0')).toBe('10.96.0.10');
    expect(changed.has('IPv4#0/source#0')).toBe(false);
    const bytes = rewrittenBytes(after, before);
    for (const i of [16, 17, 18, 19]) expect(bytes.has(i)).toBe(true);
    expect(bytes.has(12)).toBe(false);
    expect(rewrittenFields(after, null).size).toBe(0);
  });

  it('finds the innermost field under a byte', () => {
    expect(fieldAtByte(after, 17)?.field.name).toBe('destination');
    expect(fieldAtByte(after, 22)?.key).toMatch(/^UDP#0\/destination port/);
    expect(fieldAtByte(after, 999)).toBeNull();
  });
});
