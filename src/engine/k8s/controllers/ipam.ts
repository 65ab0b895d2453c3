/**
 * Pod addresses and Node objects: what the CNI's IPAM (host-local) and the kubelet would
 * produce. Each node's pod subnet holds the bridge (cbr0) at its first address, and pods
 * from the second address up. Like host-local, the allocator remembers the last address it
 * handed out and continues after it, so a replacement pod gets a fresh address rather than
 * the one just freed (wrapping around when it reaches the end of the subnet).
 */
import { Cidr, formatIpv4, parseIpv4 } from '../../wire/addr.ts';
import type { Node, NodeCondition } from '../model/index.ts';
import type { ClusterConfig, NodeConfig } from './cluster-config.ts';

/** The result of reserving an address a pod was written with. */
export type ReserveResult = 'ok' | 'outside' | 'taken' | 'invalid';

/** One node's pod address pool (host-local over the node's pod subnet). */
export class NodeIpam {
  private readonly subnet: Cidr;
  private readonly used = new Set<number>();
  private last: number | null = null;

  /** Pools the addresses of `podCIDR`, the first kept for the bridge. */
  constructor(readonly podCIDR: string) {
    this.subnet = Cidr.of(podCIDR);
  }

  /** The bridge (cbr0) address: the subnet's first address, the pods' default gateway. */
  get gateway(): string {
    return formatIpv4(this.subnet.at(1));
  }

  /** Whether an address is inside this node's pod subnet. */
  contains(ip: string): boolean {
    const a = parseIpv4(ip);
    return a !== null && this.subnet.contains(a);
  }

  /** Marks an address written in a pod's status as used. */
  reserve(ip: string): ReserveResult {
    const a = parseIpv4(ip);
    if (a === null) return 'invalid';
    if (!this.subnet.contains(a)) return 'outside';
    if (this.used.has(a)) return 'taken';
    this.used.add(a);
    return 'ok';
  }

  /** The next free address after the last one handed out, or null when the subnet is full. */
  allocate(): string | null {
    const first = this.subnet.at(2);
    const lastAddr = this.subnet.at(this.subnet.size - 2);
    if (lastAddr < first) return null;
    const count = lastAddr - first + 1;
    const start = this.last === null || this.last < first || this.last >= lastAddr ? first : this.last + 1;
    for (let i = 0; i < count; i++) {
      const a = first + ((start - first + i) % count);
      if (!this.used.has(a)) {
        this.used.add(a);
        this.last = a;
        return formatIpv4(a);
      }
    }
    return null;
  }

  /** Returns an address to the pool (the pod is gone). */
  release(ip: string): void {
    const a = parseIpv4(ip);
    if (a !== null) this.used.delete(a);
  }
}

/** The pod address pools of every node, by node name. */
export class PodIpam {
  private readonly pools = new Map<string, NodeIpam>();

  /** One pool per configured node. */
  constructor(nodes: readonly NodeConfig[]) {
    for (const n of nodes) this.pools.set(n.name, new NodeIpam(n.podCIDR));
  }

  /** The pool of a node, or undefined for an unknown node. */
  node(name: string): NodeIpam | undefined {
    return this.pools.get(name);
  }

  /** The node whose pod subnet holds `ip`, if any. */
  nodeFor(ip: string): string | undefined {
    for (const [name, pool] of this.pools) if (pool.contains(ip)) return name;
    return undefined;
  }
}

/** The labels the kubelet puts on every node it registers. */
export function builtinNodeLabels(name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
}

/** The Ready condition of a node that is up, or of one that stopped reporting. */
export function nodeReadyCondition(up: boolean): NodeCondition {
  return up
    ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
    : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
}

/** The Node object of a configured node, as `kubectl get node -o yaml` shows it. */
export function buildNode(node: NodeConfig, uid: string, up = true): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, uid, labels: { ...builtinNodeLabels(node.name), ...node.labels } },
    spec: { podCIDR: node.podCIDR, podCIDRs: [node.podCIDR] },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'Hostname', address: node.name },
      ],
      conditions: [nodeReadyCondition(up)],
    },
  };
}

/** Whether a Node object reports Ready=True (absent conditions count as ready). */
export function nodeIsReady(node: Node): boolean {
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  return c === undefined || c.status === 'True';
}

/** The configured node of a given name. */
export function findNodeConfig(config: ClusterConfig, name: string): NodeConfig | undefined {
  return config.nodes.find((n) => n.name === name);
}
