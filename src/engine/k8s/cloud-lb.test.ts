import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/simulation.ts';
import { Network } from '../dataplane/network.ts';
import { TraceRecorder, type TraceEvent } from '../trace/recorder.ts';
import { Cidr, ipv4, readU16, readU32 } from '../wire/addr.ts';
import { ClusterNetwork } from './cluster.ts';
import type { EndpointSlice, Node, Pod, Service } from './model/index.ts';
import { startNetexec } from '../apps/netexec.ts';
import { httpGet, type HttpResult } from '../apps/http-client.ts';
import { KubeProxyHealth } from './kube-proxy/healthz.ts';
import { CloudLoadBalancer, type CloudLoadBalancerOptions } from './cloud-lb.ts';

const KP = { clusterCIDR: '10.2.0.0/16', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, randomFully: true, detectLocalMode: 'ClusterCIDR' as const };
const VIP = '203.0.113.10';
const MS = 1_000_000;
const S = 1_000_000_000;

function node(i: number): Node {
  return { metadata: { name: `node-${i}` }, spec: { podCIDR: `10.2.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.49.${i + 1}` }] } };
}
function pod(name: string, nodeIdx: number, host: number): Pod {
  return { metadata: { name, namespace: 'default', labels: { app: 'web' } }, spec: { nodeName: `node-${nodeIdx}`, containers: [{ name: 'agnhost', ports: [{ containerPort: 8080 }] }] }, status: { podIP: `10.2.${nodeIdx}.${host}` } };
}
function lbService(etp: 'Cluster' | 'Local', sourceRanges?: string[]): Service {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.30',
      selector: { app: 'web' },
      externalTrafficPolicy: etp,
      ...(etp === 'Local' ? { healthCheckNodePort: 32000 } : {}),
      ...(sourceRanges ? { loadBalancerSourceRanges: sourceRanges } : {}),
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }],
    },
    status: { loadBalancer: { ingress: [{ ip: VIP }] } },
  };
}
function slice(pods: Pod[]): EndpointSlice {
  return {
    metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], conditions: { ready: true, serving: true, terminating: false }, nodeName: p.spec.nodeName })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** Three nodes, kube-proxy (rules and health servers) on each, netexec backends, the cloud LB, two clients. */
function world(svc: Service, backendsOn: number[], lbOpts: Partial<CloudLoadBalancerOptions> = {}) {
  const sim = new Simulation(11);
  const trace = new TraceRecorder();
  const net = new Network(sim, trace);
  const cluster = new ClusterNetwork(net, { latency: 50_000, bandwidth: 10e9, mtu: 1500, kubeProxy: KP, nodeCIDR: Cidr.of('192.168.49.0/24') });
  for (let i = 1; i <= 3; i++) cluster.addNode(node(i));
  const pods = backendsOn.map((n, i) => pod(`web-${i + 1}`, n, 10 + i));
  for (const p of pods) startNetexec(cluster.addPod(p).host, { pod: p.metadata.name, container: 'agnhost', ports: [{ port: 8080 }] });
  const slices = pods.length ? [slice(pods)] : [];
  cluster.syncAll([svc], slices);
  for (const n of cluster.nodes.values()) new KubeProxyHealth(n.host, { nodeName: n.name }).start().update([svc], slices);
  const lb = new CloudLoadBalancer(cluster, { ipPool: '203.0.113.0/24', ...lbOpts });
  lb.update([svc]);
  lb.start();
  const laptop = cluster.addExternal('laptop', '198.51.100.7').host;
  const intruder = cluster.addExternal('intruder', '192.0.2.99').host;
  return { sim, trace, cluster, lb, laptop, intruder };
}

/** Starts a GET of VIP:80/path from `from` at time `at`; the result lands in the returned box. */
function fetchAt(w: ReturnType<typeof world>, from: typeof w.laptop, at: number, path: string, timeoutNs = 3 * S): { r: HttpResult | null } {
  const box: { r: HttpResult | null } = { r: null };
  w.sim.at(at, () => httpGet(from, { target: { ip: ipv4(VIP), port: 80, path }, timeoutNs }, (r) => (box.r = r)));
  return box;
}

/** Frames that arrived on `host` carrying an IPv4 packet addressed to `dst`. */
function framesTo(trace: TraceRecorder, host: string, dst: string): TraceEvent[] {
  const want = ipv4(dst);
  return [...trace.events()].filter((e) => e.kind === 'received' && e.host === host && e.bytes !== null && readU16(e.bytes, 12) === 0x0800 && readU32(e.bytes, 14 + 16) === want);
}

const notes = (trace: TraceRecorder, host: string) => [...trace.events()].filter((e) => e.kind === 'app' && e.host === host).map((e) => ({ time: e.time, text: e.detail!.text! }));

describe('cloud LB: a passthrough L4 load balancer in front of the nodes', () => {
  it('externalTrafficPolicy Cluster: every node passes kube-proxy\'s /healthz; the client IP is lost (SNAT to a node)', () => {
    const w = world(lbService('Cluster'), [1, 2]);
    const got = Array.from({ length: 12 }, (_, i) => fetchAt(w, w.laptop, MS * (i + 1), '/clientip'));
    w.sim.run(S);
    for (const { r } of got) {
      expect(r?.status).toBe(200);
      expect(r!.body).toMatch(/^(192\.168\.49\.\d|10\.2\.\d\.1):\d+$/);
      expect(r!.body.startsWith('198.51.100.7:')).toBe(false);
    }
    const [st] = w.lb.state();
    expect(st!.healthCheck.port).toBe(10256);
    expect(st!.backends.map((b) => [b.node, b.healthy, b.lastResult])).toEqual([
      ['node-1', true, '200'],
      ['node-2', true, '200'],
      ['node-3', true, '200'],
    ]);
    // Flows are spread over the nodes, node-3 (no backend of its own) included.
    expect(st!.backends.reduce((n, b) => n + b.flows, 0)).toBe(12);
    expect(st!.backends.filter((b) => b.flows > 0).length).toBeGreaterThanOrEqual(2);
    // The packets reach nodes unchanged: destination still the LB IP.
    expect(['node-1', 'node-2', 'node-3'].reduce((n, h) => n + framesTo(w.trace, h, VIP).length, 0)).toBeGreaterThan(0);
    expect(notes(w.trace, 'cloud-lb').some((n) => /new flow tcp 198\.51\.100\.7:\d+ > 203\.0\.113\.10:80 \(default\/web\) → node-\d/.test(n.text))).toBe(true);
  });

  it('externalTrafficPolicy Local: nodes without an endpoint fail the check (503) and get no traffic; the client IP is kept', () => {
    const w = world(lbService('Local'), [1]);
    const got = Array.from({ length: 10 }, (_, i) => fetchAt(w, w.laptop, MS * (i + 1), '/clientip'));
    w.sim.run(S);
    for (const { r } of got) {
      expect(r?.status).toBe(200);
      expect(r!.body).toBe(r!.local); // the backend saw the client's own socket
      expect(r!.body.startsWith('198.51.100.7:')).toBe(true);
    }
    const [st] = w.lb.state();
    expect(st!.healthCheck).toMatchObject({ port: 32000, path: '/healthz' });
    expect(st!.backends.map((b) => [b.node, b.healthy, b.lastResult, b.flows])).toEqual([
      ['node-1', true, '200', 10],
      ['node-2', false, '503', 0],
      ['node-3', false, '503', 0],
    ]);
    // From the trace: the first health round ends well before the first request (1 ms), and
    // no packet for the LB IP ever reaches node-2 or node-3.
    const hc = notes(w.trace, 'cloud-lb').filter((n) => n.text.includes('health check default/web'));
    expect(hc.map((n) => n.text.replace(/.*GET /, ''))).toEqual(
      expect.arrayContaining(['http://192.168.49.2:32000/healthz → 200 — node-1 is now HEALTHY', 'http://192.168.49.3:32000/healthz → 503', 'http://192.168.49.4:32000/healthz → 503']),
    );
    expect(Math.max(...hc.map((n) => n.time))).toBeLessThan(MS);
    expect(framesTo(w.trace, 'node-1', VIP).length).toBeGreaterThan(0);
    expect(framesTo(w.trace, 'node-2', VIP)).toEqual([]);
    expect(framesTo(w.trace, 'node-3', VIP)).toEqual([]);
  });

  it('loadBalancerSourceRanges: the LB passes both clients through; kube-proxy on the node drops the one outside the range', () => {
    const w = world(lbService('Cluster', ['198.51.100.0/24']), [1, 2]);
    const ok = fetchAt(w, w.laptop, MS, '/hostname');
    const bad = fetchAt(w, w.intruder, MS, '/hostname');
    w.sim.run(5 * S);
    expect(ok.r?.status).toBe(200);
    expect(ok.r!.body).toMatch(/^web-\d$/);
    expect(bad.r?.error).toBe('timeout');
    const drops = [...w.trace.events()].filter((e) => e.kind === 'drop' && e.host.startsWith('node-') && e.detail?.reason === 'netfilter DROP');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]!.detail!.text).toMatch(/^FORWARD: -A KUBE-PROXY-FIREWALL .*-d 203\.0\.113\.10(\/32)? .*-j DROP$/);
    // The LB itself dropped nothing.
    expect([...w.trace.events()].filter((e) => e.kind === 'drop' && e.host === 'cloud-lb')).toEqual([]);
  });

  it('node down: probes time out, the node turns unhealthy after the threshold, and new flows avoid it', () => {
    const w = world(lbService('Cluster'), [1, 2]);
    const node3 = w.cluster.nodes.get('node-3')!;
    w.sim.at(S, () => (node3.host.up = false));
    w.sim.run(30 * S);
    const turned = notes(w.trace, 'cloud-lb').find((n) => n.text.includes('node-3 is now UNHEALTHY'));
    // GKE's shared check: probes at 8 s, 16 s, 24 s time out after 1 s; the third failure (25 s) flips it.
    expect(turned?.time).toBe(25 * S);
    expect(turned!.text).toContain('→ timeout');
    const [before] = w.lb.state().map((s) => s.backends.find((b) => b.node === 'node-3')!);
    expect(before).toMatchObject({ healthy: false, lastResult: 'timeout', consecutiveFailures: 3 });
    const flows0 = before!.flows;
    const got = Array.from({ length: 20 }, (_, i) => fetchAt(w, w.laptop, 30 * S + MS * (i + 1), '/hostname'));
    w.sim.run(31 * S);
    expect(got.map(({ r }) => r?.status)).toEqual(Array(20).fill(200));
    const st = w.lb.state()[0]!;
    expect(st.backends.find((b) => b.node === 'node-3')!.flows).toBe(flows0);
    expect(st.backends.filter((b) => b.node !== 'node-3').reduce((n, b) => n + b.flows, 0)).toBe(20);
  });

  it('fails open when no node is healthy, and silently drops what no forwarding rule covers (other port, unassigned pool IP)', () => {
    // Local policy and no endpoints at all: every node answers 503.
    const w = world(lbService('Local'), []);
    const r = fetchAt(w, w.laptop, MS, '/hostname');
    let other: HttpResult | null = null;
    let unassigned: HttpResult | null = null;
    w.sim.at(MS, () => httpGet(w.laptop, { target: { ip: ipv4(VIP), port: 81, path: '/' }, timeoutNs: S }, (x) => (other = x)));
    w.sim.at(2 * MS, () => httpGet(w.laptop, { target: { ip: ipv4('203.0.113.99'), port: 80, path: '/' }, timeoutNs: S }, (x) => (unassigned = x)));
    w.sim.run(3 * S);
    const st = w.lb.state()[0]!;
    expect(st.failOpen).toBe(true);
    expect(st.backends.every((b) => !b.healthy && b.lastResult === '503')).toBe(true);
    expect(notes(w.trace, 'cloud-lb').some((n) => n.text.includes('no healthy node: failing open to all 3'))).toBe(true);
    // The chosen node's kube-proxy rejects: the Service has no endpoints.
    expect(r.r?.error).toBe('refused');
    expect(other!.error).toBe('timeout');
    const lbDrops = [...w.trace.events()].filter((e) => e.kind === 'drop' && e.host === 'cloud-lb');
    expect(lbDrops[0]!.detail!.text).toBe('PREROUTING: cloud-lb: no forwarding rule for 203.0.113.10:81/tcp');
    expect(unassigned!.error).toBe('timeout');
    expect(lbDrops.map((e) => e.detail!.text)).toContain('PREROUTING: cloud-lb: no forwarding rule for 203.0.113.99:80/tcp');
    // Silently: the LB sent no ICMP back.
    expect([...w.trace.events()].filter((e) => e.kind === 'sent' && e.host === 'cloud-lb' && e.bytes && readU16(e.bytes, 12) === 0x0800 && e.bytes[14 + 9] === 1)).toEqual([]);
  });

  it('keeps a flow on its node across packets and requests (one connection, several requests)', () => {
    const w = world(lbService('Cluster'), [1, 2, 3]);
    let res: HttpResult | null = null;
    w.sim.at(MS, () => httpGet(w.laptop, { target: { ip: ipv4(VIP), port: 80, path: '/hostname' }, morePaths: ['/hostname', '/hostname', '/clientip'] }, (x) => (res = x)));
    w.sim.run(S);
    expect(res!.responses.map((x) => x.status)).toEqual([200, 200, 200, 200]);
    const st = w.lb.state()[0]!;
    expect(st.backends.reduce((n, b) => n + b.flows, 0)).toBe(1);
    const chosen = st.backends.find((b) => b.flows === 1)!.node;
    expect(framesTo(w.trace, chosen, VIP).length).toBeGreaterThan(5);
    for (const other of ['node-1', 'node-2', 'node-3'].filter((n) => n !== chosen)) expect(framesTo(w.trace, other, VIP)).toEqual([]);
  });
});
