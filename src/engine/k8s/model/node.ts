/**
 * core/v1 Node, reduced to its name, addresses and pod CIDR, shaped like the real API.
 */
import type { ObjectMeta } from './meta.ts';

/** status.addresses[].type. */
export type NodeAddressType = 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';

/** One entry of status.addresses. */
export interface NodeAddress {
  readonly type: NodeAddressType;
  readonly address: string;
}

/** One entry of status.conditions. */
export interface NodeCondition {
  readonly type: 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

/** A core/v1 Node. */
export interface Node {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Node';
  /** Cluster-scoped: no namespace. Labels include topology.kubernetes.io/zone when zoned. */
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly podCIDR?: string;
    /** One per IP family; podCIDRs[0] equals podCIDR. */
    readonly podCIDRs?: readonly string[];
  };
  readonly status?: {
    readonly addresses?: readonly NodeAddress[];
    /** Ready=True while the kubelet reports in; Unknown once the node stops responding. */
    readonly conditions?: readonly NodeCondition[];
  };
}

/** The node's InternalIP addresses, in status order (the first is the primary one). */
export function nodeInternalIPs(node: Node): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}
