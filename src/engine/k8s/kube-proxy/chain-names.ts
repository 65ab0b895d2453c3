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
  return base32Encode(sha256(utf8ToBytes(text))).slice(0, 16);
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
