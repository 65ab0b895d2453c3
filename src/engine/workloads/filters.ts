/**
 * Rulesets for workloads: the netfilter a host carries while the benchmark runs through it.
 */
import type { Host, PacketFilter } from '../dataplane/host.ts';
import { renderIptables } from '../k8s/kube-proxy/render-iptables.ts';
import { nodeNetfilter } from '../k8s/kube-proxy/node-ruleset.ts';
import type { KubeProxyConfig } from '../k8s/kube-proxy/config.ts';

const BENCH_CONFIG: KubeProxyConfig = {
  clusterCIDR: '10.244.0.0/16',
  masqueradeAll: false,
  nodePortAddresses: [],
  localhostNodePorts: true,
  randomFully: true,
  detectLocalMode: 'ClusterCIDR',
};

/**
 * A Kubernetes node's netfilter with no Services: kube-proxy's built-in jumps and its baseline
 * sync, so every packet walks the real chains (KUBE-FORWARD, KUBE-FIREWALL, …) at every hook.
 */
export function kubeNodeFilter(host: Host): PacketFilter {
  const ips = host.devices.flatMap((d) => d.addrs).map((a) => `${a.addr >>> 24}.${(a.addr >>> 16) & 255}.${(a.addr >>> 8) & 255}.${a.addr & 255}`);
  const text = renderIptables({ services: [], endpointSlices: [], node: { name: host.name, ips }, config: BENCH_CONFIG });
  return nodeNetfilter(BENCH_CONFIG, text);
}
