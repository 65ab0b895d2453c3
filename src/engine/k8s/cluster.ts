/**
 * ClusterNetwork: a Kubernetes cluster's hosts and wires on the engine, acting as the CNI
 * (bridge plugin + host-local IPAM, as kind's kindnet and the classic kubenet do) and as
 * kube-proxy in iptables mode on every node.
 *
 *   client ─┐                       node-1 (192.168.49.2)                        pods
 *   cloud LB ┼── underlay switch ── eth0 ─[routes, netfilter, conntrack]─ cbr0 ── vethXXXX ── eth0 10.2.1.2
 *   node-2 ──┘                                                 10.2.1.1/24   └─ vethYYYY ── eth0 10.2.1.3
 *
 * Node N's bridge cbr0 holds 10.x.N.1 and is its pods' default gateway; each node routes the
 * other nodes' pod subnets via their node IPs on the underlay. Bridged traffic between pods of
 * one node crosses iptables (br_netfilter), as kubelet requires.
 *
 * For clusters at Kubernetes' scale limits (5,000 nodes, 150,000 pods) three options keep the
 * cost linear: `podRoutes: 'underlay'` puts the pod-subnet routes in the underlay router (a
 * cloud VPC route table) instead of on every node; `fabricArp` makes the underlay answer ARP for
 * its members as cloud fabrics do, so the node network never floods; and deferred pods
 * (`deferPod`) get their network namespace only when a packet first needs it. Nodes may share
 * one netfilter ruleset object when their kube-proxy rules are identical (`addNode`'s `rules`).
 */
import { Cidr, formatIpv4, ipv4 } from '../wire/addr.ts';
import { LinkLayer } from '../trace/events.ts';
import type { Network } from '../dataplane/network.ts';
import { Host } from '../dataplane/host.ts';
import { Bridge } from '../dataplane/device/bridge.ts';
import { Device } from '../dataplane/device/device.ts';
import { Link, type LinkOptions } from '../dataplane/device/link.ts';
import type { Netfilter } from '../dataplane/netfilter/netfilter.ts';
import { renderIptables } from './kube-proxy/render-iptables.ts';
import { nodeNetfilter, restoreOrThrow } from './kube-proxy/node-ruleset.ts';
import type { KubeProxyConfig } from './kube-proxy/config.ts';
import type { EndpointSlice, Node, Pod, Service } from './model/index.ts';
import { namespaceOf, nodeInternalIPs } from './model/index.ts';

/** How the cluster's wires behave. */
export interface ClusterNetworkOptions {
  /** One-way latency of underlay links (ns). */
  latency: number;
  /** Underlay bandwidth (bits/s). */
  bandwidth: number;
  mtu: number;
  kubeProxy: KubeProxyConfig;
  /** The node network (node NICs, clients, cloud LB). */
  nodeCIDR: Cidr;
  /**
   * Where the routes to each node's pod subnet live: 'nodes' (default) — on every other node,
   * via that node's address (kubenet, kindnet); 'underlay' — in the underlay router only (a
   * cloud VPC route table, as GKE routes-based clusters use), so nodes send off-node pod
   * traffic to their default gateway: O(nodes) routes in all instead of O(nodes²).
   */
  podRoutes?: 'nodes' | 'underlay';
  /**
   * The underlay is a cloud fabric: it answers ARP for its members itself (in the hypervisor),
   * its switch has a static entry per port, so no broadcast ever crosses the node network, and
   * its router keeps no conntrack state.
   */
  fabricArp?: boolean;
  /**
   * Whether pod namespaces track connections (default true). Linux registers conntrack in a
   * network namespace only when a ruleset there needs it (since 4.10), so a pod without
   * iptables rules tracks nothing; false models that and saves an entry per flow per pod.
   */
  podConntrack?: boolean;
}

/** kube-proxy's rules for a node made elsewhere: its netfilter (possibly one object shared by nodes with identical rules) and the text loaded into it. */
export interface NodeRules {
  readonly netfilter: Netfilter;
  readonly text: string;
}

/** A node: its host, underlay NIC, pod bridge and subnet. */
export interface ClusterNode {
  readonly name: string;
  readonly host: Host;
  readonly nic: Device;
  readonly bridge: Bridge;
  readonly ip: number;
  readonly podSubnet: Cidr;
  /**
   * The node's ruleset. It may be one object shared with other nodes, or an overlay of one
   * (addNode's `rules`): then do not `syncNode` this node (a restore would reach every node
   * sharing it); give it its own ruleset first.
   */
  readonly netfilter: Netfilter;
  /** The text kube-proxy last handed to iptables-restore on this node ('' when not kept). */
  rulesText: string;
  /** How many pods' veths the node has created (for names). */
  vethCount: number;
}

/** A pod's network namespace on its node. */
export interface ClusterPod {
  readonly key: string;
  readonly pod: Pod;
  readonly host: Host;
  readonly ip: number;
  readonly node: ClusterNode;
  /** The node-side veth end (on cbr0). */
  readonly hostVeth: Device;
}

/** A pod registered with deferPod, not made yet. */
interface DeferredPod {
  readonly pod: Pod;
  readonly key: string;
  readonly ip: number;
  readonly onCreate: ((cp: ClusterPod) => void) | undefined;
}

/** A host outside the cluster (external client, cloud LB) on the node network. */
export interface ExternalHost {
  readonly name: string;
  readonly host: Host;
  readonly nic: Device;
  readonly ip: number;
}

/** Key of a namespaced object: "ns/name". */
export function objectKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

export class ClusterNetwork {
  readonly nodes = new Map<string, ClusterNode>();
  readonly pods = new Map<string, ClusterPod>();
  readonly externals = new Map<string, ExternalHost>();
  /** The underlay: one L2 switch all node NICs, clients and the cloud LB plug into. */
  readonly switchHost: Host;
  private readonly switch: Bridge;
  private switchPorts = 0;
  /** Routes every external host gets (e.g. the LB pool via the cloud LB): see addExternalRoute. */
  private readonly externalRoutes: { readonly dst: Cidr; readonly via: number }[] = [];
  /** fabricArp: the MAC behind each node-network address. */
  private readonly fabric = new Map<number, number>();
  /** Pods whose namespaces are made on demand (deferPod), by address. */
  private readonly deferred = new Map<number, DeferredPod>();
  /** The same, by "ns/name". */
  private readonly deferredByKey = new Map<string, DeferredPod>();

  constructor(
    readonly net: Network,
    readonly opts: ClusterNetworkOptions,
  ) {
    // The underlay is also the nodes' default gateway (as kind's docker network is): it owns
    // the node network's first address and forwards, so every node has a default route.
    this.switchHost = new Host(net, 'underlay');
    this.switch = new Bridge(net, this.switchHost, 'switch', net.nextMac());
    this.switchHost.addDevice(this.switch);
    this.switchHost.addAddress(this.switch, opts.nodeCIDR.at(1), opts.nodeCIDR.prefixLen);
    this.switchHost.ipForward = true;
    if (opts.fabricArp) {
      // A cloud fabric: it answers ARP itself and, as a VPC router, keeps no connection state.
      this.fabric.set(opts.nodeCIDR.at(1), this.switch.mac);
      this.switchHost.neighborMiss = (addr) => this.fabric.get(addr);
      this.switchHost.tracksConnections = false;
    }
  }

  /** The node network's gateway address (the underlay's own). */
  get gateway(): number {
    return this.opts.nodeCIDR.at(1);
  }

  private underlayLink(): LinkOptions {
    return { bandwidth: this.opts.bandwidth, delay: this.opts.latency, queueLimit: 1000 };
  }

  /** Plugs a device (owning node-network address `ip`) into the underlay switch with a fresh link. */
  private plugIntoSwitch(dev: Device, ip: number): Link {
    const port = new Device(this.net, this.switchHost, `port${++this.switchPorts}`, LinkLayer.Ethernet, this.net.nextMac());
    this.switchHost.addDevice(port);
    this.switch.addPort(port);
    if (this.opts.fabricArp) {
      this.fabric.set(ip, dev.mac);
      this.switch.learn(dev.mac, port);
      dev.host.neighborMiss = (addr, out) => (out === dev ? this.fabric.get(addr) : undefined);
    }
    return new Link(this.net, dev, port, this.underlayLink());
  }

  /**
   * Creates a node host from a Node object (InternalIP and spec.podCIDR filled in). `rules`:
   * kube-proxy's ruleset made by the caller (e.g. one object shared by every node whose rules
   * are identical); without it the node starts with kube-proxy's rules for no Services.
   */
  addNode(node: Node, rules?: NodeRules): ClusterNode {
    const name = node.metadata.name;
    const ipText = nodeInternalIPs(node)[0];
    const podCidrText = node.spec?.podCIDR;
    if (!ipText || !podCidrText) throw new Error(`node ${name} needs an InternalIP and spec.podCIDR`);
    const host = new Host(this.net, name);
    host.ipForward = true;
    host.bridgeNfCallIptables = true;
    const nic = host.nic('eth0');
    nic.mtu = this.opts.mtu;
    const ip = ipv4(ipText);
    host.addAddress(nic, ip, this.opts.nodeCIDR.prefixLen);
    host.addRoute('0.0.0.0/0', nic, this.gateway, ip);
    this.plugIntoSwitch(nic, ip);
    const podSubnet = Cidr.of(podCidrText);
    const bridge = new Bridge(this.net, host, 'cbr0', this.net.nextMac());
    host.addDevice(bridge);
    bridge.mtu = this.opts.mtu;
    host.addAddress(bridge, podSubnet.at(1), podSubnet.prefixLen);
    if (this.opts.podRoutes === 'underlay') {
      this.switchHost.addRoute(podSubnet, this.switch, ip);
    } else {
      // Routes to the nodes already present, and theirs to this one.
      for (const other of this.nodes.values()) {
        host.addRoute(other.podSubnet, nic, other.ip);
        other.host.addRoute(podSubnet, other.nic, ip);
      }
    }
    for (const ext of this.externals.values()) host.addRoute(new Cidr(ext.ip, 32), nic, 0, ip);
    const rulesText = rules?.text ?? this.renderRules(name, [ipText, formatIpv4(podSubnet.at(1))], [], []);
    const netfilter = rules?.netfilter ?? nodeNetfilter(this.opts.kubeProxy, rulesText);
    host.netfilter = netfilter;
    // A deferred pod of this node comes into being when the node first looks for its MAC.
    const fabricMiss = host.neighborMiss;
    host.neighborMiss = (addr, dev) => {
      if (dev === bridge) {
        const d = this.deferred.get(addr);
        if (d !== undefined) this.createDeferred(d);
        return undefined;
      }
      return fabricMiss?.(addr, dev);
    };
    const cn: ClusterNode = { name, host, nic, bridge, ip, podSubnet, netfilter, rulesText, vethCount: 0 };
    this.nodes.set(name, cn);
    return cn;
  }

  /** Creates a pod's network namespace on its node (spec.nodeName, status.podIP filled in). */
  addPod(pod: Pod): ClusterPod {
    const ns = namespaceOf(pod.metadata);
    const key = objectKey(ns, pod.metadata.name);
    const nodeName = pod.spec.nodeName;
    const node = nodeName ? this.nodes.get(nodeName) : undefined;
    if (!node) throw new Error(`pod ${key} is not on a known node (${nodeName ?? 'unscheduled'})`);
    const ipText = pod.status?.podIP;
    if (!ipText) throw new Error(`pod ${key} has no IP`);
    const ip = ipv4(ipText);
    const host = new Host(this.net, ns === 'default' ? pod.metadata.name : key);
    if (this.opts.podConntrack === false) host.tracksConnections = false;
    const eth0 = host.nic('eth0');
    eth0.mtu = this.opts.mtu;
    // The node end is named like the CNI bridge plugin's: "veth" + 8 hex chars.
    node.vethCount++;
    const vethName = `veth${(node.vethCount * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0').slice(0, 8)}`;
    const hostVeth = new Device(this.net, node.host, vethName, LinkLayer.Ethernet, this.net.nextMac());
    node.host.addDevice(hostVeth);
    hostVeth.mtu = this.opts.mtu;
    node.bridge.addPort(hostVeth);
    new Link(this.net, eth0, hostVeth, {}); // veth: no serialisation, no delay
    host.addAddress(eth0, ip, node.podSubnet.prefixLen);
    host.addRoute('0.0.0.0/0', eth0, node.podSubnet.at(1));
    // A deferred pod of the same node is on-link: it comes into being before this pod ARPs for it.
    host.neighborMiss = (addr) => {
      const d = this.deferred.get(addr);
      if (d !== undefined) this.createDeferred(d);
      return undefined;
    };
    const cp: ClusterPod = { key, pod, host, ip, node, hostVeth };
    this.pods.set(key, cp);
    return cp;
  }

  /**
   * Registers a pod whose network namespace is made on demand (spec.nodeName and status.podIP
   * filled in): when its node first needs its MAC (before ARPing for it), or when
   * `materializePod` asks. `onCreate` then starts its programs. A 150,000-pod cluster pays only
   * for the pods its traffic reaches.
   */
  deferPod(pod: Pod, onCreate?: (cp: ClusterPod) => void): void {
    const ip = pod.status?.podIP;
    if (!ip) throw new Error(`pod ${pod.metadata.name} has no IP`);
    const d: DeferredPod = { pod, key: objectKey(namespaceOf(pod.metadata), pod.metadata.name), ip: ipv4(ip), onCreate };
    this.deferred.set(d.ip, d);
    this.deferredByKey.set(d.key, d);
  }

  /** The namespace of a pod ("ns/name"), made now if it was deferred; undefined for an unknown pod. */
  materializePod(key: string): ClusterPod | undefined {
    const cp = this.pods.get(key);
    if (cp !== undefined) return cp;
    const d = this.deferredByKey.get(key);
    return d === undefined ? undefined : this.createDeferred(d);
  }

  /** Deferred pods not made yet. */
  get deferredCount(): number {
    return this.deferred.size;
  }

  private createDeferred(d: DeferredPod): ClusterPod {
    this.deferred.delete(d.ip);
    this.deferredByKey.delete(d.key);
    const cp = this.addPod(d.pod);
    d.onCreate?.(cp);
    return cp;
  }

  /** Takes a pod's namespace down (deleted pod): its veth goes away, so packets to it are lost. */
  removePod(ns: string, name: string): void {
    const key = objectKey(ns, name);
    const cp = this.pods.get(key);
    if (!cp) return;
    cp.host.up = false;
    cp.hostVeth.up = false;
    this.pods.delete(key);
  }

  /** A host outside the cluster on the node network (external client or cloud LB). */
  addExternal(name: string, ipText: string): ExternalHost {
    const host = new Host(this.net, name);
    const nic = host.nic('eth0');
    const ip = ipv4(ipText);
    const onNodeNet = this.opts.nodeCIDR.contains(ip);
    host.addAddress(nic, ip, onNodeNet ? this.opts.nodeCIDR.prefixLen : 32);
    // On the node network it reaches everything else through the gateway; off it, the node network is on-link.
    if (onNodeNet) host.addRoute('0.0.0.0/0', nic, this.gateway, ip);
    else host.addRoute(this.opts.nodeCIDR, nic, 0, ip);
    this.plugIntoSwitch(nic, ip);
    // Nodes reach it directly on the underlay (its replies need no SNAT: externalTrafficPolicy Local).
    if (!onNodeNet) {
      for (const n of this.nodes.values()) n.host.addRoute(new Cidr(ip, 32), n.nic, 0, n.ip);
      this.switchHost.addRoute(new Cidr(ip, 32), this.switch, 0, this.gateway);
    }
    for (const r of this.externalRoutes) if (r.via !== ip) host.addRoute(r.dst, nic, r.via, ip);
    const ext: ExternalHost = { name, host, nic, ip };
    this.externals.set(name, ext);
    return ext;
  }

  /**
   * Makes every external host (present and later ones, except the one that owns `via`) route
   * `dst` via the node-network address `via`, as clients reach a cloud LB's address pool
   * through the provider's network.
   */
  addExternalRoute(dst: Cidr, via: number): void {
    this.externalRoutes.push({ dst, via });
    for (const ext of this.externals.values()) if (ext.ip !== via) ext.host.addRoute(dst, ext.nic, via, ext.ip);
  }

  private renderRules(nodeName: string, ips: string[], services: readonly Service[], slices: readonly EndpointSlice[], existing?: readonly string[]): string {
    return renderIptables({ services, endpointSlices: slices, node: { name: nodeName, ips }, config: this.opts.kubeProxy, existingNatChains: existing });
  }

  /**
   * kube-proxy's sync on one node: render the rules for the current Services and
   * EndpointSlices and load them with `iptables-restore --noflush`.
   */
  syncNode(node: ClusterNode, services: readonly Service[], slices: readonly EndpointSlice[]): void {
    const existing = [...node.netfilter.table('nat').chains.keys()];
    const text = this.renderRules(node.name, [formatIpv4(node.ip), formatIpv4(node.podSubnet.at(1))], services, slices, existing);
    restoreOrThrow(node.netfilter, text, true, `kube-proxy on ${node.name}`);
    node.rulesText = text;
  }

  /** Syncs every node now. */
  syncAll(services: readonly Service[], slices: readonly EndpointSlice[]): void {
    for (const n of this.nodes.values()) this.syncNode(n, services, slices);
  }

  /** The pod whose address is `ip`, if any. */
  podByIp(ip: number): ClusterPod | undefined {
    for (const p of this.pods.values()) if (p.ip === ip) return p;
    return undefined;
  }
}
