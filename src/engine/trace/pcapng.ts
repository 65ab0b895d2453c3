/**
 * A pure pcapng writer (pcapng spec, draft-ietf-opsawg-pcapng): one Section Header Block, then
 * Interface Description Blocks and Enhanced Packet Blocks in the order they are added. Output is
 * little-endian and uses nanosecond timestamps (`if_tsresol` = 9) on every interface.
 *
 * No Node APIs: the writer only uses Uint8Array, DataView and TextEncoder, so it runs in the
 * worker, the browser and the CLI alike.
 */

/** Link-layer header types (tcpdump.org LINKTYPE_* values) used by kubewire's interfaces. */
export const LINKTYPE = {
  /** IEEE 802.3 Ethernet. */
  ETHERNET: 1,
  /** PPP (RFC 1661); a frame may start with the 2-byte protocol field (0x0021 for IPv4). */
  PPP: 9,
  /** Raw IP: the packet starts with an IPv4 or IPv6 header. */
  RAW: 101,
} as const;

/** Ethernet link type (1). */
export const LINKTYPE_ETHERNET = LINKTYPE.ETHERNET;
/** PPP link type (9). */
export const LINKTYPE_PPP = LINKTYPE.PPP;
/** Raw IPv4/IPv6 link type (101). */
export const LINKTYPE_RAW = LINKTYPE.RAW;

/** Block type codes written by this module. */
export const PCAPNG_BLOCK = {
  /** Section Header Block. */
  SHB: 0x0a0d0d0a,
  /** Interface Description Block. */
  IDB: 0x00000001,
  /** Enhanced Packet Block. */
  EPB: 0x00000006,
} as const;

/** Option codes written by this module. */
export const PCAPNG_OPTION = {
  /** opt_endofopt: terminates an option list. */
  END: 0,
  /** opt_comment: UTF-8 comment, valid in every block. */
  COMMENT: 1,
  /** shb_userappl: the application that wrote the section. */
  SHB_USERAPPL: 4,
  /** if_name: the interface name. */
  IF_NAME: 2,
  /** if_description: free-text description of the interface. */
  IF_DESCRIPTION: 3,
  /** if_tsresol: timestamp resolution; 9 means 10^-9 s. */
  IF_TSRESOL: 9,
} as const;

/** The byte-order magic of a Section Header Block. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Options of one interface passed to {@link PcapngWriter.addInterface}. */
export interface PcapngInterface {
  /** if_name, e.g. `node-a/eth0`. */
  name: string;
  /** if_description; omitted from the file when absent or empty. */
  description?: string;
  /** One of {@link LINKTYPE} (1 Ethernet, 9 PPP, 101 raw IP). */
  linkType: number;
  /** Maximum bytes captured per packet; 0 (the default) means no limit. */
  snaplen?: number;
}

/** Options of the section written by {@link PcapngWriter}. */
export interface PcapngWriterOptions {
  /** shb_userappl; defaults to `kubewire`. Pass an empty string to omit it. */
  application?: string;
  /** Size of the first chunk in bytes (default 64 KiB); later chunks double, up to 8 MiB. */
  initialCapacity?: number;
}

const TWO_POW_32 = 0x1_0000_0000;
const MAX_CHUNK = 8 * 1024 * 1024;
const TSRESOL_NS = 9;
const utf8 = new TextEncoder();

/** Bytes of an option with a `len`-byte value: 4-byte header plus the value padded to 4. */
function optionSize(len: number): number {
  return 4 + ((len + 3) & ~3);
}

/** An incrementally built pcapng file (one section, nanosecond timestamps, little-endian). */
export class PcapngWriter {
  /** Filled chunks, each trimmed to its used length. */
  private readonly done: Uint8Array[] = [];
  private doneBytes = 0;
  /** The chunk being written, its view, and the bytes used in it. */
  private buf: Uint8Array;
  private view: DataView;
  private used = 0;
  private readonly interfaces: { snaplen: number }[] = [];

  constructor(options: PcapngWriterOptions = {}) {
    this.buf = new Uint8Array(Math.max(64, options.initialCapacity ?? 64 * 1024));
    this.view = new DataView(this.buf.buffer);
    this.writeSectionHeader(options.application ?? 'kubewire');
  }

  /** Number of interfaces added so far. */
  get interfaceCount(): number {
    return this.interfaces.length;
  }

  /** Bytes written so far (the size `finish()` would return now). */
  get byteLength(): number {
    return this.doneBytes + this.used;
  }

  /** Writes an Interface Description Block and returns the interface's index for `addPacket`. */
  addInterface(iface: PcapngInterface): number {
    const { linkType } = iface;
    const snaplen = iface.snaplen ?? 0;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
      throw new RangeError(`pcapng: link type ${linkType} is not a 16-bit integer`);
    }
    if (!Number.isInteger(snaplen) || snaplen < 0 || snaplen > 0xffffffff) {
      throw new RangeError(`pcapng: snaplen ${snaplen} is not a 32-bit unsigned integer`);
    }
    const name = encodeOption(iface.name, 'if_name');
    const desc = iface.description ? encodeOption(iface.description, 'if_description') : undefined;

    let optLen = optionSize(name.length) + optionSize(1) + 4;
    if (desc) optLen += optionSize(desc.length);
    const total = 8 + 8 + optLen + 4;
    const start = this.reserve(total);
    const v = this.view;
    v.setUint32(start, PCAPNG_BLOCK.IDB, true);
    v.setUint32(start + 4, total, true);
    v.setUint16(start + 8, linkType, true);
    v.setUint16(start + 10, 0, true);
    v.setUint32(start + 12, snaplen, true);
    let p = start + 16;
    p = this.writeOption(p, PCAPNG_OPTION.IF_NAME, name);
    if (desc) p = this.writeOption(p, PCAPNG_OPTION.IF_DESCRIPTION, desc);
    v.setUint16(p, PCAPNG_OPTION.IF_TSRESOL, true);
    v.setUint16(p + 2, 1, true);
    this.buf[p + 4] = TSRESOL_NS;
    this.buf[p + 5] = this.buf[p + 6] = this.buf[p + 7] = 0;
    p += 8;
    p = this.writeEndOfOptions(p);
    v.setUint32(p, total, true);
    this.interfaces.push({ snaplen });
    return this.interfaces.length - 1;
  }

  /**
   * Writes an Enhanced Packet Block. `timeNs` is the capture time in integer nanoseconds since
   * the Unix epoch: a safe integer number (simulated time, up to ~104 days) or a bigint (e.g. a
   * wall-clock epoch, which exceeds 2^53 ns). Bytes beyond the interface's snaplen are cut off;
   * the original length is still recorded.
   */
  addPacket(ifIndex: number, timeNs: number | bigint, bytes: Uint8Array, comment?: string): void {
    const iface = this.interfaces[ifIndex];
    if (iface === undefined) throw new RangeError(`pcapng: no interface ${ifIndex}`);
    let high: number;
    let low: number;
    if (typeof timeNs === 'number') {
      if (!Number.isSafeInteger(timeNs) || timeNs < 0) {
        throw new RangeError(`pcapng: timestamp ${timeNs} is not a non-negative safe integer of ns`);
      }
      high = Math.floor(timeNs / TWO_POW_32);
      low = timeNs - high * TWO_POW_32;
    } else {
      if (timeNs < 0n || timeNs > 0xffff_ffff_ffff_ffffn) {
        throw new RangeError(`pcapng: timestamp ${timeNs} does not fit in 64 unsigned bits`);
      }
      high = Number(timeNs >> 32n);
      low = Number(timeNs & 0xffff_ffffn);
    }
    const origLen = bytes.length;
    const capLen = iface.snaplen !== 0 && origLen > iface.snaplen ? iface.snaplen : origLen;
    const padded = (capLen + 3) & ~3;
    const note = comment ? encodeOption(comment, 'opt_comment') : undefined;
    const optLen = note ? optionSize(note.length) + 4 : 0;
    const total = 28 + padded + optLen + 4;
    const start = this.reserve(total);
    const v = this.view;
    v.setUint32(start, PCAPNG_BLOCK.EPB, true);
    v.setUint32(start + 4, total, true);
    v.setUint32(start + 8, ifIndex, true);
    v.setUint32(start + 12, high, true);
    v.setUint32(start + 16, low, true);
    v.setUint32(start + 20, capLen, true);
    v.setUint32(start + 24, origLen, true);
    const data = start + 28;
    this.buf.set(capLen === origLen ? bytes : bytes.subarray(0, capLen), data);
    this.buf.fill(0, data + capLen, data + padded);
    let p = data + padded;
    if (note) {
      p = this.writeOption(p, PCAPNG_OPTION.COMMENT, note);
      p = this.writeEndOfOptions(p);
    }
    v.setUint32(p, total, true);
  }

  /** Returns a copy of the file written so far. The writer stays usable; later calls return more. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    let p = 0;
    for (const part of this.parts()) {
      out.set(part, p);
      p += part.length;
    }
    return out;
  }

  /**
   * The file written so far as consecutive byte ranges, without concatenating them (e.g. for
   * `new Blob(parts)` or a stream). The ranges are views; the last one is overwritten if more is
   * written afterwards.
   */
  parts(): Uint8Array[] {
    return this.used > 0 ? [...this.done, this.buf.subarray(0, this.used)] : [...this.done];
  }

  private writeSectionHeader(application: string): void {
    const appl = application ? encodeOption(application, 'shb_userappl') : undefined;
    const optLen = appl ? optionSize(appl.length) + 4 : 0;
    const total = 24 + optLen + 4;
    const start = this.reserve(total);
    const v = this.view;
    v.setUint32(start, PCAPNG_BLOCK.SHB, true);
    v.setUint32(start + 4, total, true);
    v.setUint32(start + 8, PCAPNG_BYTE_ORDER_MAGIC, true);
    v.setUint16(start + 12, 1, true); // major version
    v.setUint16(start + 14, 0, true); // minor version
    v.setInt32(start + 16, -1, true); // section length: -1 = not specified (64-bit)
    v.setInt32(start + 20, -1, true);
    let p = start + 24;
    if (appl) {
      p = this.writeOption(p, PCAPNG_OPTION.SHB_USERAPPL, appl);
      p = this.writeEndOfOptions(p);
    }
    v.setUint32(p, total, true);
  }

  /** Writes one option (header, value, zero padding) at `p`; returns the offset after it. */
  private writeOption(p: number, code: number, value: Uint8Array): number {
    this.view.setUint16(p, code, true);
    this.view.setUint16(p + 2, value.length, true);
    this.buf.set(value, p + 4);
    const end = p + optionSize(value.length);
    this.buf.fill(0, p + 4 + value.length, end);
    return end;
  }

  private writeEndOfOptions(p: number): number {
    this.view.setUint32(p, 0, true);
    return p + 4;
  }

  /**
   * Makes room for an `n`-byte block and returns its offset in `this.buf`. Blocks never straddle
   * chunks; a full chunk is kept as is and a new one (twice as big, up to 8 MiB, or bigger if the
   * block needs it) is started, so nothing is ever copied while writing.
   */
  private reserve(n: number): number {
    const start = this.used;
    if (start + n <= this.buf.length) {
      this.used = start + n;
      return start;
    }
    if (start > 0) {
      this.done.push(this.buf.subarray(0, start));
      this.doneBytes += start;
    }
    const size = Math.max(n, Math.min(this.buf.length * 2, MAX_CHUNK));
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.used = n;
    return 0;
  }
}

function encodeOption(text: string, what: string): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.length > 0xffff) throw new RangeError(`pcapng: ${what} is longer than 65535 bytes`);
  return bytes;
}
