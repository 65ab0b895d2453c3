/**
 * kube-proxy's iptables mode as a pure function: Services + EndpointSlices + node facts →
 * the exact iptables-restore text one full sync of the IPv4 proxier writes
 * (`iptables-restore --noflush --counters`). Behaviour, rule order and text follow
 * shared/docs/kube-proxy-iptables.md (§4–§6), which restates upstream
 * pkg/proxy/iptables/proxier.go.
 *
 * Shape (as proxier.go's syncProxyRules, split up): derive the proxier settings, then per
 * service port first *decide* (planServicePort: named booleans and chain choices), then
 * *write* into four line buffers, one function per traffic class. The buffers are joined
 * as `*filter` chains+rules `COMMIT` `*nat` chains+rules `COMMIT`.
 *
 * Not modelled: IPv6 (a second proxier), topology hints, partial syncs (re-rendering
 * everything is equivalent to a full sync every time).
 */
import { formatIpv4, type Ipv4Addr } from '../../wire/addr.ts';
import type { EndpointSlice, Service } from '../model/index.ts';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_CANARY,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  endpointChainName,
  isServiceChainName,
} from './chain-names.ts';
import {
  localTrafficDetector,
  masqueradeMark,
  nodePortAddresses,
  type KubeProxyConfig,
  type KubeProxyNode,
  type LocalTrafficDetector,
  type NodePortAddresses,
} from './config.ts';
import { categorizeEndpoints, collectEndpoints, type CategorizedEndpoints, type EndpointInfo, type NodeEndpoint } from './endpoints.ts';
import { isIpv4Loopback, parseIpv4Sloppy, prefixContains } from './ip.ts';
import { ladderProbability } from './probability.ts';
import { collectServicePorts, externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port.ts';

export type { DetectLocalMode, KubeProxyConfig, KubeProxyNode } from './config.ts';

/** Everything one sync reads. */
export interface RenderIptablesInput {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly node: KubeProxyNode;
  readonly config: KubeProxyConfig;
  /**
   * The nat chains on the node before this sync (as iptables-save lists them). Per-service
   * chains among them that this sync no longer uses are flushed and deleted (`-X`).
   * Absent: a fresh node, nothing stale.
   */
  readonly existingNatChains?: readonly string[];
}

/** Above this many endpoints kube-proxy drops the per-endpoint comments (proxier.go). */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

const NODEPORTS_LAST_RULE_COMMENT = '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"';
const NFACCT_CT_STATE_INVALID = 'ct_state_invalid_dropped_pkts';
const NFACCT_LOCALHOST_NODEPORT = 'localhost_nps_accepted_pkts';

// ---------------------------------------------------------------------------------------
// Output buffers

type Words = string | readonly string[];

/** Lines of iptables-restore input, each written as words joined by single spaces. */
class LineBuffer {
  readonly lines: string[] = [];

  write(...words: Words[]): void {
    // words.flat().join(' '), without the intermediate arrays (this runs once per rule).
    let line = '';
    let first = true;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (typeof w === 'string') {
        line = first ? w : `${line} ${w}`;
        first = false;
        continue;
      }
      for (let j = 0; j < w.length; j++) {
        line = first ? w[j]! : `${line} ${w[j]!}`;
        first = false;
      }
    }
    this.lines.push(line);
  }

  /** Appends a line written by the caller (the per-endpoint rules, the bulk of a large sync). */
  raw(line: string): void {
    this.lines.push(line);
  }

  chainLine(chain: string): void {
    this.lines.push(`:${chain} - [0:0]`);
  }
}

/** The four buffers of one sync, as proxier.go keeps them. */
interface RestoreBuffers {
  readonly filterChains: LineBuffer;
  readonly filterRules: LineBuffer;
  readonly natChains: LineBuffer;
  readonly natRules: LineBuffer;
}

/** `-m comment --comment <text>`; `text` carries its own quotes when it has blanks. */
function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text];
}

function quoted(text: string): string {
  return `"${text}"`;
}

// ---------------------------------------------------------------------------------------
// Proxier settings (fixed for the sync)

/** What the proxier knows before looking at any Service. */
export interface ProxierSettings {
  readonly mark: string;
  readonly masqueradeAll: boolean;
  readonly randomFully: boolean;
  readonly detector: LocalTrafficDetector | null;
  /** localhostNodePorts after --nodeport-addresses had its say (IPv4 only). */
  readonly localhostNodePorts: boolean;
  readonly nodePortAddresses: NodePortAddresses;
  /** The node's addresses as interfaces list them: lo first, then the given ones. */
  readonly nodeAddresses: readonly Ipv4Addr[];
  /** The primary node IP (first given), for the LB source-range self-check. */
  readonly nodeIP: Ipv4Addr | null;
  readonly nfacct: boolean;
  readonly conntrackTCPBeLiberal: boolean;
  /** More than LARGE_CLUSTER_ENDPOINTS_THRESHOLD endpoints: endpoint comments are left out. */
  readonly largeClusterMode: boolean;
}

function proxierSettings(input: RenderIptablesInput, totalEndpoints: number): ProxierSettings {
  const { config, node } = input;
  const npa = nodePortAddresses(config.nodePortAddresses);
  const given = node.ips.map(parseIpv4Sloppy).filter((a): a is Ipv4Addr => a !== null);
  const loopback = 0x7f000001;
  return {
    mark: masqueradeMark(config.masqueradeBit),
    masqueradeAll: config.masqueradeAll,
    randomFully: config.randomFully,
    detector: localTrafficDetector(config, node),
    localhostNodePorts: config.localhostNodePorts && npa.containsIPv4Loopback,
    nodePortAddresses: npa,
    nodeAddresses: given.includes(loopback) ? given : [loopback, ...given],
    nodeIP: given[0] ?? null,
    nfacct: config.nfacct ?? false,
    conntrackTCPBeLiberal: config.conntrackTCPBeLiberal ?? false,
    largeClusterMode: totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD,
  };
}

/** `-m comment --comment` for per-endpoint rules, which large-cluster mode leaves out. */
function endpointComment(s: ProxierSettings, text: string): string[] {
  return s.largeClusterMode ? [] : comment(text);
}

// ---------------------------------------------------------------------------------------
// Decide: one service port's named booleans and chain choices (§3.1, §5)

/** A filter verdict for traffic that has nowhere to go, with its comment. */
interface FilterVerdict {
  readonly target: 'REJECT' | 'DROP';
  readonly comment: string;
}

/** Everything the writers need to know about one service port, decided up front. */
interface ServicePortPlan {
  readonly sp: ServicePortInfo;
  readonly endpoints: CategorizedEndpoints;
  /** Usable endpoints exist somewhere in the cluster. */
  readonly hasEndpoints: boolean;
  /** Cluster-IP traffic has somewhere to go (false under iTP=Local without local endpoints). */
  readonly hasInternalEndpoints: boolean;
  /** External traffic has somewhere to go (false under eTP=Local without local endpoints). */
  readonly hasExternalEndpoints: boolean;
  readonly usesClusterPolicyChain: boolean;
  readonly usesLocalPolicyChain: boolean;
  /** The EXT chain is needed even without external endpoints, for its short-circuit rules. */
  readonly usesExternalTrafficChain: boolean;
  readonly usesFirewallChain: boolean;
  /** Where cluster-IP traffic goes: SVL under iTP=Local, else SVC. */
  readonly internalTrafficChain: string;
  /** Where EXT finally sends external traffic: SVL under eTP=Local, else SVC. */
  readonly externalPolicyChain: string;
  /** Where LB-VIP traffic goes: FW when source ranges apply, else EXT. */
  readonly loadBalancerTrafficChain: string;
  /** The filter verdict for destinations whose traffic has nowhere to go. */
  readonly unreachable: FilterVerdict;
  /** The KUBE-SEP chain of each endpoint, by "ip:port". */
  readonly sepChain: ReadonlyMap<string, string>;
}

function planServicePort(sp: ServicePortInfo, all: readonly EndpointInfo[]): ServicePortPlan {
  const endpoints = categorizeEndpoints(sp, all);
  const { clusterEndpoints, localEndpoints, hasAnyEndpoints: hasEndpoints } = endpoints;
  const { chains } = sp;

  const hasInternalEndpoints = hasEndpoints && !(sp.internalPolicyLocal && localEndpoints.length === 0);
  const hasExternalEndpoints = hasEndpoints && !(sp.externalPolicyLocal && localEndpoints.length === 0);
  const usesFirewallChain = hasEndpoints && sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;

  // No endpoints anywhere: REJECT (the client learns at once). Endpoints exist but none
  // here under a Local policy: DROP, since traffic short-circuited by EXT still works.
  const noEndpoints: FilterVerdict = { target: 'REJECT', comment: quoted(`${sp.name} has no endpoints`) };
  const noLocalEndpoints: FilterVerdict = { target: 'DROP', comment: quoted(`${sp.name} has no local endpoints`) };

  const sepChain = new Map<string, string>();
  for (const ep of all) sepChain.set(ep.endpoint, endpointChainName(sp.name, sp.protocol, ep.endpoint));

  return {
    sp,
    endpoints,
    hasEndpoints,
    hasInternalEndpoints,
    hasExternalEndpoints,
    usesClusterPolicyChain: clusterEndpoints.length > 0 && usesClusterEndpoints(sp),
    usesLocalPolicyChain: localEndpoints.length > 0 && usesLocalEndpoints(sp),
    usesExternalTrafficChain: hasEndpoints && externallyAccessible(sp),
    usesFirewallChain,
    internalTrafficChain: sp.internalPolicyLocal ? chains.svl : chains.svc,
    externalPolicyChain: sp.externalPolicyLocal ? chains.svl : chains.svc,
    loadBalancerTrafficChain: usesFirewallChain ? chains.fw : chains.ext,
    unreachable: hasEndpoints ? noLocalEndpoints : noEndpoints,
    sepChain,
  };
}

// ---------------------------------------------------------------------------------------
// Write: fixed rules (§6)

function writeTopLevelChains(out: RestoreBuffers): void {
  for (const chain of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL]) {
    out.filterChains.chainLine(chain);
  }
  for (const chain of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) {
    out.natChains.chainLine(chain);
  }
}

/** KUBE-POSTROUTING masquerades marked packets (clearing the mark first); KUBE-MARK-MASQ marks. */
function writeMasqueradeRules(out: RestoreBuffers, s: ProxierSettings): void {
  out.natRules.write('-A', KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${s.mark}/${s.mark}`, '-j', 'RETURN');
  // Clear the mark so a packet that traverses the stack again is not masqueraded twice.
  out.natRules.write('-A', KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', s.mark);
  out.natRules.write(
    '-A',
    KUBE_POSTROUTING,
    comment(quoted('kubernetes service traffic requiring SNAT')),
    '-j',
    'MASQUERADE',
    s.randomFully ? ['--random-fully'] : [],
  );
  out.natRules.write('-A', KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', s.mark);
}

/**
 * Localhost NodePorts need route_localnet=1, which lets martian packets to 127/8 in from
 * the wire; this rule (a copy of kubelet's) drops them again.
 */
function writeLocalnetFirewall(out: RestoreBuffers, s: ProxierSettings): void {
  if (!s.localhostNodePorts) return;
  out.filterChains.chainLine(KUBE_FIREWALL);
  out.filterRules.write(
    '-A',
    KUBE_FIREWALL,
    comment(quoted('block incoming localnet connections')),
    '-d',
    '127.0.0.0/8',
    '!',
    '-s',
    '127.0.0.0/8',
    '-m',
    'conntrack',
    '!',
    '--ctstate',
    'RELATED,ESTABLISHED,DNAT',
    '-j',
    'DROP',
  );
}

/** Flush and delete per-service chains left from an earlier sync. */
function writeStaleChainDeletes(out: RestoreBuffers, existing: readonly string[], active: ReadonlySet<string>): void {
  for (const chain of existing) {
    if (active.has(chain) || !isServiceChainName(chain)) continue;
    out.natChains.chainLine(chain);
    out.natRules.write('-X', chain);
  }
}

/** The tail call from KUBE-SERVICES to KUBE-NODEPORTS; it must stay the chain's last rule. */
function writeNodePortsTailCall(out: RestoreBuffers, s: ProxierSettings): void {
  const npa = s.nodePortAddresses;
  if (npa.matchAll) {
    out.natRules.write(
      '-A',
      KUBE_SERVICES,
      comment(NODEPORTS_LAST_RULE_COMMENT),
      '-m',
      'addrtype',
      '--dst-type',
      'LOCAL',
      // Without route_localnet, NodePorts on 127/8 cannot work; keep them out.
      s.localhostNodePorts ? [] : ['!', '-d', '127.0.0.0/8'],
      '-j',
      KUBE_NODEPORTS,
    );
    return;
  }
  // One rule per local address inside the CIDRs. kube-proxy collects them in a Go map;
  // CIDR order, then interface order, is one order it can produce.
  const seen = new Set<Ipv4Addr>();
  for (const prefix of npa.prefixes) {
    for (const addr of s.nodeAddresses) {
      if (seen.has(addr) || !prefixContains(prefix, addr)) continue;
      seen.add(addr);
      if (isIpv4Loopback(addr) && !s.localhostNodePorts) continue; // kube-proxy logs an error
      out.natRules.write('-A', KUBE_SERVICES, comment(NODEPORTS_LAST_RULE_COMMENT), '-d', formatIpv4(addr), '-j', KUBE_NODEPORTS);
    }
  }
}

/** KUBE-FORWARD, written last: drop INVALID, accept marked and established traffic. */
function writeForwardRules(out: RestoreBuffers, s: ProxierSettings): void {
  if (!s.conntrackTCPBeLiberal) {
    out.filterRules.write(
      '-A',
      KUBE_FORWARD,
      '-m',
      'conntrack',
      '--ctstate',
      'INVALID',
      s.nfacct ? ['-m', 'nfacct', '--nfacct-name', NFACCT_CT_STATE_INVALID] : [],
      '-j',
      'DROP',
    );
  }
  // Marked traffic is forwarded even when the FORWARD policy is DROP (NodePorts).
  out.filterRules.write('-A', KUBE_FORWARD, comment(quoted('kubernetes forwarding rules')), '-m', 'mark', '--mark', `${s.mark}/${s.mark}`, '-j', 'ACCEPT');
  out.filterRules.write(
    '-A',
    KUBE_FORWARD,
    comment(quoted('kubernetes forwarding conntrack rule')),
    '-m',
    'conntrack',
    '--ctstate',
    'RELATED,ESTABLISHED',
    '-j',
    'ACCEPT',
  );
}

// ---------------------------------------------------------------------------------------
// Write: one service port, one function per traffic class (§5 steps 1–10)

/** `-m P -p P -d <ip> --dport <port>`. */
function matchDest(p: ServicePortPlan, ip: string, port: number): string[] {
  return ['-m', p.sp.protocol, '-p', p.sp.protocol, '-d', ip, '--dport', String(port)];
}

/** Step 1: capture the cluster IP, or reject/drop it in filter. */
function writeClusterIPCapture(out: RestoreBuffers, p: ServicePortPlan): void {
  const { sp } = p;
  if (p.hasInternalEndpoints) {
    out.natRules.write('-A', KUBE_SERVICES, comment(quoted(`${sp.name} cluster IP`)), matchDest(p, sp.clusterIP, sp.port), '-j', p.internalTrafficChain);
  } else {
    out.filterRules.write('-A', KUBE_SERVICES, comment(p.unreachable.comment), matchDest(p, sp.clusterIP, sp.port), '-j', p.unreachable.target);
  }
}

/** Step 2: capture external IPs (always via EXT), or reject/drop them in filter. */
function writeExternalIPCapture(out: RestoreBuffers, p: ServicePortPlan): void {
  const { sp } = p;
  for (const ip of sp.externalIPs) {
    if (p.hasEndpoints) {
      out.natRules.write('-A', KUBE_SERVICES, comment(quoted(`${sp.name} external IP`)), matchDest(p, ip, sp.port), '-j', sp.chains.ext);
    }
    if (!p.hasExternalEndpoints) {
      out.filterRules.write('-A', KUBE_EXTERNAL_SERVICES, comment(p.unreachable.comment), matchDest(p, ip, sp.port), '-j', p.unreachable.target);
    }
  }
}

/** Step 3: capture load-balancer VIPs; with source ranges, filter drops what FW let fall through. */
function writeLoadBalancerCapture(out: RestoreBuffers, p: ServicePortPlan): void {
  const { sp } = p;
  for (const vip of sp.loadBalancerVIPs) {
    if (p.hasEndpoints) {
      out.natRules.write('-A', KUBE_SERVICES, comment(quoted(`${sp.name} loadbalancer IP`)), matchDest(p, vip, sp.port), '-j', p.loadBalancerTrafficChain);
    }
    if (p.usesFirewallChain) {
      out.filterRules.write(
        '-A',
        KUBE_PROXY_FIREWALL,
        comment(quoted(`${sp.name} traffic not accepted by ${sp.chains.fw}`)),
        matchDest(p, vip, sp.port),
        '-j',
        'DROP',
      );
    }
  }
  if (!p.hasExternalEndpoints) {
    for (const vip of sp.loadBalancerVIPs) {
      out.filterRules.write('-A', KUBE_EXTERNAL_SERVICES, comment(p.unreachable.comment), matchDest(p, vip, sp.port), '-j', p.unreachable.target);
    }
  }
}

/** Step 4: capture the node port (source ranges do not apply to it), or reject/drop it. */
function writeNodePortCapture(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings): void {
  const { sp } = p;
  if (sp.nodePort === 0) return;
  const proto = ['-m', sp.protocol, '-p', sp.protocol];
  if (p.hasEndpoints) {
    if (s.localhostNodePorts && s.nfacct) {
      out.natRules.write(
        '-A',
        KUBE_NODEPORTS,
        comment(sp.name),
        proto,
        '-d',
        '127.0.0.0/8',
        '--dport',
        String(sp.nodePort),
        '-m',
        'nfacct',
        '--nfacct-name',
        NFACCT_LOCALHOST_NODEPORT,
        '-j',
        sp.chains.ext,
      );
    }
    out.natRules.write('-A', KUBE_NODEPORTS, comment(sp.name), proto, '--dport', String(sp.nodePort), '-j', sp.chains.ext);
  }
  if (!p.hasExternalEndpoints) {
    out.filterRules.write(
      '-A',
      KUBE_EXTERNAL_SERVICES,
      comment(p.unreachable.comment),
      '-m',
      'addrtype',
      '--dst-type',
      'LOCAL',
      proto,
      '--dport',
      String(sp.nodePort),
      '-j',
      p.unreachable.target,
    );
  }
}

/** Step 5: the health-check node port is accepted whatever the endpoint state. */
function writeHealthCheckNodePort(out: RestoreBuffers, p: ServicePortPlan): void {
  const { sp } = p;
  if (sp.healthCheckNodePort === 0) return;
  out.filterRules.write(
    '-A',
    KUBE_NODEPORTS,
    comment(quoted(`${sp.name} health check node port`)),
    '-m',
    'tcp',
    '-p',
    'tcp',
    '--dport',
    String(sp.healthCheckNodePort),
    '-j',
    'ACCEPT',
  );
}

/**
 * Step 6: masquerade off-cluster traffic to the cluster IP. Someone may route the service
 * range to any node, which then bridges into the Service, possibly off-node again.
 */
function writeInternalTrafficMasquerade(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings): void {
  const { sp } = p;
  if (!p.hasInternalEndpoints) return;
  const match = [comment(quoted(`${sp.name} cluster IP`)), matchDest(p, sp.clusterIP, sp.port)].flat();
  if (s.masqueradeAll) {
    out.natRules.write('-A', p.internalTrafficChain, match, '-j', KUBE_MARK_MASQ);
  } else if (s.detector !== null) {
    out.natRules.write('-A', p.internalTrafficChain, match, s.detector.ifNotLocal, '-j', KUBE_MARK_MASQ);
  }
}

/** Step 7: the EXT chain every external destination jumps to. */
function writeExternalTrafficChain(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings): void {
  const { sp } = p;
  if (!p.usesExternalTrafficChain) return;
  const ext = sp.chains.ext;
  out.natChains.chainLine(ext);
  if (!sp.externalPolicyLocal) {
    // Endpoints may be on other nodes: masquerade so replies come back through this node.
    out.natRules.write('-A', ext, comment(quoted(`masquerade traffic for ${sp.name} external destinations`)), '-j', KUBE_MARK_MASQ);
  } else {
    // Pods reaching an external destination are treated as if they had gone out to the
    // LB and come back: neither policy applies, no masquerade, any endpoint.
    if (s.detector !== null) {
      out.natRules.write('-A', ext, comment(quoted(`pod traffic for ${sp.name} external destinations`)), s.detector.ifLocal, '-j', sp.chains.svc);
    }
    // The host's own traffic has a local address (maybe the VIP) as source: masquerade it
    // and send it to any endpoint.
    out.natRules.write(
      '-A',
      ext,
      comment(quoted(`masquerade LOCAL traffic for ${sp.name} external destinations`)),
      '-m',
      'addrtype',
      '--src-type',
      'LOCAL',
      '-j',
      KUBE_MARK_MASQ,
    );
    out.natRules.write(
      '-A',
      ext,
      comment(quoted(`route LOCAL traffic for ${sp.name} external destinations`)),
      '-m',
      'addrtype',
      '--src-type',
      'LOCAL',
      '-j',
      sp.chains.svc,
    );
  }
  if (p.hasExternalEndpoints) out.natRules.write('-A', ext, '-j', p.externalPolicyChain);
}

/** Step 8: the FW chain lets listed source ranges through to EXT; the rest falls through. */
function writeFirewallChain(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings): void {
  const { sp } = p;
  if (!p.usesFirewallChain) return;
  const fw = sp.chains.fw;
  out.natChains.chainLine(fw);
  const head = ['-A', fw, ...comment(quoted(`${sp.name} loadbalancer IP`))];
  let allowFromNode = false;
  for (const range of sp.loadBalancerSourceRanges) {
    out.natRules.write(head, '-s', range.text, '-j', sp.chains.ext);
    if (s.nodeIP !== null && prefixContains(range, s.nodeIP)) allowFromNode = true;
  }
  // The VIP is often a local address, so the node's own requests to it loop back with the
  // VIP as source; let those through when the node itself is allowed.
  if (allowFromNode) {
    for (const vip of sp.loadBalancerVIPs) out.natRules.write(head, '-s', vip, '-j', sp.chains.ext);
  }
  // No target: a packet reaching here is not DNATed and KUBE-PROXY-FIREWALL drops it.
  out.natRules.write('-A', fw, comment(quoted(`other traffic to ${sp.name} will be dropped by KUBE-PROXY-FIREWALL`)));
}

/** Step 9: the SVC and SVL chains: affinity checks, then the 1/k probability ladder. */
function writePolicyChains(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings): void {
  const { sp, endpoints } = p;
  if (p.usesClusterPolicyChain) {
    out.natChains.chainLine(sp.chains.svc);
    writeServiceToEndpointRules(out, p, s, sp.chains.svc, endpoints.clusterEndpoints);
  }
  if (p.usesLocalPolicyChain) {
    out.natChains.chainLine(sp.chains.svl);
    writeServiceToEndpointRules(out, p, s, sp.chains.svl, endpoints.localEndpoints);
  }
}

function writeServiceToEndpointRules(
  out: RestoreBuffers,
  p: ServicePortPlan,
  s: ProxierSettings,
  chain: string,
  endpoints: readonly EndpointInfo[],
): void {
  const { sp } = p;
  if (sp.stickySeconds !== null) {
    for (const ep of endpoints) {
      const sep = p.sepChain.get(ep.endpoint)!;
      out.natRules.write(
        '-A',
        chain,
        endpointComment(s, quoted(`${sp.name} -> ${ep.endpoint}`)),
        '-m',
        'recent',
        '--name',
        sep,
        '--rcheck',
        '--seconds',
        String(sp.stickySeconds),
        '--reap',
        '-j',
        sep,
      );
    }
  }
  const n = endpoints.length;
  endpoints.forEach((ep, i) => {
    // Rule i matches with probability 1/(n-i), so every endpoint is equally likely; the
    // last one always matches.
    const statistic = i < n - 1 ? ` -m statistic --mode random --probability ${ladderProbability(n - i)}` : '';
    const comment = s.largeClusterMode ? '' : ` -m comment --comment ${quoted(`${sp.name} -> ${ep.endpoint}`)}`;
    out.natRules.raw(`-A ${chain}${comment}${statistic} -j ${p.sepChain.get(ep.endpoint)!}`);
  });
}

/** Step 10: one SEP chain per reachable endpoint: hairpin masquerade, then DNAT. */
function writeEndpointChains(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings, active: Set<string>): void {
  const { sp } = p;
  const comment = s.largeClusterMode ? '' : ` -m comment --comment ${sp.name}`;
  for (const ep of p.endpoints.reachableEndpoints) {
    const sep = p.sepChain.get(ep.endpoint)!;
    out.natChains.chainLine(sep);
    active.add(sep);
    // A pod that reaches itself through the Service must be masqueraded, or its reply
    // would skip the reverse NAT.
    out.natRules.raw(`-A ${sep}${comment} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`);
    const affinity = sp.stickySeconds !== null ? ` -m recent --name ${sep} --set` : '';
    out.natRules.raw(`-A ${sep}${comment}${affinity} -m ${sp.protocol} -p ${sp.protocol} -j DNAT --to-destination ${ep.endpoint}`);
  }
}

function writeServicePort(out: RestoreBuffers, p: ServicePortPlan, s: ProxierSettings, active: Set<string>): void {
  writeClusterIPCapture(out, p);
  writeExternalIPCapture(out, p);
  writeLoadBalancerCapture(out, p);
  writeNodePortCapture(out, p, s);
  writeHealthCheckNodePort(out, p);
  writeInternalTrafficMasquerade(out, p, s);
  writeExternalTrafficChain(out, p, s);
  writeFirewallChain(out, p, s);
  writePolicyChains(out, p, s);
  writeEndpointChains(out, p, s, active);
  if (p.usesExternalTrafficChain) active.add(p.sp.chains.ext);
  if (p.usesFirewallChain) active.add(p.sp.chains.fw);
  if (p.usesClusterPolicyChain) active.add(p.sp.chains.svc);
  if (p.usesLocalPolicyChain) active.add(p.sp.chains.svl);
}

// ---------------------------------------------------------------------------------------
// Entry points

/** One sync's lines by buffer, as proxier.go keeps them: filter chains, filter rules, nat chains, nat rules. */
export interface RulesetLines {
  readonly filterChains: readonly string[];
  readonly filterRules: readonly string[];
  readonly natChains: readonly string[];
  readonly natRules: readonly string[];
}

/**
 * One sync in pieces: the fixed lines written before the service ports (top-level chains,
 * masquerade rules, the localnet firewall), each service port's own lines, and the fixed lines
 * after them (stale-chain deletes, the NodePorts tail call, KUBE-FORWARD). Each buffer of the
 * text is head, then the ports in order, then tail.
 */
export interface RulesetParts {
  readonly head: RulesetLines;
  readonly ports: readonly RulesetLines[];
  readonly tail: RulesetLines;
}

function newBuffers(): RestoreBuffers {
  return { filterChains: new LineBuffer(), filterRules: new LineBuffer(), natChains: new LineBuffer(), natRules: new LineBuffer() };
}

function linesOf(out: RestoreBuffers): RulesetLines {
  return { filterChains: out.filterChains.lines, filterRules: out.filterRules.lines, natChains: out.natChains.lines, natRules: out.natRules.lines };
}

/** The restore text of a sync in pieces: `*filter … COMMIT` then `*nat … COMMIT`, newline-terminated. */
export function joinRulesetParts(parts: RulesetParts): string {
  const all: string[] = ['*filter'];
  const add = (pick: (l: RulesetLines) => readonly string[]): void => {
    for (const x of pick(parts.head)) all.push(x);
    for (const p of parts.ports) for (const x of pick(p)) all.push(x);
    for (const x of pick(parts.tail)) all.push(x);
  };
  add((l) => l.filterChains);
  add((l) => l.filterRules);
  all.push('COMMIT', '*nat');
  add((l) => l.natChains);
  add((l) => l.natRules);
  all.push('COMMIT', '');
  return all.join('\n');
}

/**
 * kube-proxy's sync prepared once for a cluster's Services and EndpointSlices, then rendered
 * for any node: the service ports and their endpoint lists are worked out once, and a node
 * costs only its own rendering. Only ports using node-local endpoints (`nodeDependent`) look at
 * which endpoints are on the node, which is what lets many nodes share one ruleset.
 */
export class KubeProxySync {
  readonly servicePorts: readonly ServicePortInfo[];
  /** Per service port: its endpoints (isLocal false) with their nodes. */
  private readonly endpoints: (readonly NodeEndpoint[])[];
  private readonly plainEndpoints: (readonly EndpointInfo[])[];
  private readonly totalEndpoints: number;

  constructor(
    services: readonly Service[],
    endpointSlices: readonly EndpointSlice[],
    readonly config: KubeProxyConfig,
  ) {
    this.servicePorts = collectServicePorts(services);
    const all = collectEndpoints(endpointSlices);
    this.endpoints = this.servicePorts.map((sp) => all.get(sp.endpointsKey) ?? []);
    this.plainEndpoints = this.endpoints.map((list) => list.map((e) => e.info));
    let total = 0;
    for (const list of this.endpoints) total += list.length;
    this.totalEndpoints = total;
  }

  /** Whether service port `i`'s rules depend on which of its endpoints are on the node. */
  nodeDependent(i: number): boolean {
    return usesLocalEndpoints(this.servicePorts[i]!);
  }

  /** The endpoints of service port `i` as a proxier on `nodeName` sees them. */
  private endpointsFor(i: number, nodeName: string): readonly EndpointInfo[] {
    if (!this.nodeDependent(i)) return this.plainEndpoints[i]!; // isLocal is never read
    return this.endpoints[i]!.map(({ info, node }) => (nodeName !== '' && node === nodeName ? { ...info, isLocal: true } : info));
  }

  /** The proxier settings on a node. */
  settings(node: KubeProxyNode): ProxierSettings {
    return proxierSettings({ services: [], endpointSlices: [], node, config: this.config }, this.totalEndpoints);
  }

  /** Service port `i`'s lines on `node` (with that node's settings); `active` collects the chains it uses. */
  portLines(i: number, node: KubeProxyNode, s: ProxierSettings = this.settings(node), active: Set<string> = new Set()): RulesetLines {
    const out = newBuffers();
    writeServicePort(out, planServicePort(this.servicePorts[i]!, this.endpointsFor(i, node.name)), s, active);
    return linesOf(out);
  }

  /** The fixed lines of a sync on `node` (head and tail of its parts, for a fresh node: no stale chains). */
  fixed(node: KubeProxyNode): { head: RulesetLines; tail: RulesetLines } {
    const s = this.settings(node);
    const head = newBuffers();
    writeTopLevelChains(head);
    writeMasqueradeRules(head, s);
    writeLocalnetFirewall(head, s);
    const tail = newBuffers();
    writeStaleChainDeletes(tail, [], new Set());
    writeNodePortsTailCall(tail, s);
    writeForwardRules(tail, s);
    return { head: linesOf(head), tail: linesOf(tail) };
  }

  /** The whole sync on `node` in pieces; `existingNatChains` as in RenderIptablesInput. */
  parts(node: KubeProxyNode, existingNatChains: readonly string[] = []): RulesetParts {
    const s = this.settings(node);
    const head = newBuffers();
    writeTopLevelChains(head);
    writeMasqueradeRules(head, s);
    writeLocalnetFirewall(head, s);
    const active = new Set<string>();
    const ports = this.servicePorts.map((_, i) => this.portLines(i, node, s, active));
    const tail = newBuffers();
    writeStaleChainDeletes(tail, existingNatChains, active);
    writeNodePortsTailCall(tail, s);
    writeForwardRules(tail, s);
    return { head: linesOf(head), ports, tail: linesOf(tail) };
  }

  /** The restore text of the sync on `node` (renderIptables). */
  text(node: KubeProxyNode, existingNatChains: readonly string[] = []): string {
    return joinRulesetParts(this.parts(node, existingNatChains));
  }
}

/**
 * The iptables-restore text one full sync of kube-proxy's IPv4 iptables proxier writes on
 * this node: `*filter … COMMIT` then `*nat … COMMIT`, newline-terminated. It never contains
 * the jumps from the built-in chains; see renderBuiltinJumps.
 */
export function renderIptables(input: RenderIptablesInput): string {
  return new KubeProxySync(input.services, input.endpointSlices, input.config).text(input.node, input.existingNatChains);
}

/** A netfilter table that kube-proxy touches outside its restore text. */
export type BuiltinJumpTable = 'mangle' | 'filter' | 'nat';

/** The rules kube-proxy keeps at the top of one built-in chain. */
export interface BuiltinChainJumps {
  readonly table: 'filter' | 'nat';
  readonly chain: 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
  /** Rules as iptables-save prints them ("-A INPUT …"), in their order on a fresh node. */
  readonly rules: readonly string[];
}

/** What kube-proxy installs on a node besides the restore text (§1.1, §1.2). */
export interface BuiltinJumps {
  /** User chains kube-proxy creates directly, per table, in creation order (canary first). */
  readonly chains: Readonly<Record<BuiltinJumpTable, readonly string[]>>;
  /** Jumps from the built-in chains, in iptables-save's built-in chain order. */
  readonly jumps: readonly BuiltinChainJumps[];
}

interface JumpSpec {
  readonly table: 'filter' | 'nat';
  readonly from: BuiltinChainJumps['chain'];
  readonly to: string;
  readonly comment: string;
  readonly newOnly: boolean;
}

// kube-proxy's own list, then the copy of kubelet's KUBE-FIREWALL jumps, in processing order.
const JUMPS: readonly JumpSpec[] = [
  { table: 'filter', from: 'INPUT', to: KUBE_EXTERNAL_SERVICES, comment: 'kubernetes externally-visible service portals', newOnly: true },
  { table: 'filter', from: 'FORWARD', to: KUBE_EXTERNAL_SERVICES, comment: 'kubernetes externally-visible service portals', newOnly: true },
  { table: 'filter', from: 'INPUT', to: KUBE_NODEPORTS, comment: 'kubernetes health check service ports', newOnly: false },
  { table: 'filter', from: 'FORWARD', to: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: true },
  { table: 'filter', from: 'OUTPUT', to: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: true },
  { table: 'filter', from: 'FORWARD', to: KUBE_FORWARD, comment: 'kubernetes forwarding rules', newOnly: false },
  { table: 'filter', from: 'INPUT', to: KUBE_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', newOnly: true },
  { table: 'filter', from: 'OUTPUT', to: KUBE_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', newOnly: true },
  { table: 'filter', from: 'FORWARD', to: KUBE_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', newOnly: true },
  { table: 'nat', from: 'OUTPUT', to: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: false },
  { table: 'nat', from: 'PREROUTING', to: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: false },
  { table: 'nat', from: 'POSTROUTING', to: KUBE_POSTROUTING, comment: 'kubernetes postrouting rules', newOnly: false },
  { table: 'filter', from: 'INPUT', to: KUBE_FIREWALL, comment: '', newOnly: false },
  { table: 'filter', from: 'OUTPUT', to: KUBE_FIREWALL, comment: '', newOnly: false },
];

const BUILTIN_CHAIN_ORDER: readonly { table: 'filter' | 'nat'; chain: BuiltinChainJumps['chain'] }[] = [
  { table: 'filter', chain: 'INPUT' },
  { table: 'filter', chain: 'FORWARD' },
  { table: 'filter', chain: 'OUTPUT' },
  { table: 'nat', chain: 'PREROUTING' },
  { table: 'nat', chain: 'OUTPUT' },
  { table: 'nat', chain: 'POSTROUTING' },
];

/**
 * The jumps from built-in chains and the chains kube-proxy creates itself (including the
 * KUBE-PROXY-CANARY chains), for composing a node's whole iptables-save. kube-proxy inserts
 * each missing jump at position 1, in list order, so on a fresh node each built-in chain
 * holds them in reverse list order. The set is the same for every IPv4 configuration;
 * `config` is taken so callers need not know that.
 */
export function renderBuiltinJumps(config: KubeProxyConfig): BuiltinJumps {
  void config;
  const chains: Record<BuiltinJumpTable, string[]> = { mangle: [KUBE_PROXY_CANARY], filter: [], nat: [] };
  for (const j of JUMPS) if (!chains[j.table].includes(j.to)) chains[j.table].push(j.to);
  chains.filter.push(KUBE_PROXY_CANARY);
  chains.nat.push(KUBE_PROXY_CANARY);

  const jumps = BUILTIN_CHAIN_ORDER.map(({ table, chain }) => {
    const rules = JUMPS.filter((j) => j.table === table && j.from === chain)
      .map((j) =>
        [
          '-A',
          chain,
          j.newOnly ? ['-m', 'conntrack', '--ctstate', 'NEW'] : [],
          j.comment === '' ? [] : comment(quoted(j.comment)),
          '-j',
          j.to,
        ]
          .flat()
          .join(' '),
      )
      .reverse();
    return { table, chain, rules };
  });
  return { chains, jumps };
}
