/**
 * The kube-proxy settings that shape the iptables rules (the relevant part of
 * KubeProxyConfiguration plus two facts about the node's iptables), and the settings an
 * IPv4 proxier derives from them at start-up: the masquerade mark, the local-traffic
 * detector, the --nodeport-addresses matcher and whether localhost NodePorts stay on.
 */
import type { Ipv4Addr } from '../../wire/addr.ts';
import { isIpv4Loopback, parseIpv4PrefixSloppy, prefixContains, type Ipv4Prefix } from './ip.ts';

/** KubeProxyConfiguration detectLocalMode; '' means no detector (LocalModeNone). */
export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | '';

/** The kube-proxy configuration fields (and node iptables facts) the renderer reads. */
export interface KubeProxyConfig {
  /** --cluster-cidr; may list one CIDR per family ("10.244.0.0/16,fd00::/56"). '' = none. */
  readonly clusterCIDR: string;
  /** --masquerade-all: SNAT every packet sent to a cluster IP. */
  readonly masqueradeAll: boolean;
  /** --nodeport-addresses; [] means every local address. */
  readonly nodePortAddresses: readonly string[];
  /** iptables.localhostNodePorts (default true). */
  readonly localhostNodePorts: boolean;
  /** The node's iptables supports `MASQUERADE --random-fully` (any modern one does). */
  readonly randomFully: boolean;
  readonly detectLocalMode: DetectLocalMode;
  /** detectLocal.bridgeInterface, for detectLocalMode BridgeInterface. */
  readonly bridgeInterface?: string;
  /** detectLocal.interfaceNamePrefix, for detectLocalMode InterfaceNamePrefix. */
  readonly interfaceNamePrefix?: string;
  /** The node has nfacct, so kube-proxy writes its two counter matches (default false). */
  readonly nfacct?: boolean;
  /** iptables.masqueradeBit (default 14, i.e. mark 0x4000). */
  readonly masqueradeBit?: number;
  /** sysctl net.netfilter.nf_conntrack_tcp_be_liberal is non-zero: no INVALID drop rule. */
  readonly conntrackTCPBeLiberal?: boolean;
}

/** The node facts the renderer needs. */
export interface KubeProxyNode {
  /** The Node's name: endpoints whose nodeName equals it are local. */
  readonly name: string;
  /**
   * The IPv4 addresses on the node's interfaces, primary (InternalIP) first. Loopback
   * 127.0.0.1 is implied (every node has `lo`) and need not be listed.
   */
  readonly ips: readonly string[];
  /** spec.podCIDR, for detectLocalMode NodeCIDR. */
  readonly podCIDR?: string;
}

/** Match arguments telling pod traffic from other traffic (pkg/proxy/util LocalTrafficDetector). */
export interface LocalTrafficDetector {
  /** Matches traffic from local pods, e.g. ["-s", "10.244.0.0/16"]. */
  readonly ifLocal: readonly string[];
  /** Matches everything else, e.g. ["!", "-s", "10.244.0.0/16"]. */
  readonly ifNotLocal: readonly string[];
}

/** The mark text kube-proxy writes: 1 << bit formatted as Go's `%#08x` ("0x00004000"). */
export function masqueradeMark(bit = 14): string {
  return '0x' + (2 ** bit).toString(16).padStart(8, '0');
}

function firstIpv4Prefix(list: string): Ipv4Prefix | null {
  for (const part of list.trim().split(',')) {
    const p = parseIpv4PrefixSloppy(part.trim());
    if (p !== null) return p;
  }
  return null;
}

/** The IPv4 local-traffic detector for a configuration, or null when there is none. */
export function localTrafficDetector(config: KubeProxyConfig, node: KubeProxyNode): LocalTrafficDetector | null {
  const byCidr = (p: Ipv4Prefix | null): LocalTrafficDetector | null =>
    p === null ? null : { ifLocal: ['-s', p.text], ifNotLocal: ['!', '-s', p.text] };
  switch (config.detectLocalMode) {
    case 'ClusterCIDR':
      return byCidr(firstIpv4Prefix(config.clusterCIDR));
    case 'NodeCIDR':
      return byCidr(firstIpv4Prefix(node.podCIDR ?? ''));
    case 'BridgeInterface': {
      const br = config.bridgeInterface ?? '';
      return br === '' ? null : { ifLocal: ['-i', br], ifNotLocal: ['!', '-i', br] };
    }
    case 'InterfaceNamePrefix': {
      const pfx = config.interfaceNamePrefix ?? '';
      return pfx === '' ? null : { ifLocal: ['-i', `${pfx}+`], ifNotLocal: ['!', '-i', `${pfx}+`] };
    }
    default:
      return null;
  }
}

/** --nodeport-addresses as an IPv4 proxier reads it (pkg/proxy/util NodePortAddresses). */
export interface NodePortAddresses {
  /** No IPv4 CIDR given, or 0.0.0.0/0 among them: every local address. */
  readonly matchAll: boolean;
  readonly prefixes: readonly Ipv4Prefix[];
  /** Some CIDR covers IPv4 loopback; otherwise localhost NodePorts are switched off. */
  readonly containsIPv4Loopback: boolean;
}

const LOOPBACK_START: Ipv4Addr = 0x7f000000;

/** Parses --nodeport-addresses for the IPv4 family; CIDRs of other families are ignored. */
export function nodePortAddresses(cidrs: readonly string[]): NodePortAddresses {
  let texts = cidrs.filter((c) => parseIpv4PrefixSloppy(c) !== null);
  if (texts.length === 0) texts = ['0.0.0.0/0'];
  const prefixes: Ipv4Prefix[] = [];
  let containsIPv4Loopback = false;
  for (const text of texts) {
    const p = parseIpv4PrefixSloppy(text)!;
    if (isIpv4Loopback(p.network) || prefixContains(p, LOOPBACK_START)) containsIPv4Loopback = true;
    if (p.prefixLen === 0) return { matchAll: true, prefixes: [p], containsIPv4Loopback };
    prefixes.push(p);
  }
  return { matchAll: false, prefixes, containsIPv4Loopback };
}
