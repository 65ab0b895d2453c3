/**
 * BIND 9.18 `dig` output for a reply, byte for byte as dig prints it (bin/dig/dig.c
 * printmessage/received, lib/dns/message.c, lib/dns/masterdump.c):
 *
 * ```
 * (blank line)
 * ; <<>> DiG 9.18.33 <<>> ARGS
 * ;; global options: +cmd
 * ;; Got answer:
 * ;; WARNING: .local is reserved for Multicast DNS           (question under local.)
 * ;; You are currently testing what happens when an mDNS query is leaked to DNS
 * ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: N
 * ;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1
 * ;; WARNING: recursion requested but not available          (rd set, ra clear)
 * (blank line)
 * ;; OPT PSEUDOSECTION:                                       (reply carries OPT)
 * ; EDNS: version: 0, flags:; udp: 1232
 * ;; QUESTION SECTION:
 * ;name.			IN	A
 * (blank line)
 * ;; ANSWER SECTION:                                          (each non-empty section)
 * name.		30	IN	A	10.96.0.1
 * (blank line)
 * ;; Query time: 0 msec
 * ;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)
 * ;; WHEN: Thu Jan 01 00:00:00 UTC 1970                       (only when `when` is given)
 * ;; MSG SIZE  rcvd: 102
 * (blank line)
 * ```
 *
 * Record lines use dig's master-file style: owner, TTL, class, type and rdata start at
 * columns 0, 24, 32, 40, 48, reached with tabs (8 wide) and a single space when a field
 * already runs past its column. The question line counts columns from the name (after ";").
 * Rdata: SOA on one line, SRV "prio weight port target.", TXT quoted with \DDD escapes,
 * AAAA in inet_ntop form (::ffff:a.b.c.d kept dotted), names escaped as BIND does; MX and
 * HINFO are decoded from raw rdata; other types print in RFC 3597 form (`\# LEN HEX`, upper
 * case). `+short` prints just the answer rdata, one per line.
 */
import { formatIpv4 } from '../wire/addr.ts';
import { dnsClassName, dnsTypeName, DNS_TYPE, type DnsMessage, type DnsRdata, type DnsRecord } from '../wire/dns.ts';

/** The dig version the banner names. */
export const DIG_VERSION = '9.18.33';

/** What dig knows besides the reply itself. */
export interface DigFormatOptions {
  /** The name asked (used for the banner when `argv` is absent). */
  readonly qname: string;
  /** The type asked, as typed ("A", "SRV", …; used for the banner when `argv` is absent). */
  readonly qtype: string;
  /** The server's address (from resolv.conf or `@server`). */
  readonly server: string;
  /** Defaults to 53. */
  readonly port?: number;
  /** Defaults to UDP. */
  readonly transport?: 'UDP' | 'TCP' | 'udp' | 'tcp';
  /** Round trip in milliseconds; printed truncated to a whole number. */
  readonly queryTimeMs: number;
  /** The reply's size in bytes (for TCP without the 2-byte length prefix). */
  readonly msgSize: number;
  /** The `;; WHEN:` text (see {@link digWhen}); the line is left out when absent. */
  readonly when?: string;
  /** `+short`: only the answer rdata. */
  readonly short?: boolean;
  /** The words after `dig` on the command line, for the banner; default: qname, then qtype unless it is A. */
  readonly argv?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Presentation of names and rdata (BIND's rules)

/** The bytes of each label of a presentation name (undoing "\." and "\DDD" escapes). */
function nameLabels(name: string): number[][] {
  if (name === '.' || name === '') return [];
  const labels: number[][] = [];
  let cur: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\') {
      const d = name.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        cur.push(Number(d) & 0xff);
        i += 3;
      } else if (i + 1 < name.length) {
        cur.push(...utf8(name[i + 1]!));
        i += 1;
      }
    } else if (c === '.') {
      labels.push(cur);
      cur = [];
    } else {
      cur.push(...utf8(c));
    }
  }
  if (cur.length > 0) labels.push(cur);
  return labels;
}

function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return out;
}

const DDD = (b: number): string => '\\' + String(b).padStart(3, '0');

/** A name as dns_name_totext writes it: `"` `(` `)` `.` `;` `\` `@` `$` backslash-escaped, other non-printables as \DDD. */
export function digName(name: string): string {
  const labels = nameLabels(name);
  if (labels.length === 0) return '.';
  return (
    labels
      .map((l) =>
        l
          .map((b) => {
            if ('"().;\\@$'.includes(String.fromCharCode(b)) && b < 0x80) return '\\' + String.fromCharCode(b);
            return b > 0x20 && b < 0x7f ? String.fromCharCode(b) : DDD(b);
          })
          .join(''),
      )
      .join('.') + '.'
  );
}

function txtString(s: string): string {
  return (
    '"' +
    utf8(s)
      .map((b) => (b === 0x22 || b === 0x5c ? '\\' + String.fromCharCode(b) : b < 0x20 || b >= 0x7f ? DDD(b) : String.fromCharCode(b)))
      .join('') +
    '"'
  );
}

/** An IPv6 address as BIND's inet_ntop writes it (RFC 5952 compression; ::a.b.c.d and ::ffff:a.b.c.d dotted). */
export function digIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (cur.base === -1) cur = { base: i, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

function hexUpper(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).toUpperCase().padStart(2, '0');
  return s;
}

function unknownRdata(bytes: Uint8Array): string {
  return bytes.length === 0 ? '\\# 0' : `\\# ${bytes.length} ${hexUpper(bytes)}`;
}

/** An uncompressed wire name at `off` in `b`, or null (a compression pointer cannot be followed from raw rdata). */
function rawName(b: Uint8Array, off: number): { name: string; end: number } | null {
  const labels: string[] = [];
  let p = off;
  for (;;) {
    if (p >= b.length) return null;
    const n = b[p]!;
    if (n === 0) return { name: labels.length === 0 ? '.' : digName(labels.join('.') + '.'), end: p + 1 };
    if (n > 63 || p + 1 + n > b.length) return null;
    labels.push(
      [...b.subarray(p + 1, p + 1 + n)]
        .map((x) => (x === 0x2e || x === 0x5c ? '\\' + String.fromCharCode(x) : x > 0x20 && x < 0x7f ? String.fromCharCode(x) : DDD(x)))
        .join(''),
    );
    p += 1 + n;
  }
}

function rawCharStrings(b: Uint8Array): string[] | null {
  const out: string[] = [];
  let p = 0;
  while (p < b.length) {
    const n = b[p]!;
    if (p + 1 + n > b.length) return null;
    out.push('"' + [...b.subarray(p + 1, p + 1 + n)].map((x) => (x === 0x22 || x === 0x5c ? '\\' + String.fromCharCode(x) : x < 0x20 || x >= 0x7f ? DDD(x) : String.fromCharCode(x))).join('') + '"');
    p += 1 + n;
  }
  return out;
}

function rawRdata(type: number, bytes: Uint8Array): string {
  if (type === DNS_TYPE.MX && bytes.length >= 3) {
    const n = rawName(bytes, 2);
    if (n !== null && n.end === bytes.length) return `${(bytes[0]! << 8) | bytes[1]!} ${n.name}`;
  }
  if (type === 13 /* HINFO */) {
    const s = rawCharStrings(bytes);
    if (s !== null && s.length === 2) return s.join(' ');
  }
  return unknownRdata(bytes);
}

/** The rdata of `rec` as dig prints it. */
export function digRdata(rec: DnsRecord): string {
  const d: DnsRdata = rec.data;
  switch (d.kind) {
    case 'A':
      return formatIpv4(d.address);
    case 'AAAA':
      return d.address.length === 16 ? digIpv6(d.address) : unknownRdata(d.address);
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return digName(d.target);
    case 'SOA':
      return `${digName(d.mname)} ${digName(d.rname)} ${d.serial >>> 0} ${d.refresh >>> 0} ${d.retry >>> 0} ${d.expire >>> 0} ${d.minimum >>> 0}`;
    case 'SRV':
      return `${d.priority} ${d.weight} ${d.port} ${digName(d.target)}`;
    case 'TXT':
      return d.strings.map(txtString).join(' ');
    case 'OPT':
      return unknownRdata(d.options);
    case 'raw':
      return rawRdata(rec.type, d.bytes);
  }
}

/** Mnemonics BIND knows beyond those of the wire module (so a HINFO question prints "HINFO", not "TYPE13"). */
const MORE_TYPE_NAMES: Readonly<Record<number, string>> = {
  3: 'MD',
  4: 'MF',
  7: 'MB',
  8: 'MG',
  9: 'MR',
  10: 'NULL',
  11: 'WKS',
  13: 'HINFO',
  14: 'MINFO',
  17: 'RP',
  18: 'AFSDB',
  24: 'SIG',
  25: 'KEY',
  29: 'LOC',
  35: 'NAPTR',
  36: 'KX',
  37: 'CERT',
  39: 'DNAME',
  42: 'APL',
  44: 'SSHFP',
  45: 'IPSECKEY',
  49: 'DHCID',
  50: 'NSEC3',
  51: 'NSEC3PARAM',
  52: 'TLSA',
  53: 'SMIMEA',
  59: 'CDS',
  60: 'CDNSKEY',
  61: 'OPENPGPKEY',
  62: 'CSYNC',
  63: 'ZONEMD',
  99: 'SPF',
  249: 'TKEY',
  250: 'TSIG',
  253: 'MAILB',
  254: 'MAILA',
  256: 'URI',
};

/** A type's mnemonic as dig prints it ("A", "HINFO", or RFC 3597 "TYPE65280"). */
export function digTypeName(type: number): string {
  return MORE_TYPE_NAMES[type] ?? dnsTypeName(type);
}

// ---------------------------------------------------------------------------------------------
// Columns (masterdump.c indent(): tabs of 8, at least one separator)

const TAB = 8;

function indentTo(line: { text: string; col: number }, to: number): void {
  const target = to < line.col + 1 ? line.col + 1 : to;
  const tabs = Math.floor(target / TAB) - Math.floor(line.col / TAB);
  let from = line.col;
  if (tabs > 0) {
    line.text += '\t'.repeat(tabs);
    from = Math.floor(target / TAB) * TAB;
  }
  line.text += ' '.repeat(target - from);
  line.col = target;
}

function field(line: { text: string; col: number }, s: string): void {
  line.text += s;
  line.col += s.length;
}

/** One record line: owner, TTL, class, type, rdata at dig's columns 0/24/32/40/48. */
export function digRecordLine(rec: DnsRecord): string {
  const line = { text: '', col: 0 };
  field(line, digName(rec.name));
  indentTo(line, 24);
  field(line, String(rec.ttl >>> 0));
  indentTo(line, 32);
  field(line, dnsClassName(rec.class));
  indentTo(line, 40);
  field(line, digTypeName(rec.type));
  indentTo(line, 48);
  line.text += digRdata(rec);
  return line.text;
}

function questionLine(name: string, qclass: number, qtype: number): string {
  const line = { text: '', col: 0 };
  field(line, digName(name));
  indentTo(line, 32);
  field(line, dnsClassName(qclass));
  indentTo(line, 40);
  field(line, digTypeName(qtype));
  return ';' + line.text;
}

// ---------------------------------------------------------------------------------------------
// Header and EDNS

const OPCODES = ['QUERY', 'IQUERY', 'STATUS', 'RESERVED3', 'NOTIFY', 'UPDATE', 'RESERVED6', 'RESERVED7', 'RESERVED8', 'RESERVED9', 'RESERVED10', 'RESERVED11', 'RESERVED12', 'RESERVED13', 'RESERVED14', 'RESERVED15'];
const RCODES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
  11: 'RESERVED11',
  12: 'RESERVED12',
  13: 'RESERVED13',
  14: 'RESERVED14',
  15: 'RESERVED15',
  16: 'BADVERS',
  17: 'BADKEY',
  18: 'BADTIME',
  19: 'BADMODE',
  20: 'BADNAME',
  21: 'BADALG',
  22: 'BADTRUNC',
  23: 'BADCOOKIE',
};

function isUnderLocal(name: string): boolean {
  const labels = nameLabels(name);
  return labels.length > 0 && String.fromCharCode(...labels[labels.length - 1]!).toLowerCase() === 'local';
}

function optLines(opt: DnsRecord): string[] {
  const version = (opt.ttl >>> 16) & 0xff;
  const flags = opt.ttl & 0xffff;
  const mbz = flags & ~0x8000;
  const lines = [`; EDNS: version: ${version}, flags:${flags & 0x8000 ? ' do' : ''}; ${mbz !== 0 ? `MBZ: 0x${mbz.toString(16).padStart(4, '0')}, ` : ''}udp: ${opt.class}`];
  const b = opt.data.kind === 'OPT' ? opt.data.options : opt.data.kind === 'raw' ? opt.data.bytes : new Uint8Array(0);
  let p = 0;
  while (p + 4 <= b.length) {
    const code = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    const data = b.subarray(p + 4, Math.min(b.length, p + 4 + len));
    p += 4 + len;
    const hexSpaced = [...data].map((x) => x.toString(16).padStart(2, '0') + ' ').join('');
    const printable = [...data].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    if (code === 10) {
      // COOKIE: dig sent a client cookie and reads it back; 8 bytes means the server only echoed it.
      const hexJoined = [...data].map((x) => x.toString(16).padStart(2, '0')).join('');
      lines.push(`; COOKIE: ${hexJoined}${data.length >= 16 ? ' (good)' : data.length > 0 ? ' (echoed)' : ''}`);
    } else if (code === 3) {
      lines.push(`; NSID${data.length ? `: ${hexSpaced}("${printable}")` : ''}`);
    } else {
      lines.push(`; OPT=${code}${data.length ? `: ${hexSpaced}("${printable}")` : ''}`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The whole output

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The `;; WHEN:` text for a Unix time, as strftime("%a %b %d %H:%M:%S %Z %Y") prints it in UTC. */
export function digWhen(unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const days = Math.floor(t / 86400);
  const secs = t - days * 86400;
  // Civil-from-days (proleptic Gregorian).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const weekday = DAYS[(((days + 4) % 7) + 7) % 7]!;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${weekday} ${MONTHS[month - 1]} ${p2(day)} ${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)} UTC ${year}`;
}

function section(title: string, records: readonly DnsRecord[]): string {
  if (records.length === 0) return '';
  return `;; ${title} SECTION:\n${records.map((r) => digRecordLine(r) + '\n').join('')}\n`;
}

/** What `dig` prints for `reply` (with `+short`: the answer rdata lines only). */
export function formatDig(reply: DnsMessage, opts: DigFormatOptions): string {
  if (opts.short === true) return reply.answers.filter((r) => r.type !== DNS_TYPE.OPT).map((r) => digRdata(r) + '\n').join('');
  const argv = opts.argv ?? [opts.qname, ...(opts.qtype.toUpperCase() === 'A' ? [] : [opts.qtype])];
  const opt = reply.additional.find((r) => r.type === DNS_TYPE.OPT);
  const ext = opt === undefined ? 0 : (opt.ttl >>> 24) << 4;
  const rcode = ext | (reply.rcode ?? 0);
  const flags = [
    reply.qr ? 'qr' : '',
    reply.aa ? 'aa' : '',
    reply.tc ? 'tc' : '',
    reply.rd ? 'rd' : '',
    reply.ra ? 'ra' : '',
    reply.ad ? 'ad' : '',
    reply.cd ? 'cd' : '',
  ].filter((f) => f !== '');
  let out = `\n; <<>> DiG ${DIG_VERSION} <<>>${argv.map((a) => ' ' + a).join('')}\n`;
  if (argv.some((a) => a.startsWith('@'))) out += '; (1 server found)\n';
  out += ';; global options: +cmd\n;; Got answer:\n';
  if (reply.questions.some((q) => isUnderLocal(q.name))) {
    out += ';; WARNING: .local is reserved for Multicast DNS\n;; You are currently testing what happens when an mDNS query is leaked to DNS\n';
  }
  out += `;; ->>HEADER<<- opcode: ${OPCODES[(reply.opcode ?? 0) & 0xf]}, status: ${RCODES[rcode] ?? String(rcode)}, id: ${reply.id}\n`;
  out += `;; flags:${flags.map((f) => ' ' + f).join('')}${reply.z ? '; MBZ: 0x4' : ''}; QUERY: ${reply.questions.length}, ANSWER: ${reply.answers.length}, AUTHORITY: ${reply.authority.length}, ADDITIONAL: ${reply.additional.length}\n`;
  if (reply.rd && !reply.ra) out += ';; WARNING: recursion requested but not available\n';
  out += '\n';
  if (opt !== undefined) out += ';; OPT PSEUDOSECTION:\n' + optLines(opt).map((l) => l + '\n').join('');
  if (reply.questions.length > 0) out += `;; QUESTION SECTION:\n${reply.questions.map((q) => questionLine(q.name, q.class, q.type) + '\n').join('')}\n`;
  out += section('ANSWER', reply.answers);
  out += section('AUTHORITY', reply.authority);
  out += section(
    'ADDITIONAL',
    reply.additional.filter((r) => r !== opt),
  );
  const proto = (opts.transport ?? 'UDP').toUpperCase();
  out += `;; Query time: ${Math.floor(opts.queryTimeMs)} msec\n`;
  out += `;; SERVER: ${opts.server}#${opts.port ?? 53}(${opts.server}) (${proto})\n`;
  if (opts.when !== undefined) out += `;; WHEN: ${opts.when}\n`;
  out += `;; MSG SIZE  rcvd: ${opts.msgSize}\n\n`;
  return out;
}
