/**
 * The objects a fresh kubeadm cluster already has before any file is applied: the
 * namespaces, default/kubernetes (the API server's Service, whose one endpoint is the
 * control-plane node's address on port 6443), kube-system/kube-dns and the CoreDNS
 * Deployment behind it. Shapes and names are kubeadm's (cmd/kubeadm/app/phases/addons/dns).
 */
import type { Deployment, EndpointSlice, Endpoints, Namespace, Service } from '../model/index.ts';
import { LABEL_SERVICE_NAME } from '../model/index.ts';
import { LABEL_SKIP_MIRROR } from './endpointslices.ts';

/** The namespaces every cluster starts with. */
export const BUILTIN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;

/** The port the API server listens on (kubeadm's default). */
export const API_SERVER_PORT = 6443;

/** A Namespace object as `kubectl get ns -o yaml` shows it. */
export function namespaceObject(name: string, uid?: string): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(uid === undefined ? {} : { uid }), labels: { 'kubernetes.io/metadata.name': name } },
    status: { phase: 'Active' },
  };
}

/** default/kubernetes: no selector; its endpoints are written by the API server itself. */
export function kubernetesService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: API_SERVER_PORT }] },
  };
}

/** The EndpointSlice the API server keeps for default/kubernetes: the control-plane node, port 6443. */
export function kubernetesEndpointSlice(apiServerIP: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { [LABEL_SERVICE_NAME]: 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [apiServerIP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: API_SERVER_PORT, protocol: 'TCP' }],
  };
}

/** The legacy Endpoints the API server keeps for default/kubernetes (marked not to be mirrored). */
export function kubernetesEndpoints(apiServerIP: string): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { [LABEL_SKIP_MIRROR]: 'true' } },
    subsets: [{ addresses: [{ ip: apiServerIP }], ports: [{ name: 'https', port: API_SERVER_PORT, protocol: 'TCP' }] }],
  };
}

/** kube-system/kube-dns, as kubeadm creates it (its ClusterIP is the service CIDR's tenth address). */
export function kubeDnsService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
}

/** The CoreDNS image kubeadm 1.33 deploys. */
export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.12.0';

/** kube-system/coredns, as kubeadm creates it: 2 replicas labelled k8s-app=kube-dns. */
export function coreDnsDeployment(): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          dnsPolicy: 'Default',
          containers: [
            {
              name: 'coredns',
              image: COREDNS_IMAGE,
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  };
}
