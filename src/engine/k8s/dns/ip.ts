/**
 * IP text as CoreDNS reads it. CoreDNS decides whether a record's host is an address or a
 * name with Go's `net.ParseIP` (strict: no leading zeros in IPv4, no zone suffix), treats an
 * IPv4-mapped IPv6 address as IPv4 (`To4()`), and turns reverse names back into addresses
 * (`dnsutil.ExtractAddressFromReverse`). See shared/docs/cluster-dns.md §3.1 (PTR) and §3.6.
 */
import { formatIpv4, formatIpv6, type Ipv4Addr } from '../../wire/addr.ts';

/** An address as Go's `net.ParseIP` + `To4()` see it: IPv4 (also IPv4-mapped IPv6) or IPv6. */
export type GoIp = { readonly family: 4; readonly v4: Ipv4Addr } | { readonly family: 6; readonly bytes: Uint8Array };

function parseV4(s: string): Ipv4Addr | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    // Go ≥ 1.17 rejects leading zeros ("010") instead of reading them as octal or decimal.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

function parseV6(text: string): Uint8Array | null {
  const b = new Uint8Array(16);
  let s = text;
  let i = 0;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return b;
  }
  while (i < 16) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(s);
    if (!m) return null;
    const g = m[0];
    if (s[g.length] === '.') {
      // A trailing dotted IPv4 fills the last 4 bytes.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return null;
      const v4 = parseV4(s);
      if (v4 === null) return null;
      b[i] = v4 >>> 24;
      b[i + 1] = (v4 >>> 16) & 255;
      b[i + 2] = (v4 >>> 8) & 255;
      b[i + 3] = v4 & 255;
      i += 4;
      s = '';
      break;
    }
    const n = parseInt(g, 16);
    b[i] = n >>> 8;
    b[i + 1] = n & 255;
    i += 2;
    s = s.slice(g.length);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) b[j + n] = b[j]!;
    b.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    // "::" must stand for at least one zero group.
    return null;
  }
  return b;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let k = 0; k < 10; k++) if (b[k] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Parses `text` as Go's `net.ParseIP` does (the first '.' or ':' picks the family); null when it is not an address. */
export function parseGoIp(text: string): GoIp | null {
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === '.') {
      const v4 = parseV4(text);
      return v4 === null ? null : { family: 4, v4 };
    }
    if (c === ':') {
      const bytes = parseV6(text);
      if (bytes === null) return null;
      if (isV4Mapped(bytes)) return { family: 4, v4: ((bytes[12]! << 24) | (bytes[13]! << 16) | (bytes[14]! << 8) | bytes[15]!) >>> 0 };
      return { family: 6, bytes };
    }
  }
  return null;
}

/** The text Go's `IP.String()` prints: dotted quad for IPv4, RFC 5952 for IPv6. */
export function formatGoIp(ip: GoIp): string {
  return ip.family === 4 ? formatIpv4(ip.v4) : formatIpv6(ip.bytes);
}

/** The canonical text of `text` when it parses as an address, else null. */
export function canonicalIp(text: string): string | null {
  const ip = parseGoIp(text);
  return ip === null ? null : formatGoIp(ip);
}

const IP4_ARPA = '.in-addr.arpa.';
const IP6_ARPA = '.ip6.arpa.';

/**
 * The address a lower-case reverse name stands for, as CoreDNS's ExtractAddressFromReverse
 * reads it: `d.c.b.a.in-addr.arpa.` → "a.b.c.d"; 32 nibbles under `ip6.arpa.` → the IPv6
 * text. Null for anything that does not parse (partial names, the zone apexes).
 */
export function addressFromReverseName(name: string): string | null {
  let labels: string[];
  let v6: boolean;
  if (name.endsWith(IP4_ARPA)) {
    labels = name.slice(0, -IP4_ARPA.length).split('.');
    v6 = false;
  } else if (name.endsWith(IP6_ARPA)) {
    labels = name.slice(0, -IP6_ARPA.length).split('.');
    v6 = true;
  } else return null;
  labels.reverse();
  let text: string;
  if (v6) {
    // Groups of four labels joined by ':' (left-over labels are ignored, as CoreDNS does).
    const groups: string[] = [];
    for (let g = 0; g < Math.floor(labels.length / 4); g++) groups.push(labels.slice(g * 4, g * 4 + 4).join(''));
    text = groups.join(':');
  } else text = labels.join('.');
  const ip = parseGoIp(text);
  if (ip === null || (!v6 && ip.family !== 4)) return null;
  return formatGoIp(ip);
}

/** The reverse-lookup name of an address text (`10.96.0.10` → `10.0.96.10.in-addr.arpa.`), or null when it does not parse. */
export function reverseNameOf(text: string): string | null {
  const ip = parseGoIp(text);
  if (ip === null) return null;
  if (ip.family === 4) {
    const a = ip.v4;
    return `${a & 255}.${(a >>> 8) & 255}.${(a >>> 16) & 255}.${a >>> 24}.in-addr.arpa.`;
  }
  const nibbles: string[] = [];
  for (let k = 15; k >= 0; k--) {
    const byte = ip.bytes[k]!;
    nibbles.push((byte & 15).toString(16), (byte >>> 4).toString(16));
  }
  return `${nibbles.join('.')}.ip6.arpa.`;
}
