/**
 * The golden scenarios: one per feature of kube-proxy's iptables rules. Each renders to
 * `testdata/<name>.rules`, the exact text kube-proxy would hand to iptables-restore on
 * node kind-worker (see fixtures.ts for the cluster).
 */
import type { RenderIptablesInput } from '../render-iptables.ts';
import { NODE, OTHER_NODE, WEB, WEB_SLICE, input, service, slice } from './fixtures.ts';

/** A golden scenario: what it shows, and the render input. */
export interface Scenario {
  readonly shows: string;
  readonly input: RenderIptablesInput;
}

const local = NODE.name;
const remote = OTHER_NODE;

const WEB_NODEPORT = service('web-np', {
  type: 'NodePort',
  clusterIP: '10.96.20.20',
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
  externalTrafficPolicy: 'Cluster',
});
const WEB_NODEPORT_SLICE = slice(
  'web-np',
  [
    { ip: '10.244.1.5', node: local },
    { ip: '10.244.2.7', node: remote },
  ],
  [{ name: 'http', port: 8080 }],
);

const WEB_LOCAL = service(
  'web-local',
  {
    type: 'LoadBalancer',
    clusterIP: '10.96.40.40',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 32080 }],
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 32500,
    externalIPs: ['192.0.2.50'],
  },
  { loadBalancer: { ingress: [{ ip: '203.0.113.20', ipMode: 'VIP' }] } },
);

const WEB_LOCAL_NP = service('web-local-np', {
  type: 'NodePort',
  clusterIP: '10.96.41.41',
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 32081 }],
  externalTrafficPolicy: 'Local',
});

/** Every golden scenario, keyed by its testdata file name (without `.rules`). */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  baseline: {
    shows: 'no Services: only the fixed rules (§6)',
    input: input([], []),
  },

  'clusterip-2-endpoints': {
    shows: 'ClusterIP with two endpoints: off-cluster masquerade, 1/2 ladder, hairpin + DNAT per SEP',
    input: input([WEB], [WEB_SLICE]),
  },

  nodeport: {
    shows: 'NodePort with Cluster policy: KUBE-NODEPORTS → EXT (masquerade all) → SVC',
    input: input([WEB_NODEPORT], [WEB_NODEPORT_SLICE]),
  },

  'loadbalancer-source-ranges': {
    shows: 'LB VIP with loadBalancerSourceRanges: KUBE-FW allows ranges (and the VIP itself, as the node IP is in a range), KUBE-PROXY-FIREWALL drops the rest',
    input: input(
      [
        service(
          'web-lb',
          {
            type: 'LoadBalancer',
            clusterIP: '10.96.30.30',
            ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31080 }],
            loadBalancerSourceRanges: ['198.51.100.0/24', ' 172.18.0.0/16 '],
          },
          { loadBalancer: { ingress: [{ ip: '203.0.113.10' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.11', ipMode: 'Proxy' }] } },
        ),
      ],
      [slice('web-lb', [{ ip: '10.244.2.7', node: remote }], [{ name: 'http', port: 8080 }])],
    ),
  },

  'etp-local': {
    shows: 'externalTrafficPolicy Local with a local endpoint: EXT short-circuits pods and the host to SVC, everything else to SVL; health-check port accepted',
    input: input([WEB_LOCAL], [slice('web-local', [{ ip: '10.244.1.5', node: local }, { ip: '10.244.2.7', node: remote }], [{ name: 'http', port: 8080 }])]),
  },

  'etp-local-no-local-endpoints': {
    shows: 'externalTrafficPolicy Local without local endpoints: no SVL, no final EXT jump, external destinations DROPped in filter',
    input: input([WEB_LOCAL], [slice('web-local', [{ ip: '10.244.2.7', node: remote }, { ip: '10.244.3.9', node: 'kind-worker3' }], [{ name: 'http', port: 8080 }])]),
  },

  'session-affinity': {
    shows: 'ClientIP affinity: recent --rcheck per endpoint before a 3-endpoint ladder in string order; recent --set on DNAT',
    input: input(
      [
        service('sticky', {
          clusterIP: '10.96.50.50',
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
        }),
      ],
      [
        slice(
          'sticky',
          [
            { ip: '10.244.2.7', node: remote },
            { ip: '10.244.1.5', node: local },
            { ip: '10.244.2.10', node: remote },
          ],
          [{ name: 'http', port: 8080 }],
        ),
      ],
    ),
  },

  'no-endpoints': {
    shows: 'no usable endpoints (not ready, not serving): REJECT for cluster IP, external IP, LB VIP and node port; no nat rules',
    input: input(
      [
        service(
          'empty',
          {
            type: 'LoadBalancer',
            clusterIP: '10.96.60.60',
            ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30600 }],
            externalIPs: ['192.0.2.60'],
          },
          { loadBalancer: { ingress: [{ ip: '203.0.113.60' }] } },
        ),
      ],
      [
        slice(
          'empty',
          [
            { ip: '10.244.1.8', node: local, ready: false, serving: false, terminating: false },
            { ip: '10.244.2.8', node: remote, ready: false, serving: false, terminating: true },
          ],
          [{ name: 'http', port: 8080 }],
        ),
      ],
    ),
  },

  'itp-local': {
    shows: 'internalTrafficPolicy Local: the cluster IP jumps to SVL (masquerade rule there), only local endpoints get SEP chains',
    input: input(
      [
        service('node-local', {
          clusterIP: '10.96.70.70',
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
          internalTrafficPolicy: 'Local',
        }),
      ],
      [slice('node-local', [{ ip: '10.244.1.5', node: local }, { ip: '10.244.2.7', node: remote }], [{ name: 'http', port: 8080 }])],
    ),
  },

  'itp-local-no-local-endpoints': {
    shows: 'internalTrafficPolicy Local without local endpoints: DROP "has no local endpoints" (not REJECT), no nat rules',
    input: input(
      [
        service('node-local', {
          clusterIP: '10.96.70.70',
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
          internalTrafficPolicy: 'Local',
        }),
      ],
      [slice('node-local', [{ ip: '10.244.2.7', node: remote }], [{ name: 'http', port: 8080 }])],
    ),
  },

  'masquerade-all': {
    shows: '--masquerade-all: the cluster-IP masquerade rule has no source match',
    input: input([WEB], [WEB_SLICE], { masqueradeAll: true }),
  },

  'no-cluster-cidr': {
    shows: 'no local-traffic detector: no cluster-IP masquerade rule, no "pod traffic" short-circuit in EXT',
    input: input(
      [WEB, WEB_LOCAL_NP],
      [WEB_SLICE, slice('web-local-np', [{ ip: '10.244.1.6', node: local }, { ip: '10.244.2.9', node: remote }], [{ name: 'http', port: 8080 }])],
      { clusterCIDR: '' },
    ),
  },

  'multi-port': {
    shows: 'named ports are independent; same number on TCP and UDP gives different chains; DNAT port comes from the slice port of the same name',
    input: input(
      [
        service('app', {
          clusterIP: '10.96.80.80',
          ports: [
            { name: 'http', protocol: 'TCP', port: 80, targetPort: 'web' },
            { name: 'https', protocol: 'TCP', port: 443, targetPort: 8443 },
            { name: 'stats', protocol: 'UDP', port: 80, targetPort: 8125 },
          ],
        }),
      ],
      [
        slice(
          'app',
          [{ ip: '10.244.1.5', node: local }, { ip: '10.244.2.7', node: remote }],
          [
            { name: 'https', port: 8443 },
            { name: 'stats', port: 8125, protocol: 'UDP' },
            { name: 'http', port: 8080 },
          ],
        ),
      ],
    ),
  },

  'terminating-endpoints': {
    shows: 'no ready endpoints: Cluster falls back to serving+terminating ones; Local may use a terminating local endpoint while SVC uses a ready remote one (SEPs for the union)',
    input: input(
      [
        service('rolling', { clusterIP: '10.96.90.90', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] }),
        WEB_LOCAL_NP,
      ],
      [
        slice(
          'rolling',
          [
            { ip: '10.244.1.5', node: local, ready: false, serving: true, terminating: true },
            { ip: '10.244.2.7', node: remote, ready: false, serving: true, terminating: true },
            { ip: '10.244.2.8', node: remote, ready: false, serving: false, terminating: true },
          ],
          [{ name: 'http', port: 8080 }],
        ),
        slice(
          'web-local-np',
          [
            { ip: '10.244.1.6', node: local, ready: false, serving: true, terminating: true },
            { ip: '10.244.2.9', node: remote, ready: true, serving: true, terminating: false },
          ],
          [{ name: 'http', port: 8080 }],
        ),
      ],
    ),
  },

  'nodeport-addresses': {
    shows: '--nodeport-addresses with loopback and the node network: one tail-call rule per matching local address',
    input: input([WEB_NODEPORT], [WEB_NODEPORT_SLICE], { nodePortAddresses: ['127.0.0.0/8', '172.18.0.0/16', 'fd00::/64'] }, {
      name: NODE.name,
      ips: ['172.18.0.3', '10.244.1.1'],
    }),
  },

  'nodeport-addresses-no-loopback': {
    shows: '--nodeport-addresses without loopback switches localhost NodePorts off: no KUBE-FIREWALL',
    input: input([WEB_NODEPORT], [WEB_NODEPORT_SLICE], { nodePortAddresses: ['172.18.0.0/16'] }),
  },

  'localhost-nodeports-off': {
    shows: 'localhostNodePorts false: no KUBE-FIREWALL, tail call excludes 127.0.0.0/8',
    input: input([WEB_NODEPORT], [WEB_NODEPORT_SLICE], { localhostNodePorts: false }),
  },

  'nfacct-no-random-fully': {
    shows: 'nfacct counters present (R2 fixture), iptables without --random-fully',
    input: input([WEB_NODEPORT], [WEB_NODEPORT_SLICE], { nfacct: true, randomFully: false }),
  },

  'stale-chains': {
    shows: 'per-service chains left from an earlier sync are flushed and deleted before the tail call; other chains are left alone',
    input: {
      ...input([WEB], [WEB_SLICE]),
      existingNatChains: [
        'KUBE-SERVICES',
        'KUBE-SVC-CDGGSHYLG3RE2FKL',
        'KUBE-SEP-AFGSLHOD2HFNCBX4',
        'KUBE-SEP-OLDENDPOINTXXXXX',
        'KUBE-SVL-OLDSERVICEXXXXXX',
        'KUBE-KUBELET-CANARY',
      ],
    },
  },
};
