/**
 * Every layer describes itself once (ns-3 `Print`, smoltcp `PrettyPrint`): bytes become a
 * layer tree for the UI's packet detail, a tcpdump-like one-line summary for the CLI trace and
 * test messages, and a protocol column name. Field offsets are absolute in the frame so the
 * UI can highlight bytes. Malformed layers carry an error and print "(truncated)",
 * "(bad checksum)" or "(malformed)"; nothing here throws.
 */
import { formatIpv4, formatMac, readMac, readU16, readU32 } from './addr.ts';
import { ARP, ARP_HTYPE_ETHERNET, ARP_OP, arpOpName } from './arp.ts';
import { hexNum, latin1, toHex, type WireError } from './bytes.ts';
import {
  DNS,
  DNS_FLAG,
  DNS_PORT,
  DNS_TYPE,
  dnsClassName,
  dnsOpcodeName,
  dnsRcodeName,
  dnsTypeName,
  formatDnsRdata,
  readDnsName,
  readDnsQuestion,
  readDnsRecord,
  type DnsQuestion,
  type DnsRecord,
} from './dns.ts';
import { ETH, ETHERTYPE, etherTypeName } from './ethernet.ts';
import { HTTP_PORTS, looksLikeHttp, parseHttpRequest, parseHttpResponse, readHttpHead } from './http.ts';
import { ICMP, ICMP_TYPE, ICMP_UNREACH, icmpCodeName, icmpIsError, icmpTypeName, verifyIcmpChecksum } from './icmp.ts';
import { checkIpv4, IP_PROTO, IPV4, IPV4_FLAG, ipProtoName, ipv4ComputeChecksum, ipv4HeaderLen, verifyIpv4Checksum } from './ipv4.ts';
import { parsePpp, PPP_PROTO, pppProtoName } from './ppp.ts';
import {
  TCP,
  TCP_FLAG,
  parseTcpOptions,
  tcpComputeChecksum,
  tcpFlagsString,
  tcpOptionName,
  tcpOptionsString,
  verifyTcpChecksum,
  type TcpOption,
} from './tcp.ts';
import { UDP, udpComputeChecksum, verifyUdpChecksum } from './udp.ts';
import { internetChecksum } from './checksum.ts';

/** One decoded field: its name, its value as text, and the bytes it occupies (absolute offset in the frame). */
export interface Field {
  readonly name: string;
  readonly value: string;
  readonly offset: number;
  readonly len: number;
  readonly children?: readonly Field[];
}

/** One protocol layer of a frame. */
export interface Layer {
  /** "Ethernet", "PPP", "ARP", "IPv4", "ICMP", "UDP", "TCP", "DNS", "HTTP" or "Data". */
  readonly layer: string;
  /** A short line about this layer alone. */
  readonly summary: string;
  /** Absolute offset and length of the layer (header + what it carries). */
  readonly offset: number;
  readonly len: number;
  readonly fields: readonly Field[];
  /** Set when the layer is malformed: starts with "truncated", "bad checksum" or "malformed". */
  readonly error?: string;
}

/** How a frame starts: an Ethernet II header, ns-3 PPP, or a bare IPv4 packet. */
export type LinkType = 'ethernet' | 'ppp' | 'ipv4';

/** Everything describe knows about a frame: the layers, the tcpdump-like line and the protocol column. */
export interface Dissection {
  readonly layers: readonly Layer[];
  readonly summary: string;
  readonly protocol: string;
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface Ctx {
  readonly b: Uint8Array;
  readonly layers: Layer[];
  /** The protocol column: the top-most recognised protocol. */
  protocol: string;
}

function field(name: string, value: string, offset: number, len: number, children?: Field[]): Field {
  return children && children.length ? { name, value, offset, len, children } : { name, value, offset, len };
}

function errorText(kind: WireError, detail: string): string {
  return `${kind}: ${detail}`;
}

function mark(kind: WireError | undefined): string {
  return kind ? ` (${kind})` : '';
}

function dataPreview(b: Uint8Array, off: number, len: number): string {
  const n = Math.min(len, 32);
  return toHex(b, off, n) + (len > n ? '…' : '');
}

/** Printable text (with CR, LF, TAB) as a quoted string, else a hex preview. */
function textPreview(b: Uint8Array, off: number, len: number): string {
  const n = Math.min(len, 64);
  for (let i = off; i < off + n; i++) {
    const c = b[i]!;
    if (!((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13)) return dataPreview(b, off, len);
  }
  return JSON.stringify(latin1(b, off, n)) + (len > n ? '…' : '');
}

function checksumValue(stored: number, correct: boolean, should: number): string {
  return correct ? `${hexNum(stored, 4)} [correct]` : `${hexNum(stored, 4)} [incorrect, should be ${hexNum(should, 4)}]`;
}

function pushData(ctx: Ctx, off: number, end: number, name = 'Data'): void {
  const len = Math.max(0, end - off);
  if (len === 0) return;
  ctx.layers.push({
    layer: name,
    summary: `${len} byte${len === 1 ? '' : 's'}`,
    offset: off,
    len,
    fields: [field('data', dataPreview(ctx.b, off, len), off, len)],
  });
}

// ---------------------------------------------------------------------------------------------
// Link layers

function describeEthernet(ctx: Ctx, off: number, end: number): string {
  const b = ctx.b;
  ctx.protocol = 'Ethernet';
  if (end - off < ETH.HEADER_LEN) {
    ctx.layers.push({
      layer: 'Ethernet',
      summary: 'Ethernet (truncated)',
      offset: off,
      len: end - off,
      fields: [],
      error: errorText('truncated', `Ethernet header needs 14 bytes, have ${end - off}`),
    });
    pushData(ctx, off, end);
    return 'Ethernet (truncated)';
  }
  const dst = formatMac(readMac(b, off + ETH.DST));
  const src = formatMac(readMac(b, off + ETH.SRC));
  const type = readU16(b, off + ETH.TYPE);
  const typeText = `${etherTypeName(type)} (${hexNum(type, 4)})`;
  const fields: Field[] = [
    field('destination', dst, off + ETH.DST, 6),
    field('source', src, off + ETH.SRC, 6),
    field('type', typeText, off + ETH.TYPE, 2),
  ];
  const layerIndex = ctx.layers.length;
  const summary = `${src} > ${dst}, ethertype ${typeText}, length ${end - off}`;
  ctx.layers.push({ layer: 'Ethernet', summary, offset: off, len: end - off, fields });
  const p = off + ETH.HEADER_LEN;
  let used = end - p;
  let line: string;
  if (type === ETHERTYPE.IPV4) [line, used] = describeIpv4(ctx, p, end);
  else if (type === ETHERTYPE.ARP) [line, used] = describeArp(ctx, p, end);
  else {
    pushData(ctx, p, end);
    line = `Ethernet ${src} > ${dst}, ethertype ${typeText}, length ${end - off}`;
  }
  if (p + used < end) {
    // Short frames are padded to 60 bytes (IEEE 802.3 clause 4.2.3.3); show the trailer.
    fields.push(field('padding', dataPreview(b, p + used, end - p - used), p + used, end - p - used));
    ctx.layers[layerIndex] = { ...ctx.layers[layerIndex]!, fields };
  }
  return line;
}

function describePpp(ctx: Ctx, off: number, end: number): string {
  ctx.protocol = 'PPP';
  const r = parsePpp(ctx.b, off, end - off);
  if (!r.ok) {
    ctx.layers.push({ layer: 'PPP', summary: 'PPP (truncated)', offset: off, len: end - off, fields: [], error: errorText(r.error, r.detail) });
    return 'PPP (truncated)';
  }
  const { protocol, headerLen } = r.repr;
  const fields: Field[] = [];
  if (headerLen >= 3 && ctx.b[off] === 0xff) {
    fields.push(field('address', '0xff', off, 1), field('control', '0x03', off + 1, 1));
  }
  // An odd header length means the compressed 1-byte Protocol field (RFC 1661 §6.5).
  const protoLen = headerLen % 2 === 1 ? 1 : 2;
  const protoText = `${pppProtoName(protocol)} (${hexNum(protocol, 4)})`;
  fields.push(field('protocol', protoText, off + headerLen - protoLen, protoLen));
  ctx.layers.push({ layer: 'PPP', summary: `protocol ${protoText}, length ${end - off}`, offset: off, len: end - off, fields });
  const p = off + headerLen;
  if (protocol === PPP_PROTO.IPV4) {
    const [line, used] = describeIpv4(ctx, p, end);
    if (p + used < end) pushData(ctx, p + used, end, 'Padding');
    return line;
  }
  pushData(ctx, p, end);
  return `PPP, protocol ${protoText}, length ${end - off}`;
}

// ---------------------------------------------------------------------------------------------
// ARP

function describeArp(ctx: Ctx, off: number, end: number): [string, number] {
  const b = ctx.b;
  ctx.protocol = 'ARP';
  const have = end - off;
  const fields: Field[] = [];
  const add = (name: string, at: number, len: number, value: () => string): void => {
    if (at + len <= off + have) fields.push(field(name, value(), at, len));
  };
  add('hardware type', off + ARP.HTYPE, 2, () => {
    const t = readU16(b, off + ARP.HTYPE);
    return t === ARP_HTYPE_ETHERNET ? 'Ethernet (1)' : `unknown ${t}`;
  });
  add('protocol type', off + ARP.PTYPE, 2, () => {
    const t = readU16(b, off + ARP.PTYPE);
    return `${etherTypeName(t)} (${hexNum(t, 4)})`;
  });
  add('hardware size', off + ARP.HLEN, 1, () => String(b[off + ARP.HLEN]));
  add('protocol size', off + ARP.PLEN, 1, () => String(b[off + ARP.PLEN]));
  add('opcode', off + ARP.OPER, 2, () => {
    const op = readU16(b, off + ARP.OPER);
    return `${arpOpName(op)} (${op})`;
  });
  const ethIpv4 =
    have >= 8 &&
    readU16(b, off + ARP.HTYPE) === ARP_HTYPE_ETHERNET &&
    readU16(b, off + ARP.PTYPE) === ETHERTYPE.IPV4 &&
    b[off + ARP.HLEN] === 6 &&
    b[off + ARP.PLEN] === 4;
  if (!ethIpv4) {
    const kind: WireError = have < 8 ? 'truncated' : 'malformed';
    ctx.layers.push({
      layer: 'ARP',
      summary: `ARP${mark(kind)}`,
      offset: off,
      len: have,
      fields,
      error: errorText(kind, kind === 'truncated' ? `ARP header needs 8 bytes, have ${have}` : 'ARP is not Ethernet/IPv4'),
    });
    return [`ARP${mark(kind)}`, have];
  }
  add('sender MAC', off + ARP.SHA, 6, () => formatMac(readMac(b, off + ARP.SHA)));
  add('sender IP', off + ARP.SPA, 4, () => formatIpv4(readU32(b, off + ARP.SPA)));
  add('target MAC', off + ARP.THA, 6, () => formatMac(readMac(b, off + ARP.THA)));
  add('target IP', off + ARP.TPA, 4, () => formatIpv4(readU32(b, off + ARP.TPA)));
  if (have < ARP.LEN) {
    ctx.layers.push({
      layer: 'ARP',
      summary: 'ARP (truncated)',
      offset: off,
      len: have,
      fields,
      error: errorText('truncated', `ARP packet needs 28 bytes, have ${have}`),
    });
    return ['ARP (truncated)', have];
  }
  const op = readU16(b, off + ARP.OPER);
  const spa = formatIpv4(readU32(b, off + ARP.SPA));
  const tpa = formatIpv4(readU32(b, off + ARP.TPA));
  const sha = formatMac(readMac(b, off + ARP.SHA));
  let text: string;
  if (op === ARP_OP.REQUEST) text = `Request who-has ${tpa} tell ${spa}`;
  else if (op === ARP_OP.REPLY) text = `Reply ${spa} is-at ${sha}`;
  else text = `${arpOpName(op)}, sender ${spa} (${sha}), target ${tpa}`;
  ctx.layers.push({ layer: 'ARP', summary: text, offset: off, len: ARP.LEN, fields });
  return [`ARP, ${text}`, ARP.LEN];
}

// ---------------------------------------------------------------------------------------------
// IPv4

interface Ipv4Fields {
  readonly fields: Field[];
  readonly error?: string;
  readonly kind?: WireError;
  /** Header length when at least the header is present and valid, else 0. */
  readonly hl: number;
  readonly total: number;
}

function ipv4Fields(b: Uint8Array, off: number, end: number, quoted: boolean): Ipv4Fields {
  const have = end - off;
  const fields: Field[] = [];
  const add = (name: string, at: number, len: number, value: () => string): void => {
    if (at + len <= end) fields.push(field(name, value(), at, len));
  };
  add('version', off, 1, () => String(b[off]! >>> 4));
  add('header length', off, 1, () => `${(b[off]! & 15) * 4} bytes (${b[off]! & 15})`);
  add('type of service', off + IPV4.TOS, 1, () => {
    const t = b[off + IPV4.TOS]!;
    return `${hexNum(t, 2)} (DSCP ${t >>> 2}, ECN ${t & 3})`;
  });
  add('total length', off + IPV4.TOTAL_LEN, 2, () => String(readU16(b, off + IPV4.TOTAL_LEN)));
  add('identification', off + IPV4.IDENT, 2, () => {
    const id = readU16(b, off + IPV4.IDENT);
    return `${hexNum(id, 4)} (${id})`;
  });
  add('flags', off + IPV4.FLAGS_FRAG, 2, () => {
    const ff = readU16(b, off + IPV4.FLAGS_FRAG);
    const names = [ff & IPV4_FLAG.RESERVED ? 'reserved' : '', ff & IPV4_FLAG.DF ? 'DF' : '', ff & IPV4_FLAG.MF ? 'MF' : ''].filter(Boolean);
    return `${hexNum(ff >>> 13, 1)}${names.length ? ` (${names.join(', ')})` : ''}`;
  });
  add('fragment offset', off + IPV4.FLAGS_FRAG, 2, () => String((readU16(b, off + IPV4.FLAGS_FRAG) & IPV4_FLAG.FRAG_MASK) << 3));
  add('time to live', off + IPV4.TTL, 1, () => String(b[off + IPV4.TTL]));
  add('protocol', off + IPV4.PROTO, 1, () => `${ipProtoName(b[off + IPV4.PROTO]!)} (${b[off + IPV4.PROTO]})`);
  const hl = have >= 1 ? ipv4HeaderLen(b, off) : 0;
  const headerThere = have >= IPV4.MIN_HEADER_LEN && hl >= IPV4.MIN_HEADER_LEN && hl <= have;
  add('header checksum', off + IPV4.CHECKSUM, 2, () => {
    const stored = readU16(b, off + IPV4.CHECKSUM);
    if (!headerThere) return `${hexNum(stored, 4)} [unverified]`;
    return checksumValue(stored, verifyIpv4Checksum(b, off), ipv4ComputeChecksum(b, off));
  });
  add('source', off + IPV4.SRC, 4, () => formatIpv4(readU32(b, off + IPV4.SRC)));
  add('destination', off + IPV4.DST, 4, () => formatIpv4(readU32(b, off + IPV4.DST)));
  if (headerThere && hl > IPV4.MIN_HEADER_LEN) add('options', off + IPV4.OPTIONS, hl - IPV4.OPTIONS, () => toHex(b, off + IPV4.OPTIONS, hl - IPV4.OPTIONS));
  const kind = checkIpv4(b, off, have, true, quoted);
  const total = have >= 4 ? readU16(b, off + IPV4.TOTAL_LEN) : 0;
  if (!kind) return { fields, hl, total };
  let detail: string;
  if (kind === 'truncated') detail = have < 20 || hl > have ? `IPv4 header needs ${Math.max(20, hl)} bytes, have ${have}` : `IPv4 Total Length ${total}, have ${have}`;
  else if (kind === 'malformed') detail = have >= 1 && b[off]! >>> 4 !== 4 ? `IP version ${b[off]! >>> 4}` : `IHL ${hl / 4} or Total Length ${total} is invalid`;
  else detail = `IPv4 header checksum ${hexNum(readU16(b, off + IPV4.CHECKSUM), 4)}, should be ${hexNum(ipv4ComputeChecksum(b, off), 4)}`;
  return { fields, error: errorText(kind, detail), kind, hl: headerThere && kind !== 'malformed' ? hl : 0, total };
}

function describeIpv4(ctx: Ctx, off: number, end: number): [string, number] {
  const b = ctx.b;
  ctx.protocol = 'IPv4';
  const info = ipv4Fields(b, off, end, false);
  if (info.hl === 0 || info.total < info.hl) {
    ctx.layers.push({ layer: 'IPv4', summary: `IPv4${mark(info.kind)}`, offset: off, len: end - off, fields: info.fields, error: info.error });
    return [`IPv4${mark(info.kind)}`, end - off];
  }
  const hl = info.hl;
  const pend = Math.min(end, off + info.total);
  const src = formatIpv4(readU32(b, off + IPV4.SRC));
  const dst = formatIpv4(readU32(b, off + IPV4.DST));
  const proto = b[off + IPV4.PROTO]!;
  const ff = readU16(b, off + IPV4.FLAGS_FRAG);
  const fragOff = (ff & IPV4_FLAG.FRAG_MASK) << 3;
  const summary =
    `${src} > ${dst}, ${ipProtoName(proto)} (${proto}), ttl ${b[off + IPV4.TTL]}, id ${readU16(b, off + IPV4.IDENT)}` +
    `${ff & IPV4_FLAG.DF ? ', DF' : ''}${ff & IPV4_FLAG.MF ? ', MF' : ''}${fragOff ? `, offset ${fragOff}` : ''}, length ${info.total}${mark(info.kind)}`;
  ctx.layers.push({ layer: 'IPv4', summary, offset: off, len: pend - off, fields: info.fields, error: info.error });
  const prefix = info.kind ? `IPv4${mark(info.kind)} ` : '';
  const p = off + hl;
  const plen = pend - p;
  if (fragOff > 0) {
    pushData(ctx, p, pend, 'Fragment');
    return [`${prefix}${src} > ${dst}: ${ipProtoName(proto)} fragment, id ${readU16(b, off + IPV4.IDENT)}, offset ${fragOff}, length ${plen}`, pend - off];
  }
  const ips = { src: readU32(b, off + IPV4.SRC), dst: readU32(b, off + IPV4.DST), srcText: src, dstText: dst };
  let line: string;
  if (proto === IP_PROTO.UDP) line = describeUdp(ctx, p, pend, ips);
  else if (proto === IP_PROTO.TCP) line = describeTcp(ctx, p, pend, ips);
  else if (proto === IP_PROTO.ICMP) line = `${src} > ${dst}: ${describeIcmp(ctx, p, pend)}`;
  else {
    pushData(ctx, p, pend);
    line = `${src} > ${dst}: IP proto ${proto} (${ipProtoName(proto).startsWith('unknown') ? 'unknown' : ipProtoName(proto)}), length ${plen}`;
  }
  return [prefix + line, pend - off];
}

interface Ips {
  readonly src: number;
  readonly dst: number;
  readonly srcText: string;
  readonly dstText: string;
}

// ---------------------------------------------------------------------------------------------
// UDP

function describeUdp(ctx: Ctx, off: number, end: number, ips: Ips): string {
  const b = ctx.b;
  ctx.protocol = 'UDP';
  const have = end - off;
  const fields: Field[] = [];
  if (have >= 2) fields.push(field('source port', String(readU16(b, off)), off, 2));
  if (have >= 4) fields.push(field('destination port', String(readU16(b, off + 2)), off + 2, 2));
  if (have >= 6) fields.push(field('length', String(readU16(b, off + 4)), off + 4, 2));
  if (have < UDP.HEADER_LEN) {
    if (have >= 8) fields.push(field('checksum', hexNum(readU16(b, off + 6), 4), off + 6, 2));
    ctx.layers.push({ layer: 'UDP', summary: 'UDP (truncated)', offset: off, len: have, fields, error: errorText('truncated', `UDP header needs 8 bytes, have ${have}`) });
    return `${ips.srcText} > ${ips.dstText}: UDP (truncated)`;
  }
  const sp = readU16(b, off);
  const dp = readU16(b, off + 2);
  const ulen = readU16(b, off + 4);
  const stored = readU16(b, off + 6);
  const head = `${ips.srcText}.${sp} > ${ips.dstText}.${dp}`;
  let kind: WireError | undefined;
  let detail = '';
  if (ulen < UDP.HEADER_LEN) {
    kind = 'malformed';
    detail = `UDP Length ${ulen} is below 8`;
  } else if (ulen > have) {
    kind = 'truncated';
    detail = `UDP Length ${ulen}, have ${have}`;
  }
  let ckValue: string;
  if (stored === 0) ckValue = '0x0000 [none]';
  else if (kind) ckValue = `${hexNum(stored, 4)} [unverified]`;
  else {
    const good = verifyUdpChecksum(b, off, ulen, ips.src, ips.dst);
    ckValue = checksumValue(stored, good, udpComputeChecksum(b, off, ulen, ips.src, ips.dst));
    if (!good) {
      kind = 'bad checksum';
      detail = `UDP checksum ${hexNum(stored, 4)}, should be ${hexNum(udpComputeChecksum(b, off, ulen, ips.src, ips.dst), 4)}`;
    }
  }
  fields.push(field('checksum', ckValue, off + 6, 2));
  const dend = kind === 'malformed' ? end : Math.min(end, off + ulen);
  const dlen = dend - off - UDP.HEADER_LEN;
  ctx.layers.push({
    layer: 'UDP',
    summary: `${sp} > ${dp}, length ${dlen}${mark(kind)}`,
    offset: off,
    len: dend - off,
    fields,
    error: kind ? errorText(kind, detail) : undefined,
  });
  const p = off + UDP.HEADER_LEN;
  let app = `length ${dlen}`;
  if (kind !== 'malformed' && (sp === DNS_PORT || dp === DNS_PORT) && dlen > 0) app = describeDns(ctx, p, dend);
  else pushData(ctx, p, dend);
  return `${head}: UDP${mark(kind)}, ${app}`;
}

// ---------------------------------------------------------------------------------------------
// TCP

const TCP_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [0x100, 'AE/NS'],
  [TCP_FLAG.CWR, 'CWR'],
  [TCP_FLAG.ECE, 'ECE'],
  [TCP_FLAG.URG, 'URG'],
  [TCP_FLAG.ACK, 'ACK'],
  [TCP_FLAG.PSH, 'PSH'],
  [TCP_FLAG.RST, 'RST'],
  [TCP_FLAG.SYN, 'SYN'],
  [TCP_FLAG.FIN, 'FIN'],
];

function tcpOptionFields(b: Uint8Array, p: number, end: number): Field[] {
  const out: Field[] = [];
  while (p < end) {
    const k = b[p]!;
    if (k === 0) {
      out.push(field('eol', 'End of Option List', p, end - p));
      break;
    }
    if (k === 1) {
      out.push(field('nop', '', p, 1));
      p++;
      continue;
    }
    const l = p + 1 < end ? b[p + 1]! : 0;
    if (l < 2 || p + l > end) {
      out.push(field(tcpOptionName(k), '(malformed)', p, end - p));
      break;
    }
    const one = parseTcpOptions(b, p, p + l);
    const text = one && one[0] ? tcpOptionsString(one) : tcpOptionName(k);
    const name = tcpOptionName(k);
    out.push(field(name, text.startsWith(name) ? text.slice(name.length).trim() : text, p, l));
    p += l;
  }
  return out;
}

function describeTcp(ctx: Ctx, off: number, end: number, ips: Ips): string {
  const b = ctx.b;
  ctx.protocol = 'TCP';
  const have = end - off;
  const fields: Field[] = [];
  const add = (name: string, at: number, len: number, value: () => string, children?: () => Field[]): void => {
    if (at + len <= end) fields.push(field(name, value(), at, len, children?.()));
  };
  add('source port', off + TCP.SRC_PORT, 2, () => String(readU16(b, off)));
  add('destination port', off + TCP.DST_PORT, 2, () => String(readU16(b, off + 2)));
  add('sequence number', off + TCP.SEQ, 4, () => String(readU32(b, off + TCP.SEQ)));
  add('acknowledgment number', off + TCP.ACK, 4, () => String(readU32(b, off + TCP.ACK)));
  add('header length', off + TCP.DATA_OFF, 1, () => `${(b[off + TCP.DATA_OFF]! >>> 4) * 4} bytes (${b[off + TCP.DATA_OFF]! >>> 4})`);
  add(
    'flags',
    off + TCP.DATA_OFF,
    2,
    () => {
      const fl = readU16(b, off + TCP.DATA_OFF) & 0x0fff;
      return `${hexNum(fl, 3)} [${tcpFlagsString(fl)}]`;
    },
    () => {
      const fl = readU16(b, off + TCP.DATA_OFF) & 0x0fff;
      return TCP_FLAG_NAMES.filter(([bit]) => fl & bit).map(([, n]) => field(n, 'set', off + (n === 'AE/NS' ? TCP.DATA_OFF : TCP.FLAGS), 1));
    },
  );
  add('window', off + TCP.WINDOW, 2, () => String(readU16(b, off + TCP.WINDOW)));
  if (have < TCP.MIN_HEADER_LEN) {
    ctx.layers.push({ layer: 'TCP', summary: 'TCP (truncated)', offset: off, len: have, fields, error: errorText('truncated', `TCP header needs 20 bytes, have ${have}`) });
    return `${ips.srcText} > ${ips.dstText}: TCP (truncated)`;
  }
  const sp = readU16(b, off);
  const dp = readU16(b, off + 2);
  const head = `${ips.srcText}.${sp} > ${ips.dstText}.${dp}`;
  const hl = (b[off + TCP.DATA_OFF]! >>> 4) * 4;
  let kind: WireError | undefined;
  let detail = '';
  const stored = readU16(b, off + TCP.CHECKSUM);
  if (hl < TCP.MIN_HEADER_LEN) {
    kind = 'malformed';
    detail = `TCP data offset ${hl / 4} is below 5`;
  } else if (hl > have) {
    kind = 'truncated';
    detail = `TCP header length ${hl}, have ${have}`;
  }
  let ckValue = `${hexNum(stored, 4)} [unverified]`;
  if (!kind) {
    const good = verifyTcpChecksum(b, off, have, ips.src, ips.dst);
    const should = tcpComputeChecksum(b, off, have, ips.src, ips.dst);
    ckValue = checksumValue(stored, good, should);
    if (!good) {
      kind = 'bad checksum';
      detail = `TCP checksum ${hexNum(stored, 4)}, should be ${hexNum(should, 4)}`;
    }
  }
  fields.push(field('checksum', ckValue, off + TCP.CHECKSUM, 2));
  fields.push(field('urgent pointer', String(readU16(b, off + TCP.URGENT)), off + TCP.URGENT, 2));
  let options: TcpOption[] | null = [];
  if (hl > TCP.MIN_HEADER_LEN && hl <= have) {
    options = parseTcpOptions(b, off + TCP.OPTIONS, off + hl);
    fields.push(field('options', options ? tcpOptionsString(options) : '(malformed)', off + TCP.OPTIONS, hl - TCP.OPTIONS, tcpOptionFields(b, off + TCP.OPTIONS, off + hl)));
    if (!options && !kind) {
      kind = 'malformed';
      detail = 'TCP option length is invalid or runs past the header';
    }
  }
  const fl = readU16(b, off + TCP.DATA_OFF) & 0x0fff;
  const seq = readU32(b, off + TCP.SEQ);
  const ack = readU32(b, off + TCP.ACK);
  const win = readU16(b, off + TCP.WINDOW);
  const dataOff = hl >= TCP.MIN_HEADER_LEN && hl <= have ? off + hl : end;
  const dlen = end - dataOff;
  const seqText = dlen > 0 ? `${seq}:${(seq + dlen) >>> 0}` : String(seq);
  const optText = options && options.length ? `, options [${tcpOptionsString(options)}]` : '';
  const segText = `Flags [${tcpFlagsString(fl)}], seq ${seqText}${fl & TCP_FLAG.ACK ? `, ack ${ack}` : ''}, win ${win}${optText}, length ${dlen}`;
  ctx.layers.push({
    layer: 'TCP',
    summary: `${sp} > ${dp} [${tcpFlagsString(fl)}] seq ${seq}${fl & TCP_FLAG.ACK ? ` ack ${ack}` : ''} win ${win} len ${dlen}${mark(kind)}`,
    offset: off,
    len: have,
    fields,
    error: kind ? errorText(kind, detail) : undefined,
  });
  let app = '';
  if (dlen > 0) {
    const sniff = looksLikeHttp(b, dataOff, dlen);
    if (sniff) app = `: HTTP: ${describeHttp(ctx, dataOff, end, sniff)}`;
    else if (HTTP_PORTS.includes(sp) || HTTP_PORTS.includes(dp)) {
      ctx.protocol = 'HTTP';
      ctx.layers.push({
        layer: 'HTTP',
        summary: 'Continuation',
        offset: dataOff,
        len: dlen,
        fields: [field('continuation data', dataPreview(b, dataOff, dlen), dataOff, dlen)],
      });
      app = ': HTTP';
    } else pushData(ctx, dataOff, end);
  }
  return `${head}: ${kind ? `TCP${mark(kind)}, ` : ''}${segText}${app}`;
}

// ---------------------------------------------------------------------------------------------
// ICMP

function quotedFields(b: Uint8Array, off: number, end: number): { fields: Field[]; text: string; proto: number; dst: string; dport: number } {
  const ip = ipv4Fields(b, off, end, true);
  const fields = [...ip.fields];
  let proto = -1;
  let dst = '';
  let dport = -1;
  if (end - off >= 20) {
    proto = b[off + IPV4.PROTO]!;
    dst = formatIpv4(readU32(b, off + IPV4.DST));
  }
  let text = dst ? `${formatIpv4(readU32(b, off + IPV4.SRC))} > ${dst}` : 'truncated header';
  const hl = ip.hl;
  if (hl > 0 && (proto === IP_PROTO.UDP || proto === IP_PROTO.TCP)) {
    const p = off + hl;
    const name = proto === IP_PROTO.UDP ? 'UDP' : 'TCP';
    const inner: Field[] = [];
    if (p + 2 <= end) inner.push(field('source port', String(readU16(b, p)), p, 2));
    if (p + 4 <= end) {
      dport = readU16(b, p + 2);
      inner.push(field('destination port', String(dport), p + 2, 2));
    }
    if (proto === IP_PROTO.UDP) {
      if (p + 6 <= end) inner.push(field('length', String(readU16(b, p + 4)), p + 4, 2));
      if (p + 8 <= end) inner.push(field('checksum', hexNum(readU16(b, p + 6), 4), p + 6, 2));
    } else if (p + 8 <= end) inner.push(field('sequence number', String(readU32(b, p + 4)), p + 4, 4));
    if (p + 4 <= end) text = `${formatIpv4(readU32(b, off + IPV4.SRC))}.${readU16(b, p)} > ${dst}.${dport} ${name}`;
    fields.push(field(name, `${inner.length ? '' : '(truncated)'}${inner.map((f) => `${f.name} ${f.value}`).slice(0, 2).join(', ')}`, p, Math.max(0, Math.min(8, end - p)), inner));
  } else if (hl > 0 && proto === IP_PROTO.ICMP && off + hl + 8 <= end) {
    const p = off + hl;
    fields.push(
      field('ICMP', `${icmpTypeName(b[p]!)}`, p, 8, [
        field('type', `${b[p]} (${icmpTypeName(b[p]!)})`, p, 1),
        field('code', String(b[p + 1]), p + 1, 1),
        field('identifier', String(readU16(b, p + 4)), p + 4, 2),
        field('sequence number', String(readU16(b, p + 6)), p + 6, 2),
      ]),
    );
    text += ` ICMP ${icmpTypeName(b[p]!)}`;
  }
  return { fields, text, proto, dst, dport };
}

function describeIcmp(ctx: Ctx, off: number, end: number): string {
  const b = ctx.b;
  ctx.protocol = 'ICMP';
  const have = end - off;
  const fields: Field[] = [];
  if (have >= 1) fields.push(field('type', `${b[off]} (${icmpTypeName(b[off]!)})`, off, 1));
  if (have >= 2) {
    const t = b[off]!;
    const named = t === ICMP_TYPE.DEST_UNREACHABLE || t === ICMP_TYPE.TIME_EXCEEDED;
    fields.push(field('code', named ? `${b[off + 1]} (${icmpCodeName(t, b[off + 1]!)})` : String(b[off + 1]), off + 1, 1));
  }
  if (have < ICMP.HEADER_LEN) {
    if (have >= 4) fields.push(field('checksum', hexNum(readU16(b, off + 2), 4), off + 2, 2));
    ctx.layers.push({ layer: 'ICMP', summary: 'ICMP (truncated)', offset: off, len: have, fields, error: errorText('truncated', `ICMP header needs 8 bytes, have ${have}`) });
    return 'ICMP (truncated)';
  }
  const type = b[off]!;
  const code = b[off + 1]!;
  const stored = readU16(b, off + ICMP.CHECKSUM);
  const good = verifyIcmpChecksum(b, off, have);
  let should = stored;
  if (!good) {
    const copy = b.slice(off, end);
    copy[2] = 0;
    copy[3] = 0;
    should = internetChecksum(copy, 0, have);
  }
  fields.push(field('checksum', checksumValue(stored, good, should), off + ICMP.CHECKSUM, 2));
  const kind: WireError | undefined = good ? undefined : 'bad checksum';
  let text: string;
  if ((type === ICMP_TYPE.ECHO_REQUEST || type === ICMP_TYPE.ECHO_REPLY) && code === 0) {
    const id = readU16(b, off + ICMP.IDENT);
    const seq = readU16(b, off + ICMP.SEQ);
    fields.push(field('identifier', `${id} (${hexNum(id, 4)})`, off + ICMP.IDENT, 2));
    fields.push(field('sequence number', String(seq), off + ICMP.SEQ, 2));
    if (have > ICMP.HEADER_LEN) fields.push(field('data', `${have - 8} bytes: ${dataPreview(b, off + 8, have - 8)}`, off + 8, have - 8));
    text = `${icmpTypeName(type)}, id ${id}, seq ${seq}`;
  } else if (icmpIsError(type)) {
    if (type === ICMP_TYPE.DEST_UNREACHABLE && code === ICMP_UNREACH.FRAG_NEEDED) {
      fields.push(field('next-hop MTU', String(readU16(b, off + ICMP.MTU)), off + ICMP.MTU, 2));
    } else if (type === ICMP_TYPE.REDIRECT) {
      fields.push(field('gateway', formatIpv4(readU32(b, off + 4)), off + 4, 4));
    } else fields.push(field('unused', hexNum(readU32(b, off + 4), 8), off + 4, 4));
    const q = quotedFields(b, off + 8, end);
    fields.push(field('original datagram', q.text, off + 8, have - 8, q.fields));
    text = icmpErrorText(type, code, q, readU16(b, off + ICMP.MTU));
  } else {
    fields.push(field('rest of header', hexNum(readU32(b, off + 4), 8), off + 4, 4));
    if (have > ICMP.HEADER_LEN) fields.push(field('data', dataPreview(b, off + 8, have - 8), off + 8, have - 8));
    text = `${icmpTypeName(type)}, code ${code}`;
  }
  ctx.layers.push({
    layer: 'ICMP',
    summary: text + mark(kind),
    offset: off,
    len: have,
    fields,
    error: kind ? errorText(kind, `ICMP checksum ${hexNum(stored, 4)}, should be ${hexNum(should, 4)}`) : undefined,
  });
  return `ICMP${mark(kind)} ${text}`;
}

function icmpErrorText(type: number, code: number, q: { proto: number; dst: string; dport: number }, mtu: number): string {
  const dst = q.dst || '?';
  if (type === ICMP_TYPE.TIME_EXCEEDED) return code === 0 ? 'time exceeded in-transit' : 'ip reassembly time exceeded';
  if (type !== ICMP_TYPE.DEST_UNREACHABLE) return `${icmpTypeName(type)}, code ${code}, for ${dst}`;
  // Wording follows tcpdump's print-icmp.c messages.
  switch (code) {
    case ICMP_UNREACH.NET:
      return `net ${dst} unreachable`;
    case ICMP_UNREACH.HOST:
      return `host ${dst} unreachable`;
    case ICMP_UNREACH.PROTOCOL:
      return `${dst} protocol ${q.proto} unreachable`;
    case ICMP_UNREACH.PORT:
      return `${dst} ${q.proto === IP_PROTO.TCP ? 'tcp' : q.proto === IP_PROTO.UDP ? 'udp' : `proto ${q.proto}`} port ${q.dport >= 0 ? q.dport : '?'} unreachable`;
    case ICMP_UNREACH.FRAG_NEEDED:
      return `${dst} unreachable - need to frag (mtu ${mtu})`;
    case ICMP_UNREACH.ADMIN_PROHIBITED:
      return `host ${dst} unreachable - admin prohibited filter`;
    default:
      return `${dst} unreachable - ${icmpCodeName(type, code)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// DNS

function dnsQuestionText(q: DnsQuestion): string {
  return `${dnsTypeName(q.type)}? ${q.name}`;
}

function rdataFields(b: Uint8Array, msgOff: number, msgLen: number, r: DnsRecord, rd: number, rdLen: number): Field[] {
  const d = r.data;
  const nameLen = (at: number): number => {
    const n = readDnsName(b, msgOff, msgLen, at);
    return n.ok ? n.end - at : 0;
  };
  switch (d.kind) {
    case 'A':
      return [field('address', formatDnsRdata(d), rd, 4)];
    case 'AAAA':
      return [field('address', formatDnsRdata(d), rd, 16)];
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return [field(d.kind === 'CNAME' ? 'canonical name' : d.kind === 'NS' ? 'name server' : 'domain name', d.target, rd, rdLen)];
    case 'SOA': {
      const m = nameLen(rd);
      const rn = nameLen(rd + m);
      const c = rd + m + rn;
      return [
        field('primary name server', d.mname, rd, m),
        field('responsible mailbox', d.rname, rd + m, rn),
        field('serial', String(d.serial), c, 4),
        field('refresh', String(d.refresh), c + 4, 4),
        field('retry', String(d.retry), c + 8, 4),
        field('expire', String(d.expire), c + 12, 4),
        field('minimum TTL', String(d.minimum), c + 16, 4),
      ];
    }
    case 'SRV':
      return [
        field('priority', String(d.priority), rd, 2),
        field('weight', String(d.weight), rd + 2, 2),
        field('port', String(d.port), rd + 4, 2),
        field('target', d.target, rd + 6, rdLen - 6),
      ];
    case 'TXT': {
      const out: Field[] = [];
      let p = rd;
      for (const s of d.strings) {
        const n = b[p]!;
        out.push(field('text', JSON.stringify(s), p, 1 + n));
        p += 1 + n;
      }
      return out;
    }
    case 'OPT':
      return rdLen ? [field('options', toHex(b, rd, rdLen), rd, rdLen)] : [];
    case 'raw':
      return rdLen ? [field('data', formatDnsRdata(d), rd, rdLen)] : [];
  }
}

function describeDns(ctx: Ctx, off: number, end: number): string {
  const b = ctx.b;
  ctx.protocol = 'DNS';
  const len = end - off;
  const fields: Field[] = [];
  if (len < DNS.HEADER_LEN) {
    if (len >= 2) fields.push(field('transaction ID', hexNum(readU16(b, off), 4), off, 2));
    ctx.layers.push({ layer: 'DNS', summary: 'DNS (truncated)', offset: off, len, fields, error: errorText('truncated', `DNS header needs 12 bytes, have ${len}`) });
    return 'DNS (truncated)';
  }
  const id = readU16(b, off);
  const fl = readU16(b, off + DNS.FLAGS);
  const qr = (fl & DNS_FLAG.QR) !== 0;
  const opcode = (fl & DNS_FLAG.OPCODE_MASK) >>> 11;
  const rcode = fl & DNS_FLAG.RCODE_MASK;
  const bit = (name: string, m: number): Field => field(name, fl & m ? 'set' : 'not set', off + DNS.FLAGS, 2);
  fields.push(field('transaction ID', hexNum(id, 4), off, 2));
  const flagBits: readonly (readonly [string, number])[] = [
    ['aa', DNS_FLAG.AA],
    ['tc', DNS_FLAG.TC],
    ['rd', DNS_FLAG.RD],
    ['ra', DNS_FLAG.RA],
    ['ad', DNS_FLAG.AD],
    ['cd', DNS_FLAG.CD],
  ];
  const flagNames = [qr ? 'response' : 'query', ...flagBits.filter(([, m]) => fl & m).map(([n]) => n)];
  fields.push(
    field('flags', `${hexNum(fl, 4)} (${flagNames.join(' ')}${rcode ? ` ${dnsRcodeName(rcode)}` : ''})`, off + DNS.FLAGS, 2, [
      field('response', qr ? 'response (1)' : 'query (0)', off + DNS.FLAGS, 1),
      field('opcode', `${dnsOpcodeName(opcode)} (${opcode})`, off + DNS.FLAGS, 1),
      bit('authoritative', DNS_FLAG.AA),
      bit('truncated', DNS_FLAG.TC),
      bit('recursion desired', DNS_FLAG.RD),
      bit('recursion available', DNS_FLAG.RA),
      bit('Z (reserved)', DNS_FLAG.Z),
      bit('authentic data', DNS_FLAG.AD),
      bit('checking disabled', DNS_FLAG.CD),
      field('rcode', `${dnsRcodeName(rcode)} (${rcode})`, off + DNS.FLAGS + 1, 1),
    ]),
  );
  const counts = [readU16(b, off + 4), readU16(b, off + 6), readU16(b, off + 8), readU16(b, off + 10)];
  fields.push(
    field('questions', String(counts[0]), off + 4, 2),
    field('answer RRs', String(counts[1]), off + 6, 2),
    field('authority RRs', String(counts[2]), off + 8, 2),
    field('additional RRs', String(counts[3]), off + 10, 2),
  );
  let p = off + DNS.HEADER_LEN;
  let error: string | undefined;
  let kind: WireError | undefined;
  const questions: DnsQuestion[] = [];
  const qFields: Field[] = [];
  for (let i = 0; i < counts[0]! && !error; i++) {
    const q = readDnsQuestion(b, off, len, p);
    if (!q.ok) {
      kind = q.error;
      error = errorText(q.error, q.detail);
      break;
    }
    const nameEnd = q.end - 4;
    questions.push(q.question);
    qFields.push(
      field(dnsQuestionText(q.question), `${q.question.name} ${dnsClassName(q.question.class)} ${dnsTypeName(q.question.type)}`, p, q.end - p, [
        field('name', q.question.name, p, nameEnd - p),
        field('type', `${dnsTypeName(q.question.type)} (${q.question.type})`, nameEnd, 2),
        field('class', `${dnsClassName(q.question.class)} (${q.question.class})`, nameEnd + 2, 2),
      ]),
    );
    p = q.end;
  }
  if (qFields.length) fields.push(field('Queries', `${qFields.length}`, qFields[0]!.offset, p - qFields[0]!.offset, qFields));
  const sectionNames = ['Answers', 'Authority', 'Additional'] as const;
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3 && !error; s++) {
    const start = p;
    const rFields: Field[] = [];
    for (let i = 0; i < counts[s + 1]!; i++) {
      const r = readDnsRecord(b, off, len, p);
      if (!r.ok) {
        kind = r.error;
        error = errorText(r.error, r.detail);
        break;
      }
      const rec = r.record;
      sections[s]!.push(rec);
      const meta = r.rdataOff - 10;
      const isOpt = rec.type === DNS_TYPE.OPT;
      const children: Field[] = [
        field('name', rec.name, p, meta - p),
        field('type', `${dnsTypeName(rec.type)} (${rec.type})`, meta, 2),
        isOpt ? field('UDP payload size', String(rec.class), meta + 2, 2) : field('class', `${dnsClassName(rec.class)} (${rec.class})`, meta + 2, 2),
        isOpt
          ? field('EDNS', `extended rcode ${rec.ttl >>> 24}, version ${(rec.ttl >>> 16) & 0xff}${rec.ttl & 0x8000 ? ', DO' : ''}`, meta + 4, 4)
          : field('time to live', String(rec.ttl), meta + 4, 4),
        field('data length', String(r.rdataLen), meta + 8, 2),
        ...rdataFields(b, off, len, rec, r.rdataOff, r.rdataLen),
      ];
      const title = isOpt ? `OPT (EDNS0), UDP payload size ${rec.class}` : `${rec.name} ${dnsTypeName(rec.type)} ${formatDnsRdata(rec.data)}`;
      rFields.push(field(title, isOpt ? `version ${(rec.ttl >>> 16) & 0xff}` : `ttl ${rec.ttl}`, p, r.end - p, children));
      p = r.end;
    }
    if (rFields.length) fields.push(field(sectionNames[s], String(rFields.length), start, p - start, rFields));
  }
  let text: string;
  const q0 = questions[0] ? dnsQuestionText(questions[0]) : '(no question)';
  if (!qr) text = q0;
  else {
    const ans = sections[0]!.map((r) => `${dnsTypeName(r.type)} ${formatDnsRdata(r.data)}`);
    text = `response ${dnsRcodeName(rcode)} ${q0} ${counts[1]}/${counts[2]}/${counts[3]}${ans.length ? ' ' + ans.join(', ') : ''}`;
  }
  if (opcode !== 0) text = `${dnsOpcodeName(opcode)} ${text}`;
  if (fl & DNS_FLAG.TC) text += ' (TC)';
  ctx.layers.push({
    layer: 'DNS',
    summary: `${qr ? 'response' : 'query'} ${hexNum(id, 4)} ${qr ? text.replace(/^response /, '') : text}${mark(kind)}`,
    offset: off,
    len,
    fields,
    error,
  });
  return `DNS${mark(kind)} ${text}`;
}

// ---------------------------------------------------------------------------------------------
// HTTP

function describeHttp(ctx: Ctx, off: number, end: number, sniff: 'request' | 'response'): string {
  const b = ctx.b;
  ctx.protocol = 'HTTP';
  const len = end - off;
  const head = readHttpHead(b, off, len);
  if (!head.ok) {
    // Only part of the head is in this segment: show the lines that are there.
    let q = off;
    while (q < end && b[q] !== 0x0a) q++;
    const first = latin1(b, off, q - off).replace(/\r$/, '');
    const incomplete = head.error === 'incomplete';
    ctx.layers.push({
      layer: 'HTTP',
      summary: `${first}${incomplete ? ' (incomplete)' : ' (malformed)'}`,
      offset: off,
      len,
      fields: [field('start line', first, off, q - off), field('data', dataPreview(b, off, len), off, len)],
      error: incomplete ? undefined : errorText(head.error, head.detail),
    });
    return first;
  }
  const h = head.repr;
  const fields: Field[] = [];
  const sl = h.startLine;
  const parts = sl.text.split(' ');
  const slChildren: Field[] = [];
  let at = sl.off;
  const names = sniff === 'request' ? ['method', 'target', 'version'] : ['version', 'status', 'reason'];
  for (let i = 0; i < parts.length && i < 3; i++) {
    const t = i === 2 ? parts.slice(2).join(' ') : parts[i]!;
    slChildren.push(field(names[i]!, t, at, t.length));
    at += t.length + 1;
  }
  fields.push(field(sniff === 'request' ? 'request line' : 'status line', sl.text, sl.off, sl.len, slChildren));
  for (const hd of h.headers) fields.push(field(hd[0], hd[1], hd.line.off, hd.line.len));
  const parsed = sniff === 'request' ? parseHttpRequest(b, off, len) : parseHttpResponse(b, off, len);
  let error: string | undefined;
  let note = '';
  const bodyAvail = end - h.bodyOff;
  if (parsed.ok) {
    const consumed = parsed.consumed;
    if (consumed > h.bodyOff - off) fields.push(field('body', `${parsed.repr.body.length} bytes: ${textPreview(parsed.repr.body, 0, parsed.repr.body.length)}`, h.bodyOff, off + consumed - h.bodyOff));
    if (off + consumed < end) fields.push(field('following data', dataPreview(b, off + consumed, end - off - consumed), off + consumed, end - off - consumed));
  } else if (parsed.error === 'incomplete') {
    note = ' (incomplete)';
    if (bodyAvail > 0) fields.push(field('body (partial)', `${bodyAvail} bytes: ${textPreview(b, h.bodyOff, bodyAvail)}`, h.bodyOff, bodyAvail));
  } else {
    error = errorText(parsed.error, parsed.detail);
    note = ' (malformed)';
  }
  ctx.layers.push({ layer: 'HTTP', summary: sl.text + note, offset: off, len, fields, error });
  return sl.text + (error ? ' (malformed)' : '');
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Dissects a frame once: layers, one-line summary and protocol column. Never throws. */
export function dissectPacket(bytes: Uint8Array, linkType: LinkType): Dissection {
  const ctx: Ctx = { b: bytes, layers: [], protocol: linkType === 'ethernet' ? 'Ethernet' : linkType === 'ppp' ? 'PPP' : 'IPv4' };
  let summary: string;
  try {
    if (linkType === 'ethernet') summary = describeEthernet(ctx, 0, bytes.length);
    else if (linkType === 'ppp') summary = describePpp(ctx, 0, bytes.length);
    else {
      const [line, used] = describeIpv4(ctx, 0, bytes.length);
      if (used < bytes.length) pushData(ctx, used, bytes.length, 'Padding');
      summary = line;
    }
  } catch (e) {
    // A decoder bug must not take the UI down; report it as a malformed layer instead.
    ctx.layers.push({ layer: 'Data', summary: 'internal decoder error', offset: 0, len: bytes.length, fields: [], error: `malformed: internal decoder error: ${String(e)}` });
    summary = `(internal decoder error: ${String(e)})`;
  }
  return { layers: ctx.layers, summary, protocol: ctx.protocol };
}

/** The layer tree of a frame, outermost first; offsets are absolute in `bytes`. Never throws. */
export function describePacket(bytes: Uint8Array, linkType: LinkType): Layer[] {
  return dissectPacket(bytes, linkType).layers as Layer[];
}

/** A tcpdump-like one-line summary: "10.2.1.4.43210 > 10.96.0.10.53: UDP, DNS A? backend.default.svc.cluster.local.". Never throws. */
export function summarizePacket(bytes: Uint8Array, linkType: LinkType): string {
  return dissectPacket(bytes, linkType).summary;
}

/** The protocol column: the top-most recognised protocol ("HTTP", "DNS", "TCP", "UDP", "ICMP", "ARP", else "IPv4"/"Ethernet"/"PPP"). */
export function packetProtocol(bytes: Uint8Array, linkType: LinkType): string {
  return dissectPacket(bytes, linkType).protocol;
}

/** Renders layers as indented text, one field per line (smoltcp's PrettyPrinter shape), for the CLI and test failure messages. */
export function formatLayers(layers: readonly Layer[]): string {
  const out: string[] = [];
  const walk = (fs: readonly Field[], depth: number): void => {
    for (const f of fs) {
      out.push(`${'  '.repeat(depth)}${f.name}${f.value === '' ? '' : `: ${f.value}`}`);
      if (f.children) walk(f.children, depth + 1);
    }
  };
  for (const l of layers) {
    out.push(`${l.layer}: ${l.summary}${l.error ? `  [${l.error}]` : ''}`);
    walk(l.fields, 1);
  }
  return out.join('\n');
}
