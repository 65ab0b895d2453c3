import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/simulation.ts';
import { Network } from '../dataplane/network.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { Cidr, formatIpv4, ipv4 } from '../wire/addr.ts';
import { ClusterNetwork } from './cluster.ts';
import type { EndpointSlice, Node, Pod, Service } from './model/index.ts';
import type { Host } from '../dataplane/host.ts';

const KP = { clusterCIDR: '10.2.0.0/16', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, randomFully: true, detectLocalMode: 'ClusterCIDR' as const };

function node(i: number): Node {
  return { metadata: { name: `node-${i}` }, spec: { podCIDR: `10.2.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.49.${i + 1}` }] } };
}
function pod(name: string, nodeIdx: number, host: number, labels: Record<string, string> = { app: 'backend' }): Pod {
  return { metadata: { name, namespace: 'default', labels }, spec: { nodeName: `node-${nodeIdx}`, containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] }, status: { podIP: `10.2.${nodeIdx}.${host}` } };
}
const backendSvc: Service = {
  metadata: { name: 'backend', namespace: 'default' },
  spec: { type: 'NodePort', clusterIP: '10.96.0.20', selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }] },
};
function slice(pods: Pod[]): EndpointSlice {
  return {
    metadata: { name: 'backend-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'backend' } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], conditions: { ready: true, serving: true, terminating: false }, nodeName: p.spec.nodeName, targetRef: { kind: 'Pod', namespace: 'default', name: p.metadata.name } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** A TCP server that answers each connection with its pod name and the peer it saw, then closes. */
function whoami(h: Host, name: string, port = 8080): void {
  h.tcp.listen(port, (c) => ({
    onConnect(conn) {
      conn.send(new TextEncoder().encode(`${name} saw ${formatIpv4(conn.remoteIp)}:${conn.remotePort}`));
      conn.close();
    },
    onPeerClose(conn) {
      conn.close();
    },
  }));
}

function build(seed = 1) {
  const sim = new Simulation(seed);
  const trace = new TraceRecorder();
  const net = new Network(sim, trace);
  const cluster = new ClusterNetwork(net, { latency: 50_000, bandwidth: 10e9, mtu: 1500, kubeProxy: KP, nodeCIDR: Cidr.of('192.168.49.0/24') });
  for (let i = 1; i <= 3; i++) cluster.addNode(node(i));
  const backends = [pod('backend-1', 1, 2), pod('backend-2', 2, 2), pod('backend-3', 3, 2)];
  const client = pod('client', 1, 3, { app: 'client' });
  for (const p of [...backends, client]) cluster.addPod(p);
  for (const b of backends) whoami(cluster.pods.get(`default/${b.metadata.name}`)!.host, b.metadata.name);
  cluster.syncAll([backendSvc], [slice(backends)]);
  const laptop = cluster.addExternal('laptop', '198.51.100.7');
  return { sim, net, trace, cluster, backends, client, laptop };
}

/** Connects from `h` to dst:port and collects what the server said. */
function fetch(sim: Simulation, h: Host, dst: string, port: number): { said: string; err: string; local: string } {
  const out = { said: '', err: '', local: '' };
  sim.after(1_000, () => {
    h.tcp.connect(ipv4(dst), port, {
      onConnect(c) {
        out.local = `${formatIpv4(c.localIp)}:${c.localPort}`;
      },
      onData(_c, d) {
        out.said += new TextDecoder().decode(d);
      },
      onPeerClose(c) {
        c.close();
      },
      onError(_c, e) {
        out.err = e;
      },
    });
  });
  return out;
}

describe('ClusterNetwork: pods, nodes and kube-proxy rules on the engine', () => {
  it('gives each node its /24 and each pod a host on the node bridge', () => {
    const { cluster } = build();
    expect([...cluster.nodes.values()].map((n) => `${n.name} ${formatIpv4(n.ip)} ${n.podSubnet}`)).toEqual([
      'node-1 192.168.49.2 10.2.1.0/24',
      'node-2 192.168.49.3 10.2.2.0/24',
      'node-3 192.168.49.4 10.2.3.0/24',
    ]);
    expect(cluster.nodes.get('node-1')!.host.routes.list()).toContain('10.2.2.0/24 via 192.168.49.3 dev eth0');
  });

  it('pod → ClusterIP: DNAT to a backend, no SNAT (the backend sees the pod IP)', () => {
    const { sim, cluster } = build();
    const r = fetch(sim, cluster.pods.get('default/client')!.host, '10.96.0.20', 80);
    sim.run();
    expect(r.err).toBe('');
    expect(r.said).toMatch(new RegExp(`^backend-\\d saw ${r.local.replace(/\./g, '\\.')}$`));
  });

  it('spreads 60 connections over all three backends', () => {
    const { sim, cluster } = build();
    const h = cluster.pods.get('default/client')!.host;
    const results = Array.from({ length: 60 }, (_, i) => {
      const out = { said: '' };
      sim.after(1_000_000 * (i + 1), () => {
        h.tcp.connect(ipv4('10.96.0.20'), 80, { onData: (_c, d) => (out.said += new TextDecoder().decode(d)), onPeerClose: (c) => c.close() });
      });
      return out;
    });
    sim.run();
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.said.split(' ')[0]!, (counts.get(r.said.split(' ')[0]!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['backend-1', 'backend-2', 'backend-3']);
    for (const c of counts.values()) expect(c).toBeGreaterThanOrEqual(8);
  });

  it('node → ClusterIP is masqueraded (source becomes the node address)', () => {
    const { sim, cluster } = build();
    const r = fetch(sim, cluster.nodes.get('node-2')!.host, '10.96.0.20', 80);
    sim.run();
    expect(r.err).toBe('');
    // The backend saw the address of the node that forwarded to it (its outgoing interface).
    expect(r.said).toMatch(/saw (192\.168\.49\.3|10\.2\.2\.1):\d+$/);
  });

  it('external client → NodePort on any node, SNATed to that node', () => {
    const { sim, cluster } = build();
    const laptop = cluster.externals.get('laptop')!.host;
    const r = fetch(sim, laptop, '192.168.49.3', 30080);
    sim.run();
    expect(r.err).toBe('');
    expect(r.said).toMatch(/^backend-\d saw (192\.168\.49\.3|10\.2\.2\.1):\d+$/);
  });
});

/** Builds a cluster with one Service (given) whose endpoints are the given backends. */
function buildWith(svc: Service, backendsOn: number[], opts: { seed?: number } = {}) {
  const sim = new Simulation(opts.seed ?? 1);
  const trace = new TraceRecorder();
  const net = new Network(sim, trace);
  const cluster = new ClusterNetwork(net, { latency: 50_000, bandwidth: 10e9, mtu: 1500, kubeProxy: KP, nodeCIDR: Cidr.of('192.168.49.0/24') });
  for (let i = 1; i <= 3; i++) cluster.addNode(node(i));
  const backends = backendsOn.map((n, i) => pod(`backend-${i + 1}`, n, 10 + i));
  const client = pod('client', 1, 3, { app: 'client' });
  for (const p of [...backends, client]) cluster.addPod(p);
  for (const b of backends) whoami(cluster.pods.get(`default/${b.metadata.name}`)!.host, b.metadata.name);
  const laptop = cluster.addExternal('laptop', '198.51.100.7');
  const other = cluster.addExternal('intruder', '203.0.113.99');
  cluster.syncAll([svc], backends.length ? [slice(backends)] : []);
  return { sim, net, trace, cluster, backends, client, laptop, other };
}

describe('kube-proxy behaviours at packet level', () => {
  const local: Service = { ...backendSvc, spec: { ...backendSvc.spec, externalTrafficPolicy: 'Local' } };

  it('externalTrafficPolicy Local: a node without a local endpoint drops NodePort traffic', () => {
    const { sim, cluster, trace } = buildWith(local, [1]);
    const r = fetch(sim, cluster.externals.get('laptop')!.host, '192.168.49.3', 30080); // node-2: no backend
    sim.run(5_000_000_000);
    expect(r.said).toBe('');
    const drops = [...trace.events()].filter((e) => e.kind === 'drop' && e.host === 'node-2');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]!.detail!.text).toBe('INPUT: -A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/backend:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j DROP');
  });

  it('externalTrafficPolicy Local: the serving node keeps the client IP', () => {
    const { sim, cluster } = buildWith(local, [1]);
    const r = fetch(sim, cluster.externals.get('laptop')!.host, '192.168.49.2', 30080); // node-1 has it
    sim.run();
    expect(r.err).toBe('');
    expect(r.said).toBe(`backend-1 saw ${r.local}`);
    expect(r.local.startsWith('198.51.100.7:')).toBe(true);
  });

  it('a Service without endpoints rejects: TCP gets a RST (connection refused)', () => {
    const { sim, cluster, trace } = buildWith(backendSvc, []);
    const r = fetch(sim, cluster.pods.get('default/client')!.host, '10.96.0.20', 80);
    sim.run();
    expect(r.err).toBe('refused');
    const rej = [...trace.events()].find((e) => e.kind === 'drop' && e.detail?.reason === 'netfilter REJECT');
    expect(rej?.detail?.text).toContain('has no endpoints');
  });

  it('a Service without endpoints rejects: UDP gets ICMP port unreachable', () => {
    const udpSvc: Service = { metadata: { name: 'dns-like', namespace: 'default' }, spec: { clusterIP: '10.96.0.53', selector: { app: 'none' }, ports: [{ name: 'd', port: 53, protocol: 'UDP' }] } };
    const { sim, cluster } = buildWith(udpSvc, []);
    const h = cluster.pods.get('default/client')!.host;
    const errors: string[] = [];
    const port = h.bindUdpEphemeral({
      onDatagram: () => false,
      onIcmpError: (_h, type, code, dst, dport) => errors.push(`type ${type} code ${code} about ${formatIpv4(dst)}:${dport}`),
    });
    sim.after(1000, () => h.sendUdp(0, port, ipv4('10.96.0.53'), 53, 4, (b, o) => b.set([1, 2, 3, 4], o)));
    sim.run();
    expect(errors).toEqual(['type 3 code 3 about 10.96.0.53:53']);
  });

  it('ClientIP session affinity sends every connection from a client to one backend', () => {
    const sticky: Service = { ...backendSvc, spec: { ...backendSvc.spec, sessionAffinity: 'ClientIP' } };
    const { sim, cluster } = buildWith(sticky, [1, 2, 3]);
    const h = cluster.pods.get('default/client')!.host;
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      sim.after(1_000_000 * (i + 1), () => {
        let said = '';
        h.tcp.connect(ipv4('10.96.0.20'), 80, { onData: (_c, d) => (said += new TextDecoder().decode(d)), onPeerClose: (c) => (seen.push(said.split(' ')[0]!), c.close()) });
      });
    }
    sim.run();
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(1);
  });

  it('LoadBalancer source ranges: allowed client served, other client dropped', () => {
    const lb: Service = {
      metadata: { name: 'backend', namespace: 'default' },
      spec: { ...backendSvc.spec, type: 'LoadBalancer', loadBalancerSourceRanges: ['198.51.100.0/24'] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
    };
    const { sim, cluster } = buildWith(lb, [1, 2]);
    // As with an L2 load balancer (MetalLB style), clients send the LB IP to node-1.
    for (const name of ['laptop', 'intruder']) cluster.externals.get(name)!.host.addRoute('203.0.113.10/32', cluster.externals.get(name)!.nic, ipv4('192.168.49.2'));
    const ok = fetch(sim, cluster.externals.get('laptop')!.host, '203.0.113.10', 80);
    const bad = fetch(sim, cluster.externals.get('intruder')!.host, '203.0.113.10', 80);
    sim.run(10_000_000_000);
    expect(ok.err).toBe('');
    expect(ok.said).toMatch(/^backend-\d saw /);
    expect(bad.said).toBe('');
  });

  it('a deleted pod stops receiving new connections once the rules are re-synced', () => {
    const { sim, cluster, backends } = buildWith(backendSvc, [1, 2]);
    const h = cluster.pods.get('default/client')!.host;
    const served: string[] = [];
    sim.after(10_000_000, () => {
      cluster.removePod('default', 'backend-1');
      cluster.syncAll([backendSvc], [slice(backends.slice(1))]);
    });
    for (let i = 0; i < 30; i++) {
      sim.after(20_000_000 + 1_000_000 * i, () => {
        let said = '';
        h.tcp.connect(ipv4('10.96.0.20'), 80, { onData: (_c, d) => (said += new TextDecoder().decode(d)), onPeerClose: (c) => (served.push(said.split(' ')[0]!), c.close()) });
      });
    }
    sim.run();
    expect(served).toHaveLength(30);
    expect(new Set(served)).toEqual(new Set(['backend-2']));
  });

  it('iptables-save of a node prints the kube-proxy rules in iptables 1.8 normalised form', () => {
    const { cluster } = buildWith(backendSvc, [1, 2]);
    const save = cluster.nodes.get('node-1')!.netfilter.save();
    expect(save).toContain('-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "default/backend:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-');
    expect(save).toMatch(/-A KUBE-SVC-\w+ -m comment --comment "default\/backend:http -> 10\.2\.1\.10:8080" -m statistic --mode random --probability 0\.50000000000 -j KUBE-SEP-/);
    expect(save).toContain('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
    expect(save).toContain(':KUBE-PROXY-CANARY - [0:0]');
  });
});
