/**
 * A small kind-like cluster for the cluster DNS tests: services on 10.96.0.0/12, pods on
 * 10.244.N.0/24, kube-dns at 10.96.0.10 with two CoreDNS pods. EndpointSlices are written
 * as the EndpointSlice controller leaves them (ready already folds in publishNotReadyAddresses
 * and terminating, shared/docs/cluster-dns.md §3.3).
 */
import type { EndpointSlice, Namespace, Pod, Protocol, Service, ServiceSpec } from '../../model/index.ts';

/** A Service in `namespace` (default "default"). */
export function service(name: string, spec: ServiceSpec, namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

/** One endpoint of a fixture slice. */
export interface EndpointFixture {
  readonly ip: string;
  readonly ready?: boolean;
  readonly terminating?: boolean;
  readonly hostname?: string;
  readonly pod?: string;
}

/** An EndpointSlice for `serviceName`. */
export function slice(
  serviceName: string,
  endpoints: readonly EndpointFixture[],
  ports: readonly { name: string; port: number; protocol?: Protocol }[],
  opts: { namespace?: string; name?: string; addressType?: 'IPv4' | 'IPv6' } = {},
): EndpointSlice {
  const namespace = opts.namespace ?? 'default';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: opts.name ?? `${serviceName}-abc12`, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: opts.addressType ?? 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: {
        ...(e.ready !== undefined ? { ready: e.ready } : {}),
        ...(e.terminating !== undefined ? { terminating: e.terminating, serving: true } : {}),
      },
      ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      ...(e.pod !== undefined ? { targetRef: { kind: 'Pod', namespace, name: e.pod } } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** A Namespace object. */
export function namespace(name: string): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** A running pod with `podIP`. */
export function pod(name: string, podIP: string, namespace = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP } };
}

/** The namespaces of the fixture cluster. */
export const NAMESPACES: readonly Namespace[] = ['default', 'kube-system', 'testns', 'quiet'].map(namespace);

/** The services of the fixture cluster. */
export const SERVICES: readonly Service[] = [
  service('kubernetes', { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] }),
  service(
    'kube-dns',
    {
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    },
    'kube-system',
  ),
  service('backend', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
  service('nodeport', { type: 'NodePort', clusterIP: '10.96.0.21', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }),
  service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.22', externalIPs: ['198.51.100.9'], ports: [{ name: 'http', port: 80, nodePort: 30081 }] }),
  service('empty', { clusterIP: '10.96.0.30', ports: [{ name: 'http', port: 80 }] }),
  service('noports', { clusterIP: '10.96.0.40' }),
  service('dual', { clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50', 'fd00:10:96::50'], ipFamilies: ['IPv4', 'IPv6'], ports: [{ name: 'http', port: 80 }] }),
  service('mongo', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'mongo', port: 27017 }] }),
  service('web', { clusterIP: 'None', ports: [{ name: 'web', port: 80, targetPort: 8080 }] }),
  service('web-pna', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'web', port: 80, targetPort: 8080 }] }),
  service('none-ready', { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }),
  service('bare', { clusterIP: 'None' }),
  service('ext', { type: 'ExternalName', externalName: 'example.com' }),
  service('alias', { type: 'ExternalName', externalName: 'backend.default.svc.cluster.local' }),
  service('dangling', { type: 'ExternalName', externalName: 'nothing.default.svc.cluster.local' }),
  service('ipext', { type: 'ExternalName', externalName: '1.2.3.4' }),
  service('svc1', { clusterIP: '10.96.0.100', ports: [{ name: 'http', port: 80 }] }, 'testns'),
];

/** The EndpointSlices of the fixture cluster. */
export const SLICES: readonly EndpointSlice[] = [
  slice('kubernetes', [{ ip: '172.18.0.2' }], [{ name: 'https', port: 6443 }]),
  slice(
    'kube-dns',
    [
      { ip: '10.244.0.2', pod: 'coredns-0' },
      { ip: '10.244.0.3', pod: 'coredns-1' },
    ],
    [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153 },
    ],
    { namespace: 'kube-system' },
  ),
  slice('backend', [{ ip: '10.244.1.4', pod: 'backend-0' }, { ip: '10.244.2.5', ready: false, pod: 'backend-1' }], [{ name: 'http', port: 8080 }]),
  slice('nodeport', [{ ip: '10.244.1.6' }], [{ name: 'http', port: 8080 }]),
  slice('lb', [{ ip: '10.244.1.7' }], [{ name: 'http', port: 8080 }]),
  slice('empty', [], [{ name: 'http', port: 80 }]),
  slice('dual', [{ ip: '10.244.1.8' }], [{ name: 'http', port: 80 }]),
  slice(
    'mongo',
    [{ ip: '10.244.1.10' }, { ip: '10.244.2.10' }, { ip: '10.244.3.10' }, { ip: '10.244.3.11', ready: false }],
    [{ name: 'mongo', port: 27017 }],
  ),
  slice(
    'web',
    [
      { ip: '10.244.1.20', hostname: 'web-0', pod: 'web-0' },
      { ip: '10.244.2.20', hostname: 'web-1', pod: 'web-1' },
      // Terminating: the controller marks it not ready (§3.3).
      { ip: '10.244.3.20', hostname: 'web-2', pod: 'web-2', ready: false, terminating: true },
    ],
    [{ name: 'web', port: 8080 }],
  ),
  // publishNotReadyAddresses: the controller publishes the unready pod as ready (§3.3).
  slice('web-pna', [{ ip: '10.244.3.30', hostname: 'web-pna-0', pod: 'web-pna-0', ready: true }], [{ name: 'web', port: 8080 }]),
  slice('none-ready', [{ ip: '10.244.1.40', ready: false }, { ip: '10.244.2.40', ready: false }], [{ name: 'web', port: 80 }]),
  slice('bare', [{ ip: '10.244.1.50' }], []),
  slice('svc1', [{ ip: '10.244.2.60', hostname: 'ep1a' }], [{ name: 'http', port: 80 }], { namespace: 'testns' }),
];

/** The pods the `pods verified` tests look for. */
export const PODS: readonly Pod[] = [pod('backend-0', '10.244.1.4'), pod('web-0', '10.244.1.20'), pod('coredns-0', '10.244.0.2', 'kube-system')];
