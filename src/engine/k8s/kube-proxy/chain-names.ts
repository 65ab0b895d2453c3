/**
 * iptables chain names as kube-proxy's iptables proxier spells them: the fixed top-level
 * chains, and the hashed per-service-port and per-endpoint chains.
 *
 * The hash suffix exists because iptables limits chain names to 28 characters, while a
 * service-port name can be far longer. Recipe (shared/docs/kube-proxy-iptables.md §2):
 * the first 16 characters of RFC 4648 base32 of SHA-256 over the service-port name
 * ("ns/name:port", or "ns/name" for an unnamed port) followed directly by the lower-case
 * protocol, plus, for endpoint chains, the endpoint "ip:port" ("[ip]:port" for IPv6).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** nat and filter: the entry chain for service dispatch / reject rules. */
export const KUBE_SERVICES = 'KUBE-SERVICES';
/** filter: REJECT/DROP for external destinations without usable endpoints. */
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
/** nat: NodePort dispatch; filter: health-check node port ACCEPTs. */
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
/** nat: MASQUERADE for marked packets. */
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
/** nat: ORs the masquerade bit into the packet mark. */
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
/** filter: INVALID drop and accept rules for forwarded service traffic. */
export const KUBE_FORWARD = 'KUBE-FORWARD';
/** filter: DROP for load-balancer traffic that KUBE-FW-* did not let through. */
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
/** filter: the anti-martian rule for localhost NodePorts (a copy of kubelet's chain). */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';
/** mangle, nat, filter: empty chain whose disappearance tells kube-proxy to resync. */
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';

/** Prefix of the Cluster-policy endpoint dispatch chain of a service port. */
export const SVC_PREFIX = 'KUBE-SVC-';
/** Prefix of the Local-policy (node-local endpoints) dispatch chain of a service port. */
export const SVL_PREFIX = 'KUBE-SVL-';
/** Prefix of the chain every external destination of a service port jumps to. */
export const EXT_PREFIX = 'KUBE-EXT-';
/** Prefix of the loadBalancerSourceRanges chain of a service port. */
export const FW_PREFIX = 'KUBE-FW-';
/** Prefix of a per-endpoint DNAT chain. */
export const SEP_PREFIX = 'KUBE-SEP-';

const SERVICE_CHAIN_PREFIXES = [SVC_PREFIX, SVL_PREFIX, EXT_PREFIX, FW_PREFIX, SEP_PREFIX] as const;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32 (alphabet A–Z 2–7) with "=" padding, as Go's base32.StdEncoding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** The 16-character chain suffix kube-proxy derives from a string (base32 of its SHA-256). */
export function chainHash(text: string): string {
  // A sync hashes every endpoint: ASCII names take an allocation-free SHA-256 (the same digest).
  const digest = isAscii(text) ? sha256Ascii(text) : sha256(utf8ToBytes(text));
  let out = '';
  let buffer = 0;
  let bits = 0;
  // 16 characters × 5 bits = the first 10 bytes, as base32Encode(digest).slice(0, 16).
  for (let i = 0; i < 10; i++) {
    buffer = ((buffer << 8) | digest[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

// SHA-256 (FIPS 180-4 §6.2) for ASCII text, into reused buffers.
const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const shaW = new Int32Array(64);
const shaH = new Int32Array(8);
const shaOut = new Uint8Array(32);
let shaBlock = new Uint8Array(128);

function sha256Ascii(text: string): Uint8Array {
  const n = text.length;
  const blocks = ((n + 8) >> 6) + 1;
  if (shaBlock.length < blocks * 64) shaBlock = new Uint8Array(blocks * 64);
  const m = shaBlock;
  for (let i = 0; i < n; i++) m[i] = text.charCodeAt(i);
  m[n] = 0x80;
  const end = blocks * 64;
  m.fill(0, n + 1, end);
  const bitLen = n * 8;
  m[end - 4] = bitLen >>> 24;
  m[end - 3] = (bitLen >>> 16) & 0xff;
  m[end - 2] = (bitLen >>> 8) & 0xff;
  m[end - 1] = bitLen & 0xff;
  const H = shaH;
  H.set(H0);
  const W = shaW;
  for (let b = 0; b < end; b += 64) {
    for (let t = 0; t < 16; t++) {
      const o = b + t * 4;
      W[t] = (m[o]! << 24) | (m[o + 1]! << 16) | (m[o + 2]! << 8) | m[o + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!, w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a = H[0]!, bb = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, h = H[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K256[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & bb) ^ (a & c) ^ (bb & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) | 0;
    }
    H[0] = (H[0]! + a) | 0;
    H[1] = (H[1]! + bb) | 0;
    H[2] = (H[2]! + c) | 0;
    H[3] = (H[3]! + d) | 0;
    H[4] = (H[4]! + e) | 0;
    H[5] = (H[5]! + f) | 0;
    H[6] = (H[6]! + g) | 0;
    H[7] = (H[7]! + h) | 0;
  }
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    shaOut[i * 4] = v >>> 24;
    shaOut[i * 4 + 1] = (v >>> 16) & 0xff;
    shaOut[i * 4 + 2] = (v >>> 8) & 0xff;
    shaOut[i * 4 + 3] = v & 0xff;
  }
  return shaOut;
}

/**
 * The hash shared by a service port's SVC, SVL, EXT and FW chains.
 * Preconditions: `protocol` is lower case ("tcp", "udp", "sctp").
 */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return chainHash(servicePortName + protocol);
}

/** The four per-service-port chain names; all share one hash. */
export interface ServicePortChains {
  readonly svc: string;
  readonly svl: string;
  readonly ext: string;
  readonly fw: string;
}

/** The SVC/SVL/EXT/FW chain names of a service port ("ns/name:port", lower-case protocol). */
export function servicePortChains(servicePortName: string, protocol: string): ServicePortChains {
  const h = portProtoHash(servicePortName, protocol);
  return { svc: SVC_PREFIX + h, svl: SVL_PREFIX + h, ext: EXT_PREFIX + h, fw: FW_PREFIX + h };
}

/**
 * The KUBE-SEP chain name of one endpoint of a service port.
 * Preconditions: `endpoint` is formatted by joinHostPort from a normalised IP.
 */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return SEP_PREFIX + chainHash(servicePortName + protocol + endpoint);
}

/** "ip:port", with the IP in brackets when it is IPv6 (as Go's net.JoinHostPort). */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Whether a chain name is one of kube-proxy's per-service chains (the stale-chain test). */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}
