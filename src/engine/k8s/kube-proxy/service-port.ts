/**
 * Services → the per-service-port facts kube-proxy's IPv4 proxier works from
 * (kube-proxy-iptables.md §3): which Services are proxied at all, the family-filtered and
 * re-printed addresses, the traffic-policy flags, and the chain names.
 */
import {
  DEFAULT_CLIENT_IP_TIMEOUT_SECONDS,
  namespaceOf,
  type Protocol,
  type Service,
  type ServicePort,
} from '../model/index.ts';
import { servicePortChains, type ServicePortChains } from './chain-names.ts';
import { normalizeIpv4, parseIpv4PrefixSloppy, type Ipv4Prefix } from './ip.ts';

/** One proxied (Service, port) pair, normalised for an IPv4 proxier. */
export interface ServicePortInfo {
  /** "ns/name:port", or "ns/name" for an unnamed port: the comment text and hash input. */
  readonly name: string;
  /** Key that EndpointSlice ports are matched on: namespace, Service, port name, protocol. */
  readonly endpointsKey: string;
  /** Lower-case protocol as used in `-m`/`-p` and in the hashes. */
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when there is none. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  /** LB ingress IPs that are VIPs (ipMode VIP or unset) of this family. */
  readonly loadBalancerVIPs: readonly string[];
  /** Parsed source ranges (blanks trimmed, host bits cleared), spec order. */
  readonly loadBalancerSourceRanges: readonly Ipv4Prefix[];
  /** 0 unless type LoadBalancer with externalTrafficPolicy Local. */
  readonly healthCheckNodePort: number;
  /** The ClientIP affinity timeout in seconds, or null without session affinity. */
  readonly stickySeconds: number | null;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  readonly chains: ServicePortChains;
}

/** The key joining a service port to EndpointSlice ports (same name and protocol). */
export function endpointsKey(namespace: string, service: string, portName: string, protocol: Protocol): string {
  return `${namespace}/${service}\u0000${portName}\u0000${protocol}`;
}

/** Whether kube-proxy proxies a Service at all: not headless, not ExternalName. */
export function isProxiedService(svc: Service): boolean {
  const ip = svc.spec.clusterIP ?? '';
  return ip !== '' && ip !== 'None' && svc.spec.type !== 'ExternalName';
}

/** The IPv4 cluster IP of a Service (from clusterIPs when present), normalised, or null. */
function ipv4ClusterIP(svc: Service): string | null {
  const candidates = svc.spec.clusterIPs && svc.spec.clusterIPs.length > 0 ? svc.spec.clusterIPs : [svc.spec.clusterIP ?? ''];
  for (const c of candidates) {
    const ip = normalizeIpv4(c);
    if (ip !== null) return ip;
  }
  return null;
}

/** eTP=Local only counts for types that have external destinations (§3). */
function externalPolicyLocal(svc: Service): boolean {
  const type = svc.spec.type ?? 'ClusterIP';
  const hasExternal =
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0);
  return hasExternal && svc.spec.externalTrafficPolicy === 'Local';
}

function filterMap<T>(values: readonly string[] | undefined, f: (v: string) => T | null): T[] {
  const out: T[] = [];
  for (const v of values ?? []) {
    const r = f(v);
    if (r !== null) out.push(r);
  }
  return out;
}

function servicePortInfo(svc: Service, clusterIP: string, port: ServicePort): ServicePortInfo {
  const namespace = namespaceOf(svc.metadata);
  const portName = port.name ?? '';
  const apiProtocol = port.protocol ?? 'TCP';
  const protocol = apiProtocol.toLowerCase() as ServicePortInfo['protocol'];
  const name = portName === '' ? `${namespace}/${svc.metadata.name}` : `${namespace}/${svc.metadata.name}:${portName}`;
  const eTPLocal = externalPolicyLocal(svc);
  const affinity = svc.spec.sessionAffinity === 'ClientIP';
  return {
    name,
    endpointsKey: endpointsKey(namespace, svc.metadata.name, portName, apiProtocol),
    protocol,
    clusterIP,
    port: port.port,
    nodePort: port.nodePort ?? 0,
    externalIPs: filterMap(svc.spec.externalIPs, normalizeIpv4),
    loadBalancerVIPs: filterMap(
      (svc.status?.loadBalancer?.ingress ?? []).filter((ing) => ing.ipMode !== 'Proxy').map((ing) => ing.ip ?? ''),
      (ip) => (ip === '' ? null : normalizeIpv4(ip)),
    ),
    loadBalancerSourceRanges: filterMap(svc.spec.loadBalancerSourceRanges, (r) => parseIpv4PrefixSloppy(r.trim())),
    healthCheckNodePort: svc.spec.type === 'LoadBalancer' && eTPLocal ? (svc.spec.healthCheckNodePort ?? 0) : 0,
    stickySeconds: affinity
      ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_TIMEOUT_SECONDS)
      : null,
    externalPolicyLocal: eTPLocal,
    internalPolicyLocal: svc.spec.internalTrafficPolicy === 'Local',
    chains: servicePortChains(name, protocol),
  };
}

/**
 * The service ports an IPv4 kube-proxy handles, in input order (Service order, then port
 * order). kube-proxy itself walks a Go map, so its order varies from sync to sync; any fixed
 * order is one it could have produced.
 */
export function collectServicePorts(services: readonly Service[]): ServicePortInfo[] {
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    if (!isProxiedService(svc)) continue;
    const clusterIP = ipv4ClusterIP(svc);
    if (clusterIP === null) continue;
    for (const port of svc.spec.ports ?? []) out.push(servicePortInfo(svc, clusterIP, port));
  }
  return out;
}

/** Whether any external destination exists: a node port, an LB VIP or an external IP. */
export function externallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0;
}

/** Whether the port needs the Cluster-policy endpoint set (also for eTP=Local short-circuits). */
export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalPolicyLocal || externallyAccessible(sp);
}

/** Whether the port needs the node-local endpoint set. */
export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible(sp));
}
