/**
 * EndpointSlices → the endpoint list of each service port, and the per-sync split of that
 * list into Cluster, Local and reachable sets (kube-proxy-iptables.md §3 and §3.1; upstream
 * pkg/proxy/endpointslicecache.go and topology.go).
 */
import { LABEL_SERVICE_NAME, namespaceOf, type EndpointSlice } from '../model/index.ts';
import { joinHostPort } from './chain-names.ts';
import { normalizeIpv4 } from './ip.ts';
import { endpointsKey, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port.ts';

/** One endpoint of one service port, as the proxier sees it. */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  /** "ip:port": the identity, sort key, comment text and SEP hash input. */
  readonly endpoint: string;
  /** The endpoint's nodeName is this node. */
  readonly isLocal: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** Endpoints per service port (keyed by endpointsKey), each list sorted by "ip:port". */
export type EndpointsMap = ReadonlyMap<string, readonly EndpointInfo[]>;

/**
 * Builds the endpoints map an IPv4 proxier on `nodeName` holds.
 * - Slices that are not IPv4, or lack the service-name label, are ignored.
 * - Slice ports with no name (nil) or no/zero port are ignored.
 * - Only the first address of an endpoint counts; addresses that are not IPv4 are dropped.
 * - Duplicates (same "ip:port") collapse; a non-terminating copy replaces a terminating one.
 *   Slices are read in input order (kube-proxy reads them in Go map order).
 * - Each list is sorted by the "ip:port" string, plain code-unit order.
 */
export function buildEndpointsMap(slices: readonly EndpointSlice[], nodeName: string): EndpointsMap {
  const map = new Map<string, readonly EndpointInfo[]>();
  for (const [key, list] of collectEndpoints(slices)) {
    map.set(key, list.map(({ info, node }) => (nodeName !== '' && node === nodeName ? { ...info, isLocal: true } : info)));
  }
  return map;
}

/** An endpoint as buildEndpointsMap keeps it before knowing the node: isLocal false, and the endpoint's nodeName. */
export interface NodeEndpoint {
  readonly info: EndpointInfo;
  readonly node: string;
}

/**
 * buildEndpointsMap's work that does not depend on the node (the same rules: IPv4 slices with
 * the service-name label, named ports, first address, duplicates collapsed, sorted): each
 * endpoint with isLocal false and its nodeName, so a proxier for many nodes does it once.
 */
export function collectEndpoints(slices: readonly EndpointSlice[]): Map<string, readonly NodeEndpoint[]> {
  const sets = new Map<string, Map<string, NodeEndpoint>>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (service === undefined || service === '') continue;
    const namespace = namespaceOf(slice.metadata);
    for (const port of slice.ports ?? []) {
      if (port.name === undefined || port.port === undefined || port.port === 0) continue;
      const key = endpointsKey(namespace, service, port.name, port.protocol ?? 'TCP');
      let set = sets.get(key);
      if (!set) sets.set(key, (set = new Map()));
      for (const ep of slice.endpoints) {
        const first = ep.addresses[0];
        if (first === undefined) continue;
        const ip = normalizeIpv4(first);
        if (ip === null) continue;
        const info: EndpointInfo = {
          ip,
          port: port.port,
          endpoint: joinHostPort(ip, port.port),
          isLocal: false,
          ready: ep.conditions?.ready ?? true,
          serving: ep.conditions?.serving ?? true,
          terminating: ep.conditions?.terminating ?? false,
        };
        if (!set.has(info.endpoint) || !info.terminating) set.set(info.endpoint, { info, node: ep.nodeName ?? '' });
      }
    }
  }
  const map = new Map<string, readonly NodeEndpoint[]>();
  for (const [key, set] of sets) {
    if (set.size === 0) continue;
    map.set(key, [...set.values()].sort((a, b) => byEndpoint(a.info, b.info)));
  }
  return map;
}

/** Orders endpoints by their "ip:port" string, as Go's `<` on strings (code units). */
export function byEndpoint(a: EndpointInfo, b: EndpointInfo): number {
  return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}

/** The per-sync endpoint split of one service port (§3.1). */
export interface CategorizedEndpoints {
  /** Endpoints for Cluster policy; empty when the port does not use Cluster policy. */
  readonly clusterEndpoints: readonly EndpointInfo[];
  /** Node-local endpoints for Local policy; empty when the port does not use Local policy. */
  readonly localEndpoints: readonly EndpointInfo[];
  /** Every endpoint this node can DNAT to: the ones that get KUBE-SEP chains. */
  readonly reachableEndpoints: readonly EndpointInfo[];
  /** Usable endpoints exist somewhere in the cluster. */
  readonly hasAnyEndpoints: boolean;
}

const servingTerminating = (ep: EndpointInfo): boolean => ep.serving && ep.terminating;

/**
 * Splits a service port's endpoints into the Cluster and Local sets, falling back to
 * serving-and-terminating endpoints where no ready ones exist (§3.1). Topology hints are
 * not modelled, so the Cluster set is never topology-filtered.
 */
export function categorizeEndpoints(sp: ServicePortInfo, endpoints: readonly EndpointInfo[]): CategorizedEndpoints {
  let clusterEndpoints: readonly EndpointInfo[] = [];
  let hasAnyEndpoints = false;
  const cluster = usesClusterEndpoints(sp);
  if (cluster) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready);
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter(servingTerminating);
    hasAnyEndpoints = clusterEndpoints.length > 0;
  }
  if (!usesLocalEndpoints(sp)) {
    return { clusterEndpoints, localEndpoints: [], reachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (servingTerminating(ep)) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  let localEndpoints: readonly EndpointInfo[] = [];
  let localUsesTerminating = false;
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    localUsesTerminating = true;
    localEndpoints = endpoints.filter((ep) => ep.isLocal && servingTerminating(ep));
  }

  if (!cluster) {
    return { clusterEndpoints, localEndpoints, reachableEndpoints: localEndpoints, hasAnyEndpoints };
  }
  if (!localUsesTerminating) {
    // Local holds only ready endpoints and Cluster holds every ready one: a superset.
    return { clusterEndpoints, localEndpoints, reachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }
  // Local fell back to terminating endpoints that Cluster lacks: SEP chains for the union.
  // kube-proxy builds the union in Go map order; sorted order is one it can produce.
  const union = new Map<string, EndpointInfo>();
  for (const ep of clusterEndpoints) union.set(ep.endpoint, ep);
  for (const ep of localEndpoints) union.set(ep.endpoint, ep);
  return {
    clusterEndpoints,
    localEndpoints,
    reachableEndpoints: [...union.values()].sort(byEndpoint),
    hasAnyEndpoints,
  };
}
