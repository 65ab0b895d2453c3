/**
 * Test fixtures for the kube-proxy renderer: a kind-like two-worker cluster (node IPs on
 * 172.18.0.0/16, pods on 10.244.N.0/24, services on 10.96.0.0/12) and small builders for
 * Services and EndpointSlices shaped like the real API objects.
 */
import type { EndpointSlice, Protocol, Service, ServiceSpec, ServiceStatus } from '../../model/index.ts';
import type { KubeProxyConfig, KubeProxyNode, RenderIptablesInput } from '../render-iptables.ts';

/** The node the rules are rendered for. */
export const NODE: KubeProxyNode = { name: 'kind-worker', ips: ['172.18.0.3'] };

/** The other worker; its endpoints are remote. */
export const OTHER_NODE = 'kind-worker2';

/** kube-proxy as kind/kubeadm configure it on a current node. */
export const CONFIG: KubeProxyConfig = {
  clusterCIDR: '10.244.0.0/16',
  masqueradeAll: false,
  nodePortAddresses: [],
  localhostNodePorts: true,
  randomFully: true,
  detectLocalMode: 'ClusterCIDR',
};

/** A Service in `default` (or `namespace`). */
export function service(name: string, spec: ServiceSpec, status?: ServiceStatus, namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec, ...(status ? { status } : {}) };
}

/** One endpoint as the fixtures describe it. */
export interface EndpointFixture {
  readonly ip: string;
  readonly node?: string;
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

/** An IPv4 EndpointSlice for `serviceName`, as the EndpointSlice controller writes it. */
export function slice(
  serviceName: string,
  endpoints: readonly EndpointFixture[],
  ports: readonly { name: string; port: number; protocol?: Protocol }[],
  namespace = 'default',
  sliceName = `${serviceName}-abc12`,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: sliceName, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      ...(e.node !== undefined ? { nodeName: e.node } : {}),
      conditions: {
        ...(e.ready !== undefined ? { ready: e.ready } : {}),
        ...(e.serving !== undefined ? { serving: e.serving } : {}),
        ...(e.terminating !== undefined ? { terminating: e.terminating } : {}),
      },
    })),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** A render input with the default node and config. */
export function input(
  services: readonly Service[],
  endpointSlices: readonly EndpointSlice[],
  config: Partial<KubeProxyConfig> = {},
  node: KubeProxyNode = NODE,
): RenderIptablesInput {
  return { services, endpointSlices, node, config: { ...CONFIG, ...config } };
}

/** default/web: a ClusterIP Service with one local and one remote endpoint. */
export const WEB = service('web', {
  type: 'ClusterIP',
  clusterIP: '10.96.10.10',
  clusterIPs: ['10.96.10.10'],
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
  selector: { app: 'web' },
});

/** The EndpointSlice of default/web. */
export const WEB_SLICE = slice(
  'web',
  [
    { ip: '10.244.1.5', node: NODE.name, ready: true, serving: true, terminating: false },
    { ip: '10.244.2.7', node: OTHER_NODE, ready: true, serving: true, terminating: false },
  ],
  [{ name: 'http', port: 8080 }],
);
