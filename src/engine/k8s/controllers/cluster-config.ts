/**
 * The cluster-wide settings the control plane works from: the nodes, and the address ranges
 * and options that kube-apiserver, kube-controller-manager and the cloud provider are
 * started with. Defaults are those of a current kubeadm cluster (kind uses the same pod
 * and service ranges).
 *
 * Node addresses: node N (1-based) gets host index N+1 of nodeCIDR, so node-1 is
 * 192.168.49.2 (.1 is the node network's gateway, as on a Docker network; kind's nodes sit
 * on 172.18.0.0/16 the same way, minikube's on 192.168.49.0/24).
 * Pod subnets: node N gets the Nth /24 of the pod CIDR (10.244.0.0/16 → node-1 10.244.1.0/24),
 * so a pod's third octet names its node. kube-controller-manager would hand out the 0th /24
 * first; kubewire skips it so that the numbers line up for people reading traces.
 */
import { Cidr, formatIpv4, parseIpv4 } from '../../wire/addr.ts';
import type { StringMap } from '../model/index.ts';
import { dns1123SubdomainErrors, labelKeyErrors, labelValueErrors } from './labels.ts';
import { ProblemSink, type PathSegment, type Problem } from './problems.ts';

/** The size of each node's pod subnet (kube-controller-manager --node-cidr-mask-size). */
export const NODE_POD_SUBNET_PREFIX = 24;

/** One node as configured. */
export interface NodeConfig {
  readonly name: string;
  /** The node's address on the node network (its InternalIP). */
  readonly ip: string;
  /** Labels beyond the ones every node carries (kubernetes.io/hostname, kubernetes.io/os, …). */
  readonly labels: StringMap;
  /** The node's pod subnet (Node spec.podCIDR). */
  readonly podCIDR: string;
}

/** The cluster's settings, every field resolved. */
export interface ClusterConfig {
  readonly nodes: readonly NodeConfig[];
  /** kube-controller-manager --cluster-cidr. */
  readonly podCIDR: string;
  /** kube-apiserver --service-cluster-ip-range: one CIDR, or "A,B" (the first is primary). */
  readonly serviceCIDR: string;
  /** The node network (underlay). */
  readonly nodeCIDR: string;
  /** The cluster domain (kubelet --cluster-domain). */
  readonly dnsDomain: string;
  /** kube-apiserver --service-node-port-range, "30000-32767" or "30000+2768". */
  readonly serviceNodePortRange: string;
  /** false: never invent nodePorts; a Service keeps exactly the nodePorts written in it. */
  readonly allocateNodePorts: boolean;
  /** The cloud load balancer's address pool; absent = no cloud LB (LoadBalancers stay pending). */
  readonly loadBalancerIPPool?: string;
}

/** A node as a scenario may write it; everything but the name is optional. */
export interface NodeInput {
  readonly name?: string;
  readonly ip?: string;
  readonly labels?: StringMap;
  readonly podCIDR?: string;
}

/** The cluster settings as a scenario's `spec.cluster` writes them; all optional. */
export interface ClusterConfigInput {
  /** A node count (node-1 … node-N) or an explicit list. Defaults to 1. */
  readonly nodes?: number | readonly NodeInput[];
  readonly podCIDR?: string;
  readonly serviceCIDR?: string;
  readonly nodeCIDR?: string;
  readonly dnsDomain?: string;
  /** "30000-32767", "30000+2768", or {min, max} (both inclusive). */
  readonly serviceNodePortRange?: string | { readonly min: number; readonly max: number };
  readonly allocateNodePorts?: boolean;
  readonly cloud?: { readonly loadBalancer?: { readonly ipPool?: string } };
}

/** Default pod CIDR (kubeadm and kind). */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
/** Default service CIDR (kubeadm). */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
/** Default node network (minikube's docker network). */
export const DEFAULT_NODE_CIDR = '192.168.49.0/24';
/** Default cluster domain. */
export const DEFAULT_DNS_DOMAIN = 'cluster.local';
/** Default NodePort range (kube-apiserver). */
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** A port range: ports base … base+size-1. */
export interface PortRange {
  readonly base: number;
  readonly size: number;
}

/** Parses "30000-32767" or "30000+2768" as kube-apiserver does; null when malformed. */
export function parsePortRange(text: string): PortRange | null {
  const m = /^\s*(\d+)\s*([-+])\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const base = Number(m[1]);
  const other = Number(m[3]);
  const size = m[2] === '-' ? other - base + 1 : other;
  if (base < 1 || base > 65535 || size < 1 || base + size - 1 > 65535) return null;
  return { base, size };
}

/** The service CIDRs, primary first; IPv6 entries (not emulated) are left out. */
export function serviceCidrs(config: ClusterConfig): Cidr[] {
  return config.serviceCIDR
    .split(',')
    .map((s) => Cidr.parse(s.trim()))
    .filter((c): c is Cidr => c !== null);
}

/** The pod subnet of the node with 1-based index `n`: the nth /24 of the pod CIDR; null when it does not fit. */
export function nodePodSubnet(podCIDR: string, n: number): string | null {
  const cidr = Cidr.parse(podCIDR);
  if (cidr === null || cidr.prefixLen > NODE_POD_SUBNET_PREFIX) return null;
  const count = 2 ** (NODE_POD_SUBNET_PREFIX - cidr.prefixLen);
  if (n < 0 || n >= count) return null;
  return `${formatIpv4(cidr.at(n * 2 ** (32 - NODE_POD_SUBNET_PREFIX)))}/${NODE_POD_SUBNET_PREFIX}`;
}

/** The default address of node N (1-based): host index N+1 of the node CIDR. */
export function defaultNodeIp(nodeCIDR: string, n: number): string | null {
  const cidr = Cidr.parse(nodeCIDR);
  if (cidr === null || n + 1 >= cidr.size - 1) return null;
  return formatIpv4(cidr.at(n + 1));
}

/** The settings of a fresh kubeadm-style cluster with `nodeCount` nodes (node-1 …). */
export function defaultClusterConfig(nodeCount = 1): ClusterConfig {
  return clusterConfigFrom({ nodes: nodeCount }).config;
}

const SCENARIO_REF = { kind: 'Scenario', name: 'cluster' } as const;

/**
 * Resolves a scenario's cluster settings, filling in defaults. Problems carry paths under
 * `basePath` (the settings' place in the Scenario document); a bad value is reported and
 * its default used instead, so the result is always usable.
 */
export function clusterConfigFrom(
  input: ClusterConfigInput,
  basePath: readonly PathSegment[] = ['spec', 'cluster'],
): { config: ClusterConfig; problems: Problem[] } {
  const sink = new ProblemSink();
  const err = (path: PathSegment[], msg: string): void => sink.error(SCENARIO_REF, [...basePath, ...path], msg);

  const cidrField = (field: 'podCIDR' | 'nodeCIDR', dflt: string): string => {
    const v = input[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || Cidr.parse(v) === null) {
      err([field], `Invalid value: ${JSON.stringify(v)}: must be an IPv4 CIDR such as ${dflt}`);
      return dflt;
    }
    return v.trim();
  };
  const podCIDR = cidrField('podCIDR', DEFAULT_POD_CIDR);
  const nodeCIDR = cidrField('nodeCIDR', DEFAULT_NODE_CIDR);
  if ((Cidr.parse(podCIDR)?.prefixLen ?? 0) > NODE_POD_SUBNET_PREFIX - 1) {
    err(['podCIDR'], `Invalid value: "${podCIDR}": must be larger than a /${NODE_POD_SUBNET_PREFIX}, since every node gets a /${NODE_POD_SUBNET_PREFIX} of it`);
  }

  let serviceCIDR = DEFAULT_SERVICE_CIDR;
  if (input.serviceCIDR !== undefined) {
    const parts = typeof input.serviceCIDR === 'string' ? input.serviceCIDR.split(',').map((s) => s.trim()) : [];
    const primary = parts[0] === undefined ? null : Cidr.parse(parts[0]);
    const rest = parts.slice(1).filter((p) => Cidr.parse(p) === null && !p.includes(':'));
    if (primary === null || parts.length > 2 || rest.length > 0) {
      err(['serviceCIDR'], `Invalid value: ${JSON.stringify(input.serviceCIDR)}: must be one IPv4 CIDR, or two separated by a comma (the first is primary)`);
    } else if (primary.prefixLen > 30 || primary.prefixLen < 8) {
      err(['serviceCIDR'], `Invalid value: "${parts[0]}": the service CIDR must be between /8 and /30`);
    } else serviceCIDR = parts.join(',');
  }

  let dnsDomain = DEFAULT_DNS_DOMAIN;
  if (input.dnsDomain !== undefined) {
    const d = typeof input.dnsDomain === 'string' ? input.dnsDomain.replace(/\.$/, '') : '';
    if (d === '' || dns1123SubdomainErrors(d).length > 0) err(['dnsDomain'], `Invalid value: ${JSON.stringify(input.dnsDomain)}: must be a DNS name such as cluster.local`);
    else dnsDomain = d;
  }

  let serviceNodePortRange = DEFAULT_NODE_PORT_RANGE;
  const npr = input.serviceNodePortRange;
  if (npr !== undefined) {
    const text = typeof npr === 'string' ? npr.trim() : typeof npr === 'object' && npr !== null ? `${npr.min}-${npr.max}` : '';
    if (parsePortRange(text) === null) err(['serviceNodePortRange'], `Invalid value: ${JSON.stringify(npr)}: must be a port range such as 30000-32767`);
    else serviceNodePortRange = text;
  }

  let allocateNodePorts = true;
  if (input.allocateNodePorts !== undefined) {
    if (typeof input.allocateNodePorts !== 'boolean') err(['allocateNodePorts'], `Invalid value: ${JSON.stringify(input.allocateNodePorts)}: must be true or false`);
    else allocateNodePorts = input.allocateNodePorts;
  }

  let loadBalancerIPPool: string | undefined;
  const pool = input.cloud?.loadBalancer?.ipPool;
  if (pool !== undefined) {
    if (typeof pool !== 'string' || Cidr.parse(pool) === null) err(['cloud', 'loadBalancer', 'ipPool'], `Invalid value: ${JSON.stringify(pool)}: must be an IPv4 CIDR such as 203.0.113.0/24`);
    else loadBalancerIPPool = pool.trim();
  }

  const nodes = resolveNodes(input.nodes, podCIDR, nodeCIDR, err);
  const config: ClusterConfig = {
    nodes,
    podCIDR,
    serviceCIDR,
    nodeCIDR,
    dnsDomain,
    serviceNodePortRange,
    allocateNodePorts,
    ...(loadBalancerIPPool === undefined ? {} : { loadBalancerIPPool }),
  };
  return { config, problems: sink.all };
}

/** Turns `nodes: N` or a node list into NodeConfigs, reporting what is wrong. */
function resolveNodes(
  input: ClusterConfigInput['nodes'],
  podCIDR: string,
  nodeCIDR: string,
  err: (path: PathSegment[], msg: string) => void,
): NodeConfig[] {
  let list: readonly NodeInput[];
  if (input === undefined) list = [{}];
  else if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 1 || input > 250) {
      err(['nodes'], `Invalid value: ${input}: must be a whole number of nodes from 1 to 250`);
      list = [{}];
    } else list = Array.from({ length: input }, () => ({}));
  } else if (Array.isArray(input)) {
    list = input.length === 0 ? [{}] : input;
    if (input.length === 0) err(['nodes'], 'Required value: a cluster needs at least one node');
  } else {
    err(['nodes'], 'Invalid value: must be a number of nodes or a list of nodes');
    list = [{}];
  }
  const nodeNet = Cidr.parse(nodeCIDR)!;
  const out: NodeConfig[] = [];
  const names = new Set<string>();
  const ips = new Set<number>();
  list.forEach((n, i) => {
    const at = (...p: PathSegment[]): PathSegment[] => (typeof input === 'number' || input === undefined ? ['nodes'] : ['nodes', i, ...p]);
    const index = i + 1;
    let name = `node-${index}`;
    if (n.name !== undefined) {
      if (typeof n.name !== 'string' || dns1123SubdomainErrors(n.name).length > 0) err(at('name'), `Invalid value: ${JSON.stringify(n.name)}: ${dns1123SubdomainErrors(String(n.name))[0] ?? 'must be a string'}`);
      else name = n.name;
    }
    if (names.has(name)) err(at('name'), `Duplicate value: "${name}"`);
    names.add(name);

    let ip = defaultNodeIp(nodeCIDR, index) ?? '';
    if (ip === '') err(at(), `Invalid value: node ${index} does not fit in nodeCIDR ${nodeCIDR}`);
    if (n.ip !== undefined) {
      const a = typeof n.ip === 'string' ? parseIpv4(n.ip) : null;
      if (a === null) err(at('ip'), `Invalid value: ${JSON.stringify(n.ip)}: must be an IPv4 address`);
      else if (!nodeNet.contains(a)) err(at('ip'), `Invalid value: "${n.ip}": must be inside nodeCIDR ${nodeCIDR}: the nodes share that network`);
      else ip = formatIpv4(a);
    }
    const ipNum = parseIpv4(ip);
    if (ipNum !== null) {
      if (ips.has(ipNum)) err(at('ip'), `Duplicate value: "${ip}"`);
      ips.add(ipNum);
    }

    let subnet = nodePodSubnet(podCIDR, index) ?? '';
    if (subnet === '' && n.podCIDR === undefined) err(at(), `Invalid value: podCIDR ${podCIDR} has no /${NODE_POD_SUBNET_PREFIX} left for node ${index}`);
    if (n.podCIDR !== undefined) {
      const c = typeof n.podCIDR === 'string' ? Cidr.parse(n.podCIDR) : null;
      if (c === null) err(at('podCIDR'), `Invalid value: ${JSON.stringify(n.podCIDR)}: must be an IPv4 CIDR`);
      else subnet = `${formatIpv4(c.network)}/${c.prefixLen}`;
    }

    const labels: Record<string, string> = {};
    if (n.labels !== undefined) {
      for (const [k, v] of Object.entries(n.labels)) {
        for (const m of labelKeyErrors(k)) err(at('labels', k), `Invalid value: ${JSON.stringify(k)}: ${m}`);
        if (typeof v !== 'string') err(at('labels', k), `Invalid value: ${JSON.stringify(v)}: label values must be strings`);
        else for (const m of labelValueErrors(v)) err(at('labels', k), `Invalid value: ${JSON.stringify(v)}: ${m}`);
        labels[k] = String(v);
      }
    }
    out.push({ name, ip, labels, podCIDR: subnet });
  });
  return out;
}
