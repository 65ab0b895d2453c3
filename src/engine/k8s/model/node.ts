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
  };
}

/** The node's InternalIP addresses, in status order (the first is the primary one). */
export function nodeInternalIPs(node: Node): string[] {
  return (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}
