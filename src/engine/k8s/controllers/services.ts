/**
 * What kube-apiserver fills into a Service on create: the defaults (type, protocol,
 * targetPort, policies, IP families), the ClusterIP, nodePorts and healthCheckNodePort from
 * its allocators, and what the cloud provider's load-balancer controller writes into
 * status.loadBalancer.
 *
 * Allocation follows the real allocators (pkg/registry/core/service/ipallocator and
 * portallocator): the range is split into a lower band kept for addresses and ports written
 * in manifests (min(max(16, size/16), 256) addresses; min(max(16, size/32), 128) ports) and
 * an upper band from which unrequested values are drawn at random, scanning forward from a
 * random offset to the first free one; only when the upper band is full is the lower band
 * used. The random offsets come from the seeded streams 'ipam/services' and
 * 'ipam/nodeports', so the same file always gets the same addresses. Values written in
 * manifests are reserved before anything is drawn, so a later written value never collides
 * with an earlier drawn one.
 *
 * Fixed addresses (kubeadm): the first address of the primary service CIDR (10.96.0.1) is
 * default/kubernetes, the tenth (10.96.0.10) kube-system/kube-dns; those two Services get
 * them when they do not name an address.
 */
import type { RandomStream, Rng } from '../../sim/rng.ts';
import { Cidr, formatIpv4, parseIpv4 } from '../../wire/addr.ts';
import {
  DEFAULT_CLIENT_IP_TIMEOUT_SECONDS,
  namespaceOf,
  type LoadBalancerIngress,
  type Service,
  type ServicePort,
} from '../model/index.ts';
import { parsePortRange, serviceCidrs, type ClusterConfig } from './cluster-config.ts';
import { ProblemSink, type ObjectRef, type PathSegment } from './problems.ts';

/** The nth address of the primary service CIDR (1 → 10.96.0.1). */
export function serviceCidrAddress(config: ClusterConfig, n: number): string {
  const primary = serviceCidrs(config)[0] ?? Cidr.of('10.96.0.0/12');
  return formatIpv4(primary.at(n));
}

/** The ClusterIP of default/kubernetes: the primary service CIDR's first address. */
export function kubernetesServiceIP(config: ClusterConfig): string {
  return serviceCidrAddress(config, 1);
}

/** The ClusterIP of kube-system/kube-dns: the primary service CIDR's tenth address. */
export function kubeDnsServiceIP(config: ClusterConfig): string {
  return serviceCidrAddress(config, 10);
}

/** The outcome of reserving a written value. */
export type AllocReserve = 'ok' | 'outside' | 'taken' | 'invalid';

/** The size of the band kept for written values (ipallocator/portallocator calculateRangeOffset). */
export function staticBandSize(size: number, min: number, max: number, step: number): number {
  if (size < min) return 0;
  const offset = Math.floor(size / step);
  return offset < min ? min : offset > max ? max : offset;
}

/**
 * Picks a free offset in [0, max): randomly in the upper band [band, max) scanning forward,
 * then in the lower band [0, band); null when all are taken.
 */
function allocateOffset(taken: (offset: number) => boolean, max: number, band: number, stream: RandomStream): number | null {
  const upper = max - band;
  if (upper > 0) {
    const start = stream.int(0, upper - 1);
    for (let i = 0; i < upper; i++) {
      const at = band + ((start + i) % upper);
      if (!taken(at)) return at;
    }
  }
  if (band > 0) {
    const start = stream.int(0, band - 1);
    for (let i = 0; i < band; i++) {
      const at = (start + i) % band;
      if (!taken(at)) return at;
    }
  }
  return null;
}

/** The ClusterIP allocator: every service CIDR, drawing new addresses from the primary one. */
export class ClusterIpAllocator {
  private readonly cidrs: readonly Cidr[];
  private readonly used = new Set<number>();

  /** An allocator over the config's service CIDRs, drawing from `stream`. */
  constructor(config: ClusterConfig, private readonly stream: RandomStream) {
    this.cidrs = serviceCidrs(config);
  }

  /** The service CIDRs as written, for messages. */
  get rangeText(): string {
    return this.cidrs.map((c) => `${formatIpv4(c.network)}/${c.prefixLen}`).join(',');
  }

  /** Whether an address is in a service CIDR, excluding its network and broadcast addresses. */
  inRange(a: number): boolean {
    return this.cidrs.some((c) => c.contains(a) && a !== c.network && a !== c.at(c.size - 1));
  }

  /** Reserves a written ClusterIP. */
  reserve(ip: string): AllocReserve {
    const a = parseIpv4(ip);
    if (a === null) return 'invalid';
    if (!this.inRange(a)) return 'outside';
    if (this.used.has(a)) return 'taken';
    this.used.add(a);
    return 'ok';
  }

  /** Draws a free address from the primary CIDR; null when it is full. */
  allocate(): string | null {
    const primary = this.cidrs[0];
    if (primary === undefined) return null;
    const base = primary.network + 1;
    const max = Math.max(0, primary.size - 2);
    const band = staticBandSize(primary.size, 16, 256, 16);
    const at = allocateOffset((o) => this.used.has(base + o), max, band, this.stream);
    if (at === null) return null;
    this.used.add(base + at);
    return formatIpv4(base + at);
  }

  /** Frees an address (its Service was deleted). */
  release(ip: string): void {
    const a = parseIpv4(ip);
    if (a !== null) this.used.delete(a);
  }
}

/** The NodePort allocator over --service-node-port-range. One port serves every protocol. */
export class NodePortAllocator {
  readonly base: number;
  readonly size: number;
  private readonly used = new Set<number>();

  /** An allocator over the config's NodePort range, drawing from `stream`. */
  constructor(config: ClusterConfig, private readonly stream: RandomStream) {
    const r = parsePortRange(config.serviceNodePortRange) ?? { base: 30000, size: 2768 };
    this.base = r.base;
    this.size = r.size;
  }

  /** "30000-32767". */
  get rangeText(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }

  /** Reserves a written port. */
  reserve(port: number): AllocReserve {
    if (!Number.isInteger(port)) return 'invalid';
    if (port < this.base || port >= this.base + this.size) return 'outside';
    if (this.used.has(port)) return 'taken';
    this.used.add(port);
    return 'ok';
  }

  /** Whether a port is taken. */
  isUsed(port: number): boolean {
    return this.used.has(port);
  }

  /** Draws a free port; null when the range is full. */
  allocate(): number | null {
    const band = staticBandSize(this.size, 16, 128, 32);
    const at = allocateOffset((o) => this.used.has(this.base + o), this.size, band, this.stream);
    if (at === null) return null;
    this.used.add(this.base + at);
    return this.base + at;
  }

  /** Frees a port. */
  release(port: number): void {
    this.used.delete(port);
  }
}

/** The cloud load balancer's address pool: addresses handed out from the first usable one up. */
export class LoadBalancerPool {
  private readonly cidr: Cidr | null;
  private readonly used = new Set<number>();

  /** A pool over the config's ipPool (none: every LoadBalancer stays pending). */
  constructor(config: ClusterConfig) {
    this.cidr = config.loadBalancerIPPool === undefined ? null : Cidr.parse(config.loadBalancerIPPool);
  }

  /** Whether the cluster has a cloud load balancer. */
  get available(): boolean {
    return this.cidr !== null;
  }

  /** Marks an address taken (written in a Service's status or spec.loadBalancerIP). */
  reserve(ip: string): void {
    const a = parseIpv4(ip);
    if (a !== null) this.used.add(a);
  }

  /** The lowest free usable address (network and broadcast excluded for /30 and larger); null when none. */
  allocate(): string | null {
    const c = this.cidr;
    if (c === null) return null;
    const first = c.prefixLen >= 31 ? c.at(0) : c.at(1);
    const last = c.prefixLen >= 31 ? c.at(c.size - 1) : c.at(c.size - 2);
    for (let a = first; a <= last; a++) {
      if (!this.used.has(a)) {
        this.used.add(a);
        return formatIpv4(a);
      }
    }
    return null;
  }
}

/** The allocators one control plane shares across all its Services. */
export interface ServiceAllocators {
  readonly clusterIPs: ClusterIpAllocator;
  readonly nodePorts: NodePortAllocator;
  readonly loadBalancers: LoadBalancerPool;
}

/** Fresh allocators for a cluster, drawing from the streams 'ipam/services' and 'ipam/nodeports'. */
export function newServiceAllocators(config: ClusterConfig, rng: Rng): ServiceAllocators {
  return {
    clusterIPs: new ClusterIpAllocator(config, rng.stream('ipam/services')),
    nodePorts: new NodePortAllocator(config, rng.stream('ipam/nodeports')),
    loadBalancers: new LoadBalancerPool(config),
  };
}

/** A Service to allocate for, with its index among the objects handed in (for problems). */
export interface ServiceInput {
  readonly service: Service;
  readonly objectIndex?: number;
}

/** Whether a Service is headless (clusterIP: None). */
export function isHeadless(service: Service): boolean {
  return service.spec.clusterIP === 'None' || (service.spec.clusterIP === undefined && service.spec.clusterIPs?.[0] === 'None');
}

/** Whether a Service type gets nodePorts. */
function wantsNodePorts(service: Service): boolean {
  const t = service.spec.type;
  return t === 'NodePort' || (t === 'LoadBalancer' && service.spec.allocateLoadBalancerNodePorts !== false);
}

/** The ClusterIP a Service names, and the path it is written at. */
function writtenClusterIP(service: Service): { ip: string; path: PathSegment[] } | null {
  if (service.spec.clusterIP !== undefined && service.spec.clusterIP !== '') return { ip: service.spec.clusterIP, path: ['spec', 'clusterIP'] };
  const first = service.spec.clusterIPs?.[0];
  if (first !== undefined && first !== '') return { ip: first, path: ['spec', 'clusterIPs', 0] };
  return null;
}

/**
 * Fills in what the API server and cloud provider would for a batch of Services, in order:
 * written values are reserved first (a conflict fails the later Service), then ClusterIPs,
 * nodePorts and load-balancer addresses are drawn. Services with an allocation error are
 * left out of the result, as the API server would reject them.
 */
export function allocateServices(
  config: ClusterConfig,
  inputs: readonly ServiceInput[],
  alloc: ServiceAllocators,
  sink: ProblemSink,
): { service: Service; objectIndex?: number }[] {
  const rejected = new Set<number>();
  const refOf = (s: Service): ObjectRef => ({ kind: 'Service', namespace: namespaceOf(s.metadata), name: s.metadata.name });

  // Pass 0: kubeadm's fixed addresses for the two built-in Services when they name none.
  const specs = inputs.map(({ service }) => {
    const ns = namespaceOf(service.metadata);
    if (service.spec.type !== 'ExternalName' && writtenClusterIP(service) === null) {
      if (ns === 'default' && service.metadata.name === 'kubernetes') return withClusterIP(service, kubernetesServiceIP(config));
      if (ns === 'kube-system' && service.metadata.name === 'kube-dns') return withClusterIP(service, kubeDnsServiceIP(config));
    }
    return service;
  });

  // Pass 1: reserve written ClusterIPs, nodePorts, healthCheckNodePorts and LB addresses.
  // A Service that fails gives back what it had reserved, as a failed create does.
  specs.forEach((svc, i) => {
    const idx = inputs[i]!.objectIndex;
    const ref = refOf(svc);
    if (svc.spec.type === 'ExternalName') return;
    const undo: (() => void)[] = [];
    const reject = (path: PathSegment[], message: string): void => {
      rejected.add(i);
      sink.error(ref, path, message, idx);
    };
    const written = writtenClusterIP(svc);
    if (written !== null && written.ip !== 'None') {
      const r = alloc.clusterIPs.reserve(written.ip);
      if (r === 'ok') undo.push(() => alloc.clusterIPs.release(written.ip));
      else {
        const why =
          r === 'invalid'
            ? 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'
            : r === 'outside'
              ? `failed to allocate IP ${written.ip}: the provided IP (${written.ip}) is not in the valid range. The range of valid IPs is ${alloc.clusterIPs.rangeText}`
              : `failed to allocate IP ${written.ip}: provided IP is already allocated`;
        reject(written.path, `Invalid value: "${written.ip}": ${why}`);
      }
    }
    // nodePorts: the same number may serve several protocols within one Service.
    const mine = new Set<number>();
    (svc.spec.ports ?? []).forEach((p, j) => {
      const np = p.nodePort;
      if (np === undefined || np === 0 || mine.has(np)) return; // a duplicate within the Service: validation reports it
      mine.add(np);
      const r = alloc.nodePorts.reserve(np);
      if (r === 'ok') undo.push(() => alloc.nodePorts.release(np));
      else reject(['spec', 'ports', j, 'nodePort'], nodePortMessage(np, r, alloc.nodePorts));
    });
    const hc = svc.spec.healthCheckNodePort;
    if (hc !== undefined && hc !== 0) {
      const r = alloc.nodePorts.reserve(hc);
      if (r === 'ok') undo.push(() => alloc.nodePorts.release(hc));
      else reject(['spec', 'healthCheckNodePort'], nodePortMessage(hc, r, alloc.nodePorts));
    }
    if (rejected.has(i)) {
      for (const u of undo) u();
      return;
    }
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip !== undefined) alloc.loadBalancers.reserve(ing.ip);
    if (svc.spec.loadBalancerIP !== undefined && svc.spec.loadBalancerIP !== '') alloc.loadBalancers.reserve(svc.spec.loadBalancerIP);
  });

  // Pass 2: draw what was not written.
  const out: { service: Service; objectIndex?: number }[] = [];
  specs.forEach((svc, i) => {
    const idx = inputs[i]!.objectIndex;
    if (rejected.has(i)) return;
    const ref = refOf(svc);
    const filled = fillService(config, svc, alloc, (path, msg, severity) =>
      severity === 'error' ? sink.error(ref, path, msg, idx) : sink.warn(ref, path, msg, idx),
    );
    if (filled === null) return;
    out.push(idx === undefined ? { service: filled } : { service: filled, objectIndex: idx });
  });
  return out;
}

/** The API server's message for a nodePort it cannot reserve. */
function nodePortMessage(port: number, r: AllocReserve, alloc: NodePortAllocator): string {
  if (r === 'outside' || r === 'invalid') return `Invalid value: ${port}: provided port is not in the valid range. The range of valid ports is ${alloc.rangeText}`;
  return `Invalid value: ${port}: provided port is already allocated`;
}

/** The Service with a ClusterIP filled in (both clusterIP and clusterIPs). */
function withClusterIP(service: Service, ip: string): Service {
  return { ...service, spec: { ...service.spec, clusterIP: ip, clusterIPs: [ip] } };
}

/** Applies defaults and draws the values still missing; null when the Service cannot be created. */
function fillService(
  config: ClusterConfig,
  svc: Service,
  alloc: ServiceAllocators,
  report: (path: PathSegment[], message: string, severity: 'error' | 'warning') => void,
): Service | null {
  const type = svc.spec.type ?? 'ClusterIP';
  const spec: Record<string, unknown> = { ...svc.spec, type };
  const ns = namespaceOf(svc.metadata);
  spec['sessionAffinity'] = svc.spec.sessionAffinity ?? 'None';
  if (spec['sessionAffinity'] === 'ClientIP') {
    spec['sessionAffinityConfig'] = {
      ...svc.spec.sessionAffinityConfig,
      clientIP: { timeoutSeconds: svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_TIMEOUT_SECONDS },
    };
  }

  if (type !== 'ExternalName') {
    const written = writtenClusterIP(svc);
    let ip: string;
    if (written !== null) ip = written.ip;
    else {
      const drawn = alloc.clusterIPs.allocate();
      if (drawn === null) {
        report(['spec', 'clusterIP'], `Internal error: failed to allocate a serviceIP: range is full`, 'error');
        return null;
      }
      ip = drawn;
    }
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip];
    spec['ipFamilies'] = svc.spec.ipFamilies ?? ['IPv4'];
    spec['ipFamilyPolicy'] = svc.spec.ipFamilyPolicy ?? 'SingleStack';
    spec['internalTrafficPolicy'] = svc.spec.internalTrafficPolicy ?? 'Cluster';
  }
  if (type === 'NodePort' || type === 'LoadBalancer') spec['externalTrafficPolicy'] = svc.spec.externalTrafficPolicy ?? 'Cluster';
  if (type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] = svc.spec.allocateLoadBalancerNodePorts ?? true;

  // Ports: protocol and targetPort defaults; nodePorts drawn where wanted and allowed.
  const allocate = config.allocateNodePorts && wantsNodePorts(svc);
  const byPortNumber = new Map<number, number>();
  const ports: ServicePort[] = (svc.spec.ports ?? []).map((p) => {
    const port: ServicePort = {
      ...p,
      protocol: p.protocol ?? 'TCP',
      targetPort: p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '' ? p.port : p.targetPort,
    };
    if (p.nodePort !== undefined && p.nodePort !== 0) return port;
    if (!allocate) return port;
    // Ports sharing a number (53/UDP and 53/TCP) share one nodePort, as the API server does.
    let np = byPortNumber.get(p.port);
    if (np === undefined) {
      const drawn = alloc.nodePorts.allocate();
      if (drawn === null) {
        report(['spec', 'ports'], 'Internal error: failed to allocate a nodePort: range is full', 'error');
        return port;
      }
      np = drawn;
      byPortNumber.set(p.port, np);
    }
    return { ...port, nodePort: np };
  });
  if (svc.spec.ports !== undefined) spec['ports'] = ports;

  if (type === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local' && (svc.spec.healthCheckNodePort ?? 0) === 0 && config.allocateNodePorts) {
    const hc = alloc.nodePorts.allocate();
    if (hc !== null) spec['healthCheckNodePort'] = hc;
  }

  let status: Service['status'] = { loadBalancer: {} };
  if (type === 'LoadBalancer') {
    const given = svc.status?.loadBalancer?.ingress;
    if (given !== undefined && given.length > 0) status = { loadBalancer: { ingress: given } };
    else if (svc.spec.loadBalancerIP !== undefined && svc.spec.loadBalancerIP !== '') {
      status = { loadBalancer: { ingress: [{ ip: svc.spec.loadBalancerIP, ipMode: 'VIP' }] } };
    } else {
      const ip = alloc.loadBalancers.allocate();
      if (ip !== null) status = { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' } satisfies LoadBalancerIngress] } };
      else {
        report(
          ['status', 'loadBalancer'],
          alloc.loadBalancers.available
            ? `the cloud load-balancer pool ${config.loadBalancerIPPool} is exhausted; EXTERNAL-IP stays <pending>`
            : 'no cloud load balancer (cluster.cloud.loadBalancer.ipPool is not set) and no status.loadBalancer.ingress given; EXTERNAL-IP stays <pending>',
          'warning',
        );
      }
    }
  }

  return {
    ...svc,
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...svc.metadata, namespace: ns },
    spec: spec as unknown as Service['spec'],
    status,
  };
}

/** Frees what a Service holds in the allocators (it is being deleted). */
export function releaseService(service: Service, alloc: ServiceAllocators): void {
  const ip = service.spec.clusterIP;
  if (ip !== undefined && ip !== 'None' && ip !== '') alloc.clusterIPs.release(ip);
  for (const p of service.spec.ports ?? []) if (p.nodePort !== undefined && p.nodePort !== 0) alloc.nodePorts.release(p.nodePort);
  if (service.spec.healthCheckNodePort !== undefined) alloc.nodePorts.release(service.spec.healthCheckNodePort);
}
