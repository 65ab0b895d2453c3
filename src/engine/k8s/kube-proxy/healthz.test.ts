import { describe, expect, it } from 'vitest';
import { Simulation } from '../../sim/simulation.ts';
import { Network } from '../../dataplane/network.ts';
import { TraceRecorder } from '../../trace/recorder.ts';
import { Cidr, ipv4 } from '../../wire/addr.ts';
import { ClusterNetwork } from '../cluster.ts';
import type { EndpointSlice, Node, Pod, Service } from '../model/index.ts';
import { httpGet, type HttpResult } from '../../apps/http-client.ts';
import { rawTcp } from '../../apps/testing/topology.ts';
import { SIM_EPOCH_MS } from '../../apps/common.ts';
import { KubeProxyHealth, goTimeString, localReadyEndpointCounts, serviceHealthBody } from './healthz.ts';

const KP = { clusterCIDR: '10.2.0.0/16', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, randomFully: true, detectLocalMode: 'ClusterCIDR' as const };

function node(i: number): Node {
  return { metadata: { name: `node-${i}` }, spec: { podCIDR: `10.2.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.49.${i + 1}` }] } };
}
function pod(name: string, nodeIdx: number, host: number): Pod {
  return { metadata: { name, namespace: 'default', labels: { app: 'web' } }, spec: { nodeName: `node-${nodeIdx}`, containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] }, status: { podIP: `10.2.${nodeIdx}.${host}` } };
}
const web: Service = {
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'LoadBalancer', clusterIP: '10.96.0.30', selector: { app: 'web' }, externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }] },
  status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
};
type Ep = { pod: Pod; ready?: boolean; terminating?: boolean };
function slice(eps: Ep[], ports = [{ name: 'http', port: 8080, protocol: 'TCP' as const }]): EndpointSlice {
  return {
    metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: eps.map(({ pod: p, ready = true, terminating = false }) => ({ addresses: [p.status!.podIP!], conditions: { ready, serving: true, terminating }, nodeName: p.spec.nodeName })),
    ports,
  };
}

function build() {
  const sim = new Simulation(3);
  const trace = new TraceRecorder();
  const net = new Network(sim, trace);
  const cluster = new ClusterNetwork(net, { latency: 50_000, bandwidth: 10e9, mtu: 1500, kubeProxy: KP, nodeCIDR: Cidr.of('192.168.49.0/24') });
  for (let i = 1; i <= 3; i++) cluster.addNode(node(i));
  const pods = [pod('web-1', 1, 2), pod('web-2', 1, 3), pod('web-3', 2, 2)];
  for (const p of pods) cluster.addPod(p);
  const laptop = cluster.addExternal('laptop', '198.51.100.7').host;
  const health = new Map([...cluster.nodes.values()].map((n) => [n.name, new KubeProxyHealth(n.host, { nodeName: n.name }).start()]));
  /** kube-proxy's sync on every node: rules and health servers. */
  const sync = (services: Service[], slices: EndpointSlice[]) => {
    cluster.syncAll(services, slices);
    for (const h of health.values()) h.update(services, slices);
  };
  // web-1 and web-2 on node-1 ready; web-3 on node-2 terminating (still serving).
  sync([web], [slice([{ pod: pods[0]! }, { pod: pods[1]! }, { pod: pods[2]!, ready: false, terminating: true }])]);
  return { sim, trace, cluster, pods, laptop, health, sync };
}

function get(w: ReturnType<typeof build>, ip: string, port: number, path = '/healthz'): HttpResult {
  let res: HttpResult | null = null;
  httpGet(w.laptop, { target: { ip: ipv4(ip), port, path }, timeoutNs: 3e9 }, (r) => (res = r));
  w.sim.run();
  if (!res) throw new Error('no result');
  return res;
}

describe('kube-proxy service health server (healthCheckNodePort)', () => {
  it('answers 200 with the local ready endpoint count on a node that has them, in kube-proxy\'s exact bytes', () => {
    const w = build();
    const r = get(w, '192.168.49.2', 32000);
    expect([r.status, r.reason]).toEqual([200, 'OK']);
    expect(r.body).toBe('{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
    expect(JSON.parse(r.body)).toEqual({ service: { namespace: 'default', name: 'web' }, localEndpoints: 2, serviceProxyHealthy: true });
    expect(r.headers.map(([k, v]) => (k === 'Date' ? 'Date' : `${k}: ${v}`))).toEqual([
      'Content-Type: application/json',
      'X-Content-Type-Options: nosniff',
      'X-Load-Balancing-Endpoint-Weight: 2',
      'Date',
      `Content-Length: ${r.body.length}`,
    ]);
  });

  it('answers 503 where the only local endpoint is terminating, and where there is none', () => {
    const w = build();
    for (const ip of ['192.168.49.3', '192.168.49.4']) {
      const r = get(w, ip, 32000);
      expect([r.status, r.reason]).toEqual([503, 'Service Unavailable']);
      expect(JSON.parse(r.body)).toEqual({ service: { namespace: 'default', name: 'web' }, localEndpoints: 0, serviceProxyHealthy: true });
      expect(r.headers.find(([k]) => k === 'X-Load-Balancing-Endpoint-Weight')![1]).toBe('0');
    }
    expect(w.health.get('node-2')!.services()).toEqual([{ namespace: 'default', name: 'web', port: 32000, localEndpoints: 0, status: 503 }]);
  });

  it('any path and method gets the same answer; an HTTP/1.0 probe is answered in 1.0 as on a real node', () => {
    const w = build();
    expect(get(w, '192.168.49.2', 32000, '/anything').status).toBe(200);
    const t = rawTcp(w.laptop, ipv4('192.168.49.2'), 32000, ['GET / HTTP/1.0\r\n\r\n']);
    w.sim.run();
    // The shape nmap records from a real kube-proxy: sorted handler headers, then Date and Content-Length.
    expect(t.text()).toMatch(/^HTTP\/1\.0 200 OK\r\nContent-Type: application\/json\r\nX-Content-Type-Options: nosniff\r\nX-Load-Balancing-Endpoint-Weight: 2\r\nDate: [^\r]+ GMT\r\nContent-Length: 114\r\n\r\n\{\n\t"service": \{/);
    expect(t.state.peerClosed).toBe(true);
  });

  it('follows endpoint changes, and opens and closes with the Service', () => {
    const w = build();
    // web-3 on node-2 becomes ready: node-2 passes.
    w.sync([web], [slice([{ pod: w.pods[0]! }, { pod: w.pods[1]! }, { pod: w.pods[2]! }])]);
    expect(get(w, '192.168.49.3', 32000).status).toBe(200);
    // Both node-1 pods go away: node-1 fails.
    w.sync([web], [slice([{ pod: w.pods[2]! }])]);
    const n1 = get(w, '192.168.49.2', 32000);
    expect([n1.status, JSON.parse(n1.body).localEndpoints]).toEqual([503, 0]);
    // externalTrafficPolicy Cluster: no health check node port any more; the port refuses.
    w.sync([{ ...web, spec: { ...web.spec, externalTrafficPolicy: 'Cluster' } }], [slice([{ pod: w.pods[2]! }])]);
    expect(get(w, '192.168.49.3', 32000).error).toBe('refused');
    expect(w.health.get('node-3')!.services()).toEqual([]);
  });

  it('serviceProxyHealthy false makes every node answer 503', () => {
    const w = build();
    w.health.get('node-1')!.healthy = false;
    const r = get(w, '192.168.49.2', 32000);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ localEndpoints: 2, serviceProxyHealthy: false });
  });
});

describe('kube-proxy proxier health server (10256)', () => {
  it('/healthz and /livez answer with Go time strings; other paths get Go\'s 404', () => {
    const w = build();
    w.sim.at(2_500_000_000, () => {}); // moves the clock
    w.sim.run();
    const h = get(w, '192.168.49.2', 10256, '/healthz');
    expect(h.status).toBe(200);
    const m = /^\{"lastUpdated": "([^"]+)","currentTime": "([^"]+)", "nodeEligible": true\}$/.exec(h.body);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(m![2]).toMatch(/^2026-01-01 00:00:02\.5\d+ \+0000 UTC m=\+2\.5\d{8}$/);
    expect(h.headers.map(([k]) => k)).toEqual(['Content-Type', 'X-Content-Type-Options', 'Date', 'Content-Length']);
    const l = get(w, '192.168.49.2', 10256, '/livez');
    expect(l.body).toMatch(/^\{"lastUpdated": "[^"]+","currentTime": "[^"]+"\}$/);
    const nf = get(w, '192.168.49.2', 10256, '/');
    expect([nf.status, nf.body]).toEqual([404, '404 page not found\n']);
  });

  it('an unhealthy proxier answers 503 with its last sync time', () => {
    const w = build();
    w.sim.at(1_000_000_000, () => {});
    w.sim.run();
    w.health.get('node-2')!.healthy = false;
    const h = get(w, '192.168.49.3', 10256, '/healthz');
    expect(h.status).toBe(503);
    expect(h.body).toMatch(/^\{"lastUpdated": "2026-01-01 00:00:00 \+0000 UTC m=\+0\.000000000","currentTime": "2026-01-01 00:00:01\.\d+ /);
  });
});

describe('helpers', () => {
  it('serviceHealthBody is the byte length a real node sends (Content-Length 127 for default/wp-nginx-service)', () => {
    expect(new TextEncoder().encode(serviceHealthBody('default', 'wp-nginx-service', 1, true)).length).toBe(127);
  });

  it('formats times like Go time.Time.String()', () => {
    expect(goTimeString(SIM_EPOCH_MS, 80_277_574_766, 0)).toBe('2026-01-01 00:01:20.277574766 +0000 UTC m=+80.277574766');
    expect(goTimeString(SIM_EPOCH_MS, 2_000_000_000, 0)).toBe('2026-01-01 00:00:02 +0000 UTC m=+2.000000000');
    expect(goTimeString(SIM_EPOCH_MS + 86_400_000 * 31, 500_000_000, 100_000_000)).toBe('2026-02-01 00:00:00.5 +0000 UTC m=+0.400000000');
  });

  it('counts distinct local ready IPs per Service across ports', () => {
    const a = pod('a', 1, 2), b = pod('b', 1, 3), c = pod('c', 2, 2);
    const two = slice([{ pod: a }, { pod: b, ready: false, terminating: true }, { pod: c }], [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'https', port: 8443, protocol: 'TCP' },
    ]);
    expect(localReadyEndpointCounts([two], 'node-1')).toEqual(new Map([['default/web', 1]]));
    expect(localReadyEndpointCounts([two], 'node-3')).toEqual(new Map());
  });
});
