import { describe, expect, it } from 'vitest';
import { LINKTYPE, PcapngWriter } from './pcapng.ts';

/** Hex string (whitespace and `|` ignored) to bytes. */
function hex(s: string): Uint8Array {
  const clean = s.replace(/[\s|]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

interface Block {
  type: number;
  body: Uint8Array;
}

/** Splits a little-endian pcapng file into blocks, checking both length fields and alignment. */
function blocks(file: Uint8Array): Block[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Block[] = [];
  let p = 0;
  while (p < file.length) {
    const type = v.getUint32(p, true);
    const total = v.getUint32(p + 4, true);
    expect(total % 4).toBe(0);
    expect(total).toBeGreaterThanOrEqual(12);
    expect(v.getUint32(p + total - 4, true)).toBe(total);
    out.push({ type, body: file.subarray(p + 8, p + total - 4) });
    p += total;
  }
  expect(p).toBe(file.length);
  return out;
}

describe('PcapngWriter', () => {
  it('writes a tiny file byte for byte', () => {
    const w = new PcapngWriter({ application: 'kw' });
    expect(w.addInterface({ name: 'eth0', description: 'd1', linkType: LINKTYPE.ETHERNET })).toBe(0);
    w.addPacket(0, 0x1_2345_6789, Uint8Array.of(1, 2, 3, 4, 5), 'hi');
    expect(w.addInterface({ name: 'r', linkType: LINKTYPE.RAW, snaplen: 4 })).toBe(1);
    w.addPacket(1, 7, Uint8Array.of(0x45, 1, 2, 3, 4, 5));

    const want = hex(`
      0a0d0d0a 28000000 4d3c2b1a 0100 0000 ffffffff ffffffff
        0400 0200 6b770000  | 00000000 | 28000000

      01000000 30000000 0100 0000 00000000
        0200 0400 65746830 | 0300 0200 64310000 | 0900 0100 09000000 | 00000000 | 30000000

      06000000 34000000 00000000 01000000 89674523 05000000 05000000
        0102030405000000
        0100 0200 68690000 | 00000000 | 34000000

      01000000 28000000 6500 0000 04000000
        0200 0100 72000000 | 0900 0100 09000000 | 00000000 | 28000000

      06000000 24000000 01000000 00000000 07000000 04000000 06000000
        45010203 | 24000000
    `);
    const got = w.finish();
    expect(toHex(got)).toBe(toHex(want));
    expect(blocks(got).map((b) => b.type)).toEqual([0x0a0d0d0a, 1, 6, 1, 6]);
    expect(w.byteLength).toBe(got.length);
    expect(w.interfaceCount).toBe(2);
  });

  it('writes an SHB without options when the application is empty', () => {
    const got = new PcapngWriter({ application: '' }).finish();
    expect(toHex(got)).toBe(
      toHex(hex('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000')),
    );
  });

  it('splits timestamps into high and low words, for numbers and bigints', () => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'a', linkType: LINKTYPE.PPP });
    const n = Number.MAX_SAFE_INTEGER; // 0x1f_ffff_ffff_ffff
    const epoch = 1_700_000_000_123_456_789n;
    w.addPacket(0, n, new Uint8Array(0));
    w.addPacket(0, epoch, new Uint8Array(0));
    const bs = blocks(w.finish()).filter((b) => b.type === 6);
    const ts = bs.map((b) => {
      const v = new DataView(b.body.buffer, b.body.byteOffset, b.body.byteLength);
      return (BigInt(v.getUint32(4, true)) << 32n) | BigInt(v.getUint32(8, true));
    });
    expect(ts).toEqual([BigInt(n), epoch]);
  });

  it('pads every data length to 4 bytes and terminates comment options', () => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'x', linkType: LINKTYPE.ETHERNET });
    for (let len = 0; len < 9; len++) {
      w.addPacket(0, len, new Uint8Array(len).fill(0xaa), 'é'.repeat(len)); // 2 UTF-8 bytes each
    }
    const epbs = blocks(w.finish()).filter((b) => b.type === 6);
    expect(epbs).toHaveLength(9);
    epbs.forEach((b, len) => {
      const v = new DataView(b.body.buffer, b.body.byteOffset, b.body.byteLength);
      expect(v.getUint32(12, true)).toBe(len);
      expect(v.getUint32(16, true)).toBe(len);
      const padded = (len + 3) & ~3;
      expect(Array.from(b.body.subarray(20 + len, 20 + padded))).toEqual(new Array(padded - len).fill(0));
      const opts = b.body.subarray(20 + padded);
      if (len === 0) {
        expect(opts.length).toBe(0); // empty comment: no options at all
        return;
      }
      const ov = new DataView(opts.buffer, opts.byteOffset, opts.byteLength);
      expect(ov.getUint16(0, true)).toBe(1);
      expect(ov.getUint16(2, true)).toBe(2 * len);
      expect(new TextDecoder().decode(opts.subarray(4, 4 + 2 * len))).toBe('é'.repeat(len));
      const end = 4 + ((2 * len + 3) & ~3);
      expect(ov.getUint32(end, true)).toBe(0); // opt_endofopt
      expect(opts.length).toBe(end + 4);
    });
  });

  it('grows its buffer across many packets and keeps earlier bytes intact', () => {
    const w = new PcapngWriter({ initialCapacity: 64 });
    w.addInterface({ name: 'eth0', linkType: LINKTYPE.ETHERNET });
    const frame = new Uint8Array(130);
    for (let i = 0; i < 20_000; i++) {
      frame[0] = i & 0xff;
      w.addPacket(0, i * 1000, frame);
    }
    const bs = blocks(w.finish());
    expect(bs).toHaveLength(20_002);
    expect(bs[20_001]!.body[20]).toBe(19_999 & 0xff);
    expect(bs[1234 + 2]!.body[20]).toBe(1234 & 0xff);
    const parts = w.parts();
    expect(parts.length).toBeGreaterThan(1);
    const joined = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    parts.reduce((off, b) => (joined.set(b, off), off + b.length), 0);
    const whole = w.finish();
    expect(joined.length).toBe(whole.length);
    expect(joined.findIndex((b, i) => b !== whole[i])).toBe(-1);
  });

  it('rejects bad arguments', () => {
    const w = new PcapngWriter();
    expect(() => w.addPacket(0, 0, new Uint8Array(1))).toThrow(/no interface 0/);
    w.addInterface({ name: 'a', linkType: LINKTYPE.ETHERNET });
    expect(() => w.addPacket(0, -1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => w.addPacket(0, 1.5, new Uint8Array(1))).toThrow(RangeError);
    expect(() => w.addPacket(0, 1n << 64n, new Uint8Array(1))).toThrow(RangeError);
    expect(() => w.addInterface({ name: 'b', linkType: 70000 })).toThrow(RangeError);
    expect(() => w.addPacket(0, 0, new Uint8Array(1), 'x'.repeat(70000))).toThrow(/opt_comment/);
  });
});
